// weave::condition on hardware: wait/notify with std::unique_lock<weave::mutex>,
// the mutex itself and weave::recursive_mutex (depth released and restored),
// notify(n) waking exactly n of the waiters present, a waiter arriving after a
// notify not being woken by it, predicate and timed forms (generous
// tolerances), and misuse as weave::usage_error. Ideas from CPython's
// Lib/test/lock_tests.py (ConditionTests: test_notify, test_timeout,
// test_waitfor, test_waitfor_timeout).
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_helpers.hpp"
#include "weave/condition.hpp"
#include "weave/mutex.hpp"
#include "weave/recursive_mutex.hpp"

namespace {
using weave::test::eventually;
using weave::test::usage_message;
using clk = std::chrono::steady_clock;
using namespace std::chrono_literals;
}  // namespace

class condition_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(condition_test);
  CPPUNIT_TEST(notify_one_wakes_a_waiter);
  CPPUNIT_TEST(wait_with_predicate);
  CPPUNIT_TEST(works_with_the_mutex_itself);
  CPPUNIT_TEST(notify_n_wakes_exactly_n);
  CPPUNIT_TEST(notify_all_wakes_every_waiter);
  CPPUNIT_TEST(notify_all_wakes_more_parked_waiters_than_one_batch);
  CPPUNIT_TEST(notify_is_fifo);
  CPPUNIT_TEST(later_waiter_not_woken_by_earlier_notify);
  CPPUNIT_TEST(notify_without_waiters_is_not_remembered);
  CPPUNIT_TEST(timed_wait_times_out);
  CPPUNIT_TEST(timed_wait_with_predicate_returns_last_value);
  CPPUNIT_TEST(timed_out_waiter_leaves_the_queue);
  CPPUNIT_TEST(recursive_mutex_released_completely_and_restored);
  CPPUNIT_TEST(wait_without_lock_is_usage_error);
  CPPUNIT_TEST(negative_notify_is_usage_error);
  CPPUNIT_TEST(until_at_the_ends_of_coarse_clocks);
  CPPUNIT_TEST_SUITE_END();

 public:
  // A deadline at the far end of a coarse clock waits for the notify (no
  // timeout is reported, in either form); one in the past returns at once
  // with the predicate's value / timeout.
  void until_at_the_ends_of_coarse_clocks() {
    weave::test::for_each_far_deadline([](const std::string& at, auto t) {
      weave::mutex m;
      weave::condition cv;
      bool ready = false;  // under m
      const auto notify = [&] {
        m.lock();
        ready = true;
        cv.notify_all();
        m.unlock();
      };
      weave::test::waits_until_released("condition::wait_until(lock, " + at + ", pred)",
                                        [&] {
                                          std::unique_lock<weave::mutex> lk(m);
                                          return cv.wait_until(lk, t, [&] { return ready; });
                                        },
                                        notify);
      ready = false;
      weave::test::waits_until_released("condition::wait_until(lock, " + at + ")",
                                        [&] {
                                          std::unique_lock<weave::mutex> lk(m);
                                          while (!ready)
                                            if (cv.wait_until(lk, t) == weave::cv_status::timeout) return false;
                                          return true;
                                        },
                                        notify);
    });
    weave::test::for_each_past_deadline([](const std::string& at, auto t) {
      weave::mutex m;
      weave::condition cv;
      std::atomic<bool> ready{false};
      const auto notify = [&] {
        m.lock();
        ready = true;
        cv.notify_all();
        m.unlock();
      };
      weave::test::tries_once("condition::wait_until(lock, " + at + ", pred)",
                              [&] {
                                std::unique_lock<weave::mutex> lk(m);
                                return cv.wait_until(lk, t, [&] { return ready.load(); });
                              },
                              notify);
      ready = false;
      weave::test::tries_once("condition::wait_until(lock, " + at + ")",
                              [&] {
                                std::unique_lock<weave::mutex> lk(m);
                                return cv.wait_until(lk, t) == weave::cv_status::no_timeout;
                              },
                              notify);
    });
  }

  void notify_one_wakes_a_waiter() {
    weave::mutex m;
    weave::condition cv;
    bool ready = false;  // plain: under m
    std::thread t([&] {
      std::unique_lock<weave::mutex> lk(m);
      while (!ready) cv.wait(lk);
      CPPUNIT_ASSERT(lk.owns_lock());
      CPPUNIT_ASSERT(m.is_locked());
    });
    CPPUNIT_ASSERT(eventually([&] { return cv.waiting() == 1; }));
    {
      std::lock_guard<weave::mutex> g(m);
      ready = true;
    }
    cv.notify_one();
    t.join();
    CPPUNIT_ASSERT_EQUAL(std::size_t{0}, cv.waiting());
  }

  void wait_with_predicate() {
    weave::mutex m;
    weave::condition cv;
    int value = 0;
    std::thread t([&] {
      for (int i = 1; i <= 5; ++i) {
        std::this_thread::sleep_for(1ms);
        std::lock_guard<weave::mutex> g(m);
        value = i;
        cv.notify_all();
      }
    });
    std::unique_lock<weave::mutex> lk(m);
    cv.wait(lk, [&] { return value == 5; });
    CPPUNIT_ASSERT_EQUAL(5, value);
    lk.unlock();
    t.join();
    // A true predicate returns at once, without a notifier.
    lk.lock();
    cv.wait(lk, [] { return true; });
    CPPUNIT_ASSERT(lk.owns_lock());
  }

  void works_with_the_mutex_itself() {
    weave::mutex m;
    weave::condition cv;
    bool ready = false;
    std::thread t([&] {
      m.lock();
      cv.wait(m, [&] { return ready; });
      CPPUNIT_ASSERT(m.is_locked());
      m.unlock();
    });
    CPPUNIT_ASSERT(eventually([&] { return cv.waiting() == 1; }));
    m.lock();
    ready = true;
    cv.notify_one();
    m.unlock();
    t.join();
  }

  void notify_n_wakes_exactly_n() {
    weave::mutex m;
    weave::condition cv;
    std::atomic<int> woken{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 5; ++i) {
      ts.emplace_back([&] {
        std::unique_lock<weave::mutex> lk(m);
        // No predicate: a notify is what returns it (spurious futex returns do
        // not happen without signals).
        cv.wait(lk);
        woken.fetch_add(1);
      });
    }
    CPPUNIT_ASSERT(eventually([&] { return cv.waiting() == 5; }));
    cv.notify(2);
    CPPUNIT_ASSERT(eventually([&] { return woken.load() == 2; }));
    std::this_thread::sleep_for(50ms);  // nobody else returns
    CPPUNIT_ASSERT_EQUAL(2, woken.load());
    CPPUNIT_ASSERT_EQUAL(std::size_t{3}, cv.waiting());
    cv.notify(0);
    std::this_thread::sleep_for(10ms);
    CPPUNIT_ASSERT_EQUAL(2, woken.load());
    cv.notify(10);  // more than are waiting: wakes the 3
    for (auto& t : ts) t.join();
    CPPUNIT_ASSERT_EQUAL(5, woken.load());
  }

  void notify_all_wakes_every_waiter() {
    weave::mutex m;
    weave::condition cv;
    std::atomic<int> woken{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; ++i) {
      ts.emplace_back([&] {
        std::unique_lock<weave::mutex> lk(m);
        cv.wait(lk);
        woken.fetch_add(1);
      });
    }
    CPPUNIT_ASSERT(eventually([&] { return cv.waiting() == 4; }));
    cv.notify_all();
    for (auto& t : ts) t.join();
    CPPUNIT_ASSERT_EQUAL(4, woken.load());
    CPPUNIT_ASSERT_EQUAL(std::size_t{0}, cv.waiting());
  }

  // More parked waiters than a notify keeps owed wakes for (real_sync's
  // wake_batch, 8, in sync.hpp): the wakes it makes under m_ when its batch
  // fills and the ones it makes after releasing m_ all arrive (C4, C9). A lost
  // one hangs a join (the test's timeout).
  void notify_all_wakes_more_parked_waiters_than_one_batch() {
    constexpr int n = 20;
    weave::mutex m;
    weave::condition cv;
    bool go = false;  // guarded by m
    std::atomic<int> woken{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < n; ++i) {
      ts.emplace_back([&] {
        std::unique_lock<weave::mutex> lk(m);
        cv.wait(lk, [&] { return go; });
        woken.fetch_add(1);
      });
    }
    CPPUNIT_ASSERT(eventually([&] { return cv.waiting() == n; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // past the hand-off spin: parked
    {
      std::lock_guard<weave::mutex> lk(m);
      go = true;
    }
    cv.notify_all();
    for (auto& t : ts) t.join();
    CPPUNIT_ASSERT_EQUAL(n, woken.load());
    CPPUNIT_ASSERT_EQUAL(std::size_t{0}, cv.waiting());
  }

  void notify_is_fifo() {
    // Waiters queue in the order they started waiting; notify_one wakes the oldest.
    weave::mutex m;
    weave::condition cv;
    std::vector<int> order;  // under m
    std::vector<std::thread> ts;
    for (int i = 0; i < 3; ++i) {
      ts.emplace_back([&, i] {
        std::unique_lock<weave::mutex> lk(m);
        cv.wait(lk);
        order.push_back(i);
      });
      CPPUNIT_ASSERT(eventually([&] { return cv.waiting() == static_cast<std::size_t>(i + 1); }));
    }
    for (int i = 0; i < 3; ++i) {
      cv.notify_one();
      CPPUNIT_ASSERT(eventually([&] {
        std::lock_guard<weave::mutex> g(m);
        return order.size() == static_cast<std::size_t>(i + 1);
      }));
    }
    for (auto& t : ts) t.join();
    CPPUNIT_ASSERT(order == (std::vector<int>{0, 1, 2}));
  }

  void later_waiter_not_woken_by_earlier_notify() {
    weave::mutex m;
    weave::condition cv;
    std::atomic<int> first_woken{0};
    std::thread a([&] {
      std::unique_lock<weave::mutex> lk(m);
      cv.wait(lk);
      first_woken.store(1);
    });
    CPPUNIT_ASSERT(eventually([&] { return cv.waiting() == 1; }));
    std::unique_lock<weave::mutex> lk(m);
    cv.notify_one();  // for a; we start waiting after it, holding m, so a cannot run yet
    const auto status = cv.wait_for(lk, 100ms);
    CPPUNIT_ASSERT(status == weave::cv_status::timeout);  // the notify was not ours
    lk.unlock();
    a.join();
    CPPUNIT_ASSERT_EQUAL(1, first_woken.load());
  }

  void notify_without_waiters_is_not_remembered() {
    weave::mutex m;
    weave::condition cv;
    cv.notify_one();
    cv.notify_all();
    std::unique_lock<weave::mutex> lk(m);
    CPPUNIT_ASSERT(cv.wait_for(lk, 20ms) == weave::cv_status::timeout);
  }

  void timed_wait_times_out() {
    weave::mutex m;
    weave::condition cv;
    std::unique_lock<weave::mutex> lk(m);
    auto t0 = clk::now();
    CPPUNIT_ASSERT(cv.wait_for(lk, 50ms) == weave::cv_status::timeout);
    auto took = clk::now() - t0;
    CPPUNIT_ASSERT(took >= 45ms);
    CPPUNIT_ASSERT(took < 5s);
    CPPUNIT_ASSERT(lk.owns_lock());
    CPPUNIT_ASSERT(cv.wait_until(lk, clk::now() - 1s) == weave::cv_status::timeout);
    CPPUNIT_ASSERT(cv.wait_until(lk, std::chrono::system_clock::now() + 10ms) == weave::cv_status::timeout);
    CPPUNIT_ASSERT(lk.owns_lock());
  }

  void timed_wait_with_predicate_returns_last_value() {
    weave::mutex m;
    weave::condition cv;
    std::unique_lock<weave::mutex> lk(m);
    int calls = 0;
    const auto t0 = clk::now();
    CPPUNIT_ASSERT(!cv.wait_for(lk, 30ms, [&] { ++calls; return false; }));
    CPPUNIT_ASSERT(clk::now() - t0 >= 25ms);
    CPPUNIT_ASSERT(calls >= 2);  // checked before waiting and after the timeout
    CPPUNIT_ASSERT(cv.wait_for(lk, 0ms, [] { return true; }));
    // Becomes true exactly as the timeout passes: the last value is returned.
    int n = 0;
    CPPUNIT_ASSERT(cv.wait_until(lk, clk::now() + 10ms, [&] { return ++n >= 2; }));
    // Set by another thread in time.
    bool flag = false;
    std::thread t([&] {
      std::this_thread::sleep_for(10ms);
      std::lock_guard<weave::mutex> g(m);
      flag = true;
      cv.notify_all();
    });
    CPPUNIT_ASSERT(cv.wait_for(lk, 10s, [&] { return flag; }));
    lk.unlock();
    t.join();
  }

  void timed_out_waiter_leaves_the_queue() {
    weave::mutex m;
    weave::condition cv;
    std::unique_lock<weave::mutex> lk(m);
    CPPUNIT_ASSERT(cv.wait_for(lk, 5ms) == weave::cv_status::timeout);
    CPPUNIT_ASSERT_EQUAL(std::size_t{0}, cv.waiting());
    lk.unlock();
    // A later notify_one reaches a live waiter, not the departed one.
    std::atomic<bool> woken{false};
    std::thread t([&] {
      std::unique_lock<weave::mutex> l(m);
      cv.wait(l);
      woken.store(true);
    });
    CPPUNIT_ASSERT(eventually([&] { return cv.waiting() == 1; }));
    cv.notify_one();
    t.join();
    CPPUNIT_ASSERT(woken.load());
  }

  void recursive_mutex_released_completely_and_restored() {
    weave::recursive_mutex rm;
    weave::condition cv;
    bool ready = false;
    std::atomic<bool> other_got_it{false};
    std::thread t([&] {
      CPPUNIT_ASSERT(eventually([&] { return cv.waiting() == 1; }));
      // The waiter held it at depth 3: wait must have released all three levels.
      std::lock_guard<weave::recursive_mutex> g(rm);
      other_got_it.store(true);
      ready = true;
      cv.notify_one();
    });
    rm.lock();
    rm.lock();
    {
      std::unique_lock<weave::recursive_mutex> lk(rm);
      CPPUNIT_ASSERT_EQUAL(3u, rm.depth());
      cv.wait(lk, [&] { return ready; });
      CPPUNIT_ASSERT_EQUAL(3u, rm.depth());
      CPPUNIT_ASSERT(other_got_it.load());
    }
    // The recursive mutex itself as the lock, timed.
    CPPUNIT_ASSERT_EQUAL(2u, rm.depth());
    CPPUNIT_ASSERT(cv.wait_for(rm, 5ms) == weave::cv_status::timeout);
    CPPUNIT_ASSERT_EQUAL(2u, rm.depth());
    rm.unlock();
    rm.unlock();
    t.join();
    CPPUNIT_ASSERT(!rm.is_locked());
  }

  void wait_without_lock_is_usage_error() {
    weave::mutex m;
    weave::condition cv;
    const std::string rule = "weave::condition: wait without holding the lock";
    std::unique_lock<weave::mutex> lk(m, std::defer_lock);
    CPPUNIT_ASSERT_EQUAL(rule, usage_message([&] { cv.wait(lk); }));
    CPPUNIT_ASSERT_EQUAL(rule, usage_message([&] { (void)cv.wait_for(lk, 1ms); }));
    CPPUNIT_ASSERT_EQUAL(rule, usage_message([&] { cv.wait(m, [] { return false; }); }));
    weave::recursive_mutex rm;
    CPPUNIT_ASSERT_EQUAL(rule, usage_message([&] { cv.wait(rm); }));
    // Held by another thread: the recursive mutex knows it is not ours.
    std::atomic<int> stage{0};
    std::thread t([&] {
      rm.lock();
      stage.store(1);
      while (stage.load() != 2) std::this_thread::yield();
      rm.unlock();
    });
    while (stage.load() != 1) std::this_thread::yield();
    CPPUNIT_ASSERT_EQUAL(rule, usage_message([&] { (void)cv.wait_for(rm, 1ms); }));
    stage.store(2);
    t.join();
    CPPUNIT_ASSERT_EQUAL(std::size_t{0}, cv.waiting());  // nothing left registered
  }

  void negative_notify_is_usage_error() {
    weave::condition cv;
    CPPUNIT_ASSERT_EQUAL(std::string("weave::condition: notify of a negative number of waiters"),
                         usage_message([&] { cv.notify(-1); }));
  }
};
CPPUNIT_TEST_SUITE_REGISTRATION(condition_test);
