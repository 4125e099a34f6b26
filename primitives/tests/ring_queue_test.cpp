// weave::ring_queue on hardware: the bounded FIFO contract it shares with
// weave::fifo_queue (queue_contract.hpp), then what is its own: the capacity
// limits, capacity 1 under two producers and two consumers (every hand-off
// goes through the semaphores and the ring's single slot), and close racing
// traffic (no item lost or duplicated, no thread left blocked).
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "queue_contract.hpp"
#include "test_helpers.hpp"
#include "weave/ring_queue.hpp"

namespace {
using weave::queue_status;
using weave::test::usage_message;
}  // namespace

class ring_queue_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(ring_queue_test);
  WEAVE_QUEUE_CONTRACT_TESTS();
  CPPUNIT_TEST(capacity_limits_are_usage_errors);
  CPPUNIT_TEST(capacity_one_two_by_two);
  CPPUNIT_TEST(close_racing_traffic_loses_nothing);
  CPPUNIT_TEST_SUITE_END();

 public:
  WEAVE_QUEUE_CONTRACT_METHODS(weave::ring_queue, "weave::ring_queue")

  void capacity_limits_are_usage_errors() {
    CPPUNIT_ASSERT_EQUAL(std::string("weave::ring_queue: capacity must be at least 1"),
                         usage_message([] { weave::ring_queue<int> q(0); }));
    CPPUNIT_ASSERT_EQUAL(std::string("weave::ring_queue: capacity above max_capacity"),
                         usage_message([] { weave::ring_queue<int> q(weave::ring_queue<int>::max_capacity + 1); }));
  }

  void capacity_one_two_by_two() {
    weave::ring_queue<long> q(1);
    constexpr int per = 5000;
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
    for (int p = 0; p < 2; ++p) {
      ps.emplace_back([&, p] {
        for (int i = 0; i < per; ++i) CPPUNIT_ASSERT(q.put(long{p} * per + i) == queue_status::ok);
      });
    }
    for (auto& t : ps) t.join();
    q.close();
    for (auto& t : ts) t.join();
    const long n = 2L * per;
    CPPUNIT_ASSERT_EQUAL(static_cast<int>(n), count.load());
    CPPUNIT_ASSERT_EQUAL(n * (n - 1) / 2, sum.load());
  }

  void close_racing_traffic_loses_nothing() {
    for (int round = 0; round < 20; ++round) {
      weave::ring_queue<int> q(2);
      std::atomic<long> put_sum{0}, got_sum{0};
      std::atomic<bool> stop{false};
      std::vector<std::thread> ts;
      for (int p = 0; p < 2; ++p) {
        ts.emplace_back([&, p] {
          for (int i = 1; !stop.load(); ++i) {
            const int v = i * 2 + p;
            const queue_status s = q.put(v);
            if (s == queue_status::closed) return;
            CPPUNIT_ASSERT(s == queue_status::ok);
            put_sum += v;
          }
        });
      }
      for (int c = 0; c < 2; ++c) {
        ts.emplace_back([&] {
          while (auto v = q.get()) got_sum += *v;
        });
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      q.close();  // drain: every item put is got
      stop = true;
      for (auto& t : ts) t.join();
      CPPUNIT_ASSERT_EQUAL(put_sum.load(), got_sum.load());
    }
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ring_queue_test);
