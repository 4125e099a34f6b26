// The bounded FIFO queue contract, written once and run against every queue
// that promises it (weave::fifo_queue in queue_test, weave::ring_queue in
// ring_queue_test): order, try_/timed/blocking statuses, close (drain and
// immediate) waking every blocked thread, task_done/join, move-only items, and
// a producers/consumers checksum. Q is an alias template: Q<int> q(capacity).
// Several cases follow CPython's Lib/test/test_queue.py (simple_queue_test,
// queue_join_test, the 3.13 shutdown tests).
#pragma once

#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "test_helpers.hpp"
#include "weave/error.hpp"
#include "weave/queue.hpp"

namespace weave::test::queue_contract {

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;
using weave::queue_status;

template <class Q>
std::vector<int> drain(Q& q) {
  std::vector<int> out;
  int v = 0;
  while (q.try_get(v) == queue_status::ok) out.push_back(v);
  return out;
}

template <template <class> class Q>
void fifo_order() {
  Q<int> q(3);
  for (int i = 1; i <= 3; ++i) CPPUNIT_ASSERT(q.put(i) == queue_status::ok);
  CPPUNIT_ASSERT((drain(q) == std::vector<int>{1, 2, 3}));
  for (int round = 0; round < 10; ++round) {  // wraps around a small store
    CPPUNIT_ASSERT(q.put(round) == queue_status::ok);
    int v = -1;
    CPPUNIT_ASSERT(q.get(v) == queue_status::ok && v == round);
  }
}

template <template <class> class Q>
void try_put_full_and_try_get_empty() {
  Q<int> q(2);
  int v = 7;
  CPPUNIT_ASSERT(q.try_get(v) == queue_status::empty);
  CPPUNIT_ASSERT_EQUAL(7, v);  // untouched
  CPPUNIT_ASSERT(q.try_put(1) == queue_status::ok);
  CPPUNIT_ASSERT(q.try_put(2) == queue_status::ok);
  CPPUNIT_ASSERT(q.try_put(3) == queue_status::full);
  CPPUNIT_ASSERT(q.full() && !q.empty() && q.size() == 2 && q.capacity() == 2);
  CPPUNIT_ASSERT_EQUAL(std::size_t{2}, q.unfinished_tasks());
  CPPUNIT_ASSERT((drain(q) == std::vector<int>{1, 2}));  // the refused item is not in
}

template <template <class> class Q>
void timed_forms_time_out() {
  Q<int> q(1);
  int v = 0;
  auto t0 = clk::now();
  CPPUNIT_ASSERT(q.get_for(v, 50ms) == queue_status::timeout);
  CPPUNIT_ASSERT(clk::now() - t0 >= 45ms && clk::now() - t0 < 2s);
  CPPUNIT_ASSERT(q.get_until(v, clk::now() - 1s) == queue_status::timeout);
  CPPUNIT_ASSERT(q.put(1) == queue_status::ok);
  t0 = clk::now();
  CPPUNIT_ASSERT(q.put_for(2, 50ms) == queue_status::timeout);
  CPPUNIT_ASSERT(clk::now() - t0 >= 45ms && clk::now() - t0 < 2s);
  CPPUNIT_ASSERT(q.put_until(2, clk::now() - 1s) == queue_status::timeout);
  CPPUNIT_ASSERT(q.get_until(v, clk::now() - 1s) == queue_status::ok && v == 1);  // there: no wait
}

template <template <class> class Q>
void blocked_get_and_put_wake() {
  Q<int> q(1);
  std::atomic<int> got{-1};
  std::thread c([&] {
    int v = 0;
    if (q.get(v) == queue_status::ok) got = v;
  });
  std::this_thread::sleep_for(20ms);
  CPPUNIT_ASSERT(q.put(42) == queue_status::ok);
  c.join();
  CPPUNIT_ASSERT_EQUAL(42, got.load());
  CPPUNIT_ASSERT(q.put(1) == queue_status::ok);
  std::atomic<bool> done{false};
  std::thread p([&] {
    CPPUNIT_ASSERT(q.put(2) == queue_status::ok);
    done = true;
  });
  std::this_thread::sleep_for(20ms);
  CPPUNIT_ASSERT(!done.load());
  int v = 0;
  CPPUNIT_ASSERT(q.get(v) == queue_status::ok && v == 1);
  p.join();
  CPPUNIT_ASSERT(q.get(v) == queue_status::ok && v == 2);
}

template <template <class> class Q>
void close_refuses_puts_and_drains() {
  Q<int> q(4);
  CPPUNIT_ASSERT(q.put(1) == queue_status::ok);
  CPPUNIT_ASSERT(q.put(2) == queue_status::ok);
  q.close();
  q.close();  // idempotent
  CPPUNIT_ASSERT(q.closed());
  CPPUNIT_ASSERT(q.put(3) == queue_status::closed);
  CPPUNIT_ASSERT(q.try_put(3) == queue_status::closed);
  CPPUNIT_ASSERT(q.put_for(3, 1ms) == queue_status::closed);
  int v = 0;
  CPPUNIT_ASSERT(q.get(v) == queue_status::ok && v == 1);
  CPPUNIT_ASSERT(q.get_for(v, 1ms) == queue_status::ok && v == 2);
  CPPUNIT_ASSERT(q.get(v) == queue_status::closed);
  CPPUNIT_ASSERT(q.try_get(v) == queue_status::closed);
  CPPUNIT_ASSERT(q.get_for(v, 1ms) == queue_status::closed);
  CPPUNIT_ASSERT(!q.get().has_value());
}

template <template <class> class Q>
void close_wakes_every_blocked_thread() {
  Q<int> consumers_q(1);
  Q<int> producers_q(1);
  CPPUNIT_ASSERT(producers_q.put(0) == queue_status::ok);
  std::atomic<int> closed_seen{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 3; ++i) {
    ts.emplace_back([&, i] {
      int v = 0;
      const queue_status s = (i == 0) ? consumers_q.get_for(v, 60s) : consumers_q.get(v);
      if (s == queue_status::closed) ++closed_seen;
    });
    ts.emplace_back([&, i] {
      const queue_status s = (i == 0) ? producers_q.put_for(i, 60s) : producers_q.put(i);
      if (s == queue_status::closed) ++closed_seen;
    });
  }
  std::this_thread::sleep_for(30ms);
  consumers_q.close();
  producers_q.close();
  for (auto& t : ts) t.join();
  CPPUNIT_ASSERT_EQUAL(6, closed_seen.load());
  CPPUNIT_ASSERT((drain(producers_q) == std::vector<int>{0}));  // put before close: still gettable
}

template <template <class> class Q>
void close_immediate_drops_and_unblocks_join() {
  Q<int> q(4);
  for (int i = 1; i <= 3; ++i) CPPUNIT_ASSERT(q.put(i) == queue_status::ok);
  int v = 0;
  CPPUNIT_ASSERT(q.get(v) == queue_status::ok);  // taken, not done: join still waits for it
  std::atomic<bool> joined{false};
  std::thread j([&] {
    q.join();
    joined = true;
  });
  std::this_thread::sleep_for(20ms);
  q.close(weave::close_mode::immediate);  // drops 2 and 3 (done)
  CPPUNIT_ASSERT(q.get(v) == queue_status::closed);
  CPPUNIT_ASSERT(q.empty());
  CPPUNIT_ASSERT_EQUAL(std::size_t{1}, q.unfinished_tasks());
  std::this_thread::sleep_for(20ms);
  CPPUNIT_ASSERT(!joined.load());
  q.task_done();
  j.join();
  CPPUNIT_ASSERT(joined.load());
}

template <template <class> class Q>
void task_done_and_join() {
  Q<int> q(8);
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&] {
      while (auto v = q.get()) {
        processed += *v;
        q.task_done();
      }
    });
  }
  int expect = 0;
  for (int i = 1; i <= 200; ++i) {
    CPPUNIT_ASSERT(q.put(i) == queue_status::ok);
    expect += i;
  }
  q.join();  // every item processed
  CPPUNIT_ASSERT_EQUAL(expect, processed.load());
  CPPUNIT_ASSERT_EQUAL(std::size_t{0}, q.unfinished_tasks());
  q.close();
  for (auto& t : workers) t.join();
}

