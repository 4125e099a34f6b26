// The runner: every WEAVE_MODEL_CHECK, its declared verdict, and one table.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.hpp"

namespace weave::model {
namespace {

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
      "Runs every registered model check and prints one table: check, expected verdict,\n"
      "verdict, executions, exhaustive or bounded, time. Exit status 1 if any verdict\n"
      "differs from the check's declared one.\n\n"
      "  --list              list the checks with their expected verdicts\n"
      "  --filter REGEX      run only the checks whose name matches\n"
      "  --replay NAME:TOKEN re-run one schedule of check NAME with full tracing\n"
      "  --strategy S        dfs (exhaustive, default), random or pct\n"
      "  --preemptions N     bound the preemptions per execution (dfs)\n"
      "  --executions N      stop after N executions\n"
      "  --iterations N      executions for random and pct\n"
      "  --seed N            seed for random and pct\n"
      "  --time SECONDS      time budget per check\n"
      "  --jobs N            split each check across N local worker processes\n"
      "  --shard K/N         explore only slice K (1-based) of N of each check\n"
      "  --no-reduction      plain DFS without partial-order reduction\n"
      "  --progress          one updating progress line on a terminal\n"
      "  --verbose           print the counterexample of every failing check\n"
      "  --help              this text\n",
      f);
}

// Serialises a result through a pipe (for --jobs).
void put_result(int fd, const result& r) {
  std::string s;
  auto add = [&](const std::string& x) {
    s += std::to_string(x.size());
    s += ':';
    s += x;
  };
  add(std::to_string(static_cast<int>(r.found)));
  add(std::to_string(r.executions));
  add(std::to_string(r.blocked));
  add(r.exhaustive ? "1" : "0");
  add(std::to_string(r.seconds));
  add(r.report);
  add(r.replay);
  add(std::to_string(r.preemptions));
  add(r.saw_nothing ? "1" : "0");
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
}

bool get_result(int fd, result& r) {
  std::string s;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    s.append(buf, static_cast<std::size_t>(n));
  }
  std::vector<std::string> f;
  std::size_t p = 0;
  while (p < s.size()) {
    const std::size_t c = s.find(':', p);
    if (c == std::string::npos) return false;
    const std::size_t len = std::stoul(s.substr(p, c - p));
    f.push_back(s.substr(c + 1, len));
    p = c + 1 + len;
  }
  if (f.size() != 9) return false;
  r.found = static_cast<verdict>(std::stoi(f[0]));
  r.executions = std::stoull(f[1]);
  r.blocked = std::stoull(f[2]);
  r.exhaustive = f[3] == "1";
  r.seconds = std::stod(f[4]);
  r.report = f[5];
  r.replay = f[6];
  r.preemptions = std::stoi(f[7]);
  r.saw_nothing = f[8] == "1";
  return true;
}

