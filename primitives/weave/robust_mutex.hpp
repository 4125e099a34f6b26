// weave/robust_mutex.hpp — weave::robust_mutex, a mutex for shared memory that
// survives the death of its owner.
//
// Mirrors the robust-mutex contract of POSIX (pthread_mutexattr_setrobust,
// EOWNERDEAD, pthread_mutex_consistent, ENOTRECOVERABLE); there is no std item.
// Where weave::mutex (4 bytes, Drepper's futex mutex) hangs forever if its
// holder's process dies, this mutex records its owner and gives the next
// locker lock_status::owner_dead: it now holds the mutex, the protected data
// may be half-updated; it repairs them and calls consistent(). If it unlocks
// without consistent(), the mutex becomes not recoverable: every later lock
// returns lock_status::not_recoverable (as ENOTRECOVERABLE).
//
// Differences from Python: Python has no robust lock (a multiprocessing.Lock
// whose holder dies stays locked, and its waiters hang), so the contract is
// POSIX's. Timed locking is try_lock_for only; a timeout too large to
// represent waits forever (saturating), a negative one is one try.
//
// Algorithm: the word layout of the kernel's robust futexes (owner tid in the
// low 30 bits, a waiters bit), with Drepper's "take 3" discipline for the
// waiters bit; but instead of the kernel's robust list (which glibc owns), a
// waiter parks with S::wait_unless_dead(word, v, deadline, owner): a futex wait
// that also ends (timed_out) once the owner it saw is dead. When it ends so and
// the word still names that owner, the waiter asks S::alive(owner) and, if the
// owner is dead, takes the mutex over with a CAS from the dead owner's word.
//
// How death is seen: on hardware (real_sync) the wait sleeps in liveness slices
// of 100 ms and asks /proc at each slice end whether the owner's task still
// lives (weave/detail/process.hpp); S::self() is the kernel tid, unique across
// processes. Caveat: tids are recycled; a tid reused before any waiter looks
// (within a slice) hides a death, as with any tid-based scheme. In the model
// (model_sync) a thread dies by returning from its function: one that returns
// while holding the mutex died holding it. The checker lets the owner's waiters
// time out from that step on (and at their deadlines, as any timed wait), and
// explores S::alive on both sides of the death. Seeing a death orders the dead
// thread's writes before the observer (as a join would), which is what the
// owner_dead contract promises: the repairer sees the half-done update. The
// model checks are in models/checks/robust_mutex.cpp.
// ThreadSanitizer reports a lock taken over from a dead thread as a double lock
// (its lock annotations cannot express a takeover), so the owner-death tests do
// not run under TSan.
//
// word_ (futex word):
//   0                 free
//   tid               held by tid, nobody parked
//   tid | waiters     held by tid, threads may be parked (or were)
// state_:
//   0 consistent      the normal state
//   1 inconsistent    an owner died holding the mutex; the current holder got
//                     owner_dead and has not called consistent() yet
//   2 not_recoverable unlocked while inconsistent; terminal
//
// Invariants:
//   R1  a thread holds the mutex iff its own CAS put its tid in word_ (from 0,
//       or from a dead owner's tid: the takeover); one holder at a time. A
//       takeover happens only after S::alive(owner) said dead, for the very
//       word the CAS replaces: a live owner is never robbed.
//   R2  a thread parks only on a word with the waiters bit set, so the holder's
//       unlock sees the bit and wakes (no lost wake-up); a thread that parked
//       keeps the bit set when it acquires (it cannot know who else sleeps).
//   R3  a takeover sets state_ to inconsistent before returning owner_dead; any
//       acquisition that finds state_ inconsistent returns owner_dead too (the
//       previous repairer died as well).
//   R4  unlock by a thread that does not hold the mutex is a usage error and
//       changes nothing.
//   R5  a parked thread's wait ends by a wake (R2), a spurious return, its
//       deadline, or its owner's death; only the last two return timed_out, and
//       only then is the owner's liveness asked (S::alive is not free: /proc).
#pragma once

#include <chrono>
#include <cstdint>
#include <type_traits>

#include "weave/error.hpp"
#include "weave/sync.hpp"

namespace weave {

/// What a robust lock reports.
enum class lock_status : std::uint8_t { acquired, owner_dead, timeout, not_recoverable };

inline const char* to_string(lock_status s) noexcept {
  switch (s) {
    case lock_status::acquired: return "acquired";
    case lock_status::owner_dead: return "owner_dead";
    case lock_status::timeout: return "timeout";
    case lock_status::not_recoverable: return "not_recoverable";
  }
  return "?";
}

template <class S = real_sync>
class basic_robust_mutex {
  static_assert(sync_policy<S>);
  using u32 = std::uint32_t;

