// stress.thread_pool — weave::thread_pool and weave::future on real threads,
// bounded in count and time.
//
// Rounds: each round makes a pool of 3 workers; 3 submitters submit tasks
// (value i, the task adds mix(i) to the run checksum and returns i) until a
// shutdown thread, after a random short pause, calls shutdown(wait = true,
// cancel_pending = random). Each submit is accepted (a future) or refused
// (usage_error). Some submitters also cancel() a few of their own futures at
// once, racing the workers' start. After the round, for every accepted task:
// its future is done (shutdown(wait) returned), and it is either cancelled
// or carries the value i; exactly one of them. Totals: ran == finished
// futures, ran + cancelled == accepted, and the checksum of what the tasks
// ran equals the checksum of the futures' values (a task run twice, lost or
// run with the wrong argument shows up). Every round also adds done-callbacks
// (some before, some after completion) and checks each ran exactly once.
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "common.hpp"
#include "weave/mutex.hpp"
#include "weave/thread_pool.hpp"

namespace {

using namespace weave::stress;
using namespace std::chrono_literals;

struct totals {
  std::uint64_t accepted = 0, refused = 0, ran_futures = 0, cancelled = 0, callbacks = 0;
};

totals one_round(unsigned seed, bool cancel_pending, checksum& ran_sum, checksum& got_sum) {
  constexpr int submitters = 3;
  constexpr std::uint64_t max_per_submitter = 2000;
  std::atomic<std::uint64_t> callbacks_run{0};
  std::vector<std::vector<weave::future<std::uint64_t>>> futs(submitters);
  std::vector<std::uint64_t> refused(submitters, 0), registered(submitters, 0);
  std::atomic<std::uint64_t> ran_count{0};
  checksum ran_local;  // what the tasks ran, under ran_m
  weave::mutex ran_m;
  {
    weave::thread_pool pool(3);
    run_threads(submitters + 1, [&](int id) {
      std::minstd_rand rng(seed * 131u + static_cast<unsigned>(id));
      if (id == submitters) {
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
        pool.shutdown(true, cancel_pending);
        return;
      }
      const auto s = static_cast<std::size_t>(id);
      for (std::uint64_t k = 0; k < max_per_submitter; ++k) {
        const std::uint64_t v = (static_cast<std::uint64_t>(id) << 32) | k;
        try {
          auto f = pool.submit([&, v] {
            ran_count.fetch_add(1, std::memory_order_relaxed);
            ran_m.lock();
            ran_local.add(v);
            ran_m.unlock();
            return v;
          });
          if (rng() % 8 == 0) (void)f.cancel();  // races the worker's start
          if (rng() % 4 == 0) {
            f.add_done_callback([&] { callbacks_run.fetch_add(1); });  // before or after completion
            ++registered[s];
          }
          futs[s].push_back(std::move(f));
        } catch (const weave::usage_error&) {
          ++refused[s];
          break;  // refused once: the pool is shut down
        }
      }
    });
  }
  totals t;
  std::uint64_t at_once = 0;
  for (int s = 0; s < submitters; ++s) {
    t.refused += refused[static_cast<std::size_t>(s)];
    t.callbacks += registered[static_cast<std::size_t>(s)];
    for (auto& f : futs[static_cast<std::size_t>(s)]) {
      ++t.accepted;
      require(f.done(), "an accepted task's future is not done after shutdown(wait)");
      if (f.cancelled()) {
        ++t.cancelled;
      } else {
        got_sum.add(f.get());
        ++t.ran_futures;
      }
      f.add_done_callback([&] { ++at_once; });  // done: runs here, at once
    }
  }
  require(at_once == t.accepted, "a done-callback on a done future did not run at once, once");
  require(callbacks_run.load() == t.callbacks, "a done-callback registered by a submitter did not run exactly once");
  require(ran_count.load() == t.ran_futures, "tasks run != futures finished with a value");
  require(t.ran_futures + t.cancelled == t.accepted, "a task neither ran nor was cancelled");
  ran_sum.merge(ran_local);
  return t;
}

}  // namespace

int main() {
  watchdog wd(120);
  const time_limit lim(0.8);
  checksum ran_sum, got_sum;
  totals all;
  std::uint64_t rounds = 0;
  for (unsigned r = 0; r < 200 && (r < 4 || !lim.expired()); ++r) {
    const totals t = one_round(r, r % 2 == 1, ran_sum, got_sum);
    all.accepted += t.accepted;
    all.refused += t.refused;
    all.ran_futures += t.ran_futures;
    all.cancelled += t.cancelled;
    all.callbacks += t.callbacks;
    ++rounds;
  }
  require(ran_sum == got_sum, "checksum of tasks run " + ran_sum.str() + " != of values got " + got_sum.str());
  note("ok: %" PRIu64 " rounds, %" PRIu64 " accepted (%" PRIu64 " ran, %" PRIu64 " cancelled), %" PRIu64
       " refused, %" PRIu64 " callbacks, checksum %s\n",
       rounds, all.accepted, all.ran_futures, all.cancelled, all.refused, all.callbacks, ran_sum.str().c_str());
  return 0;
}
