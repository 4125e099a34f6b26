// stress.holders — the pipe's holder table (weave/detail/holders.hpp) on real
// threads, bounded in count and time. Every answer is counted exactly.
//
// Phase 1 (hold racing in_use, H5): per round a fresh end record; one thread
//   takes a slot for this process (hold) while another asks in_use() over and
//   over, from before the hold starts until after it returned. Before the hold
//   nobody held the end yet (which counts as in use) and after it a live
//   process holds it, so every answer must be "in use": the count of "not in
//   use" answers must be 0.
// Phase 2 (owner hand-over racing in_use, H6): one thread hands the end over
//   between two live processes (this one and its parent) as fast as it can;
//   another asks in_use(). The owner always lives, so every answer must be
//   "in use": the count of "not in use" answers must be 0.
//
// Budget: WEAVE_STRESS_SECONDS (stress/common.hpp). Phase 1 stops after
// 200,000 rounds (50,000 under TSan) or 1.5 times the budget, phase 2 after
// 100,000 questions (25,000 under TSan; each asks /proc) or one budget,
// whichever comes first.
#include <atomic>
#include <cinttypes>
#include <cstdint>
#include <new>
#include <thread>

#include <unistd.h>

#include "common.hpp"
#include "weave/detail/holders.hpp"

namespace {

using namespace weave::stress;
using weave::detail::end_record;

constexpr std::uint64_t rounds = weave::tsan_build ? 50'000 : 200'000;     // phase 1
constexpr std::uint64_t questions_max = rounds / 2;                           // phase 2

// Spins until word == want: busy for a while (so both threads are on a core
// when the round starts), then yielding (the machine may have fewer cores
// than threads).
void await(const std::atomic<std::uint64_t>& word, std::uint64_t want) {
  // acquire: pairs with the partner's release store of want.
  for (int i = 0; word.load(std::memory_order_acquire) != want; ++i)
    if (i >= 1024) std::this_thread::yield();
}

void phase_hold_races_in_use() {
  const std::uint32_t me = static_cast<std::uint32_t>(getpid());
  const std::uint64_t mine = end_record::encode(weave::detail::identity_of(me), false);
  alignas(64) unsigned char storage[sizeof(end_record)];
  auto* const rec = new (storage) end_record();
  // Round r: the holder makes a fresh record and says go = r; the asker says
  // asking = r and asks until it saw held = r (and once more), then done = r.
  std::atomic<std::uint64_t> go{0}, asking{0}, held{0}, done{0};
  std::uint64_t false_answers = 0, bad_rounds = 0, questions = 0, played = 0;
  const time_limit lim(1.5);
  run_threads(2, [&](int id) {
    for (std::uint64_t r = 1; r <= rounds; ++r) {
      if (id == 0) {
        if (r % 256 == 0 && lim.expired()) {
          go.store(~std::uint64_t{0}, std::memory_order_release);  // pairs with await() in the asker: stop
          return;
        }
        new (storage) end_record();  // fresh: the asker finished the last round (done)
        go.store(r, std::memory_order_release);  // pairs with the asker's load in its await loop
        await(asking, r);
        for (std::uint64_t k = 0; k < r % 16; ++k) weave::real_sync::spin();  // sweep the hold across the asker's questions
        (void)rec->hold(mine);
        held.store(r, std::memory_order_release);  // pairs with the asker's acquire load
        await(done, r);
        played = r;
      } else {
        // acquire: pairs with the holder's release stores of go.
        std::uint64_t g;
        for (int i = 0; (g = go.load(std::memory_order_acquire)) != r; ++i) {
          if (g == ~std::uint64_t{0}) return;
          if (i >= 1024) std::this_thread::yield();
        }
        asking.store(r, std::memory_order_release);  // pairs with await() in the holder
        std::uint64_t wrong = 0;
        bool last = false;
        do {
          last = held.load(std::memory_order_acquire) == r;  // pairs with the holder's release store
          ++questions;
          if (!rec->in_use(me)) ++wrong;
          if (questions % 64 == 0) std::this_thread::yield();  // the holder may share our core
        } while (!last);
        false_answers += wrong;
        bad_rounds += wrong != 0;
        done.store(r, std::memory_order_release);  // pairs with await() in the holder
      }
    }
  });
  note("phase 1 (hold racing in_use): %" PRIu64 " rounds, %" PRIu64 " questions, %" PRIu64
       " false \"not in use\" answers in %" PRIu64 " rounds\n",
       played, questions, false_answers, bad_rounds);
  require(false_answers == 0, "phase 1: in_use() said \"not in use\" while a live holder was attaching");
}

void phase_handover_races_in_use() {
  const weave::detail::process_identity self = weave::detail::identity_of(static_cast<std::uint32_t>(getpid()));
  const weave::detail::process_identity parent = weave::detail::identity_of(static_cast<std::uint32_t>(getppid()));
  require(self.start != 0 && parent.start != 0, "phase 2: /proc gives no start times");
  end_record rec;
  rec.claim(self);
  std::atomic<bool> stop{false};
  std::uint64_t false_answers = 0, questions = 0, handovers = 0;
  const time_limit lim(1.0);
  run_threads(2, [&](int id) {
    if (id == 0) {
      // relaxed: a stop flag; nothing rides on it.
      while (!stop.load(std::memory_order_relaxed)) {
        rec.claim((handovers & 1) != 0 ? self : parent);
        ++handovers;
      }
    } else {
      while (questions < questions_max && (questions % 256 != 0 || !lim.expired())) {
        ++questions;
        if (!rec.in_use(0)) ++false_answers;  // 0: the asker is neither owner
      }
      stop.store(true, std::memory_order_relaxed);  // relaxed: a stop flag
    }
  });
  note("phase 2 (owner hand-over racing in_use): %" PRIu64 " questions, %" PRIu64 " hand-overs, %" PRIu64
       " false \"not in use\" answers\n",
       questions, handovers, false_answers);
  require(false_answers == 0, "phase 2: in_use() said \"not in use\" while its owner lived");
}

}  // namespace

int main() {
  watchdog wd(60);
  phase_hold_races_in_use();
  phase_handover_races_in_use();
  note("ok\n");
  return 0;
}
