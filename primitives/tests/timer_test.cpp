// weave::timer on hardware: fires once after its delay, a cancel before the
// delay stops it and says so, a cancel after the fire says "fired", start
// twice is a usage_error, the destructor cancels and joins.
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "test_helpers.hpp"
#include "weave/timer.hpp"

namespace {
using weave::test::eventually;
using weave::test::usage_message;
using weave::timer_status;
using clk = std::chrono::steady_clock;
using namespace std::chrono_literals;
}  // namespace

class timer_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(timer_test);
  CPPUNIT_TEST(fires_once_after_the_delay);
  CPPUNIT_TEST(cancel_before_fire);
  CPPUNIT_TEST(cancel_after_fire_says_fired);
  CPPUNIT_TEST(cancel_before_start);
  CPPUNIT_TEST(start_twice_is_usage_error);
  CPPUNIT_TEST(destructor_cancels_a_long_timer);
  CPPUNIT_TEST(throwing_function_does_not_escape);
  CPPUNIT_TEST_SUITE_END();

 public:
  void fires_once_after_the_delay() {
    std::atomic<int> ran{0};
    weave::timer t(20ms, [&] { ++ran; });
    CPPUNIT_ASSERT(!t.status().has_value());
    const auto start = clk::now();
    t.start();
    t.join();
    CPPUNIT_ASSERT(clk::now() - start >= 20ms);  // never early
    CPPUNIT_ASSERT_EQUAL(1, ran.load());
    CPPUNIT_ASSERT(t.status() == timer_status::fired);
  }

  void cancel_before_fire() {
    std::atomic<int> ran{0};
    weave::timer t(1h, [&] { ++ran; });
    t.start();
    const auto start = clk::now();
    CPPUNIT_ASSERT(t.cancel() == timer_status::cancelled);
    CPPUNIT_ASSERT(t.cancel() == timer_status::cancelled);  // idempotent
    t.join();                                                // the thread ends at once
    CPPUNIT_ASSERT(clk::now() - start < 60s);
    CPPUNIT_ASSERT_EQUAL(0, ran.load());
    CPPUNIT_ASSERT(t.status() == timer_status::cancelled);
  }

  void cancel_after_fire_says_fired() {
    std::atomic<int> ran{0};
    weave::timer t(0ms, [&] { ++ran; });
    t.start();
    CPPUNIT_ASSERT(eventually([&] { return ran.load() == 1; }));
    CPPUNIT_ASSERT(t.cancel() == timer_status::fired);
    t.join();
    CPPUNIT_ASSERT_EQUAL(1, ran.load());
  }

  void cancel_before_start() {
    std::atomic<int> ran{0};
    weave::timer t(0ms, [&] { ++ran; });
    CPPUNIT_ASSERT(t.cancel() == timer_status::cancelled);
    t.start();  // allowed, does nothing (Python)
    t.join();
    CPPUNIT_ASSERT_EQUAL(0, ran.load());
  }

  void start_twice_is_usage_error() {
    weave::timer t(1h, [] {});
    t.start();
    CPPUNIT_ASSERT_EQUAL(std::string("weave::timer: start called twice"), usage_message([&] { t.start(); }));
  }

  void destructor_cancels_a_long_timer() {
    std::atomic<int> ran{0};
    const auto start = clk::now();
    {
      weave::timer t(1h, [&] { ++ran; });
      t.start();
    }
    CPPUNIT_ASSERT(clk::now() - start < 60s);
    CPPUNIT_ASSERT_EQUAL(0, ran.load());
  }

  void throwing_function_does_not_escape() {
    weave::timer t(0ms, [] { throw std::runtime_error("timer"); });
    t.start();
    t.join();
    CPPUNIT_ASSERT(t.status() == timer_status::fired);
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(timer_test);
