// stress.condition — weave::condition on real threads, bounded in count and time.
//
// Phase 1, bounded buffer: 3 producers and 3 consumers pass numbered values
// (producer << 40 | sequence) through a plain ring of 4 slots guarded by a
// weave::mutex and two weave::conditions (not_full, not_empty), with
// std::unique_lock. Waits use every form: wait(lock) in a loop, wait(lock, pred),
// wait_for(lock, d) → cv_status in a loop, wait_for(lock, d, pred). Wake-ups
// use notify_one(), notify(n) with n in 1..3 and notify_all() in turn. Producers
// stop at the time or count budget; consumers drain the ring and stop once
// every producer is done (told by notify_all). Checks: the checksum of all
// values taken equals that of all values put (nothing lost, duplicated or
// altered), every consumer sees each producer's values in increasing order
// (the ring is FIFO), and the ring is empty at the end.
//
// Phase 2, the same buffer on a weave::recursive_mutex held twice while waiting
// (an outer std::unique_lock plus one more lock()): the wait must release both
// levels (else nobody else could get in and the run hangs) and give both back
// (depth() == 2 after every wait).
//
// Phase 3, tickets and notify(n): 4 waiters wait(lock, pred) / wait_for(lock,
// long, pred) for a ticket, at most one ticket per waiter per round; a notifier
// repeatedly opens a round with n tickets (n in 1..4) and notify(n), or with 4
// and notify_all(), then waits (on a second condition) until all tickets are
// taken. So n distinct waiters are needed: a notify that wakes fewer threads
// than it must leaves tickets behind with the waiters asleep, the notifier's
// long wait_for times out and fails the run. Tickets given == tickets taken.
#include <array>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <mutex>
#include <random>
#include <vector>

#include "common.hpp"
#include "weave/condition.hpp"
#include "weave/mutex.hpp"
#include "weave/recursive_mutex.hpp"

