// stress.event — weave::event on real threads, bounded in count and time.
//
// Phase 1, hammer: 2 setters, 1 clearer and 4 waiters share one event. Setters
// call set() (sometimes set(); clear(); back to back, a pulse that only the
// generation count lets a parked waiter see), the clearer and the waiters
// (after half of their returns) call clear(); two waiters call wait(), two call
// wait_for() with short random timeouts. wait() must always return true. At
// the end everybody stops, the event is cleared, every waiter enters one last
// wait(), and one set() must release them all (a lost wake-up hangs and fails
// the run); every waiter's count of returns is checked.
// (Which set() a waiter woke from is unknown here, so payloads are checked in
// phase 2, where one thread sets.)
//
// Phase 2, hand-off in rounds: a coordinator and 4 waiters pass through R
// rounds. Round r uses go[r % 2]: the coordinator writes a plain payload, then
// go.set(); every waiter waits (wait() on even rounds, a wait_for() retry loop
// on odd rounds), reads the payload — it must be the round's value (E4: what
// the setter wrote before set() is visible to a waiter that returns true; a
// missing happens-before is also a data race TSan reports) — adds it to its
// checksum and arrives; the last arrival sets `done`. The coordinator waits on
// done, clears it and go[r % 2], and starts the next round on the other event
// (so a waiter can never pass a round twice on a flag not yet cleared). At the
// end every waiter passed exactly R rounds and its checksum equals the
// coordinator's.
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <random>
#include <vector>

#include "common.hpp"
#include "weave/event.hpp"

