// bench_event — weave::event against the usual event built from std::mutex +
// std::condition_variable + bool.
//
// Benchmarks (E is the event type):
//   BM_ping_pong<E>     two threads hand the turn back and forth through two
//                       events that start clear: thread 0 does e1.set();
//                       e2.wait(); e2.clear(); thread 1 does e1.wait();
//                       e1.clear(); e2.set(). One iteration = one round trip,
//                       two set→wait wake-ups (the latency case: the partner is
//                       usually asleep). Real time per iteration = time per
//                       round trip.
//   BM_set_wait_clear<E> one thread: set(); wait() (returns at once); clear();
//                       the cost of the calls when nobody sleeps.
//
// std_event is the textbook baseline: set() locks, sets the flag, unlocks and
// notify_all()s; wait() locks and waits on the condition variable for the flag;
// clear() locks and resets it. main() starts and joins one thread before
// anything runs, so glibc's single-threaded shortcut in pthread_mutex_lock does
// not flatter std::mutex (see bench_mutex.cpp).
//
// The ratios are weave / std from medians of 5 repetitions in the same run; no
// goals are set.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common.hpp"
#include "weave/event.hpp"

namespace {

class std_event {
 public:
  void set() {
    {
      std::lock_guard<std::mutex> g(m_);
      flag_ = true;
    }
    cv_.notify_all();
  }
  void clear() {
    std::lock_guard<std::mutex> g(m_);
    flag_ = false;
  }
  bool wait() {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [this] { return flag_; });
    return true;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool flag_ = false;
};

// Shared by the two threads of one benchmark (one pair per E). Both threads run
// the same number of iterations and every round ends with both events clear.
template <class E>
struct pair_state {
  static inline E e1;
  static inline E e2;
};

template <class E>
void BM_ping_pong(benchmark::State& state) {
  using shared = pair_state<E>;
  if (state.thread_index() == 0) {
    for (auto _ : state) {
      shared::e1.set();
      (void)shared::e2.wait();
      shared::e2.clear();
    }
    state.SetItemsProcessed(state.iterations());  // round trips, counted once
  } else {
    for (auto _ : state) {
      (void)shared::e1.wait();
      shared::e1.clear();
      shared::e2.set();
    }
  }
}

template <class E>
void BM_set_wait_clear(benchmark::State& state) {
  E e;
  for (auto _ : state) {
    e.set();
    (void)e.wait();
    e.clear();
  }
  benchmark::DoNotOptimize(&e);
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK_TEMPLATE(BM_set_wait_clear, weave::event);
BENCHMARK_TEMPLATE(BM_set_wait_clear, std_event);
BENCHMARK_TEMPLATE(BM_ping_pong, weave::event)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ping_pong, std_event)->Threads(2)->UseRealTime();

int main(int argc, char** argv) {
  std::thread([] {}).join();  // the process is multi-threaded from here on
  using weave::bench::metric;
  using weave::bench::placed;
  using weave::bench::placed_name;
  weave::bench::register_placed("BM_ping_pong_placed<weave::event>", placed<BM_ping_pong<weave::event>>);
  weave::bench::register_placed("BM_ping_pong_placed<std_event>", placed<BM_ping_pong<std_event>>);
  return weave::bench::run(argc, argv, {
      {"ping-pong round trip: weave::event / std", "BM_ping_pong<weave::event>/real_time/threads:2",
       "BM_ping_pong<std_event>/real_time/threads:2", metric::time, 0},
      {"ping-pong on one CPU: weave::event / std", placed_name("BM_ping_pong_placed<weave::event>", 1),
       placed_name("BM_ping_pong_placed<std_event>", 1), metric::time, 0},
      {"ping-pong on two CPUs: weave::event / std", placed_name("BM_ping_pong_placed<weave::event>", 2),
       placed_name("BM_ping_pong_placed<std_event>", 2), metric::time, 0},
      {"set+wait+clear, nobody asleep: weave / std", "BM_set_wait_clear<weave::event>",
       "BM_set_wait_clear<std_event>", metric::time, 0},
  }, "^BM_ping_pong(_placed)?<");
}
