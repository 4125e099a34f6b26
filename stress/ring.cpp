// Stress: weave::spsc_ring with 1 producer and 1 consumer, weave::mpmc_ring
// with 2 producers x 2 consumers and 3 producers x 1 consumer, and the MPMC
// ring carrying heap-owned items (std::unique_ptr, so ThreadSanitizer checks
// that the ring publishes what the pointer points to). Every item carries its
// producer and a per-producer sequence number: nothing is lost, nothing is
// duplicated (exact counts and checksums of what went in and came out), and
// each consumer sees each producer's numbers rise (by exactly one when it is
// the only consumer). Small capacities keep the rings full and empty often.
#include <atomic>
#include <cinttypes>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "common.hpp"
#include "weave/mpmc_ring.hpp"
#include "weave/spsc_ring.hpp"

namespace {

using namespace weave::stress;

constexpr std::uint64_t max_per_producer = 1'000'000;

std::uint64_t encode(int producer, std::uint64_t seq) { return (static_cast<std::uint64_t>(producer) << 40) | seq; }

// The ways an item travels: a plain number, or a number owned by a unique_ptr.
template <class T>
T make_item(std::uint64_t v) {
  if constexpr (std::is_same_v<T, std::uint64_t>) return v;
  else return std::make_unique<std::uint64_t>(v);
}
template <class T>
std::uint64_t value_of(const T& item) {
  if constexpr (std::is_same_v<T, std::uint64_t>) return item;
  else return *item;
}

// Runs one scenario; fails the process on any mismatch.
template <class Ring>
void scenario(const char* name, int producers, int consumers, std::size_t capacity, double fraction) {
  using T = typename Ring::value_type;
  Ring ring(capacity);
  const time_limit lim(fraction);
  std::vector<checksum> in(static_cast<std::size_t>(producers)), out(static_cast<std::size_t>(consumers));
  std::atomic<int> producing{producers};
  std::atomic<std::uint64_t> produced{0}, consumed{0};
  run_threads(producers + consumers, [&](int i) {
    if (i < producers) {
      std::uint64_t seq = 1;
      for (; seq <= max_per_producer && !lim.expired(); ++seq) {
        const std::uint64_t v = encode(i, seq);
        // alternate the three ways in: copy/move, emplace, move of a temporary
        bool ok = false;
        while (!ok) {
          if (seq % 3 == 0) ok = ring.try_emplace(make_item<T>(v));
          else {
            T item = make_item<T>(v);
            ok = ring.try_push(std::move(item));
          }
          if (!ok) std::this_thread::yield();
        }
        in[static_cast<std::size_t>(i)].add(v);
      }
      produced.fetch_add(seq - 1);
      producing.fetch_sub(1);  // seq_cst: after adding to produced
      return;
    }
    const int c = i - producers;
    std::vector<std::uint64_t> last(static_cast<std::size_t>(producers), 0);
    checksum& mine = out[static_cast<std::size_t>(c)];
    for (std::uint64_t k = 0;; ++k) {
      std::uint64_t v = 0;
      bool got = false;
      if (k % 2 == 0) {
        T item{};
        got = ring.try_pop(item);
        if (got) v = value_of(item);
      } else if (auto item = ring.try_pop()) {
        got = true;
        v = value_of(*item);
      }
      if (!got) {
        // done once every producer finished and everything produced is out
        if (producing.load() == 0 && consumed.load() == produced.load()) break;
        std::this_thread::yield();
        continue;
      }
      consumed.fetch_add(1);
      const auto p = static_cast<std::size_t>(v >> 40);
      const std::uint64_t seq = v & ((std::uint64_t(1) << 40) - 1);
      require(p < last.size(), std::string(name) + ": an item from no producer");
      if (consumers == 1) require(seq == last[p] + 1, std::string(name) + ": a producer's item lost or reordered");
      else require(seq > last[p], std::string(name) + ": a producer's items reordered or duplicated");
      last[p] = seq;
      mine.add(v);
    }
  });
  checksum all_in, all_out;
  for (const auto& s : in) all_in.merge(s);
  for (const auto& s : out) all_out.merge(s);
  require(all_in.count == produced.load(), std::string(name) + ": producers' counts");
  require(all_in == all_out, std::string(name) + ": in " + all_in.str() + " != out " + all_out.str());
  require(ring.empty_approx() && ring.size_approx() == 0, std::string(name) + ": ring empty at the end");
  note("ok: %-34s %9" PRIu64 " items, capacity %zu\n", name, all_out.count, capacity);
}

}  // namespace

int main() {
  watchdog wd(60);
  scenario<weave::spsc_ring<std::uint64_t>>("spsc 1x1", 1, 1, 8, 0.2);
  scenario<weave::spsc_ring<std::unique_ptr<std::uint64_t>>>("spsc 1x1 unique_ptr, capacity 1", 1, 1, 1, 0.1);
  scenario<weave::mpmc_ring<std::uint64_t>>("mpmc 2x2", 2, 2, 8, 0.2);
  scenario<weave::mpmc_ring<std::uint64_t>>("mpmc 3x1, capacity 3", 3, 1, 3, 0.2);
  scenario<weave::mpmc_ring<std::unique_ptr<std::uint64_t>>>("mpmc 2x2 unique_ptr, capacity 1", 2, 2, 1, 0.1);
  return 0;
}
