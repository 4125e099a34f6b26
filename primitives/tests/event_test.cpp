// weave::event on hardware: set/clear/is_set, wait returning at once when set,
// waking every waiter, the "set then cleared before the waiter ran" guarantee,
// and timed waits (generous tolerances).
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "test_helpers.hpp"
#include "weave/event.hpp"

namespace {
using weave::test::eventually;
using clk = std::chrono::steady_clock;
using namespace std::chrono_literals;
}  // namespace

class event_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(event_test);
  CPPUNIT_TEST(starts_clear);
  CPPUNIT_TEST(set_and_clear);
  CPPUNIT_TEST(wait_returns_at_once_when_set);
  CPPUNIT_TEST(set_wakes_every_waiter);
  CPPUNIT_TEST(set_then_clear_still_wakes_waiter);
  CPPUNIT_TEST(timed_wait_times_out);
  CPPUNIT_TEST(timed_wait_until_in_the_past);
  CPPUNIT_TEST(timed_wait_succeeds_when_set);
  CPPUNIT_TEST(publishes_data_written_before_set);
  CPPUNIT_TEST(reusable_across_rounds);
  CPPUNIT_TEST(until_at_the_ends_of_coarse_clocks);
  CPPUNIT_TEST_SUITE_END();

 public:
  // A deadline at the far end of a coarse clock waits for set(); one in the
  // past is a single look at the flag.
  void until_at_the_ends_of_coarse_clocks() {
    weave::test::for_each_far_deadline([](const std::string& at, auto t) {
      weave::event e;
      weave::test::waits_until_released("event::wait_until(" + at + ")", [&] { return e.wait_until(t); },
                                        [&] { e.set(); });
    });
    weave::test::for_each_past_deadline([](const std::string& at, auto t) {
      weave::event e;
      weave::test::tries_once("event::wait_until(" + at + ")", [&] { return e.wait_until(t); }, [&] { e.set(); });
      e.set();
      CPPUNIT_ASSERT(e.wait_until(t));  // a try that finds the flag set succeeds
    });
  }

  void starts_clear() {
    weave::event e;
    CPPUNIT_ASSERT(!e.is_set());
    CPPUNIT_ASSERT(!e.wait_for(0ms));
  }

  void set_and_clear() {
    weave::event e;
    e.set();
    CPPUNIT_ASSERT(e.is_set());
    e.set();  // idempotent
    CPPUNIT_ASSERT(e.is_set());
    e.clear();
    CPPUNIT_ASSERT(!e.is_set());
    e.clear();  // idempotent
    CPPUNIT_ASSERT(!e.is_set());
  }

  void wait_returns_at_once_when_set() {
    weave::event e;
    e.set();
    CPPUNIT_ASSERT(e.wait());
    CPPUNIT_ASSERT(e.wait_for(0ms));
    CPPUNIT_ASSERT(e.wait_until(clk::now() - 1s));
    CPPUNIT_ASSERT(e.is_set());  // waiting does not consume it
  }

  void set_wakes_every_waiter() {
    weave::event e;
    std::atomic<int> started{0}, returned{0}, got_true{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; ++i) {
      ts.emplace_back([&] {
        started.fetch_add(1);
        if (e.wait()) got_true.fetch_add(1);
        returned.fetch_add(1);
      });
    }
    CPPUNIT_ASSERT(eventually([&] { return started.load() == 4; }));
    std::this_thread::sleep_for(20ms);  // let them park (not required for correctness)
    CPPUNIT_ASSERT_EQUAL(0, returned.load());
    e.set();
    for (auto& t : ts) t.join();
    CPPUNIT_ASSERT_EQUAL(4, got_true.load());
  }

  void set_then_clear_still_wakes_waiter() {
    // A waiter parked before a set()/clear() pair returns true although the
    // flag is clear again by the time it runs.
    for (int round = 0; round < 20; ++round) {
      weave::event e;
      std::atomic<bool> entered{false};
      std::atomic<int> result{-1};
      std::thread t([&] {
        entered.store(true);
        result.store(e.wait_for(10s) ? 1 : 0);
      });
      CPPUNIT_ASSERT(eventually([&] { return entered.load(); }));
      std::this_thread::sleep_for(2ms);
      e.set();
      e.clear();
      t.join();
      CPPUNIT_ASSERT_EQUAL(1, result.load());
      CPPUNIT_ASSERT(!e.is_set());
    }
  }

  void timed_wait_times_out() {
    weave::event e;
    const auto t0 = clk::now();
    CPPUNIT_ASSERT(!e.wait_for(50ms));
    const auto took = clk::now() - t0;
    CPPUNIT_ASSERT(took >= 45ms);
    CPPUNIT_ASSERT(took < 5s);  // generous: the machine is shared
  }

  void timed_wait_until_in_the_past() {
    weave::event e;
    CPPUNIT_ASSERT(!e.wait_until(clk::now() - 1s));
    CPPUNIT_ASSERT(!e.wait_until(std::chrono::system_clock::now() + 10ms));
  }

  void timed_wait_succeeds_when_set() {
    weave::event e;
    std::thread t([&] {
      std::this_thread::sleep_for(20ms);
      e.set();
    });
    const auto t0 = clk::now();
    CPPUNIT_ASSERT(e.wait_for(10s));
    CPPUNIT_ASSERT(clk::now() - t0 < 5s);
    t.join();
  }

  void publishes_data_written_before_set() {
    weave::event e;
    int data = 0;  // plain: published by set()/wait (TSan checks it)
    std::thread t([&] {
      data = 42;
      e.set();
    });
    CPPUNIT_ASSERT(e.wait());
    CPPUNIT_ASSERT_EQUAL(42, data);
    t.join();
  }

  void reusable_across_rounds() {
    // Ping-pong with two events, each cleared by its waiter.
    weave::event ping, pong;
    int rounds_seen = 0;
    std::thread t([&] {
      for (int i = 0; i < 200; ++i) {
        ping.wait();
        ping.clear();
        ++rounds_seen;
        pong.set();
      }
    });
    for (int i = 0; i < 200; ++i) {
      ping.set();
      pong.wait();
      pong.clear();
      CPPUNIT_ASSERT_EQUAL(i + 1, rounds_seen);
    }
    t.join();
  }
};
CPPUNIT_TEST_SUITE_REGISTRATION(event_test);
