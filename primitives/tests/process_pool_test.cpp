// weave::process_pool on hardware: submit and get (values, void, structs), a
// function that throws fails its future only, map in order, shutdown (wait,
// cancel pending, no wait) as Python 3.9's, submit after shutdown and other
// misuse are usage_errors, a worker killed (SIGKILL) or exiting mid-task fails
// that task with broken_pool within a second and is replaced, the
// destructor reaps every worker (no zombie), and the direct path (D1..D7): a
// task nobody get()s still finishes, one thread's tasks start in submit
// order, and get() works from a thread other than the submitter's. Every case forks, so under
// ThreadSanitizer each one skips itself with a note, as pipe_test's fork cases.
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <cerrno>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_helpers.hpp"
#include "weave/process_pool.hpp"

namespace {
using weave::test::usage_message;
using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

// Shared with the workers (MAP_SHARED before any pool forks): the pid of the
// worker that runs `hang`, so the test knows whom to kill.
std::atomic<int>& hung_pid() {
  static auto* p = [] {
    void* m = ::mmap(nullptr, sizeof(std::atomic<int>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) std::abort();
    return new (m) std::atomic<int>(0);
  }();
  return *p;
}

// Shared with the workers as hung_pid is: the order in which `stamp` ran.
struct stamp_log {
  std::atomic<int> count{0};
  int order[64];
};
stamp_log& stamps() {
  static auto* p = [] {
    void* m = ::mmap(nullptr, sizeof(stamp_log), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) std::abort();
    return new (m) stamp_log();
  }();
  return *p;
}

struct point {
  int x, y;
};

// Registered at static initialisation: before any pool is made (W6).
const auto square = weave::process_pool::register_function<long(int)>(
    "process_pool_test.square", [](int x) { return static_cast<long>(x) * x; });
const auto swap_xy = weave::process_pool::register_function<point(point)>(
    "process_pool_test.swap_xy", [](point p) { return point{p.y, p.x}; });
const auto nothing = weave::process_pool::register_function<void(int)>("process_pool_test.nothing", [](int) {});
const auto fail_on_odd = weave::process_pool::register_function<int(int)>("process_pool_test.fail_on_odd", [](int x) {
  if (x % 2 != 0) throw std::runtime_error("odd argument " + std::to_string(x));
  return x;
});
const auto nap = weave::process_pool::register_function<int(int)>("process_pool_test.nap", [](int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
});
// Records its worker's pid, then sleeps (bounded: a test that fails to kill it
// still ends).
const auto hang = weave::process_pool::register_function<int(int)>("process_pool_test.hang", [](int) {
  hung_pid().store(static_cast<int>(::getpid()));
  std::this_thread::sleep_for(5s);
  return 0;
});
const auto quit = weave::process_pool::register_function<int(int)>("process_pool_test.quit", [](int code) -> int {
  ::_exit(code);
});
const auto stamp = weave::process_pool::register_function<int(int)>("process_pool_test.stamp", [](int i) {
  const int at = stamps().count.fetch_add(1);  // one worker at a time here: the order is the run order
  if (at < 64) stamps().order[at] = i;
  return i;
});

bool skip_fork(const char* test) {
  if (weave::tsan_build) {
    weave::test::skip_note(test, weave::test::fork_under_tsan);
    return true;
  }
  return false;
}

// True if pid is no child of ours any more: the pool reaped it. (A zombie or
// a live worker is still our child: waitpid would not say ECHILD. Whether the
// pid is free is not asked: with pid_max 32768 and busy machines it may
// already name another process.)
bool reaped(int pid) {
  int st = 0;
  return ::waitpid(pid, &st, WNOHANG) == -1 && errno == ECHILD;
}
}  // namespace

class process_pool_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(process_pool_test);
  CPPUNIT_TEST(submit_returns_a_future);
  CPPUNIT_TEST(throwing_function_fails_its_future_only);
  CPPUNIT_TEST(map_keeps_order);
  CPPUNIT_TEST(map_rethrows_first_failure);
  CPPUNIT_TEST(shutdown_runs_every_accepted_task);
  CPPUNIT_TEST(shutdown_cancel_pending);
  CPPUNIT_TEST(shutdown_without_wait_then_destructor_reaps);
  CPPUNIT_TEST(submit_after_shutdown_is_usage_error);
  CPPUNIT_TEST(misuse_is_usage_error);
  CPPUNIT_TEST(killed_worker_fails_its_task_within_a_second);
  CPPUNIT_TEST(exiting_worker_fails_its_task);
  CPPUNIT_TEST(destructor_reaps_every_worker);
  CPPUNIT_TEST(a_task_nobody_waits_for_finishes);
  CPPUNIT_TEST(one_threads_tasks_start_in_submit_order);
  CPPUNIT_TEST(get_from_another_thread);
  CPPUNIT_TEST_SUITE_END();

