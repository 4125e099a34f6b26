// weave/queue.hpp — weave's blocking queues: FIFO, LIFO and priority, bounded
// or unbounded, with close and task_done/join.
//
// Behaviour follows Python's queue module (Queue, LifoQueue, PriorityQueue,
// including 3.13's shutdown); names follow the C++ standard library where one
// exists (std::queue's size/empty, std::priority_queue's Compare):
//
//   fifo_queue<T>                 first in, first out (Python's Queue)
//   lifo_queue<T>                 last in, first out (Python's LifoQueue)
//   priority_queue<T, Compare>    smallest first by Compare (std::less<T>:
//                                 smallest first, as Python's heapq), FIFO
//                                 among equals (stable)
//
//   basic_queue()                 unbounded
//   basic_queue(capacity[, cmp])  bounded; capacity 0 is a usage_error
//   ...(..., name), (name)        name: what the model checker's traces call it (nothing on hardware)
//   put(item)                     blocks while full → ok | closed
//   put_for(item, d) / put_until  → ok | timeout | closed
//   try_put(item)                 → ok | full | closed
//   get(out)                      blocks while empty → ok | closed
//   get()                         → std::optional<T>, nullopt only when closed
//   get_for(out, d) / get_until   → ok | timeout | closed
//   try_get(out)                  → ok | empty | closed
//   close()                       later puts report closed; gets drain what is
//                                 left, then report closed; every blocked
//                                 producer and consumer wakes (Python 3.13's
//                                 shutdown())
//   close(close_mode::immediate)  also drops what is left (each dropped item
//                                 counts as done for join), so every get
//                                 reports closed (shutdown(immediate=True))
//   task_done()                   marks one item got earlier as processed;
//                                 more task_done() calls than puts is a
//                                 usage_error (Python: ValueError)
//   join() / join_for / join_until  waits until every item put has been marked
//                                 done (join_* → true, or false on timeout)
//   size(), empty(), full(), unfinished_tasks()
//                                 snapshots: another thread may change the
//                                 answer before the caller acts on it (use
//                                 try_get/try_put, never `if (!empty()) get()`)
//
// Differences from Python, and why:
//   - Full, Empty and ShutDown are statuses (queue_status::full, empty,
//     timeout, closed), not exceptions: they are outcomes a caller handles,
//     not errors. Misuse (capacity 0, task_done past zero) is usage_error
//     (Python: ValueError for task_done).
//   - Capacity 0 is an error, not "unbounded" (Python's maxsize <= 0): an
//     unbounded queue is the default-constructed one, so a computed capacity
//     that drops to 0 is caught instead of silently removing the bound.
//   - priority_queue is stable among equal priorities and takes a comparator
//     (Python's PriorityQueue compares whole items: equal priorities fall
//     through to the next field, and must be comparable).
//   - join has timed forms (join_for / join_until); Python's join has none.
//   - Timeouts are std durations and time points on any clock. One too large
//     to represent waits forever (saturating); a negative timeout or a
//     deadline in the past is one try (Python raises ValueError for a
//     negative timeout).
//
// A timeout is a status, never an exception. Items may be move-only. A copy or
// move that throws, in put or get, leaves the queue as it was and the item
// where it was (in the caller's hands for put, in the queue for get): put
// constructs the item in the store with the strong guarantee (std::deque, and a
// pre-reserved heap of boxed entries for priority), and get moves the item out
// before removing it.
//
// For a bounded FIFO of items whose moves cannot throw, weave::ring_queue
// (ring_queue.hpp) has the same interface on the lock-free MPMC ring, without
// a lock shared by producers and consumers. Which to choose (bench_queue,
// ring_queue / fifo_queue throughput, medians of 5 on 2 cores; the table is
// in ring_queue.hpp): ring_queue for hand-offs, a small capacity between one
// producer and one consumer (capacity 1: median 2.2x idle, 1.1x with every
// core busy); fifo_queue for everything else: room to spare (capacity 1024,
// 1P/1C: about even), many producers and consumers (2P/2C: median
// 0.83-0.86x), items whose moves may throw, unbounded, LIFO or priority.
//
// Design: a monitor (Hoare/Brinch Hansen; Python's queue.Queue has the same
// shape): one weave::basic_mutex<S> guards the store and the counters, three
// weave::basic_condition<S> park the threads waiting for "not empty", "not
// full" and "all tasks done". Every wait re-checks its predicate in a loop
// (conditions may return spuriously). The store is an S::cell, so under the
// model checker any access to it outside the mutex is reported as a data race.
//
// State (all under m_, Q1):
//   store_       the items, in the order's container
//   closed_      false → true, once (close is idempotent; an immediate close
//                after a draining one drops what is left)
//   unfinished_  items put and not yet marked done
//
//   open:    put adds (blocks while full), get removes (blocks while empty)
//   closed:  put → closed; get removes while non-empty, then → closed
//
// Invariants:
//   Q1  store_, closed_ and unfinished_ are read and written only under m_.
//   Q2  size ≤ capacity: put adds only after seeing size < capacity under m_.
//   Q3  unfinished_ ≥ size: each put adds one to both; get removes one item
//       only; task_done subtracts one only while unfinished_ > 0; an immediate
//       close removes k items and subtracts min(k, unfinished_).
//   Q4  no lost wake-up: every change a waiter may wait for (an item added, an
//       item removed, closed_ set, unfinished_ reaching 0) notifies the matching
//       condition after making the change under m_, and waiters register with
//       the condition before releasing m_ (condition C1), so a waiter that
//       saw the old state is registered before the notify looks (condition
//       C3). A put wakes one getter and a get one putter (each change enables
//       one waiter); close wakes them all.
//   Q6  put and get notify after releasing m_ (close, task_done and join's
//       wake-ups stay under it): a thread they wake finds m_ free, instead of
//       sleeping again on the m_ its notifier still holds, which, when
//       threads outnumber cores and the woken thread preempts its notifier,
//       cost a context switch per hand-off (bench_queue's capacity-1
//       hand-off). So a put or get touches the queue after the change it made
//       is visible to other threads: as with any object, the queue must
//       outlive every call on it (a consumer that got the last item must not
//       destroy the queue before the producer's put has returned).
//   Q5  a get that is notified but finds the item taken re-waits; a get that
//       times out but finds an item takes it: a timeout is reported only when
//       the predicate is still false at the deadline.
//   Q7  a put that finds the queue full, or a get that finds it empty,
//       spins once (spin_for_handoff) with m_ released before it waits on
//       its condition, looking only at hint_: empty, some, full or closed,
//       stored under m_ when a change of store_'s size or of closed_ changes
//       it (publish_hint, close; so at capacity 1024 only a put into an
//       empty or the last free place, and a get of the last item or from a
//       full store, store it). The hint is advice: the thread re-takes m_
//       and re-checks under it (Q1, Q2), so a stale hint costs a spin or a
//       lock, never an outcome. Why: a consumer that keeps up with its
//       producer finds the queue empty at almost every item; waiting on
//       not_empty_ each time costs both sides the condition's protocol per
//       item (its lock, its waiter record, the producer's notify), where a
//       spin on one word costs the producer nothing (its notify finds no
//       waiter, condition C3's fast path). bench_queue, fifo_queue / std's
//       monitor throughput, 1P/1C at capacity 1024 with the two pinned to
//       two CPUs: idle 0.61-0.81x before, median 0.90x after; busy 0.44-0.88x
//       before (7 runs), median 1.0x after; capacity 1 busy, unpinned:
//       median 12x after.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "weave/condition.hpp"
#include "weave/detail/lock.hpp"
#include "weave/error.hpp"
#include "weave/mutex.hpp"
#include "weave/sync.hpp"

