// stress/bench/common.hpp — the ratio table every weave benchmark prints.
//
// A weave benchmark measures weave and a baseline in the same run and quotes
// their ratio, computed from medians over repetitions (the machine is noisy).
// This header runs Google Benchmark with repetitions, collects the median of
// every benchmark through a reporter (printing the usual console table as it
// goes), and then prints one line per requested ratio:
//
//   weave::bench::ratio{label, numerator, denominator, metric, goal}
//     numerator/denominator  benchmark names as Google Benchmark prints them
//                            without the aggregate suffix, e.g.
//                            "BM_lock_unlock<weave::mutex>" or
//                            "BM_contended<std::mutex>/real_time/threads:2".
//     metric::time           real time per iteration; ratio = num / den, so
//                            below 1 means the numerator is faster.
//     metric::throughput     the items_per_second counter (set it with
//                            state.SetItemsProcessed); ratio = num / den, so
//                            above 1 means the numerator does more work.
//     goal                   optional (0 = none): for time the ratio should be
//                            <= goal, for throughput >= goal. The table says
//                            "met" or "MISSED"; a missed goal does not fail
//                            the program (one noisy run proves nothing).
//
//   int main(int argc, char** argv) {
//     return weave::bench::run(argc, argv, {
//         {"weave vs std, uncontended", "BM_a<weave>", "BM_a<std>", weave::bench::metric::time, 1.0},
//     });
//   }
//
// run() (or a session, for benchmarks measured in phases) adds
// --benchmark_repetitions=5 and --benchmark_display_aggregates_only
// unless the command line sets them; every other Google Benchmark flag works
// (--benchmark_filter, --benchmark_min_time, ...). With a single repetition the
// ratio uses that one measurement.
//
// Oversubscribed: hand-offs behave differently when threads outnumber cores
// (a partner that spins may be spinning while the thread it waits for is
// descheduled). run(argc, argv, ratios, "regex") measures the benchmarks the
// regex selects a second time with background_spinners running (one busy
// thread per hardware thread, so the benchmark's own threads compete for
// every core), and prints the same ratios again from those figures, under
// their own heading. With --benchmark_filter, the second phase runs only the
// benchmarks both select.
//
// Noise: run() and session also add --benchmark_enable_random_interleaving
// unless the command line sets it, so the repetitions of weave's benchmark
// and its baseline's alternate in a random order instead of running in two
// blocks minutes apart: a ratio then compares figures taken under the same
// background (a busy neighbour, a CPU's frequency) rather than two moments'.
//
// Placed: where the scheduler puts two partners can decide a hand-off's
// figure (on a virtual machine a wake-up sent to another CPU may cost a
// hundred times one on the same CPU), so a two-thread hand-off also runs with
// its threads pinned to one CPU and to two (placed<Body>, register_placed,
// placed_name, below), and its ratios are quoted per placement.
#pragma once

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>
#include <sched.h>

namespace weave::bench {

enum class metric { time, throughput };

struct ratio {
  std::string label;
  std::string numerator;
  std::string denominator;
  metric what = metric::time;
  double goal = 0;  // 0: no goal
};

/// One benchmark's figure: real ns per iteration and items per second (0 if unset).
struct figure {
  double ns = 0;
  double items_per_second = 0;
  bool median = false;
};

/// A console reporter that also remembers the median (or, without repetitions,
/// the single measurement) of every benchmark by name.
class median_reporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      const bool is_median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      const bool is_single = r.run_type == Run::RT_Iteration;
      if (!is_median && !is_single) continue;
      figure& f = figures_[r.run_name.str()];
      if (f.median && !is_median) continue;  // a median beats any single repetition
      f.median = is_median;
      f.ns = r.GetAdjustedRealTime() * 1e9 / benchmark::GetTimeUnitMultiplier(r.time_unit);
      const auto it = r.counters.find("items_per_second");
      f.items_per_second = it == r.counters.end() ? 0.0 : static_cast<double>(it->second);
    }
    ConsoleReporter::ReportRuns(runs);
  }

  const figure* find(const std::string& name) const {
    const auto it = figures_.find(name);
    return it == figures_.end() ? nullptr : &it->second;
  }
  const std::map<std::string, figure>& figures() const { return figures_; }

 private:
  std::map<std::string, figure> figures_;
};