template <template <class> class Q>
void task_done_past_zero_is_usage_error(const std::string& name) {
  Q<int> q(2);
  CPPUNIT_ASSERT(q.put(1) == queue_status::ok);
  q.task_done();
  try {
    q.task_done();
    CPPUNIT_FAIL("task_done past zero accepted");
  } catch (const weave::usage_error& e) {
    CPPUNIT_ASSERT_EQUAL(name + ": task_done() called more times than items were put", std::string(e.what()));
  }
  CPPUNIT_ASSERT_EQUAL(std::size_t{0}, q.unfinished_tasks());  // unchanged
  CPPUNIT_ASSERT(q.join_for(0ms));
  CPPUNIT_ASSERT(q.put(2) == queue_status::ok);
  const auto t0 = clk::now();
  CPPUNIT_ASSERT(!q.join_for(50ms));
  CPPUNIT_ASSERT(clk::now() - t0 >= 45ms);
}

template <template <class> class Q>
void move_only_items() {
  Q<std::unique_ptr<int>> q(2);
  CPPUNIT_ASSERT(q.put(std::make_unique<int>(1)) == queue_status::ok);
  auto p = std::make_unique<int>(2);
  CPPUNIT_ASSERT(q.try_put(std::move(p)) == queue_status::ok);
  auto p3 = std::make_unique<int>(3);
  CPPUNIT_ASSERT(q.try_put(std::move(p3)) == queue_status::full);
  CPPUNIT_ASSERT(p3 != nullptr && *p3 == 3);  // refused: not moved from
  std::unique_ptr<int> out;
  CPPUNIT_ASSERT(q.get(out) == queue_status::ok && *out == 1);
  auto o2 = q.get();
  CPPUNIT_ASSERT(o2 && **o2 == 2);
  CPPUNIT_ASSERT(q.put(std::make_unique<int>(4)) == queue_status::ok);  // destroyed with the queue
}

