// What the checker shows a student besides the table: --outcomes (every final
// value with its count and a replay token), the lost-update line, and the
// counterexample as Chrome Trace Event JSON, HTML and DOT (their rendering in
// real tools is ctest checker.export_render).
#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>

#include "json.hpp"
#include "known_bodies.hpp"
#include "weave/model.hpp"
#include "weave/semaphore.hpp"

namespace {

using weave::model::thread;
using weave::model::verdict;
template <class T>
using atomic = weave::model_sync::atomic<T>;
constexpr auto rlx = std::memory_order_relaxed;

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// balance = balance + n from two threads, as a load and a store.
void lost_update() {
  atomic<int> balance{0, "balance"};
  auto deposit = [&](int n) { balance.store(balance.load(rlx) + n, rlx); };
  thread a{"Ann", [&] { deposit(10); }};
  thread b{"Bob", [&] { deposit(20); }};
  a.join();
  b.join();
  WEAVE_CHECK(balance.load(rlx) == 30);
}

// A lost update of two threads kept in a std::vector: constructed by it
// (emplace_back), or in this code and moved in (push_back).
void lost_update_in_a_vector(bool emplaced) {
  atomic<int> x{0, "x"};
  std::vector<thread> ts;
  auto add_one = [&] { x.store(x.load(rlx) + 1, rlx); };
  for (int i = 0; i < 2; ++i) {
    if (emplaced) ts.emplace_back(add_one);
    else ts.push_back(thread(add_one));
  }
  for (thread& t : ts) t.join();
  WEAVE_CHECK(x.load(rlx) == 2);
}

}  // namespace

