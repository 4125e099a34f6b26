// Stress: weave::pipe with real threads (runs under TSan too) and, outside
// TSan, a forked child. A stream of numbered messages of many sizes goes each
// way through small rings (so records wrap constantly and both sides park);
// every message is checked (number and contents) and totals are compared with
// checksums: nothing lost, duplicated, torn, merged or reordered. Bounded by
// count (and a time budget) so it finishes in seconds even under TSan.
// Last, outside TSan, hand-overs under a liveness poller: an end opened, then
// taken over back and forth by the parent and a forked child while the peer
// asks, poll after poll, whether it is still in use; never a false peer_gone.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "weave/pipe.hpp"

namespace {

using weave::pipe_status;

std::vector<std::byte> message(std::uint32_t i) {
  const std::size_t n = 4 + (i * 2654435761u) % 157;
  std::vector<std::byte> m(n);
  std::memcpy(m.data(), &i, 4);
  for (std::size_t k = 4; k < n; ++k) m[k] = static_cast<std::byte>((i + k * 13) & 0xff);
  return m;
}
std::uint64_t sum(const std::vector<std::byte>& m) {
  std::uint64_t h = 14695981039346656037ull;
  for (std::byte b : m) h = (h ^ static_cast<std::uint64_t>(b)) * 1099511628211ull;
  return h;
}

// One side's job: send n messages while receiving n, interleaved; returns
// false on any mismatch. Works over any end pair (threads or processes).
bool converse(weave::pipe_end& e, std::uint32_t n, std::uint64_t& got_sum) {
  std::vector<std::byte> got;
  std::uint32_t sent = 0, received = 0;
  while (received < n) {
    // Send while there is room, then receive what is there; never block (both
    // sides may be full), yield when neither moved.
    bool moved = false;
    while (sent < n) {
      const auto m = message(sent);
      const pipe_status s = e.send_for({m.data(), m.size()}, std::chrono::seconds(0));
      if (s == pipe_status::timeout) break;
      if (s != pipe_status::ok) return false;
      ++sent;
      moved = true;
    }
    while (received < n) {  // not past n: the peer may have closed after its last message
      const auto r = e.recv_for(got, std::chrono::seconds(0));
      if (r.status == pipe_status::timeout) break;
      if (r.status != pipe_status::ok || got != message(received)) return false;
      got_sum += sum(got);
      ++received;
      moved = true;
    }
    if (!moved) std::this_thread::yield();
  }
  while (sent < n) {
    const auto m = message(sent++);
    if (e.send({m.data(), m.size()}) != pipe_status::ok) return false;
  }
  return true;
}

// One round of the hand-over scenario: a named pipe is created (end 0), and a
// thread polls end 0 with a 1 us timeout, so every poll that finds nothing
// asks whether end 1 is in use (P6, P7). Meanwhile this process opens end 1
// (its first holder: H5 in weave/detail/holders.hpp) and forks; parent and
// child then take end 1 over from each other (claim) as fast as they can for
// a few milliseconds (H6), and the child closes it. Both live until that
// close, so the poller sees timeouts, then end of stream; peer_gone would be
// a false answer. Returns the number of false answers (-1 if the round itself
// went wrong); adds the poller's liveness questions and the hand-overs.
int handover_round(const std::string& name, std::uint64_t& questions, std::uint64_t& handovers) {
  weave::pipe_end e0 = weave::pipe_create(name, {.capacity = 256});
  std::atomic<int> false_gone{0}, closed{0};
  std::thread poller([&] {
    std::vector<std::byte> got;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < give_up) {
      const auto r = e0.recv_for(got, std::chrono::microseconds(1));
      if (r.status == pipe_status::timeout) {
        ++questions;
        continue;
      }
      // relaxed (both): read after the join.
      if (r.status == pipe_status::peer_gone) false_gone.fetch_add(1, std::memory_order_relaxed);
      if (r.status == pipe_status::closed) closed.store(1, std::memory_order_relaxed);
      break;
    }
  });
  weave::pipe_end e1 = weave::pipe_open(name);  // the first holder of end 1
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(10);
  auto hand_over = [&e1, until] {
    std::uint64_t n = 0;
    do {
      e1.claim();
      ++n;
    } while (std::chrono::steady_clock::now() < until);
    return n;
  };
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    (void)hand_over();
    e1.close();  // the child claimed it: shuts end 1, the poller sees end of stream
    _exit(0);
  }
  handovers += hand_over();
  poller.join();
  int st = 0;
  waitpid(pid, &st, 0);
  const bool ok = closed.load(std::memory_order_relaxed) == 1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
  if (!ok)
    std::printf("pipe stress (hand-overs): end of stream seen %d, child status %#x\n",
                closed.load(std::memory_order_relaxed), st);
  const int wrong = false_gone.load(std::memory_order_relaxed);
  return ok || wrong != 0 ? wrong : -1;
}

}  // namespace

