// Hand-written spin loops: Dekker's and Peterson's mutual exclusion, a
// test-and-set and a test-and-test-and-set spinlock, a ticket lock, an MCS
// queue lock, a test-and-set lock with a deadline and a sense-reversing
// barrier. Each waits in a loop that calls S::spin(); the checker parks such
// a loop until something it read since its previous spin is written with a
// new value (the await rule), or, if it read the clock, lets time pass for it
// (the clock rule). So a loop that exits on hardware is never reported as a
// deadlock or a livelock, and a loop nothing will ever release is reported as
// a deadlock (classic_spin_tas_twin_error_path_keeps_lock).
//
// Sources of the algorithms: Dekker (as told by Dijkstra, 1965), Peterson
// ("Myths about the mutual exclusion problem", 1981), the ticket lock and the
// MCS lock (Mellor-Crummey and Scott, "Algorithms for scalable synchronization
// on shared-memory multiprocessors", 1991), the sense-reversing barrier (the
// same paper, after Hensgen, Finkel and Manber).
#include <chrono>
#include <vector>

#include "weave/model.hpp"

namespace {
using weave::model::thread;
using S = weave::model_sync;
template <class T>
using atomic = S::atomic<T>;
template <class T>
using cell = S::cell<T>;
constexpr auto rlx = std::memory_order_relaxed;
constexpr auto acq = std::memory_order_acquire;
constexpr auto rel = std::memory_order_release;
constexpr auto sc = std::memory_order_seq_cst;

// Runs `critical(i)` in `n` model threads (the body is thread 0) and checks
// that the critical sections' increments of a plain cell all count.
template <class Lock>
void count_under(Lock& lock, int n) {
  cell<int> count(0);
  auto body = [&](int me) {
    lock.lock(me);
    count.write() += 1;
    lock.unlock(me);
  };
  std::vector<thread> ts;
  for (int i = 1; i < n; ++i) ts.emplace_back([&body, i] { body(i); });
  body(0);
  for (auto& t : ts) t.join();
  WEAVE_CHECK(count.read() == n);
}

// Two threads add to a plain cell under `lock`; T1 then finds a bad input
// and returns early. KeepsLock: its early return forgets the unlock (the twin).
template <bool KeepsLock, class Lock>
void error_path(Lock& lock) {
  cell<int> count(0);
  thread t([&] {
    lock.lock(1);
    count.write() += 1;
    if (!KeepsLock) lock.unlock(1);  // the error path: unlock, then return
  });
  lock.lock(0);
  count.write() += 1;
  lock.unlock(0);
  t.join();
  WEAVE_CHECK(count.read() == 2);
}

// Dekker: relaxed flags, a seq_cst fence between raising one's flag and
// reading the other's (the store-load order SC needs), the turn to back off.
struct dekker {
  atomic<int> flag[2] = {atomic<int>(0), atomic<int>(0)};
  atomic<int> turn{0};
  void lock(int me) {
    const int other = 1 - me;
    flag[me].store(1, rlx);
    S::fence(sc);  // pairs with the other's fence: at least one sees the other's flag
    while (flag[other].load(rlx) == 1) {
      if (turn.load(rlx) != me) {
        flag[me].store(0, rlx);
        while (turn.load(rlx) != me) S::spin();
        flag[me].store(1, rlx);
        S::fence(sc);  // as above
      } else {
        S::spin();
      }
    }
    S::fence(acq);  // pairs with the other's release in unlock: its critical section happened before
  }
  void unlock(int me) {
    turn.store(1 - me, rlx);  // relaxed: the release store below publishes it
    flag[me].store(0, rel);   // pairs with the acquire fence in lock
  }
};

// Peterson: every access seq_cst (a store then a load of another location
// needs SC; acquire/release alone lets both threads in).
struct peterson {
  atomic<int> flag[2] = {atomic<int>(0), atomic<int>(0)};
  atomic<int> victim{0};
  void lock(int me) {
    const int other = 1 - me;
    flag[me].store(1, sc);
    victim.store(me, sc);
    while (flag[other].load(sc) == 1 && victim.load(sc) == me) S::spin();
  }
  void unlock(int me) { flag[me].store(0, sc); }  // seq_cst: pairs with the other's loads in lock
};

// Test-and-set: the simplest spinlock, an exchange in a loop. While the lock
// is held each exchange writes back the 1 it read: it changes nothing, so the
// loop waits (the await rule) until the unlock writes 0.
template <bool RelaxedLock>
struct tas {
  atomic<int> locked{0};
  void lock(int) {
    while (locked.exchange(1, RelaxedLock ? rlx : acq) != 0) S::spin();  // pairs with the release in unlock
  }
  void unlock(int) { locked.store(0, rel); }  // pairs with the exchange's acquire (the twin drops it)
};

// Test-and-test-and-set: spin on a plain load, try the exchange when it looks free.
template <bool RelaxedUnlock>
struct ttas {
  atomic<int> locked{0};
  void lock(int) {
    while (locked.exchange(1, acq) != 0)  // pairs with the release in unlock
      while (locked.load(rlx) != 0) S::spin();  // relaxed: only a hint; the exchange acquires
  }
  void unlock(int) { locked.store(0, RelaxedUnlock ? rlx : rel); }  // the twin drops the release
};

// Ticket lock: take a number, wait until it is served.
struct ticket {
  atomic<int> next{0};
  atomic<int> serving{0};
  void lock(int) {
    const int mine = next.fetch_add(1, rlx);  // relaxed: the number only orders the queue
    while (serving.load(acq) != mine) S::spin();  // pairs with the release in unlock
  }
  void unlock(int) {
    serving.store(serving.load(rlx) + 1, rel);  // relaxed load: only the holder writes serving
  }
};

// MCS: a queue of per-thread nodes; each waiter spins on its own node.
struct mcs {
  struct node {
    atomic<node*> next{nullptr};
    atomic<int> locked{0};
  };
  atomic<node*> tail{nullptr};
  node nodes[3];
  void lock(int me) {
    node& n = nodes[me];
    n.next.store(nullptr, rlx);  // relaxed: published by the exchange's release
    n.locked.store(1, rlx);
    node* prev = tail.exchange(&n, std::memory_order_acq_rel);  // pairs with unlock's CAS and other exchanges
    if (prev == nullptr) return;
    prev->next.store(&n, rel);  // pairs with the acquire load of next in unlock
    while (n.locked.load(acq) != 0) S::spin();  // pairs with the release hand-over in unlock
  }
  void unlock(int me) {
    node& n = nodes[me];
    node* succ = n.next.load(acq);  // pairs with the successor's release store of next
    if (succ == nullptr) {
      node* expected = &n;
      if (tail.compare_exchange_strong(expected, nullptr, rel, rlx)) return;  // pairs with the next exchange
      while ((succ = n.next.load(acq)) == nullptr) S::spin();  // the successor is linking itself in
    }
    succ->locked.store(0, rel);  // pairs with the successor's acquire spin
  }
};

// A test-and-set lock with a deadline: try_lock_for spins until it takes
// the lock or its time is up (the shape of std::timed_mutex::try_lock_for).
// The spin reads the clock, so where nothing it read changes, time passes for
// it (the clock rule): the checker explores both "the holder let go in time"
// and "the deadline passed first".
struct timed_tas {
  atomic<int> held{0};
  bool try_lock_for(S::clock::duration d) {
    const auto deadline = S::clock::now() + d;
    for (;;) {
      if (held.exchange(1, acq) == 0) return true;  // pairs with the release in unlock
      if (S::clock::now() >= deadline) return false;
      S::spin();
    }
  }
  void unlock() { held.store(0, rel); }  // pairs with the acquire exchange in try_lock_for
};

// Two threads each try for 1 ms and count only if they got the lock.
// IgnoreTimeout: the twin's caller goes into the critical section anyway.
template <bool IgnoreTimeout>
void timed_count() {
  timed_tas l;
  cell<int> count(0);
  atomic<int> got(0);
  auto body = [&] {
    const bool mine = l.try_lock_for(std::chrono::milliseconds(1));
    if (mine || IgnoreTimeout) count.write() += 1;
    if (mine) {
      got.fetch_add(1, rlx);  // relaxed: read after the joins
      l.unlock();
    }
  };
  thread t(body);
  body();
  t.join();
  WEAVE_CHECK(count.read() == got.load(rlx));
}

// Sense-reversing barrier. INVARIANT: a party arrives while the count is in
// 1..parties (the last arriver resets it before it releases the others).
template <bool ResetAfterFlip>
struct sense_barrier {
  explicit sense_barrier(int n) : parties(n), count(n) {}
  const int parties;
  atomic<int> count;
  atomic<int> sense{0};
  void wait(int& local_sense) {
    local_sense = 1 - local_sense;
    const int before = count.fetch_sub(1, std::memory_order_acq_rel);  // pairs with the other arrivals
    S::check(before >= 1 && before <= parties, "sense_barrier: a party arrives while the count is in 1..parties");
    if (before == 1) {
      if (!ResetAfterFlip) count.store(parties, rlx);  // relaxed: published by the release of sense
      sense.store(local_sense, rel);                   // pairs with the waiters' acquire loads
      if (ResetAfterFlip) count.store(parties, rlx);   // the twin: a released party may arrive first
    } else {
      while (sense.load(acq) != local_sense) S::spin();
    }
  }
};

template <bool ResetAfterFlip>
void two_phases() {
  sense_barrier<ResetAfterFlip> b(2);
  cell<int> slot[2] = {cell<int>(0), cell<int>(0)};
  auto party = [&](int me) {
    int local = 0;
    slot[me].write() = 1;
    b.wait(local);
    WEAVE_CHECK(slot[1 - me].read() >= 1);  // phase 1 is over for both
    b.wait(local);
    slot[me].write() = 2;
    b.wait(local);
    WEAVE_CHECK(slot[1 - me].read() == 2);  // phase 2 is over for both
  };
  thread t([&] { party(1); });
  party(0);
  t.join();
}

}  // namespace

