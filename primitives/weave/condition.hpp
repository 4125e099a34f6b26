// weave/condition.hpp — weave::condition, a condition variable with exact
// notify(n).
//
// Mirrors std::condition_variable_any: wait(lock), wait(lock, pred),
// wait_for/wait_until (→ weave::cv_status) and their predicate forms (→ the
// predicate's last value), notify_one, notify_all, plus Python's notify(n).
// Behaviour follows Python's threading.Condition:
//   - notify(n) wakes at most n threads, and only threads that were already
//     waiting when notify(n) was called (the oldest first); a thread that
//     starts waiting afterwards is never woken by it.
//   - waiting on a recursive lock held several times releases it completely
//     and restores the depth afterwards (Python's RLock._release_save /
//     _acquire_restore; weave::recursive_mutex's unlock_all / lock_restore).
//   - waiting without holding the lock is an error (Python: RuntimeError;
//     here weave::usage_error "weave::condition: wait without holding the
//     lock") where the lock can tell: std::unique_lock (owns_lock()),
//     weave::recursive_mutex (is_owned()), weave::mutex (is_locked(): a mutex
//     held by another thread cannot be told apart).
// Differences from Python, and why:
//   - Unlike Python, and like std::condition_variable_any, the predicate-less
//     wait(lock) may return spuriously (the futex may); callers re-check their
//     condition in a loop, or use the predicate forms, which do.
//   - The predicate-less timed waits return weave::cv_status (std's shape)
//     where Python's wait(timeout) returns False on timeout; the predicate
//     forms return the predicate's last value, as Python's wait_for does.
//   - Timeouts are std durations and time points on any clock. One too large
//     to represent waits forever (saturating; Python raises OverflowError past
//     threading.TIMEOUT_MAX); a negative timeout or a deadline in the past is
//     one try (as Python's Condition.wait does with a
//     negative timeout).
//   - Misuse (waiting without the lock, notify(n) with n < 0) is
//     weave::usage_error (Python: RuntimeError, ValueError).
//
// The lock may be std::unique_lock<M> for any lockable M, or a lockable itself
// (weave::mutex, weave::recursive_mutex, anything with lock()/unlock()).
//
// Design: a FIFO queue of waiter records, one per waiting thread, each with its
// own futex word — the "specific notification" design of Python's Condition
// (Lib/threading.py: a deque of per-waiter locks), of Java's
// AbstractQueuedSynchronizer.ConditionObject, and of Schmidt & Pyarali,
// "Strategies for Implementing POSIX Condition Variables on Win32" (§3.4, the
// FIFO queue of per-waiter events). A single sequence-number futex word (Rust
// std's futex condvar, Drepper's "Futexes Are Tricky" condvar) loses no
// wake-up, but cannot keep notify(n) to n threads: a waiter between unlocking
// and parking returns on the changed word in addition to the n the kernel
// wakes. Here each record's word is a one-shot sequence (0 waiting → 1
// notified, or 0 → 2 parked → 3 notified), so the futex re-check closes the
// unlock→park window for that waiter alone. The queue is protected by an
// internal weave::basic_mutex<S> (m_), held only for a few pointer updates;
// the futex wake of a parked waiter is made after m_ is released, through an
// S::waker (the Linux kernel's wake_q and Rust parking_lot's UnparkHandle do
// the same: wake after the lock, by address).
//
//   m_        basic_mutex<S>         protects the queue (head_, tail_, links)
//   head_/tail_ cell<waiter*>        the FIFO of waiters not yet notified
//   queued_   atomic<uint32_t>       queue length (written under m_); lets
//                                    notify skip m_ when nobody waits
//   waiter    { word, prev, next, end } on the waiting thread's stack
//
// A record's word:
//
//   value  name      meaning                               written by
//   0      waiting   in the FIFO; its thread runs or spins  (initial)
//   2      parked    in the FIFO; its thread may sleep      the waiter (CAS 0→2)
//   1      notified  popped; no notifier touches it again   the notifier (fetch_or 1
//                                                             on 0)
//   3      notified  the same, and its notifier owes it a   the notifier (fetch_or 1
//          (parked)  futex wake (by S::waker: it may come     on 2)
//                    after W died)
//
//   0 --waiter CAS--> 2 --notifier fetch_or--> 3
//   0 --notifier fetch_or--> 1
//
// A waiter's life (W = its record):
//
//   enqueue W (under m_) → release the user lock → spin while W.word == 0 →
//   W.word 0 → 2 (announces a sleeper) → park while W.word == 2 →
//   W.word 1 or 3 → notified (no_timeout), without m_ (C4)
//   else take m_: W.word 1 or 3 → notified (no_timeout)
//                 W.word 0 or 2 → unlink W; timeout if the deadline passed,
//                                 else a spurious return (no_timeout)
//   → re-acquire the user lock (restoring a recursive depth) → W dies.
//
// notify(n): under m_, pop up to n records from the front; for each, keep an
// S::waker for its word, then fetch_or 1 into it: 0 → 1, done; 2 → 3, a wake
// owed. Release m_, then make the owed wakes (C4, C8, C9).
//
// Invariants:
//   C1  a record is in the queue iff its word is 0 or 2 and its thread has
//       not yet unlinked it (under m_, after parking); it is enqueued before
//       the user lock is released, so a notifier that changed the predicate
//       under the user lock afterwards finds it (no lost wake-up between
//       unlock and sleep), and the futex compares W.word == 2 atomically
//       before sleeping.
//   C2  notify(n) flips at most n records (0 or 2) → 1 or 3, all of them in
//       the queue when it took m_, i.e. registered before the call: it wakes
//       at most n threads, each of them waiting at the time of the call.
//   C3  queued_ == the queue's length, written under m_. notify() may read it
//       without m_: a waiter that matters registered before releasing the user
//       lock, and the notifier changed the predicate under that lock after, so
//       the registration happens-before the read (coherence: it cannot read an
//       older value). A notifier that does not hold or has not held the lock
//       may miss a concurrent waiter — as with any condition variable.
//   C4  a notifier never touches a dead record. It touches a record only
//       while it holds m_, and its last touch is the fetch_or that makes the
//       word 1 or 3; before it, it keeps an S::waker for the word, and a wake
//       it owes (the word was 2) it makes through that waker after releasing
//       m_, when the record may have died (a waker needs only the word's
//       address, see sync.hpp). A waiter lets its record die only after it
//       read 1 or 3 with acquire (the notifier's last touch happens before)
//       or after it took m_ (any notifier that popped it has finished). So a
//       notified waiter never takes m_ on its way out, and its notifier
//       holds no lock while it wakes: a woken waiter that preempts its
//       notifier when threads outnumber cores finds nothing held that it
//       needs (bench_condition's ping-pong and bench_queue's capacity-1
//       hand-off, oversubscribed: waking under m_, or taking m_ after a park,
//       made the woken thread sleep again on a lock its preempted notifier
//       held, up to 2 context switches per hand-off more than std's pair).
//       In the model the record's `end` cell stands for its lifetime: the
//       waiter writes it as the record dies, the notifier reads it just
//       before its fetch_or, so a touch of a dead record is a data race the
//       checker reports (condition_notify_outside_lock_outlives_record and
//       its twin condition_twin_touches_record_after_notify, in
//       models/checks/condition.cpp); a wake through the waker after the
//       record died is a wake of an ended word, which wakes nobody.
//   C5  links (prev/next), head_ and tail_ are read and written only under m_
//       (plain cells: the model checker verifies it as absence of data races).
//   C6  an exception between releasing and restoring the user lock (only the
//       model checker's unwinding of an explored execution raises one) leaves
//       the lock released and a std::unique_lock disowned (see disown()).
//   C7  before parking, a waiter spins (spin_for_handoff in sync.hpp) only
//       looking at its own word; the spin changes nothing C1..C5 rely on, and
//       spares the notifier a futex wake when the notify comes within
//       microseconds.
//   C8  a waiter sleeps on the futex only after its own RMW turned its word
//       0 → 2, and a notifier wakes only if its fetch_or read 2. Both are RMWs
//       of one word, so they are ordered: if the waiter's comes first the
//       notifier wakes it (or the futex's compare sees 3 or 1 and it does not
//       sleep); if the notifier's comes first the waiter's RMW fails on 1 and
//       it does not park. A waiter that is still spinning costs its notifier
//       no system call.
//   C9  the futex wake is owed, not skipped: a waiter that turned its word 0
//       → 2 before the notifier's fetch_or may be asleep, and the notifier
//       that read 2 wakes it (after m_, C4) exactly once; a waiter that sees
//       3 without sleeping (its futex compare saw 3, or a spurious return)
//       leaves at once, and that wake then finds nobody or wakes, spuriously,
//       whatever waits at the address later (every waiter re-checks).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "weave/error.hpp"
#include "weave/mutex.hpp"
#include "weave/sync.hpp"

