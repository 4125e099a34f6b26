// bench_mutex — weave::mutex against std::mutex and against "the floor".
//
// The floor is the least any lock can do uncontended: one acquire CAS 0->1 to
// take it and one release exchange back to 0 to give it back, inline, on a bare
// std::atomic<std::uint32_t>. weave::mutex's fast paths are exactly those two
// RMWs plus a check of the old value, so weave/floor says what the wrapper costs.
//
// Benchmarks:
//   BM_uncontended<L>   one thread: lock(); unlock();            (time per pair)
//   BM_contended<L>     two threads: lock(); ++counter; unlock(); (total pairs/s)
//
// Two phases. glibc (2.34 and later) lets pthread_mutex_lock/unlock skip their
// atomic instructions while the process has only ever had one thread, so
// std::mutex measured in a single-threaded process is not measuring a lock at
// all. Phase 1 measures that case anyway (BM_uncontended_1thread_process<L>),
// for the record. Then main starts one idle thread (blocked until exit), and
// phase 2 measures everything in a multi-threaded process, the case a mutex
// exists for; the goals are judged on phase 2.
//
// Goals (issue 2): uncontended weave <= std::mutex and <= 1.2x the floor;
// contended throughput weave >= std::mutex. The program prints the ratios.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <future>
#include <mutex>
#include <thread>

#include "common.hpp"
#include "weave/mutex.hpp"

namespace {

// The floor: the two atomic RMWs every lock needs, nothing else.
class floor_lock {
 public:
  void lock() noexcept {
    std::uint32_t expected = 0;
    // acquire: pairs with the release exchange in unlock().
    while (!word_.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                          std::memory_order_relaxed)) {
      expected = 0;  // never taken in the uncontended benchmark
    }
  }
  void unlock() noexcept {
    // release: pairs with the acquire CAS in lock().
    word_.exchange(0, std::memory_order_release);
  }

 private:
  std::atomic<std::uint32_t> word_{0};
};

template <class L>
void BM_uncontended(benchmark::State& state) {
  L m;
  for (auto _ : state) {
    m.lock();
    m.unlock();
  }
  benchmark::DoNotOptimize(&m);
  state.SetItemsProcessed(state.iterations());
}

// The same loop, registered under another name for phase 1.
template <class L>
void BM_uncontended_1thread_process(benchmark::State& state) {
  BM_uncontended<L>(state);
}

// Shared by the two threads of one contended benchmark (one instance per L).
template <class L>
struct contended_state {
  static inline L mutex;
  static inline std::uint64_t counter = 0;  // plain: protected by mutex
};

template <class L>
void BM_contended(benchmark::State& state) {
  using shared = contended_state<L>;
  for (auto _ : state) {
    shared::mutex.lock();
    ++shared::counter;
    shared::mutex.unlock();
  }
  state.SetItemsProcessed(state.iterations());
  benchmark::DoNotOptimize(shared::counter);
}

}  // namespace

BENCHMARK_TEMPLATE(BM_uncontended_1thread_process, floor_lock);
BENCHMARK_TEMPLATE(BM_uncontended_1thread_process, weave::mutex);
BENCHMARK_TEMPLATE(BM_uncontended_1thread_process, std::mutex);
BENCHMARK_TEMPLATE(BM_uncontended, floor_lock);
BENCHMARK_TEMPLATE(BM_uncontended, weave::mutex);
BENCHMARK_TEMPLATE(BM_uncontended, std::mutex);
BENCHMARK_TEMPLATE(BM_contended, weave::mutex)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_contended, std::mutex)->Threads(2)->UseRealTime();

int main(int argc, char** argv) {
  using weave::bench::metric;
  weave::bench::session s(argc, argv);

  // Phase 1: no thread has been created yet.
  s.run("^BM_uncontended_1thread_process");

  // Phase 2: a multi-threaded process (one idle thread, blocked until the end).
  std::promise<void> stop;
  std::thread idle([f = stop.get_future()] { f.wait(); });
  s.run("^BM_uncontended<|^BM_contended<");
  stop.set_value();
  idle.join();

  return s.finish({
      {"1-thread process: weave::mutex / std::mutex", "BM_uncontended_1thread_process<weave::mutex>",
       "BM_uncontended_1thread_process<std::mutex>", metric::time, 0},
      {"1-thread process: weave::mutex / floor", "BM_uncontended_1thread_process<weave::mutex>",
       "BM_uncontended_1thread_process<floor_lock>", metric::time, 0},
      {"uncontended: weave::mutex / std::mutex", "BM_uncontended<weave::mutex>",
       "BM_uncontended<std::mutex>", metric::time, 1.0},
      {"uncontended: weave::mutex / floor", "BM_uncontended<weave::mutex>", "BM_uncontended<floor_lock>",
       metric::time, 1.2},
      {"contended, 2 threads: weave::mutex / std::mutex", "BM_contended<weave::mutex>/real_time/threads:2",
       "BM_contended<std::mutex>/real_time/threads:2", metric::throughput, 1.0},
  });
}
