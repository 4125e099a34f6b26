// stress.process_pool — weave::process_pool with real worker processes, some of
// them killed, bounded in count and time.
//
// Rounds: each round makes a pool of 2 workers; 2 submitter threads submit
// tasks (value v; the worker adds mix(v) to a checksum in shared memory and
// returns mix(v)) until a shutdown thread, after a random short pause, calls
// shutdown(wait = true, cancel_pending = random). In every other round a
// killer thread SIGKILLs up to 3 workers (a random slot's pid) meanwhile.
// Each submit is accepted (a future) or refused (usage_error). After the round,
// every accepted future is done (shutdown(wait) returned) and exactly one of:
// a value, which must be mix(v) of its own v; broken_pool; cancelled. Totals:
// value + broken + cancelled == accepted; broken only in killing rounds and at
// most one per kill. Checksums: in rounds without kills, what the workers ran
// (in shared memory) equals what the futures returned, exactly (a task run
// twice, lost or run with the wrong argument shows up); in killing rounds the
// workers ran at least the returned tasks and at most those plus the broken
// ones. Every worker of every round is reaped by the time the pool is gone.
//
// fork() of a process that has run threads is fragile under ThreadSanitizer:
// there the run prints a note and passes (the unit fixture skips the same way).
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <new>
#include <random>
#include <thread>
#include <vector>

#include <cerrno>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "common.hpp"
#include "weave/process_pool.hpp"