WEAVE_MODEL_CHECK(classic_spin_dekker, pass) {
  dekker l;
  count_under(l, 2);
}

WEAVE_MODEL_CHECK(classic_spin_peterson, pass) {
  peterson l;
  count_under(l, 2);
}

WEAVE_MODEL_CHECK(classic_spin_tas_three_threads, pass) {
  tas<false> l;
  count_under(l, 3);
}

// Buggy: the exchange that takes the lock is relaxed, so it does not acquire
// what the last holder released: the counter is a data race.
WEAVE_MODEL_CHECK(classic_spin_tas_twin_relaxed_lock, data_race) {
  tas<true> l;
  count_under(l, 2);
}

// A holder's early return unlocks too (`with lock:` in Python does it for you).
WEAVE_MODEL_CHECK(classic_spin_tas_error_path_unlocks, pass) {
  tas<false> l;
  error_path<false>(l);
}

// Buggy: the early return keeps the lock. On hardware the other thread spins
// for ever, a core at 100% and no error; here its loop parks (the await rule)
// and, with no thread left to write the lock, the check ends in a DEADLOCK.
WEAVE_MODEL_CHECK(classic_spin_tas_twin_error_path_keeps_lock, deadlock) {
  tas<false> l;
  error_path<true>(l);
}

WEAVE_MODEL_CHECK(classic_spin_ttas_two_threads, pass) {
  ttas<false> l;
  count_under(l, 2);
}

