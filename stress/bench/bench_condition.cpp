// bench_condition — weave::condition against std::condition_variable.
//
// Benchmark: BM_ping_pong<M, CV>, two threads taking turns through a shared
// `turn` guarded by M, one condition variable CV: thread i waits (with its
// predicate) until turn == i, sets turn = 1 - i and notify_one()s. One
// iteration = one round trip (two hand-offs, each usually waking a sleeping
// partner); real time per iteration = time per round trip.
//
//   weave::mutex + weave::condition                 the weave pair
//   std::mutex + std::condition_variable            the baseline
//   std::mutex + weave::condition                   investigation: the
//                                                   condition alone (weave's
//                                                   condition takes any lock)
//
// The ratios are from medians of 5 repetitions in the same run; no goals are set.
#include <condition_variable>
#include <mutex>

#include "common.hpp"
#include "weave/condition.hpp"
#include "weave/mutex.hpp"

namespace {

// Shared by the two threads of one benchmark (one instance per M, CV). Both
// threads run the same number of iterations, so the turn is 0 after every run.
template <class M, class CV>
struct pair_state {
  static inline M m;
  static inline CV cv;
  static inline int turn = 0;  // plain: guarded by m
};

template <class M, class CV>
void BM_ping_pong(benchmark::State& state) {
  using shared = pair_state<M, CV>;
  const int me = state.thread_index();
  for (auto _ : state) {
    std::unique_lock<M> lk(shared::m);
    shared::cv.wait(lk, [me] { return shared::turn == me; });
    shared::turn = 1 - me;
    shared::cv.notify_one();
  }
  if (me == 0) state.SetItemsProcessed(state.iterations());  // round trips, counted once
}

using std_cv = std::condition_variable;

}  // namespace

BENCHMARK_TEMPLATE(BM_ping_pong, weave::mutex, weave::condition)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ping_pong, std::mutex, std_cv)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ping_pong, std::mutex, weave::condition)->Threads(2)->UseRealTime();

int main(int argc, char** argv) {
  using weave::bench::metric;
  using weave::bench::placed;
  using weave::bench::placed_name;
  weave::bench::register_placed("BM_ping_pong_placed<weave::mutex, weave::condition>",
                                placed<BM_ping_pong<weave::mutex, weave::condition>>);
  weave::bench::register_placed("BM_ping_pong_placed<std::mutex, std_cv>", placed<BM_ping_pong<std::mutex, std_cv>>);
  return weave::bench::run(argc, argv, {
      {"ping-pong round trip: weave / std", "BM_ping_pong<weave::mutex, weave::condition>/real_time/threads:2",
       "BM_ping_pong<std::mutex, std_cv>/real_time/threads:2", metric::time, 0},
      {"ping-pong on one CPU: weave / std", placed_name("BM_ping_pong_placed<weave::mutex, weave::condition>", 1),
       placed_name("BM_ping_pong_placed<std::mutex, std_cv>", 1), metric::time, 0},
      {"ping-pong on two CPUs: weave / std", placed_name("BM_ping_pong_placed<weave::mutex, weave::condition>", 2),
       placed_name("BM_ping_pong_placed<std::mutex, std_cv>", 2), metric::time, 0},
      {"investigation: std::mutex+weave::condition / std",
       "BM_ping_pong<std::mutex, weave::condition>/real_time/threads:2",
       "BM_ping_pong<std::mutex, std_cv>/real_time/threads:2", metric::time, 0},
  }, "^BM_ping_pong(_placed)?<");
}
