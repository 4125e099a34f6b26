// The lost update with three threads counting down, as in
//
//   temp = x
//   x = temp - 1
//
// run by three threads on x = 3. Each line is one step (Python's bytecodes
// are atomic one at a time, so the model uses a relaxed atomic for x: every
// read and write is whole, and only their interleaving goes wrong). Two
// threads that both read 3 both write 2, and one count is lost. The fixed twin
// holds a lock around the read and the write (`with lock:`), and x becomes a
// plain cell, so the checker would see a race if the lock ever failed to
// guard it.
#include "weave/model.hpp"
#include "weave/mutex.hpp"

namespace {
using weave::model::thread;
template <class T>
using atomic = weave::model_sync::atomic<T>;
template <class T>
using cell = weave::model_sync::cell<T>;
// relaxed: Python's reads and writes are whole but order nothing else; the
// lesson is the gap between them, not memory order.
constexpr auto rlx = std::memory_order_relaxed;
}  // namespace

// Buggy: `temp = x; x = temp - 1` with nothing around it.
WEAVE_MODEL_CHECK(classic_countdown_three_threads_unlocked, check_failed) {
  atomic<int> x{3, "x"};
  auto count_down = [&] {
    const int temp = x.load(rlx);  // temp = x
    x.store(temp - 1, rlx);        // x = temp - 1: may overwrite another's write
  };
  thread a{"Ann", count_down}, b{"Bob", count_down}, c{"Cy", count_down};
  a.join();
  b.join();
  c.join();
  WEAVE_CHECK(x.load(rlx) == 0);  // relaxed: after the joins, which order it
}

// Fixed: `with lock: temp = x; x = temp - 1`.
WEAVE_MODEL_CHECK(classic_countdown_three_threads_locked, pass) {
  weave::model::mutex lock{"lock"};
  cell<int> x{3, "x"};
  auto count_down = [&] {
    lock.lock();
    const int temp = x.read();
    x.write() = temp - 1;
    lock.unlock();
  };
  thread a{"Ann", count_down}, b{"Bob", count_down}, c{"Cy", count_down};
  a.join();
  b.join();
  c.join();
  WEAVE_CHECK(x.read() == 0);
}
