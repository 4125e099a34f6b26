// Partial-order reduction against the optimum, on the usual scaling programs.
//   checker_scaling   for each program: executions explored by plain DFS, by
//                     weave's DPOR, and the optimal count (the number of distinct
//                     Mazurkiewicz traces), with times; plus the same search split
//                     over shards, whose union must equal the single run.
// The optimal count is computed here independently: plain DFS runs every
// interleaving, and each execution is reduced to its canonical trace (for every
// object, the order of its writes and which reads sit between them).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "weave/model.hpp"

namespace {
using weave::model::thread;
using S = weave::model_sync;
constexpr auto rlx = std::memory_order_relaxed;

// The access log of the current execution (fibers run one at a time).
struct access_log {
  std::vector<std::vector<std::string>> per_object;
  std::map<std::uint32_t, int> op_index;
  void begin(std::size_t objects) {
    per_object.assign(objects, {});
    op_index.clear();
  }
  void note(std::size_t obj, bool write) {
    const std::uint32_t t = S::self();
    const int k = op_index[t]++;
    per_object[obj].push_back((write ? "W" : "R") + std::to_string(t) + "." + std::to_string(k));
  }
  std::string canonical() const {
    std::string key;
    for (const auto& seq : per_object) {
      std::vector<std::string> reads;
      for (const auto& a : seq) {
        if (a[0] == 'R') {
          reads.push_back(a);
        } else {
          std::sort(reads.begin(), reads.end());
          for (auto& r : reads) key += r + ",";
          reads.clear();
          key += a + ",";
        }
      }
      std::sort(reads.begin(), reads.end());
      for (auto& r : reads) key += r + ",";
      key += "|";
    }
    return key;
  }
};
access_log g_log;
std::set<std::string>* g_traces = nullptr;

struct shared_array {
  std::vector<std::unique_ptr<S::atomic<int>>> a;
  explicit shared_array(std::size_t n) {
    g_log.begin(n);
    for (std::size_t i = 0; i < n; ++i) a.push_back(std::make_unique<S::atomic<int>>(0));
  }
  int load(std::size_t i) {
    const int v = a[i]->load(rlx);
    g_log.note(i, false);
    return v;
  }
  void store(std::size_t i, int v) {
    a[i]->store(v, rlx);
    g_log.note(i, true);
  }
  int fetch_add(std::size_t i, int v) {
    const int r = a[i]->fetch_add(v, rlx);
    g_log.note(i, true);
    return r;
  }
  ~shared_array() {
    if (g_traces) g_traces->insert(g_log.canonical());
  }
};

// readers(N): one writer and N readers of one variable. Optimal: 2^N.
std::function<void()> readers(int n) {
  return [n] {
    shared_array x(1);
    std::vector<thread> ts;
    ts.emplace_back([&] { x.store(0, 1); });
    for (int i = 0; i < n; ++i) ts.emplace_back([&] { (void)x.load(0); });
    for (auto& t : ts) t.join();
  };
}

// lastzero(N): thread 0 scans array[N..0] for the last zero; thread i (1..N)
// writes array[i] = array[i-1] + 1.
std::function<void()> lastzero(int n) {
  return [n] {
    shared_array a(static_cast<std::size_t>(n) + 1);
    std::vector<thread> ts;
    ts.emplace_back([&] {
      for (int i = n; i >= 0; --i)
        if (a.load(static_cast<std::size_t>(i)) == 0) break;
    });
    for (int i = 1; i <= n; ++i)
      ts.emplace_back([&a, i] { a.store(static_cast<std::size_t>(i), a.load(static_cast<std::size_t>(i) - 1) + 1); });
    for (auto& t : ts) t.join();
  };
}

// increments(T, K): T threads, K fetch_adds each, one variable.
std::function<void()> increments(int t, int k) {
  return [t, k] {
    shared_array x(1);
    std::vector<thread> ts;
    for (int i = 0; i < t; ++i)
      ts.emplace_back([&x, k] {
        for (int j = 0; j < k; ++j) x.fetch_add(0, 1);
      });
    for (auto& th : ts) th.join();
  };
}

// independent(N): N threads each writing their own variable. Optimal: 1.
std::function<void()> independent(int n) {
  return [n] {
    shared_array x(static_cast<std::size_t>(n));
    std::vector<thread> ts;
    for (int i = 0; i < n; ++i) ts.emplace_back([&x, i] { x.store(static_cast<std::size_t>(i), 1); });
    for (auto& t : ts) t.join();
  };
}

double secs(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void row(const char* name, const std::function<void()>& body) {
  weave::model::options plain;
  plain.reduction = false;
  plain.spurious_wakeups = 0;
  weave::model::options dpor;
  dpor.spurious_wakeups = 0;
  std::set<std::string> traces;
  g_traces = &traces;
  auto t0 = std::chrono::steady_clock::now();
  const auto p = weave::model::check(plain, body);
  const double tp = secs(t0);
  g_traces = nullptr;
  t0 = std::chrono::steady_clock::now();
  const auto r = weave::model::check(dpor, body);
  const double tr = secs(t0);
  std::uint64_t shards = 0;
  for (int k = 0; k < 3; ++k) {
    weave::model::options o = dpor;
    o.shard_index = k;
    o.shard_count = 3;
    shards += weave::model::check(o, body).executions;
  }
  std::printf("%-16s %10llu %8.3fs %10llu %8.3fs %10zu %7.3f %12llu\n", name,
              static_cast<unsigned long long>(p.executions), tp, static_cast<unsigned long long>(r.executions), tr,
              traces.size(), static_cast<double>(r.executions) / static_cast<double>(traces.size()),
              static_cast<unsigned long long>(shards));
}
}  // namespace

int main() {
  std::printf("%-16s %10s %9s %10s %9s %10s %7s %12s\n", "program", "plain DFS", "time", "DPOR", "time", "optimal",
              "ratio", "3 shards sum");
  std::printf("%s\n", std::string(92, '-').c_str());
  for (int n = 2; n <= 6; ++n) row(("readers(" + std::to_string(n) + ")").c_str(), readers(n));
  for (int n = 2; n <= 5; ++n) row(("lastzero(" + std::to_string(n) + ")").c_str(), lastzero(n));
  row("increments(2,3)", increments(2, 3));
  row("increments(3,3)", increments(3, 3));
  row("independent(4)", independent(4));
  std::printf("ratio = DPOR executions / optimal (goal: <= 1.1)\n");
  return 0;
}
