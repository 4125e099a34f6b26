// weave::timer under the checker: cancel() racing the fire. Exactly one of
// "fn ran" and "cancel() returned cancelled" happens (T1, T2); the checker
// explores the timer's sleep ending by time-out and by the cancel's wake.
// The twin cancels by looking at the state and then storing "cancelled".
#include "weave/model.hpp"
#include "weave/timer.hpp"

namespace {
using S = weave::model_sync;
using weave::timer_status;

struct look_then_cancel_timer : weave::model::timer {
  using weave::model::timer::timer;
  // BUG: a look, then a store: the timer's thread may fire in between.
  timer_status cancel_after_look() {
    if (state_.load(std::memory_order_acquire) == fired) return timer_status::fired;  // acquire: as cancel()'s
    state_.store(cancelled, std::memory_order_release);  // release: as cancel()'s CAS
    wake_.set();
    return timer_status::cancelled;
  }
};

template <class Timer, class Cancel>
void cancel_racing_fire(Cancel cancel) {
  S::atomic<int> ran(0);
  Timer t(std::chrono::milliseconds(1), [&] { ran.fetch_add(1, std::memory_order_relaxed); });  // relaxed: read after join
  t.start();
  const timer_status st = cancel(t);
  t.join();
  const int n = ran.load(std::memory_order_relaxed);  // relaxed: after join
  WEAVE_CHECK(n == (st == timer_status::fired ? 1 : 0));
}
}  // namespace

WEAVE_MODEL_CHECK(timer_cancel_racing_fire_one_wins, pass, .primitives = weave::model::transparent) {
  cancel_racing_fire<weave::model::timer>([](weave::model::timer& t) { return t.cancel(); });
}

WEAVE_MODEL_CHECK(timer_twin_cancel_after_look, check_failed, .primitives = weave::model::transparent) {
  cancel_racing_fire<look_then_cancel_timer>([](look_then_cancel_timer& t) { return t.cancel_after_look(); });
}
