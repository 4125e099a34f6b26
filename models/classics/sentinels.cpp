// Ending the consumers of a queue, the two classic mistakes:
//
//   q.put(None)                  # one sentinel for two consumers:
//                                # the second waits in q.get() forever
//   while not q.empty():         # empty() as "done": the producer may
//       item = q.get()           # simply not have put anything yet
//
// Fixed: one sentinel per consumer, and close() (Python 3.13's shutdown())
// with a get() that returns nothing once the queue is closed and drained.
// (hand_off.cpp has the forgotten sentinel and close() for two consumers.)
#include "weave/model.hpp"
#include "weave/queue.hpp"

namespace {
using weave::model::thread;
template <class T>
using atomic = weave::model_sync::atomic<T>;
// relaxed: a counter read after the joins, which order it
constexpr auto rlx = std::memory_order_relaxed;
constexpr int sentinel = -1;

// The main thread produces 1 and 2, then `sentinels` sentinels, for two consumers.
void two_consumers(int sentinels) {
  weave::model::fifo_queue<int> q{2, "q"};
  atomic<int> sum{0, "sum"};
  auto consume = [&] {
    for (;;) {
      const int item = *q.get();
      if (item == sentinel) break;
      sum.fetch_add(item, rlx);
    }
  };
  thread c1{"consumer1", consume}, c2{"consumer2", consume};
  (void)q.put(1);
  (void)q.put(2);
  for (int i = 0; i < sentinels; ++i) (void)q.put(sentinel);
  c1.join();
  c2.join();
  WEAVE_CHECK(sum.load(rlx) == 3);
}

// A producer thread puts 1 and 2; the consumer stops at `q.empty()` (the buggy
// twin) or when get() reports the queue closed and drained (the fixed one).
void empty_as_done(bool use_close) {
  weave::model::fifo_queue<int> q{2, "q"};
  int sum = 0;
  thread producer{"producer", [&] {
    (void)q.put(1);
    (void)q.put(2);
    if (use_close) q.close();
  }};
  if (use_close) {
    while (auto item = q.get()) sum += *item;
  } else {
    while (!q.empty()) sum += *q.get();  // BUG: empty now is not "no more items"
  }
  producer.join();
  WEAVE_CHECK(sum == 3);
}
}  // namespace

WEAVE_MODEL_CHECK(classic_queue_one_sentinel_two_consumers, deadlock) { two_consumers(1); }
WEAVE_MODEL_CHECK(classic_queue_sentinel_per_consumer, pass) { two_consumers(2); }
WEAVE_MODEL_CHECK(classic_queue_empty_as_done, check_failed) { empty_as_done(false); }
WEAVE_MODEL_CHECK(classic_queue_close_instead_of_empty, pass) { empty_as_done(true); }
