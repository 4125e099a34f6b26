// weave::counting_semaphore / bounded_semaphore under the checker: never more
// holders than permits; a timed acquire that times out conserves the permits;
// over-releasing a bounded semaphore is a usage error; a deadline at the far
// end of a coarse clock never times out, one in the past is a single try. The
// twins are the classic hand-off semaphore whose timed-out waiter loses the
// permit handed to it, and a far deadline with no release (a deadlock).
#include <chrono>

#include "weave/model.hpp"
#include "weave/semaphore.hpp"
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

// 3 threads, 2 permits: at most 2 inside at once, and every thread gets in
// (the joins return) with both permits back at the end.
WEAVE_MODEL_CHECK(semaphore_holders_never_exceed_permits, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .spurious_wakeups = 0) {
  weave::model::counting_semaphore sem(2);
  S::atomic<int> inside(0);
  auto worker = [&] {
    sem.acquire();
    WEAVE_CHECK(inside.fetch_add(1, std::memory_order_relaxed) < 2);
    inside.fetch_sub(1, std::memory_order_relaxed);
    sem.release();
  };
  thread a(worker), b(worker), c(worker);
  a.join();
  b.join();
  c.join();
  WEAVE_CHECK(sem.available() == 2);
}

// The same with one permit and two threads, spurious wake-ups explored.
WEAVE_MODEL_CHECK(semaphore_one_permit_is_a_lock, pass, .primitives = weave::model::transparent) {
  weave::model::counting_semaphore sem(1);
  S::cell<int> n(0);
  auto worker = [&] {
    sem.acquire();
    n.write() += 1;  // a data race unless the semaphore orders it
    sem.release();
  };
  thread a(worker), b(worker);
  a.join();
  b.join();
  WEAVE_CHECK(n.read() == 2);
}

// S8: two sleepers and two releases of one permit each. The second release
// may find the first permit still free and not wake; the sleeper woken by the
// first (or a thread that leaves with permits left) must pass the wake on, or
// the other sleeper never returns (a deadlock).
// Exhaustive (about 42,000 executions).
WEAVE_MODEL_CHECK(semaphore_two_sleepers_two_releases, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .spurious_wakeups = 0) {
  weave::model::counting_semaphore sem(0);
  thread a([&] { sem.acquire(); }), b([&] { sem.acquire(); });
  sem.release();
  sem.release();
  a.join();
  b.join();
  WEAVE_CHECK(sem.available() == 0);
}

namespace {

// The twin's semaphore: S8's release (only a raise from 0 wakes) without the
// chain (a leaver with permits left and sleepers announced wakes nobody).
struct unchained_semaphore {
  S::atomic<std::uint32_t> count{0};
  S::atomic<std::uint32_t> sleepers{0};
  void release() {
    if (count.fetch_add(1, std::memory_order_seq_cst) != 0) return;  // seq_cst: as semaphore.hpp (S2, S8)
    if (sleepers.load(std::memory_order_seq_cst) != 0) S::wake_one(count);  // seq_cst: S2's releaser half
  }
  void acquire() {
    sleepers.fetch_add(1, std::memory_order_seq_cst);  // seq_cst: S2's sleeper half
    for (;;) {
      std::uint32_t c = count.load(std::memory_order_seq_cst);  // seq_cst: after the announcement (S2)
      // acquire: pairs with release()'s fetch_add.
      while (c > 0)
        if (count.compare_exchange_weak(c, c - 1, std::memory_order_acquire, std::memory_order_relaxed)) {
          sleepers.fetch_sub(1, std::memory_order_seq_cst);  // BUG: leaves without passing the wake on (S8)
          return;
        }
      S::wait(count, 0);
    }
  }
};

}  // namespace

// Twin of semaphore_two_sleepers_two_releases: without S8's chain the second
// release, made onto the first's permit before anyone took it, wakes nobody,
// and the second sleeper never returns.
WEAVE_MODEL_CHECK(semaphore_twin_release_without_chain, deadlock, .memory = weave::model_checks::interleavings_only, .preemptions = 3, .spurious_wakeups = 0) {
  unchained_semaphore sem;
  thread a([&] { sem.acquire(); }), b([&] { sem.acquire(); });
  sem.release();
  sem.release();
  a.join();
  b.join();
}

// A timed acquire racing a release: whichever way it goes, no permit is lost.
WEAVE_MODEL_CHECK(semaphore_timed_acquire_conserves_permits, pass, .primitives = weave::model::transparent) {
  weave::model::counting_semaphore sem(0);
  bool got = false;
  thread waiter([&] { got = sem.try_acquire_for(std::chrono::milliseconds(5)); });
  thread releaser([&] { sem.release(); });
  waiter.join();
  releaser.join();
  WEAVE_CHECK(sem.available() + (got ? 1 : 0) == 1);
}

WEAVE_MODEL_CHECK(semaphore_bounded_over_release_is_usage_error, usage_error, .primitives = weave::model::transparent) {
  weave::model::bounded_semaphore sem(1);
  sem.acquire();
  sem.release();
  sem.release();
}

