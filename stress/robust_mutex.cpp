// stress.robust_mutex — weave::robust_mutex on real threads, bounded in count
// and time.
//
// Phase 1 (exclusion, no deaths): 4 threads increment a plain counter under
//   the mutex with lock() and try_lock_for() mixed at random; inside the
//   critical section each writes its id to a plain `owner` and checks it after
//   the increment. Every acquisition must report acquired (a live owner is
//   never taken over: R1), and the total must equal the sum of the per-thread
//   counts exactly.
// Phase 2 (deaths; not under ThreadSanitizer, which reports a takeover from a
//   dead thread as a double lock): rounds of 3 short-lived threads share a
//   two-field record (a, b) under the mutex, kept equal by every critical
//   section. In each round one thread, after some increments, does half an
//   update (a += 1) and ends holding the mutex: it died. The next locker must
//   get owner_dead exactly once per death, see a == b + 1, repair (b = a) and
//   call consistent(); every other acquisition must report acquired and see
//   a == b. The totals (a, and the per-thread counts plus deaths) must agree.
//
// Budget: WEAVE_STRESS_SECONDS (stress/common.hpp), split 50/50 over the
// phases; each phase also stops after a fixed number of operations. A death
// costs the waiters up to one liveness slice (100 ms), so phase 2 keeps to a
// few rounds.
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "common.hpp"
#include "weave/robust_mutex.hpp"

namespace {

using namespace weave::stress;
using namespace std::chrono_literals;
using weave::lock_status;

void phase_exclusion() {
  constexpr int threads = 4;
  weave::robust_mutex m;
  std::uint64_t counter = 0;  // plain: protected by m
  int owner = -1;             // plain: protected by m
  std::vector<std::uint64_t> mine(threads, 0);
  std::vector<std::uint64_t> timeouts(threads, 0);
  constexpr std::uint64_t max_per_thread = 500'000;
  const time_limit lim(0.5);
  run_threads(threads, [&](int id) {
    std::minstd_rand rng(static_cast<unsigned>(id) * 7919u + 1u);
    std::uint64_t n = 0;
    while (n < max_per_thread && (n % 256 != 0 || !lim.expired())) {
      const lock_status s = rng() % 4 == 0 ? m.try_lock_for(20us) : m.lock();
      if (s == lock_status::timeout) {
        ++timeouts[static_cast<std::size_t>(id)];
        continue;
      }
      require(s == lock_status::acquired, std::string("phase 1: lock reported ") + weave::to_string(s));
      owner = id;
      ++counter;
      require(owner == id, "phase 1: another thread entered the critical section");
      m.unlock();
      ++n;
    }
    mine[static_cast<std::size_t>(id)] = n;
  });
  std::uint64_t expected = 0, timed_out = 0;
  for (int i = 0; i < threads; ++i) {
    expected += mine[static_cast<std::size_t>(i)];
    timed_out += timeouts[static_cast<std::size_t>(i)];
  }
  require(!m.is_locked() && m.is_consistent(), "phase 1: mutex left locked or inconsistent");
  require(counter == expected, "phase 1: counter " + std::to_string(counter) + " != " + std::to_string(expected));
  note("phase 1 (lock/try_lock_for, %d threads): %" PRIu64 " increments, exact; %" PRIu64 " timed out\n", threads,
       counter, timed_out);
}

void phase_deaths() {
  if (weave::tsan_build) {
    note("phase 2 skipped under ThreadSanitizer (a takeover from a dead thread looks like a double lock)\n");
    return;
  }
  constexpr int threads = 3;
  constexpr int max_rounds = 8;
  weave::robust_mutex m;
  std::uint64_t a = 0, b = 0;  // plain: protected by m; a == b outside a dead thread's half update
  std::uint64_t done = 0, repairs = 0;  // plain: protected by m
  int rounds = 0;
  const time_limit lim(0.5);
  for (; rounds < max_rounds && (rounds < 2 || !lim.expired()); ++rounds) {
    const int victim = rounds % threads;
    run_threads(threads, [&](int id) {
      std::minstd_rand rng(static_cast<unsigned>(rounds * threads + id) * 7919u + 1u);
      const int steps = 200 + static_cast<int>(rng() % 800);
      for (int i = 0; i < steps; ++i) {
        const lock_status s = m.lock();
        if (s == lock_status::owner_dead) {
          require(a == b + 1, "phase 2: owner_dead without the dead thread's half update");
          b = a;  // repair
          ++repairs;
          m.consistent();
        } else {
          require(s == lock_status::acquired, std::string("phase 2: lock reported ") + weave::to_string(s));
          require(a == b, "phase 2: acquired (not owner_dead) while the record was half updated");
        }
        ++a;
        ++b;
        ++done;
        if (id == victim && i == steps / 2) {
          ++a;  // half an update; then this thread ends holding the mutex
          return;
        }
        m.unlock();
      }
    });
    // The victim may have died after everybody else finished: take it over here.
    const lock_status s = m.lock();
    if (s == lock_status::owner_dead) {
      require(a == b + 1, "phase 2: owner_dead without the dead thread's half update");
      b = a;
      ++repairs;
      m.consistent();
    } else {
      require(s == lock_status::acquired && a == b, "phase 2: the round ended in a bad state");
    }
    m.unlock();
  }
  const auto deaths = static_cast<std::uint64_t>(rounds);
  require(repairs == deaths, "phase 2: " + std::to_string(repairs) + " repairs for " + std::to_string(deaths) +
                                 " deaths (owner_dead must come exactly once per death)");
  require(a == done + deaths && b == a, "phase 2: the record's totals do not add up");
  require(!m.is_locked() && m.is_consistent(), "phase 2: mutex left locked or inconsistent");
  note("phase 2 (a thread dies holding the mutex each round): %d rounds, %" PRIu64
       " critical sections, one owner_dead per death, exact\n",
       rounds, done);
}

}  // namespace

int main() {
  watchdog wd(30.0 + 5.0 * budget().count());
  note("robust_mutex: budget %.1f s (WEAVE_STRESS_SECONDS)\n", budget().count());
  phase_exclusion();
  phase_deaths();
  note("robust_mutex: ok\n");
  return 0;
}
