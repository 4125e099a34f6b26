// weave/event.hpp — weave::event, a one-word futex event flag.
//
// Behaviour follows Python's threading.Event (there is no std equivalent; the
// names are Python's, the timed waits follow std's wait_for/wait_until shape):
//   set()       sets the flag and wakes every waiter
//   clear()     resets the flag; later waits block until the next set()
//   is_set()    the flag
//   wait()      returns at once if the flag is set, else blocks until set();
//               always returns true
//   wait_for(d) / wait_until(t)
//               the same with a deadline: true if the event was set, false on
//               timeout (a status, never an exception)
// As in Python, a waiter returns true if the event was set at any moment while
// it waited, even if another thread cleared it again before the waiter ran
// (Python re-checks the flag under a Condition and can miss a set that was
// cleared in between only because its notify is tied to that Condition; here
// the guarantee comes from a generation count in the futex word).
//
// Differences from Python, and why:
//   - wait(timeout) is split into wait / wait_for / wait_until (std's shape);
//     the timed forms return false on timeout, as Python's wait does.
//   - Timeouts are std durations and time points on any clock. One too large
//     to represent waits forever (saturating; Python raises OverflowError past
//     threading.TIMEOUT_MAX); a negative timeout or a deadline in the past is
//     one try (Python's Event.wait also treats a negative
//     timeout as "do not block").
//   - It also works between processes when placed in shared memory (Python
//     needs multiprocessing.Event for that).
//
// Design: a single 32-bit futex word, after the "eventcount" idea (Vyukov's
// eventcount; the generation half of Drepper's "Futexes Are Tricky" §4 barrier/
// condvar sequence counters): the flag, a "someone may sleep" bit, and a
// generation that counts every clear→set transition. A waiter remembers the
// generation it started in and returns true as soon as the flag is set or the
// generation moved. set() wakes only when the waiters bit says someone may be
// asleep, so set() with nobody waiting is one RMW and no system call.
//
// Word layout (state_):
//
//   bit 0        set      the flag (is_set())
//   bit 1        waiters  a thread may be parked on the word (or about to park)
//   bits 2..31   gen      number of clear→set transitions, mod 2^30
//
// State machine (g = gen):
//
//   {clear, g}          --set-------------------->  {set, g+1}                (no wake)
//   {clear+waiters, g}  --set-------------------->  {set, g+1} + wake_all     (E2)
//   {set, g}            --set-------------------->  unchanged                 (no RMW)
//   {set, g}            --clear------------------>  {clear, g}
//   {clear, g}          --wait: announce (CAS)--->  {clear+waiters, g}, park on that value
//   {clear(+waiters), g} --clear----------------->  unchanged
//
// Invariants:
//   E1  the waiters bit is only ever set while the flag is clear, and only set()
//       removes it (together with setting the flag and bumping gen): a parked
//       waiter's expected value contains the bit, so any set() after it parked
//       changes the word and sees the bit.
//   E2  set() wakes all parked waiters iff the word it replaced had the waiters
//       bit (E1); since all of set(), clear() and the announcing CAS are RMWs on
//       one word, they are totally ordered and no wake-up is lost: a waiter that
//       announced before set() is woken, one that looks after it sees the flag
//       or a new gen.
//   E3  a waiter returns true iff it saw the flag set or gen different from the
//       gen it started with; gen moves only in set(), so "true" means a set()
//       happened after the waiter started (or the flag was set when it started).
//       gen wraps after 2^30 sets: a waiter would have to stay descheduled
//       between two of its own loads across exactly 2^30 set/clear pairs to miss
//       one (and then it only misses it if the flag is clear again) — accepted.
//   E4  set() is a release and every wait's load an acquire: what the setter did
//       before set() is visible to a waiter that returns true. clear() is an RMW,
//       so it continues the release sequence of the set() it follows. Only the
//       set() that turns the flag on publishes: a set() of an event already set
//       changes nothing (E1), so a second setter's earlier writes are not
//       published by it (publish through the set() that a waiter can tell
//       apart, or through a lock).
//   E5  the whole state is one 32-bit word and the futex is process-shared: an
//       event placed in shared memory (MAP_SHARED) works between processes.
//   E6  before announcing itself a waiter spins (spin_for_handoff in sync.hpp)
//       only loading the word, and returns true on what E3 would return true
//       on; the spin writes nothing, so E1..E3 hold as without it.
#pragma once

#include <chrono>
#include <cstdint>

#include "weave/sync.hpp"

namespace weave {

template <class S = real_sync>
class basic_event {
  static_assert(sync_policy<S>);

 public:
  /// name: what the model checker's traces call it (nothing on hardware).
  basic_event() noexcept : basic_event(nullptr) {}  // not explicit: an aggregate may hold one
  explicit basic_event(const char* name) noexcept : obj_{this, "event", name} {}
  basic_event(const basic_event&) = delete;
  basic_event& operator=(const basic_event&) = delete;

