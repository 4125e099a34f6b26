// Unit tests of weave::mutex (primitives/weave/mutex.hpp) on real threads.
//
// Semantics under test are Python's threading.Lock with std::timed_mutex names:
// any thread may unlock a locked mutex; unlocking an unlocked one is a
// weave::usage_error; timed acquisition returns false on timeout; the mutex
// works between processes in shared memory.
//
// Under ThreadSanitizer (weave::tsan_build) the cases that TSan's own mutex
// model rejects are skipped with a printed note (sanitizers/README.md):
// cross-thread unlock and unlock of an unlocked mutex (weave locks are annotated
// as TSan mutexes), and fork() of a process that has run threads.
#include <cppunit/extensions/HelperMacros.h>

#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "test_helpers.hpp"
#include "weave/mutex.hpp"

namespace {
using weave::test::skip_note;

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// A test must fail, not hang: if a thread a test started is not done within
// the limit, say so and end the runner (joining it would block forever).
class bounded_thread {
 public:
  explicit bounded_thread(std::function<void()> fn)
      : done_(std::make_shared<std::atomic<bool>>(false)),
        t_([fn = std::move(fn), done = done_] {
          fn();
          // release: pairs with the acquire load in join_within().
          done->store(true, std::memory_order_release);
        }) {}
  bounded_thread(const bounded_thread&) = delete;
  bounded_thread& operator=(const bounded_thread&) = delete;
  ~bounded_thread() {
    if (t_.joinable()) join_within(10s, "thread");
  }

  bool done() const noexcept { return done_->load(std::memory_order_acquire); }

  void join_within(steady::duration limit, const char* what) {
    const auto until = steady::now() + limit;
    while (!done()) {
      if (steady::now() >= until) {
        std::fprintf(stderr, "mutex_test: %s did not finish within %.1f s: hang\n", what,
                     std::chrono::duration<double>(limit).count());
        std::fflush(stderr);
        std::_Exit(1);
      }
      std::this_thread::sleep_for(1ms);
    }
    t_.join();
  }

 private:
  std::shared_ptr<std::atomic<bool>> done_;
  std::thread t_;
};

double ms_since(steady::time_point t0) {
  return std::chrono::duration<double, std::milli>(steady::now() - t0).count();
}

}  // namespace

