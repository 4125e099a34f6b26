// Process-shared use (DESIGN §4): a semaphore, an event and a queue
// (weave::shared_ring_queue) placed in an anonymous MAP_SHARED mapping and used
// from forked children. The child parks first, so the parent's release()/set() must wake a
// sleeper in another process: a process-private futex would leave it asleep
// until its 10 s deadline and the test would fail. weave::mutex has its own
// cross-process tests (mutex_test, robust_mutex_test: the ticket office).
#include <cppunit/extensions/HelperMacros.h>
#include <sys/mman.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <new>
#include <thread>

#include "fork_helpers.hpp"
#include "test_helpers.hpp"
#include "weave/event.hpp"
#include "weave/ring_queue.hpp"
#include "weave/semaphore.hpp"

namespace {
using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;
using weave::test::skip_note;

// An anonymous shared mapping holding one T, unmapped at scope exit.
template <class T>
struct shared_object {
  void* mem = mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  T* obj = nullptr;
  template <class... A>
  explicit shared_object(A&&... a) {
    CPPUNIT_ASSERT_MESSAGE("mmap failed", mem != MAP_FAILED);
    obj = new (mem) T(static_cast<A&&>(a)...);
  }
  ~shared_object() {
    obj->~T();
    munmap(mem, sizeof(T));
  }
  shared_object(const shared_object&) = delete;
  shared_object& operator=(const shared_object&) = delete;
};

struct sem_pair {
  weave::counting_semaphore items{0};
  weave::counting_semaphore acks{0};
};
struct event_pair {
  weave::event ping;
  weave::event pong;
  std::uint64_t payload = 0;  // written before ping.set(), read after ping.wait()
};
}  // namespace

class shared_memory_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(shared_memory_test);
  CPPUNIT_TEST(semaphore_wakes_a_sleeper_in_another_process);
  CPPUNIT_TEST(event_wakes_a_sleeper_in_another_process);
  CPPUNIT_TEST(queue_between_processes);
  CPPUNIT_TEST_SUITE_END();

 public:
  void semaphore_wakes_a_sleeper_in_another_process() {
    if (weave::tsan_build) return skip_note("semaphore_wakes_a_sleeper_in_another_process", weave::test::fork_under_tsan);
    shared_object<sem_pair> s;
    constexpr int rounds = 200;
    const pid_t child = weave::test::fork_child([&]() -> int {
      for (int i = 0; i < rounds; ++i) {
        if (!s.obj->items.try_acquire_for(10s)) return 1;  // a lost cross-process wake-up
        s.obj->acks.release();
      }
      return 0;
    });
    CPPUNIT_ASSERT(child > 0);
    std::this_thread::sleep_for(30ms);  // let the child park on the first acquire
    const auto t0 = clk::now();
    bool acked = true;
    for (int i = 0; i < rounds && acked; ++i) {
      s.obj->items.release();
      acked = s.obj->acks.try_acquire_for(10s);
    }
    CPPUNIT_ASSERT_EQUAL(0, weave::test::wait_child(child, 20));
    CPPUNIT_ASSERT(acked);
    CPPUNIT_ASSERT(clk::now() - t0 < 5s);  // no round waited for its 10 s deadline
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t{0}, s.obj->items.available());
  }

  void event_wakes_a_sleeper_in_another_process() {
    if (weave::tsan_build) return skip_note("event_wakes_a_sleeper_in_another_process", weave::test::fork_under_tsan);
    shared_object<event_pair> s;
    const pid_t child = weave::test::fork_child([&]() -> int {
      if (!s.obj->ping.wait_for(10s)) return 1;  // a lost cross-process wake-up
      if (s.obj->payload != 0x5eed) return 2;    // set() published the payload
      s.obj->pong.set();
      return 0;
    });
    CPPUNIT_ASSERT(child > 0);
    std::this_thread::sleep_for(30ms);  // let the child park
    s.obj->payload = 0x5eed;
    const auto t0 = clk::now();
    s.obj->ping.set();
    CPPUNIT_ASSERT(s.obj->pong.wait_for(10s));
    // A sleeper the set() did not wake would still return true at its 10 s
    // deadline (it looks once more): the time tells a wake from a deadline.
    CPPUNIT_ASSERT(clk::now() - t0 < 5s);
    CPPUNIT_ASSERT_EQUAL(0, weave::test::wait_child(child, 20));
  }

  // Two forked producers put numbered items into a shared_ring_queue of
  // capacity 4 (so both sides block and wake each other across processes); the
  // parent gets them all: every item once, each producer's in order, then
  // closed (the parent closes the queue once both producers say they are done).
  void queue_between_processes() {
    if (weave::tsan_build) return skip_note("queue_between_processes", weave::test::fork_under_tsan);
    struct shared {
      weave::shared_ring_queue<std::uint64_t, 4> q;
      weave::counting_semaphore finished{0};
    };
    shared_object<shared> s;
    constexpr std::uint64_t per = 20000;
    pid_t kids[2];
    for (std::uint64_t p = 0; p < 2; ++p) {
      kids[p] = weave::test::fork_child([&, p]() -> int {
        for (std::uint64_t i = 0; i < per; ++i) {
          if (s.obj->q.put(p << 32 | i) != weave::queue_status::ok) return 1;
        }
        s.obj->finished.release();
        return 0;
      });
      CPPUNIT_ASSERT(kids[p] > 0);
    }
    std::thread closer([&] {
      // The queue closes once both producers are done; the parent drains.
      for (int k = 0; k < 2; ++k) (void)s.obj->finished.try_acquire_for(30s);
      s.obj->q.close();
    });
    std::uint64_t next[2] = {0, 0};
    std::uint64_t got = 0;
    bool in_order = true;
    while (auto v = s.obj->q.get()) {
      const std::uint64_t p = *v >> 32, i = *v & 0xffffffffu;
      if (p > 1 || i != next[p]) in_order = false;
      if (p <= 1) next[p] = i + 1;
      ++got;
    }
    closer.join();
    CPPUNIT_ASSERT_EQUAL(0, weave::test::wait_child(kids[0], 30));
    CPPUNIT_ASSERT_EQUAL(0, weave::test::wait_child(kids[1], 30));
    CPPUNIT_ASSERT(in_order);
    CPPUNIT_ASSERT_EQUAL(2 * per, got);
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(shared_memory_test);
