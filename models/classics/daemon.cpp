// A daemon thread left running:
//
//   threading.Thread(target=heartbeat, daemon=True).start()
//   ...                           # the program ends; heartbeat is killed
//                                 # wherever it is (no finally, no flush)
//
// A thread nobody joins is still running when the program ends (in C++, a
// joinable std::thread destroyed is std::terminate). The checker reports it
// as unjoined_thread. The fixed twin tells the heartbeat to stop (an event)
// and joins it, so the heartbeat's closing work (its `finally`) is done. The
// heartbeat beats once and then waits for the stop, which keeps the model
// finite (a loop of timed waits would be explored timing out without end).
#include "weave/event.hpp"
#include "weave/model.hpp"

namespace {
using weave::model::thread;
using S = weave::model_sync;

void run_with_heartbeat(bool stop_and_join) {
  weave::model::event stop{"stop"};
  S::cell<int> beats{0, "beats"};
  S::cell<bool> flushed{false, "flushed"};
  thread heartbeat{"heartbeat", [&] {
    beats.write() += 1;
    stop.wait();
    flushed.write() = true;  // finally: flush the log
  }};
  // ... the program's work ...
  if (stop_and_join) {
    stop.set();
    heartbeat.join();
    WEAVE_CHECK(beats.read() == 1 && flushed.read());
  }  // else BUG: the program ends with the heartbeat still waiting
}
}  // namespace

WEAVE_MODEL_CHECK(classic_daemon_left_running, unjoined_thread) { run_with_heartbeat(false); }
WEAVE_MODEL_CHECK(classic_daemon_stopped_and_joined, pass) { run_with_heartbeat(true); }
