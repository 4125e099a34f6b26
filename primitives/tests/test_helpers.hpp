// Small helpers the unit fixtures share: waiting (bounded) for a condition that
// another thread will make true, capturing a usage_error's message, and the
// note a case prints when it skips itself under ThreadSanitizer.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "weave/error.hpp"

namespace weave::test {

// Waits (bounded) until pred() holds; false if it never did within 5 s.
template <class P>
bool eventually(P pred) {
  using clk = std::chrono::steady_clock;
  const auto until = clk::now() + std::chrono::seconds(5);
  while (!pred()) {
    if (clk::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Runs f and returns the message of the weave::usage_error it threw ("" if none).
template <class F>
std::string usage_message(F f) {
  try {
    f();
  } catch (const weave::usage_error& e) {
    return e.what();
  }
  return "";
}

// Printed by a case that skips itself under ThreadSanitizer, with the reason.
inline void skip_note(const char* test, const char* why) {
  std::printf("\n  [skipped under ThreadSanitizer: %s: %s; see sanitizers/README.md] ", test, why);
  std::fflush(stdout);
}

// The reason of every fork-based case.
inline constexpr const char* fork_under_tsan = "fork() of a process that has run threads is fragile under TSan";

}  // namespace weave::test
