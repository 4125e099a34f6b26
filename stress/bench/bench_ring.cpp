// bench_ring — weave's lock-free rings against the libraries people use.
//
// Benchmarks (Q is a ring or queue adapter, capacity 1024, 64-bit items):
//   BM_transfer<Q>  even-numbered threads push, odd ones pop (threads 2: one
//                producer and one consumer; threads 4: two of each); each
//                thread does the benchmark's iteration count, so the consumers
//                receive exactly what was pushed. Items/s counts items
//                received. On full/empty both sides spin (a CPU pause) and
//                yield every 256 failed attempts: pure spinning measured the
//                scheduler on 2 shared cores (~0.1-1 M items/s for every Q,
//                each thread spinning out its time slice while the other one
//                waits to run).
//                Q at 2 threads: weave::spsc_ring, boost::lockfree::spsc_queue
//                (runtime capacity); at 2 and 4 threads: weave::mpmc_ring,
//                moodycamel::ConcurrentQueue (try_enqueue/try_dequeue,
//                implicit producers, preallocated for 1024 items).
//
// Ratios are weave / baseline throughput (above 1: weave moves more items),
// from medians of 5 repetitions in the same run. Goal (issue 6): the SPSC ring
// at least matches boost::lockfree::spsc_queue. The MPMC rows have no goal:
// moodycamel's queue is not a bounded ring (per-producer sub-queues, no global
// FIFO), so the row is a reference point, not a like-for-like race.
#include <cstdint>
#include <thread>

#include "common.hpp"
#include "weave/mpmc_ring.hpp"
#include "weave/spsc_ring.hpp"

#if defined(WEAVE_HAVE_BOOST)
#include <boost/lockfree/spsc_queue.hpp>
#endif
#if defined(WEAVE_HAVE_MOODYCAMEL)
#if __has_include("moodycamel/concurrentqueue.h")
#include "moodycamel/concurrentqueue.h"
#else
#include "concurrentqueue.h"
#endif
#endif

namespace {

constexpr std::size_t capacity = 1024;
using item = std::uint64_t;

struct weave_spsc {
  weave::spsc_ring<item> q{capacity};
  bool push(item v) { return q.try_push(v); }
  bool pop(item& v) { return q.try_pop(v); }
};
struct weave_mpmc {
  weave::mpmc_ring<item> q{capacity};
  bool push(item v) { return q.try_push(v); }
  bool pop(item& v) { return q.try_pop(v); }
};
#if defined(WEAVE_HAVE_BOOST)
struct boost_spsc {
  boost::lockfree::spsc_queue<item> q{capacity};
  bool push(item v) { return q.push(v); }
  bool pop(item& v) { return q.pop(v); }
};
#endif
#if defined(WEAVE_HAVE_MOODYCAMEL)
struct moodycamel_queue {
  moodycamel::ConcurrentQueue<item> q{capacity};
  bool push(item v) { return q.try_enqueue(v); }
  bool pop(item& v) { return q.try_dequeue(v); }
};
#endif

// One queue per adapter for the whole program; every run leaves it empty.
template <class Q>
Q& shared_queue() {
  static Q q;
  return q;
}

// On a full or empty queue: a CPU pause, and every 256 failed attempts a
// yield of the time slice (the same for every Q).
class backoff {
 public:
  void operator()() noexcept {
    if (++misses_ % 256 == 0) std::this_thread::yield();
    else weave::real_sync::spin();
  }

 private:
  unsigned misses_ = 0;
};

template <class Q>
void BM_transfer(benchmark::State& state) {
  Q& q = shared_queue<Q>();
  backoff wait;
  if (state.thread_index() % 2 == 0) {
    item v = 0;
    for (auto _ : state) {
      while (!q.push(v)) wait();
      ++v;
    }
  } else {
    item v = 0, sum = 0;
    for (auto _ : state) {
      while (!q.pop(v)) wait();
      sum += v;
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(state.iterations());
  }
}

}  // namespace

BENCHMARK_TEMPLATE(BM_transfer, weave_spsc)->Threads(2)->UseRealTime();
#if defined(WEAVE_HAVE_BOOST)
BENCHMARK_TEMPLATE(BM_transfer, boost_spsc)->Threads(2)->UseRealTime();
#endif
BENCHMARK_TEMPLATE(BM_transfer, weave_mpmc)->Threads(2)->Threads(4)->UseRealTime();
#if defined(WEAVE_HAVE_MOODYCAMEL)
BENCHMARK_TEMPLATE(BM_transfer, moodycamel_queue)->Threads(2)->Threads(4)->UseRealTime();
#endif

int main(int argc, char** argv) {
  using weave::bench::metric;
  return weave::bench::run(argc, argv, {
      {"spsc 1/1: weave::spsc_ring / boost spsc_queue", "BM_transfer<weave_spsc>/real_time/threads:2",
       "BM_transfer<boost_spsc>/real_time/threads:2", metric::throughput, 1.0},
      {"spsc 1/1: weave::mpmc_ring / weave::spsc_ring", "BM_transfer<weave_mpmc>/real_time/threads:2",
       "BM_transfer<weave_spsc>/real_time/threads:2", metric::throughput, 0},
      {"mpmc 1/1: weave::mpmc_ring / moodycamel", "BM_transfer<weave_mpmc>/real_time/threads:2",
       "BM_transfer<moodycamel_queue>/real_time/threads:2", metric::throughput, 0},
      {"mpmc 2/2: weave::mpmc_ring / moodycamel", "BM_transfer<weave_mpmc>/real_time/threads:4",
       "BM_transfer<moodycamel_queue>/real_time/threads:4", metric::throughput, 0},
  }, "^BM_transfer<");
}
