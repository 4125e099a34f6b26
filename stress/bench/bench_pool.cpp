// weave::thread_pool and weave::process_pool against boost::asio::thread_pool
// (with std::packaged_task futures), TBB's task_group, a weave::pipe to an echo
// child and a fork per task, all measured in this run:
//
//   BM_empty_tasks<lib>   N empty tasks submitted, then every future waited
//                         (TBB's task_group has no per-task futures: its
//                         wait() for the group); N = --tasks=N or
//                         WEAVE_BENCH_POOL_TASKS, default 1,000,000 (the
//                         whole program then takes about a minute on 2 cores;
//                         asio's batches are the slow part). Items/s;
//                         workers: hardware threads.
//   BM_idle_latency<lib>  submit-to-run latency on an idle pool: the pool
//                         rests 2 ms (its workers park), then the time from
//                         just before submit to the start of the task (manual
//                         time: only that interval counts).
//   BM_roundtrip_*        one tiny task, submit then get, over and over:
//                         process_pool (1 worker), thread_pool (1 worker), the
//                         bare weave::pipe round trip to an echo child the
//                         process pool rides on (its floor), and a fork per
//                         task (child computes, writes the result to a
//                         pipe(2), parent reads and reaps it).
//
// Prints the ratio table (medians of the repetitions), then the same ratios
// measured oversubscribed (common.hpp: one busy thread per hardware thread),
// and the process_pool round trip's median against its goal (<= 5 us).
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "common.hpp"
#include "weave/pipe.hpp"
#include "weave/process_pool.hpp"
#include "weave/thread_pool.hpp"

#if defined(WEAVE_HAVE_BOOST)
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#endif
#if defined(WEAVE_HAVE_TBB)
#include <tbb/task_group.h>
#endif

namespace {

using clk = std::chrono::steady_clock;

std::size_t tasks = 1000000;  // set in main from --tasks=N / WEAVE_BENCH_POOL_TASKS

unsigned workers() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 2 : n;
}

// Registered before any pool is made (process_pool W6).
const auto tiny = weave::process_pool::register_function<int(int)>("bench_pool.tiny", [](int x) { return x + 1; });

// ---- N empty tasks, futures waited -------------------------------------------

struct weave_lib {};
struct asio_lib {};
struct tbb_lib {};

template <class Lib>
void BM_empty_tasks(benchmark::State& state) {
  if constexpr (std::is_same_v<Lib, weave_lib>) {
    weave::thread_pool pool(workers());
    for (auto _ : state) {
      std::vector<weave::future<void>> fs;
      fs.reserve(tasks);
      for (std::size_t i = 0; i < tasks; ++i) fs.push_back(pool.submit([] {}));
      for (auto& f : fs) f.wait();
    }
  } else if constexpr (std::is_same_v<Lib, asio_lib>) {
#if defined(WEAVE_HAVE_BOOST)
    boost::asio::thread_pool pool(workers());
    for (auto _ : state) {
      std::vector<std::future<void>> fs;
      fs.reserve(tasks);
      for (std::size_t i = 0; i < tasks; ++i) {
        std::packaged_task<void()> t([] {});
        fs.push_back(t.get_future());
        boost::asio::post(pool, std::move(t));
      }
      for (auto& f : fs) f.wait();
    }
    pool.join();
#else
    state.SkipWithError("built without Boost (libboost-dev)");
#endif
  } else {
#if defined(WEAVE_HAVE_TBB)
    for (auto _ : state) {
      tbb::task_group g;
      for (std::size_t i = 0; i < tasks; ++i) g.run([] {});
      g.wait();
    }
#else
    state.SkipWithError("built without TBB (libtbb-dev)");
#endif
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * tasks));
}
BENCHMARK(BM_empty_tasks<weave_lib>)->Name("BM_empty_tasks<weave::thread_pool>")->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_empty_tasks<asio_lib>)->Name("BM_empty_tasks<asio::thread_pool>")->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_empty_tasks<tbb_lib>)->Name("BM_empty_tasks<tbb::task_group>")->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- submit-to-run latency on an idle pool -----------------------------------

template <class Lib>
void BM_idle_latency(benchmark::State& state) {
  std::atomic<std::int64_t> ran_at{0};
  auto task = [&ran_at] {
    // relaxed: read after the future's wait, which orders it.
    ran_at.store(clk::now().time_since_epoch().count(), std::memory_order_relaxed);
  };
  auto measure = [&](auto submit_and_wait) {
    for (auto _ : state) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the workers park
      const auto t0 = clk::now();
      submit_and_wait();
      const clk::time_point ran{clk::duration(ran_at.load(std::memory_order_relaxed))};  // relaxed: see task
      state.SetIterationTime(std::chrono::duration<double>(ran - t0).count());
    }
  };
  if constexpr (std::is_same_v<Lib, weave_lib>) {
    weave::thread_pool pool(workers());
    measure([&] { pool.submit(task).wait(); });
  } else {
#if defined(WEAVE_HAVE_BOOST)
    boost::asio::thread_pool pool(workers());
    measure([&] {
      std::packaged_task<void()> t(task);
      auto f = t.get_future();
      boost::asio::post(pool, std::move(t));
      f.wait();
    });
    pool.join();
#else
    state.SkipWithError("built without Boost (libboost-dev)");
#endif
  }
}
BENCHMARK(BM_idle_latency<weave_lib>)->Name("BM_idle_latency<weave::thread_pool>")->Iterations(300)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_idle_latency<asio_lib>)->Name("BM_idle_latency<asio::thread_pool>")->Iterations(300)->UseManualTime()->Unit(benchmark::kMicrosecond);

