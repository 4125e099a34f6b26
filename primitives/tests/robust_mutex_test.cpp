// weave::robust_mutex (and weave::mutex between processes): the ticket office
// of the classic curriculum (N forked sellers share one counter under a
// process-shared lock: exactly the available tickets are sold), a thread and a
// process that die holding the robust mutex (the next locker gets owner_dead
// instead of hanging), consistent()/not_recoverable, and misuse. Fork-based
// tests are skipped under TSan with a printed note; thread variants run there.
#include <cppunit/extensions/HelperMacros.h>

#include "fork_helpers.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "weave/mutex.hpp"
#include "weave/robust_mutex.hpp"

namespace {

using weave::lock_status;
using clk = std::chrono::steady_clock;

using weave::test::fork_child;
using weave::test::wait_child;

bool skip_fork(const char* test, const char* why = "fork-based") {
  if (weave::tsan_build) {
    std::printf("\n  note: %s skipped under ThreadSanitizer (%s)\n", test, why);
    return true;
  }
  return false;
}

// Why the takeover tests skip under TSan.
constexpr const char* takeover_under_tsan = "TSan reports a takeover from a dead thread as a double lock";

// A thread that takes m, runs half_update() and ends holding m: it died
// holding the mutex.
template <class F = void (*)()>
void die_holding(weave::robust_mutex& m, F half_update = [] {}) {
  std::thread dies([&] {
    if (m.lock() != lock_status::acquired) std::abort();
    half_update();
  });
  dies.join();
}

// Shared memory for one object of type T, constructed in place.
template <class T>
T* shared_new() {
  void* p = mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CPPUNIT_ASSERT(p != MAP_FAILED);
  return new (p) T();
}
template <class T>
void shared_delete(T* p) {
  p->~T();
  munmap(p, sizeof(T));
}

template <class Lock>
struct office {
  Lock lock;
  int tickets = 0;
  int sold[8] = {};
  int oversold = 0;
};

// Each seller buys one ticket at a time until none are left, as the classic
// exercise: check, (yield), decrement — only correct under the lock.
template <class Lock, class Acquire>
int sell(office<Lock>* o, int me, Acquire acquire) {
  for (;;) {
    acquire(o->lock);
    if (o->tickets <= 0) {
      o->lock.unlock();
      return 0;
    }
    const int left = o->tickets;
    if (me % 2 == 0) sched_yield();  // widen the check-then-act window
    o->tickets = left - 1;
    if (o->tickets < 0) ++o->oversold;
    ++o->sold[me];
    o->lock.unlock();
  }
}

}  // namespace

