// weave::spsc_ring on hardware: capacity 1 and N, full and empty, many
// wrap-arounds, FIFO order, move-only items, items left inside destroyed by the
// destructor, a throwing constructor that changes nothing, capacity 0 rejected,
// and one producer and one consumer thread with a checksum.
#include <cppunit/extensions/HelperMacros.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "ring_contract.hpp"
#include "weave/error.hpp"
#include "weave/spsc_ring.hpp"

namespace {

// Counts live instances, to see what the ring constructs and destroys.
struct tracked {
  static inline int live = 0;
  int v;
  explicit tracked(int x) : v(x) { ++live; }
  tracked(tracked&& o) noexcept : v(o.v) { ++live; }
  tracked& operator=(tracked&& o) noexcept {
    v = o.v;
    return *this;
  }
  ~tracked() { --live; }
};

// Its constructor from a negative number throws.
struct picky {
  int v;
  explicit picky(int x) : v(x) {
    if (x < 0) throw std::runtime_error("picky");
  }
  picky(picky&&) noexcept = default;
  picky& operator=(picky&&) noexcept = default;
};

}  // namespace

class spsc_ring_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(spsc_ring_test);
  CPPUNIT_TEST(capacity_one);
  CPPUNIT_TEST(capacity_n_full_and_empty);
  CPPUNIT_TEST(fifo_across_many_wrap_arounds);
  CPPUNIT_TEST(move_only_items);
  CPPUNIT_TEST(destructor_destroys_remaining_items);
  CPPUNIT_TEST(throwing_constructor_changes_nothing);
  CPPUNIT_TEST(capacity_zero_is_usage_error);
  CPPUNIT_TEST(two_threads_checksum);
  CPPUNIT_TEST_SUITE_END();

 public:
  void capacity_one() {
    weave::spsc_ring<int> r(1);
    CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.capacity());
    CPPUNIT_ASSERT(r.empty_approx());
    CPPUNIT_ASSERT(!r.try_pop().has_value());
    for (int i = 0; i < 10; ++i) {
      CPPUNIT_ASSERT(r.try_push(i));
      CPPUNIT_ASSERT(!r.try_push(100 + i));
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
    weave::spsc_ring<int> r(5);
    CPPUNIT_ASSERT_EQUAL(std::size_t(5), r.capacity());
    for (int i = 0; i < 5; ++i) {
      CPPUNIT_ASSERT_EQUAL(std::size_t(i), r.size_approx());
      CPPUNIT_ASSERT(r.try_emplace(i));
    }
    CPPUNIT_ASSERT(!r.try_push(99));
    CPPUNIT_ASSERT_EQUAL(std::size_t(5), r.size_approx());
    for (int i = 0; i < 5; ++i) {
      auto v = r.try_pop();
      CPPUNIT_ASSERT(v.has_value());
      CPPUNIT_ASSERT_EQUAL(i, *v);
    }
    CPPUNIT_ASSERT(!r.try_pop().has_value());
    CPPUNIT_ASSERT(r.empty_approx());
  }

  // Fill levels vary so head and tail meet every slot in every role.
  void fifo_across_many_wrap_arounds() {
    weave::test::ring_contract::fifo_across_wrap_arounds<weave::spsc_ring>(3);
  }

  void move_only_items() {
    weave::test::ring_contract::move_only_items<weave::spsc_ring>();
  }

  void destructor_destroys_remaining_items() {
    tracked::live = 0;
    {
      weave::spsc_ring<tracked> r(4);
      // wrap the indices first, so the remaining items straddle the end
      for (int i = 0; i < 3; ++i) {
        CPPUNIT_ASSERT(r.try_emplace(i));
        CPPUNIT_ASSERT(r.try_pop().has_value());
      }
      CPPUNIT_ASSERT_EQUAL(0, tracked::live);
      for (int i = 0; i < 4; ++i) CPPUNIT_ASSERT(r.try_emplace(i));
      CPPUNIT_ASSERT_EQUAL(4, tracked::live);
      tracked out(-1);
      CPPUNIT_ASSERT(r.try_pop(out));
      CPPUNIT_ASSERT_EQUAL(0, out.v);
      CPPUNIT_ASSERT_EQUAL(4, tracked::live);  // 3 inside + out
    }
    CPPUNIT_ASSERT_EQUAL(0, tracked::live);
  }

  void throwing_constructor_changes_nothing() {
    weave::spsc_ring<picky> r(2);
    CPPUNIT_ASSERT(r.try_emplace(1));
    CPPUNIT_ASSERT_THROW(r.try_emplace(-1), std::runtime_error);
    CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.size_approx());
    CPPUNIT_ASSERT(r.try_emplace(2));
    CPPUNIT_ASSERT_EQUAL(1, r.try_pop()->v);
    CPPUNIT_ASSERT_EQUAL(2, r.try_pop()->v);
    CPPUNIT_ASSERT(!r.try_pop().has_value());
  }

  void capacity_zero_is_usage_error() {
    std::string what;
    try {
      weave::spsc_ring<int> r(0);
    } catch (const weave::usage_error& e) {
      what = e.what();
    }
    CPPUNIT_ASSERT_EQUAL(std::string("weave::spsc_ring: capacity must be at least 1"), what);
  }

  void two_threads_checksum() {
    constexpr std::uint64_t n = 200000;
    weave::spsc_ring<std::uint64_t> r(64);
    std::uint64_t sum_in = 0, sum_out = 0;
    bool in_order = true;
    std::thread producer([&] {
      for (std::uint64_t i = 1; i <= n; ++i) {
        while (!r.try_push(i * 2654435761u)) std::this_thread::yield();
        sum_in += i * 2654435761u;
      }
    });
    std::thread consumer([&] {
      for (std::uint64_t i = 1; i <= n; ++i) {
        std::uint64_t v = 0;
        while (!r.try_pop(v)) std::this_thread::yield();
        in_order = in_order && v == i * 2654435761u;
        sum_out += v;
      }
    });
    producer.join();
    consumer.join();
    CPPUNIT_ASSERT(in_order);
    CPPUNIT_ASSERT_EQUAL(sum_in, sum_out);
    CPPUNIT_ASSERT(r.empty_approx());
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(spsc_ring_test);