result run_jobs(const entry& e, options o) {
  const int n = o.jobs;
  // Workers claim subtrees first-come-first-served through this shared table.
  constexpr std::size_t kClaims = 1 << 20;
  void* table = mmap(nullptr, kClaims, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (table == MAP_FAILED) {
    std::perror("mmap");
    std::exit(2);
  }
  std::vector<pid_t> pids;
  std::vector<int> fds;
  for (int k = 0; k < n; ++k) {
    int p[2];
    if (pipe(p) != 0) {
      std::perror("pipe");
      std::exit(2);
    }
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
      close(p[0]);
      options mine = o;
      mine.jobs = 1;
      mine.shard_index = k;
      mine.shard_count = n * std::max(1, o.shard_count);
      if (o.shard_count > 1) mine.shard_index = o.shard_index * n + k;
      mine.progress = false;
      detail::engine eng(mine);
      if (o.shard_count <= 1) eng.use_claims(static_cast<unsigned char*>(table), kClaims);
      const result r = eng.explore(e.body);
      put_result(p[1], r);
      close(p[1]);
      _exit(0);
    }
    close(p[1]);
    pids.push_back(pid);
    fds.push_back(p[0]);
  }
  result total;
  total.exhaustive = true;
  total.saw_nothing = true;
  bool have_failure = false;
  for (int k = 0; k < n; ++k) {
    result r;
    const bool ok = get_result(fds[k], r);
    close(fds[k]);
    int status = 0;
    waitpid(pids[k], &status, 0);
    if (!ok) {
      r.found = verdict::exception;
      r.report = "worker process " + std::to_string(k) + " died without a result";
    }
    total.executions += r.executions;
    total.blocked += r.blocked;
    total.seconds = std::max(total.seconds, r.seconds);
    total.exhaustive = total.exhaustive && r.exhaustive;
    total.saw_nothing = total.saw_nothing && r.saw_nothing;
    if (r.found != verdict::pass && !have_failure) {
      have_failure = true;
      total.found = r.found;
      total.report = r.report;
      total.replay = r.replay;
      total.preemptions = r.preemptions;
    }
  }
  if (have_failure) total.exhaustive = false;
  munmap(table, kClaims);
  return total;
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
  std::string filter, replay_arg;
  bool list = false, verbose = false;
  options cli;
  bool set_strategy = false, set_pre = false, set_exec = false, set_iter = false, set_seed = false,
       set_time = false, set_reduction = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "weave_models: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    try {
      if (a == "--help" || a == "-h") {
        usage(stdout);
        return 0;
      } else if (a == "--list") {
        list = true;
      } else if (a == "--filter") {
        filter = next();
      } else if (a == "--replay") {
        replay_arg = next();
      } else if (a == "--strategy") {
        const std::string s = next();
        set_strategy = true;
        if (s == "dfs") cli.search = strategy::dfs;
        else if (s == "random") cli.search = strategy::random;
        else if (s == "pct") cli.search = strategy::pct;
        else throw std::invalid_argument("strategy");
      } else if (a == "--preemptions") {
        cli.preemptions = std::stoi(next());
        set_pre = true;
      } else if (a == "--executions") {
        cli.max_executions = std::stoull(next());
        set_exec = true;
      } else if (a == "--iterations") {
        cli.iterations = std::stoull(next());
        set_iter = true;
      } else if (a == "--seed") {
        cli.seed = std::stoull(next());
        set_seed = true;
      } else if (a == "--time") {
        cli.time_budget = std::stod(next());
        set_time = true;
      } else if (a == "--jobs") {
        cli.jobs = std::max(1, std::stoi(next()));
      } else if (a == "--shard") {
        const std::string s = next();
        const auto slash = s.find('/');
        if (slash == std::string::npos) throw std::invalid_argument("shard");
        cli.shard_index = std::stoi(s.substr(0, slash)) - 1;
        cli.shard_count = std::stoi(s.substr(slash + 1));
        if (cli.shard_count < 1 || cli.shard_index < 0 || cli.shard_index >= cli.shard_count)
          throw std::invalid_argument("shard");
      } else if (a == "--no-reduction") {
        cli.reduction = false;
        set_reduction = true;
      } else if (a == "--progress") {
        cli.progress = true;
      } else if (a == "--verbose" || a == "-v") {
        verbose = true;
      } else {
        std::fprintf(stderr, "weave_models: unknown option %s\n\n", a.c_str());
        usage(stderr);
        return 2;
      }
    } catch (const std::exception&) {
      std::fprintf(stderr, "weave_models: bad value for %s\n", a.c_str());
      return 2;
    }
  }

  std::vector<entry> checks = registry();
  std::sort(checks.begin(), checks.end(), [](const entry& x, const entry& y) {
    return std::strcmp(x.name, y.name) < 0;
  });

  if (!replay_arg.empty()) {
    const auto colon = replay_arg.find(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "weave_models: --replay wants NAME:TOKEN\n");
      return 2;
    }
    const std::string name = replay_arg.substr(0, colon);
    for (const entry& e : checks) {
      if (name != e.name) continue;
      const result r = replay(e.opts, e.body, replay_arg.substr(colon + 1));
      std::printf("%s\n", r.report.c_str());
      std::printf("verdict: %s (declared: %s)\n", to_string(r.found), to_string(e.expected));
      return r.found == e.expected ? 0 : 1;
    }
    std::fprintf(stderr, "weave_models: no check named %s\n", name.c_str());
    return 2;
  }

  std::regex re;
  try {
    re = std::regex(filter.empty() ? std::string(".*") : filter);
  } catch (const std::regex_error&) {
    std::fprintf(stderr, "weave_models: bad --filter regex\n");
    return 2;
  }
  std::vector<const entry*> selected;
  for (const entry& e : checks)
    if (std::regex_search(e.name, re)) selected.push_back(&e);

  if (list) {
    for (const entry* e : selected) std::printf("%-44s %s\n", e->name, to_string(e->expected));
    return 0;
  }
  if (selected.empty()) {
    std::printf("weave_models: no model checks %s\n", filter.empty() ? "registered yet" : "match the filter");
    return filter.empty() ? 0 : 2;
  }
  const bool single = selected.size() == 1;

  std::printf("%-40s %-15s %-15s %12s  %-10s %8s\n", "check", "expected", "verdict", "executions", "search",
              "time");
  std::printf("%s\n", std::string(106, '-').c_str());
  int mismatches = 0;
  double total_time = 0;
  std::vector<std::string> reports;
  for (const entry* e : selected) {
    options o = e->opts;
    if (set_strategy) o.search = cli.search;
    if (set_pre) o.preemptions = cli.preemptions;
    if (set_exec) o.max_executions = cli.max_executions;
    if (set_iter) o.iterations = cli.iterations;
    if (set_seed) o.seed = cli.seed;
    if (set_time) o.time_budget = cli.time_budget;
    if (set_reduction) o.reduction = cli.reduction;
    o.progress = cli.progress;
    o.jobs = cli.jobs;
    if (cli.shard_count > 1) {
      o.shard_index = cli.shard_index;
      o.shard_count = cli.shard_count;
    }
    const result r = o.jobs > 1 ? run_jobs(*e, o) : check(o, e->body);
    total_time += r.seconds;
    const bool ok = r.found == e->expected;
    if (!ok) ++mismatches;
    std::string search = r.found != verdict::pass ? "found" : r.exhaustive ? "exhaustive" : "bounded";
    if (r.saw_nothing) search = "NOTHING";  // see the warning below the table
    if (o.shard_count > 1 || o.jobs > 1) search += "*";
    std::printf("%-40s %-15s %-15s %12s  %-10s %7.2fs%s\n", e->name, to_string(e->expected), to_string(r.found),
                fmt_count(r.executions).c_str(), search.c_str(), r.seconds, ok ? "" : "  << MISMATCH");
    std::fflush(stdout);
    if (r.saw_nothing) {
      reports.push_back(std::string(e->name) +
                        ": warning: this check made no visible step: nothing was checked. The checker sees only "
                        "model objects and threads: use weave::model_sync::atomic / cell, weave::model:: "
                        "primitives and weave::model::thread (not int, std::atomic, std::mutex or std::thread).\n");
    }
    if (r.found != verdict::pass && (verbose || single || !ok)) {
      reports.push_back(std::string(e->name) + (ok ? "" : "  (expected " + std::string(to_string(e->expected)) + ")") +
                        ":\n" + r.report + "replay: weave_models --replay " + e->name + ":" + r.replay + "\n");
    } else if (!ok) {
      reports.push_back(std::string(e->name) + ": expected " + to_string(e->expected) +
                        " but every explored execution passed (" + (r.exhaustive ? "exhaustively" : "bounded") + ")\n");
    }
  }
  std::printf("%s\n", std::string(106, '-').c_str());
  std::printf("%zu checks, %d mismatch%s, %.2fs%s\n", selected.size(), mismatches, mismatches == 1 ? "" : "es",
              total_time, (cli.jobs > 1 || cli.shard_count > 1) ? "  (* split across workers/shards)" : "");
  for (const std::string& s : reports) std::printf("\n%s", s.c_str());
  return mismatches == 0 ? 0 : 1;
}

}  // namespace weave::model
