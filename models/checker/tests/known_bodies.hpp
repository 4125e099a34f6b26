// Check bodies whose execution counts or counterexamples are known, shared by
// the checker's own tests (engine_test.cpp, opaque_test.cpp, views_test.cpp)
// and the runner checks of checker.shard_merge (shard_checks.cpp).
#pragma once

#include <vector>

#include "weave/model.hpp"
#include "weave/mutex.hpp"

namespace weave::model::test {

// n threads, each k relaxed fetch_adds on one atomic; every pair conflicts, so
// each of the (n*k)! / (k!)^n orders is one execution.
inline void increments(int n, int k) {
  constexpr auto rlx = std::memory_order_relaxed;  // counts only: nothing is published
  model_sync::atomic<int> x(0);
  std::vector<thread> ts;
  for (int i = 0; i < n; ++i)
    ts.emplace_back([&x, k] {
      for (int j = 0; j < k; ++j) x.fetch_add(1, rlx);
    });
  for (auto& t : ts) t.join();
  WEAVE_CHECK(x.load(rlx) == n * k);
}

// AB-BA with names: Tom takes lock_A then lock_B, Jerry the other way round.
inline void ab_ba_named() {
  model::mutex lock_A{"lock_A"}, lock_B{"lock_B"};
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

}  // namespace weave::model::test
