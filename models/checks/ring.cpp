// weave::spsc_ring and weave::mpmc_ring under the checker. Every slot access
// goes through a cell, so an item read before its publication (or a slot
// refilled before it was emptied) is a data race; the checks add that nothing
// is lost or duplicated and that order is kept (all of it for the SPSC ring,
// per producer for the MPMC ring). Capacities 1 and 2 force wrap-arounds and
// full/empty waits in a handful of steps. Buggy twins: an SPSC ring whose
// producer publishes with a relaxed store, and an MPMC ring whose producers
// claim a position by looking at tail and then storing tail + 1 (no CAS).
// A third twin only weak memory shows: the same relaxed publication with
// atomic slots read relaxed, so no cell race is left to report; the consumer
// sees the new tail but the slot's old value (a failed check under RC11).
#include <array>
#include <atomic>
#include <cstddef>
#include <optional>

#include "weave/model.hpp"
#include "weave/mpmc_ring.hpp"
#include "weave/spsc_ring.hpp"
#include "checks/interleavings.hpp"

namespace {

using weave::model::thread;
using S = weave::model_sync;

template <class Ring>
void push_spinning(Ring& r, int v) {
  while (!r.try_push(v)) S::spin();
}
template <class Ring>
int pop_spinning(Ring& r) {
  for (;;) {
    if (std::optional<int> v = r.try_pop()) return *v;
    S::spin();
  }
}

// One producer pushes 1..n, one consumer pops them: it must get 1..n in order.
template <class Ring>
void spsc_in_order(Ring& r, int n) {
  thread producer([&] {
    for (int i = 1; i <= n; ++i) push_spinning(r, i);
  });
  thread consumer([&] {
    for (int i = 1; i <= n; ++i) WEAVE_CHECK(pop_spinning(r) == i);
  });
  producer.join();
  consumer.join();
}

// Pops n items from producers 1 and 2 (item k of producer id is id*10+k),
// checking that each producer's items come in order; returns the last k seen
// of each producer (index 1 and 2).
template <class Ring>
std::array<int, 3> consume_in_order(Ring& r, int n) {
  std::array<int, 3> last{0, 0, 0};
  for (int i = 0; i < n; ++i) {
    const int v = pop_spinning(r);
    const auto id = static_cast<std::size_t>(v / 10);
    const int k = v % 10;
    WEAVE_CHECK(id == 1 || id == 2);
    WEAVE_CHECK(k == last[id] + 1);
    last[id] = k;
  }
  return last;
}

}  // namespace

// 3 items through 2 slots: the producer meets a full ring, the indices wrap
// around the 3 slots, and the consumer gets 1, 2, 3.
WEAVE_MODEL_CHECK(ring_spsc_three_items_capacity_two, pass, .primitives = weave::model::transparent) {
  weave::model::spsc_ring<int> r(2);
  spsc_in_order(r, 3);
  WEAVE_CHECK(r.empty_approx());
}

// Capacity 1 (2 slots): every push waits for the previous pop.
WEAVE_MODEL_CHECK(ring_spsc_three_items_capacity_one, pass, .primitives = weave::model::transparent) {
  weave::model::spsc_ring<int> r(1);
  spsc_in_order(r, 3);
}

// Non-blocking attempts racing each other, then the destructor takes what is
// left: whatever the interleaving, pushed = popped + left, in order.
WEAVE_MODEL_CHECK(ring_spsc_try_operations_and_leftovers, pass, .primitives = weave::model::transparent) {
  weave::model::spsc_ring<int> r(1);
  int pushed = 0;
  int popped[2] = {0, 0};
  int npopped = 0;
  thread producer([&] {
    for (int i = 1; i <= 2; ++i)
      if (r.try_push(i)) pushed = i;
  });
  thread consumer([&] {
    for (int k = 0; k < 2; ++k)
      if (std::optional<int> v = r.try_pop()) popped[npopped++] = *v;
  });
  producer.join();
  consumer.join();
  const int left = static_cast<int>(r.size_approx());
  WEAVE_CHECK(left <= 1);
  WEAVE_CHECK(npopped + left >= 1 && npopped + left <= 2);
  for (int k = 1; k < npopped; ++k) WEAVE_CHECK(popped[k - 1] < popped[k]);
  if (npopped > 0) WEAVE_CHECK(popped[npopped - 1] <= pushed);
}

