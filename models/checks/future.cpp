// weave::future / weave::promise under the checker: a done-callback added
// while another thread finishes the future runs exactly once (F3), and
// cancel() racing the executor's start has exactly one winner (F1). Each has
// a twin: the same shared state with one step done as "look, then act".
#include <functional>
#include <utility>

#include "weave/future.hpp"
#include "weave/model.hpp"
#include "checks/interleavings.hpp"

namespace {
using weave::model::thread;
using S = weave::model_sync;
using core = weave::detail::future_core<S>;

// The twins' shared state: weave's, with the two bugs every hand-rolled
// future has, each a test-only method.
struct look_then_act_state : weave::detail::future_state<int, S> {
  // BUG: looks at done() and registers later; a completer that finishes in
  // between has already taken the callback list, so fn is never run.
  void add_callback_after_look(std::function<void()> fn) {
    if (done()) {
      fn();
      return;
    }
    weave::detail::unique_hold<weave::basic_mutex<S>> h(m_);
    callbacks_.write().push_back(std::move(fn));
  }
  // BUG: looks at pending and stores cancelled later; the executor's start
  // may win in between, and both sides think they won.
  bool cancel_after_look() {
    if (state() != core::pending) return state() == core::cancelled;
    state_.store(core::cancelled, std::memory_order_release);  // release: as make_final's
    return true;
  }
};
}  // namespace

// F3: the callback runs once, in whichever thread comes second, and sees the
// value (a missing happens-before would be reported by get()'s cells).
WEAVE_MODEL_CHECK(future_callback_added_while_completing_runs_once, pass, .primitives = weave::model::transparent) {
  weave::model::promise<int> p;
  weave::model::future<int> f = p.get_future();
  S::atomic<int> runs(0);
  thread completer([&] { (void)p.set_value(7); });
  f.add_done_callback([&](const weave::model::future<int>& g) {
    runs.fetch_add(1, std::memory_order_relaxed);  // relaxed: read after both joins
    WEAVE_CHECK(g.get() == 7);
  });
  completer.join();
  WEAVE_CHECK(runs.load(std::memory_order_relaxed) == 1);  // relaxed: after join
}

WEAVE_MODEL_CHECK(future_twin_done_then_register_loses_callback, check_failed, .primitives = weave::model::transparent) {
  look_then_act_state st;
  S::atomic<int> runs(0);
  thread completer([&] { (void)st.set_value(7); });
  st.add_callback_after_look([&] { runs.fetch_add(1, std::memory_order_relaxed); });  // relaxed: read after join
  completer.join();
  WEAVE_CHECK(runs.load(std::memory_order_relaxed) == 1);  // relaxed: after join
}

// F1: cancel() against set_running_or_notify_cancel(): exactly one wins; a
// future not cancelled carries the executor's value.
WEAVE_MODEL_CHECK(future_cancel_racing_start_one_wins, pass, .primitives = weave::model::transparent) {
  weave::model::promise<int> p;
  weave::model::future<int> f = p.get_future();
  S::atomic<int> ran(0);
  thread executor([&] {
    if (!p.set_running_or_notify_cancel()) return;
    ran.store(1, std::memory_order_relaxed);  // relaxed: read after join
    (void)p.set_value(1);
  });
  const bool cancelled = f.cancel();
  executor.join();
  WEAVE_CHECK(cancelled != (ran.load(std::memory_order_relaxed) == 1));  // relaxed: after join
  WEAVE_CHECK(f.cancelled() == cancelled);
  if (!cancelled) WEAVE_CHECK(f.get() == 1);
}

WEAVE_MODEL_CHECK(future_twin_cancel_after_look_both_win, check_failed, .primitives = weave::model::transparent) {
  look_then_act_state st;
  S::atomic<int> ran(0);
  thread executor([&] {
    if (!st.set_running_or_notify_cancel()) return;
    ran.store(1, std::memory_order_relaxed);  // relaxed: read after join
    (void)st.set_value(1);
  });
  const bool cancelled = st.cancel_after_look();
  executor.join();
  WEAVE_CHECK(cancelled != (ran.load(std::memory_order_relaxed) == 1));  // relaxed: after join
}

// F5: wait_any returns once one future finishes, and a promise dropped unset
// finishes its future (broken_promise): a wait_all never hangs on it.
WEAVE_MODEL_CHECK(future_wait_any_then_broken_promise, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 3) {
  weave::model::promise<int> p1, p2;
  weave::model::future<int> fs[2] = {p1.get_future(), p2.get_future()};
  thread producer([&] {
    (void)p1.set_value(1);
    weave::model::promise<int> gone = std::move(p2);  // destroyed unset
  });
  weave::wait_any(fs);
  WEAVE_CHECK(fs[0].done() || fs[1].done());
  weave::wait_all(fs);
  producer.join();
  bool broken = false;
  try {
    (void)fs[1].get();
  } catch (const weave::broken_promise&) {
    broken = true;
  }
  WEAVE_CHECK(broken && fs[0].get() == 1);
}

// The twin: the unset promise is kept alive (not dropped) by the waiting
// thread's own scope: nobody will ever finish it, and wait_all hangs.
WEAVE_MODEL_CHECK(future_twin_unset_promise_kept_alive, deadlock, .primitives = weave::model::transparent, .preemptions = 2) {
  weave::model::promise<int> p1, p2;
  weave::model::future<int> fs[2] = {p1.get_future(), p2.get_future()};
  thread producer([&] { (void)p1.set_value(1); });
  weave::wait_any(fs);
  weave::wait_all(fs);
  producer.join();
}

// F6: as_completed yields each future's index exactly once, in an order in
// which they finished, then nullopt; a future finished before the
// as_completed was made is yielded too (its callback runs at once).
WEAVE_MODEL_CHECK(future_as_completed_yields_each_once, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  weave::model::promise<int> p1, p2;
  weave::model::future<int> fs[2] = {p1.get_future(), p2.get_future()};
  (void)p1.set_value(1);  // finished before as_completed exists
  thread producer([&] { (void)p2.set_value(2); });
  weave::model::as_completed order(fs);
  const auto a = order.next();
  const auto b = order.next();
  WEAVE_CHECK(a && b && *a != *b && *a < 2 && *b < 2);
  WEAVE_CHECK(fs[*a].done() && fs[*b].done());
  WEAVE_CHECK(!order.next());
  producer.join();
}

// The twin: one promise is kept alive and never set: the second next() waits
// for it forever.
WEAVE_MODEL_CHECK(future_twin_as_completed_unset_promise, deadlock, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  weave::model::promise<int> p1, p2;
  weave::model::future<int> fs[2] = {p1.get_future(), p2.get_future()};
  thread producer([&] { (void)p1.set_value(1); });
  weave::model::as_completed order(fs);
  (void)order.next();
  (void)order.next();
  producer.join();
}
