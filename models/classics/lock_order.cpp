// Two locks taken in opposite orders (AB-BA) hang; one global order fixes it.
#include "weave/model.hpp"
#include "weave/mutex.hpp"

namespace {
using weave::model::thread;
}

WEAVE_MODEL_CHECK(classic_ab_ba_deadlock, deadlock) {
  weave::model::mutex a, b;
  thread t1([&] {
    a.lock();
    b.lock();
    b.unlock();
    a.unlock();
  });
  thread t2([&] {
    b.lock();
    a.lock();
    a.unlock();
    b.unlock();
  });
  t1.join();
  t2.join();
}

WEAVE_MODEL_CHECK(classic_ab_ab_ordered, pass) {
  weave::model::mutex a, b;
  auto both = [&] {
    a.lock();
    b.lock();
    b.unlock();
    a.unlock();
  };
  thread t1(both);
  thread t2(both);
  t1.join();
  t2.join();
}