// 2 producers x 1 item, one consumer, one slot, exhaustively: one producer
// finds the slot taken and waits for the consumer.
WEAVE_MODEL_CHECK(ring_mpmc_two_producers_one_consumer_exhaustive, pass, .primitives = weave::model::transparent) {
  weave::model::mpmc_ring<int> r(1);
  thread p1([&] { push_spinning(r, 1); });
  thread p2([&] { push_spinning(r, 2); });
  const int a = pop_spinning(r);
  const int b = pop_spinning(r);
  WEAVE_CHECK(a + b == 3 && a != b);
  p1.join();
  p2.join();
  WEAVE_CHECK(r.empty_approx());
}

// 2 producers x 2 items, one consumer, 2 slots: each slot is reused a lap
// later; the consumer gets all four, each producer's in order. Bounded to 3
// preemptions (exhaustive: 10 million executions, ~50 s).
WEAVE_MODEL_CHECK(ring_mpmc_two_producers_one_consumer_capacity_two, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 3) {
  weave::model::mpmc_ring<int> r(2);
  auto producer = [&](int id) {
    for (int k = 1; k <= 2; ++k) push_spinning(r, id * 10 + k);
  };
  thread p1([&] { producer(1); });
  thread p2([&] { producer(2); });
  const std::array<int, 3> last = consume_in_order(r, 4);  // the main thread consumes
  p1.join();
  p2.join();
  WEAVE_CHECK(last[1] == 2 && last[2] == 2);
}

// 2 items and 1 item from two producers through one slot: the producers wait
// for each other's items to leave. Exhaustive (about 0.56M executions, 2 s).
WEAVE_MODEL_CHECK(ring_mpmc_two_producers_one_consumer_capacity_one, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::mpmc_ring<int> r(1);
  thread p1([&] {
    push_spinning(r, 11);
    push_spinning(r, 12);
  });
  thread p2([&] { push_spinning(r, 21); });
  const std::array<int, 3> last = consume_in_order(r, 3);  // the main thread consumes
  p1.join();
  p2.join();
  WEAVE_CHECK(last[1] == 2 && last[2] == 1);
}

// 2 producers x 1 item, 2 consumers x 1 item, one slot: each item to exactly
// one consumer.
WEAVE_MODEL_CHECK(ring_mpmc_two_by_two_capacity_one, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only) {
  weave::model::mpmc_ring<int> r(1);
  int got[2] = {0, 0};
  thread p1([&] { push_spinning(r, 1); });
  thread p2([&] { push_spinning(r, 2); });
  thread c1([&] { got[0] = pop_spinning(r); });
  thread c2([&] { got[1] = pop_spinning(r); });
  p1.join();
  p2.join();
  c1.join();
  c2.join();
  WEAVE_CHECK(got[0] + got[1] == 3 && got[0] != got[1]);
}

// 2 producers x 2 items through 2 slots into 2 consumers x 2 items: a slot is
// reused a lap later while the other is busy; nothing lost or duplicated, and
// each consumer sees each producer's items in order. Bounded to 2 preemptions
// (3 take minutes).
WEAVE_MODEL_CHECK(ring_mpmc_two_by_two_capacity_two, pass, .primitives = weave::model::transparent, .memory = weave::model_checks::interleavings_only, .preemptions = 2) {
  weave::model::mpmc_ring<int> r(2);
  int got[2][2] = {{0, 0}, {0, 0}};
  auto producer = [&](int id) {
    for (int k = 1; k <= 2; ++k) push_spinning(r, id * 10 + k);
  };
  auto consumer = [&](int c) {
    for (int n = 0; n < 2; ++n) got[c][n] = pop_spinning(r);
    if (got[c][0] / 10 == got[c][1] / 10) WEAVE_CHECK(got[c][0] < got[c][1]);
  };
  thread p1([&] { producer(1); });
  thread p2([&] { producer(2); });
  thread c1([&] { consumer(0); });
  consumer(1);
  p1.join();
  p2.join();
  c1.join();
  int seen = 0;
  for (const auto& g : got)
    for (int v : g) seen |= 1 << ((v / 10 - 1) * 2 + (v % 10 - 1));
  WEAVE_CHECK(seen == 0xf);
}