template <template <class> class Q>
void producers_consumers_checksum() {
  Q<long> q(2);
  constexpr int producers = 3, per = 2000;
  std::atomic<long> sum{0};
  std::atomic<int> count{0};
  std::vector<std::thread> cs;
  for (int c = 0; c < 2; ++c) {
    cs.emplace_back([&] {
      while (auto v = q.get()) {
        sum += *v;
        ++count;
      }
    });
  }
  std::vector<std::thread> ps;
  for (int p = 0; p < producers; ++p) {
    ps.emplace_back([&, p] {
      for (int i = 0; i < per; ++i) CPPUNIT_ASSERT(q.put(long{p} * per + i) == queue_status::ok);
    });
  }
  for (auto& t : ps) t.join();
  q.close();
  for (auto& t : cs) t.join();
  const long n = long{producers} * per;
  CPPUNIT_ASSERT_EQUAL(static_cast<int>(n), count.load());
  CPPUNIT_ASSERT_EQUAL(n * (n - 1) / 2, sum.load());
}

// get_until, put_until and join_until at the far end of a coarse clock wait
// for the item, the room, the task_done; at a past deadline they are one try.
template <template <class> class Q>
void until_at_the_ends_of_coarse_clocks() {
  using weave::test::tries_once;
  using weave::test::waits_until_released;
  weave::test::for_each_far_deadline([](const std::string& at, auto t) {
    Q<int> q(1);
    int v = 0;
    waits_until_released("get_until(" + at + ")", [&] { return q.get_until(v, t) == queue_status::ok; },
                         [&] { (void)q.put(1); });
    CPPUNIT_ASSERT_EQUAL(1, v);
    CPPUNIT_ASSERT(q.put(2) == queue_status::ok);
    waits_until_released("put_until(" + at + ")", [&] { return q.put_until(3, t) == queue_status::ok; },
                         [&] { (void)q.get(v); });
    waits_until_released("join_until(" + at + ")", [&] { return q.join_until(t); },
                         [&] {
                           q.task_done();  // 1
                           q.task_done();  // 2
                           (void)q.get(v);
                           q.task_done();  // 3
                         });
  });
  weave::test::for_each_past_deadline([](const std::string& at, auto t) {
    Q<int> q(1);
    int v = 0;
    tries_once("get_until(" + at + ")", [&] { return q.get_until(v, t) == queue_status::ok; },
               [&] { q.close(); });
    CPPUNIT_ASSERT(q.put(1) == queue_status::ok);
    tries_once("put_until(" + at + ")", [&] { return q.put_until(2, t) == queue_status::ok; },
               [&] { q.close(); });
    tries_once("join_until(" + at + ")", [&] { return q.join_until(t); }, [&] { q.close(weave::close_mode::immediate); });
    CPPUNIT_ASSERT(q.get_until(v, t) == queue_status::ok && v == 1);  // an item there is taken by the try
  });
}

}  // namespace weave::test::queue_contract