namespace weave {

/// Mirrors std::cv_status (not named here: <condition_variable> stays out of
/// primitives/, see sync.hpp).
enum class cv_status { no_timeout, timeout };

namespace detail {
// A lock with a std::unique_lock-like face (owns_lock(), mutex()).
template <class L>
concept owning_lock = requires(L& l) {
  { l.owns_lock() } -> std::convertible_to<bool>;
  { l.mutex() };
};
// A recursive mutex that can be released completely and restored
// (weave::recursive_mutex's unlock_all / lock_restore).
template <class M>
concept releasable_recursive = requires(M& m, std::uint32_t d) {
  { m.unlock_all() } -> std::same_as<std::uint32_t>;
  m.lock_restore(d);
};
template <class M>
concept knows_owner = requires(const M& m) {
  { m.is_owned() } -> std::convertible_to<bool>;
};
template <class M>
concept knows_locked = requires(const M& m) {
  { m.is_locked() } -> std::convertible_to<bool>;
};

// Whether the calling thread (as far as M can tell) holds m.
template <class M>
bool may_hold(const M& m) {
  if constexpr (knows_owner<M>) {
    return m.is_owned();
  } else if constexpr (knows_locked<M>) {
    return m.is_locked();
  } else {
    return true;  // cannot tell
  }
}
}  // namespace detail

template <class S = real_sync>
class basic_condition {
  static_assert(sync_policy<S>);

