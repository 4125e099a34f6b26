// weave's blocking queues under the checker, 2-3 threads, capacity 1-2: no item
// lost or duplicated, FIFO order per producer, priority order, close wakes
// every waiter (producers and consumers), join returns exactly when every task
// is done, a timed get either gets the item or leaves it in the queue, a put
// racing close is refused or delivered whichever get the consumer uses. The
// twins are the producer/consumer bugs every course shows: `if (!q.empty())
// q.get()` with two consumers, a consumer loop nobody ends, a close that
// wakes only one of the blocked consumers, and a get that decides closed from
// two looks.
#include <optional>
#include <vector>

#include "weave/condition.hpp"
#include "checks/queue_bodies.hpp"
#include "weave/model.hpp"
#include "weave/mutex.hpp"
#include "weave/queue.hpp"
#include "checks/interleavings.hpp"

namespace {
using weave::queue_status;
using weave::model::thread;
using weave::model_bodies::by_get_for;
using weave::model_bodies::by_get_until;
using weave::model_bodies::by_try_get;
using weave::model_bodies::closed_after_two_looks;
using weave::model_bodies::put_racing_close;
using S = weave::model_sync;
}  // namespace

// One producer puts 1, 2 through a one-slot queue, then closes; the consumer
// gets until closed: exactly 1 then 2 (order kept, nothing lost or doubled,
// and close drains before it reports closed).
// Bounded to 3 preemptions per execution (about 0.7M executions).
WEAVE_MODEL_CHECK(queue_fifo_capacity_one_order_and_drain, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 3) {
  weave::model::fifo_queue<int> q(1);
  weave::model_bodies::order_and_drain(q);
}

// Two producers, one item each, capacity 1, two consumers (the body is one):
// every item got exactly once.
// Bounded to 2 preemptions, spurious wake-ups off (about 0.5M executions).
WEAVE_MODEL_CHECK(queue_two_producers_two_consumers, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2, .spurious_wakeups = 0) {
  weave::model::fifo_queue<int> q(1);
  int got_a = 0;
  thread pa([&] { WEAVE_CHECK(q.put(1) == queue_status::ok); });
  thread pb([&] { WEAVE_CHECK(q.put(2) == queue_status::ok); });
  thread ca([&] { WEAVE_CHECK(q.get(got_a) == queue_status::ok); });
  int got_b = 0;
  WEAVE_CHECK(q.get(got_b) == queue_status::ok);
  pa.join();
  pb.join();
  ca.join();
  WEAVE_CHECK(got_a + got_b == 3 && got_a != got_b);
}

// Priority: two producers race to put 2 and 1; once both are in, gets come
// out smallest first; a LIFO check rides along (its store is the same
// monitor, only the end differs).
WEAVE_MODEL_CHECK(queue_priority_order, pass, .primitives = weave::model::transparent) {
  weave::model::priority_queue<int> q(2);
  thread a([&] { WEAVE_CHECK(q.put(2) == queue_status::ok); });
  thread b([&] { WEAVE_CHECK(q.put(1) == queue_status::ok); });
  a.join();
  b.join();
  int x = 0, y = 0;
  WEAVE_CHECK(q.try_get(x) == queue_status::ok && q.try_get(y) == queue_status::ok);
  WEAVE_CHECK(x == 1 && y == 2);
}

// close() wakes every blocked consumer: two consumers wait on an empty queue,
// the body closes it; both return closed (a missed one is a deadlock).
// Bounded to 2 preemptions per execution (about 0.9M executions).
WEAVE_MODEL_CHECK(queue_close_wakes_every_consumer, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  weave::model::fifo_queue<int> q(1);
  weave::model_bodies::close_wakes_every_consumer(q);
}

// close() wakes a producer blocked on a full queue; the item put before close
// is still delivered (drain), the blocked one is refused.
WEAVE_MODEL_CHECK(queue_close_wakes_blocked_producer, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::fifo_queue<int> q(1);
  WEAVE_CHECK(q.put(1) == queue_status::ok);
  queue_status second = queue_status::ok;
  thread p([&] { second = q.put(2); });
  q.close();
  p.join();
  int v = 0;
  WEAVE_CHECK(q.get(v) == queue_status::ok && v == 1);
  WEAVE_CHECK(second == queue_status::closed);  // the queue stayed full until close
  WEAVE_CHECK(q.get(v) == queue_status::closed);
}

// join() returns exactly when every task is done: the worker records its work
// in a plain cell before task_done(); join's return must see both.
// Bounded to 3 preemptions per execution (about 0.2M executions).
WEAVE_MODEL_CHECK(queue_join_waits_for_task_done, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 3) {
  weave::model::fifo_queue<int> q;
  weave::model_bodies::join_waits_for_task_done(q);
}

