// weave/barrier.hpp — weave::barrier, a reusable barrier for a fixed number of
// parties, with a completion function and a broken state.
//
// Behaviour follows Python's threading.Barrier; names follow std::barrier where
// they fit (the completion function, max()):
//   barrier(parties, completion = {})   parties ≥ 1 (else weave::usage_error)
//   barrier(parties[, completion], name)  name: what the model checker's traces call it (nothing on hardware)
//   wait()          blocks until `parties` threads have called wait() in this
//                   phase; returns this thread's arrival index, distinct in
//                   [0, parties) within a phase (the first arriver gets 0, the
//                   last parties-1, as in Python). The last arriver runs the
//                   completion function, exactly once per phase, before anyone
//                   is released (Python's `action`; std::barrier's
//                   CompletionFunction).
//   wait_for(d) / wait_until(t)
//                   the same with a deadline; std::nullopt on timeout.
//   abort()         breaks the barrier (Python's Barrier.abort()).
//   reset()         returns the barrier to its initial, unbroken state; threads
//                   waiting in the current phase get broken_barrier.
//   broken()        whether the barrier is broken.
//   parties(), n_waiting()
// Errors: wait on a broken barrier, or a broken barrier while waiting, throws
// weave::broken_barrier (Python's BrokenBarrierError) until reset(). If the
// completion function throws, the barrier breaks and the exception propagates
// from the last arriver's wait (as in Python).
//
// Timeouts (decided here): as in Python, a party that times out breaks the
// barrier — a phase that lost a party can never complete consistently, so the
// others must not wait for it forever — but in weave the timeout is a status,
// not an exception: the party that timed out gets std::nullopt; the others,
// still waiting or arriving later, get broken_barrier until reset().
//
// Differences from Python, and why:
//   - The party that times out gets std::nullopt, not BrokenBarrierError (a
//     timeout is a status in weave, see above); the others get broken_barrier.
//   - No default timeout: Python's Barrier(parties, action, timeout) applies
//     `timeout` to every wait() that passes none. weave's plain wait() never
//     times out: a default would make it either throw on a timeout (weave
//     never does) or return an optional that every untimed caller must unwrap.
//     A caller that wants one bound for every wait passes it to wait_for, at
//     the call site where a reader sees it.
//   - Timeouts are std durations and time points on any clock. One too large
//     to represent waits forever (saturating; Python raises OverflowError past
//     threading.TIMEOUT_MAX); a negative timeout or a deadline in the past is
//     one try (and, being a timeout, breaks the barrier).
//   - parties < 1 is weave::usage_error.
//
// Design: Python's Barrier state machine (Lib/threading.py, Kristján Valur
// Jónsson's implementation) on weave's own basic_mutex<S> and
// basic_condition<S>: the count of threads inside wait() and a state, both
// protected by m_; the condition parks the waiters.
//
//   state      meaning
//   filling    parties are arriving (count_ < parties)
//   draining   a phase completed; its parties are leaving wait()
//   resetting  reset() while parties were inside; they leave with broken_barrier
//   broken     abort(), a timeout or a throwing completion; waits fail
//
//   filling   --last arrival (count_+1 == parties), completion ok--> draining
//   filling   --completion throws / timeout / abort--------------->  broken
//   draining  --last party leaves (count_ == 0)------------------->  filling
//   resetting --last party leaves (count_ == 0)------------------->  filling
//   any       --reset with count_ > 0----------------------------->  resetting
//   any       --reset with count_ == 0---------------------------->  filling
//   broken    --wait------------------------------------------------> throws broken_barrier
//
// Invariants:
//   B1  count_ and state_ are read and written only under m_.
//   B2  a new arrival waits while the state is draining or resetting, so the
//       parties of one phase have all left before the next phase fills: the
//       indices of a phase (its count_ values at arrival) are distinct and in
//       [0, parties).
//   B3  the completion function runs only in the filling → draining step, by
//       the thread whose arrival made count_ == parties: once per phase.
//   B4  every state change that a waiter may be waiting for is followed by
//       notify_all while m_ is still held, and waiters re-check the state in a
//       loop (the condition may return spuriously).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <utility>

#include "weave/condition.hpp"
#include "weave/detail/lock.hpp"
#include "weave/error.hpp"
#include "weave/mutex.hpp"
#include "weave/sync.hpp"

namespace weave {

/// Thrown by a wait on a broken barrier (Python's threading.BrokenBarrierError,
/// a RuntimeError): the barrier was aborted, reset while this thread waited, a
/// party timed out, or the completion function threw.
class broken_barrier : public std::runtime_error {
 public:
  broken_barrier() : std::runtime_error("weave::barrier: the barrier is broken") {}
};

template <class S = real_sync>
class basic_barrier {
  static_assert(sync_policy<S>);

 public:
  /// parties ≥ 1 (usage_error otherwise); completion runs once per phase, in the
  /// last arriver, before the phase's parties are released. name: what the
  /// model checker's traces call it (nothing on hardware).
  explicit basic_barrier(std::ptrdiff_t parties, std::function<void()> completion = {}, const char* name = nullptr)
      : parties_(checked(parties)), completion_(std::move(completion)), obj_{this, "barrier", name} {}
  basic_barrier(std::ptrdiff_t parties, const char* name) : basic_barrier(parties, std::function<void()>{}, name) {}
  /// No completion, spelled as Python's Barrier(parties, action=None).
  basic_barrier(std::ptrdiff_t parties, std::nullptr_t, const char* name = nullptr)
      : basic_barrier(parties, std::function<void()>{}, name) {}
  basic_barrier(const basic_barrier&) = delete;
  basic_barrier& operator=(const basic_barrier&) = delete;