 public:
  /// name: what the model checker's traces call it (nothing on hardware).
  basic_condition() : basic_condition(nullptr) {}  // not explicit: an aggregate may hold one
  explicit basic_condition(const char* name) : obj_{this, "condition", name} {}
  basic_condition(const basic_condition&) = delete;
  basic_condition& operator=(const basic_condition&) = delete;
  ~basic_condition() = default;

  /// Releases lock, waits for a notification (or a spurious wake-up), and
  /// re-acquires lock before returning.
  template <class Lock>
  void wait(Lock& lock, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("wait", loc);
    (void)wait_until_deadline(lock, S::forever, call);
  }

  /// Waits until pred() is true (checked with the lock held); returns at once
  /// if it already is. pred runs outside the calls: each wait is one call.
  template <class Lock, class Pred>
  void wait(Lock& lock, Pred pred, source_location loc = source_location::current()) {
    while (!pred()) wait(lock, loc);
  }

  template <class Lock, class Rep, class Period>
  cv_status wait_for(Lock& lock, const std::chrono::duration<Rep, Period>& timeout,
                     source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("wait_for", loc);
    return wait_until_deadline(lock, deadline_after<S>(timeout), call);
  }

  template <class Lock, class Clock, class Duration>
  cv_status wait_until(Lock& lock, const std::chrono::time_point<Clock, Duration>& t,
                       source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("wait_until", loc);
    return wait_until_deadline(lock, to_deadline<S>(t), call);
  }

  /// Waits until pred() or the timeout; returns pred()'s last value (Python's
  /// Condition.wait_for).
  template <class Lock, class Rep, class Period, class Pred>
  bool wait_for(Lock& lock, const std::chrono::duration<Rep, Period>& timeout, Pred pred,
                source_location loc = source_location::current()) {
    return wait_pred(lock, deadline_after<S>(timeout), std::move(pred), "wait_for", loc);
  }

  template <class Lock, class Clock, class Duration, class Pred>
  bool wait_until(Lock& lock, const std::chrono::time_point<Clock, Duration>& t, Pred pred,
                  source_location loc = source_location::current()) {
    return wait_pred(lock, to_deadline<S>(t), std::move(pred), "wait_until", loc);
  }

  /// Wakes at most n threads among those waiting at the time of the call, the
  /// longest-waiting first (Python's Condition.notify(n)). n < 0 is a
  /// usage_error.
  void notify(std::ptrdiff_t n = 1, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("notify", loc);
    call.arg(n);
    if (n < 0) throw_usage_error("weave::condition", "notify of a negative number of waiters");
    if (n == 0) return;
    // relaxed: C3 — a waiter that matters registered before the caller's
    // critical section, so its registration happens-before this load.
    if (queued_.load(std::memory_order_relaxed) == 0) return;
    m_.lock();
    std::uint32_t q = queued_.load(std::memory_order_relaxed);  // relaxed: under m_
    typename S::waker owed[S::wake_batch];  // wakes owed to parked waiters, made after m_ (C4)
    int k = 0;
    const auto wake_owed = [&] {
      for (int i = 0; i < k; ++i) owed[i].wake_one();  // C4, C9: the records may have died
      k = 0;
    };
    for (; n > 0; --n) {
      waiter* w = head_.read();
      if (w == nullptr) break;
      unlink(w);
      --q;
      const typename S::waker wake(w->word);  // before the fetch_or: after it, w may die (C4)
      w->touch_last();
      // release: pairs with the waiter's acquire load after its park loop
      // (and the acquire loads and RMW in that loop): what this notifier did
      // to the record (unlink) happens before the waiter lets it die. The
      // last touch of w (C4); an RMW: it reads whether the waiter announced a
      // sleep (C8), and 2 → 3 owes it a wake (C9).
      if (w->word.fetch_or(notified, std::memory_order_release) == parked_) {
        if (k == S::wake_batch) wake_owed();  // more parked waiters than the batch holds: now (C4 allows it)
        owed[k++] = wake;
      }
    }
    queued_.store(q, std::memory_order_relaxed);  // relaxed: under m_ (C3)
    m_.unlock();
    wake_owed();
  }

