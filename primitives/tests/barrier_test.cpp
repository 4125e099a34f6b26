// weave::barrier on hardware: distinct arrival indices per phase, reuse across
// phases, the completion function once per phase before anyone is released,
// abort/reset/broken, a throwing completion, timed waits (timeout = status for
// the party that timed out, broken_barrier for the others), and misuse. Ideas
// from CPython's Lib/test/lock_tests.py (BarrierTests: test_barrier,
// test_wait_return, test_action, test_abort, test_reset, test_timeout).
#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_helpers.hpp"
#include "weave/barrier.hpp"

namespace {
using weave::test::eventually;
using weave::test::usage_message;
using clk = std::chrono::steady_clock;
using namespace std::chrono_literals;

template <class F>
bool throws_broken(F f) {
  try {
    f();
  } catch (const weave::broken_barrier&) {
    return true;
  }
  return false;
}
}  // namespace

class barrier_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(barrier_test);
  CPPUNIT_TEST(indices_are_distinct_per_phase);
  CPPUNIT_TEST(completion_runs_once_per_phase_before_release);
  CPPUNIT_TEST(single_party_never_waits);
  CPPUNIT_TEST(abort_breaks_waiters_until_reset);
  CPPUNIT_TEST(reset_breaks_current_waiters_and_reopens);
  CPPUNIT_TEST(throwing_completion_breaks_the_barrier);
  CPPUNIT_TEST(timeout_is_a_status_and_breaks_for_others);
  CPPUNIT_TEST(timed_wait_succeeds_when_all_arrive);
  CPPUNIT_TEST(bad_parties_is_usage_error);
  CPPUNIT_TEST(until_at_the_ends_of_coarse_clocks);
  CPPUNIT_TEST_SUITE_END();

 public:
  // A deadline at the far end of a coarse clock waits for the other party;
  // one in the past times out at once (and, as any timeout, breaks the barrier).
  void until_at_the_ends_of_coarse_clocks() {
    weave::test::for_each_far_deadline([](const std::string& at, auto t) {
      weave::barrier b(2);
      weave::test::waits_until_released("barrier::wait_until(" + at + ")",
                                        [&] { return b.wait_until(t).has_value(); },
                                        [&] {
                                          try {
                                            (void)b.wait();
                                          } catch (const weave::broken_barrier&) {  // the waiter gave up early
                                          }
                                        });
    });
    weave::test::for_each_past_deadline([](const std::string& at, auto t) {
      weave::barrier b(2);
      weave::test::tries_once("barrier::wait_until(" + at + ")", [&] { return b.wait_until(t).has_value(); },
                              [&] { b.abort(); });
      CPPUNIT_ASSERT(b.broken());
    });
  }

  void indices_are_distinct_per_phase() {
    constexpr int parties = 4, phases = 50;
    weave::barrier b(parties);
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t{parties}, b.parties());
    std::vector<std::vector<std::size_t>> got(parties);
    std::vector<std::thread> ts;
    for (int p = 0; p < parties; ++p) {
      ts.emplace_back([&, p] {
        for (int ph = 0; ph < phases; ++ph) got[static_cast<std::size_t>(p)].push_back(b.wait());
      });
    }
    for (auto& t : ts) t.join();
    for (int ph = 0; ph < phases; ++ph) {
      std::vector<std::size_t> idx;
      for (int p = 0; p < parties; ++p) idx.push_back(got[static_cast<std::size_t>(p)][static_cast<std::size_t>(ph)]);
      std::sort(idx.begin(), idx.end());
      for (int i = 0; i < parties; ++i) CPPUNIT_ASSERT_EQUAL(static_cast<std::size_t>(i), idx[static_cast<std::size_t>(i)]);
    }
    CPPUNIT_ASSERT(!b.broken());
    CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t{0}, b.n_waiting());
  }

  void completion_runs_once_per_phase_before_release() {
    constexpr int parties = 3, phases = 30;
    std::atomic<int> completions{0};
    std::atomic<int> passed{0};  // parties that got through, all phases
    weave::barrier b(parties, [&] {
      // Runs before any party of this phase is released: exactly
      // completions * parties have passed so far.
      CPPUNIT_ASSERT_EQUAL(completions.load() * parties, passed.load());
      completions.fetch_add(1);
    });
    std::vector<std::thread> ts;
    std::atomic<int> last_arrivers{0};
    for (int p = 0; p < parties; ++p) {
      ts.emplace_back([&] {
        for (int ph = 0; ph < phases; ++ph) {
          const std::size_t i = b.wait();
          if (i == parties - 1) last_arrivers.fetch_add(1);
          passed.fetch_add(1);
          // Phase ph's completion ran before this party was released.
          CPPUNIT_ASSERT(completions.load() >= ph + 1);
        }
      });
    }
    for (auto& t : ts) t.join();
    CPPUNIT_ASSERT_EQUAL(phases, completions.load());
    CPPUNIT_ASSERT_EQUAL(phases, last_arrivers.load());  // one index parties-1 per phase
  }

  void single_party_never_waits() {
    int runs = 0;
    weave::barrier b(1, [&] { ++runs; });
    CPPUNIT_ASSERT_EQUAL(std::size_t{0}, b.wait());
    CPPUNIT_ASSERT_EQUAL(std::size_t{0}, b.wait());
    CPPUNIT_ASSERT(b.wait_for(0ms) == std::optional<std::size_t>(0));
    CPPUNIT_ASSERT_EQUAL(3, runs);
    weave::barrier none(1, nullptr);  // no completion, as Python's action=None (was ambiguous with the name)
    CPPUNIT_ASSERT_EQUAL(std::size_t{0}, none.wait());
  }

  void abort_breaks_waiters_until_reset() {
    weave::barrier b(3);
    std::atomic<int> broken_seen{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 2; ++i) {
      ts.emplace_back([&] {
        if (throws_broken([&] { (void)b.wait(); })) broken_seen.fetch_add(1);
      });
    }
    CPPUNIT_ASSERT(eventually([&] { return b.n_waiting() == 2; }));
    b.abort();
    for (auto& t : ts) t.join();
    CPPUNIT_ASSERT_EQUAL(2, broken_seen.load());
    CPPUNIT_ASSERT(b.broken());
    CPPUNIT_ASSERT(throws_broken([&] { (void)b.wait(); }));          // stays broken
    CPPUNIT_ASSERT(throws_broken([&] { (void)b.wait_for(10ms); }));  // timed too
    b.reset();
    CPPUNIT_ASSERT(!b.broken());
    // Usable again: a full phase completes.
    std::vector<std::size_t> idx(3);
    std::vector<std::thread> again;
    for (int i = 0; i < 3; ++i) again.emplace_back([&, i] { idx[static_cast<std::size_t>(i)] = b.wait(); });
    for (auto& t : again) t.join();
    std::sort(idx.begin(), idx.end());
    CPPUNIT_ASSERT(idx == (std::vector<std::size_t>{0, 1, 2}));
  }

  void reset_breaks_current_waiters_and_reopens() {
    weave::barrier b(2);
    std::atomic<bool> broken_seen{false};
    std::thread t([&] { broken_seen.store(throws_broken([&] { (void)b.wait(); })); });
    CPPUNIT_ASSERT(eventually([&] { return b.n_waiting() == 1; }));
    b.reset();
    t.join();
    CPPUNIT_ASSERT(broken_seen.load());
    CPPUNIT_ASSERT(!b.broken());
    std::size_t a = 9, c = 9;
    std::thread u([&] { a = b.wait(); });
    c = b.wait();
    u.join();
    CPPUNIT_ASSERT_EQUAL(std::size_t{1}, a + c);  // {0, 1}
  }

  void throwing_completion_breaks_the_barrier() {
    bool fail = true;
    weave::barrier b(2, [&] {
      if (fail) throw std::runtime_error("completion failed");
    });
    std::atomic<int> outcome{0};  // 1 = broken_barrier, 2 = the completion's error
    auto party = [&] {
      try {
        (void)b.wait();
      } catch (const weave::broken_barrier&) {
        outcome.fetch_add(1);
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()) == "completion failed") outcome.fetch_add(2);
      }
    };
    std::thread t(party);
    party();
    t.join();
    CPPUNIT_ASSERT_EQUAL(3, outcome.load());  // one of each
    CPPUNIT_ASSERT(b.broken());
    b.reset();
    fail = false;
    std::thread u([&] { (void)b.wait(); });
    (void)b.wait();
    u.join();
    CPPUNIT_ASSERT(!b.broken());
  }

  void timeout_is_a_status_and_breaks_for_others() {
    weave::barrier b(3);
    std::atomic<bool> other_broken{false};
    std::thread other([&] { other_broken.store(throws_broken([&] { (void)b.wait(); })); });
    CPPUNIT_ASSERT(eventually([&] { return b.n_waiting() == 1; }));
    const auto t0 = clk::now();
    CPPUNIT_ASSERT(!b.wait_for(50ms).has_value());  // a status, not an exception
    const auto took = clk::now() - t0;
    CPPUNIT_ASSERT(took >= 45ms);
    CPPUNIT_ASSERT(took < 5s);
    other.join();
    CPPUNIT_ASSERT(other_broken.load());
    CPPUNIT_ASSERT(b.broken());
    CPPUNIT_ASSERT(throws_broken([&] { (void)b.wait(); }));
    b.reset();
    CPPUNIT_ASSERT(!b.broken());
    CPPUNIT_ASSERT(!b.wait_until(clk::now() - 1s).has_value());  // past deadline: times out at once
    CPPUNIT_ASSERT(b.broken());
  }

  void timed_wait_succeeds_when_all_arrive() {
    weave::barrier b(2);
    std::optional<std::size_t> r1, r2;
    std::thread t([&] { r1 = b.wait_for(10s); });
    std::this_thread::sleep_for(10ms);
    r2 = b.wait_until(std::chrono::system_clock::now() + 10s);
    t.join();
    CPPUNIT_ASSERT(r1.has_value() && r2.has_value());
    CPPUNIT_ASSERT_EQUAL(std::size_t{1}, *r1 + *r2);
    CPPUNIT_ASSERT(!b.broken());
  }

  void bad_parties_is_usage_error() {
    CPPUNIT_ASSERT_EQUAL(std::string("weave::barrier: parties must be at least 1"),
                         usage_message([] { weave::barrier b(0); }));
    CPPUNIT_ASSERT_EQUAL(std::string("weave::barrier: parties must be at least 1"),
                         usage_message([] { weave::barrier b(-3); }));
  }
};
CPPUNIT_TEST_SUITE_REGISTRATION(barrier_test);
