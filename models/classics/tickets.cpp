// Check-then-act: two box offices sell the last ticket.
//
//   if tickets > 0:
//       tickets -= 1
//       sold += 1
//
// Each office sees one ticket left, each sells it: two sold, and the count of
// tickets goes wrong too. Python's reads and writes are whole, so the buggy
// twin uses relaxed atomics (no data race, only the gap between the test and
// the act) and fails its check; the fixed twin puts the test and the act under
// one lock (`with lock:`), the counters plain cells guarded by it.
#include "weave/model.hpp"
#include "weave/mutex.hpp"

namespace {
using weave::model::thread;
template <class T>
using atomic = weave::model_sync::atomic<T>;
template <class T>
using cell = weave::model_sync::cell<T>;
// relaxed: Python's reads and writes are whole but order nothing else; the
// lesson is the gap between the test and the act.
constexpr auto rlx = std::memory_order_relaxed;
}  // namespace

// Buggy: the test and the act are separate steps.
WEAVE_MODEL_CHECK(classic_tickets_sold_twice, check_failed) {
  atomic<int> tickets{1, "tickets"};
  atomic<int> sold{0, "sold"};
  auto sell = [&] {
    if (tickets.load(rlx) > 0) {                   // if tickets > 0:
      tickets.store(tickets.load(rlx) - 1, rlx);   //     tickets -= 1
      sold.store(sold.load(rlx) + 1, rlx);         //     sold += 1
    }
  };
  thread a{"office_A", sell}, b{"office_B", sell};
  a.join();
  b.join();
  WEAVE_CHECK(sold.load(rlx) <= 1);  // never sell more than exist (relaxed: after the joins)
}

// Fixed: `with lock:` around the test and the act.
WEAVE_MODEL_CHECK(classic_tickets_sold_once_locked, pass) {
  weave::model::mutex lock{"lock"};
  cell<int> tickets{1, "tickets"};
  cell<int> sold{0, "sold"};
  auto sell = [&] {
    lock.lock();
    if (tickets.read() > 0) {
      tickets.write() -= 1;
      sold.write() += 1;
    }
    lock.unlock();
  };
  thread a{"office_A", sell}, b{"office_B", sell};
  a.join();
  b.join();
  WEAVE_CHECK(sold.read() == 1);
  WEAVE_CHECK(tickets.read() == 0);
}