namespace {

using namespace weave::stress;
using namespace std::chrono_literals;

void hammer() {
  constexpr int setters = 2, clearers = 1, waiters = 4;
  constexpr std::uint64_t max_ops = 200'000;
  weave::event ev;
  std::atomic<bool> stop{false}, final_round{false};
  std::atomic<int> acked{0};
  std::atomic<int> waiters_left{waiters}, workers_left{setters + clearers};
  std::vector<std::uint64_t> waits(waiters, 0), trues(waiters, 0), timeouts(waiters, 0);
  std::atomic<std::uint64_t> sets{0}, pulses{0}, clears{0};
  const time_limit lim(0.35);
  run_threads(setters + clearers + waiters + 1, [&](int id) {
    if (id == 0) {
      // The stopper: waits for the time or op budget and stops the others. It
      // keeps setting while waiters may still be parked or clearing, until each
      // has acknowledged the stop (after its last clear()). Then it clears the
      // event, lets the waiters into one last wait(), and one set() must wake
      // them all (a lost wake-up hangs here and fails the run).
      while (!lim.expired() && sets.load() + clears.load() < 2 * max_ops) std::this_thread::sleep_for(1ms);
      stop.store(true);
      while (workers_left.load() > 0 || acked.load() < waiters) {
        ev.set();
        std::this_thread::sleep_for(100us);
      }
      ev.clear();
      final_round.store(true);
      std::this_thread::sleep_for(5ms);  // most waiters park by now; a late one finds the flag set
      ev.set();
      const auto give_up = std::chrono::steady_clock::now() + 20s;
      while (waiters_left.load() > 0) {
        require(std::chrono::steady_clock::now() < give_up, "a waiter stayed asleep on a set event");
        std::this_thread::sleep_for(1ms);
      }
      return;
    }
    std::minstd_rand rng(static_cast<unsigned>(id) * 7919u + 3u);
    if (id <= setters) {
      while (!stop.load()) {
        ev.set();
        ++sets;
        if (rng() % 4 == 0) {
          ev.clear();  // a pulse: set then clear at once
          ++pulses;
        }
        if (rng() % 8 == 0) std::this_thread::yield();
      }
      workers_left.fetch_sub(1);
      return;
    }
    if (id <= setters + clearers) {
      while (!stop.load()) {
        ev.clear();
        ++clears;
        if (rng() % 2 == 0) std::this_thread::yield();
      }
      workers_left.fetch_sub(1);
      return;
    }
    const auto w = static_cast<std::size_t>(id - setters - clearers - 1);
    const bool timed = w >= 2;
    while (!stop.load()) {
      ++waits[w];
      if (timed) {
        if (ev.wait_for(std::chrono::microseconds(rng() % 200))) {
          ++trues[w];
        } else {
          ++timeouts[w];
          continue;
        }
      } else {
        require(ev.wait(), "wait() returned false");
        ++trues[w];
      }
      // Consume the event now and then (as a worker taking a job would), so
      // that later waits park instead of finding the flag set.
      if (rng() % 2 == 0) {
        ev.clear();
        ++clears;
      }
      std::this_thread::yield();
    }
    acked.fetch_add(1);
    while (!final_round.load()) std::this_thread::yield();
    require(ev.wait(), "the last wait() returned false");
    waiters_left.fetch_sub(1);
  });
  require(ev.is_set(), "the final set() stuck");
  std::uint64_t all_waits = 0, all_trues = 0, all_timeouts = 0;
  for (int w = 0; w < waiters; ++w) {
    const auto i = static_cast<std::size_t>(w);
    require(trues[i] + timeouts[i] == waits[i], "every wait returned true or timed out");
    if (w < 2) require(timeouts[i] == 0, "an untimed wait timed out");
    all_waits += waits[i];
    all_trues += trues[i];
    all_timeouts += timeouts[i];
  }
  note("hammer ok: %" PRIu64 " sets (%" PRIu64 " pulses), %" PRIu64 " clears, %" PRIu64 " waits: %" PRIu64
       " true, %" PRIu64 " timed out\n",
       sets.load(), pulses.load(), clears.load(), all_waits, all_trues, all_timeouts);
}

void handoff() {
  constexpr int waiters = 4;
  constexpr std::uint64_t max_rounds = 20'000;
  weave::event go[2];
  weave::event done;
  std::uint64_t payload = 0;  // plain: written before go.set(), read after wait() returns true
  std::atomic<int> arrived{0};
  std::atomic<std::uint64_t> rounds_total{0};  // decided by the coordinator, read after the run
  std::atomic<bool> last_round{false};
  std::vector<checksum> seen(waiters);
  std::vector<std::uint64_t> passed(waiters, 0), retries(waiters, 0);
  checksum sent;
  const time_limit lim(0.35);
  run_threads(waiters + 1, [&](int id) {
    if (id == 0) {
      std::uint64_t r = 0;
      for (; r < max_rounds; ++r) {
        const bool last = r + 1 == max_rounds || (r % 64 == 63 && lim.expired());
        // Plain write: every waiter finished reading the previous payload before
        // the previous round's done.set() that this thread waited on.
        payload = mix(r);
        sent.add(payload);
        // relaxed: published by go.set() below (release), read after wait() (acquire).
        last_round.store(last, std::memory_order_relaxed);
        go[r % 2].set();
        require(done.wait(), "done.wait() returned false");
        done.clear();
        arrived.store(0, std::memory_order_relaxed);  // nobody arrives before the next set
        go[r % 2].clear();
        if (last) {
          ++r;
          break;
        }
      }
      rounds_total.store(r);
      return;
    }
    const auto w = static_cast<std::size_t>(id - 1);
    for (std::uint64_t r = 0;; ++r) {
      weave::event& e = go[r % 2];
      if (r % 2 == 0) {
        require(e.wait(), "go.wait() returned false");
      } else {
        while (!e.wait_for(std::chrono::microseconds(50))) ++retries[w];
      }
      require(payload == mix(r), "a waiter that returned true did not see the round's payload");
      seen[w].add(payload);
      ++passed[w];
      const bool last = last_round.load(std::memory_order_relaxed);
      // acq_rel: the last arrival acquires the others' reads of payload and
      // releases them through done.set() to the coordinator's next write.
      if (arrived.fetch_add(1, std::memory_order_acq_rel) + 1 == waiters) done.set();
      if (last) break;
    }
  });
  const std::uint64_t rounds = rounds_total.load();
  std::uint64_t all_retries = 0;
  for (int w = 0; w < waiters; ++w) {
    const auto i = static_cast<std::size_t>(w);
    require(passed[i] == rounds, "a waiter passed a round count different from the coordinator's");
    require(seen[i] == sent, "a waiter's payload checksum differs: " + seen[i].str() + " vs " + sent.str());
    all_retries += retries[i];
  }
  require(!go[0].is_set() && !go[1].is_set() && !done.is_set(), "events cleared at the end");
  note("hand-off ok: %" PRIu64 " rounds x %d waiters, checksum %s, %" PRIu64 " timed-out retries\n", rounds,
       waiters, sent.str().c_str(), all_retries);
}

}  // namespace

int main() {
  watchdog wd(60);
  hammer();
  handoff();
  return 0;
}