namespace weave {

/// The outcome of a queue operation.
enum class queue_status {
  ok,       // done
  full,     // try_put: no room (Python: queue.Full)
  empty,    // try_get: nothing to get (Python: queue.Empty)
  timeout,  // put_for/get_for: the deadline passed first
  closed,   // the queue is closed (Python 3.13: queue.ShutDown)
};

/// A readable name for a status ("ok", "full", ...).
constexpr const char* to_string(queue_status s) noexcept {
  switch (s) {
    case queue_status::ok: return "ok";
    case queue_status::full: return "full";
    case queue_status::empty: return "empty";
    case queue_status::timeout: return "timeout";
    case queue_status::closed: return "closed";
  }
  return "?";
}

/// How close() treats the items still in the queue.
enum class close_mode {
  drain,      // consumers get them, then closed
  immediate,  // dropped; every get reports closed
};

/// The capacity of an unbounded queue.
inline constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();

/// Orders (the second template argument of basic_queue).
struct fifo {};
struct lifo {};
template <class Compare>
struct priority {
  using compare = Compare;
};

namespace detail {

// The store of each order: push with the strong guarantee, next() is the item
// get returns, drop_next() removes it (nothrow).
template <class T, class Order>
class queue_store;

// FIFO and LIFO: one deque, taken from the front or from the back.
template <class T, class Order>
  requires std::is_same_v<Order, fifo> || std::is_same_v<Order, lifo>
class queue_store<T, Order> {
  static constexpr bool from_front = std::is_same_v<Order, fifo>;

