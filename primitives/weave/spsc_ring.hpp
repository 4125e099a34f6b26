// weave/spsc_ring.hpp — weave::spsc_ring<T>, a bounded lock-free ring between
// one producer thread and one consumer thread.
//
// There is no std item and no Python counterpart (it never blocks; the
// blocking queues are queue.hpp and ring_queue.hpp); the interface mirrors
// boost::lockfree::spsc_queue's try-operations with std names:
//
//   weave::spsc_ring<T> r(capacity);     // capacity >= 1, fixed at construction
//   r.try_push(v) / r.try_emplace(args...)   -> false if full
//   r.try_pop(out) -> false if empty;  r.try_pop() -> std::optional<T>
//   r.capacity(), r.size_approx(), r.empty_approx()
//
// Exactly one thread may push and exactly one thread may pop at a time (they may
// be the same thread); anything else is a data race the model checker reports.
// T must be nothrow move constructible (an item is moved out of its slot with
// nothing to roll back); a throwing constructor in try_emplace/try_push, or a
// throwing move assignment in try_pop(T&), leaves the ring unchanged.
//
// Algorithm: Lamport's single-producer/single-consumer ring (L. Lamport,
// "Specifying concurrent program modules", TOPLAS 1983) with one spare slot
// (capacity + 1 slots, so full and empty differ without a count), and each side
// keeping a private cache of the other side's index so that it reads the
// other side's cache line only when the cache says full/empty — the idea of
// E. Rigtorp's SPSCQueue and folly's ProducerConsumerQueue. Indices wrap at the
// number of slots by a compare, never a division.
//
// State: slots_ = capacity + 1 slots, head_ (next slot to pop, written only by
// the consumer), tail_ (next slot to fill, written only by the producer).
//   empty  head_ == tail_
//   full   next(tail_) == head_
//   the items are the slots head_, next(head_), ..., up to but not tail_.
//
//   try_push:  t = tail_; if next(t) == head (cached, then reloaded): full.
//              construct the item in slot t (R1); tail_ = next(t) (release, R2)
//   try_pop:   h = head_; if h == tail (cached, then reloaded): empty.
//              move the item out of slot h and destroy it (R3);
//              head_ = next(h) (release, R4)
//
// Invariants:
//   R1  only the producer writes tail_ and head_cache_; only the consumer writes
//       head_ and tail_cache_ (the single-producer/single-consumer contract).
//   R2  a slot is constructed before tail_ moves past it: the release store of
//       tail_ publishes the item to the consumer's acquire load of tail_.
//   R3  a slot in [head_, tail_) holds a live T; every other slot holds none.
//   R4  a slot is destroyed before head_ moves past it: the release store of
//       head_ hands the emptied slot to the producer's acquire load of head_,
//       so the producer's next construction there cannot race the consumer.
//   R5  head_cache_ is a value head_ had (so the producer may only think the
//       ring fuller than it is); tail_cache_ is a value tail_ had (the consumer
//       may only think it emptier than it is). A stale cache costs a reload.
//   R6  the reload is an acquire load, which may read an older index (the
//       other side's release store not yet visible: store buffering on the
//       two indices), so a try_push may report full and a try_pop empty at
//       once, each true of a moment the other side has left: not linearizable
//       under weak memory (C++, ARM), though sequentially consistent
//       interleavings are. It is calls::stepwise: the model checker shows a
//       call's steps even to checks with opaque primitives.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "weave/error.hpp"
#include "weave/sync.hpp"

namespace weave {

template <class T, sync_policy S = real_sync>
class basic_spsc_ring {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "weave::spsc_ring<T> requires a nothrow move constructible T (items are moved out "
                "of their slots with nothing to roll back)");
  static_assert(std::is_nothrow_destructible_v<T>, "weave::spsc_ring<T> requires a nothrow destructible T");

 public:
  using value_type = T;

  /// name: what the model checker's traces call it (nothing on hardware).
  explicit basic_spsc_ring(std::size_t capacity, const char* name = nullptr)
      : slots_(checked(capacity) + 1), ring_(std::make_unique<slot[]>(slots_)), obj_{this, "spsc_ring", name, calls::stepwise} {}
  basic_spsc_ring(const basic_spsc_ring&) = delete;
  basic_spsc_ring& operator=(const basic_spsc_ring&) = delete;

  /// Destroys the items still inside. No thread may use the ring any more.
  ~basic_spsc_ring() {
    // relaxed: the owner synchronized with both sides before destroying (R3).
    std::size_t h = cons_.head.load(std::memory_order_relaxed);
    // relaxed: as above.
    const std::size_t t = prod_.tail.load(std::memory_order_relaxed);
    while (h != t) {
      item(ring_[h].write())->~T();
      h = next(h);
    }
  }

  bool try_push(const T& v, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_push", loc);
    call.arg(v);
    return try_emplace(v);
  }
  bool try_push(T&& v, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_push", loc);
    call.arg(v);
    return try_emplace(std::move(v));
  }

  /// Constructs an item in place from args; false (nothing constructed) if full.
  template <class... A>
  bool try_emplace(A&&... args) {
    [[maybe_unused]] const auto call = obj_.enter("try_emplace");
    static_assert(std::is_constructible_v<T, A&&...>, "weave::spsc_ring<T>::try_emplace: T is not constructible from these arguments");
    // relaxed: only this thread writes tail (R1).
    const std::size_t t = prod_.tail.load(std::memory_order_relaxed);
    const std::size_t n = next(t);
    if (n == prod_.head_cache) {
      // acquire: pairs with the release store of head in try_pop (R4): the slot
      // we are about to fill was emptied before.
      prod_.head_cache = cons_.head.load(std::memory_order_acquire);
      if (n == prod_.head_cache) return false;  // full
    }
    ::new (static_cast<void*>(ring_[t].write().bytes)) T(std::forward<A>(args)...);  // R3; a throw changes nothing
    // release: pairs with the acquire load of tail in try_pop (R2).
    prod_.tail.store(n, std::memory_order_release);
    return true;
  }

