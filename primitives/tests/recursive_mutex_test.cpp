// weave::recursive_mutex on hardware: re-entry and depth, the std lock adapters,
// timed locks (with generous tolerances), misuse as weave::usage_error, and the
// unlock_all/lock_restore pair a condition variable uses.
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "test_helpers.hpp"
#include "weave/recursive_mutex.hpp"

namespace {
using weave::test::usage_message;
using clk = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Runs f on another thread and returns what it returned.
template <class F>
auto on_other_thread(F f) {
  decltype(f()) r{};
  std::thread t([&] { r = f(); });
  t.join();
  return r;
}
}  // namespace

class recursive_mutex_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(recursive_mutex_test);
  CPPUNIT_TEST(reentry_counts_depth);
  CPPUNIT_TEST(held_until_last_unlock);
  CPPUNIT_TEST(try_lock_reenters_and_fails_for_others);
  CPPUNIT_TEST(timed_lock_times_out_for_others);
  CPPUNIT_TEST(timed_lock_succeeds_when_released);
  CPPUNIT_TEST(works_with_std_adapters);
  CPPUNIT_TEST(unlock_by_non_owner_is_usage_error);
  CPPUNIT_TEST(unlock_of_unlocked_is_usage_error);
  CPPUNIT_TEST(unlock_all_and_lock_restore);
  CPPUNIT_TEST(unlock_all_and_lock_restore_misuse);
  CPPUNIT_TEST(blocked_locker_gets_it_after_full_release);
  CPPUNIT_TEST(until_at_the_ends_of_coarse_clocks);
  CPPUNIT_TEST_SUITE_END();

 public:
  // A deadline at the far end of a coarse clock waits for the owner's last
  // unlock; one in the past is a single try.
  void until_at_the_ends_of_coarse_clocks() {
    weave::test::try_lock_until_waits_for_unlock<weave::recursive_mutex>("recursive_mutex");
    weave::test::for_each_past_deadline([](const std::string& at, auto t) {
      weave::recursive_mutex m;
      std::atomic<bool> held{true};
      m.lock();
      weave::test::tries_once("recursive_mutex::try_lock_until(" + at + ")", [&] { return m.try_lock_until(t); },
                              [&] {
                                m.unlock();
                                held = false;
                              });
      if (held) m.unlock();
      CPPUNIT_ASSERT(m.try_lock_until(t));  // a free mutex is taken by the try
      CPPUNIT_ASSERT(m.try_lock_until(t));  // and the owner's re-lock never waits
      m.unlock();
      m.unlock();
    });
  }

  void reentry_counts_depth() {
    weave::recursive_mutex m;
    CPPUNIT_ASSERT(!m.is_locked());
    CPPUNIT_ASSERT(!m.is_owned());
    CPPUNIT_ASSERT_EQUAL(0u, m.depth());
    m.lock();
    m.lock();
    CPPUNIT_ASSERT(m.try_lock());
    CPPUNIT_ASSERT_EQUAL(3u, m.depth());
    CPPUNIT_ASSERT(m.is_owned());
    m.unlock();
    CPPUNIT_ASSERT_EQUAL(2u, m.depth());
    m.unlock();
    m.unlock();
    CPPUNIT_ASSERT_EQUAL(0u, m.depth());
    CPPUNIT_ASSERT(!m.is_locked());
    CPPUNIT_ASSERT(!m.is_owned());
  }

  void held_until_last_unlock() {
    weave::recursive_mutex m;
    m.lock();
    m.lock();
    m.unlock();
    // Still held at depth 1: another thread cannot take it.
    CPPUNIT_ASSERT(m.is_locked());
    CPPUNIT_ASSERT(!on_other_thread([&] {
      const bool ok = m.try_lock();
      if (ok) m.unlock();
      return ok;
    }));
    CPPUNIT_ASSERT_EQUAL(0u, on_other_thread([&] { return m.depth(); }));
    CPPUNIT_ASSERT(!on_other_thread([&] { return m.is_owned(); }));
    m.unlock();
    CPPUNIT_ASSERT(on_other_thread([&] {
      const bool ok = m.try_lock();
      if (ok) m.unlock();
      return ok;
    }));
  }

  void try_lock_reenters_and_fails_for_others() {
    weave::recursive_mutex m;
    CPPUNIT_ASSERT(m.try_lock());
    CPPUNIT_ASSERT(m.try_lock());
    CPPUNIT_ASSERT_EQUAL(2u, m.depth());
    CPPUNIT_ASSERT(!on_other_thread([&] { return m.try_lock(); }));
    m.unlock();
    m.unlock();
  }

  void timed_lock_times_out_for_others() {
    weave::recursive_mutex m;
    m.lock();
    // Re-entry through the timed calls never waits, even with a zero timeout.
    CPPUNIT_ASSERT(m.try_lock_for(0ms));
    CPPUNIT_ASSERT(m.try_lock_until(clk::now() - 1s));
    CPPUNIT_ASSERT_EQUAL(3u, m.depth());
    bool got_for = true, got_until = true;
    clk::duration waited{};
    std::thread other([&] {  // assertions stay on the test's thread
      const auto t0 = clk::now();
      got_for = m.try_lock_for(50ms);
      got_until = m.try_lock_until(std::chrono::system_clock::now() + 10ms);
      waited = clk::now() - t0;
    });
    other.join();
    CPPUNIT_ASSERT(!got_for);
    CPPUNIT_ASSERT(!got_until);
    // Deadlines are absolute, so never early; the upper bound is generous (noisy machine).
    CPPUNIT_ASSERT(waited >= 55ms);
    CPPUNIT_ASSERT(waited < 5s);
    CPPUNIT_ASSERT_EQUAL(3u, m.depth());  // a timed-out waiter changed nothing
    m.unlock();
    m.unlock();
    m.unlock();
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void timed_lock_succeeds_when_released() {
    weave::recursive_mutex m;
    std::atomic<bool> holding{false};
    std::thread holder([&] {
      m.lock();
      m.lock();
      holding = true;
      std::this_thread::sleep_for(30ms);
      m.unlock();
      m.unlock();
    });
    while (!holding) std::this_thread::yield();
    CPPUNIT_ASSERT(m.try_lock_for(10s));
    CPPUNIT_ASSERT_EQUAL(1u, m.depth());
    m.unlock();
    holder.join();
  }

  void works_with_std_adapters() {
    weave::recursive_mutex m;
    {
      std::lock_guard<weave::recursive_mutex> a(m);
      std::unique_lock<weave::recursive_mutex> b(m);
      CPPUNIT_ASSERT_EQUAL(2u, m.depth());
      std::unique_lock<weave::recursive_mutex> c(m, 10ms);  // timed constructor
      CPPUNIT_ASSERT(c.owns_lock());
      CPPUNIT_ASSERT_EQUAL(3u, m.depth());
    }
    CPPUNIT_ASSERT(!m.is_locked());
    weave::recursive_mutex n;
    {
      std::scoped_lock both(m, n);
      CPPUNIT_ASSERT(m.is_owned() && n.is_owned());
    }
    CPPUNIT_ASSERT(!m.is_locked() && !n.is_locked());
  }

  void unlock_by_non_owner_is_usage_error() {
    weave::recursive_mutex m;
    m.lock();
    m.lock();
    CPPUNIT_ASSERT_EQUAL(std::string("weave::recursive_mutex: unlock by a thread that does not own it"),
                         on_other_thread([&] { return usage_message([&] { m.unlock(); }); }));
    CPPUNIT_ASSERT_EQUAL(std::string("weave::recursive_mutex: unlock_all by a thread that does not own it"),
                         on_other_thread([&] { return usage_message([&] { (void)m.unlock_all(); }); }));
    CPPUNIT_ASSERT_EQUAL(2u, m.depth());  // nothing changed
    m.unlock();
    m.unlock();
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void unlock_of_unlocked_is_usage_error() {
    weave::recursive_mutex m;
    CPPUNIT_ASSERT_EQUAL(std::string("weave::recursive_mutex: unlock of a recursive_mutex that is not locked"),
                         usage_message([&] { m.unlock(); }));
    m.lock();
    m.unlock();
    CPPUNIT_ASSERT_EQUAL(std::string("weave::recursive_mutex: unlock of a recursive_mutex that is not locked"),
                         usage_message([&] { m.unlock(); }));
    CPPUNIT_ASSERT_EQUAL(std::string("weave::recursive_mutex: unlock_all of a recursive_mutex that is not locked"),
                         usage_message([&] { (void)m.unlock_all(); }));
    CPPUNIT_ASSERT(!m.is_locked());
    CPPUNIT_ASSERT(m.try_lock());  // still usable
    m.unlock();
  }

  void unlock_all_and_lock_restore() {
    weave::recursive_mutex m;
    m.lock();
    m.lock();
    m.lock();
    const std::uint32_t d = m.unlock_all();
    CPPUNIT_ASSERT_EQUAL(3u, d);
    CPPUNIT_ASSERT(!m.is_locked());
    CPPUNIT_ASSERT(!m.is_owned());
    // Another thread can take it in between.
    CPPUNIT_ASSERT(on_other_thread([&] {
      if (!m.try_lock()) return false;
      m.unlock();
      return true;
    }));
    m.lock_restore(d);
    CPPUNIT_ASSERT_EQUAL(3u, m.depth());
    CPPUNIT_ASSERT(!on_other_thread([&] { return m.try_lock(); }));
    m.unlock();
    m.unlock();
    CPPUNIT_ASSERT(m.is_locked());
    m.unlock();
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void unlock_all_and_lock_restore_misuse() {
    weave::recursive_mutex m;
    CPPUNIT_ASSERT_EQUAL(std::string("weave::recursive_mutex: lock_restore with depth 0"),
                         usage_message([&] { m.lock_restore(0); }));
    CPPUNIT_ASSERT(!m.is_locked());
    m.lock();
    CPPUNIT_ASSERT_EQUAL(std::string("weave::recursive_mutex: lock_restore by a thread that already owns it"),
                         usage_message([&] { m.lock_restore(2); }));
    CPPUNIT_ASSERT_EQUAL(1u, m.depth());
    m.unlock();
  }

  void blocked_locker_gets_it_after_full_release() {
    weave::recursive_mutex m;
    std::atomic<int> stage{0};
    m.lock();
    m.lock();
    std::thread t([&] {
      stage = 1;
      m.lock();  // parks until the main thread's last unlock
      stage = 2;
      m.unlock();
    });
    while (stage.load() == 0) std::this_thread::yield();
    std::this_thread::sleep_for(20ms);
    CPPUNIT_ASSERT_EQUAL(1, stage.load());
    m.unlock();
    std::this_thread::sleep_for(20ms);
    CPPUNIT_ASSERT_EQUAL(1, stage.load());  // still held at depth 1
    m.unlock();
    t.join();
    CPPUNIT_ASSERT_EQUAL(2, stage.load());
    CPPUNIT_ASSERT(!m.is_locked());
  }
};
CPPUNIT_TEST_SUITE_REGISTRATION(recursive_mutex_test);