 public:
  static constexpr const char* name = from_front ? "weave::fifo_queue" : "weave::lifo_queue";
  std::size_t size() const noexcept { return items_.size(); }
  template <class U>
  void push(U&& v) {
    items_.push_back(std::forward<U>(v));  // strong guarantee (std::deque)
  }
  T& next() noexcept { return from_front ? items_.front() : items_.back(); }
  void drop_next() noexcept {
    if constexpr (from_front) items_.pop_front();
    else items_.pop_back();
  }
  void clear() noexcept { items_.clear(); }

 private:
  std::deque<T> items_;
};

// A binary heap of boxed entries: the heap moves only unique_ptrs (nothrow),
// so a T whose move throws never leaves the heap half-sifted. Each entry
// carries its arrival number, the tie-break that makes equal priorities FIFO.
template <class T, class Compare>
class queue_store<T, priority<Compare>> {
 public:
  static constexpr const char* name = "weave::priority_queue";
  explicit queue_store(Compare cmp = Compare()) : cmp_(std::move(cmp)) {}
  std::size_t size() const noexcept { return heap_.size(); }
  template <class U>
  void push(U&& v) {
    heap_.reserve(heap_.size() + 1);  // may throw: nothing changed yet
    auto e = std::make_unique<entry>(entry{T(std::forward<U>(v)), seq_});  // may throw: idem
    heap_.push_back(std::move(e));  // nothrow: capacity reserved
    ++seq_;
    std::push_heap(heap_.begin(), heap_.end(), later_);
  }
  T& next() noexcept { return heap_.front()->value; }
  void drop_next() noexcept {
    std::pop_heap(heap_.begin(), heap_.end(), later_);
    heap_.pop_back();
  }
  void clear() noexcept { heap_.clear(); }

 private:
  struct entry {
    T value;
    std::uint64_t seq;
  };
  using box = std::unique_ptr<entry>;
  // The std heap keeps its "largest" element in front; here "largest" is the
  // entry that comes out first, so a < b means a comes out after b.
  struct later {
    const Compare* cmp;
    bool operator()(const box& a, const box& b) const {
      if ((*cmp)(b->value, a->value)) return true;  // b has priority
      if ((*cmp)(a->value, b->value)) return false;
      return a->seq > b->seq;  // equal priority: the older first
    }
  };
  Compare cmp_;
  later later_{&cmp_};
  std::vector<box> heap_;
  std::uint64_t seq_ = 0;
};

/// The public face every weave queue shares (std-style put/get, their timed
/// and try_ forms, join), written once over the three operations a queue Q
/// implements (and befriends this class for):
///   put_impl(U&& item, deadline, block)   U is const T& or T
///   get_impl(sink, deadline, block)       calls sink(T&) to move the item out
///   join_impl(deadline)                   → true when no task is unfinished
template <class Q, class T, class S>
class queue_face {
  using deadline_t = typename S::clock::time_point;

 public:
  // --- put -----------------------------------------------------------------

  [[nodiscard]] queue_status put(const T& item, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("put", loc);
    call.arg(item);
    return self().put_impl(item, S::forever, true, call);
  }
  [[nodiscard]] queue_status put(T&& item, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("put", loc);
    call.arg(item);
    return self().put_impl(std::move(item), S::forever, true, call);
  }