  /// Moves the oldest item into out; false (out untouched) if empty. If T's move
  /// assignment throws, the item stays in the ring.
  bool try_pop(T& out, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_pop", loc);
    // relaxed: only this thread writes head (R1).
    const std::size_t h = cons_.head.load(std::memory_order_relaxed);
    if (!readable(h)) return false;
    T* p = item(ring_[h].write());
    out = std::move(*p);
    p->~T();
    // release: pairs with the acquire load of head in try_emplace (R4).
    cons_.head.store(next(h), std::memory_order_release);
    return true;
  }

  /// The oldest item, or nullopt if empty. Never throws on hardware.
  std::optional<T> try_pop(source_location loc = source_location::current()) noexcept(on_hardware) {
    [[maybe_unused]] const auto call = obj_.enter("try_pop", loc);
    // relaxed: only this thread writes head (R1).
    const std::size_t h = cons_.head.load(std::memory_order_relaxed);
    if (!readable(h)) return std::nullopt;
    T* p = item(ring_[h].write());
    std::optional<T> r(std::move(*p));
    p->~T();
    // release: pairs with the acquire load of head in try_emplace (R4).
    cons_.head.store(next(h), std::memory_order_release);
    return r;
  }

  std::size_t capacity() const noexcept { return slots_ - 1; }

  /// The number of items at some moment during the call (exact when no other
  /// thread is using the ring).
  std::size_t size_approx(source_location loc = source_location::current()) const noexcept(on_hardware) {
    [[maybe_unused]] const auto call = obj_.enter("size_approx", loc);
    // relaxed: a snapshot; both indices are in [0, slots_), so the result is in
    // [0, capacity()] whatever mix of old and new values is read.
    const std::size_t h = cons_.head.load(std::memory_order_relaxed);
    // relaxed: as above.
    const std::size_t t = prod_.tail.load(std::memory_order_relaxed);
    return t >= h ? t - h : t + slots_ - h;
  }
  bool empty_approx(source_location loc = source_location::current()) const noexcept(on_hardware) {
    [[maybe_unused]] const auto call = obj_.enter("empty_approx", loc);
    // relaxed: a snapshot (see size_approx).
    return cons_.head.load(std::memory_order_relaxed) == prod_.tail.load(std::memory_order_relaxed);
  }

 private:
  static constexpr std::size_t cache_line = 64;
  // On hardware the operations marked noexcept(on_hardware) never throw. Under
  // the checker every atomic access is a scheduling point where the checker
  // may unwind the thread (by an exception), so they are not noexcept there.
  static constexpr bool on_hardware = std::is_same_v<S, real_sync>;

  // Raw storage for one T; a live T exists only in slots [head_, tail_) (R3).
  struct storage {
    alignas(T) unsigned char bytes[sizeof(T)];
  };
  using slot = typename S::template cell<storage>;

  // The producer's line: tail (read by the consumer only when its cache says
  // empty) and the producer's private cache of head.
  struct alignas(cache_line) producer_line {
    typename S::template atomic<std::size_t> tail{0};
    std::size_t head_cache = 0;
  };
  // The consumer's line, symmetrically.
  struct alignas(cache_line) consumer_line {
    typename S::template atomic<std::size_t> head{0};
    std::size_t tail_cache = 0;
  };
  static_assert(sizeof(producer_line) == cache_line && sizeof(consumer_line) == cache_line,
                "weave::spsc_ring: each side's index and cache fill exactly one cache line");
  static_assert(alignof(producer_line) == cache_line && alignof(consumer_line) == cache_line,
                "weave::spsc_ring: each side's line starts a cache line (no false sharing)");

  static std::size_t checked(std::size_t capacity) {
    if (capacity < 1) throw_usage_error("weave::spsc_ring", "capacity must be at least 1");
    if (capacity > std::numeric_limits<std::size_t>::max() / sizeof(slot) - 1)
      throw_usage_error("weave::spsc_ring", "capacity too large");
    return capacity;
  }
  std::size_t next(std::size_t i) const noexcept { return i + 1 == slots_ ? 0 : i + 1; }
  static T* item(storage& s) noexcept { return std::launder(reinterpret_cast<T*>(s.bytes)); }

  // The consumer's emptiness test: the cached tail first, then the real one.
  bool readable(std::size_t h) noexcept(on_hardware) {
    if (h != cons_.tail_cache) return true;
    // acquire: pairs with the release store of tail in try_emplace (R2): the
    // item in slot h was constructed before.
    cons_.tail_cache = prod_.tail.load(std::memory_order_acquire);
    return h != cons_.tail_cache;
  }

  // Read-only after construction; on its own line, away from both indices.
  alignas(cache_line) const std::size_t slots_;
  const std::unique_ptr<slot[]> ring_;
  producer_line prod_;
  consumer_line cons_;
  [[no_unique_address]] typename S::object obj_;
};

/// The hardware ring.
template <class T>
using spsc_ring = basic_spsc_ring<T>;

namespace model {
/// The same ring under the model checker.
template <class T>
using spsc_ring = basic_spsc_ring<T, model_sync>;
}  // namespace model

}  // namespace weave