 public:
  void submit_returns_a_future() {
    if (skip_fork("submit_returns_a_future")) return;
    weave::process_pool pool(2);
    CPPUNIT_ASSERT_EQUAL(std::size_t{2}, pool.size());
    weave::future<long> f = pool.submit(square, 7);
    CPPUNIT_ASSERT_EQUAL(49L, f.get());
    const point p = pool.submit(swap_xy, point{1, 2}).get();
    CPPUNIT_ASSERT_EQUAL(2, p.x);
    CPPUNIT_ASSERT_EQUAL(1, p.y);
    weave::future<void> v = pool.submit(nothing, 0);
    v.get();
    CPPUNIT_ASSERT(v.done());
    for (int pid : pool.worker_pids()) CPPUNIT_ASSERT(pid > 0 && pid != static_cast<int>(::getpid()));
  }

  void throwing_function_fails_its_future_only() {
    if (skip_fork("throwing_function_fails_its_future_only")) return;
    weave::process_pool pool(1);
    auto bad = pool.submit(fail_on_odd, 3);
    auto good = pool.submit(fail_on_odd, 4);
    try {
      (void)bad.get();
      CPPUNIT_FAIL("get() of a failed task returned");
    } catch (const weave::process_task_error& e) {
      const std::string what = e.what();
      CPPUNIT_ASSERT_MESSAGE(what, what.find("odd argument 3") != std::string::npos);
      CPPUNIT_ASSERT_MESSAGE(what, what.find("process_pool_test.fail_on_odd") != std::string::npos);
    }
    CPPUNIT_ASSERT_EQUAL(4, good.get());
  }

  void map_keeps_order() {
    if (skip_fork("map_keeps_order")) return;
    weave::process_pool pool(3);
    std::vector<int> in;
    for (int i = 0; i < 200; ++i) in.push_back(i);
    const std::vector<long> out = pool.map(square, in);
    CPPUNIT_ASSERT_EQUAL(in.size(), out.size());
    for (int i = 0; i < 200; ++i) CPPUNIT_ASSERT_EQUAL(static_cast<long>(i) * i, out[static_cast<std::size_t>(i)]);
  }

  void map_rethrows_first_failure() {
    if (skip_fork("map_rethrows_first_failure")) return;
    weave::process_pool pool(2);
    try {
      (void)pool.map(fail_on_odd, std::vector<int>{2, 4, 5, 6, 7});
      CPPUNIT_FAIL("map over a failing task returned");
    } catch (const weave::process_task_error& e) {
      CPPUNIT_ASSERT_MESSAGE(e.what(), std::string(e.what()).find("odd argument 5") != std::string::npos);
    }
    CPPUNIT_ASSERT_EQUAL(8, pool.submit(fail_on_odd, 8).get());  // the pool goes on
  }

  void shutdown_runs_every_accepted_task() {
    if (skip_fork("shutdown_runs_every_accepted_task")) return;
    weave::process_pool pool(1);
    std::vector<weave::future<int>> fs;
    fs.push_back(pool.submit(nap, 30));
    for (int i = 0; i < 10; ++i) fs.push_back(pool.submit(nap, 1));
    pool.shutdown(true);
    for (auto& f : fs) {
      CPPUNIT_ASSERT(f.done());
      CPPUNIT_ASSERT(!f.cancelled());
    }
    CPPUNIT_ASSERT_EQUAL(30, fs[0].get());
    CPPUNIT_ASSERT_EQUAL(1, fs[10].get());
    pool.shutdown(true);  // idempotent
  }