 public:
  /// name: what the model checker's traces call it (nothing on hardware).
  basic_robust_mutex() noexcept : basic_robust_mutex(nullptr) {}  // not explicit: an aggregate may hold one
  explicit basic_robust_mutex(const char* name) noexcept : obj_{this, "robust_mutex", name} {
    S::mutex_create(this, lock_flag::none);
  }
  ~basic_robust_mutex() { S::mutex_destroy(this, lock_flag::none); }
  basic_robust_mutex(const basic_robust_mutex&) = delete;
  basic_robust_mutex& operator=(const basic_robust_mutex&) = delete;

  /// Blocks until acquired (acquired or owner_dead: the caller holds the mutex)
  /// or the mutex is not recoverable (the caller does not hold it).
  [[nodiscard]] lock_status lock(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("lock", loc);
    return lock_until(S::forever, false, call);
  }

  /// One attempt: acquired, not_recoverable, or timeout if held; it does not
  /// wait, so it never asks whether the holder lives (a timed lock asks, at its
  /// deadline at the latest).
  [[nodiscard]] lock_status try_lock(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_lock", loc);
    call.reads_decide();  // "held" may be what a read of word_ saw (sync.hpp)
    return lock_until(S::clock::now(), true, call);
  }

  template <class Rep, class Period>
  [[nodiscard]] lock_status try_lock_for(const std::chrono::duration<Rep, Period>& t,
                                         source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_lock_for", loc);
    call.reads_decide();  // at its deadline, "held" may be what a read of word_ saw (sync.hpp)
    return lock_until(deadline_after<S>(t), true, call);
  }

  /// After owner_dead: the protected data are repaired; the mutex is normal again.
  void consistent(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("consistent", loc);
    // relaxed: the caller's own tid and the state it set itself.
    if ((word_.load(std::memory_order_relaxed) & tid_mask) != me() ||
        state_.load(std::memory_order_relaxed) != inconsistent)
      throw_usage_error("weave::robust_mutex", "consistent() by a thread that did not get owner_dead");
    // relaxed: published by the release exchange in unlock().
    state_.store(consistent_state, std::memory_order_relaxed);
  }

  void unlock(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("unlock", loc);
    // relaxed: only our own CAS can have stored our tid (R1).
    if ((word_.load(std::memory_order_relaxed) & tid_mask) != me())
      throw_usage_error("weave::robust_mutex", "unlock by a thread that does not hold the mutex");  // R4
    S::mutex_pre_unlock(this, lock_flag::none);
    bool broken = false;
    // relaxed: we hold the mutex; published by the release exchange below.
    if (state_.load(std::memory_order_relaxed) == inconsistent) {
      state_.store(not_recoverable_state, std::memory_order_relaxed);
      broken = true;
    }
    // seq_cst: the linearization point, in one order with every primitive's
    // calls (sync.hpp, Python's order); as release it pairs with the next
    // locker's CAS (R1).
    const u32 prev = word_.exchange(0, std::memory_order_seq_cst);
    S::mutex_post_unlock(this, lock_flag::none);
    if (prev & waiters) {
      if (broken) S::wake_all(word_, scope::process_shared);  // all of them get not_recoverable
      else S::wake_one(word_, scope::process_shared);         // R2
    }
  }

  /// Snapshots, for tests and assertions only.
  bool is_locked(source_location loc = source_location::current()) const noexcept {
    [[maybe_unused]] const auto call = obj_.enter("is_locked", loc);
    // relaxed: a snapshot that orders nothing.
    return (word_.load(std::memory_order_relaxed) & tid_mask) != 0;
  }
  bool is_consistent(source_location loc = source_location::current()) const noexcept {
    [[maybe_unused]] const auto call = obj_.enter("is_consistent", loc);
    // relaxed: a snapshot.
    return state_.load(std::memory_order_relaxed) == consistent_state;
  }

 private:
  static constexpr u32 tid_mask = 0x3fffffffu;  // as the kernel's FUTEX_TID_MASK
  static constexpr u32 waiters = 0x80000000u;   // as FUTEX_WAITERS
  static constexpr u32 consistent_state = 0, inconsistent = 1, not_recoverable_state = 2;

  static u32 me() noexcept { return static_cast<u32>(S::self()) & tid_mask; }

  // After our CAS put our tid in word_: report what we acquired (R3).
  lock_status acquired_now(unsigned flags) {
    // seq_cst: it decides what lock returns (sync.hpp); as acquire it pairs
    // with unlock()'s exchange (state_ written before it).
    const u32 st = state_.load(std::memory_order_seq_cst);
    if (st == not_recoverable_state) {
      // Not ours to use: give it back (waking anyone parked) and report.
      // seq_cst, as in unlock(); pairs with the next locker's CAS.
      const u32 prev = word_.exchange(0, std::memory_order_seq_cst);
      if (prev & waiters) S::wake_all(word_, scope::process_shared);
      S::mutex_post_lock(this, flags | lock_flag::try_lock | lock_flag::try_lock_failed);
      return lock_status::not_recoverable;
    }
    S::mutex_post_lock(this, flags);
    return st == inconsistent ? lock_status::owner_dead : lock_status::acquired;
  }

