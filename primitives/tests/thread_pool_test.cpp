// weave::thread_pool on hardware: submit with arguments, void tasks, a task
// that throws fails its future only, map in order, shutdown (wait, cancel
// pending) as Python 3.9's, submit after shutdown is a usage_error, the
// destructor drains and joins.
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_helpers.hpp"
#include "weave/event.hpp"
#include "weave/thread_pool.hpp"

namespace {
using weave::test::usage_message;
using namespace std::chrono_literals;
}  // namespace

class thread_pool_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(thread_pool_test);
  CPPUNIT_TEST(submit_returns_a_future);
  CPPUNIT_TEST(throwing_task_fails_its_future_only);
  CPPUNIT_TEST(map_keeps_order);
  CPPUNIT_TEST(map_rethrows_first_failure);
  CPPUNIT_TEST(shutdown_runs_every_accepted_task);
  CPPUNIT_TEST(shutdown_cancel_pending);
  CPPUNIT_TEST(submit_after_shutdown_is_usage_error);
  CPPUNIT_TEST(shutdown_from_a_task_is_usage_error);
  CPPUNIT_TEST(sizes);
  CPPUNIT_TEST_SUITE_END();

 public:
  void submit_returns_a_future() {
    weave::thread_pool pool(2);
    auto f = pool.submit([](int a, const std::string& b) { return b + std::to_string(a); }, 7, std::string("x"));
    CPPUNIT_ASSERT_EQUAL(std::string("x7"), f.get());
    std::atomic<int> n{0};
    weave::future<void> v = pool.submit([&] { ++n; });
    v.get();
    CPPUNIT_ASSERT_EQUAL(1, n.load());
    auto moved = pool.submit([p = std::make_unique<int>(5)] { return *p; });  // move-only callable
    CPPUNIT_ASSERT_EQUAL(5, moved.get());
  }

  void throwing_task_fails_its_future_only() {
    weave::thread_pool pool(1);
    auto bad = pool.submit([]() -> int { throw std::runtime_error("task"); });
    auto good = pool.submit([] { return 1; });
    CPPUNIT_ASSERT_THROW((void)bad.get(), std::runtime_error);
    CPPUNIT_ASSERT_EQUAL(1, good.get());
  }

  void map_keeps_order() {
    weave::thread_pool pool(3);
    std::vector<int> in;
    for (int i = 0; i < 50; ++i) in.push_back(i);
    const std::vector<long> out = pool.map([](int x) { return static_cast<long>(x) * x; }, in);
    CPPUNIT_ASSERT_EQUAL(in.size(), out.size());
    for (std::size_t i = 0; i < in.size(); ++i) CPPUNIT_ASSERT_EQUAL(static_cast<long>(i * i), out[i]);
  }

  // The exception is read after the pool has joined its workers: a worker
  // may drop the last reference to it (its task's promise) after this thread
  // caught it, and libstdc++ counts an exception's references in code TSan
  // does not see, so reading it before the join is a race to TSan only
  // (sanitizers/README.md).
  void map_rethrows_first_failure() {
    std::exception_ptr caught;
    {
      weave::thread_pool pool(2);
      std::vector<int> in{1, 2, 3, 4};
      try {
        (void)pool.map([](int x) -> int { return x == 2 ? throw std::invalid_argument("two") : x; }, in);
        CPPUNIT_FAIL("map returned");
      } catch (const std::invalid_argument&) {
        caught = std::current_exception();
      }
    }
    CPPUNIT_ASSERT(caught != nullptr);
    try {
      std::rethrow_exception(caught);
    } catch (const std::invalid_argument& e) {
      CPPUNIT_ASSERT_EQUAL(std::string("two"), std::string(e.what()));
    }
  }

  void shutdown_runs_every_accepted_task() {
    std::atomic<int> ran{0};
    std::vector<weave::future<void>> fs;
    {
      weave::thread_pool pool(2);
      for (int i = 0; i < 100; ++i) fs.push_back(pool.submit([&] { ++ran; }));
      pool.shutdown();  // wait = true
      CPPUNIT_ASSERT_EQUAL(100, ran.load());
      pool.shutdown();  // idempotent
    }
    for (auto& f : fs) CPPUNIT_ASSERT(f.done() && !f.cancelled());
  }

  void shutdown_cancel_pending() {
    weave::thread_pool pool(1);
    weave::event started, release;
    auto blocker = pool.submit([&] {
      started.set();
      release.wait();
      return 1;
    });
    CPPUNIT_ASSERT(started.wait_for(60s));
    std::atomic<int> ran{0};
    std::vector<weave::future<void>> pending;
    for (int i = 0; i < 5; ++i) pending.push_back(pool.submit([&] { ++ran; }));
    pool.shutdown(false, true);  // returns at once; the queued tasks are cancelled
    for (auto& f : pending) CPPUNIT_ASSERT(f.cancelled());
    CPPUNIT_ASSERT(blocker.running());
    release.set();
    CPPUNIT_ASSERT_EQUAL(1, blocker.get());  // the running task finishes
    pool.shutdown();
    CPPUNIT_ASSERT_EQUAL(0, ran.load());
  }

  void submit_after_shutdown_is_usage_error() {
    weave::thread_pool pool(1);
    pool.shutdown();
    CPPUNIT_ASSERT_EQUAL(std::string("weave::thread_pool: submit after shutdown"),
                         usage_message([&] { (void)pool.submit([] { return 1; }); }));
  }

  void shutdown_from_a_task_is_usage_error() {
    weave::thread_pool pool(2);
    auto f = pool.submit([&] { return usage_message([&] { pool.shutdown(); }); });
    CPPUNIT_ASSERT_EQUAL(std::string("weave::thread_pool: shutdown(wait = true) from one of its own tasks"), f.get());
    CPPUNIT_ASSERT(!usage_message([&] { (void)pool.submit([] { return 1; }); }).empty());  // it did close
  }

  void sizes() {
    weave::thread_pool pool;
    CPPUNIT_ASSERT(pool.size() >= 1);
    CPPUNIT_ASSERT_EQUAL(pool.size(), weave::thread_pool::default_workers());
    CPPUNIT_ASSERT_EQUAL(std::string("weave::thread_pool: a pool needs at least one worker"),
                         usage_message([] { weave::thread_pool none(0); }));
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(thread_pool_test);
