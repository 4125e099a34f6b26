// Two locks taken in opposite orders (AB-BA) hang; one global order fixes it,
// and so does one re-entrant lock for both resources (Python:
// `lock_A = lock_B = threading.RLock()`): a thread that holds it takes it
// again instead of waiting for the other lock.
#include "weave/model.hpp"
#include "weave/mutex.hpp"
#include "weave/recursive_mutex.hpp"

namespace {
using weave::model::thread;
}

WEAVE_MODEL_CHECK(classic_ab_ba_deadlock, deadlock) {
  weave::model::mutex lock_A{"lock_A"}, lock_B{"lock_B"};
  thread tom{"Tom", [&] {
    lock_A.lock();
    lock_B.lock();
    lock_B.unlock();
    lock_A.unlock();
  }};
  thread jerry{"Jerry", [&] {
    lock_B.lock();
    lock_A.lock();
    lock_A.unlock();
    lock_B.unlock();
  }};
  tom.join();
  jerry.join();
}

WEAVE_MODEL_CHECK(classic_ab_ab_ordered, pass) {
  weave::model::mutex lock_A{"lock_A"}, lock_B{"lock_B"};
  auto both = [&] {
    lock_A.lock();
    lock_B.lock();
    lock_B.unlock();
    lock_A.unlock();
  };
  thread tom{"Tom", both};
  thread jerry{"Jerry", both};
  tom.join();
  jerry.join();
}

// The second fix: both names are one re-entrant lock, so there is no second
// lock to wait for; Tom's and Jerry's "lock_B.lock()" re-enters what they hold.
WEAVE_MODEL_CHECK(classic_ab_ba_one_rlock, pass) {
  weave::model::recursive_mutex lock_AB{"lock_AB"};
  auto& lock_A = lock_AB;
  auto& lock_B = lock_AB;
  thread tom{"Tom", [&] {
    lock_A.lock();
    lock_B.lock();
    lock_B.unlock();
    lock_A.unlock();
  }};
  thread jerry{"Jerry", [&] {
    lock_B.lock();
    lock_A.lock();
    lock_A.unlock();
    lock_B.unlock();
  }};
  tom.join();
  jerry.join();
}
