// weave/ring_queue.hpp — weave::ring_queue<T>, the bounded blocking FIFO queue
// on the lock-free MPMC ring.
//
// The interface and the behaviour are weave::fifo_queue's (queue.hpp: put/
// put_for/try_put, get/get_for/try_get with weave::queue_status, close with
// close_mode, task_done/join, snapshots), for a bounded FIFO of items whose
// moves cannot throw. It exists because that is where a lock pays most: a
// producer and a consumer of a fifo_queue take the same mutex for every item,
// here they meet only on the ring's slots and, when one side must wait, on a
// semaphore. Items whose copy or move may throw, unbounded queues, LIFO and
// priority orders: use queue.hpp (its monitor gives the strong guarantee).
//
// When to choose it (stress/bench/bench_queue: ring_queue / fifo_queue
// throughput in the same run, each run's median of 5 repetitions, five runs
// on a 2-core VM, fifo_queue with its Q7 spin; "busy" = the bench's second
// pass, one spinning thread per core):
//
//                              idle                 busy
//   capacity 1, 1P/1C          1.1-2.6x (med 2.2)   0.6-2.0x (med 1.1)
//   capacity 1024, 1P/1C       0.9-1.5x (med 1.05)  0.9-1.6x (med 1.1)
//   capacity 1024, 2P/2C       0.5-1.2x (med 0.86)  0.6-1.3x (med 0.83)
//
// So ring_queue earns its place as a hand-off queue on an idle machine
// (small capacity, one producer and one consumer): each item is a semaphore
// hand-off that wakes at most one sleeper per permit freed (S8 in
// semaphore.hpp), where fifo_queue's consumer and producer meet on one mutex
// per item. With room to spare the two are even; with many producers and
// consumers choose fifo_queue: its monitor batches (a thread that holds the
// mutex moves whatever is there), where the ring's threads contend on its
// slots and both semaphores. Measure yours: `make bench` prints both, idle
// and busy.
//
// Differences from Python: those of weave::fifo_queue (queue.hpp), plus: the
// queue is always bounded, items' moves must not throw, an immediate close
// may deliver a later item of a producer while dropping an earlier one (R6),
// and its operations are not linearizable: while another thread's put is
// between its slot permit and its item permit, a try_put (or put_for) may
// report full and a try_get (get_for) of the same thread then empty, where
// Python's Queue, under one lock, cannot. It is calls::stepwise: the model
// checker shows a call's steps (its semaphores' calls, its ring's steps) even
// to checks with opaque primitives.
//
// Design: the classic bounded buffer with two counting semaphores (Dijkstra,
// "Cooperating sequential processes", 1965: `empty` and `full` around the
// buffer), with weave::basic_mpmc_ring as the buffer instead of a locked array
// and weave::basic_semaphore as the semaphores (they park through the seam's
// futex only when a count is zero, so a flowing queue makes no system call).
//
//   slots_   free places: a producer takes one before pushing
//   items_   published items: a consumer takes one before popping
//   state_   closed bit, immediate bit, and the number of puts in flight
//            (between their closed check and their push's end)
//   unfinished_, done_gen_, joiners_   task_done/join
//
//   put:   in-flight++ (Q1) → closed? → take a slot permit (blocks/times out)
//          → closed? → unfinished_++ → push (R1) → release an item permit
//          → in-flight--
//   get:   immediate? → take an item permit (blocks/times out) → pop (R2)
//          → release a slot permit; or, closed with nothing left, closed.
//          A take that fails (try_, or the deadline passed) reports empty or
//          timeout only while the queue is open; once closed is set it goes
//          on as above without a permit (R3)
//   close: set closed (+ immediate) once, then release close_permits on both
//          semaphores: every blocked put and get wakes and sees closed (R3);
//          an immediate close waits for puts in flight, then drops what is
//          left and counts each dropped item as done (R4)
//
// Invariants:
//   R1  before close, slot permits + items in the ring (or being pushed or
//       popped) == capacity: a producer holding a permit has a free slot, or
//       one that a consumer is vacating (try_push retries with S::spin()).
//   R2  before close, item permits <= published items not yet claimed: a
//       consumer holding a permit finds an item, or one a producer is still
//       publishing at an earlier position (try_pop retries with S::spin()).
//   R3  after close, both semaphores hold at least close_permits - (threads):
//       acquires never block again; a get that finds nothing gives its permit
//       back. A get reports closed only when the ring is empty and no put is in
//       flight (Q1): an item whose put passed the closed check before close is
//       drained, never stranded. This holds for every get, blocking, timed or
//       try_: close sets the closed bit before it releases its permits, so a
//       take can fail after the bit is set; such a get goes on without a
//       permit (drain_or_closed) and waits for the puts in flight, past its
//       deadline if need be, rather than report closed early or empty/timeout
//       on a closed queue (fifo_queue never reports those either once closed:
//       one contract). It does not wait for close's permits, so a closer that
//       dies between its bit and its permits strands no get. An item it pops
//       has a permit left behind; after close that permit only lets a later
//       get look once more and find closed.
//   R4  unfinished_ >= items in the ring: put adds before pushing; task_done
//       subtracts only above zero; an immediate close subtracts what it drops.
//   R5  join: a joiner announces itself (joiners_++) before its last look at
//       unfinished_, task_done looks at joiners_ after bumping done_gen_; both
//       seq_cst (Dekker), and the joiner parks on the generation it read first,
//       so a zero crossing between its look and its park is not lost.
//   R6  an immediate close is not one atomic step: while it drops what is
//       left, a get that took its permit earlier may still pop, so around an
//       immediate close a later item of a producer can be delivered while an
//       earlier one is dropped (fifo_queue, which drops under its lock, cannot
//       do that). Nothing is delivered twice, and every item put is either
//       delivered or dropped and counted done.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "weave/error.hpp"
#include "weave/mpmc_ring.hpp"
#include "weave/queue.hpp"
#include "weave/semaphore.hpp"
#include "weave/sync.hpp"