/// Pins the calling thread to one CPU (cpu modulo the CPUs it may run on)
/// from construction to destruction, then gives back the CPUs it had. For
/// figures that depend on where the scheduler puts two partners: on a
/// virtual machine a wake-up sent to another CPU can cost a hundred times one
/// on the same CPU, so an unpinned hand-off measures placement luck as much
/// as the primitive (bench_queue's BM_handoff_placed). Does nothing if the
/// affinity cannot be read or set.
class pinned_to {
 public:
  explicit pinned_to(unsigned cpu) {
    ok_ = pthread_getaffinity_np(pthread_self(), sizeof old_, &old_) == 0;
    if (!ok_) return;
    const int n = CPU_COUNT(&old_);
    if (n <= 0) return;
    int want = static_cast<int>(cpu % static_cast<unsigned>(n));
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (!CPU_ISSET(c, &old_)) continue;
      if (want-- == 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(c, &one);
        pthread_setaffinity_np(pthread_self(), sizeof one, &one);
        break;
      }
    }
  }
  ~pinned_to() {
    if (ok_) pthread_setaffinity_np(pthread_self(), sizeof old_, &old_);
  }
  pinned_to(const pinned_to&) = delete;
  pinned_to& operator=(const pinned_to&) = delete;

 private:
  cpu_set_t old_{};
  bool ok_ = false;
};

/// A two-thread benchmark whose figure depends on where its threads run also
/// runs placed: placed<Body> pins thread 0 to the first CPU and thread 1 to
/// the same CPU (argument 0) or the next one (argument 1), see pinned_to.
///   register_placed("BM_ping_pong_placed<weave::event>", placed<BM_ping_pong<weave::event>>);
/// registers both placements (real time, two threads; it returns the
/// registration for more settings), and placed_name(that name, cpus) is the
/// name a ratio quotes ("<name>/0/real_time/threads:2" for one CPU).
template <void (*Body)(benchmark::State&)>
void placed(benchmark::State& state) {
  const pinned_to cpu(state.thread_index() == 0 ? 0U : static_cast<unsigned>(state.range(0)));
  Body(state);
}
inline benchmark::internal::Benchmark* register_placed(const std::string& name, void (*fn)(benchmark::State&)) {
  return benchmark::RegisterBenchmark(name.c_str(), fn)->Arg(0)->Arg(1)->Threads(2)->UseRealTime();
}
inline std::string placed_name(const std::string& name, int cpus, const std::string& settings = "") {
  return name + "/" + std::to_string(cpus - 1) + settings + "/real_time/threads:2";
}

/// Busy threads for the oversubscribed figures: from construction to
/// destruction, one thread per hardware thread (std::thread::
/// hardware_concurrency()), spinner i pinned to CPU i, spins in a loop that
/// makes no system call, so every core is contended and the benchmark's own
/// threads get descheduled as on a loaded machine.
class background_spinners {
 public:
  background_spinners() : count_(std::thread::hardware_concurrency() == 0 ? 1 : std::thread::hardware_concurrency()) {
    for (unsigned i = 0; i < count_; ++i) {
      threads_.emplace_back([this, i] {
        const pinned_to cpu(i);
        unsigned long spins = 0;
        // relaxed: a stop flag; the join in the destructor orders the rest.
        while (!stop_.load(std::memory_order_relaxed)) benchmark::DoNotOptimize(++spins);
      });
    }
  }
  ~background_spinners() {
    // relaxed: see the loop; the spinners only need to see it eventually.
    stop_.store(true, std::memory_order_relaxed);
    for (std::thread& t : threads_) t.join();
  }
  background_spinners(const background_spinners&) = delete;
  background_spinners& operator=(const background_spinners&) = delete;

