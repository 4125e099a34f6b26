// How fast the checker runs (issue: executions per second, flat memory).
//   checker_speed            executions/s on the 3-thread x 3 seq_cst fetch_add test and a
//                            2-thread mutex test, each with its ratio to a baseline
//                            measured between the same rounds (fiber switches: what an
//                            execution costs in them); under RC11, seq_cst store-load
//                            pairs with RC11's SC order kept as the execution grows,
//                            against worked out in full at each question (WEAVE_PSC=full,
//                            psc.cpp), in the same run; peak RSS of a 1,000-execution
//                            and a 1,000,000-execution run, each in its own process.
//   checker_speed --once NAME [SEARCHES]
//                            one search (or SEARCHES of them) only (fetch_add_plain,
//                            fetch_add_dpor, mutex, sc_pairs or spawn_join), no clock:
//                            under `valgrind --tool=callgrind` its instruction count /
//                            executions is the cost of one execution, a figure the
//                            machine's noise cannot move (the mutex test's 4 executions
//                            a search want SEARCHES, e.g. 1000, to outweigh start-up).
//                            spawn_join is the floor of an execution of three threads:
//                            they are spawned and joined and do nothing else. Its search
//                            has one execution, and the check runs it once more (the
//                            nondeterminism check), so count it with callgrind's
//                            --toggle-collect='*engine::run_execution*' (two executions
//                            a search; the rest is the check's own cost).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <boost/context/fiber.hpp>

#include "weave/model.hpp"
#include "weave/mutex.hpp"

