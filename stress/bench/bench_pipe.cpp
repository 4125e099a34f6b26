// weave::pipe against a socketpair and a pipe(2) with the same framing (a u32
// length prefix, one write per message; the fd readers parse from a 64 KiB
// buffer, their best case), parent and child processes:
//   oneway/<size>:  messages/s, 64-byte and 4 KiB messages, parent -> child
//   roundtrip:      64-byte request, 64-byte reply, latency per round trip;
//                   its counter same_cpu is the share of round trips whose
//                   reply was sent on the CPU the parent then read it on
// Prints ratios (weave vs socketpair, weave vs pipe(2)) of the medians of the
// repetitions after Google Benchmark's own table, twice: as measured, and
// measured again oversubscribed (see main).
//
// Reading the round trip when the cores are busy (the oversubscribed pass, or
// another program's load): its figures fall into two regimes, for every
// channel, decided by where the scheduler puts the two processes. Together on
// one CPU (same_cpu near 1), each hand-off is a switch on that CPU and a round
// trip takes 10-50 us; apart, each with a busy thread on its CPU (same_cpu
// near 0), every hand-off waits until the woken process gets its CPU back,
// 100-500 us a round trip. With the processes pinned (2 background spinners,
// one per CPU; 2 s each): together weave 25 us, socketpair 39 us; apart weave
// 240 us, socketpair 278 us. A socket's or pipe(2)'s wake-up tells the
// scheduler that the writer is about to sleep (a synchronous wake-up), which
// pulls the reader onto the writer's CPU; a futex wake-up cannot say so, so
// weave's processes end up apart more often (0.4 s runs beside two compilers
// in a loop: some round trips apart in 5 runs of 12 for weave, 2 of 12 for
// socketpair; the slow ones, 233 and 394 us, were all weave's). A repetition
// at 200-300 us with same_cpu well below 1 is that placement, not the pipe.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.hpp"
#include "weave/pipe.hpp"

namespace {

// ---- fd channels with length-prefix framing --------------------------------
struct fd_reader {
  int fd;
  std::vector<char> buf = std::vector<char>(1 << 16);
  std::size_t begin = 0, end = 0;
  bool fill(std::size_t need) {  // at least `need` unread bytes
    while (end - begin < need) {
      if (begin > 0) {
        std::memmove(buf.data(), buf.data() + begin, end - begin);
        end -= begin;
        begin = 0;
      }
      const ssize_t n = ::read(fd, buf.data() + end, buf.size() - end);
      if (n <= 0) return false;
      end += static_cast<std::size_t>(n);
    }
    return true;
  }
  bool recv(std::vector<char>& out) {
    if (!fill(4)) return false;
    std::uint32_t len;
    std::memcpy(&len, buf.data() + begin, 4);
    if (!fill(4 + len)) return false;
    out.assign(buf.data() + begin + 4, buf.data() + begin + 4 + len);
    begin += 4 + len;
    return true;
  }
};
bool fd_send(int fd, const char* p, std::uint32_t n, std::vector<char>& frame) {
  frame.resize(4 + n);
  std::memcpy(frame.data(), &n, 4);
  std::memcpy(frame.data() + 4, p, n);
  std::size_t off = 0;
  while (off < frame.size()) {
    const ssize_t w = ::write(fd, frame.data() + off, frame.size() - off);
    if (w <= 0) return false;
    off += static_cast<std::size_t>(w);
  }
  return true;
}

enum kind { weave_kind = 0, socketpair_kind = 1, pipe2_kind = 2 };
const char* kind_name[] = {"weave::pipe", "socketpair", "pipe(2)"};

// One parent/child channel: to_child and to_parent.
struct channel {
  kind k;
  weave::pipe_end pa, pb;   // weave: parent end, child end
  int p2c[2] = {-1, -1};    // fds: parent writes [1], child reads [0]
  int c2p[2] = {-1, -1};
  explicit channel(kind kk) : k(kk) {
    if (k == weave_kind) {
      auto ends = weave::make_pipe({.capacity = 1 << 18, .max_message = 8192});
      pa = std::move(ends.first);
      pb = std::move(ends.second);
    } else if (k == socketpair_kind) {
      int sv[2];
      if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) std::abort();
      p2c[1] = c2p[0] = sv[0];
      p2c[0] = c2p[1] = sv[1];
    } else {
      if (::pipe(p2c) != 0 || ::pipe(c2p) != 0) std::abort();
    }
  }
};

