// weave::mpmc_ring on hardware: capacity 1 (where Vyukov's original sequence
// step would let a producer overwrite an unread item), power-of-two and other
// capacities, full and empty, many wrap-arounds, FIFO order, move-only items,
// items left inside destroyed by the destructor, throwing constructors and
// move assignments that leave the ring consistent, capacity 0 rejected, and
// 2 producers x 2 consumers with per-producer order and a checksum.
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ring_contract.hpp"
#include "weave/error.hpp"
#include "weave/mpmc_ring.hpp"

namespace {

// Counts live instances, to see what the ring constructs and destroys.
struct counted {
  static inline int live = 0;
  int v;
  explicit counted(int x) : v(x) { ++live; }
  counted(const counted& o) : v(o.v) { ++live; }
  counted(counted&& o) noexcept : v(o.v) { ++live; }
  counted& operator=(counted&& o) {
    if (o.v < 0) throw std::runtime_error("counted: assignment refused");
    v = o.v;
    return *this;
  }
  ~counted() { --live; }
};

}  // namespace

class mpmc_ring_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(mpmc_ring_test);
  CPPUNIT_TEST(capacity_one);
  CPPUNIT_TEST(capacity_n_full_and_empty);
  CPPUNIT_TEST(fifo_across_many_wrap_arounds);
  CPPUNIT_TEST(move_only_items);
  CPPUNIT_TEST(destructor_destroys_remaining_items);
  CPPUNIT_TEST(throwing_copy_and_assignment_keep_the_ring_consistent);
  CPPUNIT_TEST(capacity_zero_is_usage_error);
  CPPUNIT_TEST(four_threads_checksum);
  CPPUNIT_TEST_SUITE_END();

 public:
  void capacity_one() {
    weave::mpmc_ring<int> r(1);
    CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.capacity());
    CPPUNIT_ASSERT(!r.try_pop().has_value());
    for (int i = 0; i < 10; ++i) {
      CPPUNIT_ASSERT(r.try_push(i));
      CPPUNIT_ASSERT(!r.try_push(100 + i));  // the unread item is not overwritten
      CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.size_approx());
      int out = -1;
      CPPUNIT_ASSERT(r.try_pop(out));
      CPPUNIT_ASSERT_EQUAL(i, out);
      CPPUNIT_ASSERT(!r.try_pop(out));
      CPPUNIT_ASSERT_EQUAL(i, out);  // untouched
    }
    CPPUNIT_ASSERT(r.empty_approx());
  }

  void capacity_n_full_and_empty() {
    for (std::size_t cap : {2u, 4u, 5u, 7u}) {
      weave::mpmc_ring<int> r(cap);
      CPPUNIT_ASSERT_EQUAL(cap, r.capacity());
      for (std::size_t i = 0; i < cap; ++i) {
        CPPUNIT_ASSERT_EQUAL(i, r.size_approx());
        CPPUNIT_ASSERT(r.try_emplace(static_cast<int>(i)));
      }
      CPPUNIT_ASSERT(!r.try_push(99));
      CPPUNIT_ASSERT_EQUAL(cap, r.size_approx());
      for (std::size_t i = 0; i < cap; ++i) {
        auto v = r.try_pop();
        CPPUNIT_ASSERT(v.has_value());
        CPPUNIT_ASSERT_EQUAL(static_cast<int>(i), *v);
      }
      CPPUNIT_ASSERT(!r.try_pop().has_value());
      CPPUNIT_ASSERT(r.empty_approx());
    }
  }

  // Fill levels vary so every slot is met at every lap, with a power-of-two
  // capacity (mask) and another (modulo).
  void fifo_across_many_wrap_arounds() {
    weave::test::ring_contract::fifo_across_wrap_arounds<weave::mpmc_ring>(1);
    weave::test::ring_contract::fifo_across_wrap_arounds<weave::mpmc_ring>(3);
    weave::test::ring_contract::fifo_across_wrap_arounds<weave::mpmc_ring>(4);
  }

  void move_only_items() {
    weave::test::ring_contract::move_only_items<weave::mpmc_ring>();
  }

  void destructor_destroys_remaining_items() {
    counted::live = 0;
    {
      weave::mpmc_ring<counted> r(3);
      for (int i = 0; i < 2; ++i) {  // wrap first: the rest straddles the end
        CPPUNIT_ASSERT(r.try_emplace(i));
        CPPUNIT_ASSERT(r.try_pop().has_value());
      }
      CPPUNIT_ASSERT_EQUAL(0, counted::live);
      for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT(r.try_emplace(i));
      CPPUNIT_ASSERT_EQUAL(3, counted::live);
      CPPUNIT_ASSERT(r.try_pop().has_value());
      CPPUNIT_ASSERT_EQUAL(2, counted::live);
    }
    CPPUNIT_ASSERT_EQUAL(0, counted::live);
  }

  // counted's copy may throw, so a push copies before claiming a slot; its
  // move assignment throws for negative values: the item is lost, the ring
  // stays consistent.
  void throwing_copy_and_assignment_keep_the_ring_consistent() {
    counted::live = 0;
    {
      weave::mpmc_ring<counted> r(2);
      const counted a(1), b(-2);
      CPPUNIT_ASSERT(r.try_push(a));
      CPPUNIT_ASSERT(r.try_push(b));
      CPPUNIT_ASSERT(!r.try_push(a));  // full: the copy is discarded
      CPPUNIT_ASSERT_EQUAL(4, counted::live);
      counted out(0);
      CPPUNIT_ASSERT(r.try_pop(out));
      CPPUNIT_ASSERT_EQUAL(1, out.v);
      CPPUNIT_ASSERT_THROW(r.try_pop(out), std::runtime_error);
      CPPUNIT_ASSERT_EQUAL(1, out.v);
      CPPUNIT_ASSERT(r.empty_approx());
      CPPUNIT_ASSERT_EQUAL(3, counted::live);  // a, b, out
      CPPUNIT_ASSERT(r.try_push(a));
      CPPUNIT_ASSERT_EQUAL(1, r.try_pop()->v);
    }
    CPPUNIT_ASSERT_EQUAL(0, counted::live);
  }

  void capacity_zero_is_usage_error() {
    std::string what;
    try {
      weave::mpmc_ring<int> r(0);
    } catch (const weave::usage_error& e) {
      what = e.what();
    }
    CPPUNIT_ASSERT_EQUAL(std::string("weave::mpmc_ring: capacity must be at least 1"), what);
  }

  // 2 producers x 2 consumers through 8 slots: each item carries its producer
  // and its sequence number; each consumer sees each producer's numbers rise.
  void four_threads_checksum() {
    constexpr std::uint64_t per_producer = 100000;
    weave::mpmc_ring<std::uint64_t> r(8);
    std::atomic<std::uint64_t> sum_out{0}, taken{0};
    std::atomic<bool> ordered{true};
    std::vector<std::thread> threads;
    for (std::uint64_t p = 0; p < 2; ++p)
      threads.emplace_back([&r, p] {
        for (std::uint64_t i = 1; i <= per_producer; ++i)
          while (!r.try_push((p << 32) | i)) std::this_thread::yield();
      });
    for (int c = 0; c < 2; ++c)
      threads.emplace_back([&] {
        std::uint64_t last[2] = {0, 0};
        std::uint64_t sum = 0;
        while (taken.load() < 2 * per_producer) {
          std::uint64_t v = 0;
          if (!r.try_pop(v)) {
            std::this_thread::yield();
            continue;
          }
          taken.fetch_add(1);
          const std::uint64_t p = v >> 32, i = v & 0xffffffffu;
          if (p > 1 || i <= last[p]) ordered = false;
          if (p <= 1) last[p] = i;
          sum += v;
        }
        sum_out.fetch_add(sum);
      });
    for (auto& t : threads) t.join();
    const std::uint64_t n = per_producer;
    const std::uint64_t expected = n * (n + 1) / 2 * 2 + (std::uint64_t(1) << 32) * n;
    CPPUNIT_ASSERT(ordered.load());
    CPPUNIT_ASSERT_EQUAL(2 * n, taken.load());
    CPPUNIT_ASSERT_EQUAL(expected, sum_out.load());
    CPPUNIT_ASSERT(r.empty_approx());
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(mpmc_ring_test);
