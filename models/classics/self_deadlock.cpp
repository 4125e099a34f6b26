// Self-deadlock: a function that holds the lock calls another that takes it
// again.
//
//   lock = threading.Lock()
//   def withdraw(n):
//       with lock: balance -= n
//   def pay_bill():
//       with lock: withdraw(30)      # waits for itself forever
//
// A plain lock does not know who holds it, so its holder waits for itself.
// The fixed twin uses a re-entrant lock (threading.RLock), which its holder
// may take again; it is free once unlocked as many times as it was locked.
// One thread is enough: nobody else is needed to hang it.
#include "weave/model.hpp"
#include "weave/mutex.hpp"
#include "weave/recursive_mutex.hpp"

namespace {
using weave::model::thread;
template <class T>
using cell = weave::model_sync::cell<T>;

template <class Lock>
void pay_bill() {
  Lock lock{"lock"};
  cell<int> balance{100, "balance"};
  auto withdraw = [&](int n) {
    lock.lock();
    balance.write() -= n;
    lock.unlock();
  };
  auto pay = [&] {
    lock.lock();
    withdraw(30);  // takes the lock again
    lock.unlock();
  };
  thread tom{"Tom", pay};
  tom.join();
  WEAVE_CHECK(balance.read() == 70);
}
}  // namespace

WEAVE_MODEL_CHECK(classic_self_deadlock_plain_lock, deadlock) { pay_bill<weave::model::mutex>(); }
WEAVE_MODEL_CHECK(classic_self_deadlock_fixed_rlock, pass) { pay_bill<weave::model::recursive_mutex>(); }
