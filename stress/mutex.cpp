// stress.mutex — weave::mutex on real threads, bounded in count and time.
//
// Phase 1 (exclusion): 4 threads increment one plain (non-atomic) counter under
//   the mutex. Inside the critical section each thread also writes its id to a
//   plain `owner` and checks it is still its own after the increment: two
//   holders at once fail the run (and are a data race TSan reports). The total
//   must equal the sum of the per-thread counts exactly.
// Phase 2 (mixed acquisition): the same with lock(), try_lock() (retried),
//   try_lock_for() and try_lock_until() with short timeouts mixed at random, and
//   now and then a 100 us hold, so timed-out waiters leave the word in state 2
//   behind them (mutex.hpp I3) while others park and wake. Every successful acquisition appends a unique
//   value (thread, sequence) to a plain shared vector; the vector's checksum
//   must equal the checksum of what each thread says it appended: nothing lost,
//   nothing duplicated, nothing torn.
// Phase 3 (parking): critical sections hold the mutex for a few microseconds,
//   so waiters run out of spins and park; an exact count again.
//
// Budget: WEAVE_STRESS_SECONDS (stress/common.hpp), split 40/40/20 over the
// phases; each phase also stops after a fixed number of operations.
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <random>
#include <vector>

#include "common.hpp"
#include "weave/mutex.hpp"

namespace {

using namespace weave::stress;
using namespace std::chrono_literals;

constexpr int threads = 4;

void phase_exclusion() {
  weave::mutex m;
  std::uint64_t counter = 0;  // plain: protected by m
  int owner = -1;             // plain: protected by m
  std::vector<std::uint64_t> mine(threads, 0);
  constexpr std::uint64_t max_per_thread = 2'000'000;
  const time_limit lim(0.4);
  run_threads(threads, [&](int id) {
    std::uint64_t n = 0;
    while (n < max_per_thread && (n % 256 != 0 || !lim.expired())) {
      m.lock();
      owner = id;
      ++counter;
      require(owner == id, "phase 1: another thread entered the critical section");
      m.unlock();
      ++n;
    }
    mine[static_cast<std::size_t>(id)] = n;
  });
  std::uint64_t expected = 0;
  for (std::uint64_t n : mine) expected += n;
  require(!m.is_locked(), "phase 1: mutex left locked");
  require(counter == expected, "phase 1: counter " + std::to_string(counter) + " != " + std::to_string(expected));
  note("phase 1 (lock/unlock, %d threads): %" PRIu64 " increments, exact\n", threads, counter);
}

void phase_mixed() {
  weave::mutex m;
  std::vector<std::uint64_t> log;  // plain: protected by m
  log.reserve(1 << 16);
  std::vector<checksum> put(threads);
  std::vector<std::uint64_t> timeouts(threads, 0);
  std::vector<std::uint64_t> failed_try(threads, 0);
  constexpr std::uint64_t max_per_thread = 400'000;
  const time_limit lim(0.4);
  run_threads(threads, [&](int id) {
    std::minstd_rand rng(static_cast<unsigned>(id) * 7919u + 1u);
    checksum& sum = put[static_cast<std::size_t>(id)];
    std::uint64_t seq = 0;
    while (seq < max_per_thread && (seq % 64 != 0 || !lim.expired())) {
      bool got = false;
      switch (rng() % 4) {
        case 0:
          m.lock();
          got = true;
          break;
        case 1:
          got = m.try_lock();
          if (!got) ++failed_try[static_cast<std::size_t>(id)];
          break;
        case 2:
          got = m.try_lock_for(std::chrono::microseconds(rng() % 200));
          if (!got) ++timeouts[static_cast<std::size_t>(id)];
          break;
        default:
          got = m.try_lock_until(std::chrono::steady_clock::now() + std::chrono::microseconds(rng() % 200));
          if (!got) ++timeouts[static_cast<std::size_t>(id)];
          break;
      }
      if (!got) continue;
      if (rng() % 64 == 0) {
        // Now and then hold the mutex for 100 us, longer than many of the timed
        // waits above, so they really time out while others park and wake.
        const auto until = std::chrono::steady_clock::now() + 100us;
        while (std::chrono::steady_clock::now() < until) {
        }
      }
      const std::uint64_t value = (static_cast<std::uint64_t>(id) << 40) | seq;
      log.push_back(value);
      m.unlock();
      sum.add(value);
      ++seq;
    }
  });
  checksum expected;
  for (const checksum& c : put) expected.merge(c);
  checksum got;
  for (std::uint64_t v : log) got.add(v);
  std::uint64_t total_timeouts = 0;
  std::uint64_t total_failed = 0;
  for (int i = 0; i < threads; ++i) {
    total_timeouts += timeouts[static_cast<std::size_t>(i)];
    total_failed += failed_try[static_cast<std::size_t>(i)];
  }
  require(!m.is_locked(), "phase 2: mutex left locked");
  require(got == expected, "phase 2: log checksum " + got.str() + " != appended " + expected.str());
  note("phase 2 (lock/try_lock/try_lock_for/until): %" PRIu64 " acquisitions, %" PRIu64
       " timed out, %" PRIu64 " failed try_lock, checksum %s matches\n",
       got.count, total_timeouts, total_failed, got.str().c_str());
}

void phase_parking() {
  weave::mutex m;
  std::uint64_t counter = 0;  // plain: protected by m
  std::vector<std::uint64_t> mine(threads, 0);
  constexpr std::uint64_t max_per_thread = 20'000;
  const time_limit lim(0.2);
  run_threads(threads, [&](int id) {
    std::uint64_t n = 0;
    while (n < max_per_thread && !lim.expired()) {
      m.lock();
      const std::uint64_t before = counter;
      // Hold for a few microseconds: longer than the spin budget, so waiters park.
      const auto until = std::chrono::steady_clock::now() + 5us;
      while (std::chrono::steady_clock::now() < until) {
      }
      counter = before + 1;
      m.unlock();
      ++n;
    }
    mine[static_cast<std::size_t>(id)] = n;
  });
  std::uint64_t expected = 0;
  for (std::uint64_t n : mine) expected += n;
  require(!m.is_locked(), "phase 3: mutex left locked");
  require(counter == expected, "phase 3: counter " + std::to_string(counter) + " != " + std::to_string(expected));
  note("phase 3 (5 us critical sections, waiters park): %" PRIu64 " increments, exact\n", counter);
}

}  // namespace

int main() {
  watchdog wd(30.0 + 5.0 * budget().count());
  note("mutex: budget %.1f s (WEAVE_STRESS_SECONDS)\n", budget().count());
  phase_exclusion();
  phase_mixed();
  phase_parking();
  note("mutex: ok\n");
  return 0;
}
