// Handing work between threads with weave's primitives, as a course teaches
// it: a critical section shared by three threads, a semaphore that lets two in
// at a time, and a queue whose consumers end when the producer says so (a
// sentinel, or close()). Each fixed lesson has a buggy twin. Primitives are
// opaque here (one step per call), so each search is small and exhaustive.
#include "weave/model.hpp"
#include "weave/mutex.hpp"
#include "weave/queue.hpp"
#include "weave/semaphore.hpp"

namespace {
using weave::model::thread;
template <class T>
using atomic = weave::model_sync::atomic<T>;
template <class T>
using cell = weave::model_sync::cell<T>;
constexpr auto rlx = std::memory_order_relaxed;

void three_depositors(bool locked) {
  weave::model::mutex lock{"lock"};
  cell<int> balance{0, "balance"};
  auto deposit = [&] {
    if (locked) lock.lock();
    balance.write() += 10;
    if (locked) lock.unlock();
  };
  thread a{"Ann", deposit}, b{"Bob", deposit}, c{"Cy", deposit};
  a.join();
  b.join();
  c.join();
  WEAVE_CHECK(balance.read() == 30);
}

// At most `limit` threads inside; the semaphore starts with `permits`.
void guarded_room(std::ptrdiff_t permits, int limit) {
  weave::model::bounded_semaphore room{permits, "room"};
  atomic<int> inside{0, "inside"};
  auto visit = [&] {
    room.acquire();
    WEAVE_CHECK(inside.fetch_add(1, rlx) + 1 <= limit);
    inside.fetch_sub(1, rlx);
    room.release();
  };
  thread a{"Ann", visit}, b{"Bob", visit}, c{"Cy", visit};
  a.join();
  b.join();
  c.join();
}

// A producer of 1 and 2 and two consumers; the producer ends them with close()
// (or forgets to).
void producer_two_consumers(bool close) {
  weave::model::fifo_queue<int> q{1, "q"};
  int got[2] = {0, 0};
  thread producer{"producer", [&] {
    (void)q.put(1);
    (void)q.put(2);
    if (close) q.close();
  }};
  auto consume = [&](int me) {
    while (auto item = q.get()) got[me] += *item;
  };
  thread c1{"consumer1", [&] { consume(0); }}, c2{"consumer2", [&] { consume(1); }};
  producer.join();
  c1.join();
  c2.join();
  WEAVE_CHECK(got[0] + got[1] == 3);
}

// One consumer ended by a sentinel (-1), which the producer may forget.
void sentinel(bool send_it) {
  weave::model::fifo_queue<int> q{2, "q"};
  int sum = 0;
  thread consumer{"consumer", [&] {
    for (;;) {
      const int item = *q.get();
      if (item == -1) break;
      sum += item;
    }
  }};
  (void)q.put(1);
  (void)q.put(2);
  if (send_it) (void)q.put(-1);
  consumer.join();
  WEAVE_CHECK(sum == 3);
}
}  // namespace

WEAVE_MODEL_CHECK(classic_three_depositors_locked, pass) { three_depositors(true); }
WEAVE_MODEL_CHECK(classic_three_depositors_twin_unlocked, data_race) { three_depositors(false); }
WEAVE_MODEL_CHECK(classic_semaphore_two_in_the_room, pass) { guarded_room(2, 2); }
WEAVE_MODEL_CHECK(classic_semaphore_twin_three_permits, check_failed) { guarded_room(3, 2); }
WEAVE_MODEL_CHECK(classic_queue_close_ends_two_consumers, pass) { producer_two_consumers(true); }
WEAVE_MODEL_CHECK(classic_queue_twin_close_forgotten, deadlock) { producer_two_consumers(false); }
WEAVE_MODEL_CHECK(classic_queue_sentinel_ends_consumer, pass) { sentinel(true); }
WEAVE_MODEL_CHECK(classic_queue_twin_sentinel_forgotten, deadlock) { sentinel(false); }