namespace weave {

/// N == 0: the capacity is given at run time (the ring's slots on the heap).
/// N > 0: the capacity is N and everything lives inside the object (see
/// shared_ring_queue below).
template <class T, class S = real_sync, std::size_t N = 0>
class basic_ring_queue : public detail::queue_face<basic_ring_queue<T, S, N>, T, S> {
  static_assert(sync_policy<S>);
  static_assert(N == 0 || std::is_trivially_copyable_v<T>,
                "weave::shared_ring_queue<T, N>: T must be trivially copyable to cross processes");
  static_assert(std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>,
                "weave::ring_queue: T's moves must not throw (use weave::fifo_queue, which keeps "
                "items safe from throwing moves)");

  using deadline_t = typename S::clock::time_point;
  using sem_t = basic_semaphore<S, false>;

 public:
  using value_type = T;

  /// The largest capacity (the semaphores count in 31 bits, with room for the
  /// close permits).
  static constexpr std::size_t max_capacity = std::size_t{1} << 29;

  /// A queue holding at most capacity items; capacity 0 or above max_capacity
  /// is a usage_error.
  /// name: what the model checker's traces call it (nothing on hardware).
  explicit basic_ring_queue(std::size_t capacity, const char* name = nullptr) requires(N == 0)
      : ring_(checked(capacity)),
        slots_(static_cast<std::ptrdiff_t>(capacity)),
        items_(0),
        obj_{this, "ring_queue", name, calls::stepwise} {}

  /// A queue of the fixed capacity N.
  basic_ring_queue() requires(N > 0) : basic_ring_queue(nullptr) {}  // not explicit: an aggregate may hold one
  explicit basic_ring_queue(const char* name) requires(N > 0)
      : slots_(static_cast<std::ptrdiff_t>(checked(N))), items_(0), obj_{this, "ring_queue", name, calls::stepwise} {}

  basic_ring_queue(const basic_ring_queue&) = delete;
  basic_ring_queue& operator=(const basic_ring_queue&) = delete;

  // --- close ---------------------------------------------------------------

  void close(close_mode mode = close_mode::drain, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("close", loc);
    call.arg(mode);
    const std::uint32_t bits = closed_bit | (mode == close_mode::immediate ? immediate_bit : 0u);
    // acq_rel: release pairs with the acquire loads of put/get (they see closed
    // with what came before); acquire orders the drain below after in-flight puts.
    const std::uint32_t before = state_.fetch_or(bits, std::memory_order_acq_rel);
    if (!(before & closed_bit)) {  // the first close wakes everyone (R3)
      items_.release(close_permits);
      slots_.release(close_permits);
    }
    if (mode == close_mode::immediate) {
      // acquire: pairs with the release fetch_sub at the end of put (Q1): the
      // pushes of finished puts are visible to the drain.
      while (in_flight(state_.load(std::memory_order_acquire)) != 0) S::spin();
      std::size_t dropped = 0;
      while (ring_.try_pop().has_value()) ++dropped;
      if (dropped != 0) finish(dropped, false);
    }
  }

  bool closed(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = obj_.enter("closed", loc);
    // acquire: pairs with the release half of close()'s fetch_or.
    return (state_.load(std::memory_order_acquire) & closed_bit) != 0;
  }