  void notify_one(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("notify_one", loc);
    notify(1, loc);
  }

  /// Wakes every thread waiting at the time of the call.
  void notify_all(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("notify_all", loc);
    if (queued_.load(std::memory_order_relaxed) == 0) return;  // relaxed: C3
    notify(static_cast<std::ptrdiff_t>(0x7fffffff), loc);
  }

  /// The number of threads waiting and not yet notified: a snapshot, for tests.
  std::size_t waiting(source_location loc = source_location::current()) const noexcept {
    [[maybe_unused]] const auto call = obj_.enter("waiting", loc);
    // relaxed: a snapshot.
    return queued_.load(std::memory_order_relaxed);
  }

 private:
  static constexpr std::uint32_t waiting_ = 0, notified = 1, parked_ = 2, notified_parked = 3;
  static_assert((parked_ | notified) == notified_parked, "notify's fetch_or turns parked into notified (parked)");

  struct waiter {
    typename S::template atomic<std::uint32_t> word{waiting_};
    typename S::template cell<waiter*> prev{nullptr};
    typename S::template cell<waiter*> next{nullptr};
    // The record's lifetime, for the model checker (C4): nothing on hardware
    // (a plain bool nobody reads).
    typename S::template cell<bool> end{false};
    void touch_last() const { (void)end.read(); }  // just before a notifier's last touch (C4)
    void die() { end.write() = true; }              // the waiter lets it go
  };

  // pred runs outside the calls (it is the user's code): each wait is one call.
  template <class Lock, class Pred>
  bool wait_pred(Lock& lock, typename S::clock::time_point deadline, Pred pred, const char* what,
                 source_location loc) {
    while (!pred()) {
      cv_status st;
      {
        [[maybe_unused]] const auto call = obj_.enter(what, loc);
        st = wait_until_deadline(lock, deadline, call);
      }
      if (st == cv_status::timeout) return pred();
    }
    return true;
  }

  // The user lock: check that it is held, release it completely, take it back.
  template <class Lock>
  static void require_held(Lock& lock) {
    bool held = true;
    if constexpr (detail::owning_lock<Lock>) {
      held = lock.owns_lock() && lock.mutex() != nullptr && detail::may_hold(*lock.mutex());
    } else {
      held = detail::may_hold(lock);
    }
    if (!held) throw_usage_error("weave::condition", "wait without holding the lock");
  }
  template <class Lock>
  static std::uint32_t release(Lock& lock) {
    if constexpr (detail::owning_lock<Lock>) {
      using M = std::remove_pointer_t<decltype(lock.mutex())>;
      if constexpr (detail::releasable_recursive<M>) {
        return lock.mutex()->unlock_all();  // the unique_lock still "owns" it
      } else {
        lock.unlock();
        return 1;
      }
    } else if constexpr (detail::releasable_recursive<Lock>) {
      return lock.unlock_all();
    } else {
      lock.unlock();
      return 1;
    }
  }
  template <class Lock>
  static void restore(Lock& lock, std::uint32_t depth) {
    if constexpr (detail::owning_lock<Lock>) {
      using M = std::remove_pointer_t<decltype(lock.mutex())>;
      if constexpr (detail::releasable_recursive<M>) {
        lock.mutex()->lock_restore(depth);
      } else {
        lock.lock();
      }
    } else if constexpr (detail::releasable_recursive<Lock>) {
      lock.lock_restore(depth);
    } else {
      lock.lock();
    }
  }

