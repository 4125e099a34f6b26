// weave/recursive_mutex.hpp — weave::recursive_mutex, a re-entrant lock.
//
// Mirrors std::recursive_timed_mutex (Lockable and TimedLockable: works with
// std::lock_guard, std::unique_lock and std::scoped_lock). Behaviour follows
// Python's threading.RLock: the thread that holds it may lock it again, and it
// is released when that thread has unlocked it as many times as it locked it.
// Unlocking by a thread that does not own it, or unlocking it while nobody holds
// it, is an error (weave::usage_error, where Python raises RuntimeError
// "cannot release un-acquired lock").
//
// Differences from Python, and why:
//   - RLock.acquire(blocking, timeout) is split into lock / try_lock /
//     try_lock_for / try_lock_until, as for weave::mutex (std's names).
//   - Timeouts are std durations and time points on any clock. One too large
//     to represent waits forever (saturating; Python raises OverflowError past
//     threading.TIMEOUT_MAX); a negative timeout or a deadline in the past is
//     one try (Python raises ValueError for a negative timeout
//     other than -1).
//   - Misuse is weave::usage_error (Python: RuntimeError), and so is locking
//     past 0xffffffff levels (R3; Python's count does not overflow).
//
// Design: the classic owner + count construction (glibc's
// PTHREAD_MUTEX_RECURSIVE_NP; CPython's RLock in Lib/threading.py) on top of
// weave::basic_mutex<S>, which does all the waiting (Drepper's futex mutex,
// weave/mutex.hpp). The futex protocol is not repeated here: this class only
// adds who holds the inner mutex and how many times.
//
//   m_       basic_mutex<S>   the inner lock: held exactly while depth_ > 0
//   owner_   atomic thread id S::self() of the holder, 0 when free
//   depth_   cell<uint32_t>   how many times the owner has locked it
//
// State machine (me = S::self() of the calling thread):
//
//   state               owner_  depth_  m_
//   free                0       0       unlocked
//   held by T, depth d  T       d ≥ 1   locked
//
//   free            --lock/try_lock* by T (m_ acquired)-->  held by T, 1
//   held by T, d    --lock/try_lock* by T---------------->  held by T, d+1  (m_ untouched)
//   held by T, d>1  --unlock by T------------------------>  held by T, d-1
//   held by T, 1    --unlock by T (m_ released)---------->  free
//   held by T, d    --unlock_all by T (m_ released)------>  free, returns d
//   free            --lock_restore(d) by T (m_ acquired)->  held by T, d
//   held by T       --lock by U ≠ T---------------------->  U waits in m_ (or times out)
//   any             --unlock by U ≠ owner---------------->  usage_error, nothing changes
//
// Invariants:
//   R1  owner_ == T ≠ 0 exactly while T holds m_. T writes owner_ = T right after
//       acquiring m_ and owner_ = 0 right before releasing it, so owner_ == me
//       can only be read by the thread that wrote it (program order and
//       coherence); another thread reads 0 or some other id. That is why the
//       "do I own it?" test may be a relaxed load: the only answer that matters
//       (me) cannot come from another thread, and every other answer sends the
//       caller to m_, which does the real synchronization.
//   R2  depth_ is read and written only by the owner while it holds m_: m_'s
//       acquire/release orders every access to it (a plain cell; the model
//       checker verifies this as absence of data races).
//   R3  depth_ ≥ 1 while owned; the depth never wraps (locking past
//       0xffffffff levels is a usage_error and changes nothing).
//   R4  misuse (unlock by a non-owner, unlock_all by a non-owner, lock_restore by
//       the owner or with depth 0) throws before changing any state.
//
// Lock annotations (ThreadSanitizer, and the checker's "who holds what"): this
// object is annotated as a write-reentrant mutex of its own (created with
// lock_flag::write_reentrant), one pre_lock/post_lock per lock level and one
// pre_unlock/post_unlock per unlock level; the inner m_ (at a different address:
// owner_ comes first) keeps its own annotations. TSan's recursive_lock /
// recursive_unlock flags would let unlock_all/lock_restore annotate all levels
// at once, but they need the recursion count returned by pre_unlock and passed to
// post_lock, which the seam's hooks do not carry; unlock_all and lock_restore
// therefore annotate level by level (no-ops outside TSan and the model).
#pragma once