WEAVE_MODEL_CHECK(classic_spin_ttas_three_threads, pass) {
  ttas<false> l;
  count_under(l, 3);
}

// Buggy: the unlock is relaxed, so the next holder's critical section is not
// ordered after this one's: the counter is a data race.
WEAVE_MODEL_CHECK(classic_spin_ttas_twin_relaxed_unlock, data_race) {
  ttas<true> l;
  count_under(l, 2);
}

WEAVE_MODEL_CHECK(classic_spin_ticket_three_threads, pass) {
  ticket l;
  count_under(l, 3);
}

WEAVE_MODEL_CHECK(classic_spin_mcs_three_threads, pass) {
  mcs l;
  count_under(l, 3);
}

WEAVE_MODEL_CHECK(classic_spin_sense_barrier_two_phases, pass) { two_phases<false>(); }

// Buggy: the last arriver resets the count after releasing the others, so a
// released party can arrive at the next phase while the count is still 0.
WEAVE_MODEL_CHECK(classic_spin_sense_barrier_twin_late_reset, check_failed) { two_phases<true>(); }

WEAVE_MODEL_CHECK(classic_spin_timed_lock, pass) { timed_count<false>(); }

// Buggy: the caller ignores try_lock_for's false and goes into the critical
// section while the other thread holds the lock: the counter is a data race.
WEAVE_MODEL_CHECK(classic_spin_timed_lock_twin_ignores_timeout, data_race) { timed_count<true>(); }
