// Cases every weave ring must pass, written once and run on spsc_ring
// (spsc_ring_test) and mpmc_ring (mpmc_ring_test) from one thread. R is an
// alias template: R<int> r(capacity).
#pragma once

#include <cppunit/extensions/HelperMacros.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace weave::test::ring_contract {

// Fill levels vary so head and tail meet every slot in every role, lap after
// lap: FIFO order and size_approx() exact from one thread.
template <template <class> class R>
void fifo_across_wrap_arounds(std::size_t capacity) {
  R<std::uint64_t> r(capacity);
  std::uint64_t next_in = 0, next_out = 0;
  for (int round = 0; round < 2000; ++round) {
    const int pushes = 1 + round % 3;
    for (int k = 0; k < pushes; ++k)
      if (r.try_push(next_in)) ++next_in;
    const int pops = 1 + (round / 3) % 3;
    for (int k = 0; k < pops; ++k) {
      std::uint64_t v = 0;
      if (!r.try_pop(v)) break;
      CPPUNIT_ASSERT_EQUAL(next_out, v);
      ++next_out;
    }
    CPPUNIT_ASSERT_EQUAL(static_cast<std::size_t>(next_in - next_out), r.size_approx());
  }
  CPPUNIT_ASSERT(next_out > 1000);
}

// Move-only items go in and out; a failed push does not take the item.
template <template <class> class R>
void move_only_items() {
  R<std::unique_ptr<int>> r(2);
  CPPUNIT_ASSERT(r.try_push(std::make_unique<int>(1)));
  CPPUNIT_ASSERT(r.try_emplace(new int(2)));
  auto third = std::make_unique<int>(3);
  CPPUNIT_ASSERT(!r.try_push(std::move(third)));
  CPPUNIT_ASSERT(third != nullptr);  // a failed push does not take the item
  std::unique_ptr<int> out;
  CPPUNIT_ASSERT(r.try_pop(out));
  CPPUNIT_ASSERT_EQUAL(1, *out);
  auto v = r.try_pop();
  CPPUNIT_ASSERT(v.has_value() && *v != nullptr);
  CPPUNIT_ASSERT_EQUAL(2, **v);
  CPPUNIT_ASSERT(r.try_push(std::move(third)));
  CPPUNIT_ASSERT(third == nullptr);
}

}  // namespace weave::test::ring_contract
