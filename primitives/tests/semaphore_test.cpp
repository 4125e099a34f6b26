// weave::counting_semaphore and weave::bounded_semaphore on hardware.
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "test_helpers.hpp"
#include "weave/semaphore.hpp"

namespace {
using weave::test::usage_message;
using clk = std::chrono::steady_clock;
using namespace std::chrono_literals;
}  // namespace

class semaphore_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(semaphore_test);
  CPPUNIT_TEST(acquire_and_release_count_permits);
  CPPUNIT_TEST(timed_acquire_times_out_and_keeps_working);
  CPPUNIT_TEST(release_wakes_a_blocked_acquirer);
  CPPUNIT_TEST(release_n_wakes_n);
  CPPUNIT_TEST(misuse_is_a_usage_error);
  CPPUNIT_TEST(bounded_over_release_changes_nothing);
  CPPUNIT_TEST(holders_never_exceed_permits);
  CPPUNIT_TEST(until_at_the_ends_of_coarse_clocks);
  CPPUNIT_TEST(defaults_and_release_of_zero);
  CPPUNIT_TEST_SUITE_END();

 public:
  // A deadline at the far end of a coarse clock waits for a release(); one in
  // the past is a single try_acquire. Both kinds of semaphore.
  void until_at_the_ends_of_coarse_clocks() {
    weave::test::for_each_far_deadline([](const std::string& at, auto t) {
      weave::counting_semaphore s(0);
      weave::test::waits_until_released("counting_semaphore::try_acquire_until(" + at + ")",
                                        [&] { return s.try_acquire_until(t); }, [&] { s.release(); });
      weave::bounded_semaphore b(1);
      b.acquire();
      weave::test::waits_until_released("bounded_semaphore::try_acquire_until(" + at + ")",
                                        [&] { return b.try_acquire_until(t); }, [&] { b.release(); });
    });
    weave::test::for_each_past_deadline([](const std::string& at, auto t) {
      weave::counting_semaphore s(0);
      weave::test::tries_once("counting_semaphore::try_acquire_until(" + at + ")",
                              [&] { return s.try_acquire_until(t); }, [&] { s.release(); });
      s.release();
      CPPUNIT_ASSERT(s.try_acquire_until(t));  // a permit there is taken by the try
      weave::bounded_semaphore b(1);
      b.acquire();
      weave::test::tries_once("bounded_semaphore::try_acquire_until(" + at + ")",
                              [&] { return b.try_acquire_until(t); }, [&] { b.release(); });
    });
  }

  void acquire_and_release_count_permits() {
    weave::counting_semaphore s(2);
    CPPUNIT_ASSERT(s.try_acquire());
    s.acquire();
    CPPUNIT_ASSERT(!s.try_acquire());
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(0), s.available());
    s.release(2);
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(2), s.available());
    weave::counting_semaphore zero(0);
    CPPUNIT_ASSERT(!zero.try_acquire());
  }

  void timed_acquire_times_out_and_keeps_working() {
    weave::counting_semaphore s(0);
    const auto t0 = clk::now();
    CPPUNIT_ASSERT(!s.try_acquire_for(50ms));
    const auto waited = clk::now() - t0;
    CPPUNIT_ASSERT(waited >= 45ms && waited < 2s);
    CPPUNIT_ASSERT(!s.try_acquire_until(std::chrono::system_clock::now() + 10ms));
    s.release();
    CPPUNIT_ASSERT(s.try_acquire_for(1s));
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(0), s.available());
  }

  void release_wakes_a_blocked_acquirer() {
    weave::counting_semaphore s(0);
    std::atomic<bool> got{false};
    std::thread t([&] {
      s.acquire();
      got = true;
    });
    std::this_thread::sleep_for(20ms);
    CPPUNIT_ASSERT(!got);
    s.release();
    t.join();
    CPPUNIT_ASSERT(got);
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(0), s.available());
  }

  void release_n_wakes_n() {
    weave::counting_semaphore s(0);
    std::atomic<int> got{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 3; ++i) ts.emplace_back([&] {
      s.acquire();
      ++got;
    });
    std::this_thread::sleep_for(20ms);
    s.release(3);
    for (auto& t : ts) t.join();
    CPPUNIT_ASSERT_EQUAL(3, got.load());
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(0), s.available());
  }

  void misuse_is_a_usage_error() {
    CPPUNIT_ASSERT_EQUAL(std::string("weave::counting_semaphore: negative initial count"),
                         usage_message([] { weave::counting_semaphore s(-1); }));
    CPPUNIT_ASSERT_EQUAL(std::string("weave::bounded_semaphore: negative initial count"),
                         usage_message([] { weave::bounded_semaphore s(-3); }));
    weave::counting_semaphore s(1);
    CPPUNIT_ASSERT_EQUAL(std::string("weave::counting_semaphore: release of a negative number of permits"),
                         usage_message([&] { s.release(-1); }));
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(1), s.available());
  }

  // counting_semaphore has no default count (as std); bounded_semaphore{} has
  // bound 1 (as Python). release(0) changes nothing, even at the bound; a
  // negative release is a usage_error naming the semaphore, and changes nothing.
  void defaults_and_release_of_zero() {
    static_assert(!std::is_default_constructible_v<weave::counting_semaphore>);
    weave::bounded_semaphore b;
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(1), b.bound());
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(1), b.available());
    b.release(0);
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(1), b.available());
    CPPUNIT_ASSERT_EQUAL(std::string("weave::bounded_semaphore: release of a negative number of permits"),
                         usage_message([&] { b.release(-2); }));
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(1), b.available());
    CPPUNIT_ASSERT(b.try_acquire() && !b.try_acquire());
    weave::counting_semaphore c(0);
    c.release(0);
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(0), c.available());
    CPPUNIT_ASSERT(!c.try_acquire());
  }

  void bounded_over_release_changes_nothing() {
    weave::bounded_semaphore s(2);
    s.acquire();
    s.release();
    CPPUNIT_ASSERT_EQUAL(std::string("weave::bounded_semaphore: release above the initial value (over-release)"),
                         usage_message([&] { s.release(); }));
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(2), s.available());
    s.acquire();
    CPPUNIT_ASSERT(!usage_message([&] { s.release(2); }).empty());
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(1), s.available());
    s.release(1);
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(2), s.available());
  }

  void holders_never_exceed_permits() {
    weave::counting_semaphore s(2);
    std::atomic<int> inside{0}, worst{0}, total{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; ++i) ts.emplace_back([&] {
      for (int k = 0; k < 2000; ++k) {
        if (k % 3 == 0 ? !s.try_acquire_for(1ms) : (s.acquire(), false)) continue;
        const int now = ++inside;
        int w = worst.load();
        while (now > w && !worst.compare_exchange_weak(w, now)) {
        }
        ++total;
        --inside;
        s.release();
      }
    });
    for (auto& t : ts) t.join();
    CPPUNIT_ASSERT(worst.load() <= 2);
    CPPUNIT_ASSERT(total.load() > 0);
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(2), s.available());
  }
};
CPPUNIT_TEST_SUITE_REGISTRATION(semaphore_test);
