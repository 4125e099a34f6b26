// weave/timer.hpp — weave::timer: run a callable after a delay unless
// cancel() comes first.
//
// Behaviour follows Python's threading.Timer:
//
//   timer t(d, fn)   a timer that will call fn() d after start()
//   timer t(d, fn, name)   name: what the model checker's traces call it (nothing on hardware)
//   t.start()        starts its thread (S::thread); a second start() is a
//                    usage_error (Python: RuntimeError)
//   t.cancel()       stops the timer if it has not fired yet; returns which of
//                    the two happened: timer_status::cancelled (fn will never
//                    run) or timer_status::fired (fn has started or finished)
//   t.join()         waits until the timer's thread has ended (fired or
//                    cancelled); a timer never started returns at once
//   ~timer()         cancels and joins
//
// Where weave differs from Python, and why: Python's cancel() returns None
// and a cancel that comes too late is silent; here it says which side won,
// so a caller can tell "fn will never run" from "fn ran" without a flag of its
// own. Cancelling a timer never started is allowed (as in Python) and means
// fn never runs, even if start() is called later. An exception from fn is
// caught and dropped on the timer's thread (Python prints it).
//
// State machine (state_):
//
//   idle     --start------------->  waiting   (the thread is spawned)
//   idle     --cancel------------>  cancelled (final)
//   waiting  --deadline passed--->  fired     (final; the thread then calls fn)
//   waiting  --cancel------------>  cancelled (final; the thread wakes and ends)
//
// Invariants:
//   T1  waiting → fired and waiting → cancelled are both compare-exchanges on
//       state_: exactly one of them succeeds, so exactly one of "fn runs" and
//       "cancel() returns cancelled" happens, once.
//   T2  fn runs only in the timer's thread, after it won T1's race; cancel()
//       returns fired iff that thread won (it read fired in state_).
//   T3  the timer's thread sleeps on wake_ (a weave::event) until the
//       deadline; a cancel that wins T1 sets wake_, so the thread ends soon
//       instead of sleeping out the delay. A wake that finds the deadline not
//       yet passed (a spurious return) sleeps again.
//   T4  the thread is joined exactly once (join() under join_m_), by join() or
//       the destructor.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

#include "weave/detail/lock.hpp"
#include "weave/error.hpp"
#include "weave/event.hpp"
#include "weave/mutex.hpp"
#include "weave/sync.hpp"

namespace weave {

/// What timer::cancel() found: which of the two happened (T1).
enum class timer_status { cancelled, fired };

template <class S = real_sync>
class basic_timer {
  static_assert(sync_policy<S>);

 public:
  template <class Rep, class Period, class F>
  basic_timer(const std::chrono::duration<Rep, Period>& delay, F fn, const char* name = nullptr)
      : delay_(std::chrono::duration_cast<typename S::clock::duration>(delay)),
        fn_(std::move(fn)),
        obj_{this, "timer", name} {}
  basic_timer(const basic_timer&) = delete;
  basic_timer& operator=(const basic_timer&) = delete;
  ~basic_timer() {
    (void)cancel();
    join();
  }

  void start(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("start", loc);
    std::uint32_t s = idle;
    // relaxed: an RMW on the word cancel() and run() also RMW (T1 needs only
    // that); it publishes nothing: the spawn below orders fn_ for the thread.
    if (!state_.compare_exchange_strong(s, waiting, std::memory_order_relaxed, std::memory_order_relaxed)) {
      if (s == cancelled) return;  // cancelled before start: fn never runs
      throw_usage_error("weave::timer", "start called twice");
    }
    const auto deadline = S::clock::now() + delay_;
    detail::unique_hold<basic_mutex<S>> h(join_m_);  // T4
    thread_.write().emplace([this, deadline] { run(deadline); });
  }

  /// Stops the timer unless it has fired; says which happened (T1, T2).
  timer_status cancel(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("cancel", loc);
    // seq_cst: a read that decides "fired", in one order with every
    // primitive's calls (sync.hpp, Python's order); as acquire it pairs with
    // run()'s CAS (T2: "fired" is read from it).
    std::uint32_t s = state_.load(std::memory_order_seq_cst);
    while (s == idle || s == waiting) {
      // seq_cst: the linearization point, and on failure a deciding read
      // (sync.hpp); as acq_rel it pairs with run()'s CAS (T1).
      if (state_.compare_exchange_weak(s, cancelled, std::memory_order_seq_cst, std::memory_order_seq_cst)) {
        wake_.set();  // T3
        call.returns("cancelled");
        return timer_status::cancelled;
      }
    }
    call.returns(s == fired ? "fired" : "cancelled");
    return s == fired ? timer_status::fired : timer_status::cancelled;
  }

  /// Waits for the timer's thread to end (T4).
  void join(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("join", loc);
    detail::unique_hold<basic_mutex<S>> h(join_m_);
    if (thread_.read().has_value()) {
      call.note("the timer's thread has not ended");
      thread_.write()->join();
      thread_.write().reset();
    }
  }

  /// fired, cancelled, or nullopt while neither happened yet (a snapshot).
  std::optional<timer_status> status(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = obj_.enter("status", loc);
    call.reads_decide();  // the load below (sync.hpp)
    const std::uint32_t s = state_.load(std::memory_order_seq_cst);  // seq_cst: decides (sync.hpp); pairs with the CASes (T1)
    if (s == fired) return timer_status::fired;
    if (s == cancelled) return timer_status::cancelled;
    return std::nullopt;
  }

 protected:
  enum : std::uint32_t { idle = 0, waiting = 1, fired = 2, cancelled = 3 };

  // The timer's thread: sleep until the deadline or a cancel (T3), then try to
  // fire (T1).
  void run(typename S::clock::time_point deadline) {
    while (S::clock::now() < deadline) {
      if (wake_.wait_until(deadline)) break;  // a cancel won, or is about to
    }
    std::uint32_t s = waiting;
    // seq_cst: the linearization point of firing (sync.hpp); as acq_rel it
    // pairs with cancel()'s CAS (T1).
    if (!state_.compare_exchange_strong(s, fired, std::memory_order_seq_cst, std::memory_order_seq_cst)) return;
    try {
      fn_();  // T2
    } catch (...) {  // dropped: see "Where weave differs from Python"
    }
  }

  typename S::template atomic<std::uint32_t> state_{idle};
  basic_event<S> wake_;
  typename S::clock::duration delay_;
  std::function<void()> fn_;
  basic_mutex<S> join_m_;
  typename S::template cell<std::optional<typename S::thread>> thread_;
  [[no_unique_address]] typename S::object obj_;
};

using timer = basic_timer<>;
namespace model {
using timer = basic_timer<model_sync>;
}

}  // namespace weave
