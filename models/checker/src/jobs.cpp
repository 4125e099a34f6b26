// --jobs N: forked worker processes explore slices of one check (claiming
// subtrees through a shared table) and send their results back through pipes.
#include "jobs.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.hpp"

namespace weave::model::detail {
namespace {

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

}  // namespace

result run_jobs(void (*body)(), const options& o) {
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
      const result r = eng.explore(body);
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

}  // namespace weave::model::detail
