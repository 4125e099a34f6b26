// stress.recursive_mutex — weave::recursive_mutex on real threads, bounded in
// count and time.
//
// 4 threads each take the mutex and re-enter it to a depth of 1 to 3 (chosen at
// random per round), using lock(), try_lock() (retried), try_lock_for() and
// try_lock_until() at the outer level and at every inner level, and increment a
// plain (non-atomic) counter once at every level. Inside, each thread writes its
// id to a plain `owner` and checks it after each level: two holders at once
// fail the run (and are a data race TSan reports). Now and then a thread releases
// everything with unlock_all() and takes it back with lock_restore() in the
// middle (what a condition variable does), letting the others in. At the end the
// counter must equal the sum of what every thread counted, exactly, and the
// mutex must be free.
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <random>
#include <vector>

#include "common.hpp"
#include "weave/recursive_mutex.hpp"

namespace {

using namespace weave::stress;
using namespace std::chrono_literals;

constexpr int threads = 4;

// One level of locking, chosen by `how`; returns false only if a timed attempt
// timed out (then the level was not taken).
bool take(weave::recursive_mutex& m, unsigned how) {
  switch (how % 4) {
    case 0: m.lock(); return true;
    case 1:
      while (!m.try_lock()) std::this_thread::yield();
      return true;
    case 2: return m.try_lock_for(20us);
    default: return m.try_lock_until(std::chrono::steady_clock::now() + 20us);
  }
}

}  // namespace

int main() {
  watchdog wd(60);
  weave::recursive_mutex m;
  std::uint64_t counter = 0;  // plain: protected by m
  int owner = -1;             // plain: protected by m
  std::vector<std::uint64_t> counted(threads, 0), rounds(threads, 0), timeouts(threads, 0), restores(threads, 0);
  constexpr std::uint64_t max_rounds = 400'000;
  const time_limit lim(0.8);
  run_threads(threads, [&](int id) {
    std::minstd_rand rng(static_cast<unsigned>(id) * 7919u + 1u);
    const auto me = static_cast<std::size_t>(id);
    for (std::uint64_t r = 0; r < max_rounds && (r % 128 != 0 || !lim.expired()); ++r) {
      const unsigned depth = 1 + rng() % 3;
      if (!take(m, rng())) {
        ++timeouts[me];
        continue;
      }
      owner = id;
      ++counter;
      ++counted[me];
      for (unsigned level = 2; level <= depth; ++level) {
        // Re-entry: every form must succeed at once, timed ones included.
        require(take(m, rng()), "a re-entering timed lock timed out");
        require(m.depth() == level, "depth after re-entry");
        require(owner == id, "another thread entered while held");
        ++counter;
        ++counted[me];
      }
      if (rng() % 64 == 0) {
        const std::uint32_t d = m.unlock_all();
        require(d == depth, "unlock_all returned the depth");
        m.lock_restore(d);
        owner = id;  // others may have been in
        require(m.depth() == depth, "lock_restore gave the depth back");
        ++restores[me];
      }
      require(owner == id, "another thread entered while held");
      for (unsigned level = depth; level >= 1; --level) {
        require(m.depth() == level, "depth before unlock");
        m.unlock();
      }
      ++rounds[me];
    }
  });
  std::uint64_t total = 0, all_rounds = 0, all_timeouts = 0, all_restores = 0;
  for (int i = 0; i < threads; ++i) {
    const auto k = static_cast<std::size_t>(i);
    total += counted[k];
    all_rounds += rounds[k];
    all_timeouts += timeouts[k];
    all_restores += restores[k];
  }
  require(counter == total, "counter equals the sum of the per-thread counts");
  require(!m.is_locked(), "free at the end");
  require(all_rounds > 0, "some rounds ran");
  note("ok: %" PRIu64 " rounds, %" PRIu64 " increments, %" PRIu64 " timed out, %" PRIu64
       " unlock_all/lock_restore\n",
       all_rounds, total, all_timeouts, all_restores);
  return 0;
}
