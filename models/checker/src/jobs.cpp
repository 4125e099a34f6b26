// --jobs N: forked worker processes, each sending its result back through a
// pipe. Several checks: one process per check, N at a time (run_each). One
// check: N workers explore slices of it, claiming subtrees through a shared
// table (run_jobs).
#include "jobs.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.hpp"
#include "watchdog.hpp"

namespace weave::model::detail {
namespace {

// What goes through a worker's pipe: fields, each its length, ':' and itself.
void add_field(std::string& s, const std::string& x) {
  s += std::to_string(x.size());
  s += ':';
  s += x;
}

bool split_fields(const std::string& s, std::vector<std::string>& f) {
  std::size_t p = 0;
  while (p < s.size()) {
    const std::size_t c = s.find(':', p);
    if (c == std::string::npos || c == p || c - p > 18) return false;  // a length, at most 18 digits
    const std::size_t len = std::stoul(s.substr(p, c - p));
    if (len > s.size() - c - 1) return false;
    f.push_back(s.substr(c + 1, len));
    p = c + 1 + len;
  }
  return true;
}

// A worker's --outcomes table, in fields (name, number of values, then value,
// count, token for each), for run_jobs to add up: the text of each worker's
// table cannot be added up (a name may hold any character).
std::string encode_outcomes(const outcome_table& t) {
  std::string s;
  for (const outcome_row& row : t) {
    add_field(s, row.name);
    add_field(s, std::to_string(row.values.size()));
    for (const outcome_value& v : row.values) {
      add_field(s, std::to_string(v.value));
      add_field(s, std::to_string(v.count));
      add_field(s, v.token);
    }
  }
  return s;
}

// A worker's result to send: its --outcomes table in fields in place of the
// text (take_outcomes reads it back).
result sendable(result r, const options& o, const outcome_table& t) {
  if (o.outcomes) r.outcomes = encode_outcomes(t);
  return r;
}

bool add_encoded_outcomes(const std::string& s, outcome_table& t) {
  std::vector<std::string> f;
  if (!split_fields(s, f)) return false;
  for (std::size_t i = 0; i < f.size();) {
    if (f.size() - i < 2) return false;
    const std::string& name = f[i];
    const std::size_t n = std::stoul(f[i + 1]);
    i += 2;
    if ((f.size() - i) / 3 < n) return false;
    for (std::size_t k = 0; k < n; ++k, i += 3)
      add_outcome(t, name, std::stoull(f[i]), std::stoull(f[i + 1]), [&] { return f[i + 2]; });
  }
  return true;
}

// Adds the table of a worker's result (sendable) into t; false if malformed.
bool take_outcomes(const result& r, const options& o, outcome_table& t) {
  return !o.outcomes || add_encoded_outcomes(r.outcomes, t);
}

// Serialises a result through a pipe (for --jobs).
void put_result(int fd, const result& r) {
  std::string s;
  add_field(s, std::to_string(static_cast<int>(r.found)));
  add_field(s, std::to_string(r.executions));
  add_field(s, std::to_string(r.blocked));
  add_field(s, std::to_string(r.unfair));
  add_field(s, r.exhaustive ? "1" : "0");
  add_field(s, std::to_string(r.seconds));
  add_field(s, r.report);
  add_field(s, r.replay);
  add_field(s, std::to_string(r.preemptions));
  add_field(s, r.saw_nothing ? "1" : "0");
  add_field(s, std::to_string(r.preemption_bound));
  add_field(s, r.outcomes);
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
  if (!split_fields(s, f) || f.size() != 12) return false;
  r.found = static_cast<verdict>(std::stoi(f[0]));
  r.executions = std::stoull(f[1]);
  r.blocked = std::stoull(f[2]);
  r.unfair = std::stoull(f[3]);
  r.exhaustive = f[4] == "1";
  r.seconds = std::stod(f[5]);
  r.report = f[6];
  r.replay = f[7];
  r.preemptions = std::stoi(f[8]);
  r.saw_nothing = f[9] == "1";
  r.preemption_bound = std::stoi(f[10]);
  r.outcomes = f[11];
  return true;
}

// A worker that ended without sending a whole result: how (waitpid's status).
result died(const std::string& who, int status) {
  result r;
  r.found = verdict::exception;
  r.report = who + " died without a result";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
    r.report += ": the checker stopped it (a model thread overflowed its stack or stalled; its message is above)";
  else if (WIFEXITED(status))
    r.report += " (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
  else if (WIFSIGNALED(status))
    r.report += " (signal " + std::to_string(WTERMSIG(status)) + ")";
  r.report += "\n";
  return r;
}

// Forks a process that runs work() and writes its result to the returned fd.
int fork_worker(pid_t& pid, const std::function<result()>& work) {
  int p[2];
  if (pipe(p) != 0) {
    std::perror("pipe");
    std::exit(2);
  }
  std::fflush(nullptr);
  pid = fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(2);
  }
  if (pid == 0) {
    close(p[0]);
    put_result(p[1], work());
    close(p[1]);
    _exit(0);
  }
  close(p[1]);
  return p[0];
}

// Worker k's part of a total shared by n workers (the first total % n get one more).
std::uint64_t share(std::uint64_t total, int n, int k) {
  const auto un = static_cast<std::uint64_t>(n), uk = static_cast<std::uint64_t>(k);
  return total / un + (uk < total % un ? 1 : 0);
}

}  // namespace