  unsigned count() const noexcept { return count_; }

 private:
  const unsigned count_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

/// Prints the ratio table from the collected medians, under title. Returns the
/// number of ratios whose benchmarks were not both found (e.g. filtered out);
/// with only_measured, such ratios are left out silently.
inline int print_ratios(const median_reporter& rep, const std::vector<ratio>& ratios,
                        const std::string& title = "medians of repetitions, measured in this run",
                        bool only_measured = false) {
  int missing = 0;
  std::printf("\nweave ratios (%s):\n", title.c_str());
  for (const ratio& q : ratios) {
    const figure* n = rep.find(q.numerator);
    const figure* d = rep.find(q.denominator);
    if (only_measured && (n == nullptr || d == nullptr)) continue;
    if (n == nullptr || d == nullptr) {
      std::printf("  %-48s  n/a (not measured: %s)\n", q.label.c_str(),
                  (n == nullptr ? q.numerator : q.denominator).c_str());
      ++missing;
      continue;
    }
    double value = 0;
    double nv = 0;
    double dv = 0;
    const char* unit = "";
    if (q.what == metric::time) {
      nv = n->ns;
      dv = d->ns;
      unit = "ns/op";
    } else {
      nv = n->items_per_second / 1e6;
      dv = d->items_per_second / 1e6;
      unit = "M items/s";
    }
    value = dv > 0 ? nv / dv : 0;
    std::string verdict;
    if (q.goal > 0) {
      const bool met = q.what == metric::time ? value <= q.goal : value >= q.goal;
      char buf[64];
      std::snprintf(buf, sizeof buf, "  goal %s %.2f: %s", q.what == metric::time ? "<=" : ">=", q.goal,
                    met ? "met" : "MISSED");
      verdict = buf;
    }
    std::printf("  %-48s  %6.3fx  (%.2f vs %.2f %s; %s)%s\n", q.label.c_str(), value, nv, dv, unit,
                q.what == metric::time ? "below 1 = faster" : "above 1 = more work", verdict.c_str());
  }
  if (missing > 0) {
    std::printf("  measured:");
    for (const auto& [name, f] : rep.figures()) std::printf(" %s;", name.c_str());
    std::printf("\n");
  }
  std::fflush(stdout);
  return missing;
}

/// One benchmark program's run, for programs that measure in phases (e.g. some
/// benchmarks before a helper thread starts, the rest after):
///   weave::bench::session s(argc, argv);
///   s.run("^BM_first");   // a regex over benchmark names ("" = --benchmark_filter)
///   ...;
///   s.run("^BM_rest");
///   return s.finish(ratios);
/// Medians collected by every phase are available to finish().
class session {
 public:
  explicit session(int argc, char** argv, int repetitions = 5) {
    bool has_reps = false;
    bool has_display = false;
    bool has_interleaving = false;
    for (int i = 1; i < argc; ++i) {
      if (std::strncmp(argv[i], "--benchmark_repetitions", 23) == 0) has_reps = true;
      if (std::strncmp(argv[i], "--benchmark_filter", 18) == 0) filtered_ = true;
      if (std::strncmp(argv[i], "--benchmark_enable_random_interleaving", 38) == 0) has_interleaving = true;
      if (std::strncmp(argv[i], "--benchmark_display_aggregates_only", 35) == 0 ||
          std::strncmp(argv[i], "--benchmark_report_aggregates_only", 34) == 0) {
        has_display = true;
      }
    }
    if (!has_reps) extra_.push_back("--benchmark_repetitions=" + std::to_string(repetitions));
    if (!has_display) extra_.push_back("--benchmark_display_aggregates_only=true");
    if (!has_interleaving) extra_.push_back("--benchmark_enable_random_interleaving=true");
    args_.assign(argv, argv + argc);
    for (std::string& e : extra_) args_.push_back(e.data());
    args_.push_back(nullptr);
    int n = static_cast<int>(args_.size()) - 1;
    benchmark::Initialize(&n, args_.data());
    ok_ = !benchmark::ReportUnrecognizedArguments(n, args_.data());
  }
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// False if the command line had an argument Google Benchmark does not know.
  bool ok() const noexcept { return ok_; }

