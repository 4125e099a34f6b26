// The runner: every WEAVE_MODEL_CHECK, its declared verdict, and one table;
// --json / --junit result files, and --merge of the shards of one search.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "jobs.hpp"
#include "results.hpp"
#include "watchdog.hpp"

namespace weave::model {
namespace {

// Exit codes (also in --help and the README).
constexpr int kAsDeclared = 0;  // every verdict as declared
constexpr int kMismatch = 1;    // some verdict differs from its declaration
constexpr int kUsage = 2;       // bad arguments, or a result file unreadable or unwritable

struct entry {
  const char* name;
  verdict expected;
  options opts;
  void (*body)();
  const char* file;
};

std::vector<entry>& registry() {
  static std::vector<entry> r;
  return r;
}

void usage(std::FILE* f) {
  std::fputs(
      "usage: weave_models [options]\n"
      "       weave_models --merge FILE... [--json FILE] [--junit FILE] [--verbose]\n"
      "Runs every registered model check and prints one table: check, expected verdict,\n"
      "verdict, executions, search (exhaustive, bounded, or found: the search stopped\n"
      "at a failure; * one slice of it), memory model, time, executions/s.\n\n"
      "  --list              list the checks with their expected verdicts\n"
      "  --filter REGEX      run only the checks whose name matches\n"
      "  --replay NAME:TOKEN re-run one schedule of check NAME with full tracing\n"
      "  --strategy S        dfs (exhaustive, default), random or pct\n"
      "  --memory-model M    rc11 (C++ weak memory; each check's default unless it\n"
      "                      says sc) or sc (interleavings only)\n"
      "  --preemptions N     bound the preemptions per execution (dfs); none lifts\n"
      "                      a check's own bound (exhaustive, with reduction)\n"
      "  --executions N      stop after N executions (in all, with --jobs)\n"
      "  --iterations N      executions for random and pct (in all, with --jobs)\n"
      "  --seed N            seed for random and pct (each --shard or --jobs slice\n"
      "                      draws a seed of its own from it)\n"
      "  --time SECONDS      time budget per check\n"
      "  --stall SECONDS     a model thread that goes this long without a visible\n"
      "                      operation (a loop on a plain bool) stops the run with a\n"
      "                      message and exit status 3 (default 10; 0: never)\n"
      "  --jobs N            N local worker processes: several checks run side by side,\n"
      "                      the longest first (by their times in the last run, kept\n"
      "                      in this program's path + .times); one check is split\n"
      "                      across them\n"
      "  --shard K/N         explore only slice K (1-based) of N of each check\n"
      "  --no-reduction      plain DFS without partial-order reduction\n"
      "  --json FILE         also write the results as JSON (one record per check)\n"
      "  --junit FILE        also write the results as JUnit XML (one testcase per check)\n"
      "  --merge FILE...     combine the --json files of every shard K/N of one search:\n"
      "                      prints the table of the whole search (run nothing)\n"
      "  --internals         run weave's primitives transparent: every internal step a\n"
      "                      choice (each check's default is opaque, one step per call,\n"
      "                      except weave's own checks of its primitives)\n"
      "  --trace-json FILE   a failing check's counterexample as Chrome Trace Event JSON\n"
      "                      (open it in ui.perfetto.dev or chrome://tracing)\n"
      "  --html FILE         ... as one self-contained HTML page (swimlanes, a step slider)\n"
      "  --dot FILE          ... as Graphviz DOT (a deadlock's wait-for graph, or the\n"
      "                      happens-before graph); with several failing checks each\n"
      "                      FILE gets the check's name before its extension\n"
      "  --counterexamples DIR  every failing check's counterexample as DIR/NAME.txt,\n"
      "                      NAME.trace.json, NAME.html and NAME.dot (DIR is made\n"
      "                      if missing)\n"
      "  --outcomes          explore on past failures and list every distinct final value\n"
      "                      of the named atomics, with a replay token for each (with\n"
      "                      --preemptions or random/pct: those that search saw)\n"
      "  --progress          one updating progress line on a terminal\n"
      "  --verbose           print the counterexample of every failing check\n"
      "  --help              this text\n\n"
      "Exit status: 0 every verdict as declared, 1 a verdict differs from its declared\n"
      "one, 2 usage error (bad arguments, no check matches the filter, a shard missing\n"
      "from --merge, a result file that cannot be read or written), 3 the checker\n"
      "stopped the run: a model thread overflowed its stack or stalled (--stall).\n",
      f);
}

// The command line. The set_* flags say which options override each check's own.
struct cli_args {
  std::string filter, replay, json, junit;
  std::string trace_json, html, dot;  // counterexamples to look at (export.cpp)
  std::string counterexamples;        // a folder: every failing check's counterexample, in every form
  std::vector<std::string> merge;
  bool list = false, verbose = false;
  options o;
  bool set_strategy = false, set_pre = false, set_exec = false, set_iter = false, set_seed = false,
       set_time = false, set_stall = false, set_reduction = false, set_memory = false, set_internals = false;
};

memory_model parse_memory(const std::string& s) {
  if (s == "rc11") return memory_model::rc11;
  if (s == "sc") return memory_model::sc;
  throw std::invalid_argument("rc11 or sc");
}

strategy parse_strategy(const std::string& s) {
  if (s == "dfs") return strategy::dfs;
  if (s == "random") return strategy::random;
  if (s == "pct") return strategy::pct;
  throw std::invalid_argument("dfs, random or pct");
}

// A whole number from lo to hi, written out in full: std::stoi reads "2x" as
// 2, and std::stoull reads "-1" as the largest number there is.
std::uint64_t whole(const std::string& s, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi)
    throw std::invalid_argument(hi == UINT64_MAX ? "a whole number from " + std::to_string(lo)
                                                 : "a whole number from " + std::to_string(lo) + " to " +
                                                       std::to_string(hi));
  return v;
}

// A preemption bound: a whole number, or none (a check's own bound lifted:
// the search is exhaustive, with reduction).
int bound(const std::string& s) {
  if (s == "none") return -1;
  try {
    return static_cast<int>(whole(s, 0, 10'000));
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("a whole number from 0 to 10000, or none");
  }
}

// Seconds: a number above 0 ("1.5"), or 0 too where it means never.
double seconds(const std::string& s, bool zero_ok = false) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || errno != 0 || !std::isfinite(v) || v < 0 || (v == 0 && !zero_ok))
    throw std::invalid_argument(zero_ok ? "seconds, 0 (never) or more" : "seconds, a number above 0");
  return v;
}

constexpr int kMaxJobs = 256;  // a worker is a process with a pipe: far past the cores, only file descriptors run out

void parse_shard(const std::string& s, options& o) {
  const auto slash = s.find('/');
  const char* want = "K/N, slice K of N, 1 <= K <= N";
  if (slash == std::string::npos) throw std::invalid_argument(want);
  try {
    o.shard_count = static_cast<int>(whole(s.substr(slash + 1), 1, 1'000'000));
    o.shard_index = static_cast<int>(whole(s.substr(0, slash), 1, static_cast<std::uint64_t>(o.shard_count))) - 1;
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(want);
  }
}

// Options that take a value; false if a is none of them.
bool value_option(const std::string& a, const std::function<std::string()>& next, cli_args& c) {
  options& o = c.o;
  if (a == "--filter") c.filter = next();
  else if (a == "--replay") c.replay = next();
  else if (a == "--json") c.json = next();
  else if (a == "--junit") c.junit = next();
  else if (a == "--trace-json") c.trace_json = next();
  else if (a == "--html") c.html = next();
  else if (a == "--dot") c.dot = next();
  else if (a == "--counterexamples") c.counterexamples = next();
  else if (a == "--strategy") o.search = parse_strategy(next()), c.set_strategy = true;
  else if (a == "--memory-model") o.memory = parse_memory(next()), c.set_memory = true;
  else if (a == "--preemptions") o.preemptions = bound(next()), c.set_pre = true;
  else if (a == "--executions") o.max_executions = whole(next(), 1, UINT64_MAX), c.set_exec = true;
  else if (a == "--iterations") o.iterations = whole(next(), 1, UINT64_MAX), c.set_iter = true;
  else if (a == "--seed") o.seed = whole(next(), 0, UINT64_MAX), c.set_seed = true;
  else if (a == "--time") o.time_budget = seconds(next()), c.set_time = true;
  else if (a == "--stall") o.stall_seconds = seconds(next(), true), c.set_stall = true;
  else if (a == "--jobs") o.jobs = static_cast<int>(whole(next(), 1, kMaxJobs));
  else if (a == "--shard") parse_shard(next(), o);
  else return false;
  return true;
}

// Fills c from argv; returns -1 to go on, or the exit code to stop with.
int parse_args(int argc, char** argv, cli_args& c) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::out_of_range(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--help" || a == "-h") {
        usage(stdout);
        return kAsDeclared;
      } else if (a == "--merge") {
        while (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) c.merge.push_back(argv[++i]);
        if (c.merge.empty()) throw std::out_of_range("--merge needs at least one file");
      } else if (a == "--list") {
        c.list = true;
      } else if (a == "--no-reduction") {
        c.o.reduction = false, c.set_reduction = true;
      } else if (a == "--outcomes") {
        c.o.outcomes = true;
      } else if (a == "--internals") {
        c.o.primitives = primitive_mode::transparent, c.set_internals = true;
      } else if (a == "--progress") {
        c.o.progress = true;
      } else if (a == "--verbose" || a == "-v") {
        c.verbose = true;
      } else if (!value_option(a, next, c)) {
        std::fprintf(stderr, "weave_models: unknown option %s\n\n", a.c_str());
        usage(stderr);
        return kUsage;
      }
    } catch (const std::out_of_range& e) {
      std::fprintf(stderr, "weave_models: %s\n", e.what());
      return kUsage;
    } catch (const std::invalid_argument& e) {  // what the option wants
      std::fprintf(stderr, "weave_models: bad value for %s: %s\n", a.c_str(), e.what());
      return kUsage;
    } catch (const std::exception&) {
      std::fprintf(stderr, "weave_models: bad value for %s\n", a.c_str());
      return kUsage;
    }
  }
  return -1;
}