namespace {

using namespace weave::stress;
using namespace std::chrono_literals;

constexpr int producers = 3, consumers = 3;
constexpr std::size_t capacity = 4;

// Wakes waiters on cv in one of four ways, chosen by how.
void wake(weave::condition& cv, unsigned how) {
  switch (how % 4) {
    case 0: cv.notify_one(); break;
    case 1: cv.notify(1); break;
    case 2: cv.notify(static_cast<std::ptrdiff_t>(1 + how / 4 % 3)); break;
    default: cv.notify_all(); break;
  }
}

// Waits on cv until ready() in one of four ways, chosen by how.
template <class Lock, class Pred>
void wait_until_ready(weave::condition& cv, Lock& lk, unsigned how, Pred ready) {
  switch (how % 4) {
    case 0:
      while (!ready()) cv.wait(lk);
      break;
    case 1: cv.wait(lk, ready); break;
    case 2:
      while (!ready()) (void)cv.wait_for(lk, std::chrono::microseconds(1 + how / 4 % 100));
      break;
    default:
      while (!cv.wait_for(lk, std::chrono::microseconds(1 + how / 4 % 100), ready)) {
      }
      break;
  }
}

template <class M>
struct buffer {
  M m;
  weave::condition not_full, not_empty;
  std::array<std::uint64_t, capacity> ring{};  // plain: guarded by m
  std::size_t head = 0, size = 0;              // plain: guarded by m
  int producers_left = producers;              // plain: guarded by m
};

// Runs one bounded-buffer phase on mutex type M. extra_level: take the mutex
// once more inside the unique_lock (recursive mutexes only).
template <class M, bool extra_level>
void buffer_phase(const char* name, double fraction) {
  constexpr std::uint64_t max_items = 100'000;
  buffer<M> b;
  std::vector<checksum> put(producers), taken(consumers);
  std::vector<std::uint64_t> timed_loops(producers + consumers, 0);
  const time_limit lim(fraction);
  run_threads(producers + consumers, [&](int id) {
    std::minstd_rand rng(static_cast<unsigned>(id) * 7919u + 11u);
    const auto me = static_cast<std::size_t>(id);
    auto check_depth = [&] {
      if constexpr (extra_level) require(b.m.depth() == 2, "depth after a wait is not 2");
    };
    if (id < producers) {
      std::uint64_t k = 0;
      for (; k < max_items && (k % 64 != 0 || !lim.expired()); ++k) {
        const std::uint64_t v = (static_cast<std::uint64_t>(id) << 40) | k;
        std::unique_lock<M> lk(b.m);
        if constexpr (extra_level) b.m.lock();
        wait_until_ready(b.not_full, lk, static_cast<unsigned>(rng()), [&] { return b.size < capacity; });
        check_depth();
        b.ring[(b.head + b.size) % capacity] = v;
        ++b.size;
        put[me].add(v);
        wake(b.not_empty, static_cast<unsigned>(rng()));
        if constexpr (extra_level) b.m.unlock();
      }
      std::unique_lock<M> lk(b.m);
      if (--b.producers_left == 0) b.not_empty.notify_all();  // consumers may all be asleep
      return;
    }
    const auto c = me - producers;
    std::array<std::uint64_t, producers> next{};  // next sequence expected at least, per producer
    for (;;) {
      std::unique_lock<M> lk(b.m);
      if constexpr (extra_level) b.m.lock();
      wait_until_ready(b.not_empty, lk, static_cast<unsigned>(rng()),
                       [&] { return b.size > 0 || b.producers_left == 0; });
      check_depth();
      if (b.size == 0) {
        if constexpr (extra_level) b.m.unlock();
        break;  // every producer is done and the ring is empty
      }
      const std::uint64_t v = b.ring[b.head];
      b.head = (b.head + 1) % capacity;
      --b.size;
      wake(b.not_full, static_cast<unsigned>(rng()));
      if constexpr (extra_level) b.m.unlock();
      lk.unlock();
      const auto p = static_cast<std::size_t>(v >> 40);
      require(p < producers, "a value from no producer");
      const std::uint64_t seq = v & ((std::uint64_t{1} << 40) - 1);
      require(seq >= next[p], "a consumer saw a producer's values out of order");
      next[p] = seq + 1;
      taken[c].add(v);
    }
  });
  checksum in, out;
  for (const auto& x : put) in.merge(x);
  for (const auto& x : taken) out.merge(x);
  require(in == out, std::string(name) + ": values put " + in.str() + " != values taken " + out.str());
  require(b.size == 0 && b.producers_left == 0, std::string(name) + ": ring empty, producers done");
  require(b.not_full.waiting() == 0 && b.not_empty.waiting() == 0, std::string(name) + ": nobody left waiting");
  note("%s ok: %" PRIu64 " values through %zu slots, checksum %s\n", name, in.count, capacity, in.str().c_str());
}

void tickets_phase(double fraction) {
  constexpr int waiters = 4;
  constexpr std::uint64_t max_rounds = 50'000;
  weave::mutex m;
  weave::condition has_ticket, all_taken;
  std::uint64_t tickets = 0;  // plain: guarded by m
  std::uint64_t round = 0;    // plain: guarded by m; a waiter takes at most one ticket per round
  bool stop = false;          // plain: guarded by m
  std::uint64_t given = 0, rounds = 0, notify_alls = 0;
  std::vector<std::uint64_t> took(waiters, 0);
  const time_limit lim(fraction);
  run_threads(waiters + 1, [&](int id) {
    std::minstd_rand rng(static_cast<unsigned>(id) * 104729u + 5u);
    if (id == 0) {
      for (; rounds < max_rounds && (rounds % 64 != 0 || !lim.expired()); ++rounds) {
        std::unique_lock<weave::mutex> lk(m);
        const unsigned how = static_cast<unsigned>(rng());
        ++round;
        if (how % 5 == 0) {
          tickets += waiters;
          given += waiters;
          has_ticket.notify_all();
          ++notify_alls;
        } else {
          const auto n = static_cast<std::uint64_t>(1 + how % waiters);
          tickets += n;
          given += n;
          has_ticket.notify(static_cast<std::ptrdiff_t>(n));
        }
        // Every ticket must be taken: a wake-up notify(n) owed and did not give
        // leaves the waiters asleep and this wait times out.
        require(all_taken.wait_for(lk, 10s, [&] { return tickets == 0; }),
                "tickets left with every waiter asleep: notify woke too few");
      }
      std::unique_lock<weave::mutex> lk(m);
      stop = true;
      has_ticket.notify_all();
      return;
    }
    const auto w = static_cast<std::size_t>(id - 1);
    std::uint64_t last = 0;  // the round of this waiter's last ticket
    for (;;) {
      std::unique_lock<weave::mutex> lk(m);
      auto ready = [&] { return (tickets > 0 && round != last) || stop; };
      // Timed waits with a long timeout: a short one would hide a missing
      // wake-up (the waiter would find its ticket after the timeout).
      if (rng() % 2 == 0) {
        has_ticket.wait(lk, ready);
      } else {
        require(has_ticket.wait_for(lk, 30s, ready), "a ticket wait timed out");
      }
      if (tickets == 0) break;  // stop
      --tickets;
      last = round;
      ++took[w];
      if (tickets == 0) all_taken.notify_one();
    }
  });
  std::uint64_t all_took = 0;
  for (const auto t : took) all_took += t;
  require(all_took == given, "tickets taken != tickets given");
  require(tickets == 0, "no ticket left");
  note("tickets ok: %" PRIu64 " rounds (%" PRIu64 " notify_all), %" PRIu64 " tickets given and taken\n", rounds,
       notify_alls, given);
}

}  // namespace

int main() {
  watchdog wd(60);
  buffer_phase<weave::mutex, false>("buffer", 0.3);
  buffer_phase<weave::recursive_mutex, true>("buffer, recursive mutex held twice", 0.3);
  tickets_phase(0.3);
  return 0;
}