  /// Runs the registered benchmarks whose names match the regex spec; an
  /// empty spec runs what --benchmark_filter selects (by default all). A spec
  /// replaces the command line's filter (Google Benchmark's POSIX regexes
  /// cannot be intersected), so a program measured in phases ignores it.
  void run(const std::string& spec = "") {
    if (!ok_) return;
    if (spec.empty()) {
      benchmark::RunSpecifiedBenchmarks(&rep_);
    } else {
      benchmark::RunSpecifiedBenchmarks(&rep_, spec);
    }
  }

  /// As run(spec), with background_spinners running for the whole phase. Its
  /// figures are kept apart; finish() prints the ratios again from them. With
  /// --benchmark_filter on the command line, only the benchmarks that earlier
  /// phases ran (so the filter selected) and spec selects.
  void run_oversubscribed(const std::string& spec) {
    if (!ok_) return;
    const std::string selected = filtered_ ? already_run_matching(spec) : spec;
    if (selected.empty()) return;
    const background_spinners load;
    spinners_ = load.count();
    std::printf("\noversubscribed: the same benchmarks with %u background spinning threads\n", spinners_);
    std::fflush(stdout);
    benchmark::RunSpecifiedBenchmarks(&loaded_, selected);
  }

  /// Prints the ratio table (and the oversubscribed one, if measured); returns
  /// main's exit status (2 on a bad command line).
  int finish(const std::vector<ratio>& ratios) {
    benchmark::Shutdown();
    if (!ok_) return 2;
    print_ratios(rep_, ratios);
    if (!loaded_.figures().empty()) {
      print_ratios(loaded_, ratios,
                   "oversubscribed: " + std::to_string(spinners_) + " background spinning threads, medians", true);
    }
    return 0;
  }

  const median_reporter& reporter() const noexcept { return rep_; }

 private:
  /// A regex selecting exactly the benchmarks run so far whose names spec
  /// selects (Google Benchmark matches a POSIX extended regex anywhere in the
  /// name); "" if there are none.
  std::string already_run_matching(const std::string& spec) const {
    const std::regex re(spec, std::regex::extended);
    std::string alternatives;
    for (const auto& [name, f] : rep_.figures()) {
      if (!std::regex_search(name, re)) continue;
      alternatives += alternatives.empty() ? "^(" : "|";
      for (const char c : name) {
        if (std::strchr(".[]{}()*+?^$|\\", c) != nullptr) alternatives += '\\';
        alternatives += c;
      }
    }
    return alternatives.empty() ? alternatives : alternatives + ")$";
  }

  std::vector<std::string> extra_;  // owns the added flags args_ points to
  std::vector<char*> args_;
  median_reporter rep_;
  median_reporter loaded_;  // run_oversubscribed's figures
  unsigned spinners_ = 0;
  bool filtered_ = false;  // the command line has --benchmark_filter
  bool ok_ = true;
};

/// Runs every registered benchmark (honouring the command line) in one phase
/// and prints the ratio table; then, if oversubscribed is a regex, runs the
/// benchmarks it selects again with background_spinners and prints the same
/// ratios from those figures. Returns main's exit status.
inline int run(int argc, char** argv, const std::vector<ratio>& ratios, const std::string& oversubscribed = "",
               int repetitions = 5) {
  session s(argc, argv, repetitions);
  s.run();
  if (!oversubscribed.empty()) s.run_oversubscribed(oversubscribed);
  return s.finish(ratios);
}

}  // namespace weave::bench
