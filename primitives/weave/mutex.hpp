// weave/mutex.hpp — weave::mutex, a 4-byte futex mutex.
//
// Mirrors std::timed_mutex (Lockable and TimedLockable: works with
// std::lock_guard, std::unique_lock and std::scoped_lock). Behaviour follows
// Python's threading.Lock: any thread may unlock a locked mutex; unlocking a
// mutex that is not locked is an error (weave::usage_error, where Python raises
// RuntimeError).
//
// Differences from Python, and why:
//   - Lock.acquire(blocking, timeout) is split into lock / try_lock /
//     try_lock_for / try_lock_until (std's TimedLockable names, so std's lock
//     helpers work).
//   - Timeouts are std durations and time points on any clock. One too large
//     to represent waits forever (saturating; Python raises OverflowError past
//     threading.TIMEOUT_MAX); a negative timeout or a deadline in the past is
//     one try (Python raises ValueError for a negative timeout
//     other than -1).
//   - Misuse is weave::usage_error, a std::logic_error (Python: RuntimeError):
//     it is a bug in the caller, not a condition to handle.
//   - It also works between processes when placed in shared memory (Python
//     needs multiprocessing.Lock for that).
//
// Algorithm: Ulrich Drepper, "Futexes Are Tricky" (2011), mutex "take 3", with
// a short spin before parking. The word is always used with process-shared
// futex calls, so a mutex placed in shared memory works between processes.
//
// State machine of state_ (a 32-bit futex word):
//
//   value  name        meaning
//   0      unlocked    nobody holds the mutex
//   1      locked      held; no thread is parked in lock()
//   2      contended   held; threads may be parked in lock() (or were)
//
//   unlocked  --lock (CAS 0->1)------------------->  locked
//   locked    --unlock (xchg 0)------------------->  unlocked            (no wake)
//   any       --lock slow path (xchg 2)----------->  contended / acquire if it was 0
//   contended --unlock (xchg 0) + wake_one-------->  unlocked
//
// Invariants:
//   I1  a thread returns from lock()/successful try_lock*() only after its own
//       RMW changed state_ from 0 (unlocked) to nonzero: one holder at a time.
//   I2  a thread parks (S::wait) only with expected value 2, so it sleeps only
//       while the holder will see 2 on unlock and wake someone (no lost wake-up).
//   I3  a thread that leaves the slow path holding the mutex leaves state_ == 2
//       (it cannot know whether others still sleep), so their wake-up is not lost;
//       the cost is at most one unneeded wake later.
//   I4  unlock() of an unlocked mutex writes 0 over 0 (harmless) and throws.
#pragma once

#include <chrono>
#include <cstdint>

#include "weave/error.hpp"
#include "weave/sync.hpp"

namespace weave {

template <class S = real_sync>
class basic_mutex {
  static_assert(sync_policy<S>);

 public:
  /// name: what the model checker's traces call it (nothing on hardware).
  basic_mutex() noexcept : basic_mutex(nullptr) {}  // not explicit: an aggregate may hold one
  explicit basic_mutex(const char* name) noexcept : obj_{this, "mutex", name} {
    S::mutex_create(this, lock_flag::none);
  }
  ~basic_mutex() { S::mutex_destroy(this, lock_flag::none); }
  basic_mutex(const basic_mutex&) = delete;
  basic_mutex& operator=(const basic_mutex&) = delete;

  void lock(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("lock", loc);
    S::mutex_pre_lock(this, lock_flag::none);
    std::uint32_t c = unlocked;
    // seq_cst: the call's linearization point, in one order with every
    // primitive's calls (sync.hpp, Python's order); as acquire it pairs with
    // unlock()'s exchange (I1). relaxed on failure: the slow path decides.
    if (!state_.compare_exchange_strong(c, locked, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) [[unlikely]] {
      call.note("the lock is held");
      lock_slow(c, S::forever);
    }
    S::mutex_post_lock(this, lock_flag::none);
  }

  bool try_lock(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_lock", loc);
    call.reads_decide();  // "held" is what the CAS read (sync.hpp)
    S::mutex_pre_lock(this, lock_flag::try_lock);
    std::uint32_t c = unlocked;
    // seq_cst both ways: success is the linearization point and failure the
    // read that decides "held" (sync.hpp, Python's order); as acquire it pairs
    // with unlock()'s exchange.
    const bool ok = state_.compare_exchange_strong(c, locked, std::memory_order_seq_cst,
                                                   std::memory_order_seq_cst);
    S::mutex_post_lock(this, ok ? lock_flag::try_lock : lock_flag::try_lock | lock_flag::try_lock_failed);
    call.returns(ok);
    return ok;
  }

  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout,
                    source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_lock_for", loc);
    call.arg(timeout);
    return try_lock_until_deadline(deadline_after<S>(timeout), call);
  }

