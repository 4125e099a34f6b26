// Small helpers the unit fixtures share: waiting (bounded) for a condition that
// another thread will make true, capturing a usage_error's message, the note a
// case prints when it skips itself under ThreadSanitizer, and the checks every
// *_until form shares: a deadline a coarse clock cannot reach in nanoseconds
// still blocks, and one in the past is a single try.
#pragma once

#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>

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

// --- deadlines at the ends of coarse clocks ---------------------------------

// The far ends of clocks whose ticks are coarser than nanoseconds: converted
// to nanoseconds without saturating they overflow (into the past for max()).
inline constexpr auto steady_seconds_max =
    std::chrono::time_point<std::chrono::steady_clock, std::chrono::seconds>::max();
inline constexpr auto system_hours_max =
    std::chrono::time_point<std::chrono::system_clock, std::chrono::hours>::max();
inline constexpr auto steady_seconds_min =
    std::chrono::time_point<std::chrono::steady_clock, std::chrono::seconds>::min();
inline constexpr auto system_hours_min =
    std::chrono::time_point<std::chrono::system_clock, std::chrono::hours>::min();

// Calls check(label, t) for each deadline that must mean "wait as long as it
// takes": the max() of a coarse steady clock and of a coarse system clock
// (another clock than the primitive's own).
template <class F>
void for_each_far_deadline(F check) {
  check(std::string("steady_clock seconds max()"), steady_seconds_max);
  check(std::string("system_clock hours max()"), system_hours_max);
}

// Calls check(label, t) for each deadline that must mean "try once": the min()
// of the same two clocks, and system_clock's own min(), whose distance from
// now overflows nanoseconds (into the future) unless the conversion saturates.
template <class F>
void for_each_past_deadline(F check) {
  check(std::string("steady_clock seconds min()"), steady_seconds_min);
  check(std::string("system_clock hours min()"), system_hours_min);
  check(std::string("system_clock min()"), std::chrono::system_clock::time_point::min());
}

// A call run on a thread of its own: f() returns true when it got what it
// waited for. The outcome is read without joining, so a case can tell a call
// that still blocks from one that returned.
class background_call {
 public:
  enum outcome : int { running, succeeded, failed, threw };

  template <class F>
  explicit background_call(F f)
      : t_([this, f = std::move(f)]() mutable {
          int r = threw;
          try {
            r = f() ? succeeded : failed;
          } catch (...) {
          }
          // release: pairs with the acquire load in now().
          state_.store(r, std::memory_order_release);
        }) {}
  background_call(const background_call&) = delete;
  background_call& operator=(const background_call&) = delete;
  ~background_call() {
    if (t_.joinable()) t_.join();
  }

  int now() const {
    // acquire: pairs with the release store at the end of the call.
    return state_.load(std::memory_order_acquire);
  }

  // The outcome once the call has returned. A call still blocked 5 s on ends
  // the runner with a message: joining it would hang the suite.
  int finish(const std::string& what) {
    if (!eventually([&] { return now() != running; })) {
      std::fprintf(stderr, "\n%s: still blocked 5 s after it should have returned: hang\n", what.c_str());
      std::fflush(stderr);
      std::_Exit(1);
    }
    t_.join();
    return now();
  }

 private:
  std::atomic<int> state_{running};
  std::thread t_;
};

// wait() blocks until release() is called, then succeeds: run on its own
// thread, it must still be waiting after 200 ms (a lower bound on blocking,
// never a speed claim), and return true within 5 s of release() (generous, so
// a loaded machine does not fail it).
template <class Wait, class Release>
void waits_until_released(const std::string& what, Wait wait, Release release) {
  background_call call(std::move(wait));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int before = call.now();
  release();
  const int after = call.finish(what);
  CPPUNIT_ASSERT_MESSAGE(what + ": returned within 200 ms, before it was released", before == background_call::running);
  CPPUNIT_ASSERT_MESSAGE(what + ": did not succeed once released", after == background_call::succeeded);
}

// wait() has a deadline in the past and nothing to take: it is one try, so it
// returns false at once (within 5 s). If it blocks instead, release() frees it
// before the case fails.
template <class Wait, class Release>
void tries_once(const std::string& what, Wait wait, Release release) {
  background_call call(std::move(wait));
  const bool returned = eventually([&] { return call.now() != background_call::running; });
  if (!returned) release();
  const int outcome = call.finish(what);
  CPPUNIT_ASSERT_MESSAGE(what + ": blocked, where a deadline in the past is one try", returned);
  CPPUNIT_ASSERT_MESSAGE(what + ": a try with nothing to take did not return false", outcome == background_call::failed);
}

// A TimedLockable held by this thread: try_lock_until(t) from another thread,
// with t at the far end of a coarse clock, waits for the unlock (as
// std::timed_mutex::try_lock_until does). For weave::mutex and
// weave::recursive_mutex alike.
template <class M>
void try_lock_until_waits_for_unlock(const std::string& name) {
  for_each_far_deadline([&name](const std::string& at, auto t) {
    M m;
    m.lock();
    waits_until_released(name + "::try_lock_until(" + at + ")",
                         [&] {
                           const bool ok = m.try_lock_until(t);
                           if (ok) m.unlock();
                           return ok;
                         },
                         [&] { m.unlock(); });
  });
}

}  // namespace weave::test
