// weave::condition under the checker: a producer/consumer handshake through a
// one-slot buffer passes with every interleaving, time-out and spurious
// wake-up explored; so does waiting on a recursive_mutex held twice. The twins
// are the classic condition-variable mistakes: `if` instead of `while`
// (a spurious wake-up finds the slot empty), a notify sent before the waiter
// registered with no predicate to remember it (lost wake-up), and a condition
// that releases only one level of a recursive lock (the notifier never gets in).
// A notify made outside the lock passes too: the notifier's last touch of the
// waiter's record is the fetch_or that notifies it, and the wake it owes a
// parked waiter goes through an S::waker after the record may have died (C4,
// C9); the twin touches the record after that fetch_or, which races with its
// death.
#include <cstdint>
#include <mutex>

#include "weave/condition.hpp"
#include "weave/model.hpp"
#include "weave/mutex.hpp"
#include "weave/recursive_mutex.hpp"
#include "checks/interleavings.hpp"

namespace {
using weave::model::thread;
using S = weave::model_sync;
using lock_t = std::unique_lock<weave::model::mutex>;
}  // namespace

// Two items through a one-slot buffer: nothing lost, nothing duplicated, and
// the slot (a plain cell) is only touched under the mutex. Bounded to 3
// preemptions per execution (about 0.6M executions; the full space is too
// large for make check-models).
WEAVE_MODEL_CHECK(condition_producer_consumer_handshake, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 3) {
  weave::model::mutex m;
  weave::model::condition cv;
  S::cell<bool> full(false);
  S::cell<int> slot(0);
  int sum = 0;
  thread consumer([&] {
    for (int i = 0; i < 2; ++i) {
      lock_t lk(m);
      while (!full.read()) cv.wait(lk);
      sum += slot.read();
      full.write() = false;
      cv.notify_one();
    }
  });
  thread producer([&] {
    for (int i = 1; i <= 2; ++i) {
      lock_t lk(m);
      cv.wait(lk, [&] { return !full.read(); });
      slot.write() = i;
      full.write() = true;
      cv.notify_one();
    }
  });
  consumer.join();
  producer.join();
  WEAVE_CHECK(sum == 3);
}

// A timed waiter racing a notifier: it either sees the flag (predicate true)
// or times out with the predicate false; never true-without-flag.
WEAVE_MODEL_CHECK(condition_timed_wait_returns_predicate, pass, .primitives = weave::model::transparent) {
  weave::model::mutex m;
  weave::model::condition cv;
  S::cell<bool> ready(false);
  thread waiter([&] {
    lock_t lk(m);
    const bool ok = cv.wait_for(lk, std::chrono::milliseconds(5), [&] { return ready.read(); });
    WEAVE_CHECK(ok == ready.read());
  });
  thread notifier([&] {
    lock_t lk(m);
    ready.write() = true;
    cv.notify_one();
  });
  waiter.join();
  notifier.join();
}

// C4, C9: a notify made without the user lock. The waiter may find its word
// at 3 (its notifier is between wake_one and the store of 1) and must not let
// its record die before the store: it waits on m_. A notifier that touched a
// dead record would race on the record's `end` cell (a data race verdict);
// the predicate is set under the lock, so the waiter always returns.
namespace {
// The body of the check and its twin: the flag set under the lock, the notify
// made after releasing it.
template <class Condition>
void notify_outside_lock() {
  weave::model::mutex m;
  Condition cv;
  S::cell<bool> ready(false);
  thread waiter([&] {
    lock_t lk(m);
    while (!ready.read()) cv.wait(lk);
  });
  thread notifier([&] {
    {
      lock_t lk(m);
      ready.write() = true;
    }
    cv.notify_one();  // outside the lock: the waiter may see 3 after restore()
  });
  waiter.join();
  notifier.join();
}
}  // namespace

WEAVE_MODEL_CHECK(condition_notify_outside_lock_outlives_record, pass, .primitives = weave::model::transparent) {
  notify_outside_lock<weave::model::condition>();
}

namespace {
// The twin's condition: condition.hpp's notify and leave for a single waiter
// (one record, its word 0 waiting, 2 parked, 1 or 3 notified, and its `end`
// cell), with the owed wake made the obvious way: after releasing m_, through
// the record itself instead of a waker kept before the fetch_or. But a waiter
// that reads 3 without sleeping (its futex compare saw it) leaves at once, and
// its record dies while the notifier still uses it.
struct late_touch_condition {
  struct record {
    S::atomic<std::uint32_t> word{0};
    S::cell<bool> end{false};
  };
  weave::model::mutex m_;
  S::cell<record*> head{nullptr};

