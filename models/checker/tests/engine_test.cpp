// The checker's own tests: known execution counts, counterexamples found with
// the right verdict and the fewest preemptions, replay, nondeterminism, and the
// reduction exploring exactly the outcomes plain DFS explores.
#include <cppunit/extensions/HelperMacros.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <tuple>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <limits>
#include <new>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "known_bodies.hpp"
#include "watchdog.hpp"
#include "weave/event.hpp"
#include "weave/future.hpp"
#include "weave/model.hpp"
#include "weave/mutex.hpp"
#include "weave/robust_mutex.hpp"
#include "weave/timer.hpp"

namespace {

using weave::model::thread;
using weave::model::verdict;
template <class T>
using atomic = weave::model_sync::atomic<T>;
constexpr auto rlx = std::memory_order_relaxed;

// The known counts below are those of interleavings (sequential consistency);
// rc11() runs the same bodies under weak memory where a test says so.
weave::model::options plain() {
  weave::model::options o;
  o.reduction = false;
  o.spurious_wakeups = 0;
  o.memory = weave::model::memory_model::sc;
  return o;
}
weave::model::options dpor() {
  weave::model::options o;
  o.spurious_wakeups = 0;
  o.memory = weave::model::memory_model::sc;
  return o;
}
weave::model::options rc11(bool reduction = true) {
  weave::model::options o = dpor();
  o.memory = weave::model::memory_model::rc11;
  o.reduction = reduction;
  return o;
}

// Checks body each way, asserting verdict v (with the report, where it is not).
void found_each_way(verdict v, const std::function<void()>& body, std::initializer_list<weave::model::options> ways) {
  for (const auto& o : ways) {
    const auto r = weave::model::check(o, body);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, v, r.found);
  }
}

// What body adds to seen (its outcomes) under plain DFS and under DPOR, each
// search passing, and how many executions each took.
struct plain_and_dpor {
  std::set<std::string> plain, dpor;
  std::uint64_t plain_runs = 0, dpor_runs = 0;
};
plain_and_dpor both_searches(std::set<std::string>& seen, const std::function<void()>& body,
                             weave::model::memory_model memory = weave::model::memory_model::sc) {
  plain_and_dpor b;
  weave::model::options po = plain(), ro = dpor();
  po.memory = ro.memory = memory;
  seen.clear();
  const auto p = weave::model::check(po, body);
  b.plain = seen;
  seen.clear();
  const auto r = weave::model::check(ro, body);
  b.dpor = seen;
  CPPUNIT_ASSERT_EQUAL(verdict::pass, p.found);
  CPPUNIT_ASSERT_EQUAL(verdict::pass, r.found);
  b.plain_runs = p.executions;
  b.dpor_runs = r.executions;
  return b;
}

// A timed futex wait's deadline in the futex tests: 1 ms from the caller's now.
auto in_1ms() { return weave::model_sync::clock::now() + std::chrono::milliseconds(1); }

// How a futex wait returned, in a word (the outcomes of the futex tests).
const char* wait_word(weave::wait_result w) {
  return w == weave::wait_result::woken ? "woken" : w == weave::wait_result::timed_out ? "timeout" : "mismatch";
}

// Under sc and under rc11, plain DFS sees `outcome` among body's outcomes,
// and DPOR sees every outcome plain DFS sees.
void reduction_loses_nothing(std::set<std::string>& seen, const std::function<void()>& body,
                             const std::string& outcome) {
  for (const auto memory : {weave::model::memory_model::sc, weave::model::memory_model::rc11}) {
    const auto b = both_searches(seen, body, memory);
    CPPUNIT_ASSERT_MESSAGE("plain DFS never sees " + outcome, b.plain.count(outcome) == 1);
    CPPUNIT_ASSERT_MESSAGE("reduction lost: " + std::to_string(b.plain.size() - b.dpor.size()) + " outcomes",
                           b.dpor == b.plain);
  }
}

std::uint64_t binom(unsigned n, unsigned k) {
  std::uint64_t r = 1;
  for (unsigned i = 1; i <= k; ++i) r = r * (n - k + i) / i;
  return r;
}

// k increments by each of n threads on one atomic (known_bodies.hpp).
std::function<void()> increments(int n, int k) {
  return [n, k] { weave::model::test::increments(n, k); };
}

// The orders of the steps left (left[t] to thread t; prev ran last) with at
// most `budget` preemptions: switches away from a thread with steps left.
std::uint64_t schedules_within(std::vector<int> left, int prev, int budget) {
  std::uint64_t n = 0;
  bool any = false;
  for (std::size_t t = 0; t < left.size(); ++t) {
    if (left[t] == 0) continue;
    any = true;
    const int cost = prev >= 0 && static_cast<std::size_t>(prev) != t && left[static_cast<std::size_t>(prev)] > 0;
    if (cost > budget) continue;
    --left[t];
    n += schedules_within(left, static_cast<int>(t), budget - cost);
    ++left[t];
  }
  return any ? n : 1;
}

// lastzero(N): thread 0 scans a[N..0] for the last zero; thread i writes
// a[i] = a[i-1] + 1. Its optimal count for N = 4 is 28 Mazurkiewicz traces
// (checker_scaling counts them independently by canonicalising plain DFS).
std::function<void()> lastzero(int n) {
  return [n] {
    std::vector<std::unique_ptr<atomic<int>>> a;
    for (int i = 0; i <= n; ++i) a.push_back(std::make_unique<atomic<int>>(0));
    std::vector<thread> ts;
    ts.emplace_back([&] {
      for (int i = n; i >= 0; --i)
        if (a[static_cast<std::size_t>(i)]->load(rlx) == 0) break;
    });
    for (int i = 1; i <= n; ++i)
      ts.emplace_back([&a, i] {
        const auto k = static_cast<std::size_t>(i);
        a[k]->store(a[k - 1]->load(rlx) + 1, rlx);
      });
    for (auto& t : ts) t.join();
  };
}

// The schedules (replay tokens) of the executions a search runs, in its
// order, from the lines options::verbose prints on stderr.
std::vector<std::string> schedules_of(const weave::model::options& o, const std::function<void()>& body,
                                      std::uint64_t* executions) {
  std::FILE* out = std::tmpfile();
  std::fflush(stderr);
  const int saved = dup(2);
  dup2(fileno(out), 2);
  const auto r = weave::model::check(o, body);
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::rewind(out);
  std::vector<std::string> tokens;
  char line[256];
  while (std::fgets(line, sizeof line, out) != nullptr) {
    const std::string l = line;
    CPPUNIT_ASSERT_MESSAGE(l, l.rfind("weave: execution ", 0) == 0 && l.find("  complete\n") != std::string::npos);
    const auto colon = l.find(": ", 17);
    tokens.push_back(l.substr(colon + 2, l.find("  complete") - colon - 2));
  }
  std::fclose(out);
  *executions = r.executions;
  return tokens;
}

// Runs work() in a forked child (which ends with _exit(0) after it, unless
// work ends it first) and meanwhile meanwhile(child) here; returns the child's
// wait status and what it wrote on stderr.
std::pair<int, std::string> in_a_child(const std::function<void()>& work,
                                       const std::function<void(pid_t)>& meanwhile = {}) {
  int fds[2];
  CPPUNIT_ASSERT(pipe(fds) == 0);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 2);
    work();
    _exit(0);
  }
  close(fds[1]);
  if (meanwhile) meanwhile(pid);
  std::string err;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) err.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {status, err};
}

}  // namespace