#include <chrono>
#include <cstdint>

#include "weave/error.hpp"
#include "weave/mutex.hpp"
#include "weave/sync.hpp"

namespace weave {

template <class S = real_sync>
class basic_recursive_mutex {
  static_assert(sync_policy<S>);
  using id_t = typename S::thread_id;

 public:
  /// name: what the model checker's traces call it (nothing on hardware).
  basic_recursive_mutex() noexcept : basic_recursive_mutex(nullptr) {}  // not explicit: an aggregate may hold one
  explicit basic_recursive_mutex(const char* name) noexcept : obj_{this, "recursive_mutex", name} {
    S::mutex_create(this, lock_flag::write_reentrant);
  }
  ~basic_recursive_mutex() { S::mutex_destroy(this, lock_flag::write_reentrant); }
  basic_recursive_mutex(const basic_recursive_mutex&) = delete;
  basic_recursive_mutex& operator=(const basic_recursive_mutex&) = delete;

  void lock(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("lock", loc);
    const id_t me = S::self();
    if (owns(me)) {
      reenter();
      return;
    }
    S::mutex_pre_lock(this, lock_flag::none);
    call.note("another thread holds the lock");
    m_.lock(loc);
    take(me, 1);
    S::mutex_post_lock(this, lock_flag::none);
  }

  bool try_lock(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_lock", loc);
    call.reads_decide();  // m_.try_lock()'s "held" (sync.hpp)
    const id_t me = S::self();
    if (owns(me)) {
      reenter();
      return true;
    }
    S::mutex_pre_lock(this, lock_flag::try_lock);
    const bool ok = m_.try_lock(loc);
    if (ok) take(me, 1);
    S::mutex_post_lock(this, ok ? lock_flag::try_lock : lock_flag::try_lock | lock_flag::try_lock_failed);
    return ok;
  }

  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout,
                    source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_lock_for", loc);
    if (owns(S::self())) {  // re-entry never waits: no deadline to compute
      reenter();
      return true;
    }
    call.note("another thread holds the lock");
    return try_lock_until_deadline(deadline_after<S>(timeout), loc);
  }