  void shutdown_cancel_pending() {
    if (skip_fork("shutdown_cancel_pending")) return;
    weave::process_pool pool(1);
    auto first = pool.submit(nap, 500);  // long enough that shutdown comes while it runs
    std::vector<weave::future<int>> rest;
    for (int i = 0; i < 5; ++i) rest.push_back(pool.submit(nap, 1));
    CPPUNIT_ASSERT(weave::test::eventually([&] { return first.running(); }));
    pool.shutdown(true, true);
    CPPUNIT_ASSERT_EQUAL(500, first.get());  // a started task finishes
    for (auto& f : rest) CPPUNIT_ASSERT(f.cancelled());
    CPPUNIT_ASSERT_THROW((void)rest[0].get(), weave::cancelled_error);
  }

  void shutdown_without_wait_then_destructor_reaps() {
    if (skip_fork("shutdown_without_wait_then_destructor_reaps")) return;
    std::vector<int> pids;
    weave::future<int> f;
    {
      weave::process_pool pool(2);
      pids = pool.worker_pids();
      f = pool.submit(nap, 50);
      pool.shutdown(false);  // returns at once; the task still runs
      CPPUNIT_ASSERT_THROW((void)pool.submit(nap, 1), weave::usage_error);
    }
    CPPUNIT_ASSERT_EQUAL(50, f.get());
    for (int pid : pids) CPPUNIT_ASSERT_MESSAGE(std::to_string(pid), reaped(pid));
  }

  void submit_after_shutdown_is_usage_error() {
    if (skip_fork("submit_after_shutdown_is_usage_error")) return;
    weave::process_pool pool(1);
    pool.shutdown();
    CPPUNIT_ASSERT_EQUAL(std::string("weave::process_pool: submit after shutdown"),
                         usage_message([&] { (void)pool.submit(square, 1); }));
    CPPUNIT_ASSERT_EQUAL(std::string("weave::process_pool: submit after shutdown"),
                         usage_message([&] { (void)pool.map(square, std::vector<int>{1}); }));
  }

  void misuse_is_usage_error() {
    // The first three fork nothing: they run under ThreadSanitizer too.
    CPPUNIT_ASSERT_EQUAL(std::string("weave::process_pool: a pool needs at least one worker"),
                         usage_message([] { weave::process_pool p(0); }));
    CPPUNIT_ASSERT(usage_message([] {
                     (void)weave::process_pool::register_function<int(int)>("process_pool_test.square",
                                                                             [](int x) { return x; });
                   }).find("registered already") != std::string::npos);
    CPPUNIT_ASSERT(usage_message([] {
                     (void)weave::process_pool::register_function<int(int)>("", [](int x) { return x; });
                   }).find("non-empty name") != std::string::npos);
    if (skip_fork("misuse_is_usage_error (with a pool)")) return;
    weave::process_pool pool(1);
    const weave::process_function<int(int)> none;
    CPPUNIT_ASSERT(usage_message([&] { (void)pool.submit(none, 1); }).find("not in this pool") != std::string::npos);
    // Registered after the pool was made: not in its workers (W6).
    static const auto late = weave::process_pool::register_function<int(int)>("process_pool_test.late",
                                                                              [](int x) { return x + 1; });
    CPPUNIT_ASSERT(usage_message([&] { (void)pool.submit(late, 1); }).find("not in this pool") != std::string::npos);
    weave::process_pool later(1);
    CPPUNIT_ASSERT_EQUAL(2, later.submit(late, 1).get());
  }

