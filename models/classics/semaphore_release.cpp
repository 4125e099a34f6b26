// Over-releasing a bounded semaphore: one release too many, as when a
// release sits both in the happy path and in `finally`.
//
//   pool = threading.BoundedSemaphore(1)
//   pool.acquire()
//   try:
//       use(); pool.release()
//   finally:
//       pool.release()               # ValueError: Semaphore released too many times
//
// A bounded semaphore refuses to pass its bound (weave::usage_error, Python's
// ValueError) rather than silently let one more thread in later. The fixed
// twin releases once per acquire. Two workers share one permit.
#include "weave/model.hpp"
#include "weave/semaphore.hpp"

namespace {
using weave::model::thread;
template <class T>
using cell = weave::model_sync::cell<T>;

void two_workers(bool release_twice) {
  weave::model::bounded_semaphore pool{1, "pool"};
  cell<int> uses{0, "uses"};
  auto work = [&] {
    pool.acquire();
    uses.write() += 1;  // use(): guarded by the one permit
    pool.release();
    if (release_twice) pool.release();  // BUG: the `finally` releases again
  };
  thread ann{"Ann", work}, bob{"Bob", work};
  ann.join();
  bob.join();
  WEAVE_CHECK(uses.read() == 2);
}
}  // namespace

WEAVE_MODEL_CHECK(classic_semaphore_released_twice, usage_error) { two_workers(true); }
WEAVE_MODEL_CHECK(classic_semaphore_release_per_acquire, pass) { two_workers(false); }
