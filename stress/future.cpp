// stress.future — weave::future / weave::promise on real threads, bounded in
// count and time.
//
// Rounds of a batch of promises shared by 3 threads: an executor takes each
// promise in turn, calls set_running_or_notify_cancel() and, if it won, sets
// the value i (or, for every 7th, an exception); a canceller calls cancel()
// on every 3rd future, racing the executor's start; a watcher adds a
// done-callback to every future, racing the completion, and waits for some of
// them with wait_any over pairs. Per future: cancel() returned true iff the
// executor lost (F1); the callback ran exactly once (F3); a finished future
// carries i or the exception. Totals: values + exceptions + cancelled ==
// futures, and the checksum of the values set equals the checksum of the
// values got.
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "common.hpp"
#include "weave/future.hpp"

namespace {
using namespace weave::stress;
constexpr std::size_t batch = 256;
}  // namespace

int main() {
  watchdog wd(120);
  const time_limit lim(0.8);
  checksum set_sum, got_sum;
  std::uint64_t futures = 0, values = 0, errors = 0, cancelled = 0;
  for (std::uint64_t r = 0; r < 5000 && (r < 4 || !lim.expired()); ++r) {
    std::vector<weave::promise<std::uint64_t>> ps(batch);
    std::vector<weave::future<std::uint64_t>> fs;
    for (auto& p : ps) fs.push_back(p.get_future());
    std::vector<std::atomic<int>> callbacks(batch), started(batch), cancel_won(batch);
    checksum set_here;
    run_threads(3, [&](int role) {
      for (std::size_t i = 0; i < batch; ++i) {
        const std::uint64_t v = (r << 16) | i;
        if (role == 0) {
          if (!ps[i].set_running_or_notify_cancel()) continue;
          started[i].store(1);
          if (i % 7 == 0) {
            (void)ps[i].set_exception(std::make_exception_ptr(std::runtime_error("task")));
          } else {
            (void)ps[i].set_value(v);
            set_here.add(v);  // this thread's only: merged after the join
          }
        } else if (role == 1) {
          if (i % 3 == 0 && fs[i].cancel()) cancel_won[i].store(1);
        } else {
          fs[i].add_done_callback([&callbacks, i] { callbacks[i].fetch_add(1); });
          if (i % 16 == 1) {
            weave::future<std::uint64_t> pair[2] = {fs[i - 1], fs[i]};
            weave::wait_any(pair);
            require(pair[0].done() || pair[1].done(), "wait_any returned with neither done");
          }
        }
      }
    });
    set_sum.merge(set_here);
    for (std::size_t i = 0; i < batch; ++i) {
      ++futures;
      require(fs[i].done(), "a future is not done");
      require(callbacks[i].load() == 1, "a done-callback ran " + std::to_string(callbacks[i].load()) + " times");
      require((cancel_won[i].load() == 1) != (started[i].load() == 1), "cancel and start both won, or neither");
      if (fs[i].cancelled()) {
        ++cancelled;
        continue;
      }
      try {
        got_sum.add(fs[i].get());
        ++values;
      } catch (const std::runtime_error&) {
        require(i % 7 == 0, "an exception where a value was set");
        ++errors;
      }
    }
  }
  require(values + errors + cancelled == futures, "values + exceptions + cancelled != futures");
  require(set_sum == got_sum, "checksum of values set " + set_sum.str() + " != of values got " + got_sum.str());
  note("ok: %" PRIu64 " futures, %" PRIu64 " values, %" PRIu64 " exceptions, %" PRIu64 " cancelled\n", futures, values,
       errors, cancelled);
  return 0;
}
