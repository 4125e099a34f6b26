// weave/mpmc_ring.hpp — weave::mpmc_ring<T>, a bounded lock-free ring for any
// number of producer and consumer threads.
//
// There is no std item and no Python counterpart (it never blocks; the
// blocking queues are queue.hpp and ring_queue.hpp); the interface is
// weave::spsc_ring's (and boost::lockfree::queue's try-operations with std
// names):
//
//   weave::mpmc_ring<T> r(capacity);     // capacity >= 1, exact, fixed
//   r.try_push(v) / r.try_emplace(args...)   -> false if full
//   r.try_pop(out) -> false if empty;  r.try_pop() -> std::optional<T>
//   r.capacity(), r.size_approx(), r.empty_approx()
//
// Algorithm: Dmitry Vyukov's bounded MPMC queue (1024cores.net, "Bounded MPMC
// queue", 2010): a ring of slots, each with a sequence number that says whose
// turn the slot is; producers claim a position by CAS on tail_, consumers by
// CAS on head_, and the slot's sequence number, not the CAS, carries the data
// between them. Two changes:
//   * The sequence step is doubled: position p owns the values 2p (slot free
//     for the producer of p) and 2p+1 (slot holds p's item, for the consumer of
//     p); the consumer of p frees the slot for p + capacity with 2(p+capacity).
//     In Vyukov's original, "holds p's item" (p+1) and "free for p+1" (p +
//     capacity) are the same value when capacity is 1, so a second producer
//     could overwrite an unread item; the doubled step keeps them apart for
//     every capacity (rigtorp's MPMCQueue uses the same 2*turn encoding).
//   * The capacity is exact: the slot of position p is p % capacity (a mask
//     when the capacity is a power of two). Positions are 64-bit counters; the
//     mapping would break at their wrap-around after 2^63 operations, which no
//     program lives to see.
//
// Progress: a push or pop that has claimed its position cannot be stopped by
// others, but a thread preempted between its claim and its publish makes that
// slot look full (to producers a lap later) or empty (to consumers) until it
// resumes: try_pop may return false while later items are already published,
// and try_push may return false while a consumer is finishing. Items are never
// skipped, so the order of one producer's items is kept for each consumer.
// So its operations are not linearizable (a thread may find the ring full,
// then empty, with nobody popping in between): it is calls::stepwise, and
// the model checker shows a call's steps even to checks with opaque
// primitives.
//
// T must be nothrow move constructible. A push whose constructor may throw
// builds the item before claiming a position (so a throw changes nothing, at
// the price of one move, and of a wasted construction if the ring is full). If
// T's move assignment throws in try_pop(T&), the item is destroyed, the slot is
// freed and the exception propagates: the ring stays consistent, the item is
// lost. try_pop() (the optional form) never throws on hardware.
//
// State: slot i has seq and an item cell; head_ = next position to pop, tail_ =
// next position to push, both only increase. For the slot s of position p:
//   seq == 2p          free: the producer of p may fill it
//   seq == 2p + 1      full: holds p's item; the consumer of p may empty it
//   seq <  2p          (producer at p) the slot still serves position p - capacity: full
//   seq <  2p + 1      (consumer at p) p's item is not published yet: empty
//   seq greater        the position read was stale: reload and retry
//
//   try_push:  p = tail_; seq = s.seq (acquire, M4); seq == 2p: CAS tail_ p -> p+1
//              (M1), construct the item (M2), s.seq = 2p+1 (release, M3)
//   try_pop:   p = head_; seq = s.seq (acquire, M3); seq == 2p+1: CAS head_ p -> p+1
//              (M1), move the item out and destroy it, s.seq = 2(p+capacity)
//              (release, M4)
//
// Invariants:
//   M1  each position is claimed by exactly one producer (the CAS on tail_) and
//       one consumer (the CAS on head_); head_ <= tail_ at any moment.
//   M2  a slot's item cell is touched only by the thread that saw its turn in
//       seq and then won the CAS for that position.
//   M3  the release store seq = 2p+1 publishes p's item to the acquire load of
//       the consumer of p.
//   M4  the release store seq = 2(p+capacity) hands the emptied slot to the
//       acquire load of the producer of p+capacity.
//   M5  the slot of position p holds a live T exactly while seq == 2p+1;
//       when no operation is in flight these are the positions [head_, tail_).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "weave/error.hpp"
#include "weave/sync.hpp"

namespace weave {

/// N == 0: the capacity is given at run time and the slots live on the heap.
/// N > 0: the capacity is N and the slots live inside the object, so a ring of
/// trivially copyable items holds no pointer and can be placed in memory
/// shared between processes (see weave::shared_ring_queue).
template <class T, sync_policy S = real_sync, std::size_t N = 0>
class basic_mpmc_ring {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "weave::mpmc_ring<T> requires a nothrow move constructible T (an item is moved "
                "into and out of a claimed slot with nothing to roll back)");
  static_assert(std::is_nothrow_destructible_v<T>, "weave::mpmc_ring<T> requires a nothrow destructible T");

