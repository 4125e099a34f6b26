// Stress: weave::fifo_queue, ring_queue, lifo_queue and priority_queue with
// real threads.
//
// The FIFO scenarios (order, shutdown, join) are written once, as templates on
// the queue type, and run on both FIFO backends: weave::fifo_queue (the
// monitor, queue.hpp) and weave::ring_queue (the MPMC ring between two
// semaphores, ring_queue.hpp); each backend gets half of their time.
//
//   order      P producers x C consumers over a bounded FIFO queue (capacity 1,
//              2, 64); items are (producer, sequence number). Every consumer
//              sees each producer's numbers strictly increasing (one FIFO
//              queue keeps each producer's order), checksums of what went in
//              and what came out match, counts are exact. Producers end, then
//              close() (draining); consumers run `while (auto v = q.get())`.
//   shutdown   producers and consumers run until a time limit, then the main
//              thread closes the queue under their feet (blocked in put/get or
//              active). close(): everything put successfully is got, once.
//              close(immediate): what is got was put exactly once, each
//              producer's got items are a prefix of what it put (the dropped
//              ones were the queue's leftovers, so at most capacity of them),
//              and the dropped items no longer count as unfinished tasks.
//   join       consumers call task_done per item; a joiner's join(), called
//              once the producers are finished, returns only when every item
//              put has been processed.
//   lifo, priority  threaded smoke (checksums); a priority queue filled by
//              threads then drained by one consumer comes out non-decreasing.
//
// Bounded by count and by time (weave::stress::budget), so it finishes in a
// few seconds even under ThreadSanitizer on 2 cores.
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "common.hpp"
#include "weave/error.hpp"
#include "weave/queue.hpp"
#include "weave/ring_queue.hpp"

namespace {

using namespace weave::stress;
using weave::close_mode;
using weave::queue_status;

// An item: the producer's id in the high bits, its sequence number below.
constexpr int seq_bits = 40;
constexpr std::uint64_t seq_mask = (std::uint64_t{1} << seq_bits) - 1;
constexpr std::uint64_t encode(int producer, std::uint64_t seq) {
  return (static_cast<std::uint64_t>(producer) << seq_bits) | seq;
}
constexpr int producer_of(std::uint64_t v) { return static_cast<int>(v >> seq_bits); }
constexpr std::uint64_t seq_of(std::uint64_t v) { return v & seq_mask; }

// At most this many items per producer (the time limit usually stops first).
const std::uint64_t max_items = weave::tsan_build ? 40000 : 400000;

// Threads started now and joined by join() (or the destructor); an exception
// escaping one fails the run. Unlike run_threads, the caller goes on working
// (closing a queue under the threads' feet, for instance).
class crew {
 public:
  template <class F>
  crew(int n, F fn) {
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([fn, i] {
        try {
          fn(i);
        } catch (const std::exception& e) {
          fail("thread " + std::to_string(i) + " threw: " + e.what());
        } catch (...) {
          fail("thread " + std::to_string(i) + " threw a non-std exception");
        }
      });
    }
  }
  void join() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  ~crew() { join(); }
  crew(const crew&) = delete;
  crew& operator=(const crew&) = delete;

 private:
  std::vector<std::thread> threads_;
};

// What one consumer saw: a checksum, and per producer the next sequence number
// it may see (anything smaller breaks the producer's order).
struct consumer_log {
  checksum sum;
  std::vector<std::uint64_t> next;
  std::vector<std::uint64_t> items;  // every item, if keep
  bool keep = false;
  explicit consumer_log(int producers, bool keep_items = false)
      : next(static_cast<std::size_t>(producers), 0), keep(keep_items) {}
  void take(std::uint64_t v, const char* what) {
    const int p = producer_of(v);
    require(p >= 0 && static_cast<std::size_t>(p) < next.size(), std::string(what) + ": item from no producer");
    const std::uint64_t s = seq_of(v);
    require(s >= next[static_cast<std::size_t>(p)],
            std::string(what) + ": a producer's items came out of order (seq " + std::to_string(s) +
                " after " + std::to_string(next[static_cast<std::size_t>(p)]) + ")");
    next[static_cast<std::size_t>(p)] = s + 1;
    sum.add(v);
    if (keep) items.push_back(v);
  }
};

