// stress.barrier — weave::barrier on real threads, bounded in count and time.
//
// Phase 1, many phases: 4 parties pass the same barrier phase after phase
// (wait(), or wait_for() with a long timeout that must not expire). The
// completion function counts itself, writes a plain per-phase value and decides
// (plainly, at the phase's end, when it is alone) whether this phase is the
// last. Checks: in every phase the parties' arrival indices are a permutation
// of [0, 4); the completion ran exactly once per phase; every party, after
// every phase, reads the value its completion wrote (the barrier must order
// the completion before the parties' release: a missing happens-before is also
// a data race TSan reports).
//
// Phase 2, episodes: in turn, (a) 3 parties wait and another thread calls
// abort(): all 3 get weave::broken_barrier, broken() is true and a later wait
// throws at once, until reset(); (b) 3 parties wait and another thread calls
// reset(): all 3 get broken_barrier and the barrier is not broken afterwards;
// (c) 2 parties wait and a third times out in wait_for(): it gets nullopt, the
// 2 get broken_barrier, broken() is true until reset(). After each episode the
// barrier (reset if needed) must run full phases again, with the completion
// counted once per phase.
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <optional>
#include <vector>

#include "common.hpp"
#include "weave/barrier.hpp"

namespace {

using namespace weave::stress;
using namespace std::chrono_literals;

constexpr int parties = 4;

// Waits until bar has `n` parties waiting in the filling phase.
void await_waiting(weave::barrier& bar, std::ptrdiff_t n) {
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (bar.n_waiting() != n) {
    require(std::chrono::steady_clock::now() < give_up, "parties never all waiting");
    std::this_thread::sleep_for(100us);
  }
}

}  // namespace

int main() {
  watchdog wd(60);
  constexpr std::uint64_t max_phases = 30'000;
  std::uint64_t completions = 0;  // plain: written by the completion only
  std::uint64_t value = 0;        // plain: written by the completion, read by parties after wait
  bool last_phase = false;        // plain: likewise
  const time_limit lim(0.6);
  weave::barrier bar(parties, [&] {
    ++completions;
    value = mix(completions);
    last_phase = completions == max_phases || (completions % 64 == 0 && lim.expired());
  });

  // Phase 1.
  std::vector<std::vector<std::uint8_t>> index(parties);  // index[party][phase]
  std::vector<std::uint64_t> phases_seen(parties, 0), timed(parties, 0);
  run_threads(parties, [&](int id) {
    const auto me = static_cast<std::size_t>(id);
    auto& mine = index[me];
    mine.reserve(max_phases);
    for (std::uint64_t p = 1;; ++p) {
      std::size_t i = 0;
      if ((p + me) % 3 == 0) {
        const std::optional<std::size_t> r = bar.wait_for(30s);
        require(r.has_value(), "a long wait_for timed out");
        i = *r;
        ++timed[me];
      } else {
        i = bar.wait();
      }
      require(i < parties, "arrival index out of range");
      mine.push_back(static_cast<std::uint8_t>(i));
      require(completions == p, "completion count differs from the phase number");
      require(value == mix(p), "a party did not see its phase's completion value");
      phases_seen[me] = p;
      if (last_phase) break;
    }
  });
  const std::uint64_t phases = completions;
  std::uint64_t all_timed = 0;
  for (int id = 0; id < parties; ++id) {
    require(phases_seen[static_cast<std::size_t>(id)] == phases, "a party passed a different number of phases");
    all_timed += timed[static_cast<std::size_t>(id)];
  }
  for (std::uint64_t p = 0; p < phases; ++p) {
    unsigned seen = 0;
    for (int id = 0; id < parties; ++id) seen |= 1u << index[static_cast<std::size_t>(id)][p];
    require(seen == (1u << parties) - 1, "a phase's arrival indices are not a permutation of [0, parties)");
  }
  require(!bar.broken() && bar.n_waiting() == 0, "barrier idle and unbroken after the phases");
  note("phases ok: %" PRIu64 " phases x %d parties (%" PRIu64 " timed waits), completion once per phase\n",
       phases, parties, all_timed);

  // Phase 2.
  constexpr int episodes = 30;
  last_phase = false;  // no party is inside: plain write before the threads start
  int broken_seen = 0, timeouts = 0;
  for (int e = 0; e < episodes; ++e) {
    const int kind = e % 3;  // 0: abort, 1: reset, 2: timeout
    const int waiting = kind == 2 ? parties - 2 : parties - 1;
    std::atomic<int> got_broken{0}, returned{0};
    run_threads(waiting + 1, [&](int id) {
      if (id < waiting) {
        try {
          (void)bar.wait();
          returned.fetch_add(1);
        } catch (const weave::broken_barrier&) {
          got_broken.fetch_add(1);
        }
        return;
      }
      await_waiting(bar, waiting);
      if (kind == 0) {
        bar.abort();
      } else if (kind == 1) {
        bar.reset();
      } else {
        require(!bar.wait_for(2ms).has_value(), "a lone wait_for did not time out");
        ++timeouts;
      }
    });
    require(returned.load() == 0, "a wait returned normally in a broken phase");
    require(got_broken.load() == waiting, "not every waiting party got broken_barrier");
    broken_seen += got_broken.load();
    if (kind == 1) {
      require(!bar.broken(), "broken after reset()");
    } else {
      require(bar.broken(), "not broken after abort() or a timeout");
      bool threw = false;
      try {
        (void)bar.wait();
      } catch (const weave::broken_barrier&) {
        threw = true;
      }
      require(threw, "a wait on a broken barrier did not throw");
      bar.reset();
      require(!bar.broken(), "broken after reset()");
    }
    require(bar.n_waiting() == 0, "parties left waiting after the episode");
    // The barrier works again: a few full phases, one completion each.
    const std::uint64_t before = completions;
    run_threads(parties, [&](int) {
      for (int k = 0; k < 3; ++k) (void)bar.wait();
    });
    require(completions == before + 3, "completion count after an episode");
  }
  note("episodes ok: %d (abort, reset, timeout), %d broken_barrier, %d timeouts, %" PRIu64 " completions\n",
       episodes, broken_seen, timeouts, completions);
  return 0;
}
