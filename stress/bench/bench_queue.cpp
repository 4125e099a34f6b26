// bench_queue — weave's bounded FIFO queues, weave::fifo_queue (the monitor)
// and weave::ring_queue (the MPMC ring between two semaphores), moving items
// from producers to consumers, against a std::mutex/condition_variable/deque
// queue, TBB's concurrent_bounded_queue and moodycamel's
// BlockingConcurrentQueue.
//
// BM_transfer<Q>/real_time/threads:T: T/2 producer threads and T/2 consumer
// threads share one queue of capacity 1024; each iteration moves N = 1<<16
// items of std::uint64_t with blocking put/get (each producer puts N/producers,
// each consumer gets exactly N/consumers, so no close is needed inside the
// timed loop: every thread runs the same number of iterations, so what is put
// is also got by the end). items_per_second counts items moved (summed over
// the consumers), over real time. T = 2 (1 producer, 1 consumer) and T = 4
// (2 and 2). BM_handoff<Q> (weave's and std only): the same at capacity 1,
// 1 producer and 1 consumer, 1<<12 items per iteration, for the record; its
// counters vcsw and ivcsw are the voluntary (slept) and involuntary
// (preempted) context switches per item of one side (getrusage of each
// thread, averaged over the two). At capacity 1 every item is a hand-off, and
// one switch per item and side is the least a parking queue can do when both
// threads share a core; std's pair makes about that, and so does fifo_queue
// (before its put and get notified after releasing the queue's lock, and the
// condition woke after releasing its own, queue.hpp Q6 and condition.hpp C4,
// it made about 1.8 in runs where the woken thread preempted its notifier:
// the woken thread slept again on a lock its notifier held).
// BM_handoff_placed<Q>/0 and /1, BM_transfer_placed<Q>/0 and /1 (1P/1C):
// the same with the producer and the consumer pinned to one CPU or to two
// (common.hpp's placed); unpinned, the placement is the scheduler's lottery
// and decides the figure (below, in main).
//
// Goals (throughput ratios, above 1 = weave moves more items per second), for
// each of fifo_queue and ring_queue: >= 2.0x TBB's concurrent_bounded_queue
// and >= 1.0x moodycamel's BlockingConcurrentQueue; each vs the std::deque
// monitor is reported without a goal (for fifo_queue the same design: one lock
// and two conditions), and ring_queue vs fifo_queue too.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <sys/resource.h>

#include "common.hpp"
#include "weave/queue.hpp"
#include "weave/ring_queue.hpp"

#if WEAVE_HAVE_TBB
#include <tbb/concurrent_queue.h>
#endif
#if WEAVE_HAVE_MOODYCAMEL
#include <blockingconcurrentqueue.h>
#endif

namespace {

constexpr std::size_t capacity = 1024;
constexpr std::int64_t items_per_iteration = std::int64_t{1} << 16;

// A weave queue: blocking put and get(out), which must succeed (no close).
template <class Queue>
struct weave_adapter {
  Queue q;
  explicit weave_adapter(std::size_t cap) : q(cap) {}
  void put(std::uint64_t v) {
    if (q.put(v) != weave::queue_status::ok) std::abort();
  }
  std::uint64_t get() {
    std::uint64_t v = 0;
    if (q.get(v) != weave::queue_status::ok) std::abort();
    return v;
  }
};

struct weave_fifo : weave_adapter<weave::fifo_queue<std::uint64_t>> {
  explicit weave_fifo(std::size_t cap = capacity) : weave_adapter(cap) {}
};

struct weave_ring : weave_adapter<weave::ring_queue<std::uint64_t>> {
  explicit weave_ring(std::size_t cap = capacity) : weave_adapter(cap) {}
};

// The textbook bounded monitor: one std::mutex, two condition variables, a
// std::deque; notify_one after unlocking.
struct std_deque {
  std::size_t cap;
  std::mutex m;
  std::condition_variable not_full, not_empty;
  std::deque<std::uint64_t> items;
  explicit std_deque(std::size_t c = capacity) : cap(c) {}
  void put(std::uint64_t v) {
    {
      std::unique_lock<std::mutex> lk(m);
      not_full.wait(lk, [&] { return items.size() < cap; });
      items.push_back(v);
    }
    not_empty.notify_one();
  }
  std::uint64_t get() {
    std::uint64_t v = 0;
    {
      std::unique_lock<std::mutex> lk(m);
      not_empty.wait(lk, [&] { return !items.empty(); });
      v = items.front();
      items.pop_front();
    }
    not_full.notify_one();
    return v;
  }
};

#if WEAVE_HAVE_TBB
struct tbb_bounded {
  tbb::concurrent_bounded_queue<std::uint64_t> q;
  tbb_bounded() { q.set_capacity(capacity); }
  void put(std::uint64_t v) { q.push(v); }
  std::uint64_t get() {
    std::uint64_t v = 0;
    q.pop(v);
    return v;
  }
};
#endif

#if WEAVE_HAVE_MOODYCAMEL
// BlockingConcurrentQueue is unbounded: enqueue never blocks (it allocates
// more blocks instead), so its producers are never held back at 1024 items as
// the others are; only its consumers block (wait_dequeue).
struct moodycamel_blocking {
  moodycamel::BlockingConcurrentQueue<std::uint64_t> q;
  void put(std::uint64_t v) {
    if (!q.enqueue(v)) std::abort();
  }
  std::uint64_t get() {
    std::uint64_t v = 0;
    q.wait_dequeue(v);
    return v;
  }
};
#endif

// The calling thread's context switches so far: {voluntary, involuntary}.
std::pair<long, long> switches() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return {u.ru_nvcsw, u.ru_nivcsw};
}