  void wait(lock_t& lock) {
    record w;
    m_.lock();
    head.write() = &w;
    m_.unlock();
    lock.unlock();
    for (;;) {
      std::uint32_t seen = 0;
      // acquire: as condition.hpp (pairs with notify's fetch_or).
      if (!w.word.compare_exchange_strong(seen, 2, std::memory_order_acquire, std::memory_order_acquire) && seen != 2)
        break;
      if (S::wait(w.word, 2) != weave::wait_result::value_mismatch) break;
    }
    // acquire: pairs with notify's fetch_or.
    if (const std::uint32_t v = w.word.load(std::memory_order_acquire); v == 0 || v == 2) {
      m_.lock();
      // relaxed: under m_.
      if (const std::uint32_t u = w.word.load(std::memory_order_relaxed); u == 0 || u == 2) head.write() = nullptr;
      m_.unlock();
    }
    lock.lock();
    w.end.write() = true;  // the record dies: 1 or 3 was the notifier's last touch (C4)
  }
  void notify_one() {
    m_.lock();
    record* w = head.read();
    head.write() = nullptr;
    // release: as condition.hpp (pairs with the waiter's acquire loads).
    const bool owed = w != nullptr && w->word.fetch_or(1, std::memory_order_release) == 2;
    m_.unlock();
    if (owed) {
      (void)w->end.read();  // BUG: a touch after the fetch_or; w may have died (C4)
      S::wake_one(w->word);
    }
  }
};
}  // namespace

// Twin of condition_notify_outside_lock_outlives_record: a notifier that
// wakes through the record after its fetch_or touches a record that may have
// died.
WEAVE_MODEL_CHECK(condition_twin_touches_record_after_notify, data_race, .spurious_wakeups = 0) {
  notify_outside_lock<late_touch_condition>();
}

namespace {
// The waiter holds rm twice and waits through `lock` (rm itself, or a view of
// it); the notifier must get rm to set the flag, so the wait has to release
// both levels, and give both back.
template <class Lock>
void wait_holding_twice(weave::model::recursive_mutex& rm, Lock& lock) {
  weave::model::condition cv;
  S::cell<bool> ready(false);
  thread waiter([&] {
    rm.lock();
    rm.lock();
    cv.wait(lock, [&] { return ready.read(); });
    WEAVE_CHECK(rm.depth() == 2);
    rm.unlock();
    rm.unlock();
  });
  thread notifier([&] {
    rm.lock();
    ready.write() = true;
    cv.notify_one();
    rm.unlock();
  });
  waiter.join();
  notifier.join();
}
}  // namespace

WEAVE_MODEL_CHECK(condition_recursive_mutex_depth_restored, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::recursive_mutex rm;
  wait_holding_twice(rm, rm);
}

// Twin: `if` instead of `while`. A spurious wake-up (which the checker
// explores, as real futexes produce them) returns with the slot still empty.
WEAVE_MODEL_CHECK(condition_twin_if_instead_of_while, check_failed, .primitives = weave::model::transparent) {
  weave::model::mutex m;
  weave::model::condition cv;
  S::cell<bool> full(false);
  thread consumer([&] {
    lock_t lk(m);
    if (!full.read()) cv.wait(lk);  // BUG: must re-check in a loop
    WEAVE_CHECK(full.read());
  });
  thread producer([&] {
    lock_t lk(m);
    full.write() = true;
    cv.notify_one();
  });
  consumer.join();
  producer.join();
}

// Twin: the notify carries no state and the waiter has no predicate. If the
// notify runs before the waiter registered, nothing remembers it: the waiter
// sleeps forever (spurious wake-ups off: they would only hide the bug in some
// executions, it is found either way).
WEAVE_MODEL_CHECK(condition_twin_notify_before_wait, deadlock, .primitives = weave::model::transparent, .spurious_wakeups = 0) {
  weave::model::mutex m;
  weave::model::condition cv;
  thread waiter([&] {
    lock_t lk(m);
    cv.wait(lk);  // BUG: no predicate — a notify that came first is lost
  });
  thread notifier([&] {
    lock_t lk(m);
    cv.notify_one();
  });
  waiter.join();
  notifier.join();
}

namespace {
// The twin's lock: hands the condition plain lock()/unlock(), so a
// recursive_mutex held twice is released one level only.
struct one_level {
  weave::model::recursive_mutex& m;
  void lock() { m.lock(); }
  void unlock() { m.unlock(); }
};
}  // namespace

// Twin: a condition that releases one level of a recursive lock held twice: the
// waiter sleeps still holding it, the notifier can never take it.
WEAVE_MODEL_CHECK(condition_twin_releases_one_level, deadlock, .primitives = weave::model::transparent) {
  weave::model::recursive_mutex rm;
  one_level l{rm};
  wait_holding_twice(rm, l);  // BUG: depth 2, one level released
}
