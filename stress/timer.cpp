// stress.timer — weave::timer on real threads, bounded in count and time.
//
// Rounds of 8 timers with delays of 0..1500 µs (every 4th: 20 ms, so that
// cancels also land well before the fire when thread start-up is slow, as
// under TSan); 2 cancellers race to cancel them after random pauses of up to
// 300 µs, so cancels land before, during and after the fire. Per timer: the function ran at most once; every cancel()
// that returned cancelled means it never ran, every one that returned fired
// means it ran (T1, T2); after join() its status is fired iff it ran. Totals:
// fired + cancelled == timers, and the checksum of the ids the functions ran
// equals the checksum of the ids whose status is fired.
#include <array>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "common.hpp"
#include "weave/mutex.hpp"
#include "weave/timer.hpp"

namespace {

using namespace weave::stress;
using weave::timer_status;

constexpr int per_round = 8;

}  // namespace

int main() {
  watchdog wd(120);
  const time_limit lim(0.8);
  checksum ran_ids, fired_ids;
  std::uint64_t timers = 0, fired = 0, cancelled = 0, cancel_calls = 0;
  for (unsigned r = 0; r < 20000 && (r < 10 || !lim.expired()); ++r) {
    std::minstd_rand rng(r * 7919u + 1u);
    std::array<std::atomic<int>, per_round> runs{};
    std::vector<std::unique_ptr<weave::timer>> ts;
    checksum ran_here;
    weave::mutex ran_m;
    for (int i = 0; i < per_round; ++i) {
      const std::uint64_t id = (static_cast<std::uint64_t>(r) << 8) | static_cast<std::uint64_t>(i);
      ts.push_back(std::make_unique<weave::timer>(std::chrono::microseconds(i % 4 == 0 ? 20'000 : rng() % 1500), [&, i, id] {
        runs[static_cast<std::size_t>(i)].fetch_add(1);
        ran_m.lock();
        ran_here.add(id);
        ran_m.unlock();
      }));
      ts.back()->start();
    }
    std::array<std::atomic<int>, per_round> said_cancelled{}, said_fired{};
    run_threads(2, [&](int c) {
      std::minstd_rand crng(r * 31u + static_cast<unsigned>(c));
      for (int i = 0; i < per_round; ++i) {
        if (crng() % 3 == 0) continue;
        std::this_thread::sleep_for(std::chrono::microseconds(crng() % 300));
        const auto k = static_cast<std::size_t>(i);
        (ts[k]->cancel() == timer_status::cancelled ? said_cancelled[k] : said_fired[k]).fetch_add(1);
      }
    });
    for (int i = 0; i < per_round; ++i) {
      const auto k = static_cast<std::size_t>(i);
      ts[k]->join();
      const int n = runs[k].load();
      require(n <= 1, "a timer's function ran twice");
      require(!(n == 1 && said_cancelled[k].load() > 0), "cancel() said cancelled but the function ran");
      require(!(n == 0 && said_fired[k].load() > 0), "cancel() said fired but the function never ran");
      const auto st = ts[k]->status();
      require(st.has_value(), "a joined started timer is neither fired nor cancelled");
      require((*st == timer_status::fired) == (n == 1), "status() disagrees with what ran");
      if (n == 1) {
        ++fired;
        fired_ids.add((static_cast<std::uint64_t>(r) << 8) | static_cast<std::uint64_t>(i));
      } else {
        ++cancelled;
      }
      cancel_calls += static_cast<std::uint64_t>(said_cancelled[k].load() + said_fired[k].load());
      ++timers;
    }
    ran_ids.merge(ran_here);
  }
  require(fired + cancelled == timers, "fired + cancelled != timers");
  require(ran_ids == fired_ids, "checksum of functions run " + ran_ids.str() + " != of timers fired " + fired_ids.str());
  note("ok: %" PRIu64 " timers, %" PRIu64 " fired, %" PRIu64 " cancelled, %" PRIu64 " cancel() calls\n", timers, fired,
       cancelled, cancel_calls);
  return 0;
}
