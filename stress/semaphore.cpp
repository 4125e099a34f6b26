// Stress: weave::counting_semaphore with 2 permits and 4 threads mixing
// acquire and timed acquire. Never more than 2 holders at once; every permit
// taken is given back; a checksum of what each holder wrote to a shared log
// under the permit matches what the threads say they wrote.
#include <atomic>
#include <cinttypes>
#include <vector>

#include "common.hpp"
#include "weave/semaphore.hpp"

int main() {
  using namespace weave::stress;
  watchdog wd(60);
  time_limit lim(0.8);
  weave::counting_semaphore sem(2);
  std::atomic<int> inside{0}, worst{0};
  std::atomic<std::uint64_t> taken{0}, timeouts{0};
  std::vector<checksum> mine(4);
  run_threads(4, [&](int i) {
    for (std::uint64_t k = 0; !lim.expired() && k < 400000; ++k) {
      const bool ok = (k % 4 == 0) ? sem.try_acquire_for(std::chrono::microseconds(50)) : (sem.acquire(), true);
      if (!ok) {
        ++timeouts;
        continue;
      }
      const int now = inside.fetch_add(1) + 1;
      require(now <= 2, "more holders than permits");
      int w = worst.load();
      while (now > w && !worst.compare_exchange_weak(w, now)) {
      }
      mine[static_cast<std::size_t>(i)].add((static_cast<std::uint64_t>(i) << 40) | k);
      ++taken;
      inside.fetch_sub(1);
      sem.release();
    }
  });
  checksum all;
  for (const auto& c : mine) all.merge(c);
  require(all.count == taken.load(), "every acquisition accounted for");
  require(sem.available() == 2, "both permits back at the end");
  require(worst.load() <= 2, "never more than 2 holders");
  note("ok: %" PRIu64 " acquisitions, %" PRIu64 " timed out, at most %d holders\n", taken.load(),
       timeouts.load(), worst.load());
  return 0;
}