  template <class Rep, class Period>
  [[nodiscard]] queue_status put_for(const T& item, const std::chrono::duration<Rep, Period>& d,
                                     source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("put_for", loc);
    call.arg(item);
    return self().put_impl(item, deadline_after<S>(d), true, call);
  }
  template <class Rep, class Period>
  [[nodiscard]] queue_status put_for(T&& item, const std::chrono::duration<Rep, Period>& d,
                                     source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("put_for", loc);
    call.arg(item);
    return self().put_impl(std::move(item), deadline_after<S>(d), true, call);
  }
  template <class Clock, class Duration>
  [[nodiscard]] queue_status put_until(const T& item, const std::chrono::time_point<Clock, Duration>& t,
                                       source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("put_until", loc);
    call.arg(item);
    return self().put_impl(item, to_deadline<S>(t), true, call);
  }
  template <class Clock, class Duration>
  [[nodiscard]] queue_status put_until(T&& item, const std::chrono::time_point<Clock, Duration>& t,
                                       source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("put_until", loc);
    call.arg(item);
    return self().put_impl(std::move(item), to_deadline<S>(t), true, call);
  }

  [[nodiscard]] queue_status try_put(const T& item, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("try_put", loc);
    call.arg(item);
    return self().put_impl(item, S::forever, false, call);
  }
  [[nodiscard]] queue_status try_put(T&& item, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("try_put", loc);
    call.arg(item);
    return self().put_impl(std::move(item), S::forever, false, call);
  }

  // --- get -----------------------------------------------------------------

  [[nodiscard]] queue_status get(T& out, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("get", loc);
    const queue_status st = self().get_impl(assign{out}, S::forever, true, call);
    if (st == queue_status::ok) call.returns(out);
    else call.returns(to_string(st));
    return st;
  }

  /// The next item, or std::nullopt once the queue is closed and drained.
  [[nodiscard]] std::optional<T> get(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("get", loc);
    std::optional<T> r;
    (void)self().get_impl([&](T& v) { r.emplace(std::move(v)); }, S::forever, true, call);
    if (r) call.returns(*r);
    else call.returns("closed");
    return r;
  }

  template <class Rep, class Period>
  [[nodiscard]] queue_status get_for(T& out, const std::chrono::duration<Rep, Period>& d,
                                     source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("get_for", loc);
    call.arg(d);
    return self().get_impl(assign{out}, deadline_after<S>(d), true, call);
  }
  template <class Clock, class Duration>
  [[nodiscard]] queue_status get_until(T& out, const std::chrono::time_point<Clock, Duration>& t,
                                       source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("get_until", loc);
    return self().get_impl(assign{out}, to_deadline<S>(t), true, call);
  }

  [[nodiscard]] queue_status try_get(T& out, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("try_get", loc);
    const queue_status st = self().get_impl(assign{out}, S::forever, false, call);
    if (st == queue_status::ok) call.returns(out);
    else call.returns(to_string(st));
    return st;
  }

  // --- join ----------------------------------------------------------------

  /// Waits until every item put has been marked done (task_done, or dropped
  /// by an immediate close).
  void join(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("join", loc);
    (void)self().join_impl(S::forever, call);
  }

  template <class Rep, class Period>
  [[nodiscard]] bool join_for(const std::chrono::duration<Rep, Period>& d,
                              source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("join_for", loc);
    return self().join_impl(deadline_after<S>(d), call);
  }
  template <class Clock, class Duration>
  [[nodiscard]] bool join_until(const std::chrono::time_point<Clock, Duration>& t,
                                source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = self().obj_.enter("join_until", loc);
    return self().join_impl(to_deadline<S>(t), call);
  }

 private:
  struct assign {
    T& out;
    void operator()(T& v) { out = std::move(v); }
  };
  Q& self() noexcept { return static_cast<Q&>(*this); }
};

}  // namespace detail

template <class T, class Order = fifo, class S = real_sync>
class basic_queue : public detail::queue_face<basic_queue<T, Order, S>, T, S> {
  static_assert(sync_policy<S>);
  static_assert(std::is_object_v<T> && !std::is_const_v<T>, "weave::queue: T must be a non-const object type");
  static_assert(std::is_move_constructible_v<T>, "weave::queue: T must be move-constructible");
  static_assert(std::is_nothrow_destructible_v<T>, "weave::queue: T's destructor must not throw");

  using store_t = detail::queue_store<T, Order>;
  using deadline_t = typename S::clock::time_point;
  using hold = detail::unique_hold<basic_mutex<S>>;

 public:
  using value_type = T;
  using order = Order;

