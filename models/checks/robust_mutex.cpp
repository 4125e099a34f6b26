// weave::robust_mutex under the checker: the owner-death protocol. A model
// thread that returns while holding the mutex died holding it (model_sync's
// S::alive and S::wait_unless_dead; see weave/robust_mutex.hpp). Checked here:
// the next locker gets owner_dead and sees the half-done update, whether it
// came after the death or was parked before it; unlock without consistent()
// makes every later lock not_recoverable, parked waiters included; and with a
// live owner nothing changes (mutual exclusion, timed locks that time out, no
// false takeover). The twins: a takeover that does not ask whether the owner
// lives (it robs a live owner), and one that reports acquired instead of
// owner_dead (the repairer never learns the data are half-updated).
#include "weave/model.hpp"
#include "weave/robust_mutex.hpp"
#include "checks/interleavings.hpp"

namespace {

using weave::lock_status;
using weave::model::thread;
using S = weave::model_sync;
using u32 = std::uint32_t;
constexpr auto rlx = std::memory_order_relaxed;

// The protected data: two cells whose invariant is a == b; an update writes a,
// then b, so an owner that dies between the two leaves them unequal.
struct pair_data {
  S::cell<int> a{0}, b{0};
  S::atomic<int> repairs{0};  // how many lockers got owner_dead
};

// Locks, and repairs if the previous owner died: a half-done update must come
// with owner_dead (and owner_dead only with one), then the repair and
// consistent(). Finishes a whole update and unlocks.
template <class Lock>
void lock_update_unlock(Lock& m, pair_data& d) {
  const lock_status st = m.lock();
  WEAVE_CHECK(st == lock_status::acquired || st == lock_status::owner_dead);
  const bool torn = d.a.read() != d.b.read();
  WEAVE_CHECK(torn == (st == lock_status::owner_dead));
  if (st == lock_status::owner_dead) {
    d.b.write() = d.a.read();  // the repair
    d.repairs.fetch_add(1, rlx);
    m.consistent();
  }
  d.a.write() += 1;
  d.b.write() += 1;
  m.unlock();
}

// The owner: locks, writes half an update, and dies (returns holding the lock).
template <class Lock>
void lock_and_die(Lock& m, pair_data& d) {
  WEAVE_CHECK(m.lock() == lock_status::acquired);
  d.a.write() += 1;
}

// The same, but it says (held) that it holds the mutex and takes one more step
// before it dies, so threads spawned on that word may start locking, or park,
// while it still lives: its death falls anywhere in their lock().
template <class Lock>
void lock_announce_and_die(Lock& m, pair_data& d, S::atomic<u32>& held) {
  lock_and_die(m, d);
  held.store(1, std::memory_order_release);  // pairs with the body's acquire load
  held.store(2, rlx);                        // relaxed: a last step of its own, then the thread ends
}

// The body starts the waiters once the owner holds the mutex.
inline void await_held(S::atomic<u32>& held) {
  while (held.load(std::memory_order_acquire) == 0) S::spin();  // pairs with the owner's release store
}

// The owner dies first; then a second thread locks (owner_dead, repairs) and
// the body's lock afterwards gets acquired with the invariant whole.
template <class Lock>
void owner_dies_then_next_repairs() {
  Lock m;
  pair_data d;
  thread owner([&] { lock_and_die(m, d); });
  owner.join();
  thread next([&] { lock_update_unlock(m, d); });
  next.join();
  WEAVE_CHECK(d.repairs.load(rlx) == 1);
  WEAVE_CHECK(m.lock() == lock_status::acquired);
  WEAVE_CHECK(d.a.read() == d.b.read() && d.a.read() == 2);
  m.unlock();
}

// One or two waiters start locking once the owner holds the mutex, so they may
// be parked when it dies or arrive after: exactly one of them takes over and
// repairs, the other (if any) gets acquired after it.
template <class Lock>
void owner_dies_under_parked_waiters(int waiters) {
  Lock m;
  pair_data d;
  S::atomic<u32> held(0);
  thread owner([&] { lock_announce_and_die(m, d, held); });
  await_held(held);
  auto waiter = [&] { lock_update_unlock(m, d); };
  thread w1(waiter);
  thread w2;
  if (waiters > 1) w2 = thread(waiter);
  owner.join();
  w1.join();
  if (waiters > 1) w2.join();
  WEAVE_CHECK(d.repairs.load(rlx) == 1);
  WEAVE_CHECK(m.lock() == lock_status::acquired);
  WEAVE_CHECK(d.a.read() == d.b.read() && d.a.read() == 1 + waiters);
  m.unlock();
}

// After owner_dead, the taker unlocks without consistent(): the mutex is not
// recoverable. The other locker (parked on the taker or not) gets
// not_recoverable and does not hold the mutex, and so does every later lock.
// The owner is dead before both start (the death racing a lock is checked above).
void unlock_without_consistent_breaks_it() {
  weave::model::robust_mutex m;
  pair_data d;
  S::atomic<int> dead_seen(0), broken_seen(0);
  thread owner([&] { lock_and_die(m, d); });
  owner.join();
  auto waiter = [&] {
    const lock_status st = m.lock();
    if (st == lock_status::owner_dead) {
      dead_seen.fetch_add(1, rlx);
      m.unlock();  // no consistent(): gives up on the data
    } else {
      WEAVE_CHECK(st == lock_status::not_recoverable);
      broken_seen.fetch_add(1, rlx);
    }
  };
  thread w1(waiter), w2(waiter);
  w1.join();
  w2.join();
  WEAVE_CHECK(dead_seen.load(rlx) == 1 && broken_seen.load(rlx) == 1);
  WEAVE_CHECK(!m.is_locked() && !m.is_consistent());
  WEAVE_CHECK(m.lock() == lock_status::not_recoverable);
  WEAVE_CHECK(m.try_lock_for(std::chrono::milliseconds(10)) == lock_status::not_recoverable);
  WEAVE_CHECK(!m.is_locked());
}

// Live owners only: one thread counts under lock(), another under a timed lock
// that may time out while the first holds the mutex. Both are alive whenever
// the other waits, so nobody may take over: acquired or timeout, never
// owner_dead, and the count is exact.
template <class Lock>
void live_owners_count() {
  Lock m;
  S::cell<int> count(0);
  thread plain([&] {
    WEAVE_CHECK(m.lock() == lock_status::acquired);
    count.write() += 1;  // a data race unless the lock orders it
    m.unlock();
  });
  thread timed([&] {
    const lock_status st = m.try_lock_for(std::chrono::milliseconds(10));
    WEAVE_CHECK(st == lock_status::acquired || st == lock_status::timeout);
    if (st == lock_status::acquired) {
      count.write() += 10;
      m.unlock();
    }
  });
  plain.join();
  timed.join();
  WEAVE_CHECK(m.lock() == lock_status::acquired);
  WEAVE_CHECK(count.read() == 1 || count.read() == 11);
  m.unlock();
}

// Twin 1: the real robust mutex on a policy whose S::alive always says "dead":
// a waiter whose timed wait ends takes the mutex from its live owner.
struct liveness_blind_sync : weave::model_sync {
  static bool alive(std::uint32_t) noexcept { return false; }
};
using liveness_blind_mutex = weave::basic_robust_mutex<liveness_blind_sync>;

// Twin 2: an owner-tid lock whose takeover (after a correct liveness check)
// reports acquired: nothing tells the next holder the data are half-updated.
struct unmarked_takeover_lock {
  S::atomic<u32> word{0};  // 0 free, else the holder's S::self()
  lock_status lock() {
    const u32 me = S::self();
    u32 v = 0;
    for (;;) {
      if (v == 0) {
        // acquire: pairs with the release exchange in unlock().
        if (word.compare_exchange_strong(v, me, std::memory_order_acquire, rlx)) return lock_status::acquired;
        continue;
      }
      if (S::wait_unless_dead(word, v, S::forever, v) == weave::wait_result::timed_out && !S::alive(v)) {
        // acquire: pairs with nothing (the owner died); the death orders its writes.
        if (word.compare_exchange_strong(v, me, std::memory_order_acquire, rlx))
          return lock_status::acquired;  // the bug: should be owner_dead
        continue;
      }
      v = word.load(rlx);  // relaxed: a hint; the CAS acquires
    }
  }
  void consistent() {}
  void unlock() {
    word.store(0, std::memory_order_release);  // pairs with the acquire CAS in lock()
    S::wake_all(word);
  }
};

}  // namespace