  template <class Lock>
  cv_status wait_until_deadline(Lock& lock, typename S::clock::time_point deadline,
                                const typename S::object::call& call) {
    require_held(lock);  // before any state changes
    waiter w;
    m_.lock();
    enqueue(&w);
    queued_.store(queued_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // relaxed: under m_ (C3)
    m_.unlock();
    const std::uint32_t depth = release(lock);  // after enqueueing (C1)

    wait_result r = wait_result::woken;
    bool was_notified = false;
    bool queued = true;  // w is in the FIFO, unless a notifier took it out (C4)
    try {
      // C7: spin a while before parking; a notify often comes within
      // microseconds (a queue's other side is running right now).
      // acquire: pairs with notify()'s release fetch_or (0 → 1; the word is
      // not 2 before this thread's own CAS, so 3 cannot be seen here).
      (void)spin_for_handoff<S>([&] { return w.word.load(std::memory_order_acquire) == notified; }, deadline);
      for (;;) {
        std::uint32_t seen = waiting_;
        // C8: announce the sleep, 0 → 2 (after a value_mismatch the word may
        // be 2 already). acquire (both orders): on failure the value may be
        // notify()'s release fetch_or; on success it orders nothing.
        if (!w.word.compare_exchange_strong(seen, parked_, std::memory_order_acquire, std::memory_order_acquire) &&
            seen != parked_)
          break;  // 1 or 3: popped
        call.note("waiting for a notify");
        r = S::wait(w.word, parked_, deadline);  // parks only while word == 2 (C1, C8)
        if (r != wait_result::value_mismatch) break;  // woken (maybe spuriously) or timed out
      }

      // acquire: pairs with notify()'s release fetch_or (0 → 1 or 2 → 3), its
      // last touch of w (C4).
      const std::uint32_t v = w.word.load(std::memory_order_acquire);
      if (v == notified || v == notified_parked) {
        was_notified = true;  // popped by a notifier: no m_ (C4)
      } else {
        m_.lock();
        // relaxed: written under m_ by any notifier, and we now hold m_ (a
        // notifier that popped w since the load above left 1 or 3).
        const std::uint32_t u = w.word.load(std::memory_order_relaxed);
        was_notified = u == notified || u == notified_parked;
        if (!was_notified) {
          unlink(&w);
          queued_.store(queued_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);  // relaxed: under m_
        }
        m_.unlock();
      }
      queued = false;
    } catch (...) {
      // C6. The record on this stack must not stay in the FIFO, or a later
      // notify (a destructor run by the same unwinding) follows a dangling
      // pointer. relaxed: only the model checker unwinds here, one thread at a
      // time, with every other thread frozen (1 or 3: popped, not in the FIFO).
      if (queued) {
        const std::uint32_t v = w.word.load(std::memory_order_relaxed);
        if (v == waiting_ || v == parked_) unlink(&w);
      }
      disown(lock);
      throw;
    }

    call.note("waiting to lock the lock again");
    restore(lock, depth);
    w.die();  // C4: nothing touches w from here on
    if (was_notified) return cv_status::no_timeout;
    return r == wait_result::timed_out ? cv_status::timeout : cv_status::no_timeout;
  }

  // C6: the wait was abandoned by an exception while the user lock was
  // released. On hardware nothing between release() and restore() throws; only
  // the model checker throws there, when it unwinds the threads of an
  // execution it has finished exploring. Re-taking the lock could then block
  // forever (its holder is frozen), so a std::unique_lock is told it no longer
  // owns the mutex and its destructor does not unlock a mutex this thread does
  // not hold. (A bare lockable cannot be told: under the checker, pair a
  // condition with a std::unique_lock, not a lock_guard.)
  template <class Lock>
  static void disown(Lock& lock) noexcept {
    if constexpr (detail::owning_lock<Lock>) (void)lock.release();
  }

  // Queue operations: callers hold m_ (C5).
  void enqueue(waiter* w) {
    waiter* t = tail_.read();
    w->prev.write() = t;
    w->next.write() = nullptr;
    if (t == nullptr) {
      head_.write() = w;
    } else {
      t->next.write() = w;
    }
    tail_.write() = w;
  }
  void unlink(waiter* w) {
    waiter* p = w->prev.read();
    waiter* n = w->next.read();
    if (p == nullptr) {
      head_.write() = n;
    } else {
      p->next.write() = n;
    }
    if (n == nullptr) {
      tail_.write() = p;
    } else {
      n->prev.write() = p;
    }
  }

  // queued_ before m_: m_'s own S::object lies at m_'s address, so obj_ (the
  // same empty type) can share offset 0 only if m_ does not start there.
  typename S::template atomic<std::uint32_t> queued_{0};
  basic_mutex<S> m_;
  typename S::template cell<waiter*> head_{nullptr};
  typename S::template cell<waiter*> tail_{nullptr};
  [[no_unique_address]] typename S::object obj_;
};

using condition = basic_condition<>;
namespace model {
using condition = basic_condition<model_sync>;
}

static_assert(sizeof(condition) <= 24, "weave::condition: a mutex word, a count and two pointers");

}  // namespace weave