  // --- tasks ---------------------------------------------------------------

  void task_done(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("task_done", loc);
    finish(1, true);
  }

  // --- snapshots -----------------------------------------------------------

  std::size_t size(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = obj_.enter("size", loc);
    return ring_.size_approx();
  }
  bool empty(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = obj_.enter("empty", loc);
    return size(loc) == 0;
  }
  bool full(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = obj_.enter("full", loc);
    return size(loc) >= capacity();
  }
  std::size_t capacity() const noexcept { return ring_.capacity(); }
  std::size_t unfinished_tasks(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = obj_.enter("unfinished_tasks", loc);
    // relaxed: a snapshot.
    return unfinished_.load(std::memory_order_relaxed);
  }

 private:
  static constexpr std::uint32_t closed_bit = 1, immediate_bit = 2, put_one = 4;
  static constexpr std::ptrdiff_t close_permits = std::ptrdiff_t{1} << 30;
  static constexpr std::uint32_t in_flight(std::uint32_t s) noexcept { return s / put_one; }

  static std::size_t checked(std::size_t capacity) {
    if (capacity == 0) throw_usage_error("weave::ring_queue", "capacity must be at least 1");
    if (capacity > max_capacity) throw_usage_error("weave::ring_queue", "capacity above max_capacity");
    return capacity;
  }

  // Takes a permit: at once (try_), or blocking in the semaphore, which spins
  // handoff_spin_budget times before it parks (S7 in weave/semaphore.hpp: the
  // other side usually answers within microseconds, and parking would cost it
  // a futex wake per item).
  using call_t = typename S::object::call;

  template <class Sem>
  static bool take(Sem& sem, deadline_t deadline, bool block, const call_t& call, const char* why) {
    if (!block) return sem.try_acquire();
    call.note(why);
    if (deadline == S::forever) {
      sem.acquire();
      return true;
    }
    return sem.try_acquire_until(deadline);
  }

  friend class detail::queue_face<basic_ring_queue, T, S>;

  // put of a const T&: copy it first (may throw: nothing has changed yet),
  // then put the copy. An rvalue is moved only into a slot it is sure of.
  queue_status put_impl(const T& item, deadline_t deadline, bool block, const call_t& call) {
    return put_impl(T(item), deadline, block, call);
  }
  queue_status put_impl(T&& item, deadline_t deadline, bool block, const call_t& call) {
    // acq_rel: acquire pairs with close()'s release; release is not needed for
    // the count itself but keeps the RMW's order with the closed check simple.
    std::uint32_t s = state_.fetch_add(put_one, std::memory_order_acq_rel);
    queue_status result = queue_status::ok;
    if (s & closed_bit) {
      result = queue_status::closed;
    } else if (!take(slots_, deadline, block, call, "the queue is full")) {
      // acquire: pairs with close()'s release.
      s = state_.load(std::memory_order_acquire);
      result = (s & closed_bit) ? queue_status::closed : (block ? queue_status::timeout : queue_status::full);
    } else if (state_.load(std::memory_order_acquire) & closed_bit) {  // acquire: as above
      slots_.release(1);  // a close permit, or a real one: give it back (R3)
      result = queue_status::closed;
    } else {
      // relaxed: the consumer's task_done reaches it through the ring's
      // publish/claim pair (release in push, acquire in pop), which orders it.
      unfinished_.fetch_add(1, std::memory_order_relaxed);  // R4
      while (!ring_.try_push(std::move(item))) S::spin();  // R1: a slot is ours
      items_.release(1);
    }
    // release: pairs with the acquire load in close(immediate) and get's
    // closed-and-drained check: our push happens-before their look (Q1).
    state_.fetch_sub(put_one, std::memory_order_release);
    return result;
  }

  template <class Sink>
  queue_status get_impl(Sink sink, deadline_t deadline, bool block, const call_t& call) {
    // acquire: pairs with close()'s release.
    if (state_.load(std::memory_order_acquire) & immediate_bit) return queue_status::closed;
    if (!take(items_, deadline, block, call, "the queue is empty")) {
      // acquire: as above.
      if (!(state_.load(std::memory_order_acquire) & closed_bit)) {
        return block ? queue_status::timeout : queue_status::empty;
      }
      // R3: closed, yet no permit: close() is between its closed bit and its
      // permits, and a put may be in flight. Decide as every get does, without
      // a permit (nothing waits for close's next step).
      return drain_or_closed(sink, false);
    }
    return drain_or_closed(sink, true);
  }