result run_jobs(void (*body)(), const options& o, outcome_table* outcomes_out) {
  // --executions and --iterations are the whole run's: each worker runs its
  // share (at least one each: a worker with no share would run without a cap).
  const bool randomized = o.search == strategy::random || o.search == strategy::pct;
  std::uint64_t fewest = randomized ? o.iterations : UINT64_MAX;
  if (o.max_executions != 0) fewest = std::min(fewest, o.max_executions);
  const int n = static_cast<int>(std::min(static_cast<std::uint64_t>(o.jobs), std::max<std::uint64_t>(fewest, 1)));
  // Workers claim subtrees first-come-first-served through this shared table.
  constexpr std::size_t kClaims = 1 << 20;
  void* table = mmap(nullptr, kClaims, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (table == MAP_FAILED) {
    std::perror("mmap");
    std::exit(2);
  }
  std::vector<pid_t> pids(static_cast<std::size_t>(n));
  std::vector<int> fds;
  for (int k = 0; k < n; ++k) {
    fds.push_back(fork_worker(pids[static_cast<std::size_t>(k)], [&] {
      options mine = o;
      mine.jobs = 1;
      mine.shard_index = k;
      mine.shard_count = n * std::max(1, o.shard_count);
      if (o.shard_count > 1) mine.shard_index = o.shard_index * n + k;
      if (o.max_executions != 0) mine.max_executions = share(o.max_executions, n, k);
      mine.iterations = share(o.iterations, n, k);
      mine.progress = false;
      detail::engine eng(mine);
      if (o.shard_count <= 1) eng.use_claims(static_cast<unsigned char*>(table), kClaims);
      result r = eng.explore(body);
      return sendable(std::move(r), o, eng.outcomes());  // the tables are added up below
    }));
  }
  result total;
  outcome_table outcomes;
  total.exhaustive = true;
  total.saw_nothing = true;
  bool have_failure = false;
  for (int k = 0; k < n; ++k) {
    result r;
    bool ok = get_result(fds[k], r);
    close(fds[k]);
    int status = 0;
    waitpid(pids[static_cast<std::size_t>(k)], &status, 0);
    if (ok && !take_outcomes(r, o, outcomes)) ok = false;
    if (!ok) r = died("worker process " + std::to_string(k), status);
    total.executions += r.executions;
    total.blocked += r.blocked;
    total.unfair += r.unfair;
    total.seconds = std::max(total.seconds, r.seconds);
    total.preemption_bound = std::max(total.preemption_bound, r.preemption_bound);  // the same in every worker
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
  if (o.outcomes) total.outcomes = outcomes_text(outcomes);
  if (outcomes_out != nullptr) *outcomes_out = std::move(outcomes);
  munmap(table, kClaims);
  return total;
}

result explore(void (*body)(), const options& o, outcome_table* outcomes) {
  options whole = o;
  if (o.jobs > 1) {
    result r = run_jobs(body, o, outcomes);
    // A search the fairness rule cut (result::unfair) is run again in one
    // process: a worker's sleep sets count on the other workers' subtrees
    // being explored in full, and a cut one was not (engine::cut_unfair), so
    // the workers together may miss schedules the whole search runs. A slice
    // of --shard cannot be run whole here: it stays bounded, as it says.
    if (r.unfair == 0 || r.found != verdict::pass || o.shard_count > 1 || !o.reduction) return r;
    whole.jobs = 1;
  }
  engine eng(whole);
  result r = eng.explore(body);
  if (outcomes != nullptr) *outcomes = eng.outcomes();
  return r;
}

void run_each(const std::vector<job>& jobs, int n,
              const std::function<void(std::size_t, result, outcome_table)>& done) {
  struct running {
    std::size_t job;
    pid_t pid;
  };
  std::vector<pollfd> fds;
  std::vector<running> who;
  std::size_t next = 0;
  while (next < jobs.size() || !who.empty()) {
    while (next < jobs.size() && who.size() < static_cast<std::size_t>(std::max(1, n))) {
      const job& j = jobs[next];
      pid_t pid = 0;
      const int fd = fork_worker(pid, [&j] {
        watch_name(j.name);
        options mine = j.o;
        mine.jobs = 1;
        mine.progress = false;
        outcome_table t;
        result r = explore(j.body, mine, &t);
        return sendable(std::move(r), mine, t);
      });
      fds.push_back(pollfd{fd, POLLIN, 0});
      who.push_back(running{next++, pid});
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      std::perror("poll");
      std::exit(2);
    }
    for (std::size_t i = 0; i < fds.size();) {
      if (fds[i].revents == 0) {
        ++i;
        continue;
      }
      result r;  // the worker writes its whole result at its end: read to end-of-file
      const std::size_t finished = who[i].job;
      const options& o = jobs[finished].o;
      outcome_table t;
      const bool ok = get_result(fds[i].fd, r) && take_outcomes(r, o, t);
      close(fds[i].fd);
      int status = 0;
      waitpid(who[i].pid, &status, 0);
      fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i));
      who.erase(who.begin() + static_cast<std::ptrdiff_t>(i));
      if (ok && o.outcomes) r.outcomes = outcomes_text(t);
      done(finished, ok ? std::move(r) : died("the worker process of this check", status), std::move(t));
    }
  }
}

}  // namespace weave::model::detail