// An echo starts with the CPU it was sent from (the round trip's same_cpu).
void stamp_cpu(void* msg, std::size_t size) {
  const int cpu = sched_getcpu();
  if (size >= sizeof cpu) std::memcpy(msg, &cpu, sizeof cpu);
}
bool on_cpu_of(const void* reply, std::size_t size) {
  int cpu = -1;
  if (size >= sizeof cpu) std::memcpy(&cpu, reply, sizeof cpu);
  return cpu >= 0 && cpu == sched_getcpu();
}

// Child: receive until end of stream; echo each message if `echo`.
[[noreturn]] void child_loop(channel& c, bool echo) {
  if (c.k == weave_kind) {
    c.pa.close();  // not ours: dropped
    std::vector<std::byte> m;
    while (c.pb.recv(m).status == weave::pipe_status::ok)
      if (echo && (stamp_cpu(m.data(), m.size()), c.pb.send({m.data(), m.size()}) != weave::pipe_status::ok)) _exit(2);
    _exit(0);
  }
  if (c.k == pipe2_kind) {  // drop the parent's ends, so its close is our end of file
    ::close(c.p2c[1]);
    ::close(c.c2p[0]);
  }
  fd_reader r{c.p2c[0]};
  std::vector<char> m, frame;
  while (r.recv(m))
    if (echo && (stamp_cpu(m.data(), m.size()), !fd_send(c.c2p[1], m.data(), static_cast<std::uint32_t>(m.size()), frame)))
      _exit(2);
  _exit(0);
}

// cpu >= 0: the child runs pinned to that CPU (common.hpp's pinned_to).
pid_t start_child(channel& c, bool echo, int cpu = -1) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    std::optional<weave::bench::pinned_to> here;
    if (cpu >= 0) here.emplace(static_cast<unsigned>(cpu));
    child_loop(c, echo);  // never returns
  }
  return pid;
}

void finish(channel& c, pid_t pid) {
  if (c.k == weave_kind) {
    c.pa.close();
  } else if (c.k == socketpair_kind) {
    ::shutdown(c.p2c[1], SHUT_WR);
  } else {
    ::close(c.p2c[1]);
  }
  int st;
  waitpid(pid, &st, 0);
  if (c.k == socketpair_kind) {
    ::close(c.p2c[0]);
    ::close(c.p2c[1]);
  } else if (c.k == pipe2_kind) {
    ::close(c.p2c[0]);
    ::close(c.c2p[0]);
    ::close(c.c2p[1]);
  }
}

void BM_oneway(benchmark::State& state) {
  const auto k = static_cast<kind>(state.range(0));
  const auto size = static_cast<std::uint32_t>(state.range(1));
  channel c(k);
  const pid_t pid = start_child(c, false);
  std::vector<char> msg(size, 'x'), frame;
  for (auto _ : state) {
    if (k == weave_kind) {
      if (c.pa.send(std::as_bytes(std::span(msg))) != weave::pipe_status::ok) state.SkipWithError("send");
    } else if (!fd_send(c.p2c[1], msg.data(), size, frame)) {
      state.SkipWithError("write");
    }
  }
  finish(c, pid);  // includes draining: the child reads everything before it exits
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(kind_name[k]);
}

// BM_roundtrip/<kind>; BM_roundtrip_placed/<kind>/<cpus>: the same with the
// parent pinned to the first CPU and the child to the same one (cpus 1) or
// the next (cpus 2), the two regimes above taken one at a time.
void BM_roundtrip(benchmark::State& state) {
  const auto k = static_cast<kind>(state.range(0));
  const bool placed = state.range(1) > 0;
  channel c(k);
  const pid_t pid = start_child(c, true, placed ? static_cast<int>(state.range(1) - 1) : -1);
  std::optional<weave::bench::pinned_to> here;  // after the fork: the child must not inherit it
  if (placed) here.emplace(0U);
  std::vector<char> msg(64, 'x'), frame, reply;
  std::vector<std::byte> wreply;
  fd_reader r{c.c2p[0]};
  std::int64_t same_cpu = 0;
  for (auto _ : state) {
    if (k == weave_kind) {
      if (c.pa.send(std::as_bytes(std::span(msg))) != weave::pipe_status::ok ||
          c.pa.recv(wreply).status != weave::pipe_status::ok)
        state.SkipWithError("weave");
      same_cpu += on_cpu_of(wreply.data(), wreply.size());
    } else if (!fd_send(c.p2c[1], msg.data(), 64, frame) || !r.recv(reply)) {
      state.SkipWithError("fd");
    } else {
      same_cpu += on_cpu_of(reply.data(), reply.size());
    }
  }
  finish(c, pid);
  state.counters["same_cpu"] = benchmark::Counter(static_cast<double>(same_cpu), benchmark::Counter::kAvgIterations);
  state.SetLabel(kind_name[k]);
}

