// weave::mutex under the checker: mutual exclusion with 2 and 3 threads
// (exhaustive, time-outs and spurious wake-ups explored), a timed lock, and the
// buggy twins every check needs: a check-then-set lock and a two-state futex
// lock that loses a wake-up (Drepper's "mutex, take 1" mistake done wrong).
// A third twin only weak memory shows: Drepper's three-state mutex whose
// unlock is a relaxed exchange, so the next holder does not see the previous
// holder's writes (a lost update under RC11, invisible to interleavings).
#include <atomic>
#include <cstdint>

#include "weave/model.hpp"
#include "weave/mutex.hpp"

namespace {

using weave::model::thread;
using S = weave::model_sync;
template <class T>
using atomic = S::atomic<T>;

// The shared test body: n threads each add 1 to a plain cell under the lock.
template <class Lock>
void counter_under(Lock& m, int n) {
  S::cell<int> count(0);
  std::vector<thread> ts;
  for (int i = 0; i < n; ++i)
    ts.emplace_back([&] {
      m.lock();
      count.write() += 1;  // a data race unless the lock orders it
      m.unlock();
    });
  for (auto& t : ts) t.join();
  WEAVE_CHECK(count.read() == n);
}

// Buggy twin 1: check-then-set. Two threads both see "free" and both enter.
struct check_then_set_lock {
  atomic<std::uint32_t> held{0};
  void lock() {
    while (held.load(std::memory_order_acquire) != 0) S::spin();
    held.store(1, std::memory_order_relaxed);  // the check and the set are two steps
  }
  void unlock() { held.store(0, std::memory_order_release); }
};

// Buggy twin 2: a two-state futex lock whose unlock wakes only when it saw a
// sleeper flag it never sets. A thread that parks is never woken.
struct lost_wakeup_lock {
  atomic<std::uint32_t> state{0};  // 0 free, 1 held
  void lock() {
    std::uint32_t c = 0;
    while (!state.compare_exchange_strong(c, 1, std::memory_order_acquire, std::memory_order_relaxed)) {
      S::wait(state, 1);  // sleeps while held...
      c = 0;
    }
  }
  void unlock() {
    // ...but unlock believes nobody sleeps unless the state says 2, which no
    // one ever writes: the sleeper is never woken.
    if (state.exchange(0, std::memory_order_release) == 2) S::wake_one(state);
  }
};

// Ulrich Drepper, "Futexes Are Tricky", mutex take 3 (weave::mutex without its
// spin), with the unlock's memory order a parameter: release is the correct
// mutex, relaxed is the weak-memory twin.
template <std::memory_order Unlock>
struct drepper_mutex {
  atomic<std::uint32_t> state{0};  // 0 unlocked, 1 locked, 2 locked with sleepers
  void lock() {
    std::uint32_t c = 0;
    // acquire: pairs with the exchange in unlock() (Unlock).
    if (state.compare_exchange_strong(c, 1, std::memory_order_acquire, std::memory_order_relaxed)) return;
    // acquire: pairs with the exchange in unlock(); announce a sleeper (2).
    if (c != 2) c = state.exchange(2, std::memory_order_acquire);
    while (c != 0) {
      S::wait(state, 2);  // parks only while the word is 2: unlock() will wake
      // acquire: pairs with the exchange in unlock().
      c = state.exchange(2, std::memory_order_acquire);
    }
  }
  void unlock() {
    // Unlock = release: pairs with the acquire CAS/exchange of the next locker.
    // Unlock = relaxed (the twin's BUG): pairs with nothing, so the next holder
    // may still see the counter as it was before this critical section.
    if (state.exchange(0, Unlock) == 2) S::wake_one(state);
  }
};

// Two threads each add 1 to a counter under the lock with a relaxed load and a
// relaxed store: an atomic, so no cell race, and only the lock orders the two
// critical sections. A lost update is a failed check.
template <class Lock>
void relaxed_counter_under(Lock& m) {
  atomic<int> count(0);
  auto add = [&] {
    m.lock();
    // relaxed, both: the lock's acquire/release is what orders them.
    count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    m.unlock();
  };
  thread a(add), b(add);
  a.join();
  b.join();
  WEAVE_CHECK(count.load(std::memory_order_relaxed) == 2);  // relaxed: after the joins
}

}  // namespace

WEAVE_MODEL_CHECK(mutex_two_threads, pass, .primitives = weave::model::transparent) {
  weave::model::mutex m;
  counter_under(m, 2);
}

WEAVE_MODEL_CHECK(mutex_three_threads, pass, .primitives = weave::model::transparent, .spurious_wakeups = 0) {
  weave::model::mutex m;
  counter_under(m, 3);
}

// A timed lock that may time out while another thread holds the mutex: either
// it gets the lock (and the count shows it) or it times out and the mutex is
// still usable afterwards.
WEAVE_MODEL_CHECK(mutex_timed_lock, pass, .primitives = weave::model::transparent) {
  weave::model::mutex m;
  S::cell<int> count(0);
  thread holder([&] {
    m.lock();
    count.write() += 1;
    m.unlock();
  });
  thread timed([&] {
    if (m.try_lock_for(std::chrono::milliseconds(10))) {
      count.write() += 10;
      m.unlock();
    }
  });
  holder.join();
  timed.join();
  m.lock();  // still usable whatever happened
  WEAVE_CHECK(count.read() == 1 || count.read() == 11);
  m.unlock();
}

// The std adapters and cross-thread unlock (allowed, like Python's Lock).
WEAVE_MODEL_CHECK(mutex_cross_thread_unlock, pass, .primitives = weave::model::transparent) {
  weave::model::mutex m;
  atomic<std::uint32_t> locked(0);
  m.lock();
  thread other([&] { m.unlock(); });
  other.join();
  WEAVE_CHECK(m.try_lock());
  m.unlock();
  (void)locked;
}

WEAVE_MODEL_CHECK(mutex_unlock_unlocked_is_usage_error, usage_error, .primitives = weave::model::transparent) {
  weave::model::mutex m;
  m.lock();
  m.unlock();
  m.unlock();
}

WEAVE_MODEL_CHECK(mutex_twin_check_then_set, data_race, .primitives = weave::model::transparent) {
  check_then_set_lock m;
  counter_under(m, 2);
}

WEAVE_MODEL_CHECK(mutex_twin_lost_wakeup, deadlock, .primitives = weave::model::transparent) {
  lost_wakeup_lock m;
  counter_under(m, 2);
}

// The weak-memory twin's correct counterpart: the same mutex and counter with a
// release unlock pass under RC11.
WEAVE_MODEL_CHECK(mutex_drepper_release_unlock_relaxed_counter, pass, .primitives = weave::model::transparent) {
  drepper_mutex<std::memory_order_release> m;
  relaxed_counter_under(m);
}

// The twin: unlock as a relaxed exchange. The second locker's CAS reads the 0
// the first one wrote but does not synchronize with it, so its relaxed load may
// read the counter's initial 0: both store 1. Under --memory-model sc every
// load reads the latest store and this check passes: only weak memory finds it.
WEAVE_MODEL_CHECK(mutex_twin_relaxed_unlock, check_failed, .primitives = weave::model::transparent) {
  drepper_mutex<std::memory_order_relaxed> m;
  relaxed_counter_under(m);
}
