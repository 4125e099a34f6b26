// An event wait that times out:
//
//   answered = threading.Event()
//   answered.wait(timeout=0.01)       # False when nobody set it in time
//   print(answer)                     # assumes it was set
//
// wait_for returns false on a time-out (Python's wait returns False), and the
// helper may simply be slow. The buggy twin ignores the result and reads an
// answer that may not be there yet; the fixed twin reads it only when the wait
// says the event was set, and otherwise falls back. The answer is a relaxed
// atomic so the buggy read is a wrong value (not a race) and the fixed one is
// ordered by the event. A second pair asks again until answered: it ends when
// the helper is only slow, and never when the helper forgets to set the event.
#include <chrono>

#include "weave/event.hpp"
#include "weave/model.hpp"

namespace {
using weave::model::thread;
using S = weave::model_sync;
using namespace std::chrono_literals;

void ask_helper(bool handle_timeout) {
  weave::model::event answered{"answered"};
  S::atomic<int> answer{0, "answer"};
  thread helper{"helper", [&] {
    answer.store(42, std::memory_order_relaxed);  // relaxed: answered.set() publishes it
    answered.set();
  }};
  const bool in_time = answered.wait_for(10ms);
  // relaxed: when in_time, the set() that ended the wait happened before this load
  const int got = answer.load(std::memory_order_relaxed);
  if (handle_timeout) {
    if (in_time) WEAVE_CHECK(got == 42);  // else: give up, or ask again
  } else {
    WEAVE_CHECK(got == 42);  // BUG: assumes the wait never times out
  }
  helper.join();
}

// Asking again until answered (Python: `while not answered.wait(0.01): pass`).
// A slow helper that is alive answers in the end: while the loop sleeps, a
// fair scheduler runs the helper, and the checker runs it before the loop's
// fourth time-out in a row (options::late_time_outs; the search is then
// bounded, and says so). The twin's helper never sets the event: the loop
// asks for ever, a livelock.
void ask_until_answered(bool helper_sets) {
  weave::model::event answered{"answered"};
  S::atomic<int> answer{0, "answer"};
  thread helper{"helper", [&] {
    answer.store(42, std::memory_order_relaxed);  // relaxed: answered.set() publishes it
    if (helper_sets) answered.set();              // the twin: BUG, forgets to set it
  }};
  while (!answered.wait_for(10ms)) {
  }
  WEAVE_CHECK(answer.load(std::memory_order_relaxed) == 42);  // relaxed: the set() that ended the wait came first
  helper.join();
}
}  // namespace

WEAVE_MODEL_CHECK(classic_event_timeout_ignored, check_failed) { ask_helper(false); }
WEAVE_MODEL_CHECK(classic_event_timeout_handled, pass) { ask_helper(true); }
WEAVE_MODEL_CHECK(classic_event_timeout_asked_again, pass) { ask_until_answered(true); }
WEAVE_MODEL_CHECK(classic_event_timeout_twin_never_set, livelock) { ask_until_answered(false); }