  lock_status lock_until(typename S::clock::time_point deadline, bool timed, const typename S::object::call& call) {
    const unsigned flags = timed ? lock_flag::try_lock : lock_flag::none;
    S::mutex_pre_lock(this, flags);
    const u32 tid = me();
    u32 v = 0;
    // seq_cst: the linearization point, and on failure a read of the word
    // that may decide "held" for try_lock (sync.hpp, Python's order: every
    // read of word_ below is seq_cst for that reason); as acquire it pairs
    // with unlock()'s exchange (R1).
    if (word_.compare_exchange_strong(v, tid, std::memory_order_seq_cst, std::memory_order_seq_cst))
      return acquired_now(flags);
    bool parked = false;
    int spins = 0;
    for (;;) {
      // seq_cst: it decides (sync.hpp); as acquire, a not_recoverable state
      // written before an unlock we saw.
      if (state_.load(std::memory_order_seq_cst) == not_recoverable_state) {
        S::mutex_post_lock(this, lock_flag::try_lock | lock_flag::try_lock_failed);
        return lock_status::not_recoverable;
      }
      if ((v & tid_mask) == 0) {
        // seq_cst (see the first CAS); pairs with unlock()'s exchange (R1);
        // R2 keeps the bit.
        if (word_.compare_exchange_strong(v, tid | (parked ? waiters : (v & waiters)), std::memory_order_seq_cst,
                                          std::memory_order_seq_cst))
          return acquired_now(flags);
        continue;  // v holds the fresh value
      }
      if ((v & tid_mask) == tid) {
        // Close the annotation first: a pre_lock left open makes TSan ignore this
        // thread's synchronization from here on.
        S::mutex_post_lock(this, flags | lock_flag::try_lock | lock_flag::try_lock_failed);
        throw_usage_error("weave::robust_mutex", "lock by the thread that already holds it (not recursive)");
      }
      if (!parked && spins < S::spin_budget && !(v & waiters)) {
        ++spins;
        S::spin();
        // seq_cst: may decide "held" (see the first CAS); the CAS above acquires.
        v = word_.load(std::memory_order_seq_cst);
        continue;
      }
      if (!(v & waiters)) {
        // seq_cst: announces a sleeper (R2), and its value may decide "held"
        // (see the first CAS); the futex re-checks it.
        if (!word_.compare_exchange_strong(v, v | waiters, std::memory_order_seq_cst, std::memory_order_seq_cst))
          continue;
        v |= waiters;
      }
      if (S::clock::now() >= deadline) {
        S::mutex_post_lock(this, lock_flag::try_lock | lock_flag::try_lock_failed);
        return lock_status::timeout;
      }
      parked = true;
      call.note("the lock is held");
      const u32 owner_seen = v & tid_mask;  // nonzero and not us (both handled above)
      const wait_result r = S::wait_unless_dead(word_, v, deadline, owner_seen, scope::process_shared);  // R5
      // seq_cst: re-read (see the first CAS); the CASes acquire.
      v = word_.load(std::memory_order_seq_cst);
      if (r == wait_result::timed_out && (v & tid_mask) == owner_seen && !S::alive(owner_seen)) {
        // The owner died holding the mutex: take it over (R1, R3).
        // seq_cst: the linearization point (sync.hpp); as acquire, the dead
        // owner's writes, as far as they reached memory.
        if (word_.compare_exchange_strong(v, tid | waiters, std::memory_order_seq_cst, std::memory_order_seq_cst)) {
          // relaxed: we hold the mutex; published by our unlock's release.
          if (state_.load(std::memory_order_relaxed) == consistent_state)
            state_.store(inconsistent, std::memory_order_relaxed);
          return acquired_now(flags);
        }
        // v holds the fresh value: another waiter took over first, or the word moved.
      }
    }
  }

  typename S::template atomic<u32> word_{0};
  typename S::template atomic<u32> state_{consistent_state};
  [[no_unique_address]] typename S::object obj_;
};

using robust_mutex = basic_robust_mutex<>;
namespace model {
using robust_mutex = basic_robust_mutex<model_sync>;
}

static_assert(sizeof(robust_mutex) == 8, "weave::robust_mutex is two 32-bit words");
static_assert(std::is_standard_layout_v<robust_mutex>);

}  // namespace weave