template <class Q>
void transfer(benchmark::State& state, Q& q, std::int64_t items, bool count_switches = false) {
  const int producers = state.threads() / 2;
  const int consumers = state.threads() - producers;
  const bool producer = state.thread_index() < producers;
  const std::int64_t share = items / (producer ? producers : consumers);
  std::uint64_t next = 0;
  std::uint64_t sum = 0;
  const auto before = switches();
  for (auto _ : state) {
    if (producer) {
      for (std::int64_t i = 0; i < share; ++i) q.put(next++);
    } else {
      for (std::int64_t i = 0; i < share; ++i) sum += q.get();
    }
  }
  const auto after = switches();
  benchmark::DoNotOptimize(sum);
  if (!producer) state.SetItemsProcessed(state.iterations() * share);
  if (count_switches) {
    const double moved = static_cast<double>(state.iterations() * share);
    state.counters["vcsw"] = benchmark::Counter(static_cast<double>(after.first - before.first) / moved,
                                                benchmark::Counter::kAvgThreads);
    state.counters["ivcsw"] = benchmark::Counter(static_cast<double>(after.second - before.second) / moved,
                                                 benchmark::Counter::kAvgThreads);
  }
}

template <class Q>
void BM_transfer(benchmark::State& state) {
  // One queue per implementation for the whole program: every run ends with
  // it empty (all threads run the same number of iterations).
  static Q q;
  transfer(state, q, items_per_iteration);
}

// For the record (no goal): capacity 1, one producer and one consumer, so
// every item is a hand-off that may park and wake a thread on each side.
template <class Q>
void BM_handoff(benchmark::State& state) {
  static Q q(1);
  transfer(state, q, std::int64_t{1} << 12, true);
}

#define WEAVE_QUEUE_BENCH(Q)                                              \
  BENCHMARK_TEMPLATE(BM_transfer, Q)->UseRealTime()->Threads(2)->MinTime(0.2); \
  BENCHMARK_TEMPLATE(BM_transfer, Q)->UseRealTime()->Threads(4)->MinTime(0.2)

WEAVE_QUEUE_BENCH(weave_fifo);
WEAVE_QUEUE_BENCH(weave_ring);
WEAVE_QUEUE_BENCH(std_deque);
BENCHMARK_TEMPLATE(BM_handoff, weave_fifo)->UseRealTime()->Threads(2)->MinTime(0.2);
BENCHMARK_TEMPLATE(BM_handoff, weave_ring)->UseRealTime()->Threads(2)->MinTime(0.2);
BENCHMARK_TEMPLATE(BM_handoff, std_deque)->UseRealTime()->Threads(2)->MinTime(0.2);
#if WEAVE_HAVE_TBB
WEAVE_QUEUE_BENCH(tbb_bounded);
#endif
#if WEAVE_HAVE_MOODYCAMEL
WEAVE_QUEUE_BENCH(moodycamel_blocking);
#endif

}  // namespace