  /// An unbounded queue.
  basic_queue() : basic_queue(unbounded) {}
  /// The same, named (a template, so that queue(0) stays a capacity).
  template <class Name>
    requires std::is_same_v<Name, const char*>
  explicit basic_queue(Name name) : basic_queue(unbounded, name) {}

  /// A queue holding at most capacity items (weave::unbounded: no limit).
  /// name: what the model checker's traces call it (nothing on hardware).
  explicit basic_queue(std::size_t capacity, const char* name = nullptr)
    requires std::is_default_constructible_v<store_t>
      : capacity_(checked(capacity)), obj_{this, kind(), name} {}

  /// A bounded priority queue with a comparator object.
  template <class C>
  basic_queue(std::size_t capacity, C cmp, const char* name = nullptr) requires std::is_constructible_v<store_t, C>
      : capacity_(checked(capacity)), store_(std::move(cmp)), obj_{this, kind(), name} {}

  basic_queue(const basic_queue&) = delete;
  basic_queue& operator=(const basic_queue&) = delete;
  ~basic_queue() = default;

  // --- close ---------------------------------------------------------------

  /// Closes the queue (idempotent). See close_mode. Wakes every blocked
  /// producer, consumer and, if an immediate close finishes the last tasks,
  /// joiner (Q4).
  void close(close_mode mode = close_mode::drain, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("close", loc);
    call.arg(mode);
    hold h(m_);
    const bool was_closed = closed_.read();
    closed_.write() = true;
    if (mode == close_mode::immediate) {
      const std::size_t dropped = store_.read().size();
      store_.write().clear();
      std::size_t& u = unfinished_.write();
      u -= std::min(dropped, u);  // Q3
      if (u == 0) all_done_.notify_all();
    }
    // relaxed: advice only (Q7). Ends every spin; stored once (Q7: when it changes).
    if (!was_closed) hint_.store(hint_t::closed, std::memory_order_relaxed);
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  /// Whether close() has been called.
  bool closed(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = obj_.enter("closed", loc);
    hold h(m_);
    return closed_.read();
  }

  // --- tasks ---------------------------------------------------------------

  /// Marks one item got earlier as processed. More calls than puts is a
  /// usage_error and changes nothing.
  void task_done(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("task_done", loc);
    hold h(m_);
    if (unfinished_.read() == 0) throw_usage_error(store_t::name, "task_done() called more times than items were put");
    if (--unfinished_.write() == 0) all_done_.notify_all();  // Q4
  }

  // --- snapshots -----------------------------------------------------------

  std::size_t size(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = obj_.enter("size", loc);
    hold h(m_);
    const std::size_t n = store_.read().size();
    call.returns(n);
    return n;
  }
  bool empty(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = obj_.enter("empty", loc);
    const bool r = size(loc) == 0;
    call.returns(r);
    return r;
  }
  bool full(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = obj_.enter("full", loc);
    const bool r = size(loc) >= capacity_;
    call.returns(r);
    return r;
  }
  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t unfinished_tasks(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = obj_.enter("unfinished_tasks", loc);
    hold h(m_);
    return unfinished_.read();
  }

 private:
  friend class detail::queue_face<basic_queue, T, S>;

  static constexpr const char* kind() noexcept {
    if constexpr (std::is_same_v<Order, fifo>) return "queue";
    else if constexpr (std::is_same_v<Order, lifo>) return "lifo_queue";
    else return "priority_queue";
  }
  using call_t = typename S::object::call;

  static std::size_t checked(std::size_t capacity) {
    if (capacity == 0) {
      throw_usage_error(store_t::name, "capacity must be at least 1 (weave::unbounded for no limit)");
    }
    return capacity;
  }

  template <class U>
  queue_status put_impl(U&& item, deadline_t deadline, bool block, const call_t& call) {
    hold h(m_);
    for (bool spun = false;;) {
      if (closed_.read()) return queue_status::closed;
      if (store_.read().size() < capacity_) break;  // Q2
      if (!block) return queue_status::full;
      if (!spun) {  // Q7
        spun = true;
        spin_unlocked(h, deadline, [](hint_t hint) { return hint != hint_t::full; });
        continue;
      }
      call.note("the queue is full");
      if (not_full_.wait_until(h, deadline) == cv_status::timeout) {
        if (closed_.read()) return queue_status::closed;
        if (store_.read().size() < capacity_) break;  // Q5
        return queue_status::timeout;
      }
    }
    store_.write().push(std::forward<U>(item));  // may throw: nothing changed
    ++unfinished_.write();                       // Q3
    publish_hint(store_.read().size() - 1);      // Q7
    h.unlock();
    not_empty_.notify(1);  // Q4, Q6
    return queue_status::ok;
  }

  template <class Sink>
  queue_status get_impl(Sink sink, deadline_t deadline, bool block, const call_t& call) {
    hold h(m_);
    for (bool spun = false;;) {
      if (store_.read().size() != 0) break;  // drains even when closed
      if (closed_.read()) return queue_status::closed;
      if (!block) return queue_status::empty;
      if (!spun) {  // Q7
        spun = true;
        spin_unlocked(h, deadline, [](hint_t hint) { return hint != hint_t::empty; });
        continue;
      }
      call.note("the queue is empty");
      if (not_empty_.wait_until(h, deadline) == cv_status::timeout) {
        if (store_.read().size() != 0) break;  // Q5
        return closed_.read() ? queue_status::closed : queue_status::timeout;
      }
    }
    sink(store_.write().next());  // may throw: the item stays in the queue
    store_.write().drop_next();
    publish_hint(store_.read().size() + 1);  // Q7
    h.unlock();
    if (capacity_ != unbounded) not_full_.notify(1);  // Q4, Q6
    return queue_status::ok;
  }

  // Q7: what a spinning put or get looks at.
  enum class hint_t : std::uint32_t { empty, some, full, closed };

  // Q7: the hint for a store of n items.
  hint_t hint_for(std::size_t n) const {
    return closed_.read() ? hint_t::closed : n == 0 ? hint_t::empty : n == capacity_ ? hint_t::full : hint_t::some;
  }

  // Q7; called under m_ after a put or get changed the store's size from
  // `before`: stores the hint only if that changed it (no traffic otherwise).
  void publish_hint(std::size_t before) {
    const hint_t h = hint_for(store_.read().size());
    // relaxed: advice only (Q7); a spinner that reads it re-takes m_, whose
    // unlock/lock orders what it then reads.
    if (h != hint_for(before)) hint_.store(h, std::memory_order_relaxed);
  }

  // Q7: releases m_, spins until ready(hint_) or the spin's budget or the
  // deadline runs out, re-takes m_.
  template <class Ready>
  void spin_unlocked(hold& h, deadline_t deadline, Ready ready) {
    h.unlock();
    // relaxed: advice only (Q7), re-checked under m_.
    (void)spin_for_handoff<S>([&] { return ready(hint_.load(std::memory_order_relaxed)); }, deadline);
    h.lock();
  }

  bool join_impl(deadline_t deadline, const call_t& call) {
    hold h(m_);
    while (unfinished_.read() != 0) {
      call.note("some items are not done yet");
      if (all_done_.wait_until(h, deadline) == cv_status::timeout) return unfinished_.read() == 0;
    }
    return true;
  }

  const std::size_t capacity_;
  mutable basic_mutex<S> m_;
  basic_condition<S> not_empty_;
  basic_condition<S> not_full_;
  basic_condition<S> all_done_;
  typename S::template cell<store_t> store_{};           // Q1
  typename S::template cell<bool> closed_{false};         // Q1
  typename S::template cell<std::size_t> unfinished_{0};  // Q1
  typename S::template atomic<hint_t> hint_{hint_t::empty};  // Q7
  [[no_unique_address]] typename S::object obj_;
};

template <class T, class S = real_sync>
using basic_fifo_queue = basic_queue<T, fifo, S>;
template <class T, class S = real_sync>
using basic_lifo_queue = basic_queue<T, lifo, S>;
template <class T, class Compare = std::less<T>, class S = real_sync>
using basic_priority_queue = basic_queue<T, priority<Compare>, S>;

template <class T>
using fifo_queue = basic_fifo_queue<T>;
template <class T>
using lifo_queue = basic_lifo_queue<T>;
template <class T, class Compare = std::less<T>>
using priority_queue = basic_priority_queue<T, Compare>;

namespace model {
template <class T>
using fifo_queue = basic_fifo_queue<T, model_sync>;
template <class T>
using lifo_queue = basic_lifo_queue<T, model_sync>;
template <class T, class Compare = std::less<T>>
using priority_queue = basic_priority_queue<T, Compare, model_sync>;
}  // namespace model

}  // namespace weave
