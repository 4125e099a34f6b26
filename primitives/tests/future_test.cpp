// weave::future / weave::promise on hardware: values and exceptions, timed
// waits as statuses, cancel (Python's semantics), done-callbacks exactly once,
// broken_promise, usage errors, wait_all / wait_any / as_completed.
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_helpers.hpp"
#include "weave/future.hpp"

namespace {
using weave::test::usage_message;
using namespace std::chrono_literals;
}  // namespace

class future_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(future_test);
  CPPUNIT_TEST(value_from_another_thread);
  CPPUNIT_TEST(exception_is_rethrown_by_every_get);
  CPPUNIT_TEST(void_future);
  CPPUNIT_TEST(timed_wait_is_a_status);
  CPPUNIT_TEST(cancel_only_while_pending);
  CPPUNIT_TEST(set_after_cancel_is_ignored);
  CPPUNIT_TEST(callback_runs_once_now_or_later);
  CPPUNIT_TEST(callback_exception_is_dropped);
  CPPUNIT_TEST(broken_promise_wakes_waiter);
  CPPUNIT_TEST(misuse_is_usage_error);
  CPPUNIT_TEST(wait_any_and_wait_all);
  CPPUNIT_TEST(as_completed_in_finishing_order);
  CPPUNIT_TEST_SUITE_END();

 public:
  void value_from_another_thread() {
    weave::promise<std::string> p;
    weave::future<std::string> f = p.get_future();
    CPPUNIT_ASSERT(!f.done() && !f.running() && !f.cancelled());
    std::thread t([&] {
      std::this_thread::sleep_for(5ms);
      CPPUNIT_ASSERT(p.set_value("done"));
    });
    CPPUNIT_ASSERT_EQUAL(std::string("done"), f.get());
    CPPUNIT_ASSERT_EQUAL(std::string("done"), f.get());  // repeatable, as Python's result()
    t.join();
    CPPUNIT_ASSERT(f.done());
  }

  void exception_is_rethrown_by_every_get() {
    weave::promise<int> p;
    auto f = p.get_future();
    p.set_exception(std::make_exception_ptr(std::runtime_error("boom")));
    for (int i = 0; i < 2; ++i) {
      try {
        (void)f.get();
        CPPUNIT_FAIL("get() returned");
      } catch (const std::runtime_error& e) {
        CPPUNIT_ASSERT_EQUAL(std::string("boom"), std::string(e.what()));
      }
    }
  }

  void void_future() {
    weave::promise<void> p;
    auto f = p.get_future();
    CPPUNIT_ASSERT(p.set_running_or_notify_cancel());
    CPPUNIT_ASSERT(f.running());
    CPPUNIT_ASSERT(p.set_value());
    f.get();
    CPPUNIT_ASSERT(f.done());
  }

  void timed_wait_is_a_status() {
    weave::promise<int> p;
    auto f = p.get_future();
    CPPUNIT_ASSERT(f.wait_for(0ms) == weave::future_status::timeout);
    CPPUNIT_ASSERT(f.wait_for(10ms) == weave::future_status::timeout);
    CPPUNIT_ASSERT(f.wait_until(std::chrono::system_clock::now() - 1s) == weave::future_status::timeout);
    p.set_value(3);
    CPPUNIT_ASSERT(f.wait_for(0ms) == weave::future_status::ready);
    CPPUNIT_ASSERT(f.wait_until(std::chrono::steady_clock::now() + 1h) == weave::future_status::ready);
  }

  void cancel_only_while_pending() {
    weave::promise<int> p1, p2, p3;
    auto f1 = p1.get_future(), f2 = p2.get_future(), f3 = p3.get_future();
    CPPUNIT_ASSERT(f1.cancel());
    CPPUNIT_ASSERT(f1.cancel());  // already cancelled: still true (Python)
    CPPUNIT_ASSERT(f1.cancelled() && f1.done());
    CPPUNIT_ASSERT(!p1.set_running_or_notify_cancel());
    CPPUNIT_ASSERT_THROW((void)f1.get(), weave::cancelled_error);
    CPPUNIT_ASSERT(p2.set_running_or_notify_cancel());
    CPPUNIT_ASSERT(!f2.cancel());  // running
    p3.set_value(1);
    CPPUNIT_ASSERT(!f3.cancel());  // finished
    CPPUNIT_ASSERT(!f3.cancelled());
  }

  void set_after_cancel_is_ignored() {
    weave::promise<int> p;
    auto f = p.get_future();
    CPPUNIT_ASSERT(f.cancel());
    CPPUNIT_ASSERT(!p.set_value(1));
    CPPUNIT_ASSERT(!p.set_exception(std::make_exception_ptr(std::runtime_error("x"))));
    CPPUNIT_ASSERT(f.cancelled());
  }

  void callback_runs_once_now_or_later() {
    weave::promise<int> p;
    auto f = p.get_future();
    std::atomic<int> later{0}, now{0};
    std::thread::id ran_on;
    f.add_done_callback([&](const weave::future<int>& g) {
      CPPUNIT_ASSERT_EQUAL(4, g.get());
      ran_on = std::this_thread::get_id();
      ++later;
    });
    CPPUNIT_ASSERT_EQUAL(0, later.load());
    std::thread t([&] { p.set_value(4); });
    const std::thread::id completer = t.get_id();
    t.join();
    CPPUNIT_ASSERT_EQUAL(1, later.load());
    CPPUNIT_ASSERT(ran_on == completer);  // in the thread that completed it
    f.add_done_callback([&] { ++now; });   // already done: at once, here
    CPPUNIT_ASSERT_EQUAL(1, now.load());
    CPPUNIT_ASSERT_EQUAL(1, later.load());
  }

  void callback_exception_is_dropped() {
    weave::promise<int> p;
    auto f = p.get_future();
    int after = 0;
    f.add_done_callback([] { throw std::runtime_error("callback"); });
    f.add_done_callback([&] { ++after; });
    p.set_value(1);  // does not throw
    CPPUNIT_ASSERT_EQUAL(1, after);
    CPPUNIT_ASSERT_EQUAL(1, f.get());
  }

  void broken_promise_wakes_waiter() {
    weave::future<int> f;
    int callbacks = 0;
    {
      std::optional<weave::promise<int>> p(std::in_place);
      f = p->get_future();
      f.add_done_callback([&] { ++callbacks; });
      std::thread t([&] {
        std::this_thread::sleep_for(5ms);
        p.reset();
      });
      f.wait();
      t.join();
    }
    CPPUNIT_ASSERT_THROW((void)f.get(), weave::broken_promise);
    CPPUNIT_ASSERT_EQUAL(1, callbacks);
    weave::promise<int> running;  // a running task whose executor goes away
    auto g = running.get_future();
    CPPUNIT_ASSERT(running.set_running_or_notify_cancel());
    { weave::promise<int> gone = std::move(running); }
    CPPUNIT_ASSERT_THROW((void)g.get(), weave::broken_promise);
  }

  void misuse_is_usage_error() {
    weave::promise<int> p;
    auto f = p.get_future();
    CPPUNIT_ASSERT_EQUAL(std::string("weave::promise: get_future called twice"),
                         usage_message([&] { (void)p.get_future(); }));
    p.set_value(1);
    CPPUNIT_ASSERT_EQUAL(std::string("weave::promise: value or exception already set"),
                         usage_message([&] { (void)p.set_value(2); }));
    CPPUNIT_ASSERT_EQUAL(1, f.get());  // unchanged
    weave::future<int> none;
    CPPUNIT_ASSERT(!none.valid());
    CPPUNIT_ASSERT_EQUAL(std::string("weave::future: use of a future with no state"),
                         usage_message([&] { (void)none.get(); }));
    weave::promise<int> q;
    q.set_running_or_notify_cancel();
    CPPUNIT_ASSERT(usage_message([&] { (void)q.set_running_or_notify_cancel(); }).find("weave::promise: ") == 0);
  }

  void wait_any_and_wait_all() {
    std::vector<weave::promise<int>> ps(3);
    std::vector<weave::future<int>> fs;
    for (auto& p : ps) fs.push_back(p.get_future());
    CPPUNIT_ASSERT(weave::wait_any_for(fs, 5ms) == weave::future_status::timeout);
    CPPUNIT_ASSERT(weave::wait_any_until(fs, std::chrono::system_clock::now() + 2ms) == weave::future_status::timeout);
    CPPUNIT_ASSERT(weave::wait_all_until(fs, std::chrono::steady_clock::now()) == weave::future_status::timeout);
    std::thread t([&] {
      std::this_thread::sleep_for(5ms);
      ps[1].set_value(1);
    });
    weave::wait_any(fs);
    CPPUNIT_ASSERT(fs[1].done());
    t.join();
    CPPUNIT_ASSERT(weave::wait_all_for(fs, 5ms) == weave::future_status::timeout);
    ps[0].set_value(0);
    std::thread u([&] {
      std::this_thread::sleep_for(5ms);
      ps[2].set_value(2);
    });
    CPPUNIT_ASSERT(weave::wait_all_for(fs, 60s) == weave::future_status::ready);
    weave::wait_all(fs);
    u.join();
    std::vector<weave::future<int>> empty;
    weave::wait_any(empty);  // nothing to wait for
  }

  void as_completed_in_finishing_order() {
    std::vector<weave::promise<int>> ps(3);
    std::vector<weave::future<int>> fs;
    for (auto& p : ps) fs.push_back(p.get_future());
    ps[2].set_value(2);
    weave::as_completed order(fs);
    CPPUNIT_ASSERT_EQUAL(std::size_t{2}, *order.next());
    CPPUNIT_ASSERT(!order.next_for(5ms).has_value());
    CPPUNIT_ASSERT_EQUAL(std::size_t{2}, order.remaining());
    ps[0].set_value(0);
    ps[1].set_value(1);
    CPPUNIT_ASSERT_EQUAL(std::size_t{0}, *order.next());
    CPPUNIT_ASSERT_EQUAL(std::size_t{1}, *order.next());
    CPPUNIT_ASSERT(!order.next().has_value());
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(future_test);
