// weave::ring_queue under the checker, 2-3 threads, capacity 1: order kept and
// close drained, close wakes every blocked consumer, a put racing close is
// either refused or delivered (never stranded) whether the consumer asks with
// get, try_get, get_for or get_until, an immediate close racing a put leaves
// join and get consistent, join waits for task_done, a timed get takes the
// item or leaves it. The twins are the bug the in-flight count exists for: a
// get that reports closed as soon as it sees the flag and an empty ring, while
// a put that passed its closed check is still pushing; for the try_ and timed
// gets, the same decision made from two looks (closed_after_two_looks).
#include <optional>
#include <vector>

#include "checks/queue_bodies.hpp"
#include "weave/model.hpp"
#include "weave/mpmc_ring.hpp"
#include "weave/ring_queue.hpp"
#include "weave/semaphore.hpp"
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

// One producer puts 1, 2 through one slot, then closes; the consumer gets
// until closed: exactly 1 then 2. Exhaustive (about 0.58M executions, 2.6 s).
WEAVE_MODEL_CHECK(ring_queue_capacity_one_order_and_drain, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::ring_queue<int> q(1);
  weave::model_bodies::order_and_drain(q);
}

// Two consumers blocked on an empty queue; close wakes both.
// Exhaustive (about 0.16M executions, under a second; bounded to 4
// preemptions it took 1.2M).
WEAVE_MODEL_CHECK(ring_queue_close_wakes_every_consumer, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::ring_queue<int> q(1);
  weave::model_bodies::close_wakes_every_consumer(q);
}

// A put racing close: refused (closed) or delivered to the consumer that
// drains after close — never accepted and lost.
WEAVE_MODEL_CHECK(ring_queue_put_racing_close_is_never_stranded, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::ring_queue<int> q(1);
  put_racing_close(q);
}

// The same with the fixed-capacity form whose slots live inside the object
// (shared_ring_queue, the one placed in memory shared between processes).
WEAVE_MODEL_CHECK(ring_queue_inline_slots_put_racing_close, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::shared_ring_queue<int, 1> q;
  put_racing_close(q);
}

// The same race with a consumer that asks with try_get, get_for or get_until
// (then get() on empty or timeout): one that looks while close() is between
// its closed flag and its permits must not report closed (R3).
WEAVE_MODEL_CHECK(ring_queue_try_get_racing_close_is_never_stranded, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::ring_queue<int> q(1);
  put_racing_close<by_try_get>(q);
}

WEAVE_MODEL_CHECK(ring_queue_get_for_racing_close_is_never_stranded, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::ring_queue<int> q(1);
  put_racing_close<by_get_for>(q);
}

WEAVE_MODEL_CHECK(ring_queue_get_until_racing_close_is_never_stranded, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::ring_queue<int> q(1);
  put_racing_close<by_get_until>(q);
}

WEAVE_MODEL_CHECK(ring_queue_inline_slots_try_get_racing_close, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::shared_ring_queue<int, 1> q;
  put_racing_close<by_try_get>(q);
}

WEAVE_MODEL_CHECK(ring_queue_inline_slots_get_for_racing_close, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::shared_ring_queue<int, 1> q;
  put_racing_close<by_get_for>(q);
}

WEAVE_MODEL_CHECK(ring_queue_inline_slots_get_until_racing_close, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::shared_ring_queue<int, 1> q;
  put_racing_close<by_get_until>(q);
}

// An immediate close racing a put: whatever happened, nothing is left, a get
// reports closed and join returns (every accepted item counted done or got).
WEAVE_MODEL_CHECK(ring_queue_immediate_close_racing_put, pass, .primitives = weave::model::transparent) {
  weave::model::ring_queue<int> q(1);
  queue_status put_result = queue_status::timeout;
  thread producer([&] { put_result = q.put(7); });
  q.close(weave::close_mode::immediate);
  producer.join();
  int v = 0;
  WEAVE_CHECK(q.get(v) == queue_status::closed);
  WEAVE_CHECK(q.unfinished_tasks() == 0);
  q.join();
  WEAVE_CHECK(put_result == queue_status::ok || put_result == queue_status::closed);
}