template <class Log>
checksum merged(const std::vector<Log>& logs) {
  checksum all;
  for (const auto& l : logs) all.merge(l.sum);
  return all;
}

// The FIFO backends under test, by name.
template <class Queue>
struct backend;
template <>
struct backend<weave::fifo_queue<std::uint64_t>> {
  static constexpr const char* name = "fifo_queue";
};
template <>
struct backend<weave::ring_queue<std::uint64_t>> {
  static constexpr const char* name = "ring_queue";
};

// "<backend> <scenario>", the prefix of every message of a FIFO scenario.
template <class Queue>
std::string label(const char* scenario) {
  return std::string(backend<Queue>::name) + " " + scenario;
}

// --- order: P x C over a bounded FIFO, close after the producers ------------

template <class Queue>
void order_run(int producers, int consumers, std::size_t capacity, double fraction) {
  const time_limit lim(fraction);
  const std::string what = label<Queue>("order");
  Queue q(capacity);
  std::vector<checksum> in(static_cast<std::size_t>(producers));
  std::vector<consumer_log> out(static_cast<std::size_t>(consumers), consumer_log(producers));
  crew cons(consumers, [&](int c) {
    consumer_log& log = out[static_cast<std::size_t>(c)];
    while (auto v = q.get()) log.take(*v, what.c_str());
  });
  run_threads(producers, [&](int p) {
    checksum& mine = in[static_cast<std::size_t>(p)];
    for (std::uint64_t s = 0; s < max_items && (s % 64 != 0 || !lim.expired()); ++s) {
      const queue_status st = q.put(encode(p, s));
      require(st == queue_status::ok, what + ": put returned " + weave::to_string(st));
      mine.add(encode(p, s));
    }
  });
  q.close();  // every producer has joined: consumers drain, then see closed
  cons.join();
  checksum all_in;
  for (const auto& c : in) all_in.merge(c);
  const checksum all_out = merged(out);
  require(all_in == all_out, what + ": put " + all_in.str() + " != got " + all_out.str());
  require(q.size() == 0 && q.closed(), what + ": queue drained and closed");
  std::uint64_t v = 0;
  require(q.get(v) == queue_status::closed && q.try_get(v) == queue_status::closed, what + ": get after drain");
  note("%s %dx%d cap %zu: %" PRIu64 " items, checksums match, per-producer order kept\n", what.c_str(),
       producers, consumers, capacity, all_in.count);
}

// --- shutdown: close under traffic --------------------------------------------