  template <class Clock, class Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& t,
                      source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_lock_until", loc);
    if (owns(S::self())) {
      reenter();
      return true;
    }
    call.note("another thread holds the lock");
    return try_lock_until_deadline(to_deadline<S>(t), loc);
  }

  void unlock(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("unlock", loc);
    require_owner(false);  // R4
    S::mutex_pre_unlock(this, lock_flag::none);
    std::uint32_t& d = depth_.write();  // R2: we hold m_
    if (--d == 0) release_inner();
    S::mutex_post_unlock(this, lock_flag::none);
  }

  /// Releases the mutex completely, whatever its depth, and returns that depth.
  /// Owner only (usage_error otherwise). The equivalent of Python's
  /// RLock._release_save(): a condition variable waiting on a recursive mutex
  /// calls it before it sleeps, and lock_restore(depth) after it wakes.
  std::uint32_t unlock_all(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("unlock_all", loc);
    require_owner(true);  // R4
    const std::uint32_t d = depth_.read();  // R2: we hold m_
    for (std::uint32_t i = 1; i < d; ++i) {  // the inner levels: annotations only
      S::mutex_pre_unlock(this, lock_flag::none);
      S::mutex_post_unlock(this, lock_flag::none);
    }
    S::mutex_pre_unlock(this, lock_flag::none);
    depth_.write() = 0;
    release_inner();
    S::mutex_post_unlock(this, lock_flag::none);
    return d;
  }

  /// Locks the mutex (waiting as lock() does) and gives it back the depth
  /// unlock_all() returned. The equivalent of Python's RLock._acquire_restore().
  /// usage_error if depth is 0 or the calling thread already owns the mutex.
  void lock_restore(std::uint32_t depth, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("lock_restore", loc);
    call.arg(depth);
    const id_t me = S::self();
    if (depth == 0) throw_usage_error("weave::recursive_mutex", "lock_restore with depth 0");
    if (owns(me)) {
      throw_usage_error("weave::recursive_mutex", "lock_restore by a thread that already owns it");
    }
    S::mutex_pre_lock(this, lock_flag::none);
    call.note("another thread holds the lock");
    m_.lock(loc);
    take(me, depth);
    S::mutex_post_lock(this, lock_flag::none);
    for (std::uint32_t i = 1; i < depth; ++i) {  // the inner levels: annotations only
      S::mutex_pre_lock(this, lock_flag::none);
      S::mutex_post_lock(this, lock_flag::none);
    }
  }

  /// True if the calling thread holds the mutex (Python's RLock._is_owned()).
  bool is_owned(source_location loc = source_location::current()) const noexcept {
    [[maybe_unused]] const auto call = obj_.enter("is_owned", loc);
    return owns(S::self());
  }

  /// How many times the calling thread holds the mutex; 0 if it does not hold it.
  std::uint32_t depth(source_location loc = source_location::current()) const noexcept {
    [[maybe_unused]] const auto call = obj_.enter("depth", loc);
    return owns(S::self()) ? depth_.read() : 0;
  }

  /// A snapshot, for tests and assertions only.
  bool is_locked(source_location loc = source_location::current()) const noexcept {
    [[maybe_unused]] const auto call = obj_.enter("is_locked", loc);
    return m_.is_locked(loc);
  }

 private:
  static constexpr std::uint32_t max_depth = 0xffffffffu;

  bool owns(id_t me) const noexcept {
    // relaxed: R1 — only this thread can have written `me` here.
    return owner_.load(std::memory_order_relaxed) == me;
  }

  // R4: throws unless the calling thread owns the mutex. all: unlock_all().
  void require_owner(bool all) {
    const id_t me = S::self();
    // relaxed: R1; any value other than `me` is an error either way.
    const id_t o = owner_.load(std::memory_order_relaxed);
    if (o == me) return;
    constexpr const char* name = "weave::recursive_mutex";
    if (o == 0) {
      throw_usage_error(name, all ? "unlock_all of a recursive_mutex that is not locked"
                                  : "unlock of a recursive_mutex that is not locked");
    }
    throw_usage_error(name, all ? "unlock_all by a thread that does not own it"
                                : "unlock by a thread that does not own it");
  }

  // Not the owner: wait in m_ until the deadline. false = timed out, no change.
  bool try_lock_until_deadline(typename S::clock::time_point deadline, source_location loc) {
    S::mutex_pre_lock(this, lock_flag::try_lock);
    const bool ok = m_.try_lock_until(deadline, loc);
    if (ok) take(S::self(), 1);
    S::mutex_post_lock(this, ok ? lock_flag::try_lock : lock_flag::try_lock | lock_flag::try_lock_failed);
    return ok;
  }

  // The owner locks again: only the depth changes (R2, R3).
  void reenter() {
    std::uint32_t& d = depth_.write();
    if (d == max_depth) throw_usage_error("weave::recursive_mutex", "locked too many times (depth overflow)");
    S::mutex_pre_lock(this, lock_flag::none);
    ++d;
    S::mutex_post_lock(this, lock_flag::none);
  }

  // Just acquired m_: become the owner (R1).
  void take(id_t me, std::uint32_t d) {
    // relaxed: m_'s acquire already ordered us after the previous owner; this
    // store only has to be visible to ourselves (R1).
    owner_.store(me, std::memory_order_relaxed);
    depth_.write() = d;
  }

  // Depth reached 0: stop being the owner, then release m_ (R1).
  void release_inner() {
    // relaxed: program order puts it before m_'s release exchange, which
    // publishes it to the next owner.
    owner_.store(0, std::memory_order_relaxed);
    m_.unlock();
  }

  // owner_ first, so that m_ (annotated by itself) never shares this object's
  // address in the lock annotations.
  typename S::template atomic<id_t> owner_{0};
  basic_mutex<S> m_;
  typename S::template cell<std::uint32_t> depth_{0u};
  [[no_unique_address]] typename S::object obj_;
};

using recursive_mutex = basic_recursive_mutex<>;
namespace model {
using recursive_mutex = basic_recursive_mutex<model_sync>;
}

static_assert(sizeof(recursive_mutex) == 12, "weave::recursive_mutex: owner, futex word, depth");
static_assert(alignof(recursive_mutex) == 4);

}  // namespace weave
