// weave/semaphore.hpp — weave::counting_semaphore and weave::bounded_semaphore.
//
// Mirrors std::counting_semaphore (acquire, try_acquire, try_acquire_for/until,
// release(n)); behaviour follows Python's threading.Semaphore and
// BoundedSemaphore: a negative initial count is an error (ValueError there,
// weave::usage_error here), and releasing a bounded semaphore above its bound
// is an error that changes nothing.
//
// Differences from Python, and why:
//   - counting_semaphore has no default count: it must be given, as
//     std::counting_semaphore requires. Python's Semaphore() starts with 1,
//     while a semaphore used as a signal starts at 0; no default suits both,
//     and a wrong one would compile silently.
//     bounded_semaphore{} starts with 1, as Python's BoundedSemaphore(): its
//     bound is its initial count, and a bound of 0 is of no use.
//   - release(0) changes nothing and is no error, as std::counting_semaphore
//     allows it (Python raises ValueError for n < 1); release(n) with n < 0 is
//     a usage_error ("release of a negative number of permits") and changes
//     nothing.
//   - acquire(blocking, timeout) is split into acquire / try_acquire /
//     try_acquire_for / try_acquire_until (std's names). A timeout too large to
//     represent waits forever (Python raises OverflowError), a negative one or
//     a deadline in the past is one try.
//   - release(n) with n > 1 wakes every sleeper, which race for the n permits
//     (Python notifies n); none is lost either way (S1).
//
// Design: a futex word holding the number of free permits, plus a count of
// threads that may be asleep, after glibc's NPTL semaphore (nptl/
// sem_waitcommon.c, T. Riegel's 2015 rewrite: value plus nwaiters; sem_post
// wakes only if nwaiters is nonzero; a waiter takes a token only with its own
// CAS, never by hand-off). A permit is only ever taken by the acquirer's own
// CAS on the count, so a waiter that times out cannot lose a permit released
// "to it" (the classic bug of hand-off designs; models/checks/semaphore.cpp
// keeps that bug as a twin). The price is that a woken waiter may find the
// permit already taken by a thread that never slept (barging) and park again.
//
// State: count_ = free permits (0 ≤ count_ ≤ bound), sleepers_ = acquirers
// between announcing themselves and leaving the slow path (an upper bound on
// the threads parked on count_).
//
//   release(n):  count_ += n (S1); if count_ was 0 and sleepers_ != 0: wake
//                one (n = 1) or all (S8)
//   acquire:     CAS count_ c -> c-1 while c > 0 (S1); else spin a while
//                looking for a permit (S7); else sleepers_++ (S2), look at
//                count_ again, park on count_ == 0 (S3), look again after
//                every return; leave with sleepers_--, waking one more
//                sleeper if permits are left (S8).
//
// Invariants:
//   S1  a permit changes hands only through a CAS count_ -> count_-1 by the
//       acquirer, or an RMW count_ -> count_+n by a releaser.
//   S2  a sleeper announces itself (sleepers_++) before its last look at count_,
//       and a releaser looks at sleepers_ after raising count_; both are seq_cst,
//       so at least one of them sees the other (Dekker): either the sleeper sees
//       the permit or the releaser sees the sleeper and wakes it.
//   S3  the sleeper parks with expected value 0, so the futex re-checks count_
//       atomically: a release between its look and its park is not lost.
//   S4  a bounded release that would pass the bound throws and leaves count_ alone.
//   S5  a timed acquire that times out looks at count_ once more and takes a
//       permit it finds; either way it returns having taken at most one permit,
//       and exactly one if it returns true.
//   S6  all state is two 32-bit words and the futex is process-shared, so a
//       semaphore placed in shared memory (MAP_SHARED) works between processes,
//       like weave::mutex (DESIGN §4, process-shared use).
//   S7  before announcing itself a blocking acquirer spins up to
//       S::handoff_spin_budget times, taking a permit only with try_acquire's
//       CAS (S1); so the spin changes no state and only spares the releaser a
//       futex wake and the acquirer a park when the permit comes within
//       microseconds (a ping-pong; libstdc++'s semaphore spins too). A timed
//       acquire spins only before its deadline, looking at the clock every 64
//       spins.
//   S8  only a release that raises count_ from 0 wakes a sleeper, and a
//       thread leaving the slow path that sees permits left and other
//       sleepers announced wakes one more (a chain). Each permit freed while
//       sleepers wait thus costs at most one wake, not one per release: a
//       producer that outruns a woken consumer still waiting for a CPU (threads
//       outnumber cores) releases without a system call, where it used to
//       make one per item until the consumer ran. No wake is lost: a sleeper
//       parked after a look that saw 0 (S2, S3), so the next raise from 0
//       sees it and wakes one sleeper; that one, or a thread it lets past,
//       leaves the slow path while permits may remain, and then wakes the
//       next (models/checks/semaphore.cpp: two sleepers, two releases).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "weave/error.hpp"
#include "weave/sync.hpp"