template <class Queue>
void shutdown_run(int producers, int consumers, std::size_t capacity, close_mode mode, double fraction) {
  const time_limit lim(fraction);
  const bool immediate = mode == close_mode::immediate;
  const std::string what_s = label<Queue>(immediate ? "shutdown(immediate)" : "shutdown(drain)");
  const char* const what = what_s.c_str();
  Queue q(capacity);
  std::vector<checksum> in(static_cast<std::size_t>(producers));
  std::vector<std::uint64_t> put_count(static_cast<std::size_t>(producers), 0);
  std::vector<consumer_log> out(static_cast<std::size_t>(consumers), consumer_log(producers, immediate));
  std::atomic<std::uint64_t> timed_waits{0};
  {
    // Producer 0 and consumer 0 use the timed forms (retrying on timeout), the
    // others block; all stop at the first closed.
    crew cons(consumers, [&](int c) {
      consumer_log& log = out[static_cast<std::size_t>(c)];
      if (c == 0) {
        std::uint64_t v = 0;
        for (;;) {
          const queue_status st = q.get_for(v, std::chrono::microseconds(300));
          if (st == queue_status::timeout) {
            timed_waits.fetch_add(1, std::memory_order_relaxed);  // relaxed: a statistic
            continue;
          }
          if (st == queue_status::closed) break;
          require(st == queue_status::ok, std::string(what) + ": get_for returned " + weave::to_string(st));
          log.take(v, what);
        }
      } else {
        while (auto v = q.get()) log.take(*v, what);
      }
    });
    crew prods(producers, [&](int p) {
      checksum& mine = in[static_cast<std::size_t>(p)];
      std::uint64_t s = 0;
      for (; s < max_items; ++s) {
        const std::uint64_t v = encode(p, s);
        queue_status st = queue_status::ok;
        if (p == 0) {
          while ((st = q.put_for(v, std::chrono::microseconds(300))) == queue_status::timeout)
            timed_waits.fetch_add(1, std::memory_order_relaxed);  // relaxed: a statistic
        } else {
          st = q.put(v);
        }
        if (st == queue_status::closed) break;  // not put: not counted
        require(st == queue_status::ok, std::string(what) + ": put returned " + weave::to_string(st));
        mine.add(v);
      }
      put_count[static_cast<std::size_t>(p)] = s;
      if (s < max_items) {  // stopped by close: later puts report closed too
        require(q.try_put(encode(p, s)) == queue_status::closed, std::string(what) + ": try_put after close");
      }
    });
    while (!lim.expired()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    q.close(mode);  // under traffic: threads are blocked in put/get or working
    prods.join();
    cons.join();
  }
  checksum all_in;
  for (const auto& c : in) all_in.merge(c);
  const checksum all_out = merged(out);
  if (!immediate) {
    require(all_in == all_out, std::string(what) + ": put " + all_in.str() + " != got " + all_out.str());
    require(q.unfinished_tasks() == all_in.count, std::string(what) + ": every put item still unfinished");
    note("%s %dx%d cap %zu: %" PRIu64 " items put, all got after close, %" PRIu64 " timed waits\n", what,
         producers, consumers, capacity, all_in.count, timed_waits.load());
    return;
  }
  // Immediate: every item got was put, and got once (a bitmap per producer);
  // each producer's got items are the prefix [0, got) of the [0, put) it put
  // (FIFO: the dropped ones are its latest).
  require(all_out.count <= all_in.count, std::string(what) + ": got more than was put");
  for (int p = 0; p < producers; ++p) {
    const std::uint64_t n = put_count[static_cast<std::size_t>(p)];
    std::vector<bool> seen(static_cast<std::size_t>(n), false);
    std::uint64_t got = 0;
    for (const auto& l : out) {
      for (const std::uint64_t v : l.items) {
        if (producer_of(v) != p) continue;
        const std::uint64_t s = seq_of(v);
        require(s < n, std::string(what) + ": got an item that was never put");
        require(!seen[static_cast<std::size_t>(s)], std::string(what) + ": an item got twice");
        seen[static_cast<std::size_t>(s)] = true;
        ++got;
      }
    }
    // fifo_queue drops under its lock: the got items are exactly a prefix.
    // ring_queue's immediate close is not one atomic step (its R6): a get
    // that took its permit before the close may deliver a later item than
    // ones the close dropped, so holes are allowed, at most what it dropped.
    std::uint64_t holes = 0;
    for (std::uint64_t s = 0; s < got; ++s) holes += seen[static_cast<std::size_t>(s)] ? 0 : 1;
    const std::uint64_t allowed = std::is_same_v<Queue, weave::ring_queue<std::uint64_t>> ? static_cast<std::uint64_t>(capacity) : 0;
    require(holes <= allowed, std::string(what) + ": a producer's got items are not a prefix (" +
                                  std::to_string(holes) + " holes, " + std::to_string(allowed) + " allowed)");
  }
  const std::uint64_t dropped = all_in.count - all_out.count;
  require(dropped <= capacity, std::string(what) + ": dropped " + std::to_string(dropped) +
                                   " items, more than the capacity " + std::to_string(capacity));
  require(q.size() == 0, std::string(what) + ": nothing left after an immediate close");
  // No task_done here: the items got are the only unfinished ones (the
  // dropped ones count as done).
  require(q.unfinished_tasks() == all_out.count, std::string(what) + ": unfinished " +
                                                     std::to_string(q.unfinished_tasks()) + " != got " +
                                                     std::to_string(all_out.count));
  note("%s %dx%d cap %zu: %" PRIu64 " put, %" PRIu64 " got, %" PRIu64 " dropped, no duplicates, %" PRIu64
       " timed waits\n",
       what, producers, consumers, capacity, all_in.count, all_out.count, dropped, timed_waits.load());
}

// --- join: task_done / join under traffic ------------------------------------

template <class Queue>
void join_run(int producers, int consumers, std::size_t capacity, double fraction) {
  const time_limit lim(fraction);
  const std::string what = label<Queue>("join");
  Queue q(capacity);
  std::vector<checksum> in(static_cast<std::size_t>(producers));
  std::vector<consumer_log> out(static_cast<std::size_t>(consumers), consumer_log(producers));
  std::atomic<std::uint64_t> processed{0};
  std::atomic<std::uint64_t> put_total{0};
  std::atomic<bool> producers_done{false};
  std::atomic<std::uint64_t> seen_at_join{0};
  crew cons(consumers, [&](int c) {
    consumer_log& log = out[static_cast<std::size_t>(c)];
    std::uint64_t sink = 0;
    std::uint64_t k = 0;
    while (auto v = q.get()) {
      log.take(*v, what.c_str());
      // Some processing per item, so the consumers are the slower side and a
      // backlog is left when the producers finish.
      std::uint64_t work = *v;
      for (int i = 0; i < 64; ++i) work = mix(work);
      sink ^= work;
      if (++k % 128 == 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
      // relaxed: task_done below releases the unfinished count that join()
      // acquires before it returns (fifo_queue: the queue's mutex; ring_queue:
      // a seq_cst read-modify-write of the count, which join's seq_cst load
      // reads from its release sequence); that orders this increment first.
      processed.fetch_add(1, std::memory_order_relaxed);
      q.task_done();
    }
    require(sink != 1, what + ": (keeps the processing)");
  });
  crew joiner(1, [&](int) {
    // acquire: pairs with the release store after the producers have joined.
    while (!producers_done.load(std::memory_order_acquire)) std::this_thread::yield();
    q.join();
    // relaxed: ordered by the queue's count (see the consumers).
    seen_at_join.store(processed.load(std::memory_order_relaxed), std::memory_order_relaxed);
  });
  run_threads(producers, [&](int p) {
    checksum& mine = in[static_cast<std::size_t>(p)];
    for (std::uint64_t s = 0; s < max_items && (s % 64 != 0 || !lim.expired()); ++s) {
      require(q.put(encode(p, s)) == queue_status::ok, what + ": put");
      mine.add(encode(p, s));
    }
  });
  checksum all_in;
  for (const auto& c : in) all_in.merge(c);
  put_total.store(all_in.count, std::memory_order_relaxed);  // relaxed: read by this thread only
  const std::size_t backlog = q.unfinished_tasks();
  producers_done.store(true, std::memory_order_release);  // pairs with the joiner's acquire load
  joiner.join();
  require(seen_at_join.load(std::memory_order_relaxed) == put_total.load(std::memory_order_relaxed),
          what + ": join() returned after " + std::to_string(seen_at_join.load()) + " of " +
              std::to_string(put_total.load()) + " items processed");
  require(q.unfinished_tasks() == 0, what + ": unfinished tasks after join");
  q.join();  // returns at once
  q.close();
  cons.join();
  const checksum all_out = merged(out);
  require(all_in == all_out, what + ": put " + all_in.str() + " != got " + all_out.str());
  bool threw = false;
  try {
    q.task_done();
  } catch (const weave::usage_error&) {
    threw = true;
  }
  require(threw, what + ": one task_done too many is a usage_error");
  note("%s %dx%d cap %zu: %" PRIu64 " items, join returned at processed == put (backlog %zu at the call)\n",
       what.c_str(), producers, consumers, capacity, all_in.count, backlog);
}

// --- lifo and priority --------------------------------------------------------

template <class Queue>
void smoke_run(const char* what, Queue& q, int producers, int consumers, double fraction) {
  const time_limit lim(fraction);
  std::vector<checksum> in(static_cast<std::size_t>(producers));
  std::vector<checksum> out(static_cast<std::size_t>(consumers));
  crew cons(consumers, [&](int c) {
    while (auto v = q.get()) out[static_cast<std::size_t>(c)].add(*v);
  });
  run_threads(producers, [&](int p) {
    for (std::uint64_t s = 0; s < max_items && (s % 64 != 0 || !lim.expired()); ++s) {
      const std::uint64_t v = mix(encode(p, s));  // priorities in no particular order
      require(q.put(v) == queue_status::ok, std::string(what) + ": put");
      in[static_cast<std::size_t>(p)].add(v);
    }
  });
  q.close();
  cons.join();
  checksum a, b;
  for (const auto& c : in) a.merge(c);
  for (const auto& c : out) b.merge(c);
  require(a == b, std::string(what) + ": put " + a.str() + " != got " + b.str());
  note("%s %dx%d cap %zu: %" PRIu64 " items, checksums match\n", what, producers, consumers, q.capacity(),
       a.count);
}

// Producers fill an unbounded priority queue; once they are done, one consumer
// drains it: the items must come out sorted by Compare.
template <class Compare>
void priority_drain(const char* what, int producers, double fraction) {
  const time_limit lim(fraction);
  weave::priority_queue<std::uint64_t, Compare> q;
  std::vector<checksum> in(static_cast<std::size_t>(producers));
  const std::uint64_t cap = weave::tsan_build ? 20000 : 100000;
  run_threads(producers, [&](int p) {
    for (std::uint64_t s = 0; s < cap && (s % 64 != 0 || !lim.expired()); ++s) {
      const std::uint64_t v = mix(encode(p, s)) % 1000;  // many equal priorities
      require(q.put(v) == queue_status::ok, std::string(what) + ": put");
      in[static_cast<std::size_t>(p)].add(v);
    }
  });
  q.close();
  checksum a, b;
  for (const auto& c : in) a.merge(c);
  const Compare before{};
  std::uint64_t prev = 0;
  bool first = true;
  while (auto v = q.get()) {
    require(first || !before(*v, prev), std::string(what) + ": drained out of order");
    prev = *v;
    first = false;
    b.add(*v);
  }
  require(a == b, std::string(what) + ": put " + a.str() + " != got " + b.str());
  note("%s: %" PRIu64 " items from %d producers drained in order\n", what, a.count, producers);
}

// Every FIFO scenario on one backend; share is its part of the time budget.
template <class Queue>
void fifo_scenarios(double share) {
  order_run<Queue>(3, 2, 1, 0.12 * share);
  order_run<Queue>(1, 1, 2, 0.12 * share);
  order_run<Queue>(2, 3, 64, 0.12 * share);

  shutdown_run<Queue>(3, 1, 2, close_mode::drain, 0.08 * share);
  shutdown_run<Queue>(1, 3, 2, close_mode::drain, 0.08 * share);
  shutdown_run<Queue>(3, 2, 8, close_mode::immediate, 0.08 * share);
  shutdown_run<Queue>(1, 3, 2, close_mode::immediate, 0.08 * share);

  join_run<Queue>(2, 2, 64, 0.12 * share);
}

}  // namespace

int main() {
  watchdog wd(60);
  const auto t0 = std::chrono::steady_clock::now();

  // Two FIFO backends, each with half the time one had alone.
  fifo_scenarios<weave::fifo_queue<std::uint64_t>>(0.5);
  fifo_scenarios<weave::ring_queue<std::uint64_t>>(0.5);

  {
    weave::lifo_queue<std::uint64_t> lq(4);
    smoke_run("lifo", lq, 2, 2, 0.06);
    weave::priority_queue<std::uint64_t> pq(16);
    smoke_run("priority", pq, 2, 2, 0.06);
  }
  priority_drain<std::less<std::uint64_t>>("priority drain (less)", 3, 0.04);
  priority_drain<std::greater<std::uint64_t>>("priority drain (greater)", 2, 0.04);

  note("ok: %.2f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}
