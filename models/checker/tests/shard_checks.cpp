// The checks checker.shard_merge runs (shard_merge_test.cmake): one with a
// known count, one with a planted bug, one whose one failing schedule lies
// in a second worker's slice, and two declared wrongly on purpose
// (a bug where it says pass, none where it says check_failed) so the
// runner's exit status and its JUnit <failure> can be seen.
#include "known_bodies.hpp"
#include "weave/model.hpp"

namespace {

template <class T>
using atomic = weave::model_sync::atomic<T>;
using weave::model::thread;
constexpr auto rlx = std::memory_order_relaxed;  // counts only: nothing is published

// Two read-then-write increments: one can overwrite the other.
int lost_update() {
  atomic<int> x(0);
  thread a([&] { x.store(x.load(rlx) + 1, rlx); });
  thread b([&] { x.store(x.load(rlx) + 1, rlx); });
  a.join();
  b.join();
  return x.load(rlx);
}

}  // namespace

// 6! / (2! 2! 2!) = 90 executions.
WEAVE_MODEL_CHECK(shard_count_three_by_two, pass, .spurious_wakeups = 0) { weave::model::test::increments(3, 2); }

// The same, declared bounded to one preemption (fewer executions): the
// runner's --preemptions none lifts the bound.
WEAVE_MODEL_CHECK(shard_count_bounded, pass, .preemptions = 1, .spurious_wakeups = 0) {
  weave::model::test::increments(3, 2);
}

WEAVE_MODEL_CHECK(shard_lost_update, check_failed) { WEAVE_CHECK(lost_update() == 2); }

// Declared pass, but it is the lost update: a mismatch (exit status 1).
WEAVE_MODEL_CHECK(shard_misdeclared, pass) {
  const int x = lost_update();
  WEAVE_CHECK(x > 1 && x < 3);
}

// Declared check_failed, but the increments are atomic: nothing fails, a
// mismatch (exit status 1). A buggy twin whose bug goes unfound must fail
// the run, whole, split across --jobs, or in shards merged.
WEAVE_MODEL_CHECK(shard_unfound_bug, check_failed) { weave::model::test::increments(2, 1); }

// Fails in one schedule of C(16, 8) = 12,870: the one where a takes every
// other turn, starting with the second. Split in slices, it lies in one
// worker's slice, and not the first's: with --shard 1/2 or 2/2 and --jobs 2,
// the second worker of one of them finds it.
WEAVE_MODEL_CHECK(shard_one_failing_schedule, check_failed, .spurious_wakeups = 0) {
  atomic<int> turn(0);
  unsigned mine = 0;  // a's turns, a bit each
  thread a([&] {
    for (int k = 0; k < 8; ++k) mine |= 1u << turn.fetch_add(1, rlx);
  });
  thread b([&] {
    for (int k = 0; k < 8; ++k) turn.fetch_add(1, rlx);
  });
  a.join();
  b.join();
  WEAVE_CHECK(mine != 0xAAAA);
}
