// weave::thread_pool under the checker: shutdown() racing submit(). A task is
// either refused (usage_error) or accepted, and every accepted task is run or
// cancelled before shutdown(wait) returns — never stranded (P1..P4). The twin
// shuts down by dropping the queue instead of draining it. Three threads (the
// submitter, the caller of shutdown, one worker) over the queue's mutex and
// conditions: bounded to 2 preemptions to stay within seconds. Under weak
// memory (exhaustive, RC11): a pool of one worker runs one task that writes a
// cell, and the future's get() orders it before the caller reads the cell;
// the twin waits for the task on a relaxed flag instead (a data race).
#include <atomic>
#include <optional>

#include "weave/model.hpp"
#include "weave/thread_pool.hpp"
#include "checks/interleavings.hpp"

namespace {
using weave::model::thread;
using S = weave::model_sync;

// BUG: stops the workers by dropping what is queued (close_mode::immediate):
// an accepted task is destroyed unrun (its promise breaks).
struct dropping_pool : weave::model::thread_pool {
  using weave::model::thread_pool::thread_pool;
  void shutdown(bool, bool) {
    q_.close(weave::close_mode::immediate);
    join_workers();
  }
};

template <class Pool>
void shutdown_racing_submit(bool cancel_pending) {
  Pool pool(1);
  S::atomic<int> ran(0);
  std::optional<weave::model::future<int>> fut;  // written by the submitter, read after its join
  thread submitter([&] {
    try {
      fut = pool.submit([&] {
        ran.fetch_add(1, std::memory_order_relaxed);  // relaxed: read after the joins
        return 5;
      });
    } catch (const weave::usage_error&) {  // refused (P1)
    }
  });
  pool.shutdown(true, cancel_pending);
  submitter.join();
  const int n = ran.load(std::memory_order_relaxed);  // relaxed: after the joins
  if (!fut) {
    WEAVE_CHECK(n == 0);
    return;
  }
  WEAVE_CHECK(fut->done());  // P4: shutdown(wait) returned
  if (fut->cancelled()) {
    WEAVE_CHECK(cancel_pending && n == 0);
  } else {
    WEAVE_CHECK(n == 1);
    WEAVE_CHECK(fut->get() == 5);
  }
}
}  // namespace

WEAVE_MODEL_CHECK(thread_pool_shutdown_racing_submit_drains, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  shutdown_racing_submit<weave::model::thread_pool>(false);
}

WEAVE_MODEL_CHECK(thread_pool_shutdown_cancel_pending_racing_submit, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  shutdown_racing_submit<weave::model::thread_pool>(true);
}

WEAVE_MODEL_CHECK(thread_pool_twin_shutdown_drops_queue, check_failed, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  shutdown_racing_submit<dropping_pool>(false);
}

// One worker, one task: the task writes a plain cell and returns; get() must
// make the write visible (a data race otherwise). The destructor shuts down.
// Not exhaustive within seconds even at this size: the worker's id
// registration, the queue's mutex and condition, the future's state and the
// shutdown's joins ran 26 million executions in 10 minutes under RC11 without
// spurious wake-ups and were not done (spurious wake-ups multiply it). Bounded
// to 0 preemptions (threads switch only where they block or end) and no
// spurious wake-ups: every load still reads from every store RC11 allows,
// which is what a missing release/acquire between the task and get() needs;
// the pool's interleavings are explored by the checks above.
WEAVE_MODEL_CHECK(thread_pool_get_orders_task_writes, pass, .primitives = weave::model::transparent, .preemptions = 0, .spurious_wakeups = 0) {
  S::cell<int> out(0);
  weave::model::thread_pool pool(1);
  weave::model::future<int> fut = pool.submit([&] {
    out.write() = 7;
    return 1;
  });
  WEAVE_CHECK(fut.get() == 1);
  WEAVE_CHECK(out.read() == 7);
}

namespace {
// The task signals "done" through its own flag instead of the future; the
// flag's orders are parameters: release/acquire is correct, relaxed/relaxed
// is the twin.
template <std::memory_order Signal, std::memory_order Look>
void done_flag_after_task() {
  S::cell<int> out(0);
  S::atomic<int> done(0);
  weave::model::thread_pool pool(1);
  (void)pool.submit([&] {
    out.write() = 7;
    // Signal = release: pairs with the caller's load below (Look = acquire).
    // Signal = relaxed (the twin's BUG): pairs with nothing.
    done.store(1, Signal);
  });
  while (done.load(Look) == 0) S::spin();
  WEAVE_CHECK(out.read() == 7);
}
}  // namespace

// The twin's correct counterpart, bounded as above.
WEAVE_MODEL_CHECK(thread_pool_release_done_flag_orders_task_writes, pass, .primitives = weave::model::transparent, .preemptions = 0, .spurious_wakeups = 0) {
  done_flag_after_task<std::memory_order_release, std::memory_order_acquire>();
}

// The twin: the caller sees the flag but the cell write is not ordered before
// its read: a data race (in both memory modes: the checker derives
// happens-before from the memory orders under --memory-model sc as well).
WEAVE_MODEL_CHECK(thread_pool_twin_relaxed_done_flag, data_race, .primitives = weave::model::transparent) {
  done_flag_after_task<std::memory_order_relaxed, std::memory_order_relaxed>();
}