  // The end of every get (R3): an item, or closed once the ring is empty and
  // no put is in flight. With a permit (the take succeeded) it is given back
  // on closed, for the next get; without one (the take failed on a closed
  // queue) there is none to give.
  template <class Sink>
  queue_status drain_or_closed(Sink& sink, bool holding_permit) {
    for (;;) {
      if (pop_into(sink)) return queue_status::ok;  // the fast path reads no state_
      // acquire: pairs with put's release fetch_sub (the push of every put that
      // has left is visible to the pop below) and with close()'s release.
      const std::uint32_t s = state_.load(std::memory_order_acquire);
      if (pop_into(sink)) return queue_status::ok;
      if ((s & closed_bit) && in_flight(s) == 0) {
        // Closed before we looked, no put in flight then, and the pop after
        // found nothing: no item can come any more (R3).
        if (holding_permit) items_.release(1);  // give the (close) permit back for the next get
        return queue_status::closed;
      }
      // R2: an item is being published. The pop is the last look before the
      // spin, so a publish after it is what ends the spin.
      S::spin();
    }
  }

  template <class Sink>
  bool pop_into(Sink& sink) {
    std::optional<T> v = ring_.try_pop();
    if (!v) return false;
    sink(*v);  // moves the item out; nothrow (static_assert)
    slots_.release(1);
    return true;
  }

  // Subtracts n finished tasks; a checked call (task_done) past zero is a
  // usage_error that changes nothing.
  void finish(std::size_t n, bool checked_call) {
    // relaxed: a first look; the CAS decides.
    std::size_t u = unfinished_.load(std::memory_order_relaxed);
    std::size_t next = 0;
    do {
      if (checked_call && u < n) {
        throw_usage_error("weave::ring_queue", "task_done() called more times than items were put");
      }
      next = u < n ? 0 : u - n;
      // seq_cst: R5's task_done half (the zero crossing before the generation bump).
    } while (!unfinished_.compare_exchange_weak(u, next, std::memory_order_seq_cst, std::memory_order_relaxed));
    if (next != 0) return;
    // seq_cst: R5 — bump the generation, then look for joiners.
    done_gen_.fetch_add(1, std::memory_order_seq_cst);
    if (joiners_.load(std::memory_order_seq_cst) != 0) S::wake_all(done_gen_, scope::process_shared);
  }

  bool join_impl(deadline_t deadline, const call_t& call) {
    for (;;) {
      // seq_cst: R5 — the generation first, then the count.
      const std::uint32_t g = done_gen_.load(std::memory_order_seq_cst);
      if (unfinished_.load(std::memory_order_seq_cst) == 0) return true;
      // seq_cst: R5's joiner half: announce, then look again.
      joiners_.fetch_add(1, std::memory_order_seq_cst);
      wait_result r = wait_result::woken;
      if (unfinished_.load(std::memory_order_seq_cst) != 0) {
        call.note("some items are not done yet");
        r = S::wait(done_gen_, g, deadline, scope::process_shared);
      }
      // relaxed: only task_done's wake decision reads it; R5 covers the race.
      joiners_.fetch_sub(1, std::memory_order_relaxed);
      if (r == wait_result::timed_out) return unfinished_.load(std::memory_order_seq_cst) == 0;  // seq_cst: a last look
    }
  }

  basic_mpmc_ring<T, S, N> ring_;
  sem_t slots_;
  sem_t items_;
  typename S::template atomic<std::uint32_t> state_{0};
  typename S::template atomic<std::size_t> unfinished_{0};
  typename S::template atomic<std::uint32_t> done_gen_{0};
  typename S::template atomic<std::uint32_t> joiners_{0};
  [[no_unique_address]] typename S::object obj_;
};

template <class T>
using ring_queue = basic_ring_queue<T>;
namespace model {
template <class T>
using ring_queue = basic_ring_queue<T, model_sync>;
template <class T, std::size_t N>
using shared_ring_queue = basic_ring_queue<T, model_sync, N>;
}  // namespace model

/// A ring_queue of fixed capacity N that can be placed in memory shared
/// between processes (an anonymous MAP_SHARED mapping made before fork(), or a
/// shm_open'd one): the ring, the semaphores and the counters are plain words
/// inside the object, every futex is process-shared, and T must be trivially
/// copyable (an item is bytes that mean the same in every process). Construct
/// it once (placement new) before the other processes use it. A process that
/// dies mid-operation can leave a slot claimed and never published; the
/// others then wait for it (process death is handled by weave::pipe and
/// weave::robust_mutex, not here).
template <class T, std::size_t N>
using shared_ring_queue = basic_ring_queue<T, real_sync, N>;

}  // namespace weave