// Non-blocking attempts of two producers and a consumer on one slot, then the
// destructor takes what is left: pushed = popped + left, nothing twice.
WEAVE_MODEL_CHECK(ring_mpmc_try_operations_and_leftovers, pass, .primitives = weave::model::transparent) {
  weave::model::mpmc_ring<int> r(1);
  bool pushed[3] = {false, false, false};
  int popped[2] = {0, 0};
  thread p1([&] { pushed[1] = r.try_push(1); });
  thread p2([&] { pushed[2] = r.try_push(2); });
  for (int& v : popped)
    if (std::optional<int> got = r.try_pop()) v = *got;
  p1.join();
  p2.join();
  const int in = (pushed[1] ? 1 : 0) + (pushed[2] ? 1 : 0);
  const int out = (popped[0] != 0 ? 1 : 0) + (popped[1] != 0 ? 1 : 0);
  WEAVE_CHECK(in >= 1 && in == out + static_cast<int>(r.size_approx()));
  WEAVE_CHECK(popped[0] == 0 || popped[0] != popped[1]);
  for (int v : popped) WEAVE_CHECK(v == 0 || pushed[v]);
}

namespace {

// The SPSC twin: weave::spsc_ring's protocol with capacity 2 (3 slots), except
// that the producer publishes a filled slot with a relaxed store of tail.
struct relaxed_publish_ring {
  S::cell<int> slots[3];
  S::atomic<std::size_t> head{0};
  S::atomic<std::size_t> tail{0};
  bool try_push(int v) {
    const std::size_t t = tail.load(std::memory_order_relaxed);
    const std::size_t n = (t + 1) % 3;
    if (n == head.load(std::memory_order_acquire)) return false;
    slots[t].write() = v;
    tail.store(n, std::memory_order_relaxed);  // BUG: release needed (R2)
    return true;
  }
  std::optional<int> try_pop() {
    const std::size_t h = head.load(std::memory_order_relaxed);
    if (h == tail.load(std::memory_order_acquire)) return std::nullopt;
    const int v = slots[h].read();
    head.store((h + 1) % 3, std::memory_order_release);
    return v;
  }
};

// The MPMC twin: weave::mpmc_ring's slots and sequence numbers (capacity 2),
// but a producer claims its position by loading tail and storing tail + 1, so
// two producers can claim the same position and fill the same slot.
struct check_then_claim_ring {
  struct slot {
    S::atomic<std::size_t> seq;
    S::cell<int> data;
  };
  slot slots[2];
  S::atomic<std::size_t> head{0};
  S::atomic<std::size_t> tail{0};
  check_then_claim_ring() {
    for (std::size_t i = 0; i < 2; ++i) slots[i].seq.store(2 * i, std::memory_order_relaxed);
  }
  bool try_push(int v) {
    const std::size_t p = tail.load(std::memory_order_relaxed);
    slot& s = slots[p % 2];
    if (s.seq.load(std::memory_order_acquire) != 2 * p) return false;
    tail.store(p + 1, std::memory_order_relaxed);  // BUG: look, then claim (no CAS)
    s.data.write() = v;
    s.seq.store(2 * p + 1, std::memory_order_release);
    return true;
  }
  std::optional<int> try_pop() {
    std::size_t p = head.load(std::memory_order_relaxed);
    for (;;) {
      slot& s = slots[p % 2];
      if (s.seq.load(std::memory_order_acquire) != 2 * p + 1) return std::nullopt;
      if (head.compare_exchange_strong(p, p + 1, std::memory_order_relaxed, std::memory_order_relaxed)) {
        const int v = s.data.read();
        s.seq.store(2 * (p + 2), std::memory_order_release);
        return v;
      }
    }
  }
};

}  // namespace

