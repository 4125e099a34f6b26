// Two locks taken in opposite orders (AB-BA) hang; one global order fixes it.
#include "weave/model.hpp"
#include "weave/mutex.hpp"

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