// A check's options with the command line's overrides.
options options_for(const entry& e, const cli_args& c) {
  options o = e.opts;
  if (c.set_strategy) o.search = c.o.search;
  if (c.set_pre) o.preemptions = c.o.preemptions;
  if (c.set_exec) o.max_executions = c.o.max_executions;
  if (c.set_iter) o.iterations = c.o.iterations;
  if (c.set_seed) o.seed = c.o.seed;
  if (c.set_time) o.time_budget = c.o.time_budget;
  if (c.set_stall) o.stall_seconds = c.o.stall_seconds;
  if (c.set_reduction) o.reduction = c.o.reduction;
  if (c.set_memory) o.memory = c.o.memory;
  if (c.set_internals) o.primitives = c.o.primitives;
  o.progress = c.o.progress;
  o.outcomes = c.o.outcomes;
  o.jobs = c.o.jobs;
  if (c.o.shard_count > 1) {
    o.shard_index = c.o.shard_index;
    o.shard_count = c.o.shard_count;
  }
  return o;
}

std::string fmt_count(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

// The table's first column fits the longest name of the checks it lists
// (at least 40), so that every row's columns line up; set by print_header.
int name_width = 40;

std::size_t table_width() { return static_cast<std::size_t>(name_width) + 83; }

void print_header(const std::vector<std::string_view>& names) {
  name_width = 40;
  for (const std::string_view n : names) name_width = std::max(name_width, static_cast<int>(n.size()));
  std::printf("%-*s %-15s %-15s %12s  %-10s %-6s %8s %9s\n", name_width, "check", "expected", "verdict",
              "executions", "search", "memory", "time", "exec/s");
  std::printf("%s\n", std::string(table_width(), '-').c_str());
}

std::vector<std::string_view> names_of(const std::vector<const entry*>& selected) {
  std::vector<std::string_view> names;
  for (const entry* e : selected) names.push_back(e->name);
  return names;
}

// A passing check's speed (a found bug stops the search early: no rate);
// under 10 ms the clock says too little.
std::string rate_text(const result& r) {
  if (r.found != verdict::pass || r.seconds < 0.01) return "-";
  const double v = static_cast<double>(r.executions) / r.seconds;
  char buf[32];
  if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  else if (v >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

// One row; split marks a result that is one slice of the search.
void print_row(const detail::record& c, bool split) {
  const result& r = c.r;
  std::string search = r.found != verdict::pass ? "found" : r.exhaustive ? "exhaustive" : "bounded";
  if (r.saw_nothing) search = "NOTHING";  // see the warning below the table
  if (split) search += "*";
  std::printf("%-*s %-15s %-15s %12s  %-10s %-6s %7.2fs %9s%s\n", name_width, c.name.c_str(), to_string(c.expected),
              to_string(r.found), fmt_count(r.executions).c_str(), search.c_str(), c.memory_model.c_str(), r.seconds,
              rate_text(r).c_str(), c.as_declared() ? "" : "  << MISMATCH");
  std::fflush(stdout);
}

// What is printed below the table about one check (may be empty).
std::string note(const detail::record& c, bool verbose, bool single) {
  const result& r = c.r;
  std::string s;
  if (r.saw_nothing)
    s += c.name +
         ": warning: this check made no visible step: nothing was checked. The checker sees only "
         "model objects and threads: use weave::model_sync::atomic / cell, weave::model:: "
         "primitives and weave::model::thread (not int, std::atomic, std::mutex or std::thread).\n";
  if (c.partial && r.found == verdict::pass && c.expected != verdict::pass)
    s += c.name + ": no " + to_string(c.expected) + " in this slice; --merge the shards for the whole search\n";
  else if (r.found != verdict::pass && (verbose || single || !c.as_declared()))
    s += c.name + (c.as_declared() ? "" : "  (expected " + std::string(to_string(c.expected)) + ")") + ":\n" +
         r.report + "replay: weave_models --replay " + c.name + ":" + r.replay + "\n";
  else if (!c.as_declared())
    s += c.name + ": expected " + to_string(c.expected) + " but every explored execution passed (" +
         (r.exhaustive ? "exhaustively" : "bounded") + ")\n";
  if (r.found == verdict::pass && !r.exhaustive && !c.partial && !r.saw_nothing)
    s += c.name + ": " +
         (r.preemption_bound >= 0 ? "no bug within " + std::to_string(r.preemption_bound) + " preemption" +
                                        (r.preemption_bound == 1 ? "" : "s")
                                  : "no bug in " + fmt_count(r.executions) +
                                        (r.executions == 1 ? " execution" : " executions")) +
         (r.unfair > 0 ? " (" + fmt_count(r.unfair) + " cut where a thread that could run let more time-outs "
                             "of others pass than options::late_time_outs)"
                       : std::string()) +
         "; not a proof (a bounded search)\n";
  return s;
}

// The table's last line, the notes and the result files; returns the exit code.
int finish(const detail::run_results& run, const cli_args& c, const char* remark) {
  int mismatches = 0;
  double total_time = 0;
  for (const detail::record& r : run.checks) {
    mismatches += r.as_declared() ? 0 : 1;
    total_time += r.r.seconds;
  }
  std::printf("%s\n", std::string(table_width(), '-').c_str());
  std::printf("%zu checks, %d mismatch%s, %.2fs%s\n", run.checks.size(), mismatches, mismatches == 1 ? "" : "es",
              total_time, remark);
  for (const detail::record& r : run.checks) {
    const std::string s = note(r, c.verbose, run.checks.size() == 1);
    if (!s.empty()) std::printf("\n%s", s.c_str());
  }
  std::fflush(stdout);
  if (!c.json.empty() && !detail::write_json(c.json, run)) {
    std::fprintf(stderr, "weave_models: cannot write %s: %s\n", c.json.c_str(), std::strerror(errno));
    return kUsage;
  }
  if (!c.junit.empty() && !detail::write_junit(c.junit, run.checks)) {
    std::fprintf(stderr, "weave_models: cannot write %s: %s\n", c.junit.c_str(), std::strerror(errno));
    return kUsage;
  }
  return mismatches == 0 ? kAsDeclared : kMismatch;
}

int run_replay(const std::vector<entry>& checks, const std::string& arg, const cli_args& c) {
  const auto colon = arg.find(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "weave_models: --replay wants NAME:TOKEN\n");
    return kUsage;
  }
  const std::string name = arg.substr(0, colon);
  for (const entry& e : checks) {
    if (name != e.name) continue;
    const result r = replay(options_for(e, c), e.body, arg.substr(colon + 1));
    std::printf("%s\n", r.report.c_str());
    std::printf("verdict: %s (declared: %s)\n", to_string(r.found), to_string(e.expected));
    return r.found == e.expected ? kAsDeclared : kMismatch;
  }
  std::fprintf(stderr, "weave_models: no check named %s\n", name.c_str());
  return kUsage;
}

// A check's --outcomes table, under its row, its tokens under its name.
void print_outcomes(const detail::record& rec) {
  if (rec.r.outcomes.empty()) return;
  std::string text = rec.r.outcomes;
  const std::string name = std::string("--replay ") + rec.name + ":";
  for (std::size_t at = 0; (at = text.find("--replay NAME:", at)) != std::string::npos; at += name.size())
    text.replace(at, 14, name);
  std::printf("%s", text.c_str());
}

int run_merge(const cli_args& c) {
  std::vector<detail::run_results> shards(c.merge.size());
  std::string error;
  for (std::size_t i = 0; i < c.merge.size(); ++i) {
    if (!detail::read_json(c.merge[i], shards[i], error)) {
      std::fprintf(stderr, "weave_models: %s\n", error.c_str());
      return kUsage;
    }
  }
  detail::run_results merged;
  if (!detail::merge(std::move(shards), merged, error)) {
    std::fprintf(stderr, "weave_models: --merge: %s\n", error.c_str());
    return kUsage;
  }
  std::vector<std::string_view> names;
  for (const detail::record& r : merged.checks) names.push_back(r.name);
  print_header(names);
  for (const detail::record& r : merged.checks) {
    print_row(r, false);
    print_outcomes(r);
  }
  const std::string remark = "  (merged from " + std::to_string(c.merge.size()) + " shards)";
  return finish(merged, c, remark.c_str());
}

// FILE, or FILE with the check's name before its extension when several checks run.
std::string export_path(const std::string& file, const char* check, bool several) {
  if (!several) return file;
  const auto dot = file.rfind('.');
  const auto slash = file.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return file + "." + check;
  return file.substr(0, dot) + "." + check + file.substr(dot);
}

// Writes a failing check's counterexample files; false if one cannot be written.
bool write_exports(const entry& e, const options& o, const result& r, const cli_args& c, bool several) {
  const bool to_dir = !c.counterexamples.empty();
  if (r.found == verdict::pass ||
      (c.trace_json.empty() && c.html.empty() && c.dot.empty() && !to_dir))
    return true;
  options x = o;
  x.exports = true;
  x.jobs = 1;
  x.progress = false;
  const result traced = replay(x, e.body, r.replay);
  std::error_code made;  // the folder, and the ones above it, are made if missing (as mkdir -p)
  if (to_dir) std::filesystem::create_directories(c.counterexamples, made);
  if (made) {
    std::fprintf(stderr, "weave_models: cannot make %s: %s\n", c.counterexamples.c_str(), made.message().c_str());
    return false;
  }
  const std::string in_dir = to_dir ? c.counterexamples + "/" + e.name : std::string();
  const std::pair<std::string, std::string> files[] = {
      {c.trace_json.empty() ? std::string() : export_path(c.trace_json, e.name, several), traced.trace_json},
      {c.html.empty() ? std::string() : export_path(c.html, e.name, several), traced.html},
      {c.dot.empty() ? std::string() : export_path(c.dot, e.name, several), traced.dot},
      {to_dir ? in_dir + ".txt" : std::string(), r.report + "replay: weave_models --replay " + e.name + ":" + r.replay + "\n"},
      {to_dir ? in_dir + ".trace.json" : std::string(), traced.trace_json},
      {to_dir ? in_dir + ".html" : std::string(), traced.html},
      {to_dir ? in_dir + ".dot" : std::string(), traced.dot}};
  for (const auto& [path, text] : files) {
    if (path.empty()) continue;
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr || std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fclose(f) != 0) {
      std::fprintf(stderr, "weave_models: cannot write %s: %s\n", path.c_str(), std::strerror(errno));
      return false;
    }
  }
  return true;
}

// What follows a check's row: its outcomes, its counterexample files; then it
// joins the run. False if a file cannot be written.
bool take_result(const entry& e, const options& o, detail::record rec, const cli_args& c, bool several, bool split,
                 detail::run_results& run) {
  print_row(rec, split);
  print_outcomes(rec);
  if (!write_exports(e, o, rec.r, c, several)) return false;
  run.checks.push_back(std::move(rec));
  return true;
}

// --jobs with several checks: each check's time in its last run, one line each
// ("SECONDS NAME") in a file beside the program, so the long ones start first.
std::string times_path() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) + ".times" : std::string();
}

