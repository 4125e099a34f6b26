// A polled flag instead of an event:
//
//   done = False                      |   done = threading.Event()
//   # worker: data = 42; done = True  |   # worker: data = 42; done.set()
//   while not done: pass              |   done.wait()
//   print(data)                       |   print(data)
//
// The busy-wait burns a core, and in C++ a flag read and written relaxed
// orders nothing: the waiter may see the flag and still read the data before
// the worker's write reaches it (a data race on the plain cell). An event's
// set() happens before the wait() it ends, so the data read after wait() is
// the worker's.
#include "weave/event.hpp"
#include "weave/model.hpp"

namespace {
using weave::model::thread;
using S = weave::model_sync;
}  // namespace

// Buggy: `while not done: pass` on a relaxed flag.
WEAVE_MODEL_CHECK(classic_polled_flag_relaxed, data_race) {
  S::cell<int> data{0, "data"};
  S::atomic<bool> done{false, "done"};
  thread worker{"worker", [&] {
    data.write() = 42;
    done.store(true, std::memory_order_relaxed);  // BUG: publishes nothing
  }};
  while (!done.load(std::memory_order_relaxed)) S::spin();  // BUG: acquires nothing; spins
  WEAVE_CHECK(data.read() == 42);
  worker.join();
}

// Fixed: `done.set()` / `done.wait()`.
WEAVE_MODEL_CHECK(classic_polled_flag_fixed_event, pass) {
  S::cell<int> data{0, "data"};
  weave::model::event done{"done"};
  thread worker{"worker", [&] {
    data.write() = 42;
    done.set();
  }};
  done.wait();
  WEAVE_CHECK(data.read() == 42);
  worker.join();
}
