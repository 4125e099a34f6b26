// The stall watchdog: a model thread that runs on without reaching a visible
// operation (a loop on a plain bool another thread is to set: the checker
// sees model operations only, so no other thread ever gets its turn) would
// hang the check for good, --time or not: the budget is looked at between
// executions. A thread of the checker's own watches the steps go by; when none
// has gone by for options::stall_seconds, it says which model thread ran on
// from where, and ends the process with status 3, as a stack overflow does
// (stacks.cpp): a fiber stuck in the user's code can be neither resumed nor
// unwound. A stall while the checker works out a step (planning) is said to
// be the checker's, not the thread's.
#pragma once

#include <atomic>
#include <cstdint>

namespace weave::model::detail {

/// What the engine publishes at each step, for the watchdog alone: relaxed,
/// since nothing is ordered by them (a stale value names the step before).
struct stall_beat {
  std::atomic<std::uint64_t> steps{0};
  std::atomic<const char*> file{nullptr};  // where the thread was when it got its turn
  std::atomic<std::uint64_t> who{0};       // its id << 33 | started << 32 | the line
  std::atomic<bool> planning{false};       // the checker works out the next step (planning)
};
inline stall_beat g_beat;

/// The checker works out the next step (engine::plan_step) until the next
/// beat: a stall meanwhile is the checker's own, not the model thread's (a
/// long execution under RC11, whose every seq_cst access asks psc about
/// every event so far, took minutes a step).
inline void planning() noexcept { g_beat.planning.store(true, std::memory_order_relaxed); }
/// The program's code runs again without a beat (fast-forwarding, unwinding).
inline void planned() noexcept { g_beat.planning.store(false, std::memory_order_relaxed); }

/// Model thread tid got its turn at file:line (started: at its start).
inline void beat(int tid, const char* file, std::uint32_t line, bool started) noexcept {
  g_beat.steps.store(g_beat.steps.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  g_beat.file.store(file, std::memory_order_relaxed);
  g_beat.who.store(static_cast<std::uint64_t>(tid) << 33 | static_cast<std::uint64_t>(started) << 32 | line,
                   std::memory_order_relaxed);
  planned();
}

/// Watches the steps while it lives (an engine's search or replay): a stall
/// of `seconds` (0: none is one) ends the process. Nested watches (a check run
/// inside a check) keep the outer limit when they end.
class stall_watch {
 public:
  explicit stall_watch(double seconds) noexcept;
  ~stall_watch();
  stall_watch(const stall_watch&) = delete;
  stall_watch& operator=(const stall_watch&) = delete;

 private:
  double outer_;
};

/// The check the watchdog names (the runner sets it before each check).
void watch_name(const char* name) noexcept;

}  // namespace weave::model::detail