class engine_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(engine_test);
  CPPUNIT_TEST(plain_dfs_counts_interleavings);
  CPPUNIT_TEST(three_by_three_fetch_add_is_1680);
  CPPUNIT_TEST(independent_writers_are_one_execution);
  CPPUNIT_TEST(two_threads_k_increments_is_binomial);
  CPPUNIT_TEST(readers_is_two_to_the_n);
  CPPUNIT_TEST(reduction_keeps_every_outcome);
  CPPUNIT_TEST(thread_death_is_explored_on_both_sides);
  CPPUNIT_TEST(a_sleeping_liveness_query_wakes_at_the_death);
  CPPUNIT_TEST(a_reversal_behind_another_initial_is_explored);
  CPPUNIT_TEST(a_reversal_with_two_initials_is_explored);
  CPPUNIT_TEST(an_initial_is_a_whole_segment);
  CPPUNIT_TEST(a_timed_wait_may_end_before_its_holder_dies);
  CPPUNIT_TEST(a_spurious_return_may_come_before_the_holder_dies);
  CPPUNIT_TEST(a_thread_lives_after_its_last_operation);
  CPPUNIT_TEST(a_question_commutes_with_the_steps_before_an_end);
  CPPUNIT_TEST(a_futex_words_waiters_commute_with_its_value);
  CPPUNIT_TEST(a_wake_one_may_wake_any_sleeper);
  CPPUNIT_TEST(a_wait_past_its_deadline_never_sleeps);
  CPPUNIT_TEST(a_wake_orders_only_what_came_before_it);
  CPPUNIT_TEST(a_woken_reader_with_nothing_to_read_is_asleep);
  CPPUNIT_TEST(a_futex_words_waiters_are_a_set);
  CPPUNIT_TEST(a_lock_that_is_a_threads_last_call_is_held_while_it_lives);
  CPPUNIT_TEST(asking_late_starts_the_search_again);
  CPPUNIT_TEST(a_token_says_that_ends_are_steps);
  CPPUNIT_TEST(shards_partition_the_search);
  CPPUNIT_TEST(lost_update_has_one_preemption_and_replays);
  CPPUNIT_TEST(a_counterexample_counts_every_preemption);
  CPPUNIT_TEST(deadlock_names_the_cycle);
  CPPUNIT_TEST(timed_lock_reaches_its_timeout_branch);
  CPPUNIT_TEST(nondeterministic_body_is_reported);
  CPPUNIT_TEST(unjoined_thread_is_reported);
  CPPUNIT_TEST(exceptions_and_usage_errors_are_verdicts);
  CPPUNIT_TEST(bounds_make_the_result_bounded);
  CPPUNIT_TEST(a_preemption_bound_runs_every_schedule_within_it);
  CPPUNIT_TEST(a_spent_bound_still_switches_where_a_switch_is_free);
  CPPUNIT_TEST(random_slices_run_schedules_of_their_own);
  CPPUNIT_TEST(stack_overflow_is_reported);
  CPPUNIT_TEST(stack_overflow_on_another_thread_is_reported);
  CPPUNIT_TEST(a_stalled_thread_is_reported);
  CPPUNIT_TEST(a_stall_in_the_checker_is_not_blamed_on_the_thread);
  CPPUNIT_TEST(a_livelock_names_a_spin_loop_without_spin);
  CPPUNIT_TEST(checks_from_two_os_threads_run_one_at_a_time);
  CPPUNIT_TEST(options_out_of_range_are_a_usage_error);
  CPPUNIT_TEST(a_time_budget_holds_for_slow_executions);
  CPPUNIT_TEST(minimizing_keeps_to_the_time_budget);
  CPPUNIT_TEST(a_check_in_a_check_leaves_the_outer_one_running);
  CPPUNIT_TEST(too_many_threads_is_a_usage_error);
  CPPUNIT_TEST(a_check_after_others_is_the_same_check);
  CPPUNIT_TEST(verbose_prints_every_execution);
  CPPUNIT_TEST_SUITE_END();

 public:
  // options::verbose: one stderr line per execution, its schedule as a replay
  // token that runs that execution again.
  void verbose_prints_every_execution() {
    auto run = [](bool verbose) {
      weave::model::options o = plain();
      o.verbose = verbose;
      std::uint64_t executions = 0;
      const auto tokens = schedules_of(o, increments(2, 2), &executions);
      CPPUNIT_ASSERT_EQUAL(std::uint64_t(6), executions);
      return tokens;
    };
    CPPUNIT_ASSERT(run(false).empty());
    const auto tokens = run(true);
    CPPUNIT_ASSERT_EQUAL(std::size_t(6), tokens.size());
    CPPUNIT_ASSERT_EQUAL(std::size_t(6), std::set<std::string>(tokens.begin(), tokens.end()).size());
    for (const std::string& t : tokens) {
      const auto r = weave::model::replay(plain(), increments(2, 2), t);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(t, verdict::pass, r.found);
      CPPUNIT_ASSERT_EQUAL(t, r.replay);
    }
  }

  void plain_dfs_counts_interleavings() {
    // Two threads of two operations each on one atomic: C(4,2) = 6 interleavings.
    auto r = weave::model::check(plain(), increments(2, 2));
    CPPUNIT_ASSERT_EQUAL(verdict::pass, r.found);
    CPPUNIT_ASSERT(r.exhaustive);
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(6), r.executions);
  }

  void three_by_three_fetch_add_is_1680() {
    // 9!/(3!3!3!) distinct orders; every pair of fetch_adds conflicts, so the
    // reduction cannot (and must not) remove any.
    // Spawning is not a scheduling point and an enabled join runs at once, so
    // plain DFS explores exactly the orders of the nine increments too.
    auto a = weave::model::check(plain(), increments(3, 3));
    auto b = weave::model::check(dpor(), increments(3, 3));
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(1680), a.executions);
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(1680), b.executions);
    // Under RC11 too: each RMW reads the store right before it in mo, so the
    // executions are the 1,680 orders of mo, no more.
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(1680), weave::model::check(rc11(), increments(3, 3)).executions);
  }

  void independent_writers_are_one_execution() {
    for (int n = 1; n <= 4; ++n) {
      auto body = [n] {
        std::vector<std::unique_ptr<atomic<int>>> xs;
        for (int i = 0; i < n; ++i) xs.push_back(std::make_unique<atomic<int>>(0));
        std::vector<thread> ts;
        for (int i = 0; i < n; ++i) ts.emplace_back([&xs, i] { xs[i]->store(1, rlx); });
        for (auto& t : ts) t.join();
      };
      auto r = weave::model::check(dpor(), body);
      CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), r.executions);
      CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), weave::model::check(rc11(), body).executions);
      auto p = weave::model::check(plain(), body);
      CPPUNIT_ASSERT(n == 1 || p.executions > 1);
    }
  }

  void two_threads_k_increments_is_binomial() {
    for (int k = 1; k <= 5; ++k) {
      auto r = weave::model::check(dpor(), increments(2, k));
      CPPUNIT_ASSERT_EQUAL(binom(2 * static_cast<unsigned>(k), static_cast<unsigned>(k)), r.executions);
    }
  }

  void readers_is_two_to_the_n() {
    for (int n = 1; n <= 5; ++n) {
      auto body = [n] {
        atomic<int> x(0);
        std::vector<thread> ts;
        ts.emplace_back([&x] { x.store(1, rlx); });
        for (int i = 0; i < n; ++i) ts.emplace_back([&x] { (void)x.load(rlx); });
        for (auto& t : ts) t.join();
      };
      auto r = weave::model::check(dpor(), body);
      CPPUNIT_ASSERT_EQUAL(std::uint64_t(1) << n, r.executions);
      // Under RC11 each reader reads the initial value or the store: the same
      // 2^n executions, each once (a reader woken by the store reads only it).
      CPPUNIT_ASSERT_EQUAL(std::uint64_t(1) << n, weave::model::check(rc11(), body).executions);
    }
  }

  void reduction_keeps_every_outcome() {
    // The set of observable outcomes must be the same with and without DPOR,
    // for programs mixing loads, stores, RMWs, futex waits/wakes and a mutex.
    std::set<std::string> seen;
    std::function<void()> body = [&seen] {
      atomic<int> x(0), y(0);
      weave::model::mutex m;
      int a = -1, b = -1, c = -1;
      thread t1([&] {
        x.store(1, rlx);
        a = y.load(rlx);
        m.lock();
        c = x.exchange(5, rlx);
        m.unlock();
      });
      thread t2([&] {
        y.store(1, rlx);
        b = x.load(rlx);
        m.lock();
        x.fetch_add(1, rlx);
        m.unlock();
      });
      t1.join();
      t2.join();
      if (weave::model::counted()) seen.insert(std::to_string(a) + std::to_string(b) + std::to_string(c) + std::to_string(x.load(rlx)));
    };
    const auto b = both_searches(seen, body);
    CPPUNIT_ASSERT(b.plain == b.dpor);
    CPPUNIT_ASSERT(b.dpor_runs < b.plain_runs);
    // Futex hand-off: a flag with wait/wake, explored with time-outs.
    std::function<void()> hand = [&seen] {
      atomic<std::uint32_t> flag(0);
      int got = -1;
      thread t1([&] {
        while (flag.load(std::memory_order_acquire) == 0)
          if (weave::model_sync::wait(flag, 0, weave::model_sync::clock::now() + std::chrono::milliseconds(1)) ==
              weave::wait_result::timed_out) {
            got = 7;
            return;
          }
        got = 1;
      });
      thread t2([&] {
        flag.store(1, std::memory_order_release);
        weave::model_sync::wake_one(flag);
      });
      t1.join();
      t2.join();
      if (weave::model::counted()) seen.insert(std::to_string(got));
    };
    const auto h = both_searches(seen, hand);
    CPPUNIT_ASSERT(h.plain == h.dpor);
    CPPUNIT_ASSERT(h.plain.count("7") == 1 && h.plain.count("1") == 1);
  }

  void thread_death_is_explored_on_both_sides() {
    // S::wait_unless_dead may time out once its holder thread has finished, and
    // S::alive reads "finished": with and without DPOR the same outcomes, among
    // them a liveness query just before and just after the death (the holder's
    // last step writes "alive", so a sleeping query must wake up).
    using ms = weave::model_sync;
    std::set<std::string> seen;
    for (const bool timed : {false, true}) {
      std::function<void()> body = [&seen, timed] {
        atomic<std::uint32_t> word(0), other(0);
        std::string r;
        thread holder([&] {  // T1, S::self() id 2; it "dies" after its last store
          word.store(1, rlx);
          other.store(1, rlx);
        });
        thread waiter([&] {
          const auto deadline = timed ? ms::clock::now() + std::chrono::milliseconds(1) : ms::forever;
          const weave::wait_result w = ms::wait_unless_dead(word, 0, deadline, 2);
          const bool lives = ms::alive(2);
          r = std::to_string(static_cast<int>(w)) + (lives ? "A" : "D");
        });
        thread bystander([&] { other.store(2, rlx); });
        holder.join();
        waiter.join();
        bystander.join();
        if (weave::model::counted()) seen.insert(r);
      };
      const auto b = both_searches(seen, body);
      CPPUNIT_ASSERT(b.plain == b.dpor);
      const auto& all = b.plain;
      // 2 = value_mismatch (the store came first), 1 = timed_out (the holder
      // died, or the deadline passed), then alive or dead when asked.
      std::set<std::string> want{"2A", "2D", "1D"};
      if (timed) want.insert("1A");
      CPPUNIT_ASSERT(all == want);
    }
    // A holder that never finishes leaves an untimed waiter blocked: a deadlock
    // whose report names the holder.
    const auto d = weave::model::check(dpor(), [] {
      atomic<std::uint32_t> word(0);
      thread waiter([&] { (void)ms::wait_unless_dead(word, 0, ms::forever, 1); });  // the body, id 1
      waiter.join();
    });
    CPPUNIT_ASSERT_EQUAL(verdict::deadlock, d.found);
    CPPUNIT_ASSERT(d.report.find("or until T0 dies") != std::string::npos);
  }

  // A thread that asked S::alive(T) on one branch sleeps on the other while T
  // takes steps that touch nothing it reads; T's last step ends T, which the
  // query can tell: the sleeper must wake there (engine::wakes, asks_after),
  // or the reduction never runs "asked after T died" and misses the "dead"
  // outcomes that plain DFS sees.
  void a_sleeping_liveness_query_wakes_at_the_death() {
    using ms = weave::model_sync;
    std::set<std::string> seen;
    auto note = [&seen](const std::string& r) {
      if (weave::model::counted()) seen.insert(r);
    };
    const std::vector<std::pair<std::function<void()>, std::set<std::string>>> cases = {
        {[&] {  // T1 asks after T2 (S::self() id 3), which stores and ends
           atomic<int> x(0);
           std::string r;
           thread asker([&] { r = ms::alive(3) ? "A" : "D"; });
           thread ender([&] { x.store(1, rlx); });
           asker.join();
           ender.join();
           note(r);
         },
         {"A", "D"}},
        {[&] {  // asked twice, a load between; T2 takes two steps
           atomic<int> x(0), y(0);
           std::string r;
           thread asker([&] {
             r = ms::alive(3) ? "A" : "D";
             (void)y.load(rlx);
             r += ms::alive(3) ? "A" : "D";
           });
           thread ender([&] {
             x.store(1, rlx);
             x.store(2, rlx);
           });
           asker.join();
           ender.join();
           note(r);
         },
         {"AA", "AD", "DD"}},
        {[&] {  // a third thread's store between: T3 (id 4) ends
           atomic<int> x(0);
           std::string r;
           thread asker([&] { r = ms::alive(4) ? "A" : "D"; });
           thread other([&] { x.store(2, rlx); });
           thread ender([&] { x.store(1, rlx); });
           asker.join();
           other.join();
           ender.join();
           note(r);
         },
         {"A", "D"}},
    };
    for (const auto& [body, want] : cases) {
      const auto b = both_searches(seen, body);
      CPPUNIT_ASSERT(b.plain == want);
      CPPUNIT_ASSERT(b.dpor == want);
    }
  }

  // differential_test's soak (seed 5150, others147), made small: T3's join
  // of a timer not yet started returns at once, and only in that order can
  // T2's cancel find the timer fired with its function not yet run when the
  // body reads a2. That race (T1's start, T3's join) is reversed by an
  // initial already to be explored at the root, T2's load (independent of
  // everything); below it T1 sleeps, T2's cancel comes next and T1's start
  // then fails before it locks, so the race never shows again there and T3
  // was never tried: DPOR missed "fired, a2=0" (5 executions where plain DFS
  // runs 295). engine::add_race_backtrack now has T3 tried right after T2's
  // segment there (node::then_after).
  //
  // The second body opens the cancel's thread with a try_lock and an unlock
  // around the load: three segments, each of which puts T1 to sleep behind it,
  // before the race can show again. T3 must be carried on behind each of them
  // until it runs (pick_node); tried only right after the first, DPOR missed
  // the same outcome.
  void a_reversal_behind_another_initial_is_explored() {
    std::set<std::string> seen;
    const auto body_of = [&seen](bool locked_load) -> std::function<void()> {
      return [&seen, locked_load] {
        atomic<unsigned> a0(0), a2(0);
        weave::model::mutex r;
        weave::model::timer t(std::chrono::milliseconds(1), [&] { a2.fetch_add(1, rlx); });
        std::string out;
        {
          thread starter([&] { t.start(); });
          thread canceller([&] {
            const bool held = locked_load && r.try_lock();
            (void)a0.load(std::memory_order_seq_cst);
            if (held) r.unlock();
            out = t.cancel() == weave::timer_status::fired ? "fired" : "cancelled";
          });
          thread joiner([&] { t.join(); });
          starter.join();
          canceller.join();
          joiner.join();
        }
        out += " a2=" + std::to_string(a2.load(rlx));
        if (weave::model::counted()) seen.insert(out);
      };
    };
    const std::set<std::string> want{"cancelled a2=0", "fired a2=0", "fired a2=1"};
    for (const bool locked_load : {false, true})
      for (const auto memory : {weave::model::memory_model::sc, weave::model::memory_model::rc11}) {
        const auto b = both_searches(seen, body_of(locked_load), memory);
        CPPUNIT_ASSERT(b.plain == want);
        CPPUNIT_ASSERT_MESSAGE(locked_load ? "try_lock, load, unlock before the cancel" : "a load before the cancel",
                               b.dpor == want);
      }
  }

  // A race's reversal with two initials, both explored at the node: the one
  // explored first must be followed by the racing thread. T1's start races
  // with T3's join; the reversal is T2's fetch_add and T3's join, both
  // before the start. T2 is explored first there, so T3's subtree has T2
  // asleep behind its join (they are independent), and T2's subtree runs T3
  // only after T2's cancel. "The cancel finds the timer fired, its function
  // not run yet, T1's load reads T2's fetch_add" needs T2's fetch_add, T3's
  // join, T1's start and load, the firing, then the cancel (found by a
  // grammar of small timer programs with a load after each call).
  void a_reversal_with_two_initials_is_explored() {
    std::set<std::string> seen;
    const std::function<void()> body = [&seen] {
      atomic<unsigned> a0(0), a2(0);
      weave::model::timer t(std::chrono::milliseconds(1), [&] { a2.fetch_add(1, rlx); });
      std::string out;
      unsigned v1 = 9, v2 = 9, v3 = 9;
      {
        thread starter([&] {
          t.start();
          v1 = a0.load(std::memory_order_seq_cst);
        });
        thread canceller([&] {
          v2 = a0.fetch_add(1, std::memory_order_seq_cst);
          out = t.cancel() == weave::timer_status::fired ? "fired" : "cancelled";
          v3 = a0.load(std::memory_order_seq_cst);
        });
        thread joiner([&] { t.join(); });
        starter.join();
        canceller.join();
        joiner.join();
      }
      out += " a2=" + std::to_string(a2.load(rlx)) + " " + std::to_string(v1) + std::to_string(v2) + std::to_string(v3);
      if (weave::model::counted()) seen.insert(out);
    };
    reduction_loses_nothing(seen, body, "fired a2=0 101");
  }

  // Opaque primitives: a reversal's initials are threads whose whole segment
  // (a call, run without preemption) can go first, not only its first step.
  // T3's cancel races with T2's status() after it; T1's set_value() ran in
  // between, its first steps (the future's lock) independent of the cancel,
  // its last (the future's event) after T3's wait_for, which the cancel
  // precedes. Taken for an initial by its first step, T1 (explored at the
  // root already) stood for the reversal, and "T2's status before the
  // cancel, the wait timing out before set_value" was never explored
  // (differential_test's second family, seed 98126: others49).
  void an_initial_is_a_whole_segment() {
    std::set<std::string> seen;
    const std::function<void()> body = [&seen] {
      using namespace std::chrono_literals;
      weave::model::promise<unsigned> p;
      weave::model::future<unsigned> f = p.get_future();
      weave::model::timer t(1ms, [] {});
      auto status = [&t] {
        const auto s = t.status();
        return !s ? "idle" : *s == weave::timer_status::cancelled ? "cancelled" : "fired";
      };
      std::string s1, s2, w3;
      {
        thread setter([&] {
          p.set_value(1);
          s1 = status();
        });
        thread looker([&] { s2 = status(); });
        thread canceller([&] {
          t.cancel();
          w3 = f.wait_for(1ms) == weave::future_status::ready ? "ready" : "timeout";
        });
        setter.join();
        looker.join();
        canceller.join();
      }
      if (weave::model::counted()) seen.insert(s1 + " " + s2 + " " + w3);
    };
    reduction_loses_nothing(seen, body, "cancelled idle timeout");
  }

  // A try_lock_for on a robust mutex whose owner lives times out, and the
  // owner dies after: the next lock finds it owner_dead. The wait's return
  // was ordered after the owner's death (the death enables a wait that it
  // ends), so its race with the death was never seen and DPOR lost that
  // outcome whenever the owner took a step after its lock (here a load);
  // found by differential_test::programs_of_small_grammars. A timed wait's
  // return reads the holder's life instead (engine::dpor_step).
  void a_timed_wait_may_end_before_its_holder_dies() {
    std::set<std::string> seen;
    const std::function<void()> body = [&seen] {
      weave::model::robust_mutex m;
      atomic<unsigned> a0(0);
      weave::lock_status first{}, timed{}, last{};
      {
        thread owner([&] {
          first = m.lock();
          a0.load(std::memory_order_seq_cst);
        });  // ends holding m
        thread waiter([&] {
          timed = m.try_lock_for(std::chrono::milliseconds(1));
          if (timed != weave::lock_status::timeout) m.unlock();
        });
        thread heir([&] { last = m.lock(); });
        owner.join();
        waiter.join();
        heir.join();
      }
      const std::string out = std::string(weave::to_string(first)) + " " + weave::to_string(timed) + " " +
                              weave::to_string(last);
      if (weave::model::counted()) seen.insert(out);
    };
    reduction_loses_nothing(seen, body, "acquired timeout owner_dead");
  }

  // The same with an untimed wait_unless_dead that may return spuriously:
  // a spurious return while the holder lives says woken, the return at its
  // death timed_out. (The holder is the first thread spawned: S::self() ids
  // count the threads from the check's own, 1.)
  void a_spurious_return_may_come_before_the_holder_dies() {
    using S = weave::model_sync;
    std::set<std::string> seen;
    const std::function<void()> body = [&seen] {
      atomic<std::uint32_t> word(0), a0(0);
      weave::wait_result r{};
      {
        const std::uint32_t holder_id = S::self() + 1;
        thread holder([&] { a0.load(std::memory_order_seq_cst); });
        thread waiter([&] { r = S::wait_unless_dead(word, 0, S::forever, holder_id); });
        holder.join();
        waiter.join();
      }
      if (weave::model::counted()) seen.insert(r == weave::wait_result::woken ? "woken" : "timed_out");
    };
    for (const bool reduction : {false, true}) {
      weave::model::options o = dpor();
      o.reduction = reduction;
      o.spurious_wakeups = 1;
      seen.clear();
      CPPUNIT_ASSERT_EQUAL(verdict::pass, weave::model::check(o, body).found);
      CPPUNIT_ASSERT_MESSAGE(std::string(reduction ? "dpor" : "plain") + ": " + std::to_string(seen.size()) +
                                 " outcomes",
                             seen == (std::set<std::string>{"woken", "timed_out"}));
    }
  }

  // A thread that has done its last operation lives until it ends: another
  // thread may see what that operation did and still find it alive. Its end
  // was one step with that operation, so no search ever saw "set alive" (a
  // check asserting "the flag is set only once T1 is gone" passed).
  void a_thread_lives_after_its_last_operation() {
    std::set<std::string> seen;
    reduction_loses_nothing(
        seen,
        [&seen] {
          const std::string out = flag_then_alive();
          if (weave::model::counted()) seen.insert(out);
        },
        "set alive");
  }

  // Once ends are steps of their own, S::alive(T1) reads what T1's end
  // writes and nothing else: T1's other steps commute with the question.
  // T1: x.store(1, release); x.exchange(2, acq_rel). T2: alive(T1); two
  // relaxed loads of x. The orders that matter (Mazurkiewicz traces, sc): the
  // question before T1's end, with the 6 interleavings of the stores and the
  // loads, or after it, when both loads follow the exchange: 7. Under RC11
  // the same 7: "alive" with any two loads coherence allows (00 01 02 11 12
  // 22), or "dead", which orders T1 before both loads (22). DPOR took 11
  // (sc) and 19 (rc11) while the question depended on every step of T1.
  void a_question_commutes_with_the_steps_before_an_end() {
    using S = weave::model_sync;
    std::set<std::string> seen;
    const std::function<void()> body = [&seen] {
      atomic<int> x(0);
      std::string out;
      const std::uint32_t id = S::self() + 1;  // the first thread spawned
      thread t1([&] {
        x.store(1, std::memory_order_release);
        x.exchange(2, std::memory_order_acq_rel);
      });
      thread t2([&] {
        out = S::alive(id) ? "A" : "D";
        out += std::to_string(x.load(rlx));
        out += std::to_string(x.load(rlx));
      });
      t1.join();
      t2.join();
      if (weave::model::counted()) seen.insert(out);
    };
    const std::set<std::string> want{"A00", "A01", "A02", "A11", "A12", "A22", "D22"};
    for (const auto memory : {weave::model::memory_model::sc, weave::model::memory_model::rc11}) {
      const auto b = both_searches(seen, body, memory);
      CPPUNIT_ASSERT(b.plain == want);
      CPPUNIT_ASSERT(b.dpor == want);
      CPPUNIT_ASSERT_EQUAL(std::uint64_t{7}, b.dpor_runs);
    }
  }

  // A futex's wake_one wakes one of its sleepers, any one: Linux's
  // FUTEX_WAKE promises no order (Python's Condition wakes the oldest, and
  // weave's condition keeps a queue of its own for that). T1 sleeps only if
  // it waited before T0 stored 1 (it expects 0); T2, started after the store,
  // expects 1: where both sleep, T1 is the older. "The oldest wakes first"
  // fails: the wake_one wakes T2. With the wake_one's choice of sleeper
  // taken away (the first only), every other checker test passed, and every
  // check of weave_models kept its verdict.
  void a_wake_one_may_wake_any_sleeper() {
    using S = weave::model_sync;
    constexpr auto sc = std::memory_order_seq_cst;  // seq_cst: the test is about the wake, not the orders
    const std::function<void()> body = [&] {
      atomic<std::uint32_t> word(0);
      atomic<int> woken_all(0), t2_first(0);
      weave::wait_result w1{};
      thread t1([&] { w1 = S::wait(word, 0, in_1ms()); });
      word.store(1, sc);
      thread t2([&] {
        if (S::wait(word, 1, in_1ms()) == weave::wait_result::woken && woken_all.load(sc) == 0) t2_first.store(1, sc);
      });
      S::wake_one(word);
      woken_all.store(1, sc);
      S::wake_all(word);
      t1.join();
      t2.join();
      WEAVE_CHECK(!(w1 == weave::wait_result::woken && t2_first.load(sc) == 1));  // "the oldest wakes first"
    };
    found_each_way(verdict::check_failed, body, {plain(), dpor()});
  }

  // A futex wait whose deadline has passed returns timed_out at once, as the
  // kernel's does: it never sleeps, so no wake reaches it (and no wake_one
  // meant for a sleeper is spent on it). Found by mutating the checker: with
  // such a wait put to sleep, no other test failed and no count changed.
  void a_wait_past_its_deadline_never_sleeps() {
    using S = weave::model_sync;
    const std::function<void()> body = [&] {
      atomic<std::uint32_t> word(0);
      weave::wait_result w{};
      thread t1([&] { w = S::wait(word, 0, S::clock::now()); });
      S::wake_all(word);
      t1.join();
      WEAVE_CHECK(w == weave::wait_result::timed_out);
    };
    found_each_way(verdict::pass, body, {plain(), dpor(), rc11(false), rc11()});
  }

  // A wake orders what its thread did before it before what the woken thread
  // does next, and nothing after it. T0 wakes T1, reads the cell and raises a
  // relaxed flag; T1, woken, writes the cell if it sees the flag. The flag
  // orders nothing, so the write races with the read. Found by mutating the
  // checker: with no new epoch after a wake, the read counted as before the
  // wake, no other test failed and no count changed.
  void a_wake_orders_only_what_came_before_it() {
    using S = weave::model_sync;
    const std::function<void()> body = [&] {
      atomic<std::uint32_t> word(0);
      atomic<int> flag(0);
      weave::model_sync::cell<int> x(0);
      thread t1([&] {
        if (S::wait(word, 0, in_1ms()) == weave::wait_result::woken && flag.load(rlx) == 1) x.write() = 1;  // relaxed: orders nothing
      });
      S::wake_one(word);
      (void)x.read();
      flag.store(1, rlx);
      t1.join();
    };
    found_each_way(verdict::data_race, body, {rc11(false), rc11()});
  }

  // Under rc11, a reader woken from a sleep set to read only the stores made
  // since it fell asleep, none of them in its reach, is asleep where it
  // stands (engine::covered_here). Picked, it ended the execution with no
  // choice, and with it the steps the other threads had left: the shapes
  // oracle_test keeps for it (woken-load-, woken-cas- and
  // woken-exchange-no-choice), each with the outcome reduction lost then.
  // Found by mutating the checker: with such a reader picked, only the
  // oracle test failed.
  void a_woken_reader_with_nothing_to_read_is_asleep() {
    constexpr auto acq = std::memory_order_acquire, sc = std::memory_order_seq_cst;
    std::set<std::string> seen;
    // Runs one thread of each function on x (0), and adds "r0 r1 ... | x"
    // to seen: the registers, then x at the end.
    const auto run = [&seen](const std::vector<std::uint32_t*>& registers,
                             std::initializer_list<std::function<void(atomic<std::uint32_t>&)>> threads) {
      atomic<std::uint32_t> x(0);
      std::vector<thread> ts;
      ts.reserve(threads.size());
      for (const auto& f : threads) ts.emplace_back([&x, &f] { f(x); });
      for (thread& t : ts) t.join();
      std::string out;
      for (const std::uint32_t* r : registers) out += std::to_string(*r) + " ";
      if (weave::model::counted()) seen.insert(out + "| " + std::to_string(x.load(rlx)));
    };
    using X = atomic<std::uint32_t>;
    // T0's load sleeps after x=1; x=2 placed before 1 wakes it, below its floor.
    reduction_loses_nothing(seen, [&] {
      std::uint32_t r0 = 9, r1 = 9;
      run({&r0, &r1}, {[&](X& x) { x.store(1, rlx); r0 = x.load(acq); },
                       [&](X& x) { x.store(2, rlx); },
                       [&](X& x) { r1 = x.exchange(3, acq); }});
    }, "3 1 | 3");
    reduction_loses_nothing(seen, [&] {
      std::uint32_t r0 = 9, r1 = 2;
      run({&r0, &r1}, {[&](X& x) { r0 = x.load(rlx); },
                       [&](X& x) { x.compare_exchange_strong(r1, 4, acq, sc); },
                       [&](X& x) { x.store(5, sc); }});
    }, "5 0 | 5");
    reduction_loses_nothing(seen, [&] {
      std::uint32_t r0 = 0, r1 = 9, r2 = 9;
      run({&r0, &r1, &r2}, {[&](X& x) { x.compare_exchange_strong(r0, 1, acq, acq); },
                            [&](X& x) { r1 = x.exchange(2, std::memory_order_acq_rel); r2 = x.load(rlx); },
                            [&](X& x) { x.store(3, rlx); }});
    }, "2 0 3 | 3");
  }

  // A futex word is a value and a queue of waiters: a wake, and a wait's
  // return by time-out, touch the queue only, and commute with loads, stores
  // and RMWs of the value (a wait reads the value, then joins the queue).
  // Each count is that of the orders that matter, in both models:
  //  - T1: x.store(1); wake_one(x) | T2: two loads of x. Only the store and
  //    the loads conflict: the store before both, between, after (00 01 11),
  //    3 (6 while a wake conflicted with a load).
  //  - T1: a wait on x (0, 1 ms) that times out | T2: two loads of x. The
  //    wait reads as the loads do, nothing conflicts: 1 (10 before).
  // And the queue still orders a wait with a wake: T1: x.store(1);
  // wake_one(x) | T2: a wait on x (0, 1 ms) sees the value changed, is woken
  // or times out: 3 outcomes, with reduction on and off.
  void a_futex_words_waiters_commute_with_its_value() {
    using S = weave::model_sync;
    std::set<std::string> seen;
    auto note = [&seen](const std::string& r) {
      if (weave::model::counted()) seen.insert(r);
    };
    const std::function<void()> wake_and_loads = [&] {
      atomic<std::uint32_t> x(0);
      std::string r;
      thread t1([&] {
        x.store(1, rlx);
        S::wake_one(x);
      });
      thread t2([&] {
        const std::uint32_t first = x.load(rlx);
        r = std::to_string(first) + std::to_string(x.load(rlx));
      });
      t1.join();
      t2.join();
      note(r);
    };
    const std::function<void()> timeout_and_loads = [&] {
      atomic<std::uint32_t> x(0);
      std::string r, w;
      thread t1([&] { w = wait_word(S::wait(x, 0, in_1ms())); });
      thread t2([&] {
        const std::uint32_t first = x.load(rlx);
        r = std::to_string(first) + std::to_string(x.load(rlx));
      });
      t1.join();
      t2.join();
      note(w + " " + r);
    };
    const std::function<void()> wake_and_wait = [&] {
      atomic<std::uint32_t> x(0);
      std::string w;
      thread t1([&] {
        x.store(1, rlx);
        S::wake_one(x);
      });
      thread t2([&] { w = wait_word(S::wait(x, 0, in_1ms())); });
      t1.join();
      t2.join();
      note(w);
    };
    for (const auto memory : {weave::model::memory_model::sc, weave::model::memory_model::rc11}) {
      const auto a = both_searches(seen, wake_and_loads, memory);
      CPPUNIT_ASSERT(a.plain == (std::set<std::string>{"00", "01", "11"}) && a.dpor == a.plain);
      CPPUNIT_ASSERT_EQUAL(std::uint64_t{3}, a.dpor_runs);
      const auto b = both_searches(seen, timeout_and_loads, memory);
      CPPUNIT_ASSERT(b.plain == (std::set<std::string>{"timeout 00"}) && b.dpor == b.plain);
      CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, b.dpor_runs);
      const auto c = both_searches(seen, wake_and_wait, memory);
      CPPUNIT_ASSERT(c.plain == (std::set<std::string>{"mismatch", "woken", "timeout"}) && c.dpor == c.plain);
    }
  }

  // A wait's going to sleep and its return by time-out each add or take out
  // its own thread, so two waiters' sleeps and returns commute; a wake takes
  // whoever is there (a wake_one each of them in turn), and is ordered with
  // them all. Two timed waits nobody wakes: one execution (six when every
  // step on the waiters was ordered with every other: the orders of two
  // sleeps and two returns). With a third thread's store and wake_one, DPOR
  // sees what plain DFS sees: either waiter woken, or neither.
  void a_futex_words_waiters_are_a_set() {
    using S = weave::model_sync;
    std::set<std::string> seen;
    const std::function<void()> two_timeouts = [&] {
      atomic<std::uint32_t> x(0);
      std::string w1, w2;
      thread t1([&] { w1 = wait_word(S::wait(x, 0, in_1ms())); });
      thread t2([&] { w2 = wait_word(S::wait(x, 0, in_1ms())); });
      t1.join();
      t2.join();
      if (weave::model::counted()) seen.insert(w1 + " " + w2);
    };
    const std::function<void()> two_waiters_one_wake = [&] {
      atomic<std::uint32_t> x(0);
      std::string w1, w2;
      thread t1([&] { w1 = wait_word(S::wait(x, 0, in_1ms())); });
      thread t2([&] { w2 = wait_word(S::wait(x, 0, in_1ms())); });
      thread t3([&] {
        x.store(1, rlx);
        S::wake_one(x);
      });
      t1.join();
      t2.join();
      t3.join();
      if (weave::model::counted()) seen.insert(w1 + " " + w2);
    };
    for (const auto memory : {weave::model::memory_model::sc, weave::model::memory_model::rc11}) {
      const auto a = both_searches(seen, two_timeouts, memory);
      CPPUNIT_ASSERT(a.plain == (std::set<std::string>{"timeout timeout"}) && a.dpor == a.plain);
      CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, a.dpor_runs);
      const auto b = both_searches(seen, two_waiters_one_wake, memory);
      for (const char* both : {"woken timeout", "timeout woken", "mismatch woken", "woken mismatch", "timeout timeout"})
        CPPUNIT_ASSERT_MESSAGE(both, b.plain.count(both) == 1);
      CPPUNIT_ASSERT(b.dpor == b.plain);
    }
  }

  // T1 sets a flag as its last operation; T2 asks whether T1 lives once it
  // sees the flag. What T2 saw: none, set alive or set dead.
  static std::string flag_then_alive() {
    using S = weave::model_sync;
    atomic<int> flag(0);
    std::string out = "none";
    const std::uint32_t id = S::self() + 1;  // the first thread spawned
    thread t1([&] { flag.store(1, std::memory_order_seq_cst); });
    thread t2([&] {
      if (flag.load(std::memory_order_seq_cst) == 1) out = S::alive(id) ? "set alive" : "set dead";
    });
    t1.join();
    t2.join();
    return out;
  }

  // The same in a user's terms: T1's last call locks a robust mutex, and a
  // try_lock_for in T2 times out while T1 holds it and lives (opaque: the
  // lock and T1's end were one step, so T2 only ever found it free or its
  // owner dead).
  void a_lock_that_is_a_threads_last_call_is_held_while_it_lives() {
    std::set<std::string> seen;
    const std::function<void()> body = [&seen] {
      weave::model::robust_mutex m;
      weave::lock_status first{}, timed{};
      {
        thread owner([&] { first = m.lock(); });  // ends holding m
        thread waiter([&] {
          timed = m.try_lock_for(std::chrono::milliseconds(1));
          if (timed != weave::lock_status::timeout) {
            if (timed == weave::lock_status::owner_dead) m.consistent();
            m.unlock();
          }
        });
        owner.join();
        waiter.join();
      }
      if (weave::model::counted())
        seen.insert(std::string(weave::to_string(first)) + " " + weave::to_string(timed));
    };
    reduction_loses_nothing(seen, body, "acquired timeout");
  }

  // A check that asks whether a thread lives only in a later execution (T2
  // asks when it runs before T1's store; the first execution runs T1 first)
  // starts its search again from the first execution, with every thread's
  // end a step: the executions are those of a search that had them from the
  // start (two slices have them from their first: engine::asked_after_life).
  void asking_late_starts_the_search_again() {
    using S = weave::model_sync;
    bool asked_first = false;
    int runs = 0;
    const std::function<void()> body = [&] {
      atomic<int> x(0);
      bool asked = false;
      {
        const std::uint32_t id = S::self() + 1;
        thread t1([&] { x.store(1, std::memory_order_seq_cst); });
        thread t2([&] {
          if (x.load(std::memory_order_seq_cst) != 0) return;
          static_cast<void>(S::alive(id));
          asked = true;
        });
        t1.join();
        t2.join();
      }
      if (++runs == 1) asked_first = asked;
    };
    for (const bool reduction : {false, true}) {
      weave::model::options o = dpor();
      o.reduction = reduction;
      runs = 0;
      const auto whole = weave::model::check(o, body);
      CPPUNIT_ASSERT_MESSAGE("the first execution asks: not the case this test is about", !asked_first);
      std::uint64_t sliced = 0;
      for (int k = 0; k < 2; ++k) {
        o.shard_index = k;
        o.shard_count = 2;
        sliced += weave::model::check(o, body).executions;
      }
      CPPUNIT_ASSERT_EQUAL(verdict::pass, whole.found);
      CPPUNIT_ASSERT_EQUAL(sliced, whole.executions);
    }
    // Plain DFS: T1 stores and ends, T2 loads, asks if it loaded 0, and
    // ends. Where T2 loads 1, the orders of T1's two steps and T2's two with
    // the store before the load: 3. Where it loads 0, the load is the first
    // step, then the orders of T2's two steps left and T1's two: 6.
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(3 + 6), weave::model::check(plain(), body).executions);
  }

  // A counterexample found with threads' ends as steps replays with them:
  // its token says so (a leading '+').
  void a_token_says_that_ends_are_steps() {
    const std::function<void()> body = [] { WEAVE_CHECK(flag_then_alive() != "set alive"); };
    const auto r = weave::model::check(dpor(), body);
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, r.found);
    CPPUNIT_ASSERT_EQUAL('+', r.replay.front());
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, weave::model::replay(dpor(), body, r.replay).found);
    // Random and PCT searches do not start again: ends are steps from the
    // execution after the first that asks, and each token says which it had.
    for (const auto how : {weave::model::strategy::random, weave::model::strategy::pct}) {
      weave::model::options o = dpor();
      o.search = how;
      o.iterations = 5000;
      const auto found = weave::model::check(o, body);
      CPPUNIT_ASSERT_EQUAL(verdict::check_failed, found.found);
      CPPUNIT_ASSERT_EQUAL('+', found.replay.front());
      CPPUNIT_ASSERT_EQUAL(verdict::check_failed, weave::model::replay(o, body, found.replay).found);
    }
  }

  void shards_partition_the_search() {
    auto body = increments(3, 2);  // 90 orders
    weave::model::options o = dpor();
    const auto whole = weave::model::check(o, body).executions;
    for (int n : {2, 3, 5}) {
      std::uint64_t sum = 0;
      for (int k = 0; k < n; ++k) {
        o.shard_index = k;
        o.shard_count = n;
        sum += weave::model::check(o, body).executions;
      }
      CPPUNIT_ASSERT_EQUAL(whole, sum);
    }
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(90), whole);
    // The same with blocking: three threads through weave's mutex (futex waits,
    // wakes, spins and time-outs), and lastzero(4), where DPOR must be optimal.
    std::function<void()> locked = [] {
      weave::model::mutex m;
      weave::model_sync::cell<int> n(0);
      std::vector<thread> ts;
      for (int i = 0; i < 3; ++i) ts.emplace_back([&] { m.lock(); n.write() += 1; m.unlock(); });
      for (auto& t : ts) t.join();
      WEAVE_CHECK(n.read() == 3);
    };
    for (const auto& body2 : {locked, lastzero(4)}) {
      weave::model::options q = dpor();
      const auto single = weave::model::check(q, body2).executions;
      std::uint64_t total = 0;
      for (int k = 0; k < 3; ++k) {
        q.shard_index = k;
        q.shard_count = 3;
        total += weave::model::check(q, body2).executions;
      }
      CPPUNIT_ASSERT_EQUAL(single, total);
    }
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(28), weave::model::check(dpor(), lastzero(4)).executions);
  }

  void lost_update_has_one_preemption_and_replays() {
    auto body = [] {
      atomic<int> balance(0);
      auto deposit = [&](int n) { balance.store(balance.load(rlx) + n, rlx); };
      thread t1([&] { deposit(10); });
      thread t2([&] { deposit(20); });
      t1.join();
      t2.join();
      WEAVE_CHECK(balance.load(rlx) == 30);
    };
    auto r = weave::model::check(weave::model::options{}, body);
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, r.found);
    CPPUNIT_ASSERT_EQUAL(1, r.preemptions);
    CPPUNIT_ASSERT(r.report.find("CHECK FAILED") != std::string::npos);
    CPPUNIT_ASSERT(r.report.find("preempted") != std::string::npos);
    auto again = weave::model::replay(weave::model::options{}, body, r.replay);
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, again.found);
    CPPUNIT_ASSERT_EQUAL(r.report, again.report);
  }

  // A counterexample's preemptions are counted in full: the count was 16
  // bits, and a random search, which may switch at every step, reported
  // 69,971 preemptions as 4,435.
  void a_counterexample_counts_every_preemption() {
    weave::model::options o;
    o.memory = weave::model::memory_model::sc;
    o.search = weave::model::strategy::random;
    o.iterations = 1;
    o.max_steps = 1'000'000;
    o.minimize = false;
    const auto r = weave::model::check(o, [] {
      atomic<int> x(0), y(0);
      thread t([&] {
        for (int i = 0; i < 70'000; ++i) (void)y.load(rlx);
      });
      for (int i = 0; i < 70'000; ++i) (void)x.load(rlx);
      t.join();
      WEAVE_CHECK(false);
    });
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, r.found);
    CPPUNIT_ASSERT_MESSAGE(std::to_string(r.preemptions), r.preemptions > 65'536);
    CPPUNIT_ASSERT(r.report.find(", " + std::to_string(r.preemptions) + " preemptions.") != std::string::npos);
  }

  void deadlock_names_the_cycle() {
    auto r = weave::model::check(weave::model::options{}, [] {
      weave::model::mutex a, b;
      thread t1([&] { a.lock(); b.lock(); b.unlock(); a.unlock(); });
      thread t2([&] { b.lock(); a.lock(); a.unlock(); b.unlock(); });
      t1.join();
      t2.join();
    });
    CPPUNIT_ASSERT_EQUAL(verdict::deadlock, r.found);
    CPPUNIT_ASSERT(r.report.find("Wait-for cycle: T1 waits for mutex2 held by T2 waits for mutex1 held by T1") !=
                   std::string::npos);
  }

  void timed_lock_reaches_its_timeout_branch() {
    std::set<bool> outcomes;
    auto r = weave::model::check(weave::model::options{}, [&] {
      weave::model::mutex m;
      bool got = false;
      m.lock();
      thread t([&] {
        got = m.try_lock_for(std::chrono::milliseconds(5));
        if (got) m.unlock();
      });
      m.unlock();
      t.join();
      if (weave::model::counted()) outcomes.insert(got);
    });
    CPPUNIT_ASSERT_EQUAL(verdict::pass, r.found);
    CPPUNIT_ASSERT(outcomes.count(false) == 1 && outcomes.count(true) == 1);
  }

  void nondeterministic_body_is_reported() {
    int runs = 0;
    auto r = weave::model::check(plain(), [&] {
      atomic<int> x(0);
      ++runs;
      thread t([&] { x.store(1, rlx); x.store(2, rlx); });
      if (runs % 2 == 0) x.store(5, rlx);  // depends on state kept across executions
      (void)x.load(rlx);
      (void)x.load(rlx);
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL(std::string("nondeterminism"), std::string(weave::model::to_string(r.found)));
    CPPUNIT_ASSERT(r.report.find("not deterministic") != std::string::npos);
  }

  void unjoined_thread_is_reported() {
    auto r = weave::model::check(dpor(), [] {
      atomic<int> x(0);
      thread t([&] { x.store(1, rlx); });
      (void)x.load(rlx);
    });
    CPPUNIT_ASSERT_EQUAL(verdict::unjoined_thread, r.found);
    // The failure is recorded without stopping the body, which stops at its
    // next access; the run-on to the end then resumes it there. That access
    // was taken as done (a load of the store chosen last, here none: the
    // checker crashed) until visible() announced it again.
    auto later = weave::model::check(dpor(), [] {
      atomic<int> x(0);
      { thread t([] {}); }  // destroyed while joinable
      (void)x.load(rlx);
    });
    CPPUNIT_ASSERT_EQUAL(verdict::unjoined_thread, later.found);
    CPPUNIT_ASSERT(later.report.find("was never joined") != std::string::npos);
    // A handle that outlives the body (here one never destroyed, as a leaked
    // object's) is reported when every thread has finished. Found by
    // mutating the checker: with that report gone, no other test failed.
    auto leaked = weave::model::check(dpor(), [] {
      alignas(thread) unsigned char room[sizeof(thread)];
      ::new (static_cast<void*>(room)) thread([] {});
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(leaked.report, verdict::unjoined_thread, leaked.found);
    CPPUNIT_ASSERT(leaked.report.find("finished but was never joined") != std::string::npos);
  }

  void exceptions_and_usage_errors_are_verdicts() {
    auto e = weave::model::check(dpor(), [] {
      thread t([] { throw std::runtime_error("boom"); });
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL(verdict::exception, e.found);
    CPPUNIT_ASSERT(e.report.find("boom") != std::string::npos);
    auto u = weave::model::check(dpor(), [] {
      weave::model::mutex m;
      m.unlock();
    });
    CPPUNIT_ASSERT_EQUAL(verdict::usage_error, u.found);
    CPPUNIT_ASSERT(u.report.find("weave::mutex: unlock of a mutex that is not locked") != std::string::npos);
  }

  void bounds_make_the_result_bounded() {
    weave::model::options o = dpor();
    o.max_executions = 10;
    auto r = weave::model::check(o, increments(3, 3));
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), r.executions);
    CPPUNIT_ASSERT(!r.exhaustive);
    weave::model::options p = plain();
    p.preemptions = 0;
    auto b = weave::model::check(p, increments(3, 3));
    CPPUNIT_ASSERT(!b.exhaustive);
    CPPUNIT_ASSERT(b.executions < 1680);
    weave::model::options rnd = dpor();
    rnd.search = weave::model::strategy::random;
    rnd.iterations = 50;
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(50), weave::model::check(rnd, increments(3, 3)).executions);
    rnd.search = weave::model::strategy::pct;
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(50), weave::model::check(rnd, increments(3, 3)).executions);
  }

  // --preemptions C runs exactly the schedules with at most C preemptions (a
  // switch away from a thread that could go on: CHESS's bound, Musuvathi and
  // Qadeer, PLDI 2007), each once. The counts come from an enumeration of the
  // orders of n threads' k increments, independent of the checker; with C at
  // least (n-1)k, every order (3x3: 1,680).
  void a_preemption_bound_runs_every_schedule_within_it() {
    const std::pair<int, int> shapes[] = {{2, 2}, {2, 3}, {3, 2}, {3, 3}};
    for (const auto& [n, k] : shapes) {
      for (int c = 0; c <= (n - 1) * k; ++c) {
        weave::model::options o = plain();
        o.preemptions = c;
        const auto r = weave::model::check(o, increments(n, k));
        const std::string what = std::to_string(n) + "x" + std::to_string(k) + " within " + std::to_string(c);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what, verdict::pass, r.found);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what, schedules_within(std::vector<int>(static_cast<std::size_t>(n), k), -1, c),
                                     r.executions);
        CPPUNIT_ASSERT_MESSAGE(what, !r.exhaustive);  // a bounded search says so, even when it covers all
      }
    }
    // The figures, for a reader: 3x3 within 0, 1, 2, 3 preemptions.
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(6), schedules_within({3, 3, 3}, -1, 0));
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(42), schedules_within({3, 3, 3}, -1, 1));
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(192), schedules_within({3, 3, 3}, -1, 2));
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(1680), schedules_within({3, 3, 3}, -1, 6));
  }

  // A switch is a preemption only where the thread before could go on
  // (engine::switch_preempts): not from a thread that has just gone to sleep
  // in a timed wait (its time-out is enabled, yet the switch is the wait's),
  // nor right after an enabled join that ran at once. A spent bound used to
  // keep the thread before running wherever it was enabled, so such a switch
  // was never made: within 0 preemptions a timed wait could only time out if
  // it slept (so an event set and cleared while it slept never woke it), and
  // after a join a thread that would run next for free never did. The
  // executions and outcomes within 0 preemptions, enumerated by hand:
  //   event: the waiter first, sleeps; the setter sets (waking it) and clears,
  //     then the waiter returns true (the switch from the sleeper is free) or
  //     the waiter times out at once (false); or the setter first (false);
  //   join: T1 first, then the join runs at once, then main's load (1,0) or
  //     T2 (1,1), either free; or T2 first, which goes on to its end (0,1).
  void a_spent_bound_still_switches_where_a_switch_is_free() {
    std::set<std::string> seen;
    const auto within = [&seen](int bound, weave::model::primitive_mode prims, const std::function<void()>& body) {
      weave::model::options o = plain();
      o.preemptions = bound;
      o.primitives = prims;
      seen.clear();
      const auto r = weave::model::check(o, body);
      CPPUNIT_ASSERT_EQUAL(verdict::pass, r.found);
      return r.executions;
    };
    const std::function<void()> event_body = [&seen] {
      weave::model::event e;
      bool woke = false;
      thread waiter([&] { woke = e.wait_for(std::chrono::milliseconds(1)); });
      thread setter([&] {
        e.set();
        e.clear();
      });
      waiter.join();
      setter.join();
      if (weave::model::counted()) seen.insert(woke ? "true" : "false");
    };
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), within(0, weave::model::primitive_mode::opaque, event_body));
    CPPUNIT_ASSERT(seen == (std::set<std::string>{"false", "true"}));
    within(0, weave::model::primitive_mode::transparent, event_body);  // its steps inside the calls: the same outcomes
    CPPUNIT_ASSERT(seen == (std::set<std::string>{"false", "true"}));
    const std::function<void()> join_body = [&seen] {
      atomic<int> x(0), y(0);
      int v = -1;
      thread t1([&] { x.store(1, rlx); });
      thread t2([&] {
        v = x.load(rlx);
        y.store(1, rlx);
      });
      t1.join();
      const int r = y.load(rlx);
      t2.join();
      if (weave::model::counted()) seen.insert(std::to_string(v) + "," + std::to_string(r));
    };
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), within(0, weave::model::primitive_mode::opaque, join_body));
    CPPUNIT_ASSERT(seen == (std::set<std::string>{"0,1", "1,0", "1,1"}));
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(6), within(1, weave::model::primitive_mode::opaque, join_body));  // every order
    CPPUNIT_ASSERT_EQUAL(std::size_t(4), seen.size());
  }

  // A random or PCT search split into slices (--shard K/N, or --jobs N on one
  // check) gives each slice a seed of its own: with the same seed, N slices
  // ran the same schedules N times and counted them N times. Unsplit, the
  // seed is options::seed, as before (a run repeats).
  void random_slices_run_schedules_of_their_own() {
    for (auto s : {weave::model::strategy::random, weave::model::strategy::pct}) {
      weave::model::options o = plain();
      o.search = s;
      o.iterations = 40;
      o.verbose = true;
      std::uint64_t n = 0;
      const auto whole = schedules_of(o, increments(3, 3), &n);
      CPPUNIT_ASSERT_EQUAL(std::uint64_t(40), n);
      CPPUNIT_ASSERT(whole == schedules_of(o, increments(3, 3), &n));  // the same seed, the same schedules
      o.shard_count = 2;
      o.shard_index = 0;
      const auto first = schedules_of(o, increments(3, 3), &n);
      o.shard_index = 1;
      const auto second = schedules_of(o, increments(3, 3), &n);
      CPPUNIT_ASSERT(first != second);
      // The second slice adds schedules the first has not run (the same seed
      // added none); random's 80 draws from 1,680 orders repeat a few by
      // chance (PCT's draws favour few priority orders: 33 distinct here).
      const std::set<std::string> one(first.begin(), first.end());
      std::set<std::string> both = one;
      both.insert(second.begin(), second.end());
      CPPUNIT_ASSERT(both.size() > one.size());
      if (s == weave::model::strategy::random) CPPUNIT_ASSERT(both.size() > 70);
    }
  }

  // A model thread that overflows its fiber stack hits the guard page; the
  // checker says so and exits with status 3 instead of crashing silently.
  void stack_overflow_is_reported() {
    const auto [status, err] = in_a_child(overflow_a_model_thread);
    CPPUNIT_ASSERT(WIFEXITED(status));
    CPPUNIT_ASSERT_EQUAL(3, WEXITSTATUS(status));
    CPPUNIT_ASSERT(err.find("overflowed its stack (64 KiB)") != std::string::npos);
  }

  // The same on an OS thread other than the first check's (a test runner's
  // worker): the handler's own stack, where it runs, is each thread's. Made
  // once, on the first check's thread, the overflow on another thread killed
  // the process by SIGSEGV, no word said.
  void stack_overflow_on_another_thread_is_reported() {
    const auto [status, err] = in_a_child([] {
      weave::model::check({}, [] { thread([] {}).join(); });  // a check on this thread first
      std::thread(overflow_a_model_thread).join();
    });
    CPPUNIT_ASSERT_MESSAGE(err, WIFEXITED(status));
    CPPUNIT_ASSERT_EQUAL(3, WEXITSTATUS(status));
    CPPUNIT_ASSERT(err.find("overflowed its stack (64 KiB)") != std::string::npos);
  }

  // A model thread that goes on without a visible operation (a student's spin
  // on a plain bool) hung the check for good, --time or not: the stall
  // watchdog names the thread and where it was, and ends the process with
  // status 3 (options::stall_seconds).
  void a_stalled_thread_is_reported() {
    weave::model::options o;
    o.stall_seconds = 0.5;
    const auto spin = [o](bool after_an_operation) {
      return in_a_child([o, after_an_operation] {
        weave::model::check(o, [after_an_operation] {
          atomic<int> x(0);
          volatile bool done = false;  // plain: the checker cannot see it
          thread a([&] {
            if (after_an_operation) x.store(1, rlx);
            while (!done) {
            }
          });
          thread b([&] {
            (void)x.load(rlx);  // the first schedule runs T1 on from its store, into the loop
            done = true;
          });
          a.join();
          b.join();
        });
      });
    };
    for (const bool after : {false, true}) {
      const auto [status, err] = spin(after);
      CPPUNIT_ASSERT_MESSAGE(err, WIFEXITED(status) && WEXITSTATUS(status) == 3);
      CPPUNIT_ASSERT_MESSAGE(err, err.find("model thread T1 has gone 0.5 s without a visible operation, since ") !=
                                      std::string::npos);
      CPPUNIT_ASSERT_MESSAGE(err, err.find(after ? "since its operation at " : "since it started (made at ") !=
                                      std::string::npos);
      CPPUNIT_ASSERT_MESSAGE(err, err.find("engine_test.cpp:") != std::string::npos);
      CPPUNIT_ASSERT_MESSAGE(err, err.find("weave::model_sync::atomic") != std::string::npos);
    }
    // Stopped (a debugger's breakpoint, Ctrl-Z) for longer than the limit:
    // the time stood still for the model thread too, and the check goes on.
    // T1 waits on a pipe between two operations (a blocking call: no beat)
    // 0.6 s, stopped by this process for 3 s, and 0.7 s more.
    int ready[2], go[2];
    CPPUNIT_ASSERT(pipe(ready) == 0 && pipe(go) == 0);
    weave::model::options p;
    p.stall_seconds = 2;
    int status = 0;
    std::string err;
    std::tie(status, err) = in_a_child(
        [p, &ready, &go] {
          bool waited = false;  // once: the check runs its first schedule again at its end
          const auto r = weave::model::check(p, [&ready, &go, &waited] {
            atomic<int> x(0);
            thread a([&] {
              x.store(1, rlx);
              if (!std::exchange(waited, true)) {
                char c = 0;
                (void)!write(ready[1], "s", 1);
                (void)!read(go[0], &c, 1);
              }
            });
            a.join();
          });
          _exit(r.found == verdict::pass ? 0 : 1);
        },
        [&ready, &go](pid_t child) {
          char c = 0;
          (void)!read(ready[0], &c, 1);
          std::this_thread::sleep_for(std::chrono::milliseconds(600));  // the watchdog has seen the last step
          kill(child, SIGSTOP);
          std::this_thread::sleep_for(std::chrono::seconds(3));
          kill(child, SIGCONT);
          std::this_thread::sleep_for(std::chrono::milliseconds(700));
          (void)!write(go[1], "g", 1);
        });
    for (int fd : {ready[0], ready[1], go[0], go[1]}) close(fd);
    CPPUNIT_ASSERT_MESSAGE(err, WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }

  // A step that the checker itself works on for longer than the limit (a
  // long execution under RC11, whose seq_cst accesses each asked psc about
  // every event so far, took minutes a step) is the checker's: the watchdog
  // says so, where it sent the user to look for a loop on plain data.
  // (engine::plan_step marks its work, the step's beat ends it: the test
  // above, whose threads loop after a beat, has the thread blamed.)
  void a_stall_in_the_checker_is_not_blamed_on_the_thread() {
    const auto [status, err] = in_a_child([] {
      using namespace weave::model::detail;
      const stall_watch watch(0.5);
      beat(1, "engine_test.cpp", 7, false);
      planning();  // as engine::plan_step does, till the next step's beat
      std::this_thread::sleep_for(std::chrono::seconds(5));
    });
    CPPUNIT_ASSERT_MESSAGE(err, WIFEXITED(status) && WEXITSTATUS(status) == 3);
    CPPUNIT_ASSERT_MESSAGE(err, err.find("the checker has worked 0.5 s on one step without finishing it, the step "
                                         "after\nmodel thread T1's operation at engine_test.cpp:7.") !=
                                    std::string::npos);
    CPPUNIT_ASSERT_MESSAGE(err, err.find("The program is not at fault") != std::string::npos);
    CPPUNIT_ASSERT_MESSAGE(err, err.find("loop on plain data") == std::string::npos);
  }

  // A loop that waits for another thread without S::spin() is a livelock
  // to the search (it also runs the schedules in which the waiter spins for
  // ever): the report says which thread went round which reads, and that
  // S::spin() is what the loop lacks. A livelock that writes has no such line.
  void a_livelock_names_a_spin_loop_without_spin() {
    weave::model::options o = dpor();
    o.max_steps = 300;
    auto waits = [](bool spin) {
      return [spin] {
        atomic<int> flag(0, "flag");
        thread setter("setter", [&] { flag.store(1, std::memory_order_release); });
        thread waiter("waiter", [&] {
          while (flag.load(std::memory_order_acquire) == 0)
            if (spin) weave::model_sync::spin();
        });
        setter.join();
        waiter.join();
      };
    };
    const auto r = weave::model::check(o, waits(false));
    CPPUNIT_ASSERT_EQUAL(verdict::livelock, r.found);
    CPPUNIT_ASSERT_MESSAGE(r.report, r.report.find("waiter took ") != std::string::npos);
    CPPUNIT_ASSERT_MESSAGE(r.report, r.report.find("each a read (flag at engine_test.cpp:") != std::string::npos);
    CPPUNIT_ASSERT_MESSAGE(r.report, r.report.find("Call weave::model_sync::spin() in it") != std::string::npos);
    CPPUNIT_ASSERT_EQUAL(verdict::pass, weave::model::check(o, waits(true)).found);
    const auto busy = weave::model::check(o, [] {  // a livelock of writes: no spin loop to name
      atomic<int> x(0);
      thread a([&] {
        for (;;) x.fetch_add(1, rlx);
      });
      a.join();
    });
    CPPUNIT_ASSERT_EQUAL(verdict::livelock, busy.found);
    CPPUNIT_ASSERT_MESSAGE(busy.report, busy.report.find("spin()") == std::string::npos);
  }

  // model::check called from two OS threads at once (a test runner's
  // threads): the engine's state is the process's, and the two checks took
  // each other's steps (a WEAVE_CHECK "failed outside a model check", and
  // the process aborted). The second now waits for the first.
  void checks_from_two_os_threads_run_one_at_a_time() {
    std::atomic<int> wrong{0};
    auto run = [&wrong] {
      for (int i = 0; i < 6; ++i) {
        const auto r = weave::model::check(plain(), [] {
          atomic<int> x(0);
          std::vector<thread> ts;
          for (int t = 0; t < 3; ++t)
            ts.emplace_back([&x] {
              for (int k = 0; k < 3; ++k) x.fetch_add(1, rlx);
            });
          for (auto& t : ts) t.join();
          WEAVE_CHECK(x.load(rlx) == 9);
        });
        if (r.found != verdict::pass || r.executions != 1680) ++wrong;
      }
    };
    const auto [status, err] = in_a_child([&run, &wrong] {  // an abort must not end the test runner
      std::thread a(run), b(run);
      a.join();
      b.join();
      _exit(wrong.load() == 0 ? 0 : 1);
    });
    CPPUNIT_ASSERT_MESSAGE(err, WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }

  // .time_budget holds where executions are slow: the search read the clock
  // every 256 executions, so with 40 ms ones a 1 s budget ran 10 s and more
  // (an RC11 check with many seq_cst events, under a sanitizer: 64 s for 3).
  void a_time_budget_holds_for_slow_executions() {
    weave::model::options o = plain();
    o.time_budget = 1;
    const auto r = weave::model::check(o, [] {  // 1,680 executions (three_by_three_fetch_add_is_1680)
      atomic<int> x(0);
      const auto add3 = [&] {
        for (int i = 0; i < 3; ++i) x.fetch_add(1, rlx);
      };
      thread t(add3), u(add3);
      add3();
      t.join();
      u.join();
      std::this_thread::sleep_for(std::chrono::milliseconds(40));  // a slow execution
    });
    CPPUNIT_ASSERT_EQUAL(verdict::pass, r.found);
    CPPUNIT_ASSERT(!r.exhaustive);
    CPPUNIT_ASSERT_MESSAGE(std::to_string(r.seconds) + " s", r.seconds < 4);
  }

  // Minimizing a counterexample keeps to .time_budget, search and minimizing
  // together. Each search for one with fewer preemptions had 20 s of its
  // own, one for each bound below the counterexample's: with slow
  // executions, a 2 s budget ran for 11 s, and result::seconds said 2.
  void minimizing_keeps_to_the_time_budget() {
    weave::model::options o = plain();
    o.memory = weave::model::memory_model::sc;  // (under RC11 the loads may read old stores without a preemption)
    o.search = weave::model::strategy::random;
    o.time_budget = 2;
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = weave::model::check(o, [] {
      atomic<int> x(0), other(0);
      const auto pause = [&] {  // more schedules within each bound
        for (int i = 0; i < 5; ++i) (void)other.load(rlx);
      };
      thread t([&] {
        pause();
        x.store(1, rlx);
        pause();
        x.store(2, rlx);
      });
      const int a = x.load(rlx);
      pause();
      const int b = x.load(rlx);
      pause();
      const int c = x.load(rlx);
      t.join();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a slow execution
      WEAVE_CHECK(!(a == 0 && b == 1 && c == 2));  // each store between two loads: three preemptions
    });
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::check_failed, r.found);
    CPPUNIT_ASSERT_MESSAGE(std::to_string(took) + " s", took < 5);
    CPPUNIT_ASSERT_MESSAGE(std::to_string(r.seconds) + " s", r.seconds <= took && r.seconds > 1);  // the whole of it
    CPPUNIT_ASSERT(r.preemptions >= 2);
  }

  // options that cannot work say so, as the verdict usage_error, and run
  // nothing: a 1 KiB stack crashed the process (no guard-page message), and
  // slice 5 of 2 passed having run no execution.
  void options_out_of_range_are_a_usage_error() {
    const std::pair<void (*)(weave::model::options&), const char*> bad[] = {
        {[](weave::model::options& o) { o.stack_size = 1024; }, ".stack_size is 1024 bytes"},
        {[](weave::model::options& o) { o.max_steps = 0; }, ".max_steps is 0"},
        {[](weave::model::options& o) { o.max_steps = 100'000'001; }, ".max_steps is 100000001; at most 100000000"},
        {[](weave::model::options& o) { o.shard_count = 2, o.shard_index = 5; }, "slice .shard_index 5 of .shard_count 2"},
        {[](weave::model::options& o) { o.jobs = 0; }, ".jobs is 0"},
        {[](weave::model::options& o) { o.preemptions = -7; }, ".preemptions is -7"},
        {[](weave::model::options& o) { o.spurious_wakeups = -1; }, ".spurious_wakeups is -1"},
        {[](weave::model::options& o) { o.search = weave::model::strategy::random, o.iterations = 0; }, ".iterations is 0"},
        {[](weave::model::options& o) { o.search = weave::model::strategy::pct, o.pct_depth = 0; }, ".pct_depth is 0"},
        {[](weave::model::options& o) { o.search = weave::model::strategy::pct, o.pct_depth = std::numeric_limits<int>::max(); },
         ".pct_depth is 2147483647: want 1 to 1000"},
        {[](weave::model::options& o) { o.time_budget = -1; }, ".time_budget and .stall_seconds"},
    };
    for (const auto& [set, says] : bad) {
      weave::model::options o = plain();
      set(o);
      bool ran = false;
      const auto r = weave::model::check(o, [&ran] { ran = true; });
      CPPUNIT_ASSERT_EQUAL_MESSAGE(says, verdict::usage_error, r.found);
      CPPUNIT_ASSERT_MESSAGE(r.report, r.report.find(std::string("weave::model::options: ") + says) != std::string::npos);
      CPPUNIT_ASSERT_MESSAGE(says, !ran && r.executions == 0);
      CPPUNIT_ASSERT_EQUAL(verdict::usage_error, weave::model::replay(o, [] {}, "0").found);
    }
    weave::model::options smallest = plain();
    smallest.stack_size = 32 * 1024;  // the least it takes: a body with threads runs on it
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(20), weave::model::check(smallest, increments(2, 3)).executions);
  }

  // model::check called in a model thread: the inner check ran, and then the
  // outer one's operations were taken for code outside any check (its
  // WEAVE_CHECK "failed outside a model check" and aborted the process).
  void a_check_in_a_check_leaves_the_outer_one_running() {
    const auto [status, err] = in_a_child([] {
      std::uint64_t inner = 0;
      const auto r = weave::model::check(plain(), [&inner] {
        atomic<int> x(0);
        thread a([&x] { x.store(1, rlx); });
        if (inner == 0) inner = weave::model::check(plain(), increments(2, 2)).executions;
        const int v = x.load(rlx);
        a.join();
        WEAVE_CHECK(v == 0 || v == 1);
        WEAVE_CHECK(x.load(rlx) == 1);
      });
      _exit(r.found == verdict::pass && r.executions == 2 && inner == 6 ? 0 : 1);
    });
    CPPUNIT_ASSERT_MESSAGE(err, WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }

  // One thread more than the checker supports is the verdict usage_error.
  // Run on silently after that failure, the spawn went on and wrote a thread
  // record past the end of the table: a segmentation fault.
  void too_many_threads_is_a_usage_error() {
    const auto [status, err] = in_a_child([] {
      const auto r = weave::model::check(plain(), [] {
        std::vector<thread> ts;
        for (int i = 0; i < 10; ++i) ts.emplace_back([] {});
        for (auto& t : ts)
          if (t.joinable()) t.join();
      });
      const bool said = r.report.find("too many model threads (the checker supports 8)") != std::string::npos;
      _exit(r.found == verdict::usage_error && said ? 0 : 1);
    });
    CPPUNIT_ASSERT_MESSAGE(err, WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }

  // An engine recycles the containers of the check before it on the same OS
  // thread (engine.hpp's workspace). Nothing of that check may show in the
  // next: each of these checks, run one after another (the largest first, so
  // the later ones get full containers), gives exactly what it gives run
  // alone on a new OS thread, whose pool is empty.
  void a_check_after_others_is_the_same_check() {
    struct one {
      weave::model::options o;
      std::function<void()> body;
    };
    weave::model::options outcomes = weave::model::options{};
    outcomes.outcomes = true;
    auto sb = [] {  // store buffering over seq_cst: RC11's SC order decides
      atomic<int> x(0), y(0);
      int a = 0, b = 0;
      thread t1([&] { x.store(1, std::memory_order_seq_cst); a = y.load(std::memory_order_seq_cst); });
      thread t2([&] { y.store(1, std::memory_order_seq_cst); b = x.load(std::memory_order_seq_cst); });
      t1.join();
      t2.join();
      WEAVE_CHECK(a == 1 || b == 1);
    };
    auto lost = [] {
      atomic<int> balance(0);
      thread t1([&] { balance.store(balance.load(rlx) + 10, rlx); });
      thread t2([&] { balance.store(balance.load(rlx) + 20, rlx); });
      t1.join();
      t2.join();
      WEAVE_CHECK(balance.load(rlx) == 30);
    };
    auto locks = [] {
      weave::model::mutex a, b;
      thread t1([&] { a.lock(); b.lock(); b.unlock(); a.unlock(); });
      thread t2([&] { b.lock(); a.lock(); a.unlock(); b.unlock(); });
      t1.join();
      t2.join();
    };
    auto timed = [] {
      weave::model::mutex m;
      m.lock();
      thread t([&] {
        if (m.try_lock_for(std::chrono::milliseconds(5))) m.unlock();
      });
      m.unlock();
      t.join();
    };
    const std::vector<one> checks = {
        {rc11(false), increments(3, 3)}, {weave::model::options{}, lastzero(4)}, {rc11(), sb},
        {weave::model::options{}, lost}, {outcomes, lost},  {weave::model::options{}, locks},
        {dpor(), timed},           {plain(), increments(2, 2)},
    };
    auto same = [](const weave::model::result& a, const weave::model::result& b) {
      CPPUNIT_ASSERT_EQUAL(std::string(weave::model::to_string(a.found)), std::string(weave::model::to_string(b.found)));
      CPPUNIT_ASSERT_EQUAL(a.executions, b.executions);
      CPPUNIT_ASSERT_EQUAL(a.blocked, b.blocked);
      CPPUNIT_ASSERT_EQUAL(a.exhaustive, b.exhaustive);
      CPPUNIT_ASSERT_EQUAL(a.preemptions, b.preemptions);
      CPPUNIT_ASSERT_EQUAL(a.replay, b.replay);
      CPPUNIT_ASSERT_EQUAL(a.report, b.report);
      CPPUNIT_ASSERT_EQUAL(a.outcomes, b.outcomes);
    };
    std::vector<weave::model::result> alone;
    for (const one& c : checks) {
      std::thread fresh([&] { alone.push_back(weave::model::check(c.o, c.body)); });
      fresh.join();
    }
    for (int round = 0; round < 2; ++round)
      for (std::size_t i = 0; i < checks.size(); ++i) same(alone[i], weave::model::check(checks[i].o, checks[i].body));
    CPPUNIT_ASSERT_EQUAL(std::uint64_t(1680), alone[0].executions);  // the cases are what they say
    CPPUNIT_ASSERT(alone[2].found == verdict::pass && alone[2].exhaustive);
    CPPUNIT_ASSERT(alone[3].found == verdict::check_failed && alone[5].found == verdict::deadlock);
    CPPUNIT_ASSERT(!alone[4].outcomes.empty());
  }

  static int deep(int n) {
    volatile char pad[512];
    pad[0] = static_cast<char>(n);
    return n == 0 ? pad[0] : deep(n - 1) + pad[0];
  }
  // A check whose model thread overflows its 64 KiB stack.
  static void overflow_a_model_thread() {
    weave::model::options o;
    o.stack_size = 64 * 1024;
    weave::model::check(o, [] {
      thread t([] { (void)deep(1 << 20); });
      t.join();
    });
  }
};
CPPUNIT_TEST_SUITE_REGISTRATION(engine_test);
