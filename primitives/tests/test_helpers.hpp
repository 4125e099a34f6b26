// Small helpers the unit fixtures share: waiting (bounded) for a condition that
// another thread will make true, and capturing a usage_error's message.
#pragma once

#include <chrono>
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

}  // namespace weave::test
