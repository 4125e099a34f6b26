// weave's blocking queues on hardware: the three orders (FIFO, LIFO, priority
// stable among equals, custom comparator), bounded and unbounded, try_/timed/
// blocking forms and their statuses, close (drain and immediate) waking every
// blocked thread, task_done/join, move-only items, and throwing copies and
// moves that must leave the queue consistent and the item not lost. Timed
// waits are asserted with generous margins. Several cases follow CPython's
// Lib/test/test_queue.py (BaseQueueTestMixin: simple_queue_test,
// queue_join_test, test_shrinking_queue; the 3.13 shutdown tests).
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "weave/error.hpp"
#include "weave/queue.hpp"

namespace {
using clk = std::chrono::steady_clock;
using namespace std::chrono_literals;
using weave::queue_status;

template <class Q>
std::vector<int> drain(Q& q) {
  std::vector<int> out;
  int v = 0;
  while (q.try_get(v) == queue_status::ok) out.push_back(v);
  return out;
}

// A value whose copy throws on demand (and counts live instances).
struct fragile {
  static inline bool throw_on_copy = false;
  static inline bool throw_on_move = false;
  int v = 0;
  fragile() = default;
  explicit fragile(int x) : v(x) {}
  fragile(const fragile& o) : v(o.v) {
    if (throw_on_copy) throw std::runtime_error("copy");
  }
  fragile(fragile&& o) : v(o.v) {
    if (throw_on_move) throw std::runtime_error("move");
  }
  fragile& operator=(const fragile& o) {
    if (throw_on_copy) throw std::runtime_error("copy");
    v = o.v;
    return *this;
  }
  fragile& operator=(fragile&& o) {
    if (throw_on_move) throw std::runtime_error("move");
    v = o.v;
    return *this;
  }
  bool operator<(const fragile& o) const { return v < o.v; }
};

struct item {
  int prio;
  int tag;
};
struct by_prio {
  bool operator()(const item& a, const item& b) const { return a.prio < b.prio; }
};
}  // namespace