// The consumer reads a slot that the relaxed store did not publish to it.
WEAVE_MODEL_CHECK(ring_spsc_twin_relaxed_publish, data_race, .primitives = weave::model::transparent) {
  relaxed_publish_ring r;
  spsc_in_order(r, 2);
}

// Both producers see position 0 free, both claim it and both write slot 0.
WEAVE_MODEL_CHECK(ring_mpmc_twin_check_then_claim, data_race, .primitives = weave::model::transparent) {
  check_then_claim_ring r;
  thread p1([&] { push_spinning(r, 1); });
  thread p2([&] { push_spinning(r, 2); });
  const int a = pop_spinning(r);
  const int b = pop_spinning(r);
  WEAVE_CHECK(a + b == 3);
  p1.join();
  p2.join();
}

namespace {

// Lamport's single-producer single-consumer ring (weave::spsc_ring's protocol,
// capacity 1: 2 slots), with atomic slots accessed relaxed instead of cells,
// and the order of the tail store a parameter: release is the correct ring,
// relaxed is the weak-memory twin. Slots hold 0 until first filled; items are
// 1, 2, so a stale slot shows as a wrong item.
template <std::memory_order Publish>
struct atomic_slot_ring {
  S::atomic<int> slots[2]{S::atomic<int>(0), S::atomic<int>(0)};
  S::atomic<std::size_t> head{0};
  S::atomic<std::size_t> tail{0};
  bool try_push(int v) {
    const std::size_t t = tail.load(std::memory_order_relaxed);  // relaxed: only the producer writes tail
    const std::size_t n = (t + 1) % 2;
    // acquire: pairs with the release store of head in try_pop (the slot was emptied).
    if (n == head.load(std::memory_order_acquire)) return false;
    slots[t].store(v, std::memory_order_relaxed);  // relaxed: published by the tail store below
    // Publish = release: pairs with the acquire load of tail in try_pop.
    // Publish = relaxed (the twin's BUG): pairs with nothing; the slot's store
    // may still be invisible to a consumer that sees the new tail.
    tail.store(n, Publish);
    return true;
  }
  std::optional<int> try_pop() {
    const std::size_t h = head.load(std::memory_order_relaxed);  // relaxed: only the consumer writes head
    // acquire: pairs with the tail store in try_push (Publish).
    if (h == tail.load(std::memory_order_acquire)) return std::nullopt;
    const int v = slots[h].load(std::memory_order_relaxed);  // relaxed: ordered by the tail load above
    // release: pairs with the acquire load of head in try_push.
    head.store((h + 1) % 2, std::memory_order_release);
    return v;
  }
};

}  // namespace

// The weak-memory twin's correct counterpart: release publication, 2 items
// through capacity 1 (the second reuses no slot but waits for the first pop),
// passes under RC11.
WEAVE_MODEL_CHECK(ring_spsc_release_publish_atomic_slots, pass, .primitives = weave::model::transparent) {
  atomic_slot_ring<std::memory_order_release> r;
  spsc_in_order(r, 2);
}

// The twin: the consumer's acquire load reads the relaxed tail store, which
// does not synchronize, so its relaxed slot load may still read the slot's
// initial 0 instead of 1. Under --memory-model sc every load reads the latest
// store and this check passes: only weak memory finds it.
WEAVE_MODEL_CHECK(ring_spsc_twin_relaxed_publish_atomic_slots, check_failed, .primitives = weave::model::transparent) {
  atomic_slot_ring<std::memory_order_relaxed> r;
  spsc_in_order(r, 2);
}