  /// Sets the flag and wakes every waiter (Python's Event.set()).
  void set(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("set", loc);
    call.reads_decide();  // "already set" (sync.hpp)
    // seq_cst: it may decide "already set" (E1), in one order with every
    // primitive's calls (sync.hpp, Python's order).
    std::uint32_t w = state_.load(std::memory_order_seq_cst);
    for (;;) {
      if (w & set_bit) return;  // already set: nothing to publish, nobody asleep (E1)
      const std::uint32_t next = ((w & ~(set_bit | waiters_bit)) + gen_one) | set_bit;
      // seq_cst: the linearization point, and on failure the read that may
      // decide "already set" (sync.hpp); as release it pairs with the loads
      // in is_set()/wait (E4).
      if (state_.compare_exchange_weak(w, next, std::memory_order_seq_cst, std::memory_order_seq_cst)) break;
    }
    if (w & waiters_bit) S::wake_all(state_, scope::process_shared);  // E2, E5
  }

  /// Resets the flag (Python's Event.clear()).
  void clear(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("clear", loc);
    // seq_cst: the linearization point (sync.hpp); it publishes nothing, and
    // as an RMW it keeps the release sequence of the preceding set() intact
    // for later acquirers (E4).
    state_.fetch_and(~set_bit, std::memory_order_seq_cst);
  }

  /// The flag (Python's Event.is_set()).
  bool is_set(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = obj_.enter("is_set", loc);
    call.reads_decide();  // the load below (sync.hpp)
    // seq_cst: the read that decides (sync.hpp); as acquire it pairs with
    // set()'s CAS (E4).
    const bool r = (state_.load(std::memory_order_seq_cst) & set_bit) != 0;
    call.returns(r);
    return r;
  }

  /// Blocks until the event is set; returns true (as Python's Event.wait()).
  bool wait(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("wait", loc);
    return wait_until_deadline(S::forever, call);
  }

  /// True if the event was set before the timeout passed, false on timeout.
  template <class Rep, class Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("wait_for", loc);
    call.arg(timeout);
    return wait_until_deadline(deadline_after<S>(timeout), call);
  }

  /// True if the event was set before t, false on timeout.
  template <class Clock, class Duration>
  bool wait_until(const std::chrono::time_point<Clock, Duration>& t, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("wait_until", loc);
    return wait_until_deadline(to_deadline<S>(t), call);
  }

 private:
  static constexpr std::uint32_t set_bit = 1u, waiters_bit = 2u, gen_one = 4u;
  static constexpr std::uint32_t gen(std::uint32_t w) noexcept { return w >> 2; }

  bool wait_until_deadline(typename S::clock::time_point deadline, const typename S::object::call& call) {
    call.reads_decide();  // "set" (sync.hpp)
    // seq_cst: a read that may decide (sync.hpp); as acquire it pairs with
    // set()'s CAS (E4). So are the loads below.
    std::uint32_t w = state_.load(std::memory_order_seq_cst);
    if (w & set_bit) return true;
    const std::uint32_t start = gen(w);
    // E6: spin a while before announcing a sleeper; the setter is often
    // running right now (a ping-pong).
    // seq_cst (in the spin), as above.
    if (spin_for_handoff<S>(
            [&] {
              w = state_.load(std::memory_order_seq_cst);
              return (w & set_bit) || gen(w) != start;
            },
            deadline))
      return true;  // E3
    for (;;) {
      if (!(w & waiters_bit)) {
        // Announce a possible sleeper (E1). seq_cst: on failure the value may
        // come from set() and decide (E4, sync.hpp); on success it orders
        // nothing but costs nothing.
        if (!state_.compare_exchange_weak(w, w | waiters_bit, std::memory_order_seq_cst,
                                          std::memory_order_seq_cst)) {
          if ((w & set_bit) || gen(w) != start) return true;  // E3
          continue;
        }
        w |= waiters_bit;
      }
      call.note("the event is not set");
      const wait_result r = S::wait(state_, w, deadline, scope::process_shared);  // parks only while word == w (E2, E5)
      // seq_cst, as above.
      w = state_.load(std::memory_order_seq_cst);
      if ((w & set_bit) || gen(w) != start) return true;  // E3
      if (r == wait_result::timed_out) return false;      // looked once more first
    }
  }

  typename S::template atomic<std::uint32_t> state_{0};
  [[no_unique_address]] typename S::object obj_;
};

using event = basic_event<>;
namespace model {
using event = basic_event<model_sync>;
}

static_assert(sizeof(event) == 4, "weave::event is one 32-bit futex word");

}  // namespace weave
