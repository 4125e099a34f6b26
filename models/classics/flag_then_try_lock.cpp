// Seeing a flag is not seeing what came before it:
//
//   # worker                          |   # main
//   with lock: total += 1             |   if done:
//   done = True                       |       assert lock.acquire(blocking=False)
//
// In Python the assertion holds: the worker released the lock before it set
// the flag, and main saw the flag. In C++ a flag stored and loaded relaxed
// orders nothing: main may see `done` and still find the lock held, because
// its try_lock() may read the lock as it was before the worker's unlock()
// (ARM reorders the two loads; the C++ memory model allows it). A release
// store of the flag and an acquire load of it make the unlock() happen before
// the try_lock(), and the assertion holds again. The checker finds the relaxed
// twin with weave's primitives opaque (the default): a call that decides at a
// read takes every value the memory model allows (call.reads_decide()).
#include "weave/model.hpp"
#include "weave/mutex.hpp"

namespace {
using weave::model::thread;
using S = weave::model_sync;

void flag_then_try_lock(std::memory_order store, std::memory_order load) {
  weave::model::mutex lock{"lock"};
  S::cell<int> total{0, "total"};
  S::atomic<bool> done{false, "done"};
  thread worker{"worker", [&] {
    lock.lock();
    total.write() += 1;
    lock.unlock();
    done.store(true, store);
  }};
  if (done.load(load)) {
    WEAVE_CHECK(lock.try_lock());  // the worker has let go of the lock... has it?
    WEAVE_CHECK(total.read() == 1);
    lock.unlock();
  }
  worker.join();
}
}  // namespace

// Buggy: a relaxed flag.
WEAVE_MODEL_CHECK(classic_flag_then_try_lock_relaxed, check_failed) {
  flag_then_try_lock(std::memory_order_relaxed, std::memory_order_relaxed);  // BUG: orders nothing
}

// Fixed: the flag released and acquired (pairs with the store above it).
WEAVE_MODEL_CHECK(classic_flag_then_try_lock_acquire, pass) {
  flag_then_try_lock(std::memory_order_release, std::memory_order_acquire);
}
