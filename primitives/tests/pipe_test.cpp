// weave::pipe: in-process tests (two threads over make_local memory; they run
// under ThreadSanitizer too) and cross-process tests (fork; each child waited
// for with a timeout, so nothing hangs; skipped under TSan, where fork is
// fragile, with a printed note).
#include <cppunit/extensions/HelperMacros.h>

#include "fork_helpers.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "weave/pipe.hpp"

namespace {

using weave::pipe_end;
using weave::pipe_status;
using clk = std::chrono::steady_clock;
// A dead peer is noticed within a liveness slice (100 ms; pipe.hpp promises
// one second). A loaded CI machine can keep this process off a core for
// seconds, so the tests hold it to "noticed, long before any hang".
constexpr auto kNoticedWithin = std::chrono::seconds(10);
using access = weave::detail::pipe_access;

std::span<const std::byte> as_span(const std::vector<std::byte>& v) { return {v.data(), v.size()}; }

// Message i of a stream: its size cycles through many lengths (so records end
// at every offset of the ring); the first 4 bytes carry i, the rest a pattern.
std::vector<std::byte> message(std::uint32_t i, std::size_t max) {
  const std::size_t n = std::min<std::size_t>(4 + (i * 7919u) % 97, max);
  std::vector<std::byte> m(n);
  std::memcpy(m.data(), &i, std::min<std::size_t>(4, n));
  for (std::size_t k = 4; k < n; ++k) m[k] = static_cast<std::byte>((i * 31 + k) & 0xff);
  return m;
}
bool is_message(const std::vector<std::byte>& got, std::uint32_t i, std::size_t max) {
  return got == message(i, max);
}
std::uint64_t checksum(const std::vector<std::byte>& m) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::byte b : m) h = (h ^ static_cast<std::uint64_t>(b)) * 1099511628211ull;
  return h;
}

using weave::test::fork_child;
using weave::test::wait_child;

// A child killed (SIGKILL) at once, before it touches anything it inherited.
pid_t fork_dying_child() {
  return fork_child([] {
    raise(SIGKILL);
    return 2;
  });
}

bool skip_fork(const char* test) {
  if (weave::tsan_build) {
    std::printf("\n  note: %s skipped under ThreadSanitizer (fork-based); its thread variant runs\n", test);
    return true;
  }
  return false;
}

}  // namespace