class queue_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(queue_test);
  CPPUNIT_TEST(fifo_order);
  CPPUNIT_TEST(lifo_order);
  CPPUNIT_TEST(priority_smallest_first);
  CPPUNIT_TEST(priority_stable_among_equals);
  CPPUNIT_TEST(priority_custom_comparator);
  CPPUNIT_TEST(bounded_try_put_reports_full);
  CPPUNIT_TEST(try_get_reports_empty);
  CPPUNIT_TEST(capacity_zero_is_usage_error);
  CPPUNIT_TEST(unbounded_takes_many);
  CPPUNIT_TEST(snapshots);
  CPPUNIT_TEST(timed_get_times_out);
  CPPUNIT_TEST(timed_put_times_out);
  CPPUNIT_TEST(timed_get_until_in_the_past);
  CPPUNIT_TEST(blocked_get_wakes_on_put);
  CPPUNIT_TEST(blocked_put_wakes_on_get);
  CPPUNIT_TEST(close_refuses_puts_and_drains);
  CPPUNIT_TEST(close_wakes_every_blocked_consumer);
  CPPUNIT_TEST(close_wakes_every_blocked_producer);
  CPPUNIT_TEST(close_immediate_drops_items);
  CPPUNIT_TEST(close_immediate_unblocks_join);
  CPPUNIT_TEST(optional_get_ends_with_nullopt);
  CPPUNIT_TEST(task_done_and_join);
  CPPUNIT_TEST(task_done_past_zero_is_usage_error);
  CPPUNIT_TEST(join_for_times_out);
  CPPUNIT_TEST(move_only_items);
  CPPUNIT_TEST(throwing_copy_on_put_keeps_queue);
  CPPUNIT_TEST(throwing_move_on_get_keeps_item);
  CPPUNIT_TEST(throwing_move_priority_keeps_heap);
  CPPUNIT_TEST(producers_consumers_checksum);
  CPPUNIT_TEST(status_names);
  CPPUNIT_TEST_SUITE_END();

 public:
  void fifo_order() {
    weave::fifo_queue<int> q(3);
    for (int i = 1; i <= 3; ++i) CPPUNIT_ASSERT(q.put(i) == queue_status::ok);
    CPPUNIT_ASSERT((drain(q) == std::vector<int>{1, 2, 3}));
  }

  void lifo_order() {
    weave::lifo_queue<int> q;
    for (int i = 1; i <= 3; ++i) CPPUNIT_ASSERT(q.put(i) == queue_status::ok);
    CPPUNIT_ASSERT((drain(q) == std::vector<int>{3, 2, 1}));
  }

  void priority_smallest_first() {
    weave::priority_queue<int> q;
    for (int v : {5, 1, 4, 2, 3}) CPPUNIT_ASSERT(q.put(v) == queue_status::ok);
    CPPUNIT_ASSERT((drain(q) == std::vector<int>{1, 2, 3, 4, 5}));
  }

  void priority_stable_among_equals() {
    weave::priority_queue<item, by_prio> q;
    const item in[] = {{2, 0}, {1, 1}, {2, 2}, {1, 3}, {2, 4}, {1, 5}};
    for (const item& i : in) CPPUNIT_ASSERT(q.put(i) == queue_status::ok);
    std::vector<int> tags;
    item out{};
    while (q.try_get(out) == queue_status::ok) tags.push_back(out.tag);
    CPPUNIT_ASSERT((tags == std::vector<int>{1, 3, 5, 0, 2, 4}));
  }

  void priority_custom_comparator() {
    weave::priority_queue<int, std::greater<int>> q(8, std::greater<int>());
    for (int v : {5, 1, 4}) CPPUNIT_ASSERT(q.put(v) == queue_status::ok);
    CPPUNIT_ASSERT((drain(q) == std::vector<int>{5, 4, 1}));
  }

  void bounded_try_put_reports_full() {
    weave::fifo_queue<int> q(2);
    CPPUNIT_ASSERT(q.try_put(1) == queue_status::ok);
    CPPUNIT_ASSERT(q.try_put(2) == queue_status::ok);
    CPPUNIT_ASSERT(q.try_put(3) == queue_status::full);
    CPPUNIT_ASSERT(q.full());
    CPPUNIT_ASSERT((drain(q) == std::vector<int>{1, 2}));  // the refused item is not in
  }

  void try_get_reports_empty() {
    weave::lifo_queue<int> q(1);
    int v = 7;
    CPPUNIT_ASSERT(q.try_get(v) == queue_status::empty);
    CPPUNIT_ASSERT_EQUAL(7, v);  // untouched
  }

  void capacity_zero_is_usage_error() {
    try {
      weave::fifo_queue<int> q(0);
      CPPUNIT_FAIL("capacity 0 accepted");
    } catch (const weave::usage_error& e) {
      CPPUNIT_ASSERT(std::string(e.what()).find("weave::fifo_queue: capacity") == 0);
    }
    CPPUNIT_ASSERT_THROW(weave::priority_queue<int> q(0), weave::usage_error);
  }

  void unbounded_takes_many() {
    weave::fifo_queue<int> q;
    CPPUNIT_ASSERT(q.capacity() == weave::unbounded);
    for (int i = 0; i < 10000; ++i) CPPUNIT_ASSERT(q.try_put(i) == queue_status::ok);
    CPPUNIT_ASSERT_EQUAL(std::size_t{10000}, q.size());
    CPPUNIT_ASSERT(!q.full());
  }

  void snapshots() {
    weave::fifo_queue<int> q(2);
    CPPUNIT_ASSERT(q.empty() && !q.full() && q.size() == 0);
    CPPUNIT_ASSERT(q.put(1) == queue_status::ok);
    CPPUNIT_ASSERT(!q.empty() && !q.full() && q.size() == 1);
    CPPUNIT_ASSERT_EQUAL(std::size_t{1}, q.unfinished_tasks());
    CPPUNIT_ASSERT(!q.closed());
  }

  void timed_get_times_out() {
    weave::fifo_queue<int> q(1);
    int v = 0;
    const auto t0 = clk::now();
    CPPUNIT_ASSERT(q.get_for(v, 50ms) == queue_status::timeout);
    const auto took = clk::now() - t0;
    CPPUNIT_ASSERT(took >= 45ms);
    CPPUNIT_ASSERT(took < 2s);
  }

  void timed_put_times_out() {
    weave::fifo_queue<int> q(1);
    CPPUNIT_ASSERT(q.put(1) == queue_status::ok);
    const auto t0 = clk::now();
    CPPUNIT_ASSERT(q.put_for(2, 50ms) == queue_status::timeout);
    const auto took = clk::now() - t0;
    CPPUNIT_ASSERT(took >= 45ms);
    CPPUNIT_ASSERT(took < 2s);
    CPPUNIT_ASSERT((drain(q) == std::vector<int>{1}));
  }

  void timed_get_until_in_the_past() {
    weave::fifo_queue<int> q;
    int v = 0;
    CPPUNIT_ASSERT(q.get_until(v, clk::now() - 1s) == queue_status::timeout);
    CPPUNIT_ASSERT(q.put(3) == queue_status::ok);
    CPPUNIT_ASSERT(q.get_until(v, clk::now() - 1s) == queue_status::ok);  // an item there: no wait needed
    CPPUNIT_ASSERT_EQUAL(3, v);
  }

  void blocked_get_wakes_on_put() {
    weave::fifo_queue<int> q(1);
    std::atomic<int> got{-1};
    std::thread c([&] {
      int v = 0;
      if (q.get(v) == queue_status::ok) got = v;
    });
    std::this_thread::sleep_for(20ms);
    CPPUNIT_ASSERT(q.put(42) == queue_status::ok);
    c.join();
    CPPUNIT_ASSERT_EQUAL(42, got.load());
  }

  void blocked_put_wakes_on_get() {
    weave::fifo_queue<int> q(1);
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

  void close_refuses_puts_and_drains() {
    weave::fifo_queue<int> q(4);
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
  }

  void close_wakes_every_blocked_consumer() {
    weave::fifo_queue<int> q(1);
    std::atomic<int> closed_seen{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 3; ++i) {
      ts.emplace_back([&, i] {
        int v = 0;
        const queue_status s = (i == 0) ? q.get_for(v, 60s) : q.get(v);
        if (s == queue_status::closed) ++closed_seen;
      });
    }
    std::this_thread::sleep_for(30ms);
    q.close();
    for (auto& t : ts) t.join();
    CPPUNIT_ASSERT_EQUAL(3, closed_seen.load());
  }

  void close_wakes_every_blocked_producer() {
    weave::fifo_queue<int> q(1);
    CPPUNIT_ASSERT(q.put(0) == queue_status::ok);
    std::atomic<int> closed_seen{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 3; ++i) {
      ts.emplace_back([&, i] {
        const queue_status s = (i == 0) ? q.put_for(i, 60s) : q.put(i);
        if (s == queue_status::closed) ++closed_seen;
      });
    }
    std::this_thread::sleep_for(30ms);
    q.close();
    for (auto& t : ts) t.join();
    CPPUNIT_ASSERT_EQUAL(3, closed_seen.load());
    CPPUNIT_ASSERT((drain(q) == std::vector<int>{0}));  // the item before close stays gettable
  }

  void close_immediate_drops_items() {
    weave::lifo_queue<int> q;
    CPPUNIT_ASSERT(q.put(1) == queue_status::ok);
    CPPUNIT_ASSERT(q.put(2) == queue_status::ok);
    q.close(weave::close_mode::immediate);
    int v = 0;
    CPPUNIT_ASSERT(q.get(v) == queue_status::closed);
    CPPUNIT_ASSERT(q.empty());
    CPPUNIT_ASSERT_EQUAL(std::size_t{0}, q.unfinished_tasks());
  }

  void close_immediate_unblocks_join() {
    weave::fifo_queue<int> q;
    CPPUNIT_ASSERT(q.put(1) == queue_status::ok);
    CPPUNIT_ASSERT(q.put(2) == queue_status::ok);
    int v = 0;
    CPPUNIT_ASSERT(q.get(v) == queue_status::ok);  // taken but not done: join must still wait for it
    std::atomic<bool> joined{false};
    std::thread j([&] {
      q.join();
      joined = true;
    });
    std::this_thread::sleep_for(20ms);
    q.close(weave::close_mode::immediate);  // drops item 2 (done), item 1 still unfinished
    std::this_thread::sleep_for(20ms);
    CPPUNIT_ASSERT(!joined.load());
    q.task_done();
    j.join();
    CPPUNIT_ASSERT(joined.load());
  }

  void optional_get_ends_with_nullopt() {
    weave::fifo_queue<std::string> q;
    CPPUNIT_ASSERT(q.put("a") == queue_status::ok);
    q.close();
    auto a = q.get();
    CPPUNIT_ASSERT(a.has_value() && *a == "a");
    CPPUNIT_ASSERT(!q.get().has_value());
  }

  void task_done_and_join() {
    weave::fifo_queue<int> q;
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
    for (int i = 1; i <= 100; ++i) {
      CPPUNIT_ASSERT(q.put(i) == queue_status::ok);
      expect += i;
    }
    q.join();  // every item processed
    CPPUNIT_ASSERT_EQUAL(expect, processed.load());
    CPPUNIT_ASSERT_EQUAL(std::size_t{0}, q.unfinished_tasks());
    q.close();
    for (auto& t : workers) t.join();
  }

  void task_done_past_zero_is_usage_error() {
    weave::fifo_queue<int> q;
    CPPUNIT_ASSERT(q.put(1) == queue_status::ok);
    q.task_done();
    try {
      q.task_done();
      CPPUNIT_FAIL("task_done past zero accepted");
    } catch (const weave::usage_error& e) {
      CPPUNIT_ASSERT(std::string(e.what()).find("weave::fifo_queue: task_done") == 0);
    }
    CPPUNIT_ASSERT_EQUAL(std::size_t{0}, q.unfinished_tasks());  // unchanged
    CPPUNIT_ASSERT(q.join_for(0ms));
  }

  void join_for_times_out() {
    weave::fifo_queue<int> q;
    CPPUNIT_ASSERT(q.put(1) == queue_status::ok);
    const auto t0 = clk::now();
    CPPUNIT_ASSERT(!q.join_for(50ms));
    CPPUNIT_ASSERT(clk::now() - t0 >= 45ms);
  }

  void move_only_items() {
    weave::fifo_queue<std::unique_ptr<int>> q(2);
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
    weave::priority_queue<std::unique_ptr<int>, std::function<bool(const std::unique_ptr<int>&, const std::unique_ptr<int>&)>>
        pq(4, [](const std::unique_ptr<int>& a, const std::unique_ptr<int>& b) { return *a < *b; });
    CPPUNIT_ASSERT(pq.put(std::make_unique<int>(9)) == queue_status::ok);
    CPPUNIT_ASSERT(pq.put(std::make_unique<int>(4)) == queue_status::ok);
    CPPUNIT_ASSERT(pq.get(out) == queue_status::ok && *out == 4);
  }

  void throwing_copy_on_put_keeps_queue() {
    weave::fifo_queue<fragile> q(4);
    CPPUNIT_ASSERT(q.put(fragile(1)) == queue_status::ok);
    fragile two(2);
    fragile::throw_on_copy = true;
    CPPUNIT_ASSERT_THROW((void)q.put(two), std::runtime_error);
    fragile::throw_on_copy = false;
    CPPUNIT_ASSERT_EQUAL(std::size_t{1}, q.size());
    CPPUNIT_ASSERT_EQUAL(std::size_t{1}, q.unfinished_tasks());
    CPPUNIT_ASSERT_EQUAL(2, two.v);  // the caller still has it
    CPPUNIT_ASSERT(q.put(two) == queue_status::ok);  // the queue still works (lock released)
    fragile out;
    CPPUNIT_ASSERT(q.get(out) == queue_status::ok && out.v == 1);
    CPPUNIT_ASSERT(q.get(out) == queue_status::ok && out.v == 2);
  }

  void throwing_move_on_get_keeps_item() {
    weave::lifo_queue<fragile> q;
    CPPUNIT_ASSERT(q.put(fragile(1)) == queue_status::ok);
    CPPUNIT_ASSERT(q.put(fragile(2)) == queue_status::ok);
    fragile out;
    fragile::throw_on_move = true;
    CPPUNIT_ASSERT_THROW((void)q.get(out), std::runtime_error);
    CPPUNIT_ASSERT_THROW((void)q.get(), std::runtime_error);
    fragile::throw_on_move = false;
    CPPUNIT_ASSERT_EQUAL(std::size_t{2}, q.size());  // nothing lost
    CPPUNIT_ASSERT(q.get(out) == queue_status::ok && out.v == 2);
    CPPUNIT_ASSERT(q.get(out) == queue_status::ok && out.v == 1);
  }

  void throwing_move_priority_keeps_heap() {
    weave::priority_queue<fragile> q;
    for (int v : {3, 1, 2}) CPPUNIT_ASSERT(q.put(fragile(v)) == queue_status::ok);
    fragile::throw_on_move = true;
    CPPUNIT_ASSERT_THROW((void)q.put(fragile(0)), std::runtime_error);
    fragile out;
    CPPUNIT_ASSERT_THROW((void)q.get(out), std::runtime_error);
    fragile::throw_on_move = false;
    std::vector<int> got;
    while (q.try_get(out) == queue_status::ok) got.push_back(out.v);
    CPPUNIT_ASSERT((got == std::vector<int>{1, 2, 3}));
  }

  void producers_consumers_checksum() {
    weave::fifo_queue<long> q(2);
    constexpr int producers = 3, per = 2000;
    std::atomic<long> sum{0};
    std::atomic<int> count{0};
    std::vector<std::thread> ts;
    for (int c = 0; c < 2; ++c) {
      ts.emplace_back([&] {
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
    for (auto& t : ts) t.join();
    const long n = long{producers} * per;
    CPPUNIT_ASSERT_EQUAL(static_cast<int>(n), count.load());
    CPPUNIT_ASSERT_EQUAL(n * (n - 1) / 2, sum.load());
  }

  void status_names() {
    CPPUNIT_ASSERT_EQUAL(std::string("closed"), std::string(weave::to_string(queue_status::closed)));
    CPPUNIT_ASSERT_EQUAL(std::string("full"), std::string(weave::to_string(queue_status::full)));
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(queue_test);
