// The checker's verdicts are claims: each test here is a program on which an
// earlier engine gave a wrong or misleading verdict (a false deadlock, a missed
// race, a first cause hidden behind a second one, state kept across executions,
// a pass on a program the checker could not see).
#include <cppunit/extensions/HelperMacros.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

#include "weave/condition.hpp"
#include "weave/event.hpp"
#include "weave/future.hpp"
#include "weave/mutex.hpp"
#include "weave/queue.hpp"
#include "weave/model.hpp"
#include "weave/recursive_mutex.hpp"
#include "weave/semaphore.hpp"
#include "weave/timer.hpp"

#include "scoped_env.hpp"

namespace {

using weave::model::thread;
using weave::model::verdict;
template <class T>
using atomic = weave::model_sync::atomic<T>;
template <class T>
using cell = weave::model_sync::cell<T>;
using S = weave::model_sync;
constexpr auto rlx = std::memory_order_relaxed;

weave::model::options dpor() {
  weave::model::options o;
  o.spurious_wakeups = 0;
  return o;
}
weave::model::options plain() {
  weave::model::options o = dpor();
  o.reduction = false;
  return o;
}

bool has(const std::string& text, const char* what) { return text.find(what) != std::string::npos; }

using way = std::function<void(weave::model::options, const std::string&)>;

/// f(o, how) under sc and rc11, with reduction and with plain DFS, and with
/// primitives opaque and transparent if `primitives`; how names the way, for
/// messages.
void in_each_way(bool primitives, const way& f) {
  for (const auto m : {weave::model::memory_model::sc, weave::model::memory_model::rc11})
    for (auto o : {dpor(), plain()}) {
      o.memory = m;
      const std::string how = std::string(weave::model::to_string(m)) + (o.reduction ? ", with reduction" : ", plain DFS");
      if (!primitives) {
        f(o, how + ": ");
        continue;
      }
      for (const auto p : {weave::model::primitive_mode::opaque, weave::model::primitive_mode::transparent}) {
        o.primitives = p;
        f(o, how + (p == weave::model::primitive_mode::opaque ? ", opaque: " : ", transparent: "));
      }
    }
}

/// in_each_way with every primitive mode, with .max_steps.
void in_every_way(std::uint64_t max_steps, const way& f) {
  in_each_way(true, [max_steps, &f](weave::model::options o, const std::string& how) {
    o.max_steps = max_steps;
    f(o, how);
  });
}

/// Each body passes, exhaustively, under sc and rc11, with reduction and with plain DFS.
void passes_every_way(std::initializer_list<std::function<void()>> bodies) {
  in_each_way(false, [&](weave::model::options o, const std::string& how) {
    for (const auto& body : bodies) {
      const auto r = weave::model::check(o, body);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
      CPPUNIT_ASSERT_MESSAGE(how, r.exhaustive);
    }
  });
}

// Dekker's mutual exclusion: relaxed flags, seq_cst fences (the store-load
// order), a release store and an acquire fence around the critical section.
void dekker_thread(int me, atomic<int>* flag, atomic<int>& turn, cell<int>& inside) {
  const int other = 1 - me;
  flag[me].store(1, rlx);
  S::fence(std::memory_order_seq_cst);  // pairs with the other thread's fence: one sees the other's flag
  while (flag[other].load(rlx) == 1) {
    if (turn.load(rlx) != me) {
      flag[me].store(0, rlx);
      while (turn.load(rlx) != me) S::spin();
      flag[me].store(1, rlx);
      S::fence(std::memory_order_seq_cst);
    } else {
      S::spin();
    }
  }
  S::fence(std::memory_order_acquire);  // pairs with the other's release of its flag
  inside.write() += 1;
  turn.store(other, rlx);
  flag[me].store(0, std::memory_order_release);  // pairs with the acquire fence above
}

}  // namespace

