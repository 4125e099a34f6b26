// weave::event under the checker: a set() racing a wait() is never lost, and a
// waiter that returns true sees what the setter wrote before set(), even when
// the setter clears the event again at once. The twin is the hand-rolled event
// every course warns about: a plain bool polled in a loop (a data race).
#include "weave/event.hpp"
#include "weave/model.hpp"

namespace {
using weave::model::thread;
using S = weave::model_sync;
}  // namespace

// No lost wake-up between set() and concurrent wait()s: two untimed waiters
// return (a lost wake-up would be a deadlock), with the data published.
WEAVE_MODEL_CHECK(event_set_wakes_concurrent_waiter, pass) {
  weave::model::event e;
  S::cell<int> data(0);
  auto waiter = [&] {
    WEAVE_CHECK(e.wait());
    WEAVE_CHECK(data.read() == 1);  // a data race unless set()/wait() order it
  };
  thread a(waiter), b(waiter);
  thread setter([&] {
    data.write() = 1;
    e.set();
  });
  a.join();
  b.join();
  setter.join();
  WEAVE_CHECK(e.is_set());
}

// set() then clear() at once: a timed waiter may time out (explored), but if it
// returns true the set happened and its data is visible, although the flag
// may be clear again by the time it runs.
WEAVE_MODEL_CHECK(event_set_then_clear_still_counts, pass) {
  weave::model::event e;
  S::cell<int> data(0);
  bool got_a = false;
  thread a([&] {
    got_a = e.wait_for(std::chrono::milliseconds(5));
    if (got_a) WEAVE_CHECK(data.read() == 1);
  });
  thread setter([&] {
    data.write() = 1;
    e.set();
    e.clear();
  });
  a.join();
  setter.join();
  WEAVE_CHECK(!e.is_set());
}

// The twin: a plain bool written by one thread and polled by another. Nothing
// orders the accesses: the checker reports the data race.
WEAVE_MODEL_CHECK(event_twin_polled_plain_bool, data_race) {
  S::cell<bool> flag(false);
  S::cell<int> data(0);
  thread waiter([&] {
    while (!flag.read()) S::spin();
    WEAVE_CHECK(data.read() == 1);
  });
  thread setter([&] {
    data.write() = 1;
    flag.write() = true;
  });
  waiter.join();
  setter.join();
}