// ---- one tiny task, round trip -------------------------------------------------

void BM_roundtrip_process_pool(benchmark::State& state) {
  weave::process_pool pool(1);
  int x = 0;
  for (auto _ : state) x = pool.submit(tiny, x).get();
  benchmark::DoNotOptimize(x);
}
BENCHMARK(BM_roundtrip_process_pool)->UseRealTime()->MinTime(0.3)->Unit(benchmark::kMicrosecond);

void BM_roundtrip_thread_pool(benchmark::State& state) {
  weave::thread_pool pool(1);
  int x = 0;
  for (auto _ : state) x = pool.submit([x] { return x + 1; }).get();
  benchmark::DoNotOptimize(x);
}
BENCHMARK(BM_roundtrip_thread_pool)->UseRealTime()->MinTime(0.3)->Unit(benchmark::kMicrosecond);

// The pipe alone: the same 8-byte request and 5-byte reply to an echo child.
void BM_roundtrip_pipe(benchmark::State& state) {
  auto [mine, theirs] = weave::make_pipe();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    mine.close();
    std::vector<std::byte> m;
    while (theirs.recv(m).status == weave::pipe_status::ok) {
      m.resize(5);
      if (theirs.send(std::span<const std::byte>(m)) != weave::pipe_status::ok) _exit(2);
    }
    _exit(0);
  }
  theirs.close();
  std::vector<std::byte> req(8), rep;
  for (auto _ : state) {
    if (mine.send(std::span<const std::byte>(req)) != weave::pipe_status::ok || !mine.recv(rep)) {
      state.SkipWithError("pipe");
      break;
    }
  }
  mine.close();
  int st = 0;
  waitpid(pid, &st, 0);
}
BENCHMARK(BM_roundtrip_pipe)->UseRealTime()->MinTime(0.3)->Unit(benchmark::kMicrosecond);

// The design a pool replaces: fork a child per task.
void BM_roundtrip_fork_per_task(benchmark::State& state) {
  int x = 0;
  for (auto _ : state) {
    int fds[2];
    if (::pipe(fds) != 0) {
      state.SkipWithError("pipe");
      break;
    }
    const pid_t pid = fork();
    if (pid == 0) {
      const int r = x + 1;
      _exit(::write(fds[1], &r, sizeof r) == sizeof r ? 0 : 1);
    }
    ::close(fds[1]);
    if (::read(fds[0], &x, sizeof x) != sizeof x) state.SkipWithError("read");
    ::close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
  }
  benchmark::DoNotOptimize(x);
}
BENCHMARK(BM_roundtrip_fork_per_task)->UseRealTime()->MinTime(0.3)->Unit(benchmark::kMicrosecond);

// --tasks=N (removed from argv before Google Benchmark sees it), else the
// environment, else the default.
void read_task_count(int& argc, char** argv) {
  if (const char* env = std::getenv("WEAVE_BENCH_POOL_TASKS")) tasks = std::strtoull(env, nullptr, 10);
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--tasks=", 8) == 0) {
      tasks = std::strtoull(argv[i] + 8, nullptr, 10);
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  if (tasks == 0) tasks = 1;
}

}  // namespace

int main(int argc, char** argv) {
  using weave::bench::metric;
  read_task_count(argc, argv);
  std::printf("bench_pool: %zu empty tasks per batch, %u workers per thread pool\n", tasks, workers());
  const std::vector<weave::bench::ratio> ratios = {
      {"empty tasks: weave vs asio+packaged_task", "BM_empty_tasks<weave::thread_pool>/iterations:1/real_time",
       "BM_empty_tasks<asio::thread_pool>/iterations:1/real_time", metric::throughput, 1.0},
      {"empty tasks: weave vs tbb::task_group", "BM_empty_tasks<weave::thread_pool>/iterations:1/real_time",
       "BM_empty_tasks<tbb::task_group>/iterations:1/real_time", metric::throughput},
      {"idle submit-to-run: weave vs asio", "BM_idle_latency<weave::thread_pool>/iterations:300/manual_time",
       "BM_idle_latency<asio::thread_pool>/iterations:300/manual_time", metric::time},
      {"round trip: process_pool vs fork per task", "BM_roundtrip_process_pool/min_time:0.300/real_time",
       "BM_roundtrip_fork_per_task/min_time:0.300/real_time", metric::time},
      {"round trip: process_pool vs its bare pipe", "BM_roundtrip_process_pool/min_time:0.300/real_time",
       "BM_roundtrip_pipe/min_time:0.300/real_time", metric::time},
      {"round trip: process_pool vs thread_pool", "BM_roundtrip_process_pool/min_time:0.300/real_time",
       "BM_roundtrip_thread_pool/min_time:0.300/real_time", metric::time},
  };
  weave::bench::session s(argc, argv);
  s.run();
  s.run_oversubscribed("^BM_(empty_tasks|roundtrip_(process_pool|thread_pool|pipe))");
  const int rc = s.finish(ratios);
  if (const weave::bench::figure* f = s.reporter().find("BM_roundtrip_process_pool/min_time:0.300/real_time")) {
    std::printf("\nprocess_pool round trip, median: %.2f us (goal <= 5 us: %s)\n", f->ns / 1e3,
                f->ns <= 5000 ? "met" : "MISSED");
  }
  return rc;
}
