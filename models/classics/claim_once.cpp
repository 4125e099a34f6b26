// Claim once: two workers race to claim one job with a compare_exchange, and
// exactly one of them must run it.
//
// compare_exchange_weak may fail although the value was the expected one (a
// spurious failure). On machines with load-linked/store-conditional (ARM,
// POWER, RISC-V) the store half fails when anything disturbs the reservation
// between the two, such as an interrupt or another core touching the cache
// line. C++ allows it everywhere ([atomics.types.operations]), so a weak
// exchange belongs in a loop that tries again while the value is still the
// one expected. Tried once, as a strong one would be, both workers can fail,
// each believes the other has the job, and nobody runs it.
//
// The checker explores a spurious failure of every compare_exchange_weak
// (options::spurious_wakeups: one a thread by default), so the buggy twin
// fails at once. The two fixes: the weak exchange in its loop, or one try of
// compare_exchange_strong, which fails only when the value differs. Python
// has no such call: its locks' acquire(blocking=False) never fails spuriously.
#include "weave/model.hpp"

namespace {
using weave::model::thread;
template <class T>
using atomic = weave::model_sync::atomic<T>;
// relaxed: only which worker claims the job matters; nothing is published
// through the claim, and the count is read after the joins.
constexpr auto rlx = std::memory_order_relaxed;

enum class claim_by { weak_once, weak_loop, strong_once };

// Whether this worker claimed the job (claimed: 0 free, 1 taken).
bool claim(atomic<int>& claimed, claim_by how) {
  int expected = 0;
  if (how == claim_by::strong_once) return claimed.compare_exchange_strong(expected, 1, rlx, rlx);
  if (how == claim_by::weak_once) return claimed.compare_exchange_weak(expected, 1, rlx, rlx);
  while (!claimed.compare_exchange_weak(expected, 1, rlx, rlx))
    if (expected != 0) return false;  // another worker has it; else a spurious failure: again
  return true;
}

void two_workers(claim_by how) {
  atomic<int> claimed{0, "claimed"};
  atomic<int> runs{0, "runs"};
  auto worker = [&] {
    if (claim(claimed, how)) runs.fetch_add(1, rlx);  // runs the job
  };
  thread a{"worker_A", worker}, b{"worker_B", worker};
  a.join();
  b.join();
  WEAVE_CHECK(runs.load(rlx) == 1);  // the job runs, and only once
}
}  // namespace

// Buggy: one try of the weak exchange; both can fail spuriously.
WEAVE_MODEL_CHECK(classic_claim_twin_weak_tried_once, check_failed) { two_workers(claim_by::weak_once); }

WEAVE_MODEL_CHECK(classic_claim_weak_in_a_loop, pass) { two_workers(claim_by::weak_loop); }

WEAVE_MODEL_CHECK(classic_claim_strong_once, pass) { two_workers(claim_by::strong_once); }