WEAVE_MODEL_CHECK(robust_mutex_owner_dead_then_repaired, pass, .primitives = weave::model::transparent) { owner_dies_then_next_repairs<weave::model::robust_mutex>(); }

WEAVE_MODEL_CHECK(robust_mutex_owner_dies_while_waiter_parked, pass, .primitives = weave::model::transparent) { owner_dies_under_parked_waiters<weave::model::robust_mutex>(1); }

WEAVE_MODEL_CHECK(robust_mutex_owner_dies_under_two_waiters, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .spurious_wakeups = 0) { owner_dies_under_parked_waiters<weave::model::robust_mutex>(2); }

WEAVE_MODEL_CHECK(robust_mutex_unlock_without_consistent_not_recoverable, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) { unlock_without_consistent_breaks_it(); }

WEAVE_MODEL_CHECK(robust_mutex_live_owner_no_false_takeover, pass, .primitives = weave::model::transparent) { live_owners_count<weave::model::robust_mutex>(); }

WEAVE_MODEL_CHECK(robust_mutex_twin_takeover_without_liveness_check, check_failed, .primitives = weave::model::transparent) { live_owners_count<liveness_blind_mutex>(); }

WEAVE_MODEL_CHECK(robust_mutex_twin_takeover_reports_acquired, check_failed, .primitives = weave::model::transparent) { owner_dies_under_parked_waiters<unmarked_takeover_lock>(1); }