int main(int argc, char** argv) {
  using weave::bench::metric;
  const auto name = [](const char* q, int threads) {
    return std::string("BM_transfer<") + q + ">/min_time:0.200/real_time/threads:" + std::to_string(threads);
  };
  const auto handoff = [](const char* q) {
    return std::string("BM_handoff<") + q + ">/min_time:0.200/real_time/threads:2";
  };
  std::vector<weave::bench::ratio> ratios;
  for (const char* weave_q : {"weave_fifo", "weave_ring"}) {
    const std::string who = std::string(weave_q) == "weave_fifo" ? "fifo_queue" : "ring_queue";
    for (const int t : {2, 4}) {
      const std::string pc = t == 2 ? "1P/1C" : "2P/2C";
      ratios.push_back({"items/s " + pc + ": " + who + " / std deque+cv", name(weave_q, t), name("std_deque", t),
                        metric::throughput, 0});
      ratios.push_back({"items/s " + pc + ": " + who + " / TBB bounded", name(weave_q, t), name("tbb_bounded", t),
                        metric::throughput, 2.0});
      ratios.push_back({"items/s " + pc + ": " + who + " / moodycamel blocking", name(weave_q, t),
                        name("moodycamel_blocking", t), metric::throughput, 1.0});
    }
  }
  for (const int t : {2, 4}) {
    const std::string pc = t == 2 ? "1P/1C" : "2P/2C";
    ratios.push_back({"items/s " + pc + ": ring_queue / fifo_queue", name("weave_ring", t), name("weave_fifo", t),
                      metric::throughput, 0});
  }
  ratios.push_back({"items/s capacity 1, 1P/1C: fifo_queue / std deque+cv", handoff("weave_fifo"),
                    handoff("std_deque"), metric::throughput, 0});
  ratios.push_back({"items/s capacity 1, 1P/1C: ring_queue / std deque+cv", handoff("weave_ring"),
                    handoff("std_deque"), metric::throughput, 0});
  ratios.push_back({"items/s capacity 1, 1P/1C: ring_queue / fifo_queue", handoff("weave_ring"),
                    handoff("weave_fifo"), metric::throughput, 0});
  // Placed (see the top of this file and common.hpp): the producer on the
  // first CPU, the consumer on the same one or the next. Unpinned, a wake-up
  // sent to the other, busy CPU costs up to a hundred times one on the same
  // CPU, so the unpinned figure swings 10x between runs for weave and std
  // alike; each placement's ratio compares like with like.
  using weave::bench::placed;
  weave::bench::register_placed("BM_handoff_placed<weave_fifo>", placed<BM_handoff<weave_fifo>>)->MinTime(0.2);
  weave::bench::register_placed("BM_handoff_placed<weave_ring>", placed<BM_handoff<weave_ring>>)->MinTime(0.2);
  weave::bench::register_placed("BM_handoff_placed<std_deque>", placed<BM_handoff<std_deque>>)->MinTime(0.2);
  // And BM_transfer's 1P/1C at capacity 1024, placed the same way.
  weave::bench::register_placed("BM_transfer_placed<weave_fifo>", placed<BM_transfer<weave_fifo>>)->MinTime(0.2);
  weave::bench::register_placed("BM_transfer_placed<weave_ring>", placed<BM_transfer<weave_ring>>)->MinTime(0.2);
  weave::bench::register_placed("BM_transfer_placed<std_deque>", placed<BM_transfer<std_deque>>)->MinTime(0.2);
  const auto placed_name = [](const char* bm, const char* q, int cpus) {
    return weave::bench::placed_name(std::string(bm) + "_placed<" + q + ">", cpus, "/min_time:0.200");
  };
  for (const char* bm : {"BM_transfer", "BM_handoff"}) {
    const std::string flow = std::string(bm) == "BM_transfer" ? "items/s 1P/1C" : "items/s capacity 1, 1P/1C";
    for (const int cpus : {1, 2}) {
      const std::string where = cpus == 1 ? "one CPU" : "two CPUs";
      for (const char* weave_q : {"weave_fifo", "weave_ring"}) {
        const std::string who = std::string(weave_q) == "weave_fifo" ? "fifo_queue" : "ring_queue";
        ratios.push_back({flow + " on " + where + ": " + who + " / std deque+cv", placed_name(bm, weave_q, cpus),
                          placed_name(bm, "std_deque", cpus), metric::throughput, 0});
      }
    }
  }
  return weave::bench::run(argc, argv, ratios, "^BM_(transfer|handoff)(_placed)?<");
}