class soundness_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(soundness_test);
  CPPUNIT_TEST(spin_sees_a_write_made_between_its_read_and_its_spin);
  CPPUNIT_TEST(spin_on_what_nobody_writes_is_a_deadlock_naming_it);
  CPPUNIT_TEST(spin_reduction_keeps_every_outcome);
  CPPUNIT_TEST(access_right_after_spawn_races_with_the_child);
  CPPUNIT_TEST(first_cause_wins_over_an_unjoined_thread);
  CPPUNIT_TEST(model_object_kept_from_an_earlier_execution_is_nondeterminism);
  CPPUNIT_TEST(plain_state_kept_across_executions_is_nondeterminism);
  CPPUNIT_TEST(a_body_the_checker_cannot_see_is_marked);
  CPPUNIT_TEST(model_object_used_from_a_std_thread_is_a_usage_error);
  CPPUNIT_TEST(cell_write_right_after_a_release_is_not_published_by_it);
  CPPUNIT_TEST(cut_short_execution_with_a_thread_inside_noexcept_code);
  CPPUNIT_TEST(weak_spin_reads_the_new_value_in_the_end);
  CPPUNIT_TEST(object_used_after_it_was_destroyed_is_a_usage_error);
  CPPUNIT_TEST(waker_may_wake_a_word_whose_lifetime_ended);
  CPPUNIT_TEST(weak_cas_fails_spuriously_under_sc_too);
  CPPUNIT_TEST(a_sleeping_waker_does_not_hide_an_earlier_time_out);
  CPPUNIT_TEST(a_spurious_return_does_not_hide_a_deadlock);
  CPPUNIT_TEST(a_token_names_the_store_a_woken_thread_read);
  CPPUNIT_TEST(a_search_on_past_a_deadlock_takes_each_spurious_return);
  CPPUNIT_TEST(a_wait_ends_the_restriction_of_a_woken_writer);
  CPPUNIT_TEST(time_flows_with_happens_before);
  CPPUNIT_TEST(a_spin_loop_whose_rmw_changes_nothing_waits);
  CPPUNIT_TEST(a_spin_loop_after_another_has_its_own_budget);
  CPPUNIT_TEST(a_loop_bounded_by_its_own_count_gives_up);
  CPPUNIT_TEST(a_loop_gives_up_while_another_thread_runs);
  CPPUNIT_TEST(spinners_that_give_up_leave_in_either_order);
  CPPUNIT_TEST(a_loop_gives_up_on_a_store_that_is_there);
  CPPUNIT_TEST(a_loop_that_writes_lets_the_others_run);
  CPPUNIT_TEST(a_spinners_idle_rounds_are_what_it_read);
  CPPUNIT_TEST(a_loop_that_reads_in_turn_sees_each_store);
  CPPUNIT_TEST(a_loop_of_timed_waits_is_no_livelock);
  CPPUNIT_TEST(a_spin_loop_on_the_clock_ends_at_its_deadline);
  CPPUNIT_TEST(a_cut_search_keeps_the_fair_schedules);
  CPPUNIT_TEST(a_bounded_search_is_fair_at_a_clock_spin);
  CPPUNIT_TEST(a_bounded_search_runs_a_late_thread_at_its_cut);
  CPPUNIT_TEST(a_store_is_seen_within_its_readers_time_outs);
  CPPUNIT_TEST(a_store_goes_unseen_through_late_time_outs_and_no_more);
  CPPUNIT_TEST(a_thread_asleep_in_a_timed_wait_is_late);
  CPPUNIT_TEST(a_thread_that_only_fails_to_lock_is_late);
  CPPUNIT_TEST(a_random_search_runs_a_late_thread);
  CPPUNIT_TEST(a_spin_loop_around_a_call_waits_for_a_write);
  CPPUNIT_TEST(a_livelock_or_deadlock_in_a_destructor_is_reported);
  CPPUNIT_TEST(a_livelock_of_seq_cst_accesses_is_reported_under_rc11);
  CPPUNIT_TEST(sc_order_cut_back_to_whole_words);
  CPPUNIT_TEST(a_search_past_failures_unwinds_their_threads);
  CPPUNIT_TEST_SUITE_END();

 public:
  // A spinner that read 1, then saw the other thread write 0 and finish before
  // it reached spin(), must go round again (it was reported as a deadlock).
  void spin_sees_a_write_made_between_its_read_and_its_spin() {
    auto r = weave::model::check(dpor(), [] {
      atomic<int> flag[2] = {atomic<int>(0), atomic<int>(0)};
      atomic<int> turn(0);
      cell<int> inside(0);
      thread t1([&] { dekker_thread(1, flag, turn, inside); });
      dekker_thread(0, flag, turn, inside);
      t1.join();
      WEAVE_CHECK(inside.read() == 2);
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::pass, r.found);
    CPPUNIT_ASSERT(r.exhaustive);
    // The smallest form: the write lands between the load and the spin.
    auto s = weave::model::check(dpor(), [] {
      atomic<int> x(1);
      thread t([&] { x.store(0, rlx); });
      while (x.load(rlx) != 0) S::spin();
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(s.report, verdict::pass, s.found);
  }

  void spin_on_what_nobody_writes_is_a_deadlock_naming_it() {
    auto r = weave::model::check(dpor(), [] {
      atomic<int> never(0);
      atomic<int> other(0);
      thread t([&] { other.store(1, rlx); });
      while (never.load(rlx) == 0) S::spin();
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL(verdict::deadlock, r.found);
    CPPUNIT_ASSERT_MESSAGE(r.report, has(r.report, "spins at"));
    CPPUNIT_ASSERT_MESSAGE(r.report, has(r.report, "soundness_test.cpp:"));  // where `never` was made
  }

  // Spin loops under the reduction: the same values read as plain search
  // (how often a loop went round without reading anything new is not a value
  // the program can tell apart: the await rule folds those rounds).
  void spin_reduction_keeps_every_outcome() {
    std::set<std::string> seen;
    std::function<void()> body = [&seen] {
      atomic<int> x(0), y(0), z(0);
      int a = -1, b = -1, c = -1;
      thread t1([&] {
        x.store(1, rlx);
        a = y.load(rlx);
        while (y.load(rlx) == 0) S::spin();
        c = z.load(rlx);
      });
      thread t2([&] {
        y.store(1, rlx);
        b = x.load(rlx);
        while (x.load(rlx) == 0) S::spin();
        z.store(1, rlx);
      });
      t1.join();
      t2.join();
      if (weave::model::counted())  // an execution the search counts (not one run on after it stopped)
        seen.insert(std::to_string(a) + std::to_string(b) + std::to_string(c));
    };
    auto p = weave::model::check(plain(), body);
    const auto all = seen;
    seen.clear();
    auto r = weave::model::check(dpor(), body);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(p.report, verdict::pass, p.found);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::pass, r.found);
    CPPUNIT_ASSERT(all == seen);
    CPPUNIT_ASSERT(r.executions <= p.executions);
  }

  // Python's `t.start(); print(x)`: the parent's access right after the spawn,
  // before its next visible step, is unordered with the child's.
  void access_right_after_spawn_races_with_the_child() {
    auto read_after_start = weave::model::check(dpor(), [] {
      cell<int> x(0);
      thread t([&] { x.write() = 1; });
      (void)x.read();
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL(verdict::data_race, read_after_start.found);
    CPPUNIT_ASSERT_MESSAGE(read_after_start.report, has(read_after_start.report, "T0 read"));
    CPPUNIT_ASSERT_MESSAGE(read_after_start.report, has(read_after_start.report, "T1 writes"));
    auto write_then_timer_reads = weave::model::check(dpor(), [] {
      cell<int> x(0);
      thread timer([&] { (void)x.read(); });
      x.write() = 2;
      timer.join();
    });
    CPPUNIT_ASSERT_EQUAL(verdict::data_race, write_then_timer_reads.found);
    CPPUNIT_ASSERT_MESSAGE(write_then_timer_reads.report, has(write_then_timer_reads.report, "T0 wrote"));
    CPPUNIT_ASSERT_MESSAGE(write_then_timer_reads.report, has(write_then_timer_reads.report, "T1 reads"));
    // Ordered by the spawn itself: no race.
    auto before_spawn = weave::model::check(dpor(), [] {
      cell<int> x(0);
      x.write() = 3;
      thread t([&] { (void)x.read(); });
      t.join();
      x.write() = 4;
    });
    CPPUNIT_ASSERT_EQUAL(verdict::pass, before_spawn.found);
  }

  // The body throws while a thread runs: the exception is the cause, the
  // unjoined thread only its consequence.
  void first_cause_wins_over_an_unjoined_thread() {
    auto r = weave::model::check(dpor(), [] {
      weave::model::bounded_semaphore s(1);
      atomic<int> x(0);
      thread t([&] { x.store(1, rlx); });
      s.release();  // over-release: throws weave::usage_error
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::usage_error, r.found);
    CPPUNIT_ASSERT_MESSAGE(r.report, has(r.report, "T1"));
    CPPUNIT_ASSERT_MESSAGE(r.report, has(r.report, "never joined"));
  }

  void model_object_kept_from_an_earlier_execution_is_nondeterminism() {
    std::unique_ptr<atomic<int>> kept;  // made in the first execution, used in the next
    auto r = weave::model::check(dpor(), [&kept] {
      if (!kept) kept = std::make_unique<atomic<int>>(0);
      atomic<int> y(0);
      thread t([&] { kept->store(5, rlx); y.store(1, rlx); });
      (void)y.load(rlx);
      (void)kept->load(rlx);
      t.join();
    });
    kept.reset();
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::nondeterminism, r.found);
    CPPUNIT_ASSERT_MESSAGE(r.report, has(r.report, "earlier execution"));
  }

  void plain_state_kept_across_executions_is_nondeterminism() {
    // Values differ under the same schedule.
    int n = 0;
    auto v = weave::model::check(dpor(), [&n] {
      atomic<int> x(0);
      thread t([&] { (void)x.load(rlx); });
      x.store(++n, rlx);
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(v.report, verdict::nondeterminism, v.found);
    CPPUNIT_ASSERT_MESSAGE(v.report, has(v.report, "kept between executions"));
    // A check that only fails from the second execution on: the failure is
    // the state's, not the schedule's.
    int runs = 0;
    auto c = weave::model::check(dpor(), [&runs] {
      atomic<int> x(0);
      thread t([&] { x.store(1, rlx); });
      (void)x.load(rlx);
      t.join();
      WEAVE_CHECK(++runs == 1);
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(c.report, verdict::nondeterminism, c.found);
    // A deterministic body is never flagged, pointers included.
    auto d = weave::model::check(dpor(), [] {
      auto box = std::make_unique<int>(1);
      atomic<int*> p(nullptr);
      thread t([&] { p.store(box.get(), std::memory_order_release); });
      (void)p.load(std::memory_order_acquire);
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(d.report, verdict::pass, d.found);
  }

  // What a C++ newcomer writes first: plain ints and std::thread.
  void a_body_the_checker_cannot_see_is_marked() {
    auto r = weave::model::check(dpor(), [] {
      int balance = 0;
      std::thread t([&] { balance += 1; });
      t.join();
      balance += 1;
    });
    CPPUNIT_ASSERT_EQUAL(verdict::pass, r.found);
    CPPUNIT_ASSERT(r.saw_nothing);
    auto seen = weave::model::check(dpor(), [] {
      atomic<int> x(0);
      thread t([&] { x.store(1, rlx); });
      t.join();
    });
    CPPUNIT_ASSERT(!seen.saw_nothing);
  }

  void model_object_used_from_a_std_thread_is_a_usage_error() {
    auto r = weave::model::check(dpor(), [] {
      atomic<int> x(0);
      std::thread t([&] { x.store(1, rlx); });
      t.join();
      (void)x.load(rlx);
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::usage_error, r.found);
    CPPUNIT_ASSERT_MESSAGE(r.report, has(r.report, "model::thread"));
  }

  // A cell written right after a release store, in the same step, is not
  // covered by that release: an acquire of it does not order the write (it
  // was: the write shared the release's epoch). Both memory models.
  void cell_write_right_after_a_release_is_not_published_by_it() {
    for (auto m : {weave::model::memory_model::sc, weave::model::memory_model::rc11}) {
      weave::model::options o = dpor();
      o.memory = m;
      auto r = weave::model::check(o, [] {
        atomic<int> x(0), y(0);
        cell<int> c(0);
        thread t1([&] {
          x.store(1, std::memory_order_release);
          c.write() = 1;  // after the release: unordered with T0's write below
          y.store(1, rlx);
        });
        while (y.load(std::memory_order_acquire) != 1) S::spin();
        while (x.load(std::memory_order_acquire) != 1) S::spin();
        c.write() = 2;
        t1.join();
      });
      CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::data_race, r.found);
    }
  }

  // An execution cut short while a thread is suspended inside a noexcept
  // function (a destructor): tearing it down must not unwind through it
  // (std::terminate). The failing check in T0 cuts every execution short.
  void cut_short_execution_with_a_thread_inside_noexcept_code() {
    struct reads_on_destruction {
      atomic<int>& a;
      ~reads_on_destruction() { (void)a.load(rlx); }  // a destructor: noexcept
    };
    auto r = weave::model::check(dpor(), [] {
      atomic<int> a(0), b(0);
      thread t1([&] {
        reads_on_destruction g{a};
        b.store(1, rlx);
      });
      WEAVE_CHECK(b.load(rlx) == 0);  // fails once T1 stored: T1 is then inside ~reads_on_destruction
      t1.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::check_failed, r.found);
  }

  // A thread outlives an object it uses (a lifetime bug): the destructor runs
  // in the body's step, before the thread's first step, so the thread's access
  // comes after it. The report names the object and says it was destroyed.
  void object_used_after_it_was_destroyed_is_a_usage_error() {
    auto a = weave::model::check(dpor(), [] {
      alignas(atomic<int>) unsigned char buf[sizeof(atomic<int>)];
      auto* x = new (buf) atomic<int>(0, "x");
      thread t([x] { x->store(1, rlx); });
      x->~atomic();
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(a.report, verdict::usage_error, a.found);
    CPPUNIT_ASSERT_MESSAGE(a.report, has(a.report, "x (made at") && has(a.report, "after it was destroyed"));
    auto c = weave::model::check(dpor(), [] {
      alignas(cell<int>) unsigned char buf[sizeof(cell<int>)];
      auto* n = new (buf) cell<int>(0, "n");
      thread t([n] { n->write() = 1; });
      n->~cell();
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(c.report, verdict::usage_error, c.found);
    CPPUNIT_ASSERT_MESSAGE(c.report, has(c.report, "n (made at") && has(c.report, "after it was destroyed"));
    // An object made on a thread's own frame, used by another thread after
    // that thread ended: the finished thread's fiber waits for the next
    // execution (engine::start_thread), and its frames must stay as they were.
    auto f = weave::model::check(dpor(), [] {
      atomic<atomic<int>*> where(nullptr);
      thread maker([&] {
        atomic<int> x(0, "x");
        where.store(&x, std::memory_order_release);
      });
      thread user([&] {
        if (atomic<int>* p = where.load(std::memory_order_acquire)) (void)p->load(rlx);
      });
      maker.join();
      user.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(f.report, verdict::usage_error, f.found);
    CPPUNIT_ASSERT_MESSAGE(f.report, has(f.report, "x (made at") && has(f.report, "after it was destroyed"));
  }

  // S::waker, the wake a condition's notify owes and makes after its lock: a
  // waker kept while the word lived may wake it after its lifetime ended (it
  // wakes nobody, no error), while S::wake_one on the ended word stays a
  // usage_error; and a waker made while the word lives wakes its waiter
  // (without that wake the same body deadlocks).
  void waker_may_wake_a_word_whose_lifetime_ended() {
    auto late = weave::model::check(dpor(), [] {
      alignas(atomic<std::uint32_t>) unsigned char buf[sizeof(atomic<std::uint32_t>)];
      auto* w = new (buf) atomic<std::uint32_t>(0, "w");
      const S::waker k(*w);
      thread t([k] { k.wake_one(); });
      w->~atomic();
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(late.report, verdict::pass, late.found);
    CPPUNIT_ASSERT(late.exhaustive);
    auto direct = weave::model::check(dpor(), [] {
      alignas(atomic<std::uint32_t>) unsigned char buf[sizeof(atomic<std::uint32_t>)];
      auto* w = new (buf) atomic<std::uint32_t>(0, "w");
      thread t([w] { S::wake_one(*w); });
      w->~atomic();
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(direct.report, verdict::usage_error, direct.found);
    CPPUNIT_ASSERT_MESSAGE(direct.report, has(direct.report, "w (made at") && has(direct.report, "after it was destroyed"));
    auto handoff = [](bool wake) {
      return weave::model::check(dpor(), [wake] {
        atomic<std::uint32_t> w(0);
        const S::waker k(w);
        thread t([&] {
          w.store(1, std::memory_order_release);
          if (wake) k.wake_one();
        });
        while (w.load(std::memory_order_acquire) == 0) (void)S::wait(w, 0);
        t.join();
      });
    };
    auto woken = handoff(true);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(woken.report, verdict::pass, woken.found);
    CPPUNIT_ASSERT(woken.exhaustive);
    auto lost = handoff(false);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(lost.report, verdict::deadlock, lost.found);
  }

  // Under RC11 a spinning reader may read the old value for a while, but not
  // forever: the await rule makes a round that read the same store again read
  // a newer one, so the loop ends (no false livelock) and both values are seen.
  void weak_spin_reads_the_new_value_in_the_end() {
    std::set<int> rounds;
    auto r = weave::model::check(dpor(), [&] {
      atomic<int> flag(0);
      thread t1([&] { flag.store(1, rlx); });
      int n = 0;
      while (flag.load(rlx) == 0) {
        ++n;
        S::spin();
      }
      t1.join();
      if (weave::model::counted()) rounds.insert(n);
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::pass, r.found);
    CPPUNIT_ASSERT(r.exhaustive);
    CPPUNIT_ASSERT_MESSAGE("the flag read 1 at once", rounds.count(0) == 1);
    CPPUNIT_ASSERT_MESSAGE("the flag read 0 after it was written", *rounds.rbegin() >= 1);
  }

  // compare_exchange_weak may fail although the value was the expected one
  // (C++20 [atomics.types.operations]): code that takes its failure to mean
  // "another thread got there first" is wrong under either memory model. The
  // sc mode passed this body: it explored no spurious failure. It explores
  // them now for the check's own atomics (one a thread, like a futex's
  // spurious wake-up); a weak CAS inside weave's primitives fails spuriously
  // in their rc11 checks.
  // Sleep sets and a wake that disables a time-out (differential_test's
  // second family found it). Cy holds the lock and waits 1 ms for the future;
  // Ann's try_lock_for times out, then Cy's wait does, then Bob cancels, and
  // Ann's set_running_or_notify_cancel() says cancelled. With reduction the
  // search never explored that order and passed: Bob's cancel (which would
  // wake Cy) slept through Ann's time-out, and Bob's own branch had Cy's
  // time-out only before Ann's (engine::woken_by_sleepers).
  void a_sleeping_waker_does_not_hide_an_earlier_time_out() {
    using namespace std::chrono_literals;
    auto body = [] {
      weave::model::recursive_mutex lock;
      weave::model::promise<int> promise;
      weave::model::future<int> future = promise.get_future();
      bool ann_got = true, ann_runs = true, cy_ready = true;
      thread ann{"Ann", [&] {
                   ann_got = lock.try_lock_for(1ms);
                   if (ann_got) lock.unlock();
                   ann_runs = promise.set_running_or_notify_cancel();
                 }};
      thread bob{"Bob", [&] { future.cancel(); }};
      thread cy{"Cy", [&] {
                  lock.lock();
                  cy_ready = future.wait_for(1ms) == weave::future_status::ready;
                  lock.unlock();
                }};
      ann.join();
      bob.join();
      cy.join();
      WEAVE_CHECK(ann_got || ann_runs || cy_ready);  // fails in that order only
    };
    for (auto o : {dpor(), plain()}) {
      const auto r = weave::model::check(o, body);
      CPPUNIT_ASSERT_MESSAGE(std::string(o.reduction ? "with reduction: " : "plain DFS: ") + to_string(r.found),
                             r.found == verdict::check_failed);
    }
  }

  // Thread a sleeps in a futex wait that only a spurious return could end,
  // while b, asleep in a timed wait, times out and runs on to its end: a
  // deadlock (a spurious return is no step a program may count on, and the
  // checker allows one only while some thread can really go on). With the
  // checker's default of one spurious wake-up a thread, DPOR chose a's
  // spurious return first where both slept and, that return racing with no
  // step, never ran b on without it: it passed, where plain DFS found the
  // deadlock (engine::pick_node now explores the really enabled threads
  // too wherever it chooses a spurious return).
  void a_spurious_return_does_not_hide_a_deadlock() {
    using namespace std::chrono_literals;
    auto body = [] {
      atomic<std::uint32_t> x(0);
      thread a([&] { (void)S::wait(x, 0); });
      thread b([&] {
        S::wake_all(x);
        (void)S::wait(x, 0, S::clock::now() + 1ms);
        x.store(1, rlx);
      });
      a.join();
      b.join();
    };
    for (auto o : {dpor(), plain()}) {
      o.spurious_wakeups = 1;  // a check's default
      const auto r = weave::model::check(o, body);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string(o.reduction ? "with reduction: " : "plain DFS: ") + r.report,
                                   verdict::deadlock, r.found);
    }
  }

  // A spurious return is allowed only while another thread can move, so the
  // step after which none can disables it. Searching on past failures
  // (options::outcomes) with reduction, the branch that ran b's store first
  // (and ended in the deadlock) kept b asleep across a's spurious return, as
  // if it covered that order too: the executions in which a woke by itself
  // were cut off (sleep-blocked), and with them the outcome woke = 1. Found
  // by the interleaving oracle's blocking programs with their outcomes
  // compared on past the deadlock (wait-no-wake+, futex5+ and 13 more).
  void a_search_on_past_a_deadlock_takes_each_spurious_return() {
    auto body = [] {
      atomic<std::uint32_t> x(0);
      atomic<int> woke{0, "woke"};
      thread a([&] {
        if (S::wait(x, 0) == weave::wait_result::woken) woke.store(1, rlx);
      });
      thread b([&] { x.store(1, rlx); });
      a.join();
      b.join();
    };
    for (auto o : {dpor(), plain()}) {
      o.spurious_wakeups = 1;  // a check's default
      o.outcomes = true;
      const auto r = weave::model::check(o, body);
      const std::string how = o.reduction ? "with reduction: " : "plain DFS: ";
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::deadlock, r.found);  // a sleeps for ever if b stores first
      CPPUNIT_ASSERT_MESSAGE(how + r.outcomes, has(r.outcomes, "woke = 1: --replay"));  // a woke by itself first
    }
  }

  // Under rc11 with reduction (a check's default), a thread woken from a
  // sleep set to read only the stores made since it fell asleep (b's
  // fetch_add, asleep behind a's store, woken by c's) kept that restriction
  // through c's futex wait, as if b reading a's store where it fell asleep
  // covered b reading it now. But the wait reads the latest store, with no
  // choice: b's write made there would have been what the wait read. So the
  // executions where the wait sleeps on a's 1 and b then reads that 1 were
  // never explored, and the check passed. Found by comparing, under rc11,
  // the blocking programs with plain DFS and the sc interleavings
  // (oracle_test: timed30).
  void a_wait_ends_the_restriction_of_a_woken_writer() {
    auto body = [] {
      atomic<std::uint32_t> x(0);
      std::uint32_t seen = 0;
      weave::wait_result w = weave::wait_result::woken;
      thread a([&] { x.store(1, rlx); });
      thread b([&] { seen = x.fetch_add(10, rlx); });
      thread c([&] {
        x.fetch_add(20, rlx);
        w = S::wait(x, 1, S::clock::now() + std::chrono::milliseconds(1));
      });
      a.join();
      b.join();
      c.join();
      WEAVE_CHECK(!(seen == 1 && w == weave::wait_result::timed_out));  // c slept on a's 1, then b read it
    };
    for (auto o : {dpor(), plain()}) {
      o.memory = weave::model::memory_model::rc11;
      const auto r = weave::model::check(o, body);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string(o.reduction ? "with reduction: " : "plain DFS: ") + r.report,
                                   verdict::check_failed, r.found);
    }
  }

  // S::clock is steady: on hardware a thread that joins one that slept 1 ms,
  // or acquires what another released after sleeping, reads a time at least
  // as late as that one did. Each model thread kept a virtual time of its
  // own (where it started, or its latest time-out), so each check failed: a
  // false alarm on a timer's "joined, at least its interval passed". A thread's
  // time is now the latest of every thread's that happens before it
  // (engine::time_of).
  void time_flows_with_happens_before() {
    using namespace std::chrono_literals;
    const auto joined = [] {
      atomic<std::uint32_t> w(0);
      const auto start = S::clock::now();
      thread t([&] { S::wait(w, 0, S::clock::now() + 1ms); });  // nobody wakes it: it times out
      t.join();
      WEAVE_CHECK(S::clock::now() - start >= 1ms);
    };
    const auto acquired = [] {
      atomic<std::uint32_t> w(0);
      atomic<std::int64_t> then(0);
      thread a([&] {
        S::wait(w, 0, S::clock::now() + 1ms);
        then.store(S::clock::now().time_since_epoch().count(), std::memory_order_release);  // pairs with b's acquire
      });
      thread b([&] {
        const std::int64_t t = then.load(std::memory_order_acquire);  // pairs with a's release
        WEAVE_CHECK(t == 0 || S::clock::now().time_since_epoch().count() >= t);
      });
      a.join();
      b.join();
    };
    const auto timer_joined = [] {  // Python's Timer(0.01, f).start(); .join()
      const auto start = S::clock::now();
      weave::model::timer t(10ms, [] {});
      t.start();
      t.join();
      WEAVE_CHECK(S::clock::now() - start >= 10ms);
    };
    passes_every_way({joined, acquired, timer_joined});
  }

  // The simplest spinlocks: a compare_exchange loop and a test-and-set
  // exchange loop, each with S::spin(). A failed compare_exchange, or an
  // exchange that writes back the 1 it read, changes nothing: the round is
  // idle, and the await rule parks the loop until the holder's unlock. An
  // earlier engine counted every RMW as progress, so the search ran the
  // unfair schedule in which the loop goes round for ever: LIVELOCK on
  // correct locks. Under RC11 two test-and-set loops also read each other's
  // exchanges for ever, the unlock's store never seen, unless a round that
  // read the same values as the one before must read a newer value.
  void a_spin_loop_whose_rmw_changes_nothing_waits() {
    using lock_fn = void (*)(atomic<int>&);
    const lock_fn cas_strong = [](atomic<int>& l) {
      int e = 0;
      while (!l.compare_exchange_strong(e, 1, std::memory_order_acquire, rlx)) {  // pairs with the unlock
        e = 0;
        S::spin();
      }
    };
    const lock_fn cas_weak = [](atomic<int>& l) {
      int e = 0;
      while (!l.compare_exchange_weak(e, 1, std::memory_order_acquire, rlx)) {  // pairs with the unlock
        e = 0;
        S::spin();
      }
    };
    const lock_fn tas = [](atomic<int>& l) {
      while (l.exchange(1, std::memory_order_acquire) != 0) S::spin();  // pairs with the unlock
    };
    const auto count_under = [](lock_fn lock, int threads, bool unlock) {
      return [=] {
        atomic<int> l(0);
        cell<int> n(0);
        const auto body = [&] {
          lock(l);
          n.write() += 1;
          if (unlock) l.store(0, std::memory_order_release);  // pairs with the lock's acquire
        };
        thread a(body);
        std::unique_ptr<thread> b;
        if (threads == 3) b = std::make_unique<thread>(body);
        body();
        a.join();
        if (b) b->join();
        WEAVE_CHECK(n.read() == threads);
      };
    };
    in_each_way(false, [&](weave::model::options o, const std::string& how) {
      o.max_steps = 500;
      for (const lock_fn lock : {cas_strong, cas_weak, tas}) {
        auto r = weave::model::check(o, count_under(lock, 2, true));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
        CPPUNIT_ASSERT_MESSAGE(how, r.exhaustive);
        // the twin: a lock nobody unlocks is a loop nothing will release
        r = weave::model::check(o, count_under(lock, 2, false));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::deadlock, r.found);
        CPPUNIT_ASSERT_MESSAGE(how + r.report, has(r.report, "spins at"));
      }
      if (o.reduction) {  // three test-and-set loops (plain DFS: too many schedules)
        const auto r = weave::model::check(o, count_under(tas, 3, true));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
        CPPUNIT_ASSERT_MESSAGE(how, r.exhaustive);
      }
    });
  }

  // A loop that spins at most S::spin_budget times and then goes on (a lock's
  // spin before it parks), entered after another loop that a store of
  // another thread ended. On hardware each loop spins its own rounds. The
  // engine counted idle spins per thread, across loops: after the first
  // loop's two idle rounds, the second loop's first spin waited for a write
  // to what it read, which no thread makes, a false DEADLOCK. (A differential
  // soak found it: a robust_mutex lock after a future's get, under
  // transparent primitives, never reached the wait that sees the holder
  // dead.) A round that read a location written after the round before it
  // read it saw progress: its spin starts a new count (engine::idle_rounds).
  void a_spin_loop_after_another_has_its_own_budget() {
    constexpr auto sc = std::memory_order_seq_cst;
    const auto body = [] {
      atomic<int> f(0), g(0);
      thread t([&] { f.store(1, sc); });
      while (f.load(sc) == 0) S::spin();
      for (int i = 0; i < S::spin_budget && g.load(sc) == 0; ++i) S::spin();
      t.join();
    };
    passes_every_way({body});
    // Its twin: a second loop that never gives up waits for a write no thread makes.
    const auto r = weave::model::check(dpor(), [] {
      atomic<int> f(0), g(0);
      thread t([&] { f.store(1, sc); });
      while (f.load(sc) == 0) S::spin();
      while (g.load(sc) == 0) S::spin();
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::deadlock, r.found);
  }

  // Two loops bounded by counts of their own on a flag nobody sets, and after
  // them a store of x (T0) and a load of x (T1). Both park (the await rule),
  // then go round as a choice (giving_up), and which leaves first decides what
  // T1 loads: both orders are explored, in every way. (choose_node explores
  // each spinner where several go on; with only one of them explored there,
  // this test still passes: make mutate's spinners_leave_in_one_order.)
  void spinners_that_give_up_leave_in_either_order() {
    constexpr auto sc = std::memory_order_seq_cst;
    std::set<int> seen;
    const auto body = [&seen] {
      atomic<int> never(0), x(0);
      int r = -1;
      auto loop = [&never] {
        for (int i = 0; i < 100 && never.load(sc) == 0; ++i) S::spin();
      };
      thread t([&] {
        loop();
        r = x.load(sc);
      });
      loop();
      x.store(1, sc);
      t.join();
      if (weave::model::counted()) seen.insert(r);
    };
    in_each_way(false, [&](weave::model::options o, const std::string& how) {
      seen.clear();
      const auto r = weave::model::check(o, body);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
      CPPUNIT_ASSERT_MESSAGE(how + "T1 loads 0 and 1", (seen == std::set<int>{0, 1}));
    });
  }

  // A loop bounded by a count of its own, not S::spin_budget (a user's
  // spin-then-fallback: 100 rounds, then a store another thread waits for),
  // gives up on hardware. The await rule parked it after its idle budget, and
  // with the other thread waiting for its store nothing could run: a false
  // DEADLOCK. So is a second bounded loop on what the first read, no write
  // between: the two share one budget. Where every other thread is blocked a
  // spinner goes round past its budget (engine::giving_up), up to
  // kGiveUpRounds rounds.
  void a_loop_bounded_by_its_own_count_gives_up() {
    constexpr auto sc = std::memory_order_seq_cst;
    const auto own_count = [] {
      atomic<int> g(0), done(0);
      thread t([&] { while (done.load(sc) == 0) S::spin(); });
      for (int i = 0; i < 100 && g.load(sc) == 0; ++i) S::spin();
      done.store(1, sc);
      t.join();
    };
    const auto two_loops = [] {
      atomic<int> g(0);
      thread t([] {});
      for (int i = 0; i < S::spin_budget && g.load(sc) == 0; ++i) S::spin();
      for (int i = 0; i < S::spin_budget && g.load(sc) == 0; ++i) S::spin();
      t.join();
    };
    passes_every_way({own_count, two_loops});
    // Two such loops, each waiting for the other to give up first: which one
    // does is a choice, which the reduction sees no race for (each round only
    // reads). Each order is found, with and without it.
    for (const int first : {0, 1})
      for (const auto& o : {dpor(), plain()}) {
        const auto r = weave::model::check(o, [first] {
          atomic<int> gave_up[2] = {atomic<int>(0), atomic<int>(0)};
          auto loop = [&gave_up](int me) {
            for (int i = 0; i < 100 && gave_up[1 - me].load(sc) == 0; ++i) S::spin();
            if (gave_up[1 - me].load(sc) == 0) gave_up[me].store(1, sc);
          };
          thread t([&] { loop(1); });
          loop(0);
          t.join();
          WEAVE_CHECK(gave_up[first].load(sc) == 0);
        });
        CPPUNIT_ASSERT_EQUAL_MESSAGE(std::to_string(first) + (o.reduction ? " with reduction" : " plain DFS") + r.report,
                                     verdict::check_failed, r.found);
      }
    // The same with spurious wake-ups on (the default), plain DFS: a
    // waiter's spurious return is a choice once a round of the spinner's
    // (615 executions; 2 with reduction), not at its spins as well.
    weave::model::options o = plain();
    o.spurious_wakeups = 1;
    const auto r = weave::model::check(o, [] {
      atomic<int> g(0);
      atomic<std::uint32_t> word(0);
      thread t([&] { (void)S::wait(word, 0u); });
      for (int i = 0; i < 100 && g.load(sc) == 0; ++i) S::spin();
      word.store(1, sc);
      S::wake_all(word);
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::pass, r.found);
    CPPUNIT_ASSERT_MESSAGE(std::to_string(r.executions), r.executions < 1000);
    // Its twins: a loop bounded past kGiveUpRounds, and one that never gives
    // up, wait for a write no thread makes; the footer says how far it went.
    constexpr int beyond = S::spin_budget + 1000 + 1;
    const auto t1 = weave::model::check(dpor(), [] {
      atomic<int> g(0);
      for (int i = 0; i < beyond && g.load(sc) == 0; ++i) S::spin();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(t1.report, verdict::deadlock, t1.found);
    CPPUNIT_ASSERT_MESSAGE(t1.report, has(t1.report, "it went round 1000 times past its idle budget"));
    const auto t2 = weave::model::check(dpor(), [] {
      atomic<int> g(0), done(0);
      thread t([&] { while (done.load(sc) == 0) S::spin(); });
      while (g.load(sc) == 0) S::spin();
      done.store(1, sc);
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(t2.report, verdict::deadlock, t2.found);
  }

  // A loop bounded by a count of its own gives up while another thread can
  // still run, before that thread's store: then it reads the flag again
  // after the loop, and finds it set or not. An earlier engine let a loop
  // go round past its idle budget only where every other thread was
  // blocked, so the loop here never gave up (the other thread never blocks),
  // and a check that it never does passed, exhaustively. The same loop
  // followed by a loop on another location, which waits for the other
  // thread's second store: giving up, the first loop's thread parks afresh
  // in the second one (a loop that reads something the first did not read is
  // no more rounds of the first). Under sc and rc11, plain DFS and with
  // reduction, for bounds just past S::spin_budget and far past it.
  void a_loop_gives_up_while_another_thread_runs() {
    constexpr auto sc = std::memory_order_seq_cst;
    using outcome = std::pair<int, int>;  // (it gave up, what it read next)
    for (const int bound : {S::spin_budget + 1, S::spin_budget + 2, 100})
      for (const auto m : {weave::model::memory_model::sc, weave::model::memory_model::rc11})
        for (auto o : {plain(), dpor()}) {
          o.memory = m;
          const std::string how = std::to_string(bound) + " rounds, " + weave::model::to_string(m) +
                                  (o.reduction ? ", with reduction: " : ", plain DFS: ");
          std::set<outcome> seen;
          const auto r = weave::model::check(o, [&seen, bound] {
            atomic<int> flag(0);
            thread t([&] { flag.store(1, sc); });
            int i = 0;
            for (; i < bound && flag.load(sc) == 0; ++i) S::spin();
            const int after = flag.load(sc);
            t.join();
            if (weave::model::counted()) seen.insert({i == bound ? 1 : 0, after});
          });
          CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
          CPPUNIT_ASSERT_MESSAGE(how, r.exhaustive);
          CPPUNIT_ASSERT_MESSAGE(how, seen == (std::set<outcome>{{0, 1}, {1, 0}, {1, 1}}));
          // The first loop gives up, then the second waits for the other
          // thread's stores (in that order, with that memory order).
          const auto give_up_then_wait = [&o, &how, bound](bool a_first, std::memory_order mo) {
            std::set<outcome> out;
            const auto run = weave::model::check(o, [&out, bound, a_first, mo] {
              atomic<int> a(0), b(0);
              thread t([&] {
                (a_first ? a : b).store(1, mo);
                (a_first ? b : a).store(1, mo);
              });
              int i = 0;
              for (; i < bound && a.load(mo) == 0; ++i) S::spin();
              while (b.load(mo) == 0) S::spin();
              const int after = a.load(mo);
              t.join();
              if (weave::model::counted()) out.insert({i == bound ? 1 : 0, after});
            });
            CPPUNIT_ASSERT_EQUAL_MESSAGE(how + run.report, verdict::pass, run.found);
            return out;
          };
          CPPUNIT_ASSERT_MESSAGE(how, give_up_then_wait(false, sc) == (std::set<outcome>{{0, 1}, {1, 0}, {1, 1}}));
          // The same with relaxed stores and loads, the first location's
          // store before the second's: having given up and seen the second
          // store, the thread reads the first location's old value under
          // rc11 only. The await rule held that read to the newer store, as
          // a round of the first loop that read nothing new (its second loop
          // had read the second store: no round of no progress, held_read).
          const std::set<outcome> relaxed = give_up_then_wait(true, rlx);
          if (m == weave::model::memory_model::rc11)
            CPPUNIT_ASSERT_MESSAGE(how, relaxed == (std::set<outcome>{{0, 1}, {1, 0}, {1, 1}}));
          else
            CPPUNIT_ASSERT_MESSAGE(how, relaxed == (std::set<outcome>{{0, 1}, {1, 1}}));
          // A poll that reads the location another thread changes by an RMW
          // and then a store, from a thread of its own: it gives up having
          // read 0 every round, or reads the RMW's value or the store's.
          // Under rc11 with reduction the first was lost: run first, its
          // loads left the RMW asleep (a load may read an older store in the
          // other order), but run after the RMW, its rounds past the budget
          // are held to the newer store (engine::wakes, held_read).
          std::set<int> polled;
          const auto third = weave::model::check(o, [&polled, bound] {
            atomic<int> y(0);
            int v = -1;
            thread writer([&] {
              y.fetch_add(10, std::memory_order_acq_rel);
              y.store(1, sc);
            });
            thread poller([&] {
              v = y.load(sc);
              for (int i = 1; i < bound && v == 0; ++i) {
                S::spin();
                v = y.load(sc);
              }
            });
            writer.join();
            poller.join();
            if (weave::model::counted()) polled.insert(v);
          });
          CPPUNIT_ASSERT_EQUAL_MESSAGE(how + third.report, verdict::pass, third.found);
          CPPUNIT_ASSERT_MESSAGE(how, polled == (std::set<int>{0, 1, 10}));
          // The twin: a check that the loop never gives up fails.
          const auto twin = weave::model::check(o, [bound] {
            atomic<int> flag(0);
            thread t([&] { flag.store(1, sc); });
            int i = 0;
            for (; i < bound && flag.load(sc) == 0; ++i) S::spin();
            t.join();
            WEAVE_CHECK(i < bound);
          });
          CPPUNIT_ASSERT_EQUAL_MESSAGE(how + twin.report, verdict::check_failed, twin.found);
        }
  }

  // Under rc11 a loop may not see a store that is there: a relaxed flag,
  // seen, does not carry the store made before it. A loop bounded by a count
  // of its own on that store may then give up, having read the old value in
  // every round. The await rule held the rounds past S::spin_budget to the
  // newer store, and the give-up offered where a loop parks never came (it
  // never parked: there was something newer to read), so under rc11 the
  // loop never gave up and a check that it never does passed, exhaustively
  // (oracle_test::checker_polls_are_their_loads under rc11 found it). With
  // release and acquire the flag carries the store, and the loop never gives
  // up, under either model; nor under sc. A loop that waits for the store
  // without a count leaves (no false DEADLOCK, and no execution in which it
  // goes round for ever). The same for a poll of a weave event's is_set(),
  // one step of an opaque call. Bounds just past the budget and far past it,
  // plain DFS and with reduction.
  void a_loop_gives_up_on_a_store_that_is_there() {
    for (const int bound : {S::spin_budget + 1, S::spin_budget + 2, 100})
      for (const auto m : {weave::model::memory_model::sc, weave::model::memory_model::rc11})
        for (auto o : {plain(), dpor()})
          for (const bool publish : {false, true}) {
            o.memory = m;
            const std::string how = std::to_string(bound) + " rounds, " + weave::model::to_string(m) +
                                    (o.reduction ? ", with reduction" : ", plain DFS") +
                                    (publish ? ", release and acquire: " : ", relaxed: ");
            // Thread t writes (write), then raises a flag; this thread waits
            // for the flag, then runs then.
            const auto after_the_flag = [publish](const auto& write, const auto& then) {
              atomic<int> flag(0);
              thread t([&] {
                write();
                flag.store(1, publish ? std::memory_order_release : rlx);  // pairs with the acquire load below
              });
              while (flag.load(publish ? std::memory_order_acquire : rlx) == 0) S::spin();
              then();
              t.join();
            };
            const auto poll = [bound, &after_the_flag](std::set<int>* gave_up) {
              atomic<int> data(0);
              int i = 0;
              after_the_flag([&] { data.store(1, rlx); },
                             [&] { for (; i < bound && data.load(rlx) == 0; ++i) S::spin(); });
              if (gave_up != nullptr && weave::model::counted()) gave_up->insert(i == bound ? 1 : 0);
              if (gave_up == nullptr) WEAVE_CHECK(i < bound);
            };
            std::set<int> seen;
            const auto r = weave::model::check(o, [&] { poll(&seen); });
            CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
            CPPUNIT_ASSERT_MESSAGE(how, r.exhaustive);
            const bool stale = m == weave::model::memory_model::rc11 && !publish;
            CPPUNIT_ASSERT_MESSAGE(how, seen == (stale ? std::set<int>{0, 1} : std::set<int>{0}));
            // The twin: a check that the loop never gives up fails where it may.
            const auto twin = weave::model::check(o, [&] { poll(nullptr); });
            CPPUNIT_ASSERT_EQUAL_MESSAGE(how + twin.report, stale ? verdict::check_failed : verdict::pass, twin.found);
            int most = 0;  // the most reads of data in an execution the search counts
            const auto waits = weave::model::check(o, [&] {
              atomic<int> data(0);
              int reads = 1;
              after_the_flag([&] { data.store(1, rlx); },
                             [&] { for (; data.load(rlx) == 0; ++reads) S::spin(); });
              if (weave::model::counted()) most = std::max(most, reads);
            });
            CPPUNIT_ASSERT_EQUAL_MESSAGE(how + waits.report, verdict::pass, waits.found);
            CPPUNIT_ASSERT_MESSAGE(how + std::to_string(most), waits.exhaustive && most <= S::spin_budget + 2);
            // The same poll of a weave event, whose is_set() is one step
            // that reads (opaque primitives, a user check's default).
            std::set<int> polled;
            const auto on_event = weave::model::check(o, [&] {
              weave::model::event ev;
              int i = 0;
              after_the_flag([&] { ev.set(); }, [&] { for (; i < bound && !ev.is_set(); ++i) S::spin(); });
              if (weave::model::counted()) polled.insert(i == bound ? 1 : 0);
            });
            CPPUNIT_ASSERT_EQUAL_MESSAGE(how + on_event.report, verdict::pass, on_event.found);
            CPPUNIT_ASSERT_MESSAGE(how, polled == seen);
          }
    // Split in slices (--shard, --jobs), under a step bound that a give-up's
    // rounds reach before kGiveUpRounds: two threads wait for a relaxed
    // store, one by an atomic, one by an event. The rounds of a give-up that
    // went on were in the fully expanded prefix, where the execution that
    // finds the loop waits trims nothing, so a slice ran the branches in
    // which the loop sees the store at each round, the last of them to the
    // step bound: a LIVELOCK where the whole search passes (differential_
    // test's poll 3301 in 3 slices).
    for (const bool on_event : {false, true}) {
      for (int k = 0; k < 3; ++k) {
        weave::model::options o = dpor();
        o.memory = weave::model::memory_model::rc11;
        o.max_steps = 300;
        o.shard_count = 3;
        o.shard_index = k;
        const auto r = weave::model::check(o, [on_event] {
          weave::model::event ev;
          atomic<int> flag(0);
          const auto set = [&] { return on_event ? ev.is_set() : flag.load(rlx) != 0; };
          thread setter([&] {
            if (on_event) ev.set();
            else flag.store(1, rlx);
          });
          thread waiter([&] { while (!set()) S::spin(); });
          while (!set()) S::spin();
          setter.join();
          waiter.join();
        });
        CPPUNIT_ASSERT_EQUAL_MESSAGE("slice " + std::to_string(k) + r.report, verdict::pass, r.found);
      }
    }
  }

  // A loop that writes as it goes round (a heartbeat, a count of its
  // rounds, a look under a lock) and calls S::spin(): the await rule cannot
  // park it, for its rounds make progress. Its spins yield, and a fair
  // scheduler runs the thread it waits for: such a spin counts as a time-out
  // for the fairness rule. It was run for ever ahead of that thread and
  // reported as a LIVELOCK, under every model and search. Now it passes,
  // bounded (the schedules that let the other thread wait longer are cut),
  // and a loop that writes while nothing will ever end it is still a
  // livelock. Under RC11 a bounded such loop after a relaxed flag may give
  // up with the store there: the stale reads past the await rule's hold are
  // cut, so the search is bounded, not a proof that it never gives up (it
  // passed exhaustively). A livelock after such a loop is a livelock,
  // replayed as found (its shortest counterexample, a search bounded by
  // preemptions, ran the loop for ever: NONDETERMINISM); there a thread
  // that the spent bound keeps from running counts as one that could run.
  void a_loop_that_writes_lets_the_others_run() {
    // Waits for ready; each round writes: a store, a fetch_add or a lock.
    const auto loop = [](atomic<int>& ready, int round) {
      atomic<int> beat(0);
      weave::model::mutex lock;
      for (int i = 0; ready.load(rlx) == 0; ++i) {
        if (round == 0) beat.store(i, rlx);
        if (round == 1) beat.fetch_add(1, rlx);
        if (round == 2) std::lock_guard<weave::model::mutex> hold(lock);
        S::spin();
      }
    };
    in_each_way(false, [&](weave::model::options o, const std::string& how) {
      for (const int round : {0, 1, 2}) {
        const std::string what = how + (round == 0 ? "a store: " : round == 1 ? "a fetch_add: " : "a lock: ");
        const auto r = weave::model::check(o, [&] {
          atomic<int> ready(0);
          thread t([&] { ready.store(1, rlx); });
          loop(ready, round);
          t.join();
        });
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + r.report, verdict::pass, r.found);
        CPPUNIT_ASSERT_MESSAGE(what, !r.exhaustive && r.unfair > 0);
        // The twin: nothing will ever store ready.
        const auto never = weave::model::check(o, [&] {
          atomic<int> ready(0), other(0);
          thread t([&] { other.store(1, rlx); });
          loop(ready, round);
          t.join();
        });
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + never.report, verdict::livelock, never.found);
      }
      // A bounded loop that writes, after a relaxed flag: under RC11 it
      // may give up with the store there.
      for (const int bound : {S::spin_budget + 1, 100}) {
        std::set<int> seen;
        const auto poll = [bound](std::set<int>* gave_up) {
          atomic<int> flag(0), data(0), beat(0);
          thread t([&] {
            data.store(1, rlx);
            flag.store(1, rlx);
          });
          while (flag.load(rlx) == 0) S::spin();
          int i = 0;
          for (; i < bound && data.load(rlx) == 0; ++i) {
            beat.store(i, rlx);
            S::spin();
          }
          t.join();
          if (gave_up != nullptr && weave::model::counted()) gave_up->insert(i == bound ? 1 : 0);
          if (gave_up == nullptr) WEAVE_CHECK(i < bound);
        };
        const std::string what = how + std::to_string(bound) + " rounds: ";
        const auto r = weave::model::check(o, [&] { poll(&seen); });
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + r.report, verdict::pass, r.found);
        const bool rc11 = o.memory == weave::model::memory_model::rc11;
        // Within the hold, every outcome, exhaustively; past it, cut.
        CPPUNIT_ASSERT_MESSAGE(what, seen == (rc11 && bound != 100 ? std::set<int>{0, 1} : std::set<int>{0}));
        CPPUNIT_ASSERT_MESSAGE(what, r.exhaustive == (!rc11 || bound != 100));
        const auto twin = weave::model::check(o, [&] { poll(nullptr); });
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + twin.report, rc11 && bound != 100 ? verdict::check_failed : verdict::pass, twin.found);
        CPPUNIT_ASSERT_MESSAGE(what, twin.found != verdict::pass || twin.exhaustive == (!rc11 || bound != 100));
      }
      // A livelock after a loop that writes, and a search bounded by preemptions.
      const auto after = [&loop] {
        atomic<int> ready(0), never(0);
        thread t([&] { ready.store(1, rlx); });
        loop(ready, 0);
        t.join();
        while (never.load(rlx) == 0) {
        }
      };
      weave::model::options s = o;
      s.max_steps = 300;
      const auto r = weave::model::check(s, after);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::livelock, r.found);
      s.preemptions = 0;
      s.minimize = false;
      const auto b = weave::model::check(s, after);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + b.report, verdict::livelock, b.found);
      CPPUNIT_ASSERT_EQUAL(0, b.preemptions);
    });
  }

  // How many idle rounds a spinner has had is a matter of what its rounds
  // read, not of where another thread's write fell against its spin. An
  // engine that took a write between a round's read and its spin as news (the
  // round was not idle) let a loop bounded past S::spin_budget by a count of
  // its own leave before the other thread's store only in schedules with the
  // write just before the spin, which the reduction took as the same as the
  // write just after it (a spin touches nothing a write does): under sc plain
  // DFS found `b` read 0, reduction did not. differential_test's bounded
  // polls grammar found it, as a search in three slices seeing more than the
  // whole. The loop parks after its budget (its rounds read what they read
  // before), and gives up before the other thread's store or after it: `b`
  // is 0 or 1 under sc (an engine that let it give up only once every other
  // thread was blocked saw 1 alone: a_loop_gives_up_while_another_thread_runs).
  void a_spinners_idle_rounds_are_what_it_read() {
    constexpr auto sc = std::memory_order_seq_cst;
    for (const auto m : {weave::model::memory_model::sc, weave::model::memory_model::rc11}) {
      std::set<int> seen[2];  // b as the loop's thread reads it, plain DFS and with reduction
      for (auto o : {plain(), dpor()}) {
        o.memory = m;
        std::set<int>& mine = seen[o.reduction ? 1 : 0];
        const auto r = weave::model::check(o, [&mine] {
          atomic<int> a(0), b(0), never(0);
          thread t([&] {
            a.fetch_add(1, sc);
            b.store(1, sc);
          });
          a.fetch_add(1, sc);
          for (int i = 0; i < S::spin_budget + 1 && never.load(sc) == 0; ++i) S::spin();
          mine.insert(b.load(sc));
          t.join();
        });
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::pass, r.found);
        CPPUNIT_ASSERT(r.exhaustive);
      }
      const std::string how = weave::model::to_string(m);
      CPPUNIT_ASSERT_MESSAGE(how + ": reduction sees what plain DFS sees", seen[0] == seen[1]);
      CPPUNIT_ASSERT_MESSAGE(how, m != weave::model::memory_model::sc || seen[0] == (std::set<int>{0, 1}));
    }
  }

  // A loop that reads one location a round, in turn (`if (a) break; spin();
  // if (b) break; spin();`), sees a store to either in the end. Under RC11 a
  // round reads a newer value after S::spin_budget rounds that read the same
  // values, and "the same" was a round against the one before it only: no
  // two rounds in a row read one location, so the loop could read `a`'s old
  // value for ever, a LIVELOCK (a DEADLOCK after the give-up rounds) on code
  // that ends on hardware. Rounds are now held to what the loop's rounds have
  // read since it last saw news (thread_data::streak). Only a location two
  // of its rounds read: a first version held a read after the loop to what
  // the first round read before the loop (a location no later round read),
  // so that `after` below could not read 0 once the store was made: a
  // behaviour lost outright, which differential_test's `clock 3229` showed
  // as a search in slices losing outcomes the whole search found (the
  // reduction reached them in one order of the read and the store only).
  void a_loop_that_reads_in_turn_sees_each_store() {
    constexpr auto sc = std::memory_order_seq_cst;
    // The loop on locations 0 and 1 (`a`, `b`), another thread storing to `stored`.
    const auto in_turn = [](int stored) {
      return [stored] {
        atomic<int> at[3] = {atomic<int>(0), atomic<int>(0), atomic<int>(0)};
        thread t([&] { at[stored].store(1, sc); });
        for (;;) {
          if (at[0].load(sc) != 0) break;
          S::spin();
          if (at[1].load(sc) != 0) break;
          S::spin();
        }
        t.join();
      };
    };
    passes_every_way({in_turn(0)});
    // Its twin: the store is to neither location.
    const auto r = weave::model::check(dpor(), in_turn(2));
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::deadlock, r.found);
    // A read before a loop of S::spin_budget + 3 rounds, and one after it.
    for (auto o : {plain(), dpor()}) {
      std::set<std::pair<int, int>> seen;  // what `a` read before the loop, and after it
      const auto around = weave::model::check(o, [&seen] {
        atomic<int> a(0), b(0);
        thread t([&] { a.store(1, rlx); });
        const int before = a.load(rlx);
        for (int i = 0; i < S::spin_budget + 3 && b.load(rlx) == 0; ++i) S::spin();
        const int after = a.load(rlx);
        t.join();
        seen.insert({before, after});
      });
      CPPUNIT_ASSERT_EQUAL_MESSAGE(around.report, verdict::pass, around.found);
      const std::set<std::pair<int, int>> rc11_allows{{0, 0}, {0, 1}, {1, 1}};
      CPPUNIT_ASSERT_MESSAGE(o.reduction ? "with reduction" : "plain DFS", seen == rc11_allows);
    }
  }

  // Python's `while not ev.wait(0.1): ...`: a loop of timed waits, with
  // another thread about to set what it waits for, ends on hardware: the other
  // thread runs while it sleeps. An earlier engine ran the schedule in which
  // it times out for ever and the other thread never runs, and reported a
  // LIVELOCK (at the default step bound, after minutes). Now a thread that
  // could run lets at most options::late_time_outs time-outs of others in a
  // row pass: an execution in which it would let one more pass is cut, and
  // the search says it is bounded. Lateness up to that is still explored (a
  // waiter that gives up after three time-outs finds the setter late), and a
  // loop nothing will end is still a livelock.
  void a_loop_of_timed_waits_is_no_livelock() {
    using namespace std::chrono_literals;
    constexpr auto acq = std::memory_order_acquire;
    constexpr auto rel = std::memory_order_release;
    const auto futex_poll = [] {
      atomic<std::uint32_t> w(0);
      thread t([&] {
        w.store(1, rel);  // pairs with the poller's acquire load
        S::wake_all(w);
      });
      while (w.load(acq) == 0) S::wait(w, 0, S::clock::now() + 1ms);
      t.join();
    };
    const auto event_poll = [] {
      weave::model::event ev;
      thread t([&] { ev.set(); });
      while (!ev.wait_for(100ms)) {
      }
      t.join();
    };
    // with cv: while not ready: cv.wait(0.01). Each time-out takes the lock
    // back; the notifier, woken by its release, must not be sent back to
    // sleep for ever (a step that ends asleep is no progress: count_late).
    const auto condition_poll = [] {
      weave::model::mutex m;
      weave::model::condition cv;
      cell<int> ready(0);
      thread t([&] {
        std::lock_guard g(m);
        ready.write() = 1;
        cv.notify_all();
      });
      {
        std::unique_lock l(m);
        while (ready.read() == 0) cv.wait_for(l, 10ms);
      }
      t.join();
    };
    const auto gives_up = [] {  // for i in range(3): if ev.wait(0.001): break
      weave::model::event ev;
      thread t([&] { ev.set(); });
      bool got = false;
      for (int i = 0; i < 3 && !got; ++i) got = ev.wait_for(1ms);
      t.join();
      WEAVE_CHECK(got);  // fails: the setter may be late by three time-outs
    };
    const auto never = [] {  // what it polls for is never written
      atomic<std::uint32_t> w(0), other(0);
      thread t([&] { other.store(1, rel); });
      while (w.load(acq) == 0) S::wait(w, 0, S::clock::now() + 1ms);
      t.join();
    };
    in_each_way(false, [&](weave::model::options o, const std::string& how) {
      o.max_steps = 300;
      for (const auto& body : {std::function<void()>(futex_poll), std::function<void()>(event_poll),
                               std::function<void()>(condition_poll)}) {
        const auto r = weave::model::check(o, body);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
        CPPUNIT_ASSERT_MESSAGE(how, r.unfair > 0 && !r.exhaustive);
      }
      auto r = weave::model::check(o, gives_up);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::check_failed, r.found);
      r = weave::model::check(o, never);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::livelock, r.found);
    });
  }

  // The clock rule (engine::clock_spin). A spin loop that waits for a
  // deadline, `while (now() < d) S::spin();`, or a timed spinlock that gives
  // up at d, was a DEADLOCK wherever nothing it read was written again: time
  // moved only at time-outs, and the await rule parked the spin for good. It
  // also never saw its deadline pass while the write it waited for was still
  // to come, so a program that breaks when it gives up passed. Time now
  // passes at such a spin where nothing it read has changed; a loop until
  // S::forever is still a deadlock, and so is a spin that read no clock.
  void a_spin_loop_on_the_clock_ends_at_its_deadline() {
    using namespace std::chrono_literals;
    constexpr auto acq = std::memory_order_acquire;
    constexpr auto rel = std::memory_order_release;
    // A timed spinlock: takes lock, or gives up at d.
    const auto lock_until = [](atomic<int>& lock, S::clock::time_point d) {
      for (;;) {
        int e = 0;
        if (lock.compare_exchange_strong(e, 1, acq, rlx)) return true;  // pairs with the holder's release
        if (S::clock::now() >= d) return false;
        S::spin();
      }
    };
    const auto alone = [] {
      const auto d = S::clock::now() + 1h;  // twelve doublings of 1 s
      while (S::clock::now() < d) S::spin();
    };
    const auto held_for_good = [&] {  // nobody unlocks: it gives up
      atomic<int> lock(1);
      WEAVE_CHECK(!lock_until(lock, S::clock::now() + 1ms));
    };
    const auto both_ends = [&] {  // the holder unlocks: it takes the lock, or gives up first
      atomic<int> lock(1), got(0, "got");
      thread h([&] { lock.store(0, rel); });
      got.store(lock_until(lock, S::clock::now() + 1ms) ? 2 : 1, rlx);
      h.join();
    };
    const auto counts_on_the_lock = [&] {  // fails: the deadline may pass before the unlock
      atomic<int> lock(1);
      thread h([&] { lock.store(0, rel); });
      const bool got = lock_until(lock, S::clock::now() + 1ms);
      h.join();
      WEAVE_CHECK(got);
    };
    const auto counts_on_time = [] {  // fails: the deadline may pass before the flag comes
      atomic<int> flag(0);
      thread t([&] { flag.store(1, rel); });
      const auto d = S::clock::now() + 1ms;
      while (flag.load(acq) == 0 && S::clock::now() < d) S::spin();
      const bool late = S::clock::now() >= d;
      t.join();
      WEAVE_CHECK(!late);
    };
    const auto until_forever = [] {  // no deadline ever passes: a deadlock
      while (S::clock::now() < S::forever) S::spin();
    };
    const auto no_clock = [] {  // read no clock: the await rule alone
      atomic<int> flag(0);
      thread t([&] { (void)flag.load(acq); });
      while (flag.load(acq) == 0) S::spin();
      t.join();
    };
    in_each_way(false, [&](weave::model::options o, const std::string& how) {
      o.max_steps = 300;
      o.outcomes = true;
      for (const auto& body : {std::function<void()>(alone), std::function<void()>(held_for_good)}) {
        const auto r = weave::model::check(o, body);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
        CPPUNIT_ASSERT_MESSAGE(how, r.exhaustive && r.unfair == 0);
      }
      auto r = weave::model::check(o, both_ends);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
      CPPUNIT_ASSERT_MESSAGE(how + r.outcomes, r.exhaustive && r.outcomes.find("got: 1 in") != std::string::npos &&
                                                   r.outcomes.find(", 2 in") != std::string::npos);
      const std::pair<std::function<void()>, verdict> found[] = {{counts_on_the_lock, verdict::check_failed},
                                                                 {counts_on_time, verdict::check_failed},
                                                                 {until_forever, verdict::deadlock},
                                                                 {no_clock, verdict::deadlock}};
      for (const auto& [body, v] : found) {
        r = weave::model::check(o, body);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, v, r.found);
      }
    });
  }

  // Reduction under the fairness cut (engine::cut_unfair). DPOR runs one
  // schedule of each class of equivalent ones, and fairness tells them
  // apart: the one it ran could be cut where the same steps in another order
  // (the time-outs moved in between the late thread's steps and its sleep)
  // are fair. With reduction on, a poller that times out while another
  // thread adds saw only the outcome "all added" (plain DFS: more), and a
  // clock spin cut at once ran no execution at all (the thread it cut slept
  // in every other branch).
  void a_cut_search_keeps_the_fair_schedules() {
    using namespace std::chrono_literals;
    const auto adds = [](atomic<std::uint32_t>& x, atomic<std::uint32_t>& v) {
      x.fetch_add(1, rlx);  // relaxed: only the count is looked at
      S::wait(v, 0, S::clock::now() + 1ms);  // asleep, it is late no more
      x.fetch_add(1, rlx);
    };
    const auto timed_waits = [&adds] {
      atomic<std::uint32_t> x(0), seen(0, "seen"), w(0), v(0);
      thread t([&] { adds(x, v); });
      for (int i = 0; i < 6; ++i) S::wait(w, 0, S::clock::now() + 1ms);  // nobody wakes it: six time-outs
      seen.store(x.load(rlx), rlx);
      t.join();
    };
    const auto clock_spin = [&adds] {
      atomic<std::uint32_t> x(0), seen(0, "seen"), v(0);
      thread t([&] { adds(x, v); });
      const auto d = S::clock::now() + 1min;  // six doublings of 1 s
      while (S::clock::now() < d) S::spin();
      seen.store(x.load(rlx), rlx);
      t.join();
    };
    // The final values, without the counts and tokens.
    const auto values = [](const std::string& table) {
      std::set<std::string> v;
      std::istringstream in(table);
      for (std::string line; std::getline(in, line);)
        if (const auto e = line.find(": --replay"); e != std::string::npos) v.insert(line.substr(0, e));
      return v;
    };
    for (const auto m : {weave::model::memory_model::sc, weave::model::memory_model::rc11})
      for (const auto& body : {std::function<void()>(timed_waits), std::function<void()>(clock_spin)}) {
        auto o = plain();
        o.memory = m;
        o.outcomes = true;
        const auto whole = weave::model::check(o, body);
        o.reduction = true;
        const auto reduced = weave::model::check(o, body);
        const std::string how = std::string(weave::model::to_string(m)) + ": plain DFS\n" + whole.outcomes +
                                "with reduction\n" + reduced.outcomes;
        CPPUNIT_ASSERT_EQUAL_MESSAGE(how, verdict::pass, reduced.found);
        CPPUNIT_ASSERT_MESSAGE(how, whole.unfair > 0 && reduced.unfair > 0 && reduced.executions > 0);
        CPPUNIT_ASSERT_MESSAGE(how, values(whole.outcomes) == values(reduced.outcomes));
        CPPUNIT_ASSERT_MESSAGE(how, reduced.executions < whole.executions);  // still a reduction
      }
  }

  // Fairness in a search bounded by preemptions (engine::count_late). A
  // clock spin lets time pass with the spinner still runnable, so once the
  // bound is spent the other thread is kept from running, and it was never
  // late: the bounded search ran the loop until its time ran out. That is
  // where the report's shortest counterexample comes from, and its replay,
  // unbounded, cut the loop at its fourth late time-out: a failure after such
  // a loop was reported as NONDETERMINISM, under every model and search, by
  // default (and with `.preemptions = 0` the search said so of itself). The
  // threads that the spent bound keeps from running count as able to run.
  void a_bounded_search_is_fair_at_a_clock_spin() {
    const auto spin_until = [](atomic<int>& flag) {
      while (flag.load(rlx) == 0) {
        (void)S::clock::now();
        S::spin();
      }
    };
    const auto body = [&spin_until](bool stores_x) {
      return [&spin_until, stores_x] {
        atomic<int> flag(0), x(0);
        thread t([&] {
          if (stores_x) x.store(1, rlx);
          flag.store(1, rlx);  // relaxed: x is read after the join
        });
        spin_until(flag);
        t.join();
        WEAVE_CHECK(x.load(rlx) == 1);  // fails where t does not store x
      };
    };
    in_each_way(false, [&](weave::model::options o, const std::string& how) {
      o.max_steps = 300;
      for (const int bound : {-1, 0, 1}) {
        o.preemptions = bound;
        const std::string with = how + "preemptions " + std::to_string(bound) + "\n";
        auto r = weave::model::check(o, body(true));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(with + r.report, verdict::pass, r.found);
        r = weave::model::check(o, body(false));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(with + r.report, verdict::check_failed, r.found);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(with + r.report, 0, r.preemptions);
        const auto again = weave::model::replay(o, body(false), r.replay);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(with + again.report, verdict::check_failed, again.found);
      }
    });
  }

  // Where fairness cuts an execution in a search bounded by preemptions,
  // the late thread runs there instead, and the switch is a fair scheduler's,
  // no preemption (engine::late_if_it_runs). A poll that reads the clock while the thread
  // it waits for holds the lock: with the bound spent, that thread's run was
  // a preemption the bound forbade, so the search cut the poll and ran no
  // execution to its end. With `.preemptions = 0` a failure after the poll
  // was a pass (bounded, 0 executions): a missed bug. The report, which
  // replays the schedule, counts no preemption there either.
  void a_bounded_search_runs_a_late_thread_at_its_cut() {
    const auto body = [](bool stores_x) {
      return [stores_x] {
        weave::model::mutex m;
        atomic<int> x(0);
        m.lock();
        thread t([&] {
          if (stores_x) x.store(1, rlx);
          m.unlock();
        });
        while (!m.try_lock()) {  // a poll: the clock, then a spin
          (void)S::clock::now();
          S::spin();
        }
        m.unlock();
        t.join();
        WEAVE_CHECK(x.load(rlx) == 1);  // fails where t does not store x
      };
    };
    in_every_way(300, [&body](weave::model::options o, const std::string& how) {
      for (const int bound : {0, 1}) {
        o.preemptions = bound;
        const std::string with = how + "preemptions " + std::to_string(bound) + "\n";
        auto r = weave::model::check(o, body(true));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(with + r.report, verdict::pass, r.found);
        CPPUNIT_ASSERT_MESSAGE(with + r.report, r.executions > 0);
        r = weave::model::check(o, body(false));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(with + r.report, verdict::check_failed, r.found);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(with + r.report, 0, r.preemptions);
        // The report, a replay of its own, counts the switch as the search did,
        // and says why it is no preemption.
        CPPUNIT_ASSERT_MESSAGE(with + r.report, has(r.report, " steps, 0 preemptions."));
        CPPUNIT_ASSERT_MESSAGE(with + r.report, has(r.report, " late (a fair scheduler runs it); "));
        const auto again = weave::model::replay(o, body(false), r.replay);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(with + again.report, verdict::check_failed, again.found);
      }
    });
  }

  // Under RC11 a relaxed read may read an old store again, but a time-out
  // means time passed, and stores become visible in the end: a store lets at
  // most options::late_time_outs time-outs of its reader pass unseen, and an
  // execution that reads past that is cut (engine::stale_past_time_outs). A
  // loop of timed waits on a relaxed flag (a worker's `while
  // (!stop.load(relaxed)) cv.wait_for(l, 10ms);`, a bare futex wait) read
  // the old value for ever: a correct program was a LIVELOCK under rc11,
  // with primitives opaque or transparent. A loop that nothing ends is
  // still a livelock, and a loop bounded to fewer rounds may give up.
  void a_store_is_seen_within_its_readers_time_outs() {
    using namespace std::chrono_literals;
    const auto futex = [](bool stops, int rounds) {
      return [stops, rounds] {
        atomic<int> stop(0), gave_up(0);
        atomic<std::uint32_t> word(0);
        thread t([&] {
          if (stops) stop.store(1, rlx);  // relaxed: the flag carries nothing
        });
        int i = 0;
        for (; stop.load(rlx) == 0 && i != rounds; ++i) (void)S::wait(word, 0, S::clock::now() + 1ms);
        t.join();
        WEAVE_CHECK(i != rounds);  // it saw the flag (rounds -1: no bound)
      };
    };
    const auto worker = [](bool stops) {
      return [stops] {
        weave::model::mutex m;
        weave::model::condition cv;
        atomic<bool> stop(false);
        thread w([&] {
          std::unique_lock l(m);
          while (!stop.load(rlx)) (void)cv.wait_for(l, 10ms);
        });
        if (stops) stop.store(true, rlx);  // relaxed: the worker only looks at the flag
        w.join();
      };
    };
    in_every_way(1000, [&futex, &worker](const weave::model::options& o, const std::string& how) {
      auto r = weave::model::check(o, futex(true, -1));
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
      CPPUNIT_ASSERT_MESSAGE(how, !r.exhaustive && r.unfair > 0);
      r = weave::model::check(o, futex(false, -1));
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::livelock, r.found);
      r = weave::model::check(o, futex(true, 2));  // the flag may come after two time-outs
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::check_failed, r.found);
      if (o.primitives == weave::model::primitive_mode::transparent && !o.reduction) return;  // (a search of millions)
      r = weave::model::check(o, worker(true));
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
      r = weave::model::check(o, worker(false));
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::livelock, r.found);
    });
  }

  // The window of a_store_is_seen_within_its_readers_time_outs, to the
  // time-out: after a store, its reader may read the old value again after
  // each of options::late_time_outs time-outs, and not after one more. The
  // reader knows the store was made when it reads `seen`, which the writer
  // stores after `stop` (relaxed: it orders nothing, so `stop` may still read
  // 0). A round that reads seen 1 and stop 0 read `stop` after its store;
  // such rounds come at most late_time_outs + 1 in a row, a time-out between
  // each two. The check that they come at most late_time_outs times fails:
  // the last of them is explored. A cut one time-out early passed every
  // other checker test and left every count of weave_models as it was.
  void a_store_goes_unseen_through_late_time_outs_and_no_more() {
    using namespace std::chrono_literals;
    const auto body = [](int most) {
      return [most] {
        atomic<int> stop(0), seen(0);
        atomic<std::uint32_t> word(0);
        thread w([&] {
          stop.store(1, rlx);  // relaxed: seen orders nothing (the test's point)
          seen.store(1, rlx);
        });
        int unseen = 0;  // rounds that read seen 1 and stop 0
        for (int round = 0; round < 8; ++round) {
          const bool after = seen.load(rlx) == 1;
          if (stop.load(rlx) == 1) break;
          if (after) ++unseen;
          (void)S::wait(word, 0, S::clock::now() + 1ms);  // times out: nothing wakes word
        }
        w.join();
        WEAVE_CHECK(unseen <= most);
      };
    };
    in_each_way(false, [&body](weave::model::options o, const std::string& how) {
      for (const int late : {1, 3}) {
        o.late_time_outs = late;
        const std::string with = how + "late_time_outs " + std::to_string(late) + ": ";
        const bool weak = o.memory == weave::model::memory_model::rc11;
        // Under sc a read after the store reads it: no such round.
        auto r = weave::model::check(o, body(weak ? late + 1 : 0));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(with + r.report, verdict::pass, r.found);
        if (!weak) continue;
        r = weave::model::check(o, body(late));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(with + r.report, verdict::check_failed, r.found);
      }
    });
  }

  // Fairness across time-outs counts a thread asleep in a timed wait as one
  // that can run (engine::late_after_time_out): the search may take its
  // time-out at any step. Only runnable threads counted, so a loop of timed
  // waits for a store that another thread makes after a timed wait of its
  // own timed out for ever while that thread slept: a correct program was a
  // LIVELOCK under every model and search (and a hand-shake, each thread in
  // such a loop for the other's store, too). Now the loop lets at most
  // options::late_time_outs time-outs pass, and the search is bounded; with
  // nothing to end the loop it is still a livelock.
  void a_thread_asleep_in_a_timed_wait_is_late() {
    using namespace std::chrono_literals;
    const auto body = [](bool stores, std::chrono::nanoseconds sleep) {
      return [stores, sleep] {
        atomic<int> go(0);
        atomic<std::uint32_t> word(0);
        thread t([&] {
          while (go.load(rlx) == 0) (void)S::wait(word, 0, S::clock::now() + 1ms);  // relaxed: go carries nothing
        });
        (void)S::wait(word, 0, S::clock::now() + sleep);  // nobody wakes it: it times out
        if (stores) go.store(1, rlx);
        t.join();
      };
    };
    in_each_way(false, [&](weave::model::options o, const std::string& how) {
      for (const std::chrono::nanoseconds sleep : {std::chrono::nanoseconds(1ms), std::chrono::nanoseconds(1h)}) {
        auto r = weave::model::check(o, body(true, sleep));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
        CPPUNIT_ASSERT_MESSAGE(how, !r.exhaustive && r.unfair > 0);
      }
      o.max_steps = 300;
      const auto r = weave::model::check(o, body(false, 1ms));
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::livelock, r.found);
    });
  }

  // Fairness across time-outs counts a thread late until it falls asleep or
  // wakes: the steps it takes meanwhile do not make it less late
  // (engine::late_after_time_out). A time-out means time passed, and in that
  // time a fair scheduler runs a thread that can run until it blocks. Any
  // step made it not late, so Python's `while not ready: cv.wait(0.01)`
  // under a lock, on a futex lock (Drepper's, as weave's mutex), was a
  // LIVELOCK under both models, with reduction and without: the thread that
  // sets `ready` only ever ran while the waiter held the lock, one step
  // between its time-outs (the lock's exchange, which found it taken, or its
  // futex wait, which found the word changed), for ever.
  void a_thread_that_only_fails_to_lock_is_late() {
    using namespace std::chrono_literals;
    const auto body = [](bool sets, bool waits_once) {
      return [sets, waits_once] {
        atomic<std::uint32_t> m(0, "m"), word(0, "word");
        cell<bool> ready(false);
        const auto lock = [&m] {  // 0 free, 1 locked, 2 locked with waiters
          while (m.exchange(2, std::memory_order_acquire) != 0) (void)S::wait(m, 2, S::forever);  // pairs with unlock's exchange
        };
        const auto unlock = [&m] {
          if (m.exchange(0, std::memory_order_release) == 2) S::wake_one(m);  // pairs with lock's exchange
        };
        thread t([&] {
          lock();
          if (sets) ready.write() = true;
          unlock();
        });
        lock();
        int rounds = 0;
        while (!ready.read()) {
          unlock();
          (void)S::wait(word, 0, S::clock::now() + 1ms);  // nobody wakes it: it times out
          lock();
          ++rounds;
        }
        unlock();
        t.join();
        WEAVE_CHECK(!waits_once || rounds == 0);
      };
    };
    in_each_way(false, [&body](weave::model::options o, const std::string& how) {
      o.spurious_wakeups = 0;  // (a smaller search; the same loop)
      o.minimize = false;      // (the verdicts are what is looked at: the LIVELOCK took minutes to minimize)
      o.max_steps = 1000;
      auto r = weave::model::check(o, body(true, false));
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
      CPPUNIT_ASSERT_MESSAGE(how, !r.exhaustive && r.unfair > 0);
      r = weave::model::check(o, body(true, true));  // the waiter may time out first
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::check_failed, r.found);
      o.max_steps = 300;
      r = weave::model::check(o, body(false, false));  // nothing ends the loop
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::livelock, r.found);
    });
  }

  // A loop of timed waits for a store, its buggy twin, and a twin that keeps
  // state between executions (the store stores a count kept outside).
  static std::function<void()> timed_loop(bool fails, int* kept) {
    using namespace std::chrono_literals;
    return [fails, kept] {
      atomic<int> done(0), x(0);
      atomic<std::uint32_t> word(0);
      thread t([&] {
        x.store(kept != nullptr ? ++*kept : 1, rlx);
        done.store(1, rlx);
      });
      while (done.load(rlx) == 0) (void)S::wait(word, 0, S::clock::now() + 1ms);  // nobody wakes it: it times out
      t.join();
      WEAVE_CHECK(!fails || x.load(rlx) == 2);
    };
  }

  // A random or PCT search of a loop of timed waits. Where the thread it
  // picks would let time pass with another thread late (a time-out, the
  // fairness rule), it runs a late one instead; under rc11 it reads only
  // stores that are not stale past the reader's time-outs. It cut the
  // execution there before: 110 of a PCT search's 1,000 executions of this
  // loop under sc (seed 1). And a PCT search cut the first execution here
  // (at seeds 1 to 3); the check for state kept between executions replayed
  // that execution's token, which stops at the cut and does not hold the
  // choice made there, and reported NONDETERMINISM for the correct loop,
  // and for its buggy twin over the failure the search had found. That
  // check now replays the first execution that ran to its end (since the
  // search runs late threads, the loop shapes tried cut no first execution).
  void a_random_search_runs_a_late_thread() {
    for (const auto m : {weave::model::memory_model::sc, weave::model::memory_model::rc11})
      for (const auto st : {weave::model::strategy::random, weave::model::strategy::pct})
        for (const std::uint64_t seed : {1, 2, 3}) {
          weave::model::options o;
          o.memory = m;
          o.search = st;
          o.seed = seed;
          o.iterations = 200;
          const std::string how = std::string(weave::model::to_string(m)) +
                                  (st == weave::model::strategy::pct ? ", pct" : ", random") + ", seed " +
                                  std::to_string(seed) + ": ";
          auto r = weave::model::check(o, timed_loop(false, nullptr));
          CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
          CPPUNIT_ASSERT_MESSAGE(how + std::to_string(r.unfair) + " cut", r.unfair == 0 && r.executions == 200);
          r = weave::model::check(o, timed_loop(true, nullptr));
          CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::check_failed, r.found);
          int kept = 0;  // the check for kept state runs: a later replay stores another count
          r = weave::model::check(o, timed_loop(false, &kept));
          CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::nondeterminism, r.found);
        }
  }

  // Under rc11 with reduction, a thread woken from a sleep set to read newer
  // stores only lists those; the token recorded the index of its read in
  // that short list, and a replay, which lists every store, took another
  // one there. This race was found and then reported as nondeterminism
  // ("did not fail the same way when replayed"), wherever the failing
  // token was printed as found (minimize off, or a counterexample with no
  // preemption to take away). Found by WEAVE_ORACLE_SOAK=99402 (race117).
  void a_token_names_the_store_a_woken_thread_read() {
    const auto body = [] {
      atomic<std::uint32_t> x(0);
      cell<int> a(0);
      thread t0([&] {
        (void)a.read();
        x.store(1, std::memory_order_release);
      });
      thread t1([&] {
        (void)x.load(std::memory_order_acquire);
        const std::uint32_t r = x.load(std::memory_order_seq_cst);
        if (r == 1) (void)a.read();
        if (r == 2) a.write() = 5;
      });
      thread t2([&] {
        if (x.exchange(2, std::memory_order_seq_cst) == 0) (void)a.read();
      });
      t0.join();
      t1.join();
      t2.join();
    };
    weave::model::options o;
    o.minimize = false;  // the token the search found is the one printed
    const auto r = weave::model::check(o, body);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::data_race, r.found);
    const auto again = weave::model::replay(o, body, r.replay);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(again.report, verdict::data_race, again.found);
  }

  void weak_cas_fails_spuriously_under_sc_too() {
    for (const auto m : {weave::model::memory_model::sc, weave::model::memory_model::rc11}) {
      for (const bool weak : {true, false}) {
        weave::model::options o;
        o.memory = m;
        const auto r = weave::model::check(o, [weak] {
          atomic<int> owner(0);
          thread t([&] {
            int expected = 0;
            const bool won = weak ? owner.compare_exchange_weak(expected, 1, std::memory_order_acq_rel,
                                                                std::memory_order_acquire)
                                  : owner.compare_exchange_strong(expected, 1, std::memory_order_acq_rel,
                                                                  std::memory_order_acquire);
            if (!won) WEAVE_CHECK(expected != 0);  // "someone else owns it": not so for a weak one
          });
          t.join();
        });
        const std::string what = std::string(weak ? "weak" : "strong") + " under " + weave::model::to_string(m);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + r.report, weak ? verdict::check_failed : verdict::pass, r.found);
        if (!weak) CPPUNIT_ASSERT_MESSAGE(what, r.exhaustive);
      }
    }
  }

  // The await rule sees an opaque call as one step (engine::changed_nothing).
  // q.try_get() on an empty queue takes and releases the queue's lock: it
  // wrote the lock's word twice, and each write reset the loop's count of idle
  // rounds, so `while (q.try_get(x) != ok) S::spin();` never parked, ran ahead
  // of the producer for ever and was reported as a LIVELOCK (and, stopped
  // inside the lock guard's destructor, ended the process: the next test).
  // Two such loops woke each other for ever with those writes (a LIVELOCK
  // too): a call that changed nothing now takes them back (engine::unwrite).
  void a_spin_loop_around_a_call_waits_for_a_write() {
    const auto polls = [] {  // the producer comes: every order passes
      weave::model::fifo_queue<int> q(1);
      thread t([&] { CPPUNIT_ASSERT(q.put(7) == weave::queue_status::ok); });
      int x = 0;
      while (q.try_get(x) != weave::queue_status::ok) S::spin();
      t.join();
      WEAVE_CHECK(x == 7);
    };
    const auto two_poll = [] {  // two pollers, one producer: neither poll's lock wakes the other (unwrite)
      weave::model::fifo_queue<int> q(2);
      const auto poll = [&] {
        int x = 0;
        while (q.try_get(x) != weave::queue_status::ok) S::spin();
      };
      thread a(poll);
      thread p([&] { CPPUNIT_ASSERT(q.put(1) == weave::queue_status::ok && q.put(2) == weave::queue_status::ok); });
      poll();
      a.join();
      p.join();
    };
    const auto polls_for_nothing = [] {  // nobody puts: the loop waits for a write that never comes
      weave::model::fifo_queue<int> q(1);
      int x = 0;
      while (q.try_get(x) != weave::queue_status::ok) S::spin();
    };
    in_each_way(false, [&](weave::model::options o, const std::string& how) {
      o.max_steps = 300;
      auto r = weave::model::check(o, polls);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
      CPPUNIT_ASSERT_MESSAGE(how, r.exhaustive);
      r = weave::model::check(o, two_poll);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::pass, r.found);
      CPPUNIT_ASSERT_MESSAGE(how, r.exhaustive);
      r = weave::model::check(o, polls_for_nothing);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(how + r.report, verdict::deadlock, r.found);
    });
  }

  // A failed execution whose threads stop inside a destructor: unwinding a
  // fiber through a noexcept frame calls std::terminate, and ended the whole
  // run. A livelock's threads now run on in turn (the loop here ends once the
  // other thread has run), and a deadlock's are abandoned, not unwound
  // (engine::teardown).
  void a_livelock_or_deadlock_in_a_destructor_is_reported() {
    struct loops_in_destructor {
      atomic<int>& flag;
      ~loops_in_destructor() {
        while (flag.load(std::memory_order_acquire) == 0) {  // no S::spin(): a livelock
        }
      }
    };
    struct joins_in_destructor {
      thread& t;
      ~joins_in_destructor() { t.join(); }
    };
    weave::model::options o = dpor();
    o.max_steps = 200;
    for (int round = 0; round < 2; ++round) {  // again: the abandoned stacks are taken again
      auto r = weave::model::check(o, [] {
        atomic<int> flag(0);
        thread t([&] { flag.store(1, std::memory_order_release); });
        { loops_in_destructor w{flag}; }
        t.join();
      });
      CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::livelock, r.found);
      r = weave::model::check(o, [] {
        atomic<int> flag(0);  // nobody sets it: the run-on cannot end the loop either
        loops_in_destructor w{flag};
      });
      CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::livelock, r.found);
      r = weave::model::check(o, [] {
        weave::model::event ev;
        thread t([&] { ev.wait(); });  // nobody sets it
        joins_in_destructor j{t};
      });
      CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::deadlock, r.found);
    }
  }

  // A loop without S::spin() is a livelock where the search runs it ahead
  // of the thread it waits for. The execution then runs on silently, its
  // threads in turn (engine::go_silent), for up to max_steps more steps;
  // under RC11 each seq_cst step asked whether its older choices keep psc
  // acyclic, over every event so far (memory.cpp's psc_consistent): with
  // 10,000 events, minutes a step, and the stall watchdog ended the process
  // blaming a loop on plain data. A silent step takes the latest store only,
  // its first choice anyway (list_choices), so the livelock is reported.
  void a_livelock_of_seq_cst_accesses_is_reported_under_rc11() {
    constexpr auto sc = std::memory_order_seq_cst;
    weave::model::options o = dpor();
    o.memory = weave::model::memory_model::rc11;
    auto r = weave::model::check(o, [] {
      atomic<int> x(0), y(0);
      thread t([&] {
        y.store(1, sc);
        x.store(2, sc);
        x.store(1, sc);
      });
      while (x.load(sc) != 1) y.load(sc);  // no S::spin()
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::livelock, r.found);
  }

  // RC11's SC order keeps a row of bits per seq_cst event, 64 to a word
  // (psc.cpp's psc_graph), and is cut back to the events the next execution
  // shares. Cut back to a whole number of words' events (64, 128), the edges
  // into the events taken away were cleared one word past each row: the
  // next row's first word, and past the graph's end for the last row. The
  // checker crashed (a segfault, no verdict) on 63 seq_cst stores and a
  // fence before a relaxed read with a choice. The graph kept is the one its
  // events build (WEAVE_PSC=verify stops the process where not), and the
  // search is the one that works psc out in full at each question.
  void sc_order_cut_back_to_whole_words() {
    for (const int n : {62, 63, 127})
      for (auto o : {dpor(), plain()})
        for (const bool buggy : {false, true}) {
          o.memory = weave::model::memory_model::rc11;
          const auto body = [n, buggy] {
            atomic<int> x(0), y(0);
            for (int i = 0; i < n; ++i) x.store(i, std::memory_order_seq_cst);
            S::fence(std::memory_order_seq_cst);
            thread t([&] {
              y.store(1, rlx);
              y.store(2, rlx);
            });
            const int seen = y.load(rlx);
            t.join();
            WEAVE_CHECK(!buggy || seen != 1);
          };
          // On a thread of its own: an engine takes the graph's room from
          // the last one that ended on its thread (engine.hpp's workspace).
          const auto check_on_a_new_thread = [&o, &body](const char* psc) {
            weave::model::result r;
            std::thread([&] {
              const scoped_env e("WEAVE_PSC", psc);
              r = weave::model::check(o, body);
            }).join();
            return r;
          };
          const weave::model::result full = check_on_a_new_thread("full");
          const weave::model::result kept = check_on_a_new_thread("verify");
          const std::string how = std::to_string(n) + " seq_cst stores" + (o.reduction ? ", with reduction" : ", plain DFS") +
                                  (buggy ? ", buggy: " : ": ");
          CPPUNIT_ASSERT_EQUAL_MESSAGE(how + kept.report, buggy ? verdict::check_failed : verdict::pass, kept.found);
          CPPUNIT_ASSERT_EQUAL_MESSAGE(how + full.report, kept.found, full.found);
          CPPUNIT_ASSERT_EQUAL_MESSAGE(how, full.executions, kept.executions);
        }
  }

  // A search that goes on past failures (options::outcomes) unwinds the
  // threads each failed execution left blocked, so that what their frames
  // own is freed: abandoned (engine::teardown), every deadlocked execution's
  // threads leaked it, and a long search grew without bound (1,000 checks of
  // 13 deadlocked executions each: 3.8 MiB peak RSS, then 33 MiB). A search
  // that stops at its failure still abandons them (the test above).
  void a_search_past_failures_unwinds_their_threads() {
    static int unwound = 0;
    struct counts_unwinding {
      ~counts_unwinding() { ++unwound; }
    };
    weave::model::options o = dpor();
    o.outcomes = true;
    unwound = 0;
    const auto r = weave::model::check(o, [] {
      weave::model::event e;  // nobody sets it: every execution deadlocks
      thread t([&] {
        counts_unwinding c;
        e.wait();
      });
      counts_unwinding c;
      t.join();
    });
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.report, verdict::deadlock, r.found);
    CPPUNIT_ASSERT(r.executions >= 1);
    // Both threads' frames, of every execution: the search's, and the first
    // run again at its end (engine::check_first_execution).
    CPPUNIT_ASSERT_EQUAL(static_cast<int>(2 * (r.executions + 1)), unwound);
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(soundness_test);