namespace {
using weave::model::thread;
constexpr auto sc = std::memory_order_seq_cst;  // the goal is stated for seq_cst (relaxed measures the same)

void fetch_add_3x3() {
  weave::model_sync::atomic<int> x(0);
  thread a([&] { for (int i = 0; i < 3; ++i) x.fetch_add(1, sc); });
  thread b([&] { for (int i = 0; i < 3; ++i) x.fetch_add(1, sc); });
  thread c([&] { for (int i = 0; i < 3; ++i) x.fetch_add(1, sc); });
  a.join();
  b.join();
  c.join();
}

void mutex_2() {
  weave::model::mutex m;
  weave::model_sync::cell<int> n(0);
  thread a([&] { m.lock(); n.write() += 1; m.unlock(); });
  thread b([&] { m.lock(); n.write() += 1; m.unlock(); });
  a.join();
  b.join();
  WEAVE_CHECK(n.read() == 2);
}

// The floor: what every execution of a three-thread check pays besides its
// steps (spawns, starts, joins, ends, the execution's setup).
void spawn_join_3() {
  thread a([] {});
  thread b([] {});
  thread c([] {});
  a.join();
  b.join();
  c.join();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The baseline: fiber switches there and back per second (Boost.Context, the
// checker's own mechanism for model threads), measured between the rounds.
// These machines' speed moves from minute to minute (two shared cores); the
// ratio of an execution's time to a switch's, measured side by side, moved
// about half as much (0.57-0.97 M executions/s, 88-129 switches).
double switch_pairs_per_second() {
  namespace ctx = boost::context;
  ctx::fiber f{[](ctx::fiber&& back) {
    for (;;) back = std::move(back).resume();
    return std::move(back);
  }};
  constexpr int kPairs = 200000;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kPairs; ++i) f = std::move(f).resume();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return kPairs / s;
}
// Two threads of four seq_cst store-load pairs, each storing to its own
// location and loading the other's (store buffering, repeated): under RC11
// each load may read any of the other's stores that psc allows, so nearly
// every step asks psc about every older store.
void sc_pairs_2x4() {
  weave::model_sync::atomic<int> x(0), y(0);
  auto pairs = [](weave::model_sync::atomic<int>& mine, weave::model_sync::atomic<int>& theirs) {
    for (int i = 1; i <= 4; ++i) {
      mine.store(i, sc);
      (void)theirs.load(sc);
    }
  };
  thread a([&] { pairs(x, y); });
  pairs(y, x);
  a.join();
}

struct speed {
  double executions_per_second;  // the median of the rounds
  double switches_per_execution;  // the median of the rounds' ratios to the baseline
};

// Runs body's exhaustive search repeatedly for about `seconds` in rounds of
// 20 searches, each followed by the baseline.
speed rate(void (*body)(), weave::model::options o, double seconds, std::uint64_t* per_run) {
  std::vector<double> rates, ratios;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end || rates.size() < 5) {
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t n = 0;
    for (int i = 0; i < 20; ++i) n += weave::model::check(o, body).executions;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rates.push_back(static_cast<double>(n) / s);
    ratios.push_back(switch_pairs_per_second() / rates.back());
    *per_run = n / 20;
  }
  return {median(rates), median(ratios)};
}

void rss_run(std::uint64_t executions) {
  weave::model::options o;
  o.search = weave::model::strategy::random;
  o.iterations = executions;
  weave::model::check(o, mutex_2);
}

// Peak RSS of a fresh process (this program re-executed) that runs the search.
long peak_rss_kib_of_run(std::uint64_t executions) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string n = std::to_string(executions);
    execl("/proc/self/exe", "checker_speed", "--rss-run", n.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  return ru.ru_maxrss;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--rss-run") {
    rss_run(std::stoull(argv[2]));
    return 0;
  }
  weave::model::options plain;
  plain.reduction = false;
  weave::model::options dpor;
  if ((argc == 3 || argc == 4) && std::string(argv[1]) == "--once") {
    const std::string which = argv[2];
    void (*body)() = which == "mutex"        ? mutex_2
                     : which == "sc_pairs"   ? sc_pairs_2x4
                     : which == "spawn_join" ? spawn_join_3
                                             : fetch_add_3x3;
    if (body == fetch_add_3x3 && which != "fetch_add_plain" && which != "fetch_add_dpor") {
      std::fprintf(stderr, "checker_speed --once: fetch_add_plain, fetch_add_dpor, mutex, sc_pairs or spawn_join\n");
      return 2;
    }
    const int searches = argc == 4 ? std::stoi(argv[3]) : 1;
    std::uint64_t n = 0;
    for (int i = 0; i < searches; ++i)
      n += weave::model::check(which == "fetch_add_plain" ? plain : dpor, body).executions;
    std::printf("%s: %llu executions\n", which.c_str(), static_cast<unsigned long long>(n));
    return 0;
  }
  std::uint64_t n1 = 0, n2 = 0, n3 = 0;
  const speed r1 = rate(fetch_add_3x3, plain, 3, &n1);
  const speed r2 = rate(fetch_add_3x3, dpor, 3, &n2);
  const speed r3 = rate(mutex_2, dpor, 3, &n3);
  std::printf("checker speed (median of rounds; each round = 20 exhaustive searches, then the baseline:\n"
              "an execution's cost in fiber switches there and back, measured right after it)\n");
  const auto row = [](const char* what, std::uint64_t n, const speed& r) {
    std::printf("  %-36s: %8llu executions/search, %10.0f executions/s, %6.1f switches/execution\n", what,
                static_cast<unsigned long long>(n), r.executions_per_second, r.switches_per_execution);
  };
  row("3 threads x 3 sc fetch_add, plain", n1, r1);
  row("3 threads x 3 sc fetch_add, DPOR", n2, r2);
  row("2 threads, weave::mutex, DPOR", n3, r3);
  // RC11's SC order: kept (the default) and worked out in full, alternately
  // (each engine reads WEAVE_PSC when it is made).
  std::uint64_t n4 = 0, n5 = 0;
  const speed kept = rate(sc_pairs_2x4, dpor, 3, &n4);
  ::setenv("WEAVE_PSC", "full", 1);
  const speed full = rate(sc_pairs_2x4, dpor, 3, &n5);
  ::unsetenv("WEAVE_PSC");
  std::printf("RC11, 2 threads x 4 seq_cst store-load pairs, DPOR (%llu executions/search; %s)\n",
              static_cast<unsigned long long>(n4), n4 == n5 ? "the same in full" : "NOT THE SAME IN FULL");
  std::printf("  SC order kept        : %10.0f executions/s\n", kept.executions_per_second);
  std::printf("  worked out in full   : %10.0f executions/s   (kept / full: %.1fx)\n", full.executions_per_second,
              kept.executions_per_second / full.executions_per_second);
  const long small = peak_rss_kib_of_run(1000);
  const long large = peak_rss_kib_of_run(1000000);
  std::printf("peak resident memory (random search of the mutex test, one process each)\n");
  std::printf("  1,000 executions     : %6.1f MiB\n", small / 1024.0);
  std::printf("  1,000,000 executions : %6.1f MiB   (difference %.1f MiB)\n", large / 1024.0,
              (large - small) / 1024.0);
  return 0;
}