  void killed_worker_fails_its_task_within_a_second() {
    if (skip_fork("killed_worker_fails_its_task_within_a_second")) return;
    hung_pid().store(0);  // maps the shared word before the workers are forked
    weave::process_pool pool(2);
    auto f = pool.submit(hang, 0);
    CPPUNIT_ASSERT(weave::test::eventually([] { return hung_pid().load() != 0; }));
    const int victim = hung_pid().load();
    const auto killed_at = clk::now();
    CPPUNIT_ASSERT_EQUAL(0, ::kill(victim, SIGKILL));
    CPPUNIT_ASSERT(f.wait_for(3s) == weave::future_status::ready);
    const auto took = clk::now() - killed_at;
    CPPUNIT_ASSERT_MESSAGE(std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()) + " ms",
                           took < 1s);
    try {
      (void)f.get();
      CPPUNIT_FAIL("get() of a task whose worker was killed returned");
    } catch (const weave::broken_pool& e) {
      const std::string what = e.what();
      CPPUNIT_ASSERT_MESSAGE(what, what.find(std::to_string(victim)) != std::string::npos);
      CPPUNIT_ASSERT_MESSAGE(what, what.find("signal 9") != std::string::npos);
      CPPUNIT_ASSERT_MESSAGE(what, what.find("process_pool_test.hang") != std::string::npos);
    }
    // The pool replaced the worker and still works, on both slots.
    std::vector<int> in{1, 2, 3, 4, 5, 6, 7, 8};
    CPPUNIT_ASSERT_EQUAL(64L, pool.map(square, in).back());
    CPPUNIT_ASSERT(weave::test::eventually([&] {
      for (int pid : pool.worker_pids())
        if (pid == 0 || pid == victim) return false;
      return true;
    }));
    CPPUNIT_ASSERT(reaped(victim));
  }

  void exiting_worker_fails_its_task() {
    if (skip_fork("exiting_worker_fails_its_task")) return;
    weave::process_pool pool(1);
    auto f = pool.submit(quit, 7);
    try {
      (void)f.get();
      CPPUNIT_FAIL("get() of a task whose worker exited returned");
    } catch (const weave::broken_pool& e) {
      CPPUNIT_ASSERT_MESSAGE(e.what(), std::string(e.what()).find("exited with status 7") != std::string::npos);
    }
    CPPUNIT_ASSERT_EQUAL(9L, pool.submit(square, 3).get());
  }

  void destructor_reaps_every_worker() {
    if (skip_fork("destructor_reaps_every_worker")) return;
    std::vector<int> pids;
    {
      weave::process_pool pool(3);
      (void)pool.map(square, std::vector<int>{1, 2, 3, 4, 5, 6});
      pids = pool.worker_pids();
    }
    CPPUNIT_ASSERT_EQUAL(std::size_t{3}, pids.size());
    for (int pid : pids) CPPUNIT_ASSERT_MESSAGE(std::to_string(pid), reaped(pid));
  }

  // A task sent directly (D2) that nobody get()s is collected by its slot's
  // shepherd (D4): done() and a done-callback see it without a get().
  void a_task_nobody_waits_for_finishes() {
    if (skip_fork("a_task_nobody_waits_for_finishes")) return;
    weave::process_pool pool(1);
    auto f = pool.submit(square, 6);
    CPPUNIT_ASSERT(weave::test::eventually([&] { return f.done(); }));
    CPPUNIT_ASSERT_EQUAL(36L, f.get());
    std::atomic<bool> called{false};
    auto g = pool.submit(square, 7);
    g.add_done_callback([&called] { called.store(true); });
    CPPUNIT_ASSERT(weave::test::eventually([&] { return called.load(); }));
    CPPUNIT_ASSERT(f.wait_for(1s) == weave::future_status::ready);
    CPPUNIT_ASSERT_EQUAL(49L, g.get());
  }

  // D7: a direct submit never overtakes a task the same thread queued
  // earlier, whichever thread collects what.
  void one_threads_tasks_start_in_submit_order() {
    if (skip_fork("one_threads_tasks_start_in_submit_order")) return;
    stamps().count.store(0);  // maps the log before the workers are forked
    weave::process_pool pool(1);
    std::vector<weave::future<int>> fs;
    fs.push_back(pool.submit(nap, 20));  // holds the worker while the rest queue up
    for (int i = 0; i < 40; ++i) {
      fs.push_back(pool.submit(stamp, i));
      if (i % 7 == 3) (void)fs[fs.size() - 2].get();  // collect now and then, so some go direct
    }
    for (auto& f : fs) (void)f.get();
    CPPUNIT_ASSERT_EQUAL(40, stamps().count.load());
    for (int i = 0; i < 40; ++i) CPPUNIT_ASSERT_EQUAL(i, stamps().order[i]);
  }

  // A waiter on another thread than the submitter's collects (D5); the
  // submitter meanwhile keeps submitting.
  void get_from_another_thread() {
    if (skip_fork("get_from_another_thread")) return;
    weave::process_pool pool(2);
    for (int round = 0; round < 200; ++round) {
      auto f = pool.submit(square, round);
      long got = -1;
      std::thread t([&] { got = f.get(); });
      auto g = pool.submit(square, round + 1);
      t.join();
      CPPUNIT_ASSERT_EQUAL(static_cast<long>(round) * round, got);
      CPPUNIT_ASSERT_EQUAL(static_cast<long>(round + 1) * (round + 1), g.get());
    }
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(process_pool_test);