 public:
  using value_type = T;

  /// name: what the model checker's traces call it (nothing on hardware).
  explicit basic_mpmc_ring(std::size_t capacity, const char* name = nullptr) requires(N == 0)
      : cap_(checked(capacity)),
        pow2_((capacity & (capacity - 1)) == 0),
        slots_(std::make_unique<slot[]>(capacity)),
        obj_{this, "mpmc_ring", name, calls::stepwise} {
    init();
  }
  /// A ring of the fixed capacity N.
  basic_mpmc_ring() requires(N > 0) : basic_mpmc_ring(nullptr) {}  // not explicit: an aggregate may hold one
  explicit basic_mpmc_ring(const char* name) requires(N > 0)
      : cap_(checked(N)), pow2_((N & (N - 1)) == 0), obj_{this, "mpmc_ring", name, calls::stepwise} {
    init();
  }
  basic_mpmc_ring(const basic_mpmc_ring&) = delete;
  basic_mpmc_ring& operator=(const basic_mpmc_ring&) = delete;

  /// Destroys the items still inside. No thread may use the ring any more.
  ~basic_mpmc_ring() {
    // relaxed: the owner synchronized with every user before destroying (M5).
    const std::size_t t = tail_.v.load(std::memory_order_relaxed);
    // relaxed: as above.
    for (std::size_t p = head_.v.load(std::memory_order_relaxed); p != t; ++p)
      item(slots_[index(p)].data.write())->~T();
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

  /// Constructs an item from args; false (nothing constructed, or the
  /// temporary discarded) if full.
  template <class... A>
  bool try_emplace(A&&... args) {
    [[maybe_unused]] const auto call = obj_.enter("try_emplace");
    static_assert(std::is_constructible_v<T, A&&...>, "weave::mpmc_ring<T>::try_emplace: T is not constructible from these arguments");
    if constexpr (std::is_nothrow_constructible_v<T, A&&...>) {
      std::size_t p = 0;
      slot* s = claim_push(p);
      if (s == nullptr) return false;
      publish(*s, p, std::forward<A>(args)...);
    } else {
      T v(std::forward<A>(args)...);  // may throw: nothing is claimed yet
      std::size_t p = 0;
      slot* s = claim_push(p);
      if (s == nullptr) return false;
      publish(*s, p, std::move(v));
    }
    return true;
  }

  /// Moves the oldest available item into out; false (out untouched) if none.
  bool try_pop(T& out, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_pop", loc);
    std::size_t p = 0;
    slot* s = claim_pop(p);
    if (s == nullptr) return false;
    // Frees the slot even if the move assignment throws (M4, M5).
    struct release_slot {
      basic_mpmc_ring& r;
      slot& s;
      std::size_t p;
      ~release_slot() noexcept(on_hardware) { r.vacate(s, p); }
    } guard{*this, *s, p};
    out = std::move(*item(s->data.write()));
    return true;
  }

  /// The oldest available item, or nullopt. Never throws on hardware.
  std::optional<T> try_pop(source_location loc = source_location::current()) noexcept(on_hardware) {
    [[maybe_unused]] const auto call = obj_.enter("try_pop", loc);
    std::size_t p = 0;
    slot* s = claim_pop(p);
    if (s == nullptr) return std::nullopt;
    std::optional<T> r(std::move(*item(s->data.write())));
    vacate(*s, p);
    return r;
  }

  std::size_t capacity() const noexcept { return cap_; }

  /// The number of items at some moment near the call, clamped to
  /// [0, capacity()]; claimed but unfinished operations count as done.
  std::size_t size_approx(source_location loc = source_location::current()) const noexcept(on_hardware) {
    [[maybe_unused]] const auto call = obj_.enter("size_approx", loc);
    // relaxed: a snapshot; head first, so the later tail is rarely behind it.
    const std::size_t h = head_.v.load(std::memory_order_relaxed);
    // relaxed: as above.
    const std::size_t t = tail_.v.load(std::memory_order_relaxed);
    if (t <= h) return 0;
    return t - h > cap_ ? cap_ : t - h;
  }
  bool empty_approx(source_location loc = source_location::current()) const noexcept(on_hardware) {
    [[maybe_unused]] const auto call = obj_.enter("empty_approx", loc);
    return size_approx(loc) == 0;
  }

 private:
  static constexpr std::size_t cache_line = 64;
  // On hardware the operations marked noexcept(on_hardware) never throw. Under
  // the checker every atomic access is a scheduling point where the checker
  // may unwind the thread (by an exception), so they are not noexcept there.
  static constexpr bool on_hardware = std::is_same_v<S, real_sync>;

  struct storage {
    alignas(T) unsigned char bytes[sizeof(T)];
  };
  struct slot {
    typename S::template atomic<std::size_t> seq;
    typename S::template cell<storage> data;
  };
  // One index per cache line: producers hammer tail_, consumers head_.
  struct alignas(cache_line) index_line {
    typename S::template atomic<std::size_t> v{0};
  };
  static_assert(sizeof(index_line) == cache_line && alignof(index_line) == cache_line,
                "weave::mpmc_ring: head and tail each own one cache line (no false sharing)");

  static std::size_t checked(std::size_t capacity) {
    if (capacity < 1) throw_usage_error("weave::mpmc_ring", "capacity must be at least 1");
    if (capacity > std::numeric_limits<std::size_t>::max() / (4 * sizeof(slot)))
      throw_usage_error("weave::mpmc_ring", "capacity too large");
    return capacity;
  }
  void init() noexcept {
    for (std::size_t i = 0; i < cap_; ++i) {
      // relaxed: before any other thread can see the ring.
      slots_[i].seq.store(2 * i, std::memory_order_relaxed);
    }
  }
  std::size_t index(std::size_t p) const noexcept { return pow2_ ? (p & (cap_ - 1)) : p % cap_; }
  static T* item(storage& s) noexcept { return std::launder(reinterpret_cast<T*>(s.bytes)); }
  static std::ptrdiff_t diff(std::size_t a, std::size_t b) noexcept { return static_cast<std::ptrdiff_t>(a - b); }

  // Claims the next push position (into p); nullptr if its slot is not free (full).
  slot* claim_push(std::size_t& p) noexcept(on_hardware) {
    // relaxed: a guess; the seq check and the CAS decide (M1).
    p = tail_.v.load(std::memory_order_relaxed);
    for (;;) {
      slot& s = slots_[index(p)];
      // acquire: pairs with the release store of 2(p'+capacity) in vacate() (M4):
      // the consumer of the slot's previous position is done with the cell.
      const std::size_t seq = s.seq.load(std::memory_order_acquire);
      const std::ptrdiff_t d = diff(seq, 2 * p);
      if (d == 0) {
        // relaxed: the CAS only decides who owns position p (M1); the data
        // travels through seq (M3, M4). On failure p is reloaded.
        if (tail_.v.compare_exchange_weak(p, p + 1, std::memory_order_relaxed, std::memory_order_relaxed))
          return &s;
      } else if (d < 0) {
        return nullptr;  // the slot still serves p - capacity: full
      } else {
        // relaxed: p was stale; another guess.
        p = tail_.v.load(std::memory_order_relaxed);
      }
    }
  }

  // Claims the next pop position (into p); nullptr if its item is not there.
  slot* claim_pop(std::size_t& p) noexcept(on_hardware) {
    // relaxed: a guess; the seq check and the CAS decide (M1).
    p = head_.v.load(std::memory_order_relaxed);
    for (;;) {
      slot& s = slots_[index(p)];
      // acquire: pairs with the release store of 2p+1 in publish() (M3): the
      // producer of p constructed the item before.
      const std::size_t seq = s.seq.load(std::memory_order_acquire);
      const std::ptrdiff_t d = diff(seq, 2 * p + 1);
      if (d == 0) {
        // relaxed: as in claim_push, the CAS decides ownership only (M1).
        if (head_.v.compare_exchange_weak(p, p + 1, std::memory_order_relaxed, std::memory_order_relaxed))
          return &s;
      } else if (d < 0) {
        return nullptr;  // p's item is not published: empty
      } else {
        // relaxed: p was stale; another guess.
        p = head_.v.load(std::memory_order_relaxed);
      }
    }
  }

  template <class... A>
  static void publish(slot& s, std::size_t p, A&&... args) noexcept(on_hardware) {
    ::new (static_cast<void*>(s.data.write().bytes)) T(std::forward<A>(args)...);  // nothrow here (M2)
    // release: pairs with the acquire load of seq in claim_pop (M3).
    s.seq.store(2 * p + 1, std::memory_order_release);
  }

  void vacate(slot& s, std::size_t p) noexcept(on_hardware) {
    item(s.data.write())->~T();
    // release: pairs with the acquire load of seq in claim_push (M4).
    s.seq.store(2 * (p + cap_), std::memory_order_release);
  }

  // Read-only after construction.
  const std::size_t cap_;
  const bool pow2_;  // the capacity is a power of two: p % capacity is a mask
  std::conditional_t<N == 0, const std::unique_ptr<slot[]>, slot[N == 0 ? 1 : N]> slots_;
  index_line tail_;
  index_line head_;
  [[no_unique_address]] typename S::object obj_;
};

/// The hardware ring.
template <class T>
using mpmc_ring = basic_mpmc_ring<T>;

namespace model {
/// The same ring under the model checker.
template <class T>
using mpmc_ring = basic_mpmc_ring<T, model_sync>;
}  // namespace model

}  // namespace weave
