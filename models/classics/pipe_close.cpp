// A pipe reader that waits for the end of the stream:
//
//   reader, writer = multiprocessing.Pipe(duplex=False)
//   # writer: writer.send(msg); writer.close()
//   while True:
//       try: msg = reader.recv()
//       except EOFError: break    # only after the writer closed its end
//
// A writer that sends and then forgets close() leaves the reader in recv()
// forever (a deadlock here: the reader waits for a message, the main thread
// for the reader). With the close, the reader gets every message and then
// end of stream (pipe_status::closed, Python's EOFError). The model's pipe is
// in private memory (make_local), its two ends used by two threads.
#include <string_view>
#include <vector>

#include "weave/model.hpp"
#include "weave/pipe.hpp"

namespace {
using weave::model::thread;
using weave::pipe_status;

void read_to_end(bool writer_closes) {
  auto ends = weave::model::pipe_end::make_local({.duplex = false, .capacity = 16});  // not a structured binding: clang 14 cannot capture one
  auto& reader_end = ends.first;
  auto& writer_end = ends.second;
  int messages = 0;
  thread reader{"reader", [&] {
    std::vector<std::byte> msg;
    while (reader_end.recv(msg).status == pipe_status::ok) ++messages;  // ends at end of stream
  }};
  (void)writer_end.send(std::string_view("hello"));
  if (writer_closes) writer_end.close();
  reader.join();
  WEAVE_CHECK(messages == 1);
}
}  // namespace

WEAVE_MODEL_CHECK(classic_pipe_reader_waits_forever, deadlock) { read_to_end(false); }
WEAVE_MODEL_CHECK(classic_pipe_reader_sees_close, pass) { read_to_end(true); }