class mutex_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(mutex_test);
  CPPUNIT_TEST(lock_then_unlock);
  CPPUNIT_TEST(try_lock_fails_while_held_by_another_thread);
  CPPUNIT_TEST(try_lock_for_times_out_and_mutex_stays_usable);
  CPPUNIT_TEST(try_lock_for_edge_durations);
  CPPUNIT_TEST(try_lock_until_steady_clock);
  CPPUNIT_TEST(try_lock_until_system_clock);
  CPPUNIT_TEST(blocked_locker_is_woken_by_unlock);
  CPPUNIT_TEST(several_blocked_lockers_all_get_through);
  CPPUNIT_TEST(counts_exactly_under_contention);
  CPPUNIT_TEST(cross_thread_unlock_is_allowed);
  CPPUNIT_TEST(unlock_of_unlocked_mutex_is_a_usage_error);
  CPPUNIT_TEST(works_with_lock_guard_and_unique_lock);
  CPPUNIT_TEST(scoped_lock_over_two_mutexes_avoids_deadlock);
  CPPUNIT_TEST(is_one_32_bit_word);
  CPPUNIT_TEST(works_between_processes_in_shared_memory);
  CPPUNIT_TEST(until_at_the_ends_of_coarse_clocks);
  CPPUNIT_TEST_SUITE_END();

 public:
  // A deadline at the far end of a coarse clock waits for the holder's
  // unlock (as std::timed_mutex::try_lock_until does); one in the past is a
  // single try_lock.
  void until_at_the_ends_of_coarse_clocks() {
    weave::test::try_lock_until_waits_for_unlock<weave::mutex>("mutex");
    weave::test::for_each_past_deadline([](const std::string& at, auto t) {
      weave::mutex m;
      m.lock();
      weave::test::tries_once("mutex::try_lock_until(" + at + ")", [&] { return m.try_lock_until(t); },
                              [&] { m.unlock(); });
      if (m.is_locked()) m.unlock();
      CPPUNIT_ASSERT(m.try_lock_until(t));  // a free mutex is taken by the try
      m.unlock();
    });
  }

  void lock_then_unlock() {
    weave::mutex m;
    CPPUNIT_ASSERT(!m.is_locked());
    m.lock();
    CPPUNIT_ASSERT(m.is_locked());
    m.unlock();
    CPPUNIT_ASSERT(!m.is_locked());
    CPPUNIT_ASSERT(m.try_lock());
    CPPUNIT_ASSERT(m.is_locked());
    m.unlock();
    m.lock();  // again, after a try_lock round
    m.unlock();
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void try_lock_fails_while_held_by_another_thread() {
    weave::mutex m;
    m.lock();
    bool got = true;
    bounded_thread(([&] { got = m.try_lock(); })).join_within(10s, "try_lock");
    CPPUNIT_ASSERT_MESSAGE("try_lock succeeded on a held mutex", !got);
    CPPUNIT_ASSERT(m.is_locked());
    m.unlock();
    got = false;
    bounded_thread([&] {
      got = m.try_lock();
      if (got) m.unlock();
    }).join_within(10s, "try_lock");
    CPPUNIT_ASSERT_MESSAGE("try_lock failed on a free mutex", got);
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void try_lock_for_times_out_and_mutex_stays_usable() {
    weave::mutex m;
    m.lock();
    bool got = true;
    double waited = 0;
    bounded_thread([&] {
      const auto t0 = steady::now();
      got = m.try_lock_for(50ms);
      waited = ms_since(t0);
    }).join_within(10s, "try_lock_for");
    CPPUNIT_ASSERT_MESSAGE("try_lock_for acquired a held mutex", !got);
    CPPUNIT_ASSERT_MESSAGE("timed out early: " + std::to_string(waited) + " ms", waited >= 45);
    CPPUNIT_ASSERT_MESSAGE("timed out far too late: " + std::to_string(waited) + " ms", waited < 2000);
    CPPUNIT_ASSERT(m.is_locked());
    m.unlock();  // the timed-out waiter may have left state 2 behind: a spare wake, no harm
    CPPUNIT_ASSERT(!m.is_locked());

    // Still usable: a timed lock now succeeds at once, and so do lock/try_lock.
    bounded_thread([&] {
      got = m.try_lock_for(50ms);
      if (got) m.unlock();
    }).join_within(10s, "try_lock_for");
    CPPUNIT_ASSERT(got);
    m.lock();
    m.unlock();
    CPPUNIT_ASSERT(m.try_lock());
    m.unlock();
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void try_lock_for_edge_durations() {
    weave::mutex m;
    // Zero, negative and enormous timeouts on a free mutex: acquire at once.
    CPPUNIT_ASSERT(m.try_lock_for(0ms));
    m.unlock();
    CPPUNIT_ASSERT(m.try_lock_for(-5s));
    m.unlock();
    CPPUNIT_ASSERT(m.try_lock_for(std::chrono::hours::max()));  // saturates, no overflow
    m.unlock();
    CPPUNIT_ASSERT(m.try_lock_for(std::chrono::nanoseconds::max()));
    m.unlock();
    // Zero and negative timeouts on a held mutex: fail without waiting.
    m.lock();
    bool got_zero = true;
    bool got_negative = true;
    bounded_thread([&] {
      got_zero = m.try_lock_for(0ms);
      got_negative = m.try_lock_for(-1s);
    }).join_within(10s, "try_lock_for(0)");
    CPPUNIT_ASSERT(!got_zero);
    CPPUNIT_ASSERT(!got_negative);
    m.unlock();
  }

  void try_lock_until_steady_clock() {
    weave::mutex m;
    CPPUNIT_ASSERT(m.try_lock_until(steady::now() - 1s));  // past deadline, free mutex
    bool got = true;
    double waited = 0;
    bounded_thread([&] {
      const auto t0 = steady::now();
      got = m.try_lock_until(t0 + 50ms);
      waited = ms_since(t0);
    }).join_within(10s, "try_lock_until(steady_clock)");
    CPPUNIT_ASSERT(!got);
    CPPUNIT_ASSERT_MESSAGE("timed out early: " + std::to_string(waited) + " ms", waited >= 45);
    CPPUNIT_ASSERT_MESSAGE("timed out far too late: " + std::to_string(waited) + " ms", waited < 2000);
    m.unlock();
    bounded_thread([&] {
      got = m.try_lock_until(steady::now() + 1s);
      if (got) m.unlock();
    }).join_within(10s, "try_lock_until(steady_clock)");
    CPPUNIT_ASSERT(got);
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void try_lock_until_system_clock() {
    using sys = std::chrono::system_clock;
    weave::mutex m;
    CPPUNIT_ASSERT(m.try_lock_until(sys::now() - 1s));
    bool got = true;
    double waited = 0;
    bounded_thread([&] {
      const auto t0 = steady::now();
      got = m.try_lock_until(sys::now() + 50ms);
      waited = ms_since(t0);
    }).join_within(10s, "try_lock_until(system_clock)");
    CPPUNIT_ASSERT(!got);
    CPPUNIT_ASSERT_MESSAGE("timed out early: " + std::to_string(waited) + " ms", waited >= 45);
    CPPUNIT_ASSERT_MESSAGE("timed out far too late: " + std::to_string(waited) + " ms", waited < 2000);
    m.unlock();
    bounded_thread([&] {
      got = m.try_lock_until(sys::now() + 1s);
      if (got) m.unlock();
    }).join_within(10s, "try_lock_until(system_clock)");
    CPPUNIT_ASSERT(got);
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void blocked_locker_is_woken_by_unlock() {
    weave::mutex m;
    std::atomic<bool> started{false};
    std::atomic<bool> acquired{false};
    m.lock();
    bounded_thread waiter([&] {
      started.store(true, std::memory_order_release);
      m.lock();
      acquired.store(true, std::memory_order_release);
      m.unlock();
    });
    while (!started.load(std::memory_order_acquire)) std::this_thread::yield();
    // Give the waiter time to spin out and park (this only makes the park path
    // likely; nothing below depends on it).
    std::this_thread::sleep_for(50ms);
    CPPUNIT_ASSERT_MESSAGE("lock() returned while another thread held the mutex",
                           !acquired.load(std::memory_order_acquire));
    m.unlock();
    waiter.join_within(10s, "the thread blocked in lock() after unlock (lost wake-up?)");
    CPPUNIT_ASSERT(acquired.load(std::memory_order_acquire));
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void several_blocked_lockers_all_get_through() {
    weave::mutex m;
    int inside = 0;  // plain: protected by m
    int passed = 0;  // plain: protected by m
    std::atomic<int> started{0};
    m.lock();
    std::vector<std::unique_ptr<bounded_thread>> waiters;
    for (int i = 0; i < 3; ++i) {
      waiters.push_back(std::make_unique<bounded_thread>([&] {
        started.fetch_add(1, std::memory_order_acq_rel);
        m.lock();
        ++inside;
        const bool alone = inside == 1;
        ++passed;
        --inside;
        m.unlock();
        if (!alone) std::abort();  // two holders at once: mutual exclusion broken
      }));
    }
    while (started.load(std::memory_order_acquire) < 3) std::this_thread::yield();
    std::this_thread::sleep_for(30ms);  // let them park (not required for correctness)
    m.unlock();
    for (auto& w : waiters) w->join_within(10s, "a blocked locker (lost wake-up?)");
    m.lock();
    CPPUNIT_ASSERT_EQUAL(3, passed);
    CPPUNIT_ASSERT_EQUAL(0, inside);
    m.unlock();
  }

  void counts_exactly_under_contention() {
    weave::mutex m;
    std::uint64_t counter = 0;  // plain: protected by m
    constexpr int threads = 4, per_thread = 20'000;
    std::vector<std::unique_ptr<bounded_thread>> ts;
    for (int t = 0; t < threads; ++t) {
      ts.push_back(std::make_unique<bounded_thread>([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          if (i % 3 == 0 && t % 2 == 0) {
            while (!m.try_lock()) std::this_thread::yield();
          } else if (i % 5 == 0) {
            while (!m.try_lock_for(1ms)) {
            }
          } else {
            m.lock();
          }
          ++counter;
          m.unlock();
        }
      }));
    }
    for (auto& t : ts) t->join_within(60s, "a counting thread");
    CPPUNIT_ASSERT_EQUAL(static_cast<std::uint64_t>(threads) * per_thread, counter);
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void cross_thread_unlock_is_allowed() {
    if (weave::tsan_build) return skip_note("cross_thread_unlock_is_allowed", "TSan reports an unlock by another thread than the locker");
    weave::mutex m;
    m.lock();
    bool threw = false;
    bounded_thread([&] {
      try {
        m.unlock();  // Python's threading.Lock allows this; so does weave::mutex
      } catch (const weave::usage_error&) {
        threw = true;
      }
    }).join_within(10s, "cross-thread unlock");
    CPPUNIT_ASSERT(!threw);
    CPPUNIT_ASSERT(!m.is_locked());
    CPPUNIT_ASSERT(m.try_lock());  // the locker can take it again
    // ... and a thread blocked in lock() is released by a third thread's unlock.
    std::atomic<bool> acquired{false};
    bounded_thread waiter([&] {
      m.lock();
      acquired.store(true, std::memory_order_release);
    });
    std::this_thread::sleep_for(20ms);
    CPPUNIT_ASSERT(!acquired.load(std::memory_order_acquire));
    bounded_thread([&] { m.unlock(); }).join_within(10s, "cross-thread unlock");
    waiter.join_within(10s, "a locker woken by a cross-thread unlock");
    CPPUNIT_ASSERT(acquired.load(std::memory_order_acquire));
    CPPUNIT_ASSERT(m.is_locked());  // the waiter holds it and left without unlocking
    m.unlock();
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void unlock_of_unlocked_mutex_is_a_usage_error() {
    if (weave::tsan_build) return skip_note("unlock_of_unlocked_mutex_is_a_usage_error", "TSan reports the unlock of an unlocked annotated lock");
    weave::mutex m;
    for (int round = 0; round < 2; ++round) {  // never locked; then unlocked twice
      if (round == 1) {
        m.lock();
        m.unlock();
      }
      std::string what;
      try {
        m.unlock();
      } catch (const weave::usage_error& e) {
        what = e.what();
      }
      CPPUNIT_ASSERT_MESSAGE("unlock of an unlocked mutex did not throw weave::usage_error", !what.empty());
      CPPUNIT_ASSERT_MESSAGE("message does not name the primitive: " + what,
                             what.find("weave::mutex") != std::string::npos);
      CPPUNIT_ASSERT_MESSAGE("message does not name the rule: " + what,
                             what.find("unlock of a mutex that is not locked") != std::string::npos);
      CPPUNIT_ASSERT(!m.is_locked());
    }
    // It is a std::logic_error too, as DESIGN.md promises.
    CPPUNIT_ASSERT_THROW(m.unlock(), std::logic_error);
    // Still usable afterwards: exclusion still holds.
    m.lock();
    bool got = true;
    bounded_thread([&] { got = m.try_lock(); }).join_within(10s, "try_lock");
    CPPUNIT_ASSERT(!got);
    m.unlock();
    CPPUNIT_ASSERT(m.try_lock());
    m.unlock();
  }

  void works_with_lock_guard_and_unique_lock() {
    weave::mutex m;
    {
      std::lock_guard<weave::mutex> g(m);
      CPPUNIT_ASSERT(m.is_locked());
    }
    CPPUNIT_ASSERT(!m.is_locked());
    {
      std::unique_lock<weave::mutex> u(m, std::try_to_lock);
      CPPUNIT_ASSERT(u.owns_lock());
      u.unlock();
      CPPUNIT_ASSERT(!m.is_locked());
      CPPUNIT_ASSERT(u.try_lock_for(10ms));
      CPPUNIT_ASSERT(m.is_locked());
      // Held: another thread's unique_lock times out, then gets it after release.
      bool got = true;
      bounded_thread([&] {
        std::unique_lock<weave::mutex> other(m, std::defer_lock);
        got = other.try_lock_for(20ms);
      }).join_within(10s, "unique_lock::try_lock_for");
      CPPUNIT_ASSERT(!got);
      u.unlock();
      bounded_thread([&] {
        std::unique_lock<weave::mutex> other(m, 1s);  // timed constructor
        got = other.owns_lock();
      }).join_within(10s, "unique_lock(m, 1s)");
      CPPUNIT_ASSERT(got);
      CPPUNIT_ASSERT(u.try_lock_until(steady::now() + 10ms));
    }
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void scoped_lock_over_two_mutexes_avoids_deadlock() {
    weave::mutex a;
    weave::mutex b;
    std::uint64_t both = 0;  // plain: protected by a and b together
    constexpr int rounds = 5'000;
    {
      // Opposite orders in the two threads: std::scoped_lock's deadlock
      // avoidance (lock one, try_lock the other, back off) must cope.
      bounded_thread t1([&] {
        for (int i = 0; i < rounds; ++i) {
          std::scoped_lock lk(a, b);
          ++both;
        }
      });
      bounded_thread t2([&] {
        for (int i = 0; i < rounds; ++i) {
          std::scoped_lock lk(b, a);
          ++both;
        }
      });
      t1.join_within(60s, "scoped_lock(a, b) loop (deadlock?)");
      t2.join_within(60s, "scoped_lock(b, a) loop (deadlock?)");
    }
    CPPUNIT_ASSERT_EQUAL(static_cast<std::uint64_t>(2 * rounds), both);
    CPPUNIT_ASSERT(!a.is_locked());
    CPPUNIT_ASSERT(!b.is_locked());
  }

  void is_one_32_bit_word() {
    static_assert(sizeof(weave::mutex) == 4);
    CPPUNIT_ASSERT_EQUAL(std::size_t{4}, sizeof(weave::mutex));
    CPPUNIT_ASSERT_EQUAL(std::size_t{4}, alignof(weave::mutex));
  }

  void works_between_processes_in_shared_memory() {
    if (weave::tsan_build) return skip_note("works_between_processes_in_shared_memory", weave::test::fork_under_tsan);
    struct shared {
      weave::mutex m;
      std::uint64_t counter;  // plain: protected by m, across processes
    };
    void* mem = mmap(nullptr, sizeof(shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CPPUNIT_ASSERT_MESSAGE("mmap failed", mem != MAP_FAILED);
    auto* s = new (mem) shared{};
    constexpr int children = 3, per_child = 20'000;

    std::vector<pid_t> pids;
    for (int c = 0; c < children; ++c) {
      const pid_t pid = fork();
      if (pid == 0) {
        // Child: no CppUnit machinery, no destructors; _exit with a status.
        int status = 0;
        try {
          for (int i = 0; i < per_child; ++i) {
            if (i % 7 == 0) {
              while (!s->m.try_lock_for(1ms)) {
              }
            } else {
              s->m.lock();
            }
            ++s->counter;
            s->m.unlock();
          }
        } catch (...) {
          status = 3;
        }
        _exit(status);
      }
      CPPUNIT_ASSERT_MESSAGE("fork failed", pid > 0);
      pids.push_back(pid);
    }

    // Reap with a deadline: a child stuck in lock() fails the test, it does not hang it.
    const auto until = steady::now() + 60s;
    std::vector<int> statuses(pids.size(), -1);
    std::size_t reaped = 0;
    while (reaped < pids.size() && steady::now() < until) {
      for (std::size_t i = 0; i < pids.size(); ++i) {
        if (statuses[i] != -1) continue;
        int st = 0;
        const pid_t r = waitpid(pids[i], &st, WNOHANG);
        if (r == pids[i]) {
          statuses[i] = st;
          ++reaped;
        }
      }
      if (reaped < pids.size()) std::this_thread::sleep_for(2ms);
    }
    const bool hung = reaped < pids.size();
    if (hung) {
      for (std::size_t i = 0; i < pids.size(); ++i) {
        if (statuses[i] != -1) continue;
        kill(pids[i], SIGKILL);
        waitpid(pids[i], nullptr, 0);
      }
    }
    const std::uint64_t total = s->counter;
    const bool left_locked = s->m.is_locked();
    s->~shared();
    munmap(mem, sizeof(shared));

    CPPUNIT_ASSERT_MESSAGE("a child process did not finish within 60 s (hang)", !hung);
    for (int st : statuses) {
      CPPUNIT_ASSERT_MESSAGE("a child failed: status " + std::to_string(st), WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    CPPUNIT_ASSERT_EQUAL(static_cast<std::uint64_t>(children) * per_child, total);
    CPPUNIT_ASSERT(!left_locked);
  }
};
CPPUNIT_TEST_SUITE_REGISTRATION(mutex_test);
