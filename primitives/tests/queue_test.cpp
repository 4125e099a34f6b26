// weave's blocking queues on hardware: the bounded FIFO contract
// (queue_contract.hpp: statuses, close, task_done/join, move-only items) on
// weave::fifo_queue, then what only queue.hpp promises: the LIFO and priority
// orders (stable among equals, custom comparator), unbounded queues, and
// throwing copies and moves that must leave the queue consistent and the item
// not lost. Timed waits are asserted with generous margins.
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "queue_contract.hpp"
#include "weave/error.hpp"
#include "weave/queue.hpp"

namespace {
using clk = std::chrono::steady_clock;
using namespace std::chrono_literals;
using weave::queue_status;
using weave::test::queue_contract::drain;

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
  WEAVE_QUEUE_CONTRACT_TESTS();
  CPPUNIT_TEST(lifo_order);
  CPPUNIT_TEST(priority_smallest_first);
  CPPUNIT_TEST(priority_stable_among_equals);
  CPPUNIT_TEST(priority_custom_comparator);
  CPPUNIT_TEST(capacity_zero_is_usage_error);
  CPPUNIT_TEST(unbounded_takes_many);
  CPPUNIT_TEST(snapshots);
  CPPUNIT_TEST(close_immediate_drops_items);
  CPPUNIT_TEST(optional_get_ends_with_nullopt);
  CPPUNIT_TEST(move_only_items_priority);
  CPPUNIT_TEST(throwing_copy_on_put_keeps_queue);
  CPPUNIT_TEST(throwing_move_on_get_keeps_item);
  CPPUNIT_TEST(throwing_move_priority_keeps_heap);
  CPPUNIT_TEST(status_names);
  CPPUNIT_TEST_SUITE_END();

 public:
  WEAVE_QUEUE_CONTRACT_METHODS(weave::fifo_queue, "weave::fifo_queue")

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

  void optional_get_ends_with_nullopt() {
    weave::fifo_queue<std::string> q;
    CPPUNIT_ASSERT(q.put("a") == queue_status::ok);
    q.close();
    auto a = q.get();
    CPPUNIT_ASSERT(a.has_value() && *a == "a");
    CPPUNIT_ASSERT(!q.get().has_value());
  }

  void move_only_items_priority() {
    using ptr = std::unique_ptr<int>;
    weave::priority_queue<ptr, std::function<bool(const ptr&, const ptr&)>> pq(
        4, [](const ptr& a, const ptr& b) { return *a < *b; });
    CPPUNIT_ASSERT(pq.put(std::make_unique<int>(9)) == queue_status::ok);
    CPPUNIT_ASSERT(pq.put(std::make_unique<int>(4)) == queue_status::ok);
    ptr out;
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

  void status_names() {
    CPPUNIT_ASSERT_EQUAL(std::string("closed"), std::string(weave::to_string(queue_status::closed)));
    CPPUNIT_ASSERT_EQUAL(std::string("full"), std::string(weave::to_string(queue_status::full)));
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(queue_test);