namespace {
// The twin: release hands its permit straight to a sleeper (handed_ += 1 and a
// wake) instead of raising the count. A sleeper that times out leaves without
// looking at handed_, so a permit handed to it in the meantime is lost.
struct handoff_semaphore {
  S::atomic<std::uint32_t> count{0};
  S::atomic<std::uint32_t> handed{0};
  S::atomic<std::uint32_t> sleepers{0};
  bool try_acquire_for_ms() {
    std::uint32_t c = count.load(std::memory_order_acquire);
    while (c > 0)
      if (count.compare_exchange_weak(c, c - 1, std::memory_order_acquire, std::memory_order_relaxed)) return true;
    sleepers.fetch_add(1, std::memory_order_seq_cst);
    const auto deadline = S::clock::now() + std::chrono::milliseconds(5);
    for (;;) {
      std::uint32_t h = handed.load(std::memory_order_acquire);
      if (h > 0 && handed.compare_exchange_strong(h, h - 1, std::memory_order_acquire, std::memory_order_relaxed))
        return true;
      if (S::wait(handed, 0, deadline) == weave::wait_result::timed_out) {
        sleepers.fetch_sub(1, std::memory_order_seq_cst);  // BUG: a permit handed meanwhile is lost
        return false;
      }
    }
  }
  void release() {
    std::uint32_t s = sleepers.load(std::memory_order_seq_cst);
    if (s > 0 && sleepers.compare_exchange_strong(s, s - 1, std::memory_order_seq_cst, std::memory_order_relaxed)) {
      handed.fetch_add(1, std::memory_order_release);  // hand it to a sleeper
      S::wake_one(handed);
    } else {
      count.fetch_add(1, std::memory_order_release);
    }
  }
};
}  // namespace

WEAVE_MODEL_CHECK(semaphore_twin_handoff_loses_permit, check_failed, .primitives = weave::model::transparent) {
  handoff_semaphore sem;
  bool got = false;
  thread waiter([&] { got = sem.try_acquire_for_ms(); });
  thread releaser([&] { sem.release(); });
  waiter.join();
  releaser.join();
  // the permit is either held, or still available to the next acquirer
  WEAVE_CHECK(sem.count.load(std::memory_order_relaxed) + (got ? 1 : 0) == 1);
}

namespace {
// The twin of the holders check: take a permit by looking, then storing.
struct check_then_take_semaphore {
  S::atomic<std::uint32_t> count{1};
  void acquire() {
    while (count.load(std::memory_order_acquire) == 0) S::spin();
    count.store(count.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);  // BUG: two steps
  }
  void release() { count.fetch_add(1, std::memory_order_release); }
};
}  // namespace

WEAVE_MODEL_CHECK(semaphore_twin_check_then_take, check_failed, .primitives = weave::model::transparent) {
  check_then_take_semaphore sem;
  S::atomic<int> inside(0);
  auto worker = [&] {
    sem.acquire();
    WEAVE_CHECK(inside.fetch_add(1, std::memory_order_relaxed) < 1);
    inside.fetch_sub(1, std::memory_order_relaxed);
    sem.release();
  };
  thread a(worker), b(worker);
  a.join();
  b.join();
}

// try_acquire_until at the max() of a coarse clock (steady seconds, system
// hours) racing a release: never a time-out, so the permit always moves.
WEAVE_MODEL_CHECK(semaphore_acquire_until_coarse_max_never_times_out, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::counting_semaphore sem(0);
  thread a([&] { WEAVE_CHECK(sem.try_acquire_until(at<steady_clock, seconds>::max())); });
  thread b([&] { WEAVE_CHECK(sem.try_acquire_until(at<system_clock, hours>::max())); });
  thread releaser([&] { sem.release(2); });
  a.join();
  b.join();
  releaser.join();
  WEAVE_CHECK(sem.available() == 0);
}

// A deadline in the past (any min()) is one try: false with no permit (blocking
// here would be a deadlock), true when there is one.
WEAVE_MODEL_CHECK(semaphore_acquire_until_min_is_one_try, pass, .primitives = weave::model::transparent) {
  weave::model::counting_semaphore sem(0);
  WEAVE_CHECK(!sem.try_acquire_until(at<steady_clock, seconds>::min()));
  WEAVE_CHECK(!sem.try_acquire_until(system_clock::time_point::min()));
  sem.release();
  WEAVE_CHECK(sem.try_acquire_until(at<system_clock, hours>::min()));
  WEAVE_CHECK(sem.available() == 0);
}

// The twin: a far deadline and no release. The wait is untimed, so the
// acquirer blocks for good: a deadlock (a finite deadline would time out).
WEAVE_MODEL_CHECK(semaphore_twin_coarse_max_no_release, deadlock, .primitives = weave::model::transparent) {
  weave::model::counting_semaphore sem(0);
  thread a([&] { (void)sem.try_acquire_until(at<steady_clock, seconds>::max()); });
  a.join();
}
