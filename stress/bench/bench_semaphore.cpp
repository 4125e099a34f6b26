// bench_semaphore — weave::counting_semaphore against std::counting_semaphore.
//
// Benchmarks (S is the semaphore type):
//   BM_uncontended<S>  one thread, one permit: acquire(); release();  (time per pair)
//   BM_ping_pong<S>    two threads hand the turn back and forth through two
//                      semaphores that start at 0: thread 0 does
//                      ping.release(); pong.acquire(); thread 1 does
//                      ping.acquire(); pong.release(). One item = one round
//                      trip, so every item includes a wake-up of a thread that
//                      may be parked (the latency case); the ratio is of real
//                      time per round trip (round trips are in the
//                      microseconds, too coarse for the M items/s column).
//   BM_contended<S>    two threads, one permit: acquire(); ++counter; release();
//                      (a semaphore used as a lock; total pairs/s)
// weave::bounded_semaphore is measured uncontended as well (its release is a
// CAS loop against the bound instead of one fetch_add).
//
// The ratios are weave / std from medians of 5 repetitions in the same run.
// No goals are set: the issue asks for the comparison, not a target.
//
// Reading the figures: libstdc++ 12's std::counting_semaphore (the atomic-wait
// implementation in bits/semaphore_base.h) calls the futex wake on every
// release that raises the count from 0, whether or not anyone waits (it does
// not count its sleepers), so its uncontended acquire/release pair and the
// semaphore-as-lock case each pay a system call (strace -c shows one futex
// call per pair). In ping-pong the partner is usually really asleep, and the
// figure is dominated by wake-up latency: libstdc++ spins and yields a while
// before it sleeps, weave parks at once (no spin phase), which shows on a
// machine where the other thread could have run on the second core.
#include <cstdint>
#include <semaphore>

#include "common.hpp"
#include "weave/semaphore.hpp"

namespace {

using std_semaphore = std::counting_semaphore<>;

template <class S>
void BM_uncontended(benchmark::State& state) {
  S s(1);
  for (auto _ : state) {
    s.acquire();
    s.release();
  }
  benchmark::DoNotOptimize(&s);
  state.SetItemsProcessed(state.iterations());
}

// Shared by the two threads of one benchmark (one instance per S). Both threads
// run the same number of iterations, so the semaphores are back at 0 after
// every run.
template <class S>
struct pair_state {
  static inline S ping{0};
  static inline S pong{0};
  static inline S lock{1};
  static inline std::uint64_t counter = 0;  // plain: protected by lock
};

template <class S>
void BM_ping_pong(benchmark::State& state) {
  using shared = pair_state<S>;
  if (state.thread_index() == 0) {
    for (auto _ : state) {
      shared::ping.release();
      shared::pong.acquire();
    }
  } else {
    for (auto _ : state) {
      shared::ping.acquire();
      shared::pong.release();
    }
  }
  // Count round trips once (thread 0), so items/s is round trips per second.
  if (state.thread_index() == 0) state.SetItemsProcessed(state.iterations());
}

template <class S>
void BM_contended(benchmark::State& state) {
  using shared = pair_state<S>;
  for (auto _ : state) {
    shared::lock.acquire();
    ++shared::counter;
    shared::lock.release();
  }
  state.SetItemsProcessed(state.iterations());
  benchmark::DoNotOptimize(shared::counter);
}

}  // namespace

BENCHMARK_TEMPLATE(BM_uncontended, weave::counting_semaphore);
BENCHMARK_TEMPLATE(BM_uncontended, weave::bounded_semaphore);
BENCHMARK_TEMPLATE(BM_uncontended, std_semaphore);
BENCHMARK_TEMPLATE(BM_ping_pong, weave::counting_semaphore)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ping_pong, std_semaphore)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_contended, weave::counting_semaphore)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_contended, std_semaphore)->Threads(2)->UseRealTime();

int main(int argc, char** argv) {
  using weave::bench::metric;
  using weave::bench::placed;
  using weave::bench::placed_name;
  weave::bench::register_placed("BM_ping_pong_placed<weave::counting_semaphore>",
                                placed<BM_ping_pong<weave::counting_semaphore>>);
  weave::bench::register_placed("BM_ping_pong_placed<std_semaphore>", placed<BM_ping_pong<std_semaphore>>);
  return weave::bench::run(argc, argv, {
      {"uncontended: weave / std::counting_semaphore", "BM_uncontended<weave::counting_semaphore>",
       "BM_uncontended<std_semaphore>", metric::time, 0},
      {"uncontended: weave bounded / std", "BM_uncontended<weave::bounded_semaphore>",
       "BM_uncontended<std_semaphore>", metric::time, 0},
      {"ping-pong round trip, 2 threads: weave / std", "BM_ping_pong<weave::counting_semaphore>/real_time/threads:2",
       "BM_ping_pong<std_semaphore>/real_time/threads:2", metric::time, 0},
      {"ping-pong on one CPU: weave / std", placed_name("BM_ping_pong_placed<weave::counting_semaphore>", 1),
       placed_name("BM_ping_pong_placed<std_semaphore>", 1), metric::time, 0},
      {"ping-pong on two CPUs: weave / std", placed_name("BM_ping_pong_placed<weave::counting_semaphore>", 2),
       placed_name("BM_ping_pong_placed<std_semaphore>", 2), metric::time, 0},
      {"contended, 2 threads: weave / std", "BM_contended<weave::counting_semaphore>/real_time/threads:2",
       "BM_contended<std_semaphore>/real_time/threads:2", metric::throughput, 0},
  }, "^BM_ping_pong(_placed)?<");
}