class views_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(views_test);
  CPPUNIT_TEST(outcomes_count_every_final_value);
  CPPUNIT_TEST(outcomes_keep_to_the_execution_bound);
  CPPUNIT_TEST(outcomes_past_a_failure_are_all_there);
  CPPUNIT_TEST(outcomes_of_a_bounded_or_random_search);
  CPPUNIT_TEST(outcomes_of_a_pointer_are_addresses_in_hex);
  CPPUNIT_TEST(lost_update_is_said_in_words);
  CPPUNIT_TEST(exports_of_a_deadlock);
  CPPUNIT_TEST(threads_made_by_the_standard_library_say_so);
  CPPUNIT_TEST_SUITE_END();

 public:
  void outcomes_count_every_final_value() {
    weave::model::options o;
    o.outcomes = true;
    const auto r = weave::model::check(o, lost_update);
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, r.found);  // the first failure is still the verdict
    // Explored on past the failures: 10 and 20 (one lost each way), 30 in two orders.
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), r.executions);
    CPPUNIT_ASSERT(has(r.outcomes, "balance: 10 in 1 schedule, 20 in 1 schedule, 30 in 2 schedules (of 4)"));
    CPPUNIT_ASSERT(has(r.outcomes, "balance = 10: --replay NAME:"));
    // Each token replays to its value.
    const auto at = r.outcomes.find("balance = 10: --replay NAME:") + std::string("balance = 10: --replay NAME:").size();
    const std::string token = r.outcomes.substr(at, r.outcomes.find('\n', at) - at);
    const auto again = weave::model::replay(weave::model::options{}, lost_update, token);
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, again.found);
    CPPUNIT_ASSERT(has(again.report, "load balance → 10"));
  }

  // Going on past failures, the search still keeps to --executions (and
  // --time): before, a failed execution skipped the bounds, and a search
  // whose executions all failed ran to its end whatever the bound.
  void outcomes_keep_to_the_execution_bound() {
    weave::model::options o;
    o.outcomes = true;
    o.max_executions = 5;
    const auto r = weave::model::check(o, [] {
      atomic<int> x{0, "x"};
      thread a{[&] { for (int i = 0; i < 3; ++i) x.fetch_add(1, rlx); }};
      thread b{[&] { for (int i = 0; i < 3; ++i) x.fetch_add(1, rlx); }};
      a.join();
      b.join();
      WEAVE_CHECK(x.load(rlx) == 0);  // fails in every one of the 20 executions
    });
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, r.found);
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), r.executions);
    CPPUNIT_ASSERT(!r.exhaustive);
    CPPUNIT_ASSERT(has(r.outcomes, "x: 6 in 5 schedules (of 5)"));
  }

  // --outcomes under --preemptions or a random/PCT search lists the values
  // that search saw: before, those searches stopped at their first failure
  // and the table was empty. Under sc, without a preemption the deposits
  // cannot interleave (30 only); with one, either deposit can replace the
  // other (10, 20). The shorter counterexample's own searches add nothing to
  // the table.
  void outcomes_of_a_bounded_or_random_search() {
    weave::model::options o;
    o.outcomes = true;
    o.memory = weave::model::memory_model::sc;
    o.preemptions = 0;
    auto r = weave::model::check(o, lost_update);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.outcomes, verdict::pass, r.found);
    CPPUNIT_ASSERT_MESSAGE(r.outcomes, has(r.outcomes, "balance: 30 in 2 schedules (of 2)"));
    o.preemptions = 1;
    r = weave::model::check(o, lost_update);
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, r.found);
    CPPUNIT_ASSERT_MESSAGE(r.outcomes, has(r.outcomes, "balance: 10 in 1 schedule, 20 in 1 schedule, 30 in 2 schedules (of 4)"));
    for (auto s : {weave::model::strategy::random, weave::model::strategy::pct}) {
      weave::model::options q;
      q.outcomes = true;
      q.search = s;
      q.iterations = 200;
      r = weave::model::check(q, lost_update);
      CPPUNIT_ASSERT_EQUAL(verdict::check_failed, r.found);
      CPPUNIT_ASSERT_EQUAL(std::uint64_t(200), r.executions);  // on past the failures, every iteration
      CPPUNIT_ASSERT_MESSAGE(r.outcomes, has(r.outcomes, "balance: ") && has(r.outcomes, "(of 200)"));
      CPPUNIT_ASSERT_MESSAGE(r.outcomes, has(r.outcomes, " 30 in "));
    }
  }

  // Going on past a failure, partial-order reduction must still find every
  // outcome plain DFS finds. Bob's release is over the bound unless Cy
  // acquired first; Ann's try_acquire fails (got 0) only after Cy's acquire
  // and before Bob's release. Source-DPOR reaches that order by reversing
  // races of the schedule in which Bob releases first, which the failure
  // cuts short: before, only "got 1" was found (differential_test's second
  // family found it).
  void outcomes_past_a_failure_are_all_there() {
    auto body = [] {
      weave::model::bounded_semaphore permits(1);
      atomic<int> got{-1, "got"};
      atomic<int> note(0);  // Bob's first step: without it the reduction reaches Cy's acquire first another way
      thread ann{"Ann", [&] { got.store(permits.try_acquire() ? 1 : 0, rlx); }};
      thread bob{"Bob", [&] {
                   note.store(2, rlx);
                   permits.release();
                 }};
      thread cy{"Cy", [&] { permits.acquire(); }};
      ann.join();
      bob.join();
      cy.join();
    };
    for (const bool reduction : {true, false}) {
      weave::model::options o;
      o.outcomes = true;
      o.reduction = reduction;
      const auto r = weave::model::check(o, body);
      CPPUNIT_ASSERT_EQUAL(verdict::usage_error, r.found);  // Bob's release first
      CPPUNIT_ASSERT_MESSAGE(r.outcomes, has(r.outcomes, "got: -1 in "));
      CPPUNIT_ASSERT_MESSAGE(r.outcomes, has(r.outcomes, ", 0 in "));
      CPPUNIT_ASSERT_MESSAGE(r.outcomes, has(r.outcomes, ", 1 in "));
    }
  }

  // A pointer atomic's final values are addresses: --outcomes says them in
  // hex, as the trace does (0x7f...), not as fifteen decimal digits.
  void outcomes_of_a_pointer_are_addresses_in_hex() {
    weave::model::options o;
    o.outcomes = true;
    const auto r = weave::model::check(o, [] {
      int a = 1, b = 2;
      atomic<int*> p{nullptr, "p"};
      thread t{[&] { p.store(&a, rlx); }};
      p.store(&b, rlx);
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.outcomes, verdict::pass, r.found);
    CPPUNIT_ASSERT_MESSAGE(r.outcomes, has(r.outcomes, "p: 0x"));
    CPPUNIT_ASSERT_MESSAGE(r.outcomes, has(r.outcomes, "p = 0x"));
    CPPUNIT_ASSERT_MESSAGE(r.outcomes, r.outcomes.find("p: 1") == std::string::npos);
  }

  void lost_update_is_said_in_words() {
    const auto r = weave::model::check(weave::model::options{}, lost_update);
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, r.found);
    CPPUNIT_ASSERT(has(r.report, "'s store of "));
    CPPUNIT_ASSERT(has(r.report, " to balance is overwritten by "));
    CPPUNIT_ASSERT(has(r.report, " before any other thread read it: a lost update"));
    // A passing lesson has no such line: fetch_add reads what it replaces.
    const auto ok = weave::model::check(weave::model::options{}, [] {
      atomic<int> balance{0, "balance"};
      thread a{[&] { balance.fetch_add(10, rlx); }};
      balance.fetch_add(20, rlx);
      a.join();
      WEAVE_CHECK(balance.load(rlx) == 0);  // fails, but no update was lost
    });
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, ok.found);
    CPPUNIT_ASSERT(!has(ok.report, "lost update"));
  }

  // std::vector<thread>::emplace_back constructs the thread inside the
  // standard library (std::construct_at), so its source_location is that
  // header's line: the report says so, and how to see the user's own line,
  // which a thread constructed in the user's code (push_back) gets.
  void threads_made_by_the_standard_library_say_so() {
    const auto r = weave::model::check(weave::model::options{}, [] { lost_update_in_a_vector(true); });
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, r.found);
    CPPUNIT_ASSERT_MESSAGE(r.report, has(r.report, "T1  spawned at ") && has(r.report, "in the standard library"));
    CPPUNIT_ASSERT_MESSAGE(r.report, has(r.report, "push_back(weave::model::thread(f))"));
    const auto mine = weave::model::check(weave::model::options{}, [] { lost_update_in_a_vector(false); });
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, mine.found);
    CPPUNIT_ASSERT_MESSAGE(mine.report, has(mine.report, "T1  spawned at views_test.cpp:"));
    CPPUNIT_ASSERT_MESSAGE(mine.report, !has(mine.report, "in the standard library"));
  }

  void exports_of_a_deadlock() {
    weave::model::options o;
    o.exports = true;
    const auto r = weave::model::check(o, weave::model::test::ab_ba_named);
    CPPUNIT_ASSERT_EQUAL(verdict::deadlock, r.found);
    weave::model::detail::json_value v;
    std::string error;
    CPPUNIT_ASSERT_MESSAGE(error, weave::model::detail::parse_json(r.trace_json, v, error));
    const auto* events = v.find("traceEvents");
    CPPUNIT_ASSERT(events != nullptr && events->type == weave::model::detail::json_value::kind::array);
    int slices = 0, names = 0, marks = 0;
    std::vector<std::string> switches;  // the slices' reasons why their thread runs (args.switch)
    for (const auto& e : events->items) {
      const auto* ph = e.find("ph");
      CPPUNIT_ASSERT(ph != nullptr && e.find("pid") != nullptr && e.find("tid") != nullptr && e.find("name") != nullptr);
      const auto* ts = e.find("ts");  // viewers drop events at time 0: every event is after it
      CPPUNIT_ASSERT(ph->text == "M" || (ts != nullptr && std::stod(ts->text) > 0));
      if (ph->text == "X") ++slices;
      if (ph->text == "M") ++names;
      if (ph->text == "i") ++marks;
      if (const auto* args = e.find("args"); ph->text == "X" && args != nullptr && args->find("switch") != nullptr)
        switches.push_back(args->find("switch")->text);
    }
    CPPUNIT_ASSERT_EQUAL(4, slices);  // the four rows: two locks, two blocked locks
    // Each switch the table gives a reason for ("↳"), the JSON's slice and the
    // page give too, in the table's order.
    std::vector<std::string> table;
    for (std::size_t at = 0; (at = r.report.find("↳ ", at)) != std::string::npos;) {
      at += std::string("↳ ").size();
      table.push_back(r.report.substr(at, r.report.find('\n', at) - at));
    }
    CPPUNIT_ASSERT_MESSAGE(r.report, !table.empty());
    CPPUNIT_ASSERT_MESSAGE(r.trace_json, switches == table);
    for (const std::string& why : table) CPPUNIT_ASSERT_MESSAGE(why, has(r.html, "\"why\":\"" + why + "\""));
    CPPUNIT_ASSERT_EQUAL(4, names);   // the process and three threads
    CPPUNIT_ASSERT(marks >= 2);       // each blocked thread
    CPPUNIT_ASSERT(has(r.trace_json, "\"name\":\"Tom\""));
    CPPUNIT_ASSERT(has(r.trace_json, "blocked in lock_B.lock()"));
    CPPUNIT_ASSERT(has(r.html, "<svg") && has(r.html, "lock_A.lock()") && !has(r.html, "http://ui") &&
                   !has(r.html, "<script src"));
    CPPUNIT_ASSERT(has(r.dot, "digraph wait_for"));
    CPPUNIT_ASSERT(has(r.dot, "\"lock_A\" -> t1 [label=\"held by\"]"));
    CPPUNIT_ASSERT(has(r.dot, "t1 -> \"lock_B\" [label=\"wants\""));
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(views_test);