std::map<std::string, double> read_times(const std::string& path) {
  std::map<std::string, double> t;
  std::ifstream in(path);
  double secs = 0;
  std::string name;
  while (in >> secs >> name) t[name] = secs;
  return t;
}

// Best effort: a program installed read-only just keeps the default order.
void write_times(const std::string& path, const std::map<std::string, double>& t) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& [name, secs] : t) out << secs << ' ' << name << '\n';
}

// A check not timed before: the primitives' own checks over interleavings are
// the long ones, then the other transparent ones; user checks are quick.
double guessed_seconds(const options& o) {
  if (o.primitives != primitive_mode::transparent) return 0.01;
  return o.memory == memory_model::sc ? 10.0 : 1.0;
}

// Several checks on N worker processes, one process per check, longest first;
// rows print as checks finish, the notes and result files keep name order.
int run_side_by_side(const std::vector<const entry*>& selected, const cli_args& c) {
  const auto start = std::chrono::steady_clock::now();
  const std::string path = times_path();
  std::map<std::string, double> times = read_times(path);
  std::vector<options> opts;
  std::vector<double> cost;
  for (const entry* e : selected) {
    opts.push_back(options_for(*e, c));
    const auto it = times.find(e->name);
    cost.push_back(it != times.end() ? it->second : guessed_seconds(opts.back()));
  }
  std::vector<std::size_t> order(selected.size());  // indices into selected, the longest first
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return cost[x] > cost[y]; });
  std::vector<detail::job> jobs;
  for (std::size_t i : order) jobs.push_back(detail::job{selected[i]->body, opts[i], selected[i]->name});
  detail::run_results run;
  bool files_ok = true;
  print_header(names_of(selected));
  detail::run_each(jobs, c.o.jobs, [&](std::size_t k, result r, detail::outcome_table outcomes) {
    const entry& e = *selected[order[k]];
    const options& o = jobs[k].o;
    times[e.name] = r.seconds;
    detail::record rec{e.name, e.expected, std::move(r), to_string(o.memory), false, std::move(outcomes)};
    files_ok = take_result(e, o, std::move(rec), c, true, false, run) && files_ok;
  });
  if (!path.empty()) write_times(path, times);
  if (!files_ok) return kUsage;
  std::sort(run.checks.begin(), run.checks.end(),
            [](const detail::record& x, const detail::record& y) { return x.name < y.name; });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char remark[96];
  std::snprintf(remark, sizeof remark, " of checks; %.2fs wall with %d jobs side by side", wall, c.o.jobs);
  return finish(run, c, remark);
}