// Registers every contract case in the enclosing CPPUNIT_TEST_SUITE; the
// fixture defines contract_<case>() methods that call the templates above.
#define WEAVE_QUEUE_CONTRACT_TESTS()                             \
  CPPUNIT_TEST(contract_fifo_order);                             \
  CPPUNIT_TEST(contract_try_put_full_and_try_get_empty);         \
  CPPUNIT_TEST(contract_timed_forms_time_out);                   \
  CPPUNIT_TEST(contract_blocked_get_and_put_wake);               \
  CPPUNIT_TEST(contract_close_refuses_puts_and_drains);          \
  CPPUNIT_TEST(contract_close_wakes_every_blocked_thread);       \
  CPPUNIT_TEST(contract_close_immediate_drops_and_unblocks_join); \
  CPPUNIT_TEST(contract_task_done_and_join);                     \
  CPPUNIT_TEST(contract_task_done_past_zero_is_usage_error);     \
  CPPUNIT_TEST(contract_move_only_items);                        \
  CPPUNIT_TEST(contract_producers_consumers_checksum);           \
  CPPUNIT_TEST(contract_until_at_the_ends_of_coarse_clocks)

// The fixture's methods for the macro above, for queue alias template Q whose
// usage errors are named `name`.
#define WEAVE_QUEUE_CONTRACT_METHODS(Q, name)                                                                    \
  void contract_fifo_order() { weave::test::queue_contract::fifo_order<Q>(); }                                  \
  void contract_try_put_full_and_try_get_empty() {                                                            \
    weave::test::queue_contract::try_put_full_and_try_get_empty<Q>();                                           \
  }                                                                                                              \
  void contract_timed_forms_time_out() { weave::test::queue_contract::timed_forms_time_out<Q>(); }              \
  void contract_blocked_get_and_put_wake() { weave::test::queue_contract::blocked_get_and_put_wake<Q>(); }      \
  void contract_close_refuses_puts_and_drains() {                                                               \
    weave::test::queue_contract::close_refuses_puts_and_drains<Q>();                                            \
  }                                                                                                              \
  void contract_close_wakes_every_blocked_thread() {                                                            \
    weave::test::queue_contract::close_wakes_every_blocked_thread<Q>();                                         \
  }                                                                                                              \
  void contract_close_immediate_drops_and_unblocks_join() {                                                     \
    weave::test::queue_contract::close_immediate_drops_and_unblocks_join<Q>();                                  \
  }                                                                                                              \
  void contract_task_done_and_join() { weave::test::queue_contract::task_done_and_join<Q>(); }                  \
  void contract_task_done_past_zero_is_usage_error() {                                                          \
    weave::test::queue_contract::task_done_past_zero_is_usage_error<Q>(name);                                   \
  }                                                                                                              \
  void contract_move_only_items() { weave::test::queue_contract::move_only_items<Q>(); }                        \
  void contract_producers_consumers_checksum() { weave::test::queue_contract::producers_consumers_checksum<Q>(); } \
  void contract_until_at_the_ends_of_coarse_clocks() {                                                          \
    weave::test::queue_contract::until_at_the_ends_of_coarse_clocks<Q>();                                       \
  }
