// weave::event under the checker: a set() racing a wait() is never lost, and a
// waiter that returns true sees what the setter wrote before set(), even when
// the setter clears the event again at once; a deadline at the far end of a
// coarse clock never times out, and one in the past is a single look. The
// twins are the hand-rolled event every course warns about, a plain bool
// polled in a loop (a data race), and a far deadline nobody sets (a deadlock:
// such a wait really is untimed). A third twin only weak memory shows: a
// futex flag set with a relaxed store while the payload is an atomic read
// relaxed, so the waiter sees the flag but an old payload (under RC11 only).
#include <atomic>
#include <chrono>
#include <cstdint>

#include "weave/event.hpp"
#include "weave/model.hpp"
#include "checks/interleavings.hpp"

namespace {
using weave::model::thread;
using S = weave::model_sync;
template <class Clock, class Duration>
using at = std::chrono::time_point<Clock, Duration>;
using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;
}  // namespace

// No lost wake-up between set() and concurrent wait()s: two untimed waiters
// return (a lost wake-up would be a deadlock), with the data published.
WEAVE_MODEL_CHECK(event_set_wakes_concurrent_waiter, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
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
WEAVE_MODEL_CHECK(event_set_then_clear_still_counts, pass, .primitives = weave::model::transparent) {
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
WEAVE_MODEL_CHECK(event_twin_polled_plain_bool, data_race, .primitives = weave::model::transparent) {
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

// wait_until at the max() of a coarse steady clock and of a coarse system
// clock (both overflow nanoseconds unless the conversion saturates): the
// checker never explores a time-out, only the set().
WEAVE_MODEL_CHECK(event_wait_until_coarse_max_never_times_out, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::event e;
  thread a([&] { WEAVE_CHECK(e.wait_until(at<steady_clock, seconds>::max())); });
  thread b([&] { WEAVE_CHECK(e.wait_until(at<system_clock, hours>::max())); });
  thread setter([&] { e.set(); });
  a.join();
  b.join();
  setter.join();
}

// A deadline in the past (any min()) is one look at the flag: false while it
// is clear (blocking here would be a deadlock), true once it is set.
WEAVE_MODEL_CHECK(event_wait_until_min_is_one_look, pass, .primitives = weave::model::transparent) {
  weave::model::event e;
  WEAVE_CHECK(!e.wait_until(at<steady_clock, seconds>::min()));
  WEAVE_CHECK(!e.wait_until(at<system_clock, hours>::min()));
  WEAVE_CHECK(!e.wait_until(system_clock::time_point::min()));
  e.set();
  WEAVE_CHECK(e.wait_until(at<steady_clock, seconds>::min()));
}

// The twin: the same far deadline with nobody to set the event. Had the
// deadline been turned into a finite one, the checker would time the wait out;
// it is untimed, so the waiter blocks for good: a deadlock.
WEAVE_MODEL_CHECK(event_twin_coarse_max_nobody_sets, deadlock, .primitives = weave::model::transparent) {
  weave::model::event e;
  thread a([&] { (void)e.wait_until(at<system_clock, hours>::max()); });
  a.join();
}

namespace {
// weave::event's set/wait protocol reduced to its flag (no generation, no
// waiters bit: set() always wakes), with the order of the set a parameter:
// release is the correct event (E4 in event.hpp), relaxed is the weak-memory
// twin.
template <std::memory_order Set>
struct flag_event {
  S::atomic<std::uint32_t> flag{0};
  void set() {
    // Set = release: pairs with the acquire load in wait().
    // Set = relaxed (the twin's BUG): pairs with nothing; what the setter wrote
    // before set() may still be invisible to a waiter that sees the flag.
    flag.store(1, Set);
    S::wake_all(flag);
  }
  void wait() {
    // acquire: pairs with the store in set() (Set).
    while (flag.load(std::memory_order_acquire) == 0) S::wait(flag, 0);  // parks only while 0
  }
};

// The setter writes the payload (an atomic, relaxed: no cell race to report),
// then sets the event; the waiter must read the payload after its wait.
template <class Event>
void payload_through(Event& e) {
  S::atomic<int> payload(0);
  thread waiter([&] {
    e.wait();
    WEAVE_CHECK(payload.load(std::memory_order_relaxed) == 1);  // relaxed: ordered by the event
  });
  thread setter([&] {
    payload.store(1, std::memory_order_relaxed);  // relaxed: published by set()
    e.set();
  });
  waiter.join();
  setter.join();
}
}  // namespace

// The weak-memory twin's correct counterpart: a release set passes under RC11.
WEAVE_MODEL_CHECK(event_release_set_atomic_payload, pass, .primitives = weave::model::transparent) {
  flag_event<std::memory_order_release> e;
  payload_through(e);
}

// The twin: the waiter's acquire load reads the relaxed flag store, which does
// not synchronize, so its relaxed payload load may still read 0. Under
// --memory-model sc every load reads the latest store and this check passes:
// only weak memory finds it.
WEAVE_MODEL_CHECK(event_twin_relaxed_set_atomic_payload, check_failed, .primitives = weave::model::transparent) {
  flag_event<std::memory_order_relaxed> e;
  payload_through(e);
}
