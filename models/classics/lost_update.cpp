// The lost update: `balance = balance + n` from two threads, as a separate load
// and store, loses one deposit. The fixed twin makes the read-modify-write one
// atomic operation (fetch_add); the locked twin guards it with weave's mutex.
#include "weave/model.hpp"
#include "weave/mutex.hpp"

namespace {
using weave::model::thread;
template <class T>
using atomic = weave::model_sync::atomic<T>;
}  // namespace

// Buggy: load then store. One preemption between them loses a deposit.
WEAVE_MODEL_CHECK(classic_lost_update_load_store, check_failed) {
  atomic<int> balance(0);
  auto deposit = [&](int n) {
    const int b = balance.load(std::memory_order_relaxed);  // read
    balance.store(b + n, std::memory_order_relaxed);        // write back: may overwrite the other
  };
  thread t1([&] { deposit(10); });
  thread t2([&] { deposit(20); });
  t1.join();
  t2.join();
  WEAVE_CHECK(balance.load(std::memory_order_relaxed) == 30);
}

// Fixed: the read-modify-write is one atomic operation.
WEAVE_MODEL_CHECK(classic_lost_update_fetch_add, pass) {
  atomic<int> balance(0);
  thread t1([&] { balance.fetch_add(10, std::memory_order_relaxed); });
  thread t2([&] { balance.fetch_add(20, std::memory_order_relaxed); });
  t1.join();
  t2.join();
  WEAVE_CHECK(balance.load(std::memory_order_relaxed) == 30);
}

// Fixed: the plain balance is guarded by a mutex (a cell, so races would show).
WEAVE_MODEL_CHECK(classic_lost_update_mutex, pass) {
  weave::model::mutex m;
  weave::model_sync::cell<int> balance(0);
  auto deposit = [&](int n) {
    m.lock();
    balance.write() = balance.read() + n;
    m.unlock();
  };
  thread t1([&] { deposit(10); });
  thread t2([&] { deposit(20); });
  t1.join();
  t2.join();
  WEAVE_CHECK(balance.read() == 30);
}

// Buggy: the plain balance without a lock is a data race before it is a lost update.
WEAVE_MODEL_CHECK(classic_lost_update_plain, data_race) {
  weave::model_sync::cell<int> balance(0);
  thread t1([&] { balance.write() += 10; });
  thread t2([&] { balance.write() += 20; });
  t1.join();
  t2.join();
  WEAVE_CHECK(balance.read() == 30);
}