int main() {
  const std::uint32_t n = weave::tsan_build ? 50000 : 200000;
  std::uint64_t expect = 0;
  for (std::uint32_t i = 0; i < n; ++i) expect += sum(message(i));
  const auto t0 = std::chrono::steady_clock::now();

  {  // threads, one way, blocking: both sides park on full and empty rings
    auto [r, w] = weave::pipe_end::make_local({.duplex = false, .capacity = 256, .max_message = 200});
    std::thread writer([&, &ww = w] {
      for (std::uint32_t i = 0; i < n; ++i) {
        const auto m = message(i);
        if (ww.send({m.data(), m.size()}) != pipe_status::ok) std::abort();
      }
      ww.close();
    });
    std::vector<std::byte> got;
    std::uint64_t s = 0;
    std::uint32_t i = 0;
    bool ok = true;
    while (r.recv(got).status == pipe_status::ok) {
      ok = ok && got == message(i++);
      s += sum(got);
    }
    writer.join();
    if (!ok || i != n || s != expect) {
      std::printf("pipe stress (one way): FAILED after %u messages\n", i);
      return 1;
    }
    std::printf("pipe stress (threads, one way, blocking): %u messages, checksum matches\n", n);
  }

  {  // threads, duplex, both directions at once
    auto [a, b] = weave::pipe_end::make_local({.capacity = 512, .max_message = 200});
    std::uint64_t sa = 0, sb = 0;
    bool ok_b = false;
    std::thread peer([&, &bb = b] { ok_b = converse(bb, n, sb); });
    const bool ok_a = converse(a, n, sa);
    peer.join();
    std::vector<std::byte> got;
    a.close();
    if (!ok_a || !ok_b || sa != expect || sb != expect || b.recv(got).status != pipe_status::closed) {
      std::printf("pipe stress (threads): FAILED ok=%d/%d sums %llx %llx expect %llx\n", ok_a, ok_b,
                  static_cast<unsigned long long>(sa), static_cast<unsigned long long>(sb),
                  static_cast<unsigned long long>(expect));
      return 1;
    }
    std::printf("pipe stress (threads): %u messages each way, checksums match\n", n);
  }

  if (weave::tsan_build) {
    std::printf("pipe stress (processes): skipped under ThreadSanitizer (fork-based)\n");
  } else {
    auto [a, b] = weave::make_pipe({.capacity = 1024, .max_message = 200});
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
      std::uint64_t s = 0;
      const bool ok = converse(b, n, s);
      _exit(ok && s == expect ? 0 : 1);
    }
    b.close();
    std::uint64_t s = 0;
    const bool ok = converse(a, n, s);
    int st = 0;
    // The child cannot hang: if this side failed, closing wakes it with closed.
    a.close();
    waitpid(pid, &st, 0);
    if (!ok || s != expect || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      std::printf("pipe stress (processes): FAILED\n");
      return 1;
    }
    std::printf("pipe stress (processes): %u messages each way, checksums match\n", n);
  }

  if (weave::tsan_build) {
    std::printf("pipe stress (hand-overs under a liveness poller): skipped under ThreadSanitizer (fork-based)\n");
  } else {
    const auto t1 = std::chrono::steady_clock::now();
    const std::string base = "/weave-stress-handover-" + std::to_string(getpid()) + "-";
    int rounds = 0, false_gone = 0;
    std::uint64_t questions = 0, handovers = 0;
    while (rounds < 500 && std::chrono::steady_clock::now() - t1 < std::chrono::seconds(2)) {
      const int wrong = handover_round(base + std::to_string(rounds), questions, handovers);
      ++rounds;
      if (wrong < 0) {
        std::printf("pipe stress (hand-overs): FAILED: round %d went wrong\n", rounds);
        return 1;
      }
      false_gone += wrong;
    }
    std::printf("pipe stress (hand-overs under a liveness poller): %d rounds, %llu liveness questions, "
                "%llu hand-overs by the parent, %d false peer_gone\n",
                rounds, static_cast<unsigned long long>(questions), static_cast<unsigned long long>(handovers),
                false_gone);
    if (false_gone != 0) return 1;
  }
  std::printf("%.2f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}