namespace {

using namespace weave::stress;

// What the workers ran, in memory shared with them (mapped before any fork).
struct shared_sum {
  std::atomic<std::uint64_t> count{0}, sum{0}, xored{0};
};
shared_sum* ran = nullptr;

const auto work = weave::process_pool::register_function<std::uint64_t(std::uint64_t)>(
    "stress.process_pool.work", [](std::uint64_t v) {
      const std::uint64_t h = mix(v);
      // relaxed (all three): independent totals, read by the parent after
      // every worker was reaped (waitpid orders them).
      ran->count.fetch_add(1, std::memory_order_relaxed);
      ran->sum.fetch_add(h, std::memory_order_relaxed);
      ran->xored.fetch_xor(h, std::memory_order_relaxed);
      return h;
    });

struct totals {
  std::uint64_t accepted = 0, refused = 0, values = 0, broken = 0, cancelled = 0, kills = 0;
};

bool reaped(int pid) {
  int st = 0;
  return ::waitpid(pid, &st, WNOHANG) == -1 && errno == ECHILD;
}

totals one_round(unsigned seed, bool cancel_pending, bool killing, checksum& ran_all, checksum& got_all) {
  constexpr int submitters = 2;
  constexpr std::uint64_t max_per_submitter = 3000;
  ran->count.store(0);
  ran->sum.store(0);
  ran->xored.store(0);
  std::vector<std::vector<std::pair<std::uint64_t, weave::future<std::uint64_t>>>> futs(submitters);
  std::vector<std::uint64_t> refused(submitters, 0);
  std::atomic<std::uint64_t> kills{0};
  std::vector<int> seen_pids;
  {
    weave::process_pool pool(2);
    seen_pids = pool.worker_pids();
    std::atomic<bool> shut{false};
    run_threads(submitters + 2, [&](int id) {
      std::minstd_rand rng(seed * 131u + static_cast<unsigned>(id));
      if (id == submitters) {  // the shutdown thread
        std::this_thread::sleep_for(std::chrono::microseconds(2000 + rng() % 20000));
        pool.shutdown(true, cancel_pending);
        shut.store(true);
        return;
      }
      if (id == submitters + 1) {  // the killer
        while (killing && kills.load() < 3 && !shut.load()) {
          std::this_thread::sleep_for(std::chrono::microseconds(500 + rng() % 4000));
          const std::vector<int> pids = pool.worker_pids();
          const int pid = pids[rng() % pids.size()];
          // A pid read here may be reaped before the kill (W8); within
          // microseconds it is not reused, so the kill hits nobody else.
          if (pid > 0 && !shut.load() && ::kill(pid, SIGKILL) == 0) {
            kills.fetch_add(1);
            seen_pids.push_back(pid);  // only this thread appends while the round runs
          }
        }
        return;
      }
      const auto s = static_cast<std::size_t>(id);
      for (std::uint64_t k = 0; k < max_per_submitter; ++k) {
        const std::uint64_t v = (static_cast<std::uint64_t>(seed) << 40) | (static_cast<std::uint64_t>(id) << 32) | k;
        try {
          futs[s].emplace_back(v, pool.submit(work, v));
          if (rng() % 16 == 0) (void)futs[s].back().second.cancel();  // races the shepherd's start
        } catch (const weave::usage_error&) {
          ++refused[s];
          break;  // refused once: the pool is shut down
        }
      }
    });
  }
  for (int pid : seen_pids) require(pid == 0 || reaped(pid), "a worker was not reaped: " + std::to_string(pid));
  totals t;
  t.kills = kills.load();
  checksum got;
  for (int s = 0; s < submitters; ++s) {
    t.refused += refused[static_cast<std::size_t>(s)];
    for (auto& [v, f] : futs[static_cast<std::size_t>(s)]) {
      ++t.accepted;
      require(f.done(), "an accepted task's future is not done after shutdown(wait)");
      if (f.cancelled()) {
        ++t.cancelled;
        continue;
      }
      try {
        require(f.get() == mix(v), "a task returned another task's value");
        got.add(v);
        ++t.values;
      } catch (const weave::broken_pool&) {
        ++t.broken;
      }
    }
  }
  checksum worker_side;
  worker_side.count = ran->count.load();
  worker_side.sum = ran->sum.load();
  worker_side.xored = ran->xored.load();
  require(t.values + t.broken + t.cancelled == t.accepted, "a task neither returned, broke nor was cancelled");
  require(t.broken <= t.kills, "more broken tasks than killed workers");
  if (t.kills == 0) {
    require(worker_side == got, "workers ran " + worker_side.str() + " but futures returned " + got.str());
  } else {
    require(worker_side.count >= t.values && worker_side.count <= t.values + t.broken,
            "workers ran " + std::to_string(worker_side.count) + " tasks for " + std::to_string(t.values) +
                " values and " + std::to_string(t.broken) + " broken");
  }
  ran_all.merge(worker_side);
  got_all.merge(got);
  return t;
}

}  // namespace

int main() {
  if (weave::tsan_build) {
    note("skipped under ThreadSanitizer: fork() of a process that has run threads is fragile under TSan\n");
    return 0;
  }
  void* m = ::mmap(nullptr, sizeof(shared_sum), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  require(m != MAP_FAILED, "mmap");
  ran = new (m) shared_sum();
  watchdog wd(120);
  const time_limit lim(0.8);
  checksum ran_sum, got_sum;
  totals all;
  std::uint64_t rounds = 0;
  for (unsigned r = 0; r < 200 && (r < 4 || !lim.expired()); ++r) {
    const totals t = one_round(r, r % 3 == 1, r % 2 == 1, ran_sum, got_sum);
    all.accepted += t.accepted;
    all.refused += t.refused;
    all.values += t.values;
    all.broken += t.broken;
    all.cancelled += t.cancelled;
    all.kills += t.kills;
    ++rounds;
  }
  note("ok: %" PRIu64 " rounds, %" PRIu64 " accepted (%" PRIu64 " values, %" PRIu64 " broken by %" PRIu64
       " kills, %" PRIu64 " cancelled), %" PRIu64 " refused; workers ran %" PRIu64 ", futures returned %" PRIu64 "\n",
       rounds, all.accepted, all.values, all.broken, all.kills, all.cancelled, all.refused, ran_sum.count,
       got_sum.count);
  return 0;
}