namespace weave {

template <class S = real_sync, bool Bounded = false>
class basic_semaphore {
  static_assert(sync_policy<S>);

 public:
  static constexpr std::ptrdiff_t max() noexcept { return std::numeric_limits<std::int32_t>::max(); }

  /// initial permits, 0 ≤ initial ≤ max() (usage_error otherwise); for a
  /// bounded semaphore the bound is the initial value. name: what the model
  /// checker's traces call it (nothing on hardware).
  explicit basic_semaphore(std::ptrdiff_t initial, const char* name = nullptr)
      : bound_(checked(initial)),
        count_(static_cast<std::uint32_t>(bound_)),
        obj_{this, Bounded ? "bounded_semaphore" : "semaphore", name} {}
  /// A bounded semaphore of bound 1 (Python's BoundedSemaphore()). A counting
  /// semaphore has no default: its count must be given.
  basic_semaphore() requires Bounded : basic_semaphore(1) {}
  /// The same, named (a template, so that bounded_semaphore{0} stays a count).
  template <class Name>
    requires(Bounded && std::is_same_v<Name, const char*>)
  explicit basic_semaphore(Name name) : basic_semaphore(1, name) {}
  basic_semaphore(const basic_semaphore&) = delete;
  basic_semaphore& operator=(const basic_semaphore&) = delete;

  bool try_acquire(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_acquire", loc);
    call.reads_decide();  // "no permit" is what a read saw (sync.hpp)
    // seq_cst: a 0 here decides "no permit", in one order with every
    // primitive's calls (sync.hpp, Python's order).
    std::uint32_t c = count_.load(std::memory_order_seq_cst);
    while (c > 0) {
      // seq_cst: the linearization point, and on failure a read that may
      // decide (sync.hpp); as acquire it pairs with release()'s RMW (S1).
      if (count_.compare_exchange_weak(c, c - 1, std::memory_order_seq_cst, std::memory_order_seq_cst))
        return true;
    }
    return false;
  }

  void acquire(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("acquire", loc);
    (void)acquire_until(S::forever, call);
  }

  template <class Rep, class Period>
  bool try_acquire_for(const std::chrono::duration<Rep, Period>& timeout,
                       source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_acquire_for", loc);
    call.arg(timeout);
    return acquire_until(deadline_after<S>(timeout), call);
  }

  template <class Clock, class Duration>
  bool try_acquire_until(const std::chrono::time_point<Clock, Duration>& t,
                         source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("try_acquire_until", loc);
    return acquire_until(to_deadline<S>(t), call);
  }

  /// Adds n permits, waking sleepers. n == 0 changes nothing (as in std);
  /// n < 0, past the bound (bounded) or past max() (counting) is a usage_error
  /// that changes nothing.
  void release(std::ptrdiff_t n = 1, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("release", loc);
    call.arg(n);
    if (n < 0) throw_usage_error(name(), "release of a negative number of permits");
    if (n == 0) return;
    const auto add = static_cast<std::uint32_t>(n);
    std::uint32_t before = 0;  // count_ just before this release
    if constexpr (Bounded) {
      // relaxed: the CAS below publishes.
      before = count_.load(std::memory_order_relaxed);
      do {
        if (static_cast<std::ptrdiff_t>(before) + n > bound_)
          throw_usage_error(name(), "release above the initial value (over-release)");  // S4
        // seq_cst: the linearization point (sync.hpp), release for the
        // acquirer's CAS (S1) and S2's half.
      } while (!count_.compare_exchange_weak(before, before + add, std::memory_order_seq_cst,
                                             std::memory_order_relaxed));
    } else {
      // relaxed: a guard against overflow only; the fetch_add publishes.
      if (static_cast<std::ptrdiff_t>(count_.load(std::memory_order_relaxed)) + n > max())
        throw_usage_error(name(), "release past the maximum count");
      // seq_cst: the linearization point (sync.hpp), release for the
      // acquirer's CAS (S1) and S2's half.
      before = count_.fetch_add(add, std::memory_order_seq_cst);
    }
    // S8: only a release that raises the count from 0 wakes; one onto permits
    // already free leaves the waking to the release that freed them and to
    // the chain in acquire_until.
    if (before != 0) return;
    // seq_cst: the other half of S2, after raising the count.
    if (sleepers_.load(std::memory_order_seq_cst) != 0) {
      if (n == 1) S::wake_one(count_, scope::process_shared);  // S6
      else S::wake_all(count_, scope::process_shared);
    }
  }