int run_checks(const std::vector<const entry*>& selected, const cli_args& c) {
  if (c.o.jobs > 1 && selected.size() > 1 && c.o.shard_count <= 1) return run_side_by_side(selected, c);
  const bool split = c.o.jobs > 1 || c.o.shard_count > 1;
  detail::run_results run;
  run.shard_index = c.o.shard_count > 1 ? c.o.shard_index : 0;
  run.shard_count = std::max(1, c.o.shard_count);
  print_header(names_of(selected));
  for (const entry* e : selected) {
    const options o = options_for(*e, c);
    detail::record rec{e->name, e->expected, {}, to_string(o.memory), run.shard_count > 1, {}};
    detail::watch_name(e->name);  // a stall names its check
    rec.r = detail::explore(e->body, o, &rec.outcomes);
    if (!take_result(*e, o, std::move(rec), c, selected.size() > 1, split, run)) return kUsage;
  }
  return finish(run, c, split ? "  (* split across workers/shards)" : "");
}

}  // namespace

namespace detail {
registrar::registrar(const char* name, verdict expected, const options& o, void (*body)(), const char* file) {
  for (const entry& e : registry()) {
    if (std::strcmp(e.name, name) == 0) {
      std::fprintf(stderr, "weave_models: two checks are named %s (%s and %s)\n", name, e.file, file);
      std::abort();
    }
  }
  registry().push_back(entry{name, expected, o, body, file});
}
}  // namespace detail

int main(int argc, char** argv) {
  cli_args c;
  if (const int stop = parse_args(argc, argv, c); stop >= 0) return stop;
  if (!c.merge.empty()) return run_merge(c);

  std::vector<entry> checks = registry();
  std::sort(checks.begin(), checks.end(), [](const entry& x, const entry& y) { return std::strcmp(x.name, y.name) < 0; });
  if (!c.replay.empty()) return run_replay(checks, c.replay, c);

  std::regex re;
  try {
    re = std::regex(c.filter.empty() ? std::string(".*") : c.filter);
  } catch (const std::regex_error&) {
    std::fprintf(stderr, "weave_models: bad --filter regex\n");
    return kUsage;
  }
  std::vector<const entry*> selected;
  for (const entry& e : checks)
    if (std::regex_search(e.name, re)) selected.push_back(&e);
  if (c.list) {
    for (const entry* e : selected) std::printf("%-44s %s\n", e->name, to_string(e->expected));
    return kAsDeclared;
  }
  if (selected.empty()) {
    std::printf("weave_models: no model checks %s\n", c.filter.empty() ? "registered yet" : "match the filter");
    return c.filter.empty() ? kAsDeclared : kUsage;
  }
  return run_checks(selected, c);
}

}  // namespace weave::model