  template <class Clock, class Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& t,
                      source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_lock_until", loc);
    return try_lock_until_deadline(to_deadline<S>(t), call);
  }

  void unlock(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("unlock", loc);
    S::mutex_pre_unlock(this, lock_flag::none);
    // seq_cst: the linearization point (sync.hpp, Python's order); as release
    // it pairs with the next locker's CAS/exchange (I1).
    const std::uint32_t prev = state_.exchange(unlocked, std::memory_order_seq_cst);
    S::mutex_post_unlock(this, lock_flag::none);
    if (prev == unlocked) [[unlikely]] {
      throw_usage_error("weave::mutex", "unlock of a mutex that is not locked");  // I4
    }
    if (prev == contended) S::wake_one(state_, scope::process_shared);  // I2
  }

  /// A snapshot, for tests and assertions only.
  bool is_locked(source_location loc = source_location::current()) const noexcept {
    [[maybe_unused]] const auto call = obj_.enter("is_locked", loc);
    // relaxed: a snapshot that orders nothing.
    return state_.load(std::memory_order_relaxed) != unlocked;
  }

 private:
  static constexpr std::uint32_t unlocked = 0, locked = 1, contended = 2;

  using call_type = typename S::object::call;

  bool try_lock_until_deadline(typename S::clock::time_point deadline, const call_type& call) {
    S::mutex_pre_lock(this, lock_flag::try_lock);
    std::uint32_t c = unlocked;
    // seq_cst: the linearization point (sync.hpp); pairs with unlock()'s
    // exchange. relaxed on failure: the wait below decides.
    bool ok = state_.compare_exchange_strong(c, locked, std::memory_order_seq_cst,
                                             std::memory_order_relaxed);
    if (!ok) {
      call.note("the lock is held");
      ok = lock_slow(c, deadline);
    }
    S::mutex_post_lock(this, ok ? lock_flag::try_lock : lock_flag::try_lock | lock_flag::try_lock_failed);
    return ok;
  }

  // c is the value the failed fast-path CAS saw. Returns false only on timeout.
  bool lock_slow(std::uint32_t c, typename S::clock::time_point deadline) {
    // Spin briefly while the holder is running and nobody sleeps: most critical
    // sections are short, and a park/wake pair costs two system calls.
    for (int i = 0; i < S::spin_budget && c == locked; ++i) {
      S::spin();
      // relaxed: only a hint; the CAS below does the acquiring.
      c = state_.load(std::memory_order_relaxed);
      if (c == unlocked) {
        // seq_cst: the linearization point (sync.hpp); pairs with unlock()'s
        // exchange. relaxed on failure: the loop goes on.
        if (state_.compare_exchange_strong(c, locked, std::memory_order_seq_cst,
                                           std::memory_order_relaxed)) {
          return true;
        }
      }
    }
    // Park. Announce a sleeper by setting 2; if the exchange saw 0 we own it (I3).
    // seq_cst: the linearization point when it sees 0 (sync.hpp); pairs with
    // unlock()'s exchange.
    c = state_.exchange(contended, std::memory_order_seq_cst);
    while (c != unlocked) {
      if (S::wait(state_, contended, deadline, scope::process_shared) == wait_result::timed_out) {
        return false;  // state_ may stay 2 with no sleeper: one spare wake later (I3)
      }
      // seq_cst, as above.
      c = state_.exchange(contended, std::memory_order_seq_cst);
    }
    return true;
  }

  typename S::template atomic<std::uint32_t> state_{unlocked};
  [[no_unique_address]] typename S::object obj_;
};

using mutex = basic_mutex<>;
namespace model {
using mutex = basic_mutex<model_sync>;
}

static_assert(sizeof(mutex) == 4, "weave::mutex is one 32-bit futex word");
static_assert(alignof(mutex) == 4);

}  // namespace weave