class pipe_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(pipe_test);
  CPPUNIT_TEST(wraparound_many_sizes);
  CPPUNIT_TEST(recv_into_too_small_keeps_the_message);
  CPPUNIT_TEST(usage_errors);
  CPPUNIT_TEST(end_of_stream_after_drain);
  CPPUNIT_TEST(send_to_closed_peer);
  CPPUNIT_TEST(a_duplex_close_takes_effect_at_its_first_shut);
  CPPUNIT_TEST(timeouts_are_statuses);
  CPPUNIT_TEST(corrupted_indices_are_errors);
  CPPUNIT_TEST(corrupted_length_is_an_error);
  CPPUNIT_TEST(attach_validates_the_header);
  CPPUNIT_TEST(threads_exchange_both_ways);
  CPPUNIT_TEST(close_wakes_a_blocked_reader);
  CPPUNIT_TEST(named_create_open_and_errors);
  CPPUNIT_TEST(fork_exchange_both_ways);
  CPPUNIT_TEST(fork_eof_and_one_way);
  CPPUNIT_TEST(fork_peer_killed_mid_send);
  CPPUNIT_TEST(fork_peer_killed_mid_recv);
  CPPUNIT_TEST(fork_named_pipe);
  CPPUNIT_TEST(holder_table_slots_reclaim_and_overflow);
  CPPUNIT_TEST(fork_peer_dies_before_using_its_end);
  CPPUNIT_TEST(fork_unused_end_closed_by_every_holder_is_end_of_stream);
  CPPUNIT_TEST(fork_a_kept_copy_of_the_peer_end_keeps_it_held);
  CPPUNIT_TEST(fork_grandchild_holds_the_end);
  CPPUNIT_TEST_SUITE_END();

 public:
  void wraparound_many_sizes() {
    auto [a, b] = weave::make_pipe({.capacity = 256, .max_message = 120});
    std::vector<std::byte> got;
    // Keep 0..2 messages in flight so records start and end at every offset.
    std::uint32_t sent = 0, received = 0;
    for (int round = 0; round < 3000; ++round) {
      const int burst = round % 3;
      for (int k = 0; k < burst; ++k) CPPUNIT_ASSERT(a.send(as_span(message(sent++, 120))) == pipe_status::ok);
      while (received < sent) {
        CPPUNIT_ASSERT(b.recv(got).status == pipe_status::ok);
        CPPUNIT_ASSERT(is_message(got, received++, 120));
      }
    }
    CPPUNIT_ASSERT(sent > 2500);
    CPPUNIT_ASSERT(!b.poll());
  }

  void recv_into_too_small_keeps_the_message() {
    auto [a, b] = weave::make_pipe({.capacity = 64});
    CPPUNIT_ASSERT(a.send(std::string_view("hello world")) == pipe_status::ok);
    std::byte small[4];
    auto r = b.recv_into(small);
    CPPUNIT_ASSERT(r.status == pipe_status::too_small);
    CPPUNIT_ASSERT_EQUAL(std::size_t{11}, r.size);
    std::byte big[32];
    r = b.recv_into(big);
    CPPUNIT_ASSERT(r.status == pipe_status::ok);
    CPPUNIT_ASSERT_EQUAL(std::size_t{11}, r.size);
    CPPUNIT_ASSERT(std::memcmp(big, "hello world", 11) == 0);
    // A zero-length message is a message.
    CPPUNIT_ASSERT(a.send(std::string_view()) == pipe_status::ok);
    r = b.recv_into(small);
    CPPUNIT_ASSERT(r.status == pipe_status::ok && r.size == 0);
    // ...also into an empty vector (found by the fuzzer: memcpy to null).
    CPPUNIT_ASSERT(a.send(std::string_view()) == pipe_status::ok);
    std::vector<std::byte> empty;
    CPPUNIT_ASSERT(b.recv(empty).status == pipe_status::ok && empty.empty());
  }

  void usage_errors() {
    auto [r, w] = weave::make_pipe({.duplex = false, .capacity = 64});
    CPPUNIT_ASSERT(r.readable() && !r.writable() && w.writable() && !w.readable());
    CPPUNIT_ASSERT_THROW(r.send(std::string_view("x")), weave::usage_error);
    std::vector<std::byte> got;
    CPPUNIT_ASSERT_THROW(w.recv(got), weave::usage_error);
    CPPUNIT_ASSERT_THROW(w.poll(), weave::usage_error);
    // Larger than max_message (capacity - 4 = 60): refused, nothing sent.
    std::vector<std::byte> big(61);
    try {
      w.send(as_span(big));
      CPPUNIT_FAIL("oversized send accepted");
    } catch (const weave::usage_error& e) {
      CPPUNIT_ASSERT(std::string(e.what()).find("weave::pipe") == 0);
      CPPUNIT_ASSERT(std::string(e.what()).find("max_message") != std::string::npos);
    }
    CPPUNIT_ASSERT(!r.poll());
    big.resize(60);
    CPPUNIT_ASSERT(w.send(as_span(big)) == pipe_status::ok);
    w.close();
    CPPUNIT_ASSERT_THROW(w.send(std::string_view("x")), weave::usage_error);
    CPPUNIT_ASSERT_THROW(weave::make_pipe({.capacity = 100}), weave::usage_error);
    CPPUNIT_ASSERT_THROW(weave::make_pipe({.capacity = 64, .max_message = 61}), weave::usage_error);
    CPPUNIT_ASSERT_THROW(weave::pipe_create("no-slash"), weave::usage_error);
  }

  void end_of_stream_after_drain() {
    auto [a, b] = weave::make_pipe({.capacity = 64});
    for (std::uint32_t i = 0; i < 3; ++i) CPPUNIT_ASSERT(a.send(as_span(message(i, 20))) == pipe_status::ok);
    a.close();
    std::vector<std::byte> got;
    CPPUNIT_ASSERT(b.poll());
    for (std::uint32_t i = 0; i < 3; ++i) {
      CPPUNIT_ASSERT(b.recv(got).status == pipe_status::ok);
      CPPUNIT_ASSERT(is_message(got, i, 20));
    }
    CPPUNIT_ASSERT(b.poll());  // end of stream: recv would not block
    CPPUNIT_ASSERT(b.recv(got).status == pipe_status::closed);
    CPPUNIT_ASSERT(b.recv(got).status == pipe_status::closed);
    try {
      (void)b.recv();
      CPPUNIT_FAIL("recv() after end of stream returned");
    } catch (const weave::pipe_closed& e) {
      CPPUNIT_ASSERT(e.status() == pipe_status::closed);
    }
  }

  void send_to_closed_peer() {
    auto [a, b] = weave::make_pipe({.capacity = 64});
    b.close();
    CPPUNIT_ASSERT(a.send(std::string_view("x")) == pipe_status::closed);
  }

  // A duplex close() shuts its receiving direction, then its sending one (P5).
  // A peer that runs between the two, as when the closer is descheduled there,
  // sees the close whole: its send says closed, and its recv drains what was
  // sent and then says end of stream instead of waiting for the second shut.
  void a_duplex_close_takes_effect_at_its_first_shut() {
    auto [a, b] = weave::make_pipe({.capacity = 64});
    CPPUNIT_ASSERT(a.send(std::string_view("last")) == pipe_status::ok);
    // The first shut of a.close(), without the second.
    access::recv_direction(a).state.fetch_or(weave::detail::pipe_reader_closed, std::memory_order_seq_cst);
    CPPUNIT_ASSERT(b.send(std::string_view("x")) == pipe_status::closed);
    std::vector<std::byte> got;
    CPPUNIT_ASSERT(b.recv_for(got, std::chrono::milliseconds(50)).status == pipe_status::ok);
    CPPUNIT_ASSERT(std::string(reinterpret_cast<const char*>(got.data()), got.size()) == "last");
    CPPUNIT_ASSERT(b.poll());  // end of stream: recv would not block
    CPPUNIT_ASSERT(b.recv_for(got, std::chrono::milliseconds(50)).status == pipe_status::closed);
  }

  void timeouts_are_statuses() {
    auto [a, b] = weave::make_pipe({.capacity = 32});
    std::vector<std::byte> got;
    auto t0 = clk::now();
    CPPUNIT_ASSERT(b.recv_for(got, std::chrono::milliseconds(30)).status == pipe_status::timeout);
    CPPUNIT_ASSERT(clk::now() - t0 >= std::chrono::milliseconds(29));
    CPPUNIT_ASSERT(!b.poll(std::chrono::milliseconds(10)));
    std::vector<std::byte> m(20);
    CPPUNIT_ASSERT(a.send(as_span(m)) == pipe_status::ok);
    // 24 of 32 bytes used: the next 24-byte record does not fit.
    CPPUNIT_ASSERT(a.send_for(as_span(m), std::chrono::milliseconds(30)) == pipe_status::timeout);
    CPPUNIT_ASSERT(b.poll(std::chrono::milliseconds(10)));
    CPPUNIT_ASSERT(b.recv(got).status == pipe_status::ok && got.size() == 20);
    CPPUNIT_ASSERT(a.send_for(as_span(m), std::chrono::milliseconds(30)) == pipe_status::ok);
  }

  void corrupted_indices_are_errors() {
    auto [a, b] = weave::make_pipe({.capacity = 64});
    // A hostile peer publishes a head far beyond the ring.
    access::send_direction(a).head.store(1000, std::memory_order_release);
    std::vector<std::byte> got;
    CPPUNIT_ASSERT_THROW(b.recv(got), weave::pipe_error);
    // A tail ahead of the writer's head.
    auto [c, d] = weave::make_pipe({.capacity = 64});
    access::recv_direction(d).tail.store(500, std::memory_order_release);
    std::vector<std::byte> m(60);
    CPPUNIT_ASSERT(c.send(as_span(m)) == pipe_status::ok);  // fits by its own private view
    CPPUNIT_ASSERT_THROW(c.send(as_span(m)), weave::pipe_error);
  }

  void corrupted_length_is_an_error() {
    auto [a, b] = weave::make_pipe({.capacity = 64});
    CPPUNIT_ASSERT(a.send(std::string_view("abcdefgh")) == pipe_status::ok);
    auto* ring = reinterpret_cast<unsigned char*>(access::send_ring(a));
    const std::uint32_t lie = 40;  // <= max_message but beyond the 12 published bytes
    std::memcpy(ring, &lie, 4);
    std::vector<std::byte> got;
    CPPUNIT_ASSERT_THROW(b.recv(got), weave::pipe_error);
    const std::uint32_t huge = 0xfffffff0u;
    std::memcpy(ring, &huge, 4);
    CPPUNIT_ASSERT_THROW(b.recv(got), weave::pipe_error);
    std::byte buf[8];
    CPPUNIT_ASSERT_THROW(b.recv_into(buf), weave::pipe_error);
  }

  void attach_validates_the_header() {
    const weave::pipe_options o{.capacity = 64};
    const std::size_t size = pipe_end::region_size(weave::pipe_end::validated(o));
    alignas(64) static unsigned char region[4096];
    std::memset(region, 0, sizeof region);
    CPPUNIT_ASSERT_THROW(pipe_end::attach(region, size, 0), weave::pipe_error);  // no magic
    auto ends = pipe_end::create_in(region, size, o, nullptr);
    ends.first.close();
    ends.second.close();
    CPPUNIT_ASSERT_NO_THROW(pipe_end::attach(region, size, 1));
    CPPUNIT_ASSERT_THROW(pipe_end::attach(region, size - 1, 1), weave::pipe_error);  // ring too short
    auto* words = reinterpret_cast<std::uint32_t*>(region);
    words[2] = 48;  // capacity not a power of two
    CPPUNIT_ASSERT_THROW(pipe_end::attach(region, size, 1), weave::pipe_error);
    words[2] = 1u << 20;  // larger than the region
    CPPUNIT_ASSERT_THROW(pipe_end::attach(region, size, 1), weave::pipe_error);
    words[2] = 64;
    words[3] = 61;  // max_message does not fit
    CPPUNIT_ASSERT_THROW(pipe_end::attach(region, size, 1), weave::pipe_error);
    words[3] = 60;
    CPPUNIT_ASSERT_NO_THROW(pipe_end::attach(region, size, 1));
  }

  // The thread variant of the cross-process exchange (runs under TSan).
  void threads_exchange_both_ways() {
    auto [a, b] = pipe_end::make_local({.capacity = 512, .max_message = 200});
    constexpr std::uint32_t n = 20000;
    std::uint64_t sum_b = 0;
    bool ok_b = true;
    std::thread peer([&, &bb = b] {
      std::vector<std::byte> got;
      for (std::uint32_t i = 0; i < n; ++i) {
        if (bb.recv(got).status != pipe_status::ok || !is_message(got, i, 200)) ok_b = false;
        sum_b += checksum(got);
        if (bb.send(as_span(message(n - i, 200))) != pipe_status::ok) ok_b = false;
      }
      bb.close();
    });
    std::uint64_t sum_a = 0, expect_a = 0, expect_b = 0;
    std::vector<std::byte> got;
    std::uint32_t replies = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      CPPUNIT_ASSERT(a.send(as_span(message(i, 200))) == pipe_status::ok);
      expect_b += checksum(message(i, 200));
      expect_a += checksum(message(n - i, 200));
      // Read replies lazily so both rings fill up sometimes.
      if (i % 4 == 3)
        while (replies <= i - 2) {
          CPPUNIT_ASSERT(a.recv(got).status == pipe_status::ok);
          CPPUNIT_ASSERT(is_message(got, n - replies, 200));
          sum_a += checksum(got);
          ++replies;
        }
    }
    while (a.recv(got).status == pipe_status::ok) {
      CPPUNIT_ASSERT(is_message(got, n - replies, 200));
      sum_a += checksum(got);
      ++replies;
    }
    peer.join();
    CPPUNIT_ASSERT(ok_b);
    CPPUNIT_ASSERT_EQUAL(n, replies);
    CPPUNIT_ASSERT_EQUAL(expect_a, sum_a);
    CPPUNIT_ASSERT_EQUAL(expect_b, sum_b);
  }

  void close_wakes_a_blocked_reader() {
    auto [a, b] = pipe_end::make_local({.capacity = 64});
    std::atomic<int> status{-1};
    std::thread reader([&, &bb = b] {
      std::vector<std::byte> got;
      status = static_cast<int>(bb.recv(got).status);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    a.close();
    reader.join();
    CPPUNIT_ASSERT_EQUAL(static_cast<int>(pipe_status::closed), status.load());
  }

  void named_create_open_and_errors() {
    const std::string name = "/weave-pipe-test-" + std::to_string(getpid());
    pipe_end a = weave::pipe_create(name, {.capacity = 128});
    struct stat st {};
    const std::string path = "/dev/shm" + name;
    CPPUNIT_ASSERT(stat(path.c_str(), &st) == 0);
    CPPUNIT_ASSERT_EQUAL(0600u, static_cast<unsigned>(st.st_mode & 0777));
    try {
      (void)weave::pipe_create(name);
      CPPUNIT_FAIL("second create of the same name succeeded");
    } catch (const weave::pipe_error& e) {
      CPPUNIT_ASSERT(std::string(e.what()).find("already exists") != std::string::npos);
    }
    pipe_end b = weave::pipe_open(name);
    CPPUNIT_ASSERT_EQUAL(std::size_t{128}, b.capacity());
    CPPUNIT_ASSERT(a.send(std::string_view("over the name")) == pipe_status::ok);
    std::vector<std::byte> got;
    CPPUNIT_ASSERT(b.recv(got).status == pipe_status::ok && got.size() == 13);
    CPPUNIT_ASSERT(b.send(std::string_view("back")) == pipe_status::ok);
    CPPUNIT_ASSERT(a.recv(got).status == pipe_status::ok && got.size() == 4);
    a.close();  // the creator's handle owns the name
    CPPUNIT_ASSERT(stat(path.c_str(), &st) != 0);
    try {
      (void)weave::pipe_open(name);
      CPPUNIT_FAIL("open of a removed name succeeded");
    } catch (const weave::pipe_error& e) {
      CPPUNIT_ASSERT(std::string(e.what()).find("no such pipe") != std::string::npos);
    }
    // Permission denied: a name whose mode allows nobody (meaningful unless root).
    const std::string locked = name + "-locked";
    const int fd = shm_open(locked.c_str(), O_CREAT | O_EXCL | O_RDWR, 0);
    CPPUNIT_ASSERT(fd >= 0);
    close(fd);
    if (geteuid() != 0) {
      try {
        (void)weave::pipe_open(locked);
        CPPUNIT_FAIL("open without permission succeeded");
      } catch (const weave::pipe_error& e) {
        CPPUNIT_ASSERT(std::string(e.what()).find("permission denied") != std::string::npos);
      }
    } else if (!weave::tsan_build) {
      // root bypasses modes: check from a child that drops to nobody that the
      // creator's 0600 pipe is refused with "permission denied".
      pipe_end guarded = weave::pipe_create(name + "-perm", {.capacity = 64});
      const pid_t pid = fork_child([&] {
        if (setgid(65534) != 0 || setuid(65534) != 0) return 7;
        try {
          (void)weave::pipe_open(name + "-perm");
        } catch (const weave::pipe_error& e) {
          return std::string(e.what()).find("permission denied") != std::string::npos ? 0 : 3;
        }
        return 4;
      });
      CPPUNIT_ASSERT_EQUAL(0, wait_child(pid, 10));
    }
    shm_unlink(locked.c_str());
    b.close();
  }

  // Parent and child exchange numbered messages both ways with checksums.
  void fork_exchange_both_ways() {
    if (skip_fork("fork_exchange_both_ways")) return;
    auto [a, b] = weave::make_pipe({.capacity = 1024, .max_message = 300});
    constexpr std::uint32_t n = 50000;
    const pid_t pid = fork_child([&, &bb = b, &aa = a] {
      aa.close();  // not ours: only drops the handle
      std::vector<std::byte> got;
      std::uint64_t sum = 0;
      for (std::uint32_t i = 0; i < n; ++i) {
        if (bb.recv(got).status != pipe_status::ok) return 2;
        if (!is_message(got, i, 300)) return 3;
        sum += checksum(got);
        if (bb.send(as_span(message(i * 3 + 1, 300))) != pipe_status::ok) return 4;
      }
      // The checksum of everything received, as the last message.
      std::vector<std::byte> s(8);
      std::memcpy(s.data(), &sum, 8);
      if (bb.send(as_span(s)) != pipe_status::ok) return 5;
      bb.close();
      return 0;
    });
    b.close();  // the child's end: drops the parent's handle only
    std::uint64_t expect = 0;
    std::vector<std::byte> got;
    std::uint32_t replies = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      CPPUNIT_ASSERT(a.send(as_span(message(i, 300))) == pipe_status::ok);
      expect += checksum(message(i, 300));
      if (i % 8 == 7)
        while (replies + 4 <= i) {
          CPPUNIT_ASSERT(a.recv(got).status == pipe_status::ok);
          CPPUNIT_ASSERT(is_message(got, replies * 3 + 1, 300));
          ++replies;
        }
    }
    while (replies < n) {
      CPPUNIT_ASSERT(a.recv(got).status == pipe_status::ok);
      CPPUNIT_ASSERT(is_message(got, replies * 3 + 1, 300));
      ++replies;
    }
    CPPUNIT_ASSERT(a.recv(got).status == pipe_status::ok && got.size() == 8);
    std::uint64_t sum = 0;
    std::memcpy(&sum, got.data(), 8);
    CPPUNIT_ASSERT_EQUAL(expect, sum);
    CPPUNIT_ASSERT(a.recv(got).status == pipe_status::closed);
    CPPUNIT_ASSERT_EQUAL(0, wait_child(pid, 60));
  }

  void fork_eof_and_one_way() {
    if (skip_fork("fork_eof_and_one_way")) return;
    auto [r, w] = weave::make_pipe({.duplex = false, .capacity = 64});
    const pid_t pid = fork_child([&, &ww = w] {
      for (std::uint32_t i = 0; i < 1000; ++i)
        if (ww.send(as_span(message(i, 50))) != pipe_status::ok) return 2;
      ww.close();
      return 0;
    });
    std::vector<std::byte> got;
    for (std::uint32_t i = 0; i < 1000; ++i) {
      CPPUNIT_ASSERT(r.recv(got).status == pipe_status::ok);
      CPPUNIT_ASSERT(is_message(got, i, 50));
    }
    CPPUNIT_ASSERT(r.recv(got).status == pipe_status::closed);
    CPPUNIT_ASSERT_EQUAL(0, wait_child(pid, 30));
  }

  // The child blocks in send on a full ring and is killed there: the parent
  // drains every complete message, then learns the peer is gone (no hang).
  void fork_peer_killed_mid_send() {
    if (skip_fork("fork_peer_killed_mid_send")) return;
    auto [r, w] = weave::make_pipe({.duplex = false, .capacity = 256});
    const pid_t pid = fork_child([&, &ww = w] {
      for (std::uint32_t i = 0;; ++i)
        if (ww.send(as_span(message(i, 40))) != pipe_status::ok) return 2;
    });
    // Wait until the ring is full (the child is then blocked in send).
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    kill(pid, SIGKILL);  // not reaped yet: the child stays a zombie meanwhile
    std::vector<std::byte> got;
    std::uint32_t i = 0;
    const auto t0 = clk::now();
    weave::recv_result res;
    while ((res = r.recv(got)).status == pipe_status::ok) {
      CPPUNIT_ASSERT(is_message(got, i, 40));
      ++i;
    }
    CPPUNIT_ASSERT_EQUAL(std::string("peer_gone"), std::string(weave::to_string(res.status)));
    CPPUNIT_ASSERT(i >= 3);  // the full ring's messages were drained first
    CPPUNIT_ASSERT(clk::now() - t0 < kNoticedWithin);
    CPPUNIT_ASSERT_EQUAL(128 + SIGKILL, wait_child(pid, 10));
  }

  // The child blocks in recv and is killed there: the parent's sends fill the
  // ring, then its blocked send learns the peer is gone.
  void fork_peer_killed_mid_recv() {
    if (skip_fork("fork_peer_killed_mid_recv")) return;
    auto [a, b] = weave::make_pipe({.capacity = 256});
    const pid_t pid = fork_child([&, &bb = b] {
      std::vector<std::byte> got;
      (void)bb.recv(got);  // blocks: the parent sends nothing first
      return 2;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    kill(pid, SIGKILL);
    const auto t0 = clk::now();
    pipe_status s = pipe_status::ok;
    int sent = 0;
    while ((s = a.send(as_span(message(static_cast<std::uint32_t>(sent), 40)))) == pipe_status::ok) ++sent;
    CPPUNIT_ASSERT_EQUAL(std::string("peer_gone"), std::string(weave::to_string(s)));
    CPPUNIT_ASSERT(sent >= 3 && sent < 100);
    CPPUNIT_ASSERT(clk::now() - t0 < kNoticedWithin);
    // And a recv from the dead peer reports it too (nothing to drain).
    std::vector<std::byte> got;
    CPPUNIT_ASSERT(a.recv(got).status == pipe_status::peer_gone);
    CPPUNIT_ASSERT_EQUAL(128 + SIGKILL, wait_child(pid, 10));
  }

  void fork_named_pipe() {
    if (skip_fork("fork_named_pipe")) return;
    const std::string name = "/weave-pipe-fork-" + std::to_string(getpid());
    pipe_end a = weave::pipe_create(name, {.capacity = 4096});
    const pid_t pid = fork_child([&] {
      pipe_end b = weave::pipe_open(name);
      std::vector<std::byte> got;
      std::uint32_t i = 0;
      while (b.recv(got).status == pipe_status::ok) {
        if (!is_message(got, i++, 100)) return 3;
        if (b.send(as_span(got)) != pipe_status::ok) return 4;  // echo
      }
      return i == 500 ? 0 : 5;
    });
    std::vector<std::byte> got;
    for (std::uint32_t i = 0; i < 500; ++i) {
      CPPUNIT_ASSERT(a.send(as_span(message(i, 100))) == pipe_status::ok);
      CPPUNIT_ASSERT(a.recv(got).status == pipe_status::ok);
      CPPUNIT_ASSERT(is_message(got, i, 100));
    }
    a.close();
    CPPUNIT_ASSERT_EQUAL(0, wait_child(pid, 30));
  }
  // The holder table on its own: one slot per holder, dead holders' slots are
  // reclaimed, and past the last slot a holder is counted in overflow (H1..H4).
  void holder_table_slots_reclaim_and_overflow() {
    using weave::detail::end_record;
    end_record rec;
    const std::uint32_t me = static_cast<std::uint32_t>(getpid());
    CPPUNIT_ASSERT(rec.in_use(me));  // nobody held it yet: a peer waits for it
    // Impossible ids (above pid_max) stand for dead processes (H4).
    int first = -1;
    for (std::uint32_t k = 0; k < end_record::slots; ++k) {
      const int i = rec.hold(end_record::encode({(1u << 22) + 1 + k, 0}, false));
      CPPUNIT_ASSERT_EQUAL(static_cast<int>(k), i);
      if (k == 0) first = i;
    }
    CPPUNIT_ASSERT(!rec.any_live(me));
    CPPUNIT_ASSERT(!rec.in_use(me));  // held, never used, every holder dead: gone
    // A full table of dead holders: a live one takes a dead one's slot.
    const std::uint64_t mine = end_record::encode(weave::detail::identity_of(me), false);
    const int i = rec.hold(mine);
    CPPUNIT_ASSERT(i >= 0);
    CPPUNIT_ASSERT(rec.any_live(0));
    rec.replace(i, mine, 0);
    CPPUNIT_ASSERT(!rec.any_live(0));
    const int other = i == first ? first + 1 : first;  // still a dead holder's
    CPPUNIT_ASSERT(!rec.replace(other, 12345, 0));  // not the value there: nothing changes (H2)
    CPPUNIT_ASSERT(rec.holder[other].load(std::memory_order_relaxed) != 0);
    // A pending slot counts while its parent lives.
    const int p = rec.hold(end_record::encode(weave::detail::identity_of(me), true));
    CPPUNIT_ASSERT(p >= 0);
    CPPUNIT_ASSERT(rec.any_live(0));
    rec.replace(p, end_record::encode(weave::detail::identity_of(me), true), 0);
    // Live holders in every slot: the next one is counted in overflow, and the
    // end counts as held for good (H3).
    for (int k = 0; k < end_record::slots; ++k) rec.holder[k].store(mine, std::memory_order_relaxed);
    CPPUNIT_ASSERT_EQUAL(-1, rec.hold(end_record::encode({me, 0}, false)));
    for (int k = 0; k < end_record::slots; ++k) rec.holder[k].store(0, std::memory_order_relaxed);
    CPPUNIT_ASSERT(rec.any_live(0));
    // An owner decides once the end was used.
    rec.claim({(1u << 22) + 5, 0});
    CPPUNIT_ASSERT(!rec.in_use(me));
    rec.claim({me, 0});
    CPPUNIT_ASSERT(rec.in_use(me));
    // The owner word carries its start time: this pid with another start is
    // a reused pid, a dead owner (H6).
    const weave::detail::process_identity now = weave::detail::identity_of(me);
    rec.claim({me, now.start + 1});
    CPPUNIT_ASSERT(!rec.in_use(0));
    rec.claim(now);
    CPPUNIT_ASSERT(rec.in_use(0));
  }

  // The child dies before it ever touches its end, and the parent closed its
  // own copy of that end as usual: the parent's blocked recv and send learn
  // the peer is gone within a liveness slice, as if it had died mid-message.
  void fork_peer_dies_before_using_its_end() {
    if (skip_fork("fork_peer_dies_before_using_its_end")) return;
    auto [a, b] = weave::make_pipe({.capacity = 256});
    const pid_t pid = fork_dying_child();
    b.close();  // the child's end: the parent only drops its handle
    std::vector<std::byte> got;
    const auto t0 = clk::now();
    const auto r = a.recv_for(got, std::chrono::seconds(5));  // a deadline: fail, never hang
    CPPUNIT_ASSERT_EQUAL(std::string("peer_gone"), std::string(weave::to_string(r.status)));
    CPPUNIT_ASSERT(clk::now() - t0 < kNoticedWithin);
    int sent = 0;
    pipe_status s;
    while ((s = a.send_for(as_span(message(static_cast<std::uint32_t>(sent), 40)), std::chrono::seconds(5))) ==
           pipe_status::ok)
      ++sent;
    CPPUNIT_ASSERT_EQUAL(std::string("peer_gone"), std::string(weave::to_string(s)));
    CPPUNIT_ASSERT(sent >= 3 && sent < 100);  // it filled the ring, then noticed
    CPPUNIT_ASSERT_EQUAL(128 + SIGKILL, wait_child(pid, 10));
  }

  // Neither the parent nor the child ever uses end b, and both close it: the
  // last close shuts it, so the parent sees end of stream and a closed peer,
  // whichever process closed last (pipe(2) after every write end is closed).
  void fork_unused_end_closed_by_every_holder_is_end_of_stream() {
    if (skip_fork("fork_unused_end_closed_by_every_holder_is_end_of_stream")) return;
    for (const bool child_first : {true, false}) {
      auto [a, b] = weave::make_pipe({.capacity = 256});
      const pid_t pid = fork_child([&, &bb = b] {
        if (!child_first) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        bb.close();
        return 0;
      });
      if (child_first) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      b.close();
      std::vector<std::byte> got;
      CPPUNIT_ASSERT_EQUAL(std::string("closed"), std::string(weave::to_string(a.recv(got).status)));
      CPPUNIT_ASSERT(a.send(as_span(message(1, 40))) == pipe_status::closed);
      CPPUNIT_ASSERT_EQUAL(0, wait_child(pid, 10));
    }
  }

  // The parent keeps its copy of the child's end (never closed, never used):
  // it is then a live holder of that end itself, so a recv waits like a reader
  // of a pipe(2) whose write end it still holds, until its deadline. Closing
  // that copy, the last live one, then ends the stream.
  void fork_a_kept_copy_of_the_peer_end_keeps_it_held() {
    if (skip_fork("fork_a_kept_copy_of_the_peer_end_keeps_it_held")) return;
    auto [a, b] = weave::make_pipe({.capacity = 256});
    const pid_t pid = fork_dying_child();
    CPPUNIT_ASSERT_EQUAL(128 + SIGKILL, wait_child(pid, 10));
    std::vector<std::byte> got;
    CPPUNIT_ASSERT(a.recv_for(got, std::chrono::milliseconds(300)).status == pipe_status::timeout);
    b.close();
    CPPUNIT_ASSERT(a.recv_for(got, std::chrono::seconds(5)).status == pipe_status::closed);
  }

  // Holders across two forks: the child forks a grandchild (which inherits end
  // b), then closes b and exits; the parent closed b too. The grandchild alone
  // holds b: while it lives the parent's recv waits; once it is killed, without
  // having used b, the parent learns the peer is gone.
  void fork_grandchild_holds_the_end() {
    if (skip_fork("fork_grandchild_holds_the_end")) return;
    auto* shared = static_cast<std::atomic<pid_t>*>(
        mmap(nullptr, sizeof(std::atomic<pid_t>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    CPPUNIT_ASSERT(shared != MAP_FAILED);
    new (shared) std::atomic<pid_t>(0);
    struct reaper {  // a failed assertion must not leave the grandchild paused forever
      std::atomic<pid_t>* pid;
      ~reaper() {
        if (const pid_t g = pid->load(); g > 0) kill(g, SIGKILL);
        munmap(pid, sizeof(std::atomic<pid_t>));
      }
    } reap{shared};
    auto [a, b] = weave::make_pipe({.capacity = 256});
    const pid_t pid = fork_child([&, &bb = b] {
      (void)fork_child([&] {
        shared->store(getpid());  // after fork's child handler took the slot over
        pause();                  // holds b until killed
        return 2;
      });
      // The child leaves only once the grandchild holds its own slot: a
      // pending slot counts while its parent lives (holders.hpp), so a parent
      // that exits before its child ran the fork handler leaves the end
      // looking abandoned for that instant.
      while (shared->load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      bb.close();  // not the last holder: only drops the child's handle
      return 0;
    });
    b.close();
    CPPUNIT_ASSERT_EQUAL(0, wait_child(pid, 10));
    const pid_t grandchild = shared->load();
    CPPUNIT_ASSERT(grandchild > 0);
    std::vector<std::byte> got;
    CPPUNIT_ASSERT(a.recv_for(got, std::chrono::milliseconds(300)).status == pipe_status::timeout);
    kill(grandchild, SIGKILL);
    const auto t0 = clk::now();
    CPPUNIT_ASSERT(a.recv_for(got, std::chrono::seconds(5)).status == pipe_status::peer_gone);
    CPPUNIT_ASSERT(clk::now() - t0 < kNoticedWithin);
  }
};
CPPUNIT_TEST_SUITE_REGISTRATION(pipe_test);
