// stress/common.hpp — the small harness every stress run shares.
//
// A stress run (stress/<name>.cpp) hammers one primitive with real threads,
// bounded in count AND in time, and then checks totals exactly. This header
// gives it the few pieces every run needs; it uses std freely (stress runs are
// outside the seam).
//
//   weave::stress::budget()            the time budget of the whole run, from the
//                                      environment variable WEAVE_STRESS_SECONDS
//                                      (default 2 s; a run must stay under ~10 s
//                                      on 2 cores even under ThreadSanitizer).
//   weave::stress::time_limit lim(f)   a deadline f * budget() from now;
//                                      lim.expired() is cheap enough to poll
//                                      every few hundred iterations.
//   weave::stress::run_threads(n, fn)  starts n std::threads running fn(i) for
//                                      i in [0, n), releases them together from
//                                      a start barrier, joins them all. An
//                                      exception escaping fn fails the run.
//   weave::stress::require(cond, msg)  if !cond: prints "stress: FAILED: msg" to
//                                      stderr and exits with status 1 at once
//                                      (std::_Exit: safe from any thread).
//   weave::stress::watchdog wd(secs)   fails the run (status 2) if it is still
//                                      alive after secs seconds: a hang fails,
//                                      it does not wait for ctest's timeout.
//   weave::stress::mix(v)              a 64-bit mixing hash (splitmix64 finalizer).
//   weave::stress::checksum            order-independent summary of a multiset
//                                      of 64-bit values: count, sum and xor of
//                                      mix(v). add(v) on what goes in, add(v) on
//                                      what comes out, merge() per-thread partial
//                                      sums, compare with ==: a lost, duplicated
//                                      or corrupted value shows up as a mismatch.
//   weave::stress::note(fmt, ...)      printf to stdout with a "stress: " prefix.
//
// Typical shape:
//
//   int main() {
//     using namespace weave::stress;
//     watchdog wd(60);
//     time_limit lim(0.5);
//     run_threads(4, [&](int i) { while (!lim.expired() && n < max) { ... } });
//     require(total == expected, "total matches");
//     note("ok: %llu ops\n", ...);
//   }
#pragma once

#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>
#include <vector>

namespace weave::stress {

/// Prints "stress: FAILED: message" and ends the process with status 1 at once.
/// Safe to call from any thread (no destructors run while other threads work).
[[noreturn]] inline void fail(const std::string& message, int status = 1) {
  std::fprintf(stderr, "stress: FAILED: %s\n", message.c_str());
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(status);
}

/// If cond is false: prints the message and exits non-zero (see fail()).
inline void require(bool cond, const std::string& message) {
  if (!cond) [[unlikely]] fail(message);
}

/// printf to stdout, prefixed with "stress: ".
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
inline void note(const char* fmt, ...) {
  std::va_list ap;
  va_start(ap, fmt);
  std::fputs("stress: ", stdout);
  std::vprintf(fmt, ap);
  va_end(ap);
  std::fflush(stdout);
}

/// The run's time budget: WEAVE_STRESS_SECONDS (a positive number), else 2 s.
inline std::chrono::duration<double> budget() {
  static const double seconds = [] {
    double s = 2.0;
    if (const char* env = std::getenv("WEAVE_STRESS_SECONDS")) {
      char* end = nullptr;
      const double v = std::strtod(env, &end);
      if (end != env && v > 0) s = v;
    }
    return s;
  }();
  return std::chrono::duration<double>(seconds);
}

/// A deadline `fraction` * budget() from construction.
class time_limit {
 public:
  explicit time_limit(double fraction = 1.0)
      : end_(std::chrono::steady_clock::now() +
             std::chrono::duration_cast<std::chrono::steady_clock::duration>(budget() * fraction)) {}
  bool expired() const noexcept { return std::chrono::steady_clock::now() >= end_; }
  std::chrono::steady_clock::time_point end() const noexcept { return end_; }

 private:
  std::chrono::steady_clock::time_point end_;
};

/// Runs fn(i) on n threads, i in [0, n). All threads wait at a start barrier and
/// are released together, so they really overlap; returns after joining all.
template <class F>
void run_threads(int n, F&& fn) {
  std::atomic<int> arrived{0};
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      // acq_rel/acquire: the last arrival releases everybody; no data rides on it.
      arrived.fetch_add(1, std::memory_order_acq_rel);
      while (arrived.load(std::memory_order_acquire) < n) std::this_thread::yield();
      try {
        fn(i);
      } catch (const std::exception& e) {
        fail(std::string("thread ") + std::to_string(i) + " threw: " + e.what());
      } catch (...) {
        fail(std::string("thread ") + std::to_string(i) + " threw a non-std exception");
      }
    });
  }
  for (auto& t : threads) t.join();
}

/// Fails the run (status 2) if it is still alive `seconds` after construction.
/// Polls a flag every 10 ms (no condition variable: libstdc++'s steady-clock
/// wait uses pthread_cond_clockwait, which clang 14's TSan does not intercept).
class watchdog {
 public:
  explicit watchdog(double seconds)
      : thread_([this, seconds] {
          const auto until = std::chrono::steady_clock::now() +
                             std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(seconds));
          // acquire: pairs with the release store in the destructor.
          while (!done_.load(std::memory_order_acquire)) {
            if (std::chrono::steady_clock::now() >= until) {
              fail("watchdog: still running after " + std::to_string(seconds) + " s (hang?)", 2);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
        }) {}
  ~watchdog() {
    done_.store(true, std::memory_order_release);
    thread_.join();
  }
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;  // last: starts after the flag it reads exists
};

/// splitmix64's finalizer: a cheap 64-bit mixing function.
constexpr std::uint64_t mix(std::uint64_t v) noexcept {
  v += 0x9e3779b97f4a7c15ull;
  v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
  v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
  return v ^ (v >> 31);
}

/// Order-independent summary of a multiset of values: equal multisets give
/// equal checksums; a lost, duplicated or altered value almost surely does not.
struct checksum {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;    // sum of mix(v), mod 2^64
  std::uint64_t xored = 0;  // xor of mix(v)

  void add(std::uint64_t v) noexcept {
    const std::uint64_t h = mix(v);
    ++count;
    sum += h;
    xored ^= h;
  }
  void merge(const checksum& o) noexcept {
    count += o.count;
    sum += o.sum;
    xored ^= o.xored;
  }
  friend bool operator==(const checksum&, const checksum&) = default;

  std::string str() const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "{count %llu, sum %016llx, xor %016llx}",
                  static_cast<unsigned long long>(count), static_cast<unsigned long long>(sum),
                  static_cast<unsigned long long>(xored));
    return buf;
  }
};

}  // namespace weave::stress
