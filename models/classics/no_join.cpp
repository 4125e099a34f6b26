// Reading a thread's result before it is known to be there:
//
//   t = threading.Thread(target=work); t.start()
//   print(result)            # read right after start()
//   ...
//   t.start(); time.sleep(0.01); print(result)   # a sleep instead of join()
//
// Neither the start nor the sleep orders the worker's write before the read:
// the result is a plain cell, so both twins are data races (on hardware the
// read sees the old value or, for a larger object, a torn one). A model has no
// wall clock; the sleep is a timed wait on an event nobody sets, which the
// checker explores as timing out at any point of the worker's run. The fixed
// twin joins first: join() returns after the worker's last step.
#include <chrono>

#include "weave/event.hpp"
#include "weave/model.hpp"

namespace {
using weave::model::thread;
template <class T>
using cell = weave::model_sync::cell<T>;
using namespace std::chrono_literals;
}  // namespace

// Buggy: `t.start(); print(result)`.
WEAVE_MODEL_CHECK(classic_result_read_after_start, data_race) {
  cell<int> result{0, "result"};
  thread worker{"worker", [&] { result.write() = 42; }};
  const int seen = result.read();  // BUG: the worker may not have written it
  worker.join();
  WEAVE_CHECK(seen == 42);
}

// Buggy: `t.start(); time.sleep(0.01); print(result)`.
WEAVE_MODEL_CHECK(classic_result_read_after_sleep, data_race) {
  weave::model::event nobody_sets{"sleep_10ms"};
  cell<int> result{0, "result"};
  thread worker{"worker", [&] { result.write() = 42; }};
  (void)nobody_sets.wait_for(10ms);  // time.sleep(0.01): times out, orders nothing
  const int seen = result.read();    // BUG: 10 ms is no promise the worker is done
  worker.join();
  WEAVE_CHECK(seen == 42);
}

// Fixed: `t.start(); t.join(); print(result)`.
WEAVE_MODEL_CHECK(classic_result_read_after_join, pass) {
  cell<int> result{0, "result"};
  thread worker{"worker", [&] { result.write() = 42; }};
  worker.join();
  WEAVE_CHECK(result.read() == 42);
}