// join returns exactly when every task is done (the worker's plain-cell record
// is visible after join: a data race if join returned early).
// Exhaustive (about 0.24M executions, about a second).
WEAVE_MODEL_CHECK(ring_queue_join_waits_for_task_done, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::ring_queue<int> q(2);
  weave::model_bodies::join_waits_for_task_done(q);
}

// A timed get racing a put: it takes the item, or times out and the item stays.
WEAVE_MODEL_CHECK(ring_queue_timed_get_keeps_or_takes, pass, .primitives = weave::model::transparent) {
  weave::model::ring_queue<int> q(1);
  weave::model_bodies::timed_get_keeps_or_takes(q);
}

namespace {
// The twin: ring_queue's put and get reduced to one slot, with get's closed
// check as a first try would write it — closed flag and an empty ring, no
// count of puts in flight.
struct forgets_puts_in_flight {
  weave::basic_mpmc_ring<int, S> ring{1};
  weave::basic_semaphore<S, false> slots{1};
  S::atomic<bool> closed{false};
  queue_status put(int v) {
    if (closed.load(std::memory_order_acquire)) return queue_status::closed;  // acquire: pairs with close()
    if (!slots.try_acquire()) return queue_status::full;
    WEAVE_CHECK(ring.try_push(v));
    return queue_status::ok;
  }
  queue_status get(int& out) {
    for (;;) {
      if (ring.try_pop(out)) return queue_status::ok;
      // BUG: a put that passed its closed check may still be pushing
      if (closed.load(std::memory_order_acquire)) return queue_status::closed;  // acquire: pairs with close()
      S::spin();
    }
  }
  void close() { closed.store(true, std::memory_order_release); }  // release: pairs with the loads above
};
}  // namespace

// Twin: the put is accepted, but the consumer already reported closed: the
// item is stranded in the queue.
WEAVE_MODEL_CHECK(ring_queue_twin_get_ignores_puts_in_flight, check_failed, .primitives = weave::model::transparent) {
  forgets_puts_in_flight q;
  put_racing_close(q);  // the passing checks' body, on the buggy queue
}

// Twins of the try_get, get_for and get_until checks: the consumer's first
// get reports closed from two looks (nothing to take, then the flag) while
// the accepted put's item is still to come, and stops.
WEAVE_MODEL_CHECK(ring_queue_twin_try_get_closed_after_two_looks, check_failed, .primitives = weave::model::transparent) {
  closed_after_two_looks<weave::model::ring_queue<int>> q(1);
  put_racing_close<by_try_get>(q);
}

WEAVE_MODEL_CHECK(ring_queue_twin_get_for_closed_after_two_looks, check_failed, .primitives = weave::model::transparent) {
  closed_after_two_looks<weave::model::ring_queue<int>> q(1);
  put_racing_close<by_get_for>(q);
}

WEAVE_MODEL_CHECK(ring_queue_twin_get_until_closed_after_two_looks, check_failed, .primitives = weave::model::transparent) {
  closed_after_two_looks<weave::model::ring_queue<int>> q(1);
  put_racing_close<by_get_until>(q);
}

WEAVE_MODEL_CHECK(ring_queue_twin_inline_slots_try_get_closed_after_two_looks, check_failed, .primitives = weave::model::transparent) {
  closed_after_two_looks<weave::model::shared_ring_queue<int, 1>> q;
  put_racing_close<by_try_get>(q);
}

WEAVE_MODEL_CHECK(ring_queue_twin_inline_slots_get_for_closed_after_two_looks, check_failed, .primitives = weave::model::transparent) {
  closed_after_two_looks<weave::model::shared_ring_queue<int, 1>> q;
  put_racing_close<by_get_for>(q);
}

WEAVE_MODEL_CHECK(ring_queue_twin_inline_slots_get_until_closed_after_two_looks, check_failed, .primitives = weave::model::transparent) {
  closed_after_two_looks<weave::model::shared_ring_queue<int, 1>> q;
  put_racing_close<by_get_until>(q);
}