  /// The bound of a bounded semaphore (its initial count, as in Python's
  /// BoundedSemaphore): release() past it is a usage_error.
  std::ptrdiff_t bound() const noexcept requires Bounded { return bound_; }

  /// A snapshot, for tests and assertions only.
  std::ptrdiff_t available(source_location loc = source_location::current()) const noexcept {
    [[maybe_unused]] const auto call = obj_.enter("available", loc);
    // relaxed: a snapshot.
    return static_cast<std::ptrdiff_t>(count_.load(std::memory_order_relaxed));
  }

 private:
  static constexpr const char* name() noexcept {
    return Bounded ? "weave::bounded_semaphore" : "weave::counting_semaphore";
  }
  static std::ptrdiff_t checked(std::ptrdiff_t initial) {
    if (initial < 0) throw_usage_error(name(), "negative initial count");
    if (initial > max()) throw_usage_error(name(), "initial count above max()");
    return initial;
  }

  // The slow path. The acquirer stays announced in sleepers_ for as long as it
  // may park, and takes a permit only with its own CAS (S1), so a time-out
  // never strands one: a timed-out acquirer looks once more and takes any
  // permit it finds (S5).
  bool acquire_until(typename S::clock::time_point deadline, const typename S::object::call& call) {
    if (try_acquire()) return true;
    // S7: spin a while before announcing; the permit usually comes from a
    // thread that is running right now.
    if (spin_for_handoff<S>([&] { return try_acquire(); }, deadline)) return true;
    // seq_cst: S2's sleeper half: announce, then look again.
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    bool got = false;
    bool timed_out = false;
    for (;;) {
      // seq_cst: S2 — this look is ordered after the announcement.
      std::uint32_t c = count_.load(std::memory_order_seq_cst);
      while (c > 0 && !got) {
        // seq_cst: the linearization point (sync.hpp); as acquire it pairs
        // with release()'s RMW (S1). relaxed on failure: the loop goes on.
        got = count_.compare_exchange_weak(c, c - 1, std::memory_order_seq_cst, std::memory_order_relaxed);
      }
      if (got || timed_out) break;  // S5: a time-out ends after one more look
      call.note("no permit is free");
      timed_out = S::wait(count_, 0, deadline, scope::process_shared) == wait_result::timed_out;  // S3, S6
    }
    // seq_cst: S8's chain, the leaver's half of a Dekker pair with a sleeper's
    // announcement (S2): after leaving, look at count_; a sleeper announced
    // after this RMW looks at count_ itself.
    const std::uint32_t others = sleepers_.fetch_sub(1, std::memory_order_seq_cst) - 1;
    // seq_cst: ordered after the leave above (S8).
    if (others != 0 && count_.load(std::memory_order_seq_cst) != 0)
      S::wake_one(count_, scope::process_shared);  // S8: pass the wake on (S6)
    return got;
  }

  std::ptrdiff_t bound_;
  typename S::template atomic<std::uint32_t> count_;
  typename S::template atomic<std::uint32_t> sleepers_{0};
  [[no_unique_address]] typename S::object obj_;
};

template <class S = real_sync>
using basic_counting_semaphore = basic_semaphore<S, false>;
template <class S = real_sync>
using basic_bounded_semaphore = basic_semaphore<S, true>;

using counting_semaphore = basic_counting_semaphore<>;
using bounded_semaphore = basic_bounded_semaphore<>;
namespace model {
using counting_semaphore = basic_counting_semaphore<model_sync>;
using bounded_semaphore = basic_bounded_semaphore<model_sync>;
}  // namespace model

static_assert(sizeof(counting_semaphore) <= 16);
static_assert(!std::is_default_constructible_v<counting_semaphore>,
              "weave::counting_semaphore needs its initial count, as std::counting_semaphore does");
static_assert(std::is_default_constructible_v<bounded_semaphore>,
              "weave::bounded_semaphore{} has bound 1, as Python's BoundedSemaphore()");

}  // namespace weave
