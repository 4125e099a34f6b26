// Check bodies whose execution counts are known, shared by the checker's own
// tests (engine_test.cpp) and the runner checks of checker.shard_merge
// (shard_checks.cpp).
#pragma once

#include <vector>

#include "weave/model.hpp"

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

}  // namespace weave::model::test