class robust_mutex_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(robust_mutex_test);
  CPPUNIT_TEST(lock_unlock_and_misuse);
  CPPUNIT_TEST(threads_count_exactly);
  CPPUNIT_TEST(thread_died_holding_it);
  CPPUNIT_TEST(unlock_without_consistent_is_not_recoverable);
  CPPUNIT_TEST(timed_lock_times_out);
  CPPUNIT_TEST(timed_lock_takes_over_from_dead_owner);
  CPPUNIT_TEST(ticket_office_with_weave_mutex);
  CPPUNIT_TEST(ticket_office_with_robust_mutex);
  CPPUNIT_TEST(process_killed_holding_it);
  CPPUNIT_TEST_SUITE_END();

 public:
  void lock_unlock_and_misuse() {
    weave::robust_mutex m;
    CPPUNIT_ASSERT_THROW(m.unlock(), weave::usage_error);  // not held
    CPPUNIT_ASSERT(m.lock() == lock_status::acquired);
    CPPUNIT_ASSERT(m.is_locked());
    CPPUNIT_ASSERT_THROW((void)m.lock(), weave::usage_error);  // not recursive
    CPPUNIT_ASSERT_THROW(m.consistent(), weave::usage_error);  // nobody died
    std::thread other([&] {
      CPPUNIT_ASSERT_THROW(m.unlock(), weave::usage_error);  // not the holder
      CPPUNIT_ASSERT(m.try_lock() == lock_status::timeout);
    });
    other.join();
    CPPUNIT_ASSERT(m.is_locked());
    m.unlock();
    CPPUNIT_ASSERT(!m.is_locked());
  }

  void threads_count_exactly() {
    weave::robust_mutex m;
    long count = 0;
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t)
      ts.emplace_back([&] {
        for (int i = 0; i < 20000; ++i) {
          if (m.lock() != lock_status::acquired) std::abort();
          ++count;
          m.unlock();
        }
      });
    for (auto& t : ts) t.join();
    CPPUNIT_ASSERT_EQUAL(80000L, count);
  }

  void thread_died_holding_it() {
    if (skip_fork("thread_died_holding_it", takeover_under_tsan)) return;
    weave::robust_mutex m;
    int data = 0;
    die_holding(m, [&] { data = 1; });  // half an update, then the thread ends holding the lock
    const auto t0 = clk::now();
    CPPUNIT_ASSERT(m.lock() == lock_status::owner_dead);
    CPPUNIT_ASSERT(clk::now() - t0 < std::chrono::seconds(1));
    CPPUNIT_ASSERT_EQUAL(1, data);
    CPPUNIT_ASSERT(!m.is_consistent());
    data = 0;  // repaired
    m.consistent();
    m.unlock();
    CPPUNIT_ASSERT(m.lock() == lock_status::acquired);
    m.unlock();
  }

  void unlock_without_consistent_is_not_recoverable() {
    if (skip_fork("unlock_without_consistent_is_not_recoverable", takeover_under_tsan)) return;
    weave::robust_mutex m;
    die_holding(m);
    CPPUNIT_ASSERT(m.lock() == lock_status::owner_dead);
    m.unlock();  // without consistent()
    CPPUNIT_ASSERT(m.lock() == lock_status::not_recoverable);
    CPPUNIT_ASSERT(!m.is_locked());
    CPPUNIT_ASSERT(m.try_lock_for(std::chrono::milliseconds(10)) == lock_status::not_recoverable);
  }

  void timed_lock_times_out() {
    weave::robust_mutex m;
    CPPUNIT_ASSERT(m.lock() == lock_status::acquired);
    std::thread other([&] {
      const auto t0 = clk::now();
      CPPUNIT_ASSERT(m.try_lock_for(std::chrono::milliseconds(250)) == lock_status::timeout);
      CPPUNIT_ASSERT(clk::now() - t0 >= std::chrono::milliseconds(240));
    });
    other.join();
    m.unlock();
  }

  // A timed lock shorter than a liveness slice still asks, when its deadline
  // passes, whether the owner lives: a dead owner's mutex is taken over
  // (owner_dead), not reported as a time-out.
  void timed_lock_takes_over_from_dead_owner() {
    if (skip_fork("timed_lock_takes_over_from_dead_owner", takeover_under_tsan)) return;
    weave::robust_mutex m;
    die_holding(m);
    CPPUNIT_ASSERT(m.try_lock_for(std::chrono::milliseconds(10)) == lock_status::owner_dead);
    m.consistent();
    m.unlock();
    CPPUNIT_ASSERT(m.try_lock() == lock_status::acquired);
    m.unlock();
  }

  // The ticket example: N forked sellers, one counter, a process-shared
  // weave::mutex (4 bytes, no owner; always process-shared futex calls).
  void ticket_office_with_weave_mutex() {
    if (skip_fork("ticket_office_with_weave_mutex")) return;
    run_office<weave::mutex>([](weave::mutex& m) { m.lock(); });
  }

  void ticket_office_with_robust_mutex() {
    if (skip_fork("ticket_office_with_robust_mutex")) return;
    run_office<weave::robust_mutex>([](weave::robust_mutex& m) {
      if (m.lock() != lock_status::acquired) _exit(7);
    });
  }

  // A child process is SIGKILLed while holding the robust mutex: the parent's
  // lock returns owner_dead within a second instead of hanging.
  void process_killed_holding_it() {
    if (skip_fork("process_killed_holding_it")) return;
    auto* o = shared_new<office<weave::robust_mutex>>();
    o->tickets = 10;
    const pid_t pid = fork_child([&] {
      if (o->lock.lock() != lock_status::acquired) return 2;
      o->tickets = 9;  // mid-update
      for (;;) pause();
    });
    while (!o->lock.is_locked()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::thread killer([pid] {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      kill(pid, SIGKILL);  // while the parent is parked in lock()
    });
    const auto t0 = clk::now();
    CPPUNIT_ASSERT_EQUAL(std::string("owner_dead"), std::string(weave::to_string(o->lock.lock())));
    CPPUNIT_ASSERT(clk::now() - t0 < std::chrono::milliseconds(150 + 1000));
    killer.join();
    CPPUNIT_ASSERT_EQUAL(9, o->tickets);
    o->lock.consistent();
    o->lock.unlock();
    CPPUNIT_ASSERT(o->lock.lock() == lock_status::acquired);
    o->lock.unlock();
    CPPUNIT_ASSERT_EQUAL(128 + SIGKILL, wait_child(pid, 10));
    shared_delete(o);
  }

 private:
  template <class Lock, class Acquire>
  void run_office(Acquire acquire) {
    constexpr int sellers = 4, available = 20000;
    auto* o = shared_new<office<Lock>>();
    o->tickets = available;
    std::vector<pid_t> pids;
    for (int s = 0; s < sellers; ++s) pids.push_back(fork_child([&, s] { return sell(o, s, acquire); }));
    for (pid_t p : pids) CPPUNIT_ASSERT_EQUAL(0, wait_child(p, 60));
    int total = 0;
    for (int s = 0; s < sellers; ++s) total += o->sold[s];
    CPPUNIT_ASSERT_EQUAL(available, total);  // exactly the available tickets, never more
    CPPUNIT_ASSERT_EQUAL(0, o->tickets);
    CPPUNIT_ASSERT_EQUAL(0, o->oversold);
    shared_delete(o);
  }
};
CPPUNIT_TEST_SUITE_REGISTRATION(robust_mutex_test);