BENCHMARK(BM_oneway)->ArgsProduct({{0, 1, 2}, {64, 4096}})->UseRealTime()->Repetitions(5)->MinTime(0.3);
BENCHMARK(BM_roundtrip)->ArgsProduct({{0, 1, 2}, {0}})->UseRealTime()->Repetitions(5)->MinTime(0.3);
BENCHMARK(BM_roundtrip)->Name("BM_roundtrip_placed")->ArgsProduct({{0, 1}, {1, 2}})->UseRealTime()->Repetitions(5)->MinTime(0.3);

// Collects the medians, then prints the ratios.
class ratio_reporter : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> median_ns;  // "BM_oneway/0/64" -> ns per iteration
  std::map<std::string, double> median_same_cpu;  // round trips: the median share on one CPU
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& r : runs)
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median") {
        median_ns[r.run_name.str()] = r.GetAdjustedRealTime();
        const auto it = r.counters.find("same_cpu");
        if (it != r.counters.end()) median_same_cpu[r.run_name.str()] = it->second;
      }
  }
};

// The ratios from one reporter's medians, under a heading that says how they
// were measured.
void print_ratios(const ratio_reporter& rep, const char* how) {
  auto get = [&](const std::string& prefix, const std::map<std::string, double>& from) {
    for (const auto& [name, v] : from)
      if (name.rfind(prefix, 0) == 0) return v;
    return 0.0;
  };
  auto ns = [&](const std::string& prefix) { return get(prefix, rep.median_ns); };
  std::printf("\nweave::pipe vs baselines (medians of 5 repetitions; parent/child processes%s)\n", how);
  for (int size : {64, 4096}) {
    const double w = ns("BM_oneway/0/" + std::to_string(size));
    const double s = ns("BM_oneway/1/" + std::to_string(size));
    const double p = ns("BM_oneway/2/" + std::to_string(size));
    if (w > 0 && s > 0 && p > 0)
      std::printf("  one way %4d B: weave %.2f M msg/s; throughput x%.2f socketpair, x%.2f pipe(2)\n", size,
                  1e3 / w, s / w, p / w);
  }
  const double w = ns("BM_roundtrip/0"), s = ns("BM_roundtrip/1"), p = ns("BM_roundtrip/2");
  if (w > 0 && s > 0 && p > 0) {
    std::printf("  round trip 64 B: weave %.2f us; latency %.2f of socketpair's, %.2f of pipe(2)'s\n", w / 1e3,
                w / s, w / p);
    // Two regimes, by where the processes run (see the top of this file).
    std::printf("    on one CPU (same_cpu, median): weave %.2f, socketpair %.2f, pipe(2) %.2f\n",
                get("BM_roundtrip/0", rep.median_same_cpu), get("BM_roundtrip/1", rep.median_same_cpu),
                get("BM_roundtrip/2", rep.median_same_cpu));
  }
  for (int cpus : {1, 2}) {
    const double pw = ns("BM_roundtrip_placed/0/" + std::to_string(cpus));
    const double ps = ns("BM_roundtrip_placed/1/" + std::to_string(cpus));
    if (pw > 0 && ps > 0)
      std::printf("  round trip 64 B, pinned to %s: weave %.2f us; latency %.2f of socketpair's\n",
                  cpus == 1 ? "one CPU " : "two CPUs", pw / 1e3, pw / ps);
  }
}

}  // namespace

// Every benchmark runs twice: on the machine as it is, then oversubscribed
// (weave::bench::background_spinners in common.hpp: one busy thread per
// hardware thread in the parent process for the whole second pass).
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  ratio_reporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  ratio_reporter loaded;
  unsigned spinners = 0;
  {
    const weave::bench::background_spinners load;
    spinners = load.count();
    std::printf("\noversubscribed: the same benchmarks with %u background spinning threads\n", spinners);
    std::fflush(stdout);
    benchmark::RunSpecifiedBenchmarks(&loaded);
  }
  print_ratios(rep, "");
  const std::string how = "; oversubscribed: " + std::to_string(spinners) + " background spinning threads";
  print_ratios(loaded, how.c_str());
  std::printf("  goals: >= 3x socketpair throughput at 64 B; < 0.33 of its round-trip latency (first table)\n");
  return 0;
}
