// weave::thread_pool under the checker: shutdown() racing submit(). A task is
// either refused (usage_error) or accepted, and every accepted task is run or
// cancelled before shutdown(wait) returns — never stranded (P1..P4). The twin
// shuts down by dropping the queue instead of draining it. Three threads (the
// submitter, the caller of shutdown, one worker) over the queue's mutex and
// conditions: bounded to 2 preemptions to stay within seconds.
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

WEAVE_MODEL_CHECK(thread_pool_shutdown_racing_submit_drains, pass, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  shutdown_racing_submit<weave::model::thread_pool>(false);
}

WEAVE_MODEL_CHECK(thread_pool_shutdown_cancel_pending_racing_submit, pass, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  shutdown_racing_submit<weave::model::thread_pool>(true);
}

WEAVE_MODEL_CHECK(thread_pool_twin_shutdown_drops_queue, check_failed, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  shutdown_racing_submit<dropping_pool>(false);
}