  static constexpr std::ptrdiff_t max() noexcept { return 0x7fffffff; }

  /// Arrives and waits for the phase to complete; returns the arrival index.
  /// Throws broken_barrier if the barrier is or becomes broken.
  std::size_t wait(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("wait", loc);
    return *wait_until_deadline(S::forever, call);
  }

  /// As wait(), with a deadline: std::nullopt on timeout (which breaks the
  /// barrier for the other parties).
  template <class Rep, class Period>
  std::optional<std::size_t> wait_for(const std::chrono::duration<Rep, Period>& timeout,
                                      source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("wait_for", loc);
    return wait_until_deadline(deadline_after<S>(timeout), call);
  }

  template <class Clock, class Duration>
  std::optional<std::size_t> wait_until(const std::chrono::time_point<Clock, Duration>& t,
                                        source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("wait_until", loc);
    return wait_until_deadline(to_deadline<S>(t), call);
  }

  /// Breaks the barrier: current and later waits throw broken_barrier until reset().
  void abort(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("abort", loc);
    m_.lock();
    break_locked();
    m_.unlock();
  }

  /// Back to the initial state; parties waiting now get broken_barrier.
  void reset(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("reset", loc);
    m_.lock();
    if (count_.read() > 0) {
      // Waiters of this phase (or a broken one) leave with broken_barrier; the
      // last one out returns the barrier to filling (B2). Draining stays draining:
      // those parties completed their phase and leave normally.
      if (state_.read() == filling || state_.read() == broken_st) state_.write() = resetting;
    } else {
      state_.write() = filling;
    }
    cond_.notify_all();  // B4
    m_.unlock();
  }

  bool broken(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("broken", loc);
    m_.lock();
    const bool b = state_.read() == broken_st;
    m_.unlock();
    return b;
  }

  std::ptrdiff_t parties() const noexcept { return parties_; }

  /// Threads currently waiting in the filling phase (Python's n_waiting).
  std::ptrdiff_t n_waiting(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("n_waiting", loc);
    m_.lock();
    const std::ptrdiff_t n = state_.read() == filling ? count_.read() : 0;
    m_.unlock();
    return n;
  }

 private:
  enum state_t : std::uint8_t { filling, draining, resetting, broken_st };

  static std::ptrdiff_t checked(std::ptrdiff_t parties) {
    if (parties < 1) throw_usage_error("weave::barrier", "parties must be at least 1");
    if (parties > max()) throw_usage_error("weave::barrier", "parties above max()");
    return parties;
  }

  using hold = detail::unique_hold<basic_mutex<S>>;

  void break_locked() {
    state_.write() = broken_st;
    cond_.notify_all();  // B4
  }

  // The last party out of a draining or resetting phase opens the next (B2).
  void leave_locked() {
    std::ptrdiff_t& c = count_.write();
    --c;
    if (c == 0 && (state_.read() == draining || state_.read() == resetting)) {
      state_.write() = filling;
      cond_.notify_all();  // B4
    }
  }

  std::optional<std::size_t> wait_until_deadline(typename S::clock::time_point deadline,
                                                 const typename S::object::call& call) {
    hold h(m_);
    // B2: wait for the previous phase to drain (it is short: its parties are
    // only leaving), as Python's Barrier._enter does.
    while (state_.read() == draining || state_.read() == resetting) {
      call.note("the previous phase is still leaving");
      cond_.wait(h);
    }
    if (state_.read() == broken_st) throw broken_barrier();

    const std::ptrdiff_t index = count_.read();
    count_.write() = index + 1;
    if (index + 1 == parties_) {
      // The last arriver completes the phase (B3).
      if (completion_) {
        try {
          [[maybe_unused]] typename S::user_code user;
          completion_();
        } catch (...) {
          break_locked();
          leave_locked();
          throw;
        }
      }
      state_.write() = draining;
      cond_.notify_all();  // B4
      leave_locked();
      return static_cast<std::size_t>(index);
    }

    // Wait until the state leaves filling (completed, broken or reset).
    while (state_.read() == filling) {
      call.note("waiting for the other parties");
      if (cond_.wait_until(h, deadline) == cv_status::timeout && state_.read() == filling) {
        // Timed out in a phase that did not complete: break it, report a status.
        break_locked();
        leave_locked();
        return std::nullopt;
      }
    }
    const bool completed = state_.read() == draining;
    leave_locked();
    if (!completed) throw broken_barrier();  // broken or resetting
    return static_cast<std::size_t>(index);
  }

  const std::ptrdiff_t parties_;
  const std::function<void()> completion_;
  basic_mutex<S> m_;
  basic_condition<S> cond_;
  typename S::template cell<std::ptrdiff_t> count_{0};    // threads inside wait() (B1)
  typename S::template cell<state_t> state_{filling};     // B1
  [[no_unique_address]] typename S::object obj_;
};

using barrier = basic_barrier<>;
namespace model {
using barrier = basic_barrier<model_sync>;
}

}  // namespace weave
