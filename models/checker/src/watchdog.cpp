#include "watchdog.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <system_error>
#include <thread>

#include <unistd.h>

#include "weave/detail/process.hpp"

namespace weave::model::detail {
namespace {

// Every access to these and to g_beat is relaxed: the watchdog reads numbers
// and pointers to string literals, and no other data is published through them.
std::atomic<double> g_limit{0};  // seconds; 0: nothing is watched
std::atomic<const char*> g_check{nullptr};
std::atomic<pid_t> g_watching_pid{0};  // the process whose watchdog runs (a fork has none)

[[noreturn]] void stalled(double limit) {
  const char* file = g_beat.file.load(std::memory_order_relaxed);
  const std::uint64_t who = g_beat.who.load(std::memory_order_relaxed);
  const auto line = static_cast<unsigned>(who & 0xffffffffu);
  const char* check = g_check.load(std::memory_order_relaxed);
  const bool planning = g_beat.planning.load(std::memory_order_relaxed);
  // Where the thread was: since when it ran on, or after what the checker plans.
  char where[512];
  const char* site = file != nullptr ? file : "?";
  if (((who >> 32) & 1) == 0)
    std::snprintf(where, sizeof where, planning ? "operation at %s:%u" : "since its operation at %s:%u", site, line);
  else if (file != nullptr && line != 0)
    std::snprintf(where, sizeof where, planning ? "start (made at %s:%u)" : "since it started (made at %s:%u)", file,
                  line);
  else
    std::snprintf(where, sizeof where, planning ? "start (the check body)" : "since the check body started");
  char head[256];  // "check NAME: ", or nothing outside the runner
  std::snprintf(head, sizeof head, "%s%s%s", check != nullptr ? "check " : "", check != nullptr ? check : "",
                check != nullptr ? ": " : "");
  const char* raise = "(WEAVE_MODEL_CHECK(name, verdict, .stall_seconds = ...), weave_models --stall SECONDS; 0: never).\n";
  const int tid = static_cast<int>(who >> 33);
  char msg[2048];
  const int n = planning ? std::snprintf(
      msg, sizeof msg,
      "\nweave model checker: %sthe checker has worked %g s on one step without finishing it, the step after\n"
      "model thread T%d's %s. The program is not at fault: the checker's work grows with the\n"
      "execution, most under RC11, where each seq_cst access asks, of every store it may read, whether the\n"
      "SC order stays acyclic over every event so far. A check of this size wants --memory-model sc\n"
      "(interleavings only), fewer operations, or a lower options.max_steps; or raise options.stall_seconds\n%s",
      head, limit, tid, where, raise) : std::snprintf(
      msg, sizeof msg,
      "\nweave model checker: %smodel thread T%d has gone %g s without a visible operation, %s.\n"
      "The checker sees model operations only (weave::model_sync::atomic and cell, weave's primitives,\n"
      "model::thread). A loop on plain data, such as a bool another thread is to set, never gives that\n"
      "thread its turn here (on hardware it is a data race: make such a flag a weave::model_sync::atomic,\n"
      "and call weave::model_sync::spin() in the loop); a std::mutex or a blocking system call waits for a\n"
      "thread that cannot run. A long computation between two operations: raise options.stall_seconds\n%s",
      head, tid, limit, where, raise);
  std::fflush(stdout);  // the runner's table so far, above the message
  if (n > 0) (void)!write(2, msg, std::min(static_cast<std::size_t>(n), sizeof msg - 1));
  _exit(3);
}

// The watchdog's loop: a look four times a second. A look that comes late
// (the process was stopped: a debugger's breakpoint, Ctrl-Z) starts the clock
// again: the time stood still for the model thread too.
void watch() {
  using clock = std::chrono::steady_clock;
  std::uint64_t last = g_beat.steps.load(std::memory_order_relaxed);
  auto since = clock::now(), looked = since;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const double limit = g_limit.load(std::memory_order_relaxed);
    const std::uint64_t steps = g_beat.steps.load(std::memory_order_relaxed);
    const auto now = clock::now();
    const bool paused = now - looked > std::chrono::seconds(2);
    looked = now;
    if (limit <= 0 || steps != last || paused) {
      last = steps;
      since = now;
    } else if (std::chrono::duration<double>(now - since).count() >= limit) {
      stalled(limit);
    }
  }
}

}  // namespace

stall_watch::stall_watch(double seconds) noexcept : outer_(g_limit.load(std::memory_order_relaxed)) {
  if (!(seconds > 0)) seconds = 0;
  // The pid as weave's pipes keep it (a fork's child updates it): getpid() is a
  // system call, which on a sandboxed machine took longer than a small check.
  const auto pid = static_cast<pid_t>(weave::detail::current_pid());
  if (seconds > 0 && g_watching_pid.load(std::memory_order_relaxed) != pid) {
    try {
      std::thread(watch).detach();  // sleeps between looks; ends with the process
      g_watching_pid.store(pid, std::memory_order_relaxed);
    } catch (const std::system_error&) {
      // No thread to spare: the check runs unwatched, as it did before.
    }
  }
  // The clock starts now.
  g_beat.steps.store(g_beat.steps.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  g_limit.store(seconds, std::memory_order_relaxed);
}

stall_watch::~stall_watch() { g_limit.store(outer_, std::memory_order_relaxed); }

void watch_name(const char* name) noexcept { g_check.store(name, std::memory_order_relaxed); }

}  // namespace weave::model::detail