// A timed get racing a put: it gets the item (ok) or times out and the item
// stays in the queue — never both, never neither.
WEAVE_MODEL_CHECK(queue_timed_get_keeps_or_takes, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::fifo_queue<int> q(1);
  weave::model_bodies::timed_get_keeps_or_takes(q);
}

// A put racing close, the consumer asking with try_get, get_for or get_until
// (then get() on empty or timeout): the put is refused and the consumer told
// closed, or the put is accepted and the consumer gets the item (the body
// ring_queue runs too: one contract).
// Bounded to 2 preemptions per execution (0.2M-0.5M executions each); the
// twins below run under the same bound.
WEAVE_MODEL_CHECK(queue_try_get_racing_close_is_never_stranded, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  weave::model::fifo_queue<int> q(1);
  put_racing_close<by_try_get>(q);
}

WEAVE_MODEL_CHECK(queue_get_for_racing_close_is_never_stranded, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  weave::model::fifo_queue<int> q(1);
  put_racing_close<by_get_for>(q);
}

WEAVE_MODEL_CHECK(queue_get_until_racing_close_is_never_stranded, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  weave::model::fifo_queue<int> q(1);
  put_racing_close<by_get_until>(q);
}

// Twins: the consumer's first get decides closed from two looks (empty, then
// the flag); the whole put and the close fit between them, and the item the
// put left is never got.
WEAVE_MODEL_CHECK(queue_twin_try_get_closed_after_two_looks, check_failed, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  closed_after_two_looks<weave::model::fifo_queue<int>> q(1);
  put_racing_close<by_try_get>(q);
}

WEAVE_MODEL_CHECK(queue_twin_get_for_closed_after_two_looks, check_failed, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  closed_after_two_looks<weave::model::fifo_queue<int>> q(1);
  put_racing_close<by_get_for>(q);
}

WEAVE_MODEL_CHECK(queue_twin_get_until_closed_after_two_looks, check_failed, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  closed_after_two_looks<weave::model::fifo_queue<int>> q(1);
  put_racing_close<by_get_until>(q);
}

// Twin: two consumers each do `if (!q.empty()) get` for the one item. Both can
// see "not empty" before either gets; the second get then blocks forever.
WEAVE_MODEL_CHECK(queue_twin_empty_then_get, deadlock, .primitives = weave::model::transparent) {
  weave::model::fifo_queue<int> q(2);
  WEAVE_CHECK(q.put(1) == queue_status::ok);
  auto consumer = [&] {
    if (!q.empty()) {  // BUG: a snapshot; the other consumer may take the item first
      int v = 0;
      (void)q.get(v);
    }
  };
  thread a(consumer), b(consumer);
  a.join();
  b.join();
}

// Twin: the consumer that never ends. Its loop stops only when the queue is
// closed (or on a sentinel); the producer does neither.
WEAVE_MODEL_CHECK(queue_twin_consumer_never_ends, deadlock, .primitives = weave::model::transparent) {
  weave::model::fifo_queue<int> q(1);
  int sum = 0;
  thread consumer([&] {
    while (auto v = q.get()) sum += *v;
  });
  WEAVE_CHECK(q.put(1) == queue_status::ok);
  // BUG: no q.close() and no sentinel: the consumer waits forever
  consumer.join();
}

namespace {
// The twin's queue: the close step of weave's queue with notify_one in place
// of notify_all (the rest is the same monitor, reduced to what the twin uses).
struct close_wakes_one {
  weave::model::mutex m;
  weave::model::condition not_empty;
  S::cell<bool> closed{false};
  S::cell<int> items{0};
  queue_status get() {
    weave::detail::unique_hold<weave::model::mutex> h(m);
    while (items.read() == 0 && !closed.read()) not_empty.wait(h);
    if (items.read() == 0) return queue_status::closed;
    --items.write();
    return queue_status::ok;
  }
  void close() {
    weave::detail::unique_hold<weave::model::mutex> h(m);
    closed.write() = true;
    not_empty.notify_one();  // BUG: every blocked consumer must wake
  }
};
}  // namespace

// Twin: close wakes one of two blocked consumers; the other sleeps forever
// (spurious wake-ups off: one would rescue it in some executions; the bug is
// found either way, this keeps the counterexample short).
WEAVE_MODEL_CHECK(queue_twin_close_wakes_one, deadlock, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .spurious_wakeups = 0) {
  close_wakes_one q;
  auto consumer = [&] { WEAVE_CHECK(q.get() == queue_status::closed); };
  thread a(consumer), b(consumer);
  q.close();
  a.join();
  b.join();
}
