// Opaque primitives (calls.cpp): a call of a weave primitive is one step of
// the user's program. The proof that the reduction over such segments loses
// nothing: on every program here the outcomes (what the user's threads saw)
// are the same set with and without partial-order reduction, and the same as
// with the primitives transparent (every internal step a choice, every value
// RC11 allows). Then the counts that make opaque checks usable, and the trace
// and footer texts in the user's words.
#include <cppunit/extensions/HelperMacros.h>

#include <cstdio>
#include <functional>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "known_bodies.hpp"
#include "weave/event.hpp"
#include "weave/future.hpp"
#include "weave/mpmc_ring.hpp"
#include "weave/model.hpp"
#include "weave/mutex.hpp"
#include "weave/pipe.hpp"
#include "weave/queue.hpp"
#include "weave/recursive_mutex.hpp"
#include "weave/ring_queue.hpp"
#include "weave/robust_mutex.hpp"
#include "weave/semaphore.hpp"
#include "weave/spsc_ring.hpp"
#include "weave/timer.hpp"

namespace {

using weave::model::thread;
using weave::model::verdict;
template <class T>
using atomic = weave::model_sync::atomic<T>;
template <class T>
using cell = weave::model_sync::cell<T>;
constexpr auto rlx = std::memory_order_relaxed;

using outcome = std::vector<int>;
using body_fn = std::function<void(outcome&)>;

weave::model::options opaque(bool reduction = true) {
  weave::model::options o;
  o.reduction = reduction;
  return o;
}
weave::model::options transparent() {
  weave::model::options o;
  o.primitives = weave::model::transparent;
  return o;
}

// Every outcome the body records in the executions the search counts.
std::set<outcome> outcomes(const weave::model::options& o, const body_fn& body, std::uint64_t* executions = nullptr) {
  std::set<outcome> seen;
  const auto r = weave::model::check(o, [&] {
    outcome out;
    body(out);
    if (weave::model::counted()) seen.insert(out);
  });
  CPPUNIT_ASSERT_EQUAL(verdict::pass, r.found);
  CPPUNIT_ASSERT(r.exhaustive);
  if (executions != nullptr) *executions = r.executions;
  return seen;
}

// try_lock(), and unlock() if it got the lock: whether it failed.
template <class Lock>
bool try_lock_fails(Lock& m) {
  const bool got = m.try_lock();
  if (got) m.unlock();
  return !got;
}

// recv_for(0) on a pipe's receiving end: whether nothing came (a time-out).
bool nothing_came(weave::model::pipe_end& r) {
  std::vector<std::byte> got;
  return r.recv_for(got, std::chrono::milliseconds(0)).status == weave::pipe_status::timeout;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// The numbered rows of a counterexample's table ("  12  │ ...").
std::size_t table_rows(const std::string& report) {
  std::size_t n = 0, pos = 0;
  while (pos < report.size()) {
    const std::size_t end = std::min(report.find('\n', pos), report.size());
    std::size_t i = pos;
    while (i < end && report[i] == ' ') ++i;
    const std::size_t digits = i;
    while (i < end && report[i] >= '0' && report[i] <= '9') ++i;
    if (i > digits && report.compare(i, 5, "  \u2502") == 0) ++n;
    pos = end + 1;
  }
  return n;
}

// A lock around a relaxed store, and a reader that looks before and inside.
void publish_under_lock(outcome& out) {
  weave::model::mutex m;
  atomic<int> x{0};
  int r1 = -1, r2 = -1;
  thread a{[&] {
    m.lock();
    x.store(1, rlx);
    m.unlock();
  }};
  thread b{[&] {
    r1 = x.load(rlx);
    m.lock();
    r2 = x.load(rlx);
    m.unlock();
  }};
  a.join();
  b.join();
  out = {r1, r2};
}

// Three threads: who gets the lock in which order, seen through a cell.
void lock_order_of_three(outcome& out) {
  weave::model::mutex m;
  cell<int> order{0};
  int seen[3] = {};
  auto work = [&](int me) {
    m.lock();
    seen[me] = order.read();
    order.write() = order.read() * 4 + me + 1;
    m.unlock();
  };
  thread a{[&] { work(0); }}, b{[&] { work(1); }}, c{[&] { work(2); }};
  a.join();
  b.join();
  c.join();
  out = {seen[0], seen[1], seen[2], order.read()};
}

// Two locks and a user atomic touched between the calls.
void two_locks_and_a_flag(outcome& out) {
  weave::model::mutex m1, m2;
  atomic<int> flag{0};
  int r = -1, s = -1;
  thread a{[&] {
    m1.lock();
    flag.store(1, rlx);
    m1.unlock();
    m2.lock();
    flag.store(2, rlx);
    m2.unlock();
  }};
  thread b{[&] {
    m2.lock();
    r = flag.load(rlx);
    m2.unlock();
    s = flag.load(rlx);
  }};
  a.join();
  b.join();
  out = {r, s};
}

// A bounded semaphore of two permits, three threads: never three inside.
void semaphore_of_two(outcome& out) {
  weave::model::bounded_semaphore s{2};
  atomic<int> inside{0};
  atomic<int> most{0};
  auto work = [&] {
    s.acquire();
    const int now = inside.fetch_add(1, rlx) + 1;
    WEAVE_CHECK(now <= 2);
    if (now > most.load(rlx)) most.store(now, rlx);
    inside.fetch_sub(1, rlx);
    s.release();
  };
  thread a{work}, b{work}, c{work};
  a.join();
  b.join();
  c.join();
  out = {most.load(rlx)};
}

// A producer of 1 and 2, then close(); two consumers drain until closed.
void producer_two_consumers(outcome& out) {
  weave::model::fifo_queue<int> q{1};
  int sum[2] = {0, 0};
  thread producer{[&] {
    (void)q.put(1);
    (void)q.put(2);
    q.close();
  }};
  auto consume = [&](int me) {
    while (auto item = q.get()) sum[me] += *item;
  };
  thread c1{[&] { consume(0); }}, c2{[&] { consume(1); }};
  producer.join();
  c1.join();
  c2.join();
  WEAVE_CHECK(sum[0] + sum[1] == 3);
  out = {sum[0], sum[1]};
}

// Random programs over two mutexes and two relaxed or release/acquire
// atomics: each thread takes locks in one order (no deadlock), stores, loads
// and adds inside and outside them. The outcome is every value loaded and the
// atomics' final values.
struct random_program {
  struct step {
    int kind;  // 0 lock, 1 unlock, 2 store, 3 load, 4 fetch_add, 5 try_put, 6 try_get, 7 set, 8 wait_for, 9 try_acquire
    int target;
    int value;
  };
  std::vector<std::vector<step>> threads;

  bool with_primitives;

  // with_primitives: also a queue's try_put/try_get, an event's set and timed
  // wait, a semaphore's try_acquire/release (calls that never block for good).
  explicit random_program(unsigned seed, bool primitives = false) : with_primitives(primitives) {
    unsigned x = seed * 2654435761u + 12345u;
    auto next = [&](unsigned n) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      return x % n;
    };
    const int nthreads = 2 + static_cast<int>(next(2));
    for (int t = 0; t < nthreads; ++t) {
      std::vector<step> ops;
      const int blocks = nthreads == 2 ? 1 + static_cast<int>(next(2)) : 1;  // plain DFS must finish
      for (int b = 0; b < blocks; ++b) {
        const int m = static_cast<int>(next(3));  // 0, 1: that mutex; 2: no lock
        if (m < 2) ops.push_back({0, m, 0});
        const int n = 1 + static_cast<int>(next(2));
        for (int k = 0; k < n; ++k)
          ops.push_back({2 + static_cast<int>(next(with_primitives ? 8 : 3)), static_cast<int>(next(2)), 1 + t * 2 + k});
        if (m < 2) ops.push_back({1, m, 0});
      }
      threads.push_back(ops);
    }
  }

  void operator()(outcome& out) const {
    weave::model::mutex m[2];
    atomic<int> a[2] = {atomic<int>{0}, atomic<int>{0}};
    weave::model::fifo_queue<int> q{1};
    weave::model::event e;
    weave::model::bounded_semaphore sem{1};
    std::vector<std::vector<int>> loads(threads.size());
    std::vector<thread> ts;
    for (std::size_t t = 0; t < threads.size(); ++t) {
      ts.emplace_back([&, t] {
        for (const step& s : threads[t]) {
          switch (s.kind) {
            case 0: m[s.target].lock(); break;
            case 1: m[s.target].unlock(); break;
            case 2: a[s.target].store(s.value, s.value % 2 ? rlx : std::memory_order_release); break;
            case 3: loads[t].push_back(a[s.target].load(s.value % 2 ? rlx : std::memory_order_acquire)); break;
            case 4: loads[t].push_back(a[s.target].fetch_add(s.value, rlx)); break;
            case 5: loads[t].push_back(static_cast<int>(q.try_put(s.value))); break;
            case 6: {
              int v = 0;
              loads[t].push_back(static_cast<int>(q.try_get(v)) * 100 + v);
              break;
            }
            case 7: e.set(); break;
            case 8: loads[t].push_back(e.wait_for(std::chrono::seconds(1)) ? 1 : 0); break;
            default: {
              const bool got = sem.try_acquire();
              loads[t].push_back(got ? 1 : 0);
              if (got) sem.release();
              break;
            }
          }
        }
      });
    }
    for (thread& t : ts) t.join();
    for (const auto& l : loads) out.insert(out.end(), l.begin(), l.end());
    out.push_back(a[0].load(rlx));
    out.push_back(a[1].load(rlx));
  }
};

}  // namespace

class opaque_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(opaque_test);
  CPPUNIT_TEST(reduction_over_calls_keeps_every_outcome);
  CPPUNIT_TEST(opaque_outcomes_are_the_transparent_ones);
  CPPUNIT_TEST(each_primitive_opaque_is_transparent);
  CPPUNIT_TEST(random_programs_keep_every_outcome);
  CPPUNIT_TEST(random_programs_with_queues_events_semaphores);
  CPPUNIT_TEST(three_threads_around_a_mutex_is_small);
  CPPUNIT_TEST(ab_ba_deadlock_in_the_users_words);
  CPPUNIT_TEST(user_atomics_keep_weak_memory);
  CPPUNIT_TEST(semaphore_of_two_with_three_threads_is_small);
  CPPUNIT_TEST(producer_and_two_consumers_with_close_is_small);
  CPPUNIT_TEST(queue_reduction_keeps_every_outcome);
  CPPUNIT_TEST(owner_death_is_explored_at_the_call);
  CPPUNIT_TEST(consumer_never_fed_in_the_users_words);
  CPPUNIT_TEST(event_wait_and_time_out_rows);
  CPPUNIT_TEST(usage_error_row);
  CPPUNIT_TEST(late_read_in_a_call_is_said_in_calls);
  CPPUNIT_TEST(shards_keep_every_outcome);
  CPPUNIT_TEST(shards_number_subtrees_alike);
  CPPUNIT_TEST(calls_keep_pythons_order_across_primitives);
  CPPUNIT_TEST(relaxed_flag_does_not_order_a_later_call);
  CPPUNIT_TEST(robust_try_lock_decides_at_a_sleepers_bit);
  CPPUNIT_TEST(stepwise_rings_show_their_steps);
  CPPUNIT_TEST_SUITE_END();

 public:
  void reduction_over_calls_keeps_every_outcome() {
    for (const body_fn& b : {body_fn(publish_under_lock), body_fn(lock_order_of_three), body_fn(two_locks_and_a_flag)}) {
      std::uint64_t reduced = 0, all = 0;
      const auto with = outcomes(opaque(), b, &reduced);
      const auto without = outcomes(opaque(false), b, &all);
      CPPUNIT_ASSERT(with == without);
      CPPUNIT_ASSERT(reduced <= all);
    }
  }

  // Random programs 1..count: the same outcomes with and without the
  // reduction, under sc, and under RC11 for two threads (plain DFS over three
  // threads' weak-memory choices is too long for a test).
  static void random_programs_agree(unsigned count, bool primitives) {
    std::uint64_t reduced = 0, all = 0;
    for (unsigned seed = 1; seed <= count; ++seed) {
      const random_program p(seed, primitives);
      for (const auto memory : {weave::model::memory_model::sc, weave::model::memory_model::rc11}) {
        if (memory == weave::model::memory_model::rc11 && p.threads.size() > 2) continue;
        weave::model::options with = opaque(), without = opaque(false);
        with.memory = without.memory = memory;
        std::uint64_t x = 0, y = 0;
        if (outcomes(with, p, &x) != outcomes(without, p, &y))
          CPPUNIT_FAIL("random program " + std::to_string(seed) + " lost outcomes with reduction");
        reduced += x;
        all += y;
      }
    }
    std::fprintf(stderr, " [%llu executions with reduction, %llu without] ", static_cast<unsigned long long>(reduced),
                 static_cast<unsigned long long>(all));
    CPPUNIT_ASSERT(reduced < all);
  }

  void random_programs_keep_every_outcome() { random_programs_agree(150, false); }

  // Segments over several objects (a queue's lock, conditions and cells),
  // calls that block and time out (an event's wait_for).
  void random_programs_with_queues_events_semaphores() { random_programs_agree(60, true); }

  // --shard K/N and --jobs split one search: every slice's outcomes together
  // are the whole search's. A slice must not let a thread sleep through a
  // subtree another worker explored (its call's segment's footprint is not
  // here), and every slice must number the subtrees alike (a subtree's root
  // may be sleep-blocked when replayed: RC11's reads of the user's atomics).
  void shards_keep_every_outcome() {
    std::vector<body_fn> bodies = {body_fn(publish_under_lock), body_fn(lock_order_of_three),
                                   body_fn(two_locks_and_a_flag), body_fn(semaphore_of_two),
                                   body_fn(producer_two_consumers)};
    for (unsigned seed = 1; seed <= 40; ++seed) bodies.push_back(random_program(seed, true));
    for (unsigned seed = 1; seed <= 60; ++seed) bodies.push_back(random_program(seed, false));
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      const auto whole = outcomes(opaque(), bodies[i]);
      for (const int n : {2, 3, 5}) {
        std::set<outcome> joined;
        for (int k = 0; k < n; ++k) {
          weave::model::options o = opaque();
          o.shard_index = k;
          o.shard_count = n;
          const auto part = outcomes(o, bodies[i]);
          joined.insert(part.begin(), part.end());
        }
        if (joined != whole)
          CPPUNIT_FAIL("program " + std::to_string(i) + ": " + std::to_string(n) + " shards saw " +
                       std::to_string(joined.size()) + " outcomes, the whole search " + std::to_string(whole.size()));
      }
    }
  }

  // Python's order across primitives (sync.hpp), which opaque checks assume:
  // calls run as steps in one order. Two shapes that acquire/release alone
  // would break under RC11 (and on ARM), each over two primitives:
  //   R: T2 sets an event, then fails to take a mutex; it concludes that T1
  //      held the mutex then, so T1's later clear() came after its set();
  //   SB: each thread gives one primitive and then looks at the other; one
  //      of them must see the other's.
  // Transparent under RC11 (every value the memory model allows) both pass
  // only because the calls' linearization points and deciding reads are
  // seq_cst; with the mutex's, event's and semaphore's earlier
  // acquire/release orders both failed (found by checker.differential's soak).
  void calls_keep_pythons_order_across_primitives() {
    auto r_shape = [](auto& m, auto try_lock) {
      weave::model::event e;
      bool got = true;
      thread t1{[&] {
        (void)m.lock();
        m.unlock();
        e.clear();
      }};
      thread t2{[&] {
        e.set();
        got = try_lock(m);
        if (got) m.unlock();
      }};
      t1.join();
      t2.join();
      WEAVE_CHECK(got || !e.is_set());
    };
    const auto r_mutex = [&] {
      weave::model::mutex m;
      r_shape(m, [](auto& x) { return x.try_lock(); });
    };
    const auto r_robust_mutex = [&] {
      weave::model::robust_mutex m;
      r_shape(m, [](auto& x) { return x.try_lock() == weave::lock_status::acquired; });
    };
    auto sb_shape = [] {
      weave::model::event e;
      weave::model::counting_semaphore s(0);
      bool took = false, saw = false;
      thread t1{[&] {
        e.set();
        took = s.try_acquire();
      }};
      thread t2{[&] {
        s.release();
        saw = e.is_set();
      }};
      t1.join();
      t2.join();
      WEAVE_CHECK(took || saw);
    };
    weave::model::options sc = transparent();
    sc.memory = weave::model::memory_model::sc;
    for (const auto& body : {std::function<void()>(r_mutex), std::function<void()>(sb_shape),
                             std::function<void()>(r_robust_mutex)}) {
      CPPUNIT_ASSERT_EQUAL(verdict::pass, weave::model::check(opaque(), body).found);
      CPPUNIT_ASSERT_EQUAL(verdict::pass, weave::model::check(sc, body).found);
      CPPUNIT_ASSERT_EQUAL(verdict::pass, weave::model::check(transparent(), body).found);
    }
  }

  // Python's order covers calls, not the user's atomics that do not
  // synchronize. T2 reads, relaxed, what T1 added after it changed a
  // primitive, and the call T2 makes next may still answer from before that
  // change under RC11 (and on ARM: the two loads reorder): a failed
  // try_lock() after unlock(), is_set() false after set(), a failed
  // try_acquire() after release(), a wait that returns at once on an event
  // set and cleared since, a set() that finds it "already set" and so leaves
  // it clear, a pipe's recv_for or poll that finds nothing sent or no close,
  // a send that finds the reader's end open. Opaque checks must find each as transparent ones do (a call
  // that answers from its reads says so, and they take RC11's values:
  // calls.cpp); with a release/acquire flag none can happen. Found by
  // checker.differential's soak (seed 76010, program blocking173), which
  // opaque checks missed.
  void relaxed_flag_does_not_order_a_later_call() {
    struct primitives {
      weave::model::mutex m;
      weave::model::recursive_mutex r;
      weave::model::robust_mutex rb;
      weave::model::event e;
      weave::model::counting_semaphore s{0};
      weave::model::promise<int> p;
      weave::model::future<int> f = p.get_future();
      weave::model::timer tm{std::chrono::seconds(1), [] {}};
      // One way: first the receiving end, second the sending one.
      std::pair<weave::model::pipe_end, weave::model::pipe_end> pp =
          weave::model::pipe_end::make_local({.duplex = false, .capacity = 16});
    };
    struct shape {
      const char* name;
      void (*change)(primitives&);  // T1, before it raises the flag
      bool (*stale)(primitives&);   // T2, after it read the flag: whether it answered from before the change
      bool possible;                // whether RC11 allows that answer after a relaxed read of 1
    };
    const shape shapes[] = {
        {"mutex try_lock", [](primitives& x) { x.m.lock(), x.m.unlock(); },
         [](primitives& x) { return try_lock_fails(x.m); }, true},
        {"recursive_mutex try_lock", [](primitives& x) { x.r.lock(), x.r.unlock(); },
         [](primitives& x) { return try_lock_fails(x.r); }, true},
        // Its try_lock spins, then decides "held" again at a CAS: a late
        // "held" needs a sleeper's bit, which this shape does not set
        // (robust_try_lock_decides_at_a_sleepers_bit sets it).
        {"robust_mutex try_lock", [](primitives& x) { (void)x.rb.lock(), x.rb.unlock(); },
         [](primitives& x) {
           const bool got = x.rb.try_lock() == weave::lock_status::acquired;
           if (got) x.rb.unlock();
           return !got;
         },
         false},
        {"event is_set", [](primitives& x) { x.e.set(); }, [](primitives& x) { return !x.e.is_set(); }, true},
        {"event wait_for", [](primitives& x) { x.e.set(), x.e.clear(); },
         [](primitives& x) { return x.e.wait_for(std::chrono::milliseconds(0)); }, true},
        {"event set", [](primitives& x) { x.e.set(), x.e.clear(); },
         [](primitives& x) {
           x.e.set();
           return !x.e.is_set();
         },
         true},
        {"semaphore try_acquire", [](primitives& x) { x.s.release(); }, [](primitives& x) { return !x.s.try_acquire(); },
         true},
        {"future done", [](primitives& x) { (void)x.p.set_value(1); }, [](primitives& x) { return !x.f.done(); }, true},
        {"timer status", [](primitives& x) { (void)x.tm.cancel(); },
         [](primitives& x) { return !x.tm.status().has_value(); }, true},
        {"pipe recv_for", [](primitives& x) { (void)x.pp.second.send(std::string_view("x")); },
         [](primitives& x) { return nothing_came(x.pp.first); }, true},
        {"pipe poll", [](primitives& x) { (void)x.pp.second.send(std::string_view("x")); },
         [](primitives& x) { return !x.pp.first.poll(); }, true},
        {"pipe recv_for after close", [](primitives& x) { x.pp.second.close(); },
         [](primitives& x) { return nothing_came(x.pp.first); }, true},
        {"pipe send after close", [](primitives& x) { x.pp.first.close(); },
         [](primitives& x) { return x.pp.second.send(std::string_view("x")) == weave::pipe_status::ok; }, true},
    };
    for (const std::memory_order load : {std::memory_order_relaxed, std::memory_order_acquire})
      for (const shape& sh : shapes) {
        std::vector<bool> found;
        for (const weave::model::options& o : {transparent(), opaque(), opaque(false)}) {
          bool stale = false;
          const auto r = weave::model::check(o, [&] {
            primitives x;
            atomic<unsigned> flag(0);
            unsigned seen = 0;
            bool old = false;
            thread t1{[&] {
              sh.change(x);
              flag.fetch_add(1, std::memory_order_acq_rel);
            }};
            thread t2{[&] {
              seen = flag.load(load);
              old = sh.stale(x);
            }};
            t1.join();
            t2.join();
            if (seen == 1 && old) stale = true;
          });
          CPPUNIT_ASSERT_EQUAL(verdict::pass, r.found);
          found.push_back(stale);
        }
        const std::string what = std::string(sh.name) + (load == std::memory_order_relaxed ? ", relaxed" : ", acquire");
        const bool possible = load == std::memory_order_relaxed && sh.possible;
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ", transparent", possible, static_cast<bool>(found[0]));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ", opaque", possible, static_cast<bool>(found[1]));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ", opaque without reduction", possible, static_cast<bool>(found[2]));
      }
  }

  // robust_mutex's try_lock and try_lock_for decide "held" without a CAS
  // when the word they read has a sleeper's bit: T1 and T3 each lock and
  // unlock (one of them may park, setting the bit), then raise a flag; T2
  // reads both flags, relaxed, and may still read the word as it was while
  // the other one slept on it. A transparent search finds it (after some
  // millions of executions: too long for here); opaque checks must find it as
  // well, for try_lock and for a try_lock_for whose deadline has passed, and
  // never with acquire loads.
  void robust_try_lock_decides_at_a_sleepers_bit() {
    for (const bool timed : {false, true})
      for (const std::memory_order load : {std::memory_order_relaxed, std::memory_order_acquire}) {
        bool stale = false;
        const auto r = weave::model::check(opaque(), [&] {
          weave::model::robust_mutex m;
          atomic<unsigned> f1(0), f3(0);
          unsigned s1 = 0, s3 = 0;
          bool got = true;
          const auto lock_unlock_raise = [&m](atomic<unsigned>& f) {
            (void)m.lock();
            m.unlock();
            f.fetch_add(1, std::memory_order_acq_rel);
          };
          thread t1{[&] { lock_unlock_raise(f1); }};
          thread t3{[&] { lock_unlock_raise(f3); }};
          thread t2{[&] {
            s1 = f1.load(load);
            s3 = f3.load(load);
            got = (timed ? m.try_lock_for(std::chrono::milliseconds(0)) : m.try_lock()) == weave::lock_status::acquired;
            if (got) m.unlock();
          }};
          t1.join();
          t3.join();
          t2.join();
          if (s1 == 1 && s3 == 1 && !got) stale = true;
        });
        CPPUNIT_ASSERT_EQUAL(verdict::pass, r.found);
        CPPUNIT_ASSERT_EQUAL(load == std::memory_order_relaxed, stale);
      }
  }

  // A lock-free ring's operations are not linearizable: T2 finds the ring
  // full (T1's push has claimed the only slot and not yet published it), then
  // empty, and nobody else takes from it. Run as one step per call, both
  // rings passed this check (found by checker.differential's soak, ring_queue
  // against its transparent search); calls::stepwise shows their steps.
  // fifo_queue, under one lock, is linearizable: it passes either way. The
  // single-producer ring is linearizable in interleavings, not under RC11:
  // its producer and consumer may each read the other's index late (spsc_ring
  // R6), so 1 and 2 go in, 3 finds it full, and the consumer finds 1, then
  // nothing.
  void stepwise_rings_show_their_steps() {
    auto full_then_empty = [](auto& q, auto push, auto pop) {
      bool pushed = true, popped = true;
      thread t1{[&] { (void)push(q, 1); }};
      thread t2{[&] {
        pushed = push(q, 2);
        popped = pop(q);
      }};
      t1.join();
      t2.join();
      WEAVE_CHECK(pushed || popped);
    };
    const auto ring = [&] {
      weave::model::mpmc_ring<int> r(1);
      full_then_empty(r, [](auto& q, int v) { return q.try_push(v); }, [](auto& q) { return q.try_pop().has_value(); });
    };
    auto put = [](auto& q, int v) { return q.try_put(v) == weave::queue_status::ok; };
    auto get = [](auto& q) {
      int v = 0;
      return q.try_get(v) == weave::queue_status::ok;
    };
    const auto ring_queue = [&] {
      weave::model::ring_queue<int> q(1);
      full_then_empty(q, put, get);
    };
    const auto fifo_queue = [&] {
      weave::model::fifo_queue<int> q(1);
      full_then_empty(q, put, get);
    };
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, weave::model::check(opaque(), ring).found);
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, weave::model::check(opaque(), ring_queue).found);
    CPPUNIT_ASSERT_EQUAL(verdict::pass, weave::model::check(opaque(), fifo_queue).found);
    CPPUNIT_ASSERT_EQUAL(verdict::pass, weave::model::check(transparent(), fifo_queue).found);
    const auto spsc = [] {
      weave::model::spsc_ring<int> r(2);
      bool pushed[3] = {}, popped[2] = {};
      thread producer{[&] {
        for (int i = 0; i < 3; ++i) pushed[i] = r.try_push(i + 1);
      }};
      for (bool& p : popped) p = r.try_pop().has_value();
      producer.join();
      WEAVE_CHECK(!(pushed[0] && pushed[1] && !pushed[2] && popped[0] && !popped[1]));
    };
    weave::model::options interleavings = opaque();
    interleavings.memory = weave::model::memory_model::sc;
    CPPUNIT_ASSERT_EQUAL(verdict::pass, weave::model::check(interleavings, spsc).found);
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, weave::model::check(opaque(), spsc).found);
  }

  // Every slice numbers the subtrees below the shared prefix alike, so each
  // subtree is explored by exactly one: the slices' executions add up to the
  // whole search's. Two producers and a consumer trying a one-slot ring,
  // transparent under RC11: a subtree's root is sleep-blocked when replayed
  // (its every read was covered where the thread fell asleep), an execution
  // that once was counted as one of the prefix (a subtree of its own) in the
  // slice exploring that subtree only.
  void shards_number_subtrees_alike() {
    const body_fn ring = [](outcome& out) {
      weave::model::mpmc_ring<int> r(1);
      int pushed[3] = {0, 0, 0}, popped[2] = {0, 0};
      thread p1{[&] { pushed[1] = r.try_push(1) ? 1 : 0; }};
      thread p2{[&] { pushed[2] = r.try_push(2) ? 1 : 0; }};
      for (int& v : popped)
        if (std::optional<int> got = r.try_pop()) v = *got;
      p1.join();
      p2.join();
      out = {pushed[1], pushed[2], popped[0], popped[1]};
    };
    std::uint64_t whole_runs = 0;
    const auto whole = outcomes(transparent(), ring, &whole_runs);
    for (const int n : {2, 3, 5}) {
      std::set<outcome> joined;
      std::uint64_t runs = 0;
      for (int k = 0; k < n; ++k) {
        weave::model::options o = transparent();
        o.shard_index = k;
        o.shard_count = n;
        std::uint64_t part_runs = 0;
        const auto part = outcomes(o, ring, &part_runs);
        joined.insert(part.begin(), part.end());
        runs += part_runs;
      }
      CPPUNIT_ASSERT(joined == whole);
      CPPUNIT_ASSERT_EQUAL(whole_runs, runs);
    }
  }

  void opaque_outcomes_are_the_transparent_ones() {
    for (const body_fn& b : {body_fn(publish_under_lock), body_fn(two_locks_and_a_flag)})
      CPPUNIT_ASSERT(outcomes(opaque(), b) == outcomes(transparent(), b));
  }

  void each_primitive_opaque_is_transparent() {
    // Small programs per primitive, one call or two per thread: what the
    // user's threads see is the same with the primitive as one step and with
    // every internal step a choice. (The primitives' own checks in
    // models/checks/ cover them at length, transparent.)
    const std::vector<std::pair<const char*, body_fn>> programs = {
        {"event set / wait_for", [](outcome& out) {
           weave::model::event e;
           atomic<int> x{0};
           int r = -1, w = -1;
           thread a{[&] {
             x.store(1, rlx);
             e.set();
           }};
           w = e.wait_for(std::chrono::seconds(1)) ? 1 : 0;
           r = x.load(rlx);
           a.join();
           out = {w, r};
         }},
        {"semaphore release / try_acquire_for", [](outcome& out) {
           weave::model::counting_semaphore s{0};
           atomic<int> x{0};
           int got = -1, r = -1;
           thread a{[&] {
             x.store(1, rlx);
             s.release();
           }};
           got = s.try_acquire_for(std::chrono::seconds(1)) ? 1 : 0;
           r = x.load(rlx);
           a.join();
           out = {got, r};
         }},
        {"queue put / try_get", [](outcome& out) {
           weave::model::fifo_queue<int> q{1};
           atomic<int> x{0};
           int v = 0, st = -1, r = -1;
           thread a{[&] {
             x.store(1, rlx);
             (void)q.put(7);
           }};
           st = static_cast<int>(q.try_get(v));
           r = x.load(rlx);
           a.join();
           out = {st, v, r};
         }},
        {"mutex try_lock", [](outcome& out) {
           weave::model::mutex m;
           int got = -1;
           thread a{[&] {
             m.lock();
             m.unlock();
           }};
           got = m.try_lock() ? 1 : 0;
           if (got == 1) m.unlock();
           a.join();
           out = {got};
         }},
    };
    for (const auto& [what, b] : programs)
      if (outcomes(opaque(), b) != outcomes(transparent(), b))
        CPPUNIT_FAIL(std::string(what) + ": opaque and transparent outcomes differ");
  }

  void three_threads_around_a_mutex_is_small() {
    // Transparent, this is 284,478 executions (1.5 s): every CAS, spin and
    // futex step of the mutex a choice.
    std::uint64_t n = 0;
    const auto seen = outcomes(opaque(), lock_order_of_three, &n);
    CPPUNIT_ASSERT_EQUAL(std::size_t(6), seen.size());  // the 3! orders
    CPPUNIT_ASSERT(n <= 100);
  }

  void ab_ba_deadlock_in_the_users_words() {
    const auto r = weave::model::check(opaque(), weave::model::test::ab_ba_named);
    CPPUNIT_ASSERT_EQUAL(verdict::deadlock, r.found);
    const std::string& t = r.report;
    CPPUNIT_ASSERT(has(t, "lock_A.lock()  known_bodies.hpp:"));
    CPPUNIT_ASSERT(has(t, "lock_B.lock() → blocks: the lock is held  known_bodies.hpp:"));
    CPPUNIT_ASSERT(has(t, "Tom is blocked in lock_B.lock() at known_bodies.hpp:"));
    CPPUNIT_ASSERT(has(t, " and holds lock_A; lock_B is held by Jerry."));
    CPPUNIT_ASSERT(has(t, "Jerry is blocked in lock_A.lock() at known_bodies.hpp:"));
    CPPUNIT_ASSERT(has(t, "Wait-for cycle: Tom waits for lock_B held by Jerry waits for lock_A held by Tom."));
    CPPUNIT_ASSERT(!has(t, "mutex.hpp"));  // nothing of weave's internals
    const std::size_t rows = table_rows(t);
    CPPUNIT_ASSERT(rows >= 3 && rows <= 12);
  }

  void semaphore_of_two_with_three_threads_is_small() {
    // Transparent (and before opaque primitives): 13,823,592 executions, 113 s.
    std::uint64_t n = 0;
    const auto seen = outcomes(opaque(), semaphore_of_two, &n);
    CPPUNIT_ASSERT(seen.size() >= 2);  // at most 2 inside at once; how many met
    std::fprintf(stderr, " [%llu executions] ", static_cast<unsigned long long>(n));
    CPPUNIT_ASSERT(n <= 10000);
  }

  void producer_and_two_consumers_with_close_is_small() {
    // Transparent: 26,087,646 executions at 2 preemptions (473 s), unbounded unfinished.
    std::uint64_t n = 0;
    const auto seen = outcomes(opaque(), producer_two_consumers, &n);
    CPPUNIT_ASSERT(seen.count(outcome{3, 0}) == 1 && seen.count(outcome{0, 3}) == 1);  // who got what varies
    std::fprintf(stderr, " [%llu executions] ", static_cast<unsigned long long>(n));
    CPPUNIT_ASSERT(n <= 5000);
  }

  void queue_reduction_keeps_every_outcome() {
    // One producer, one consumer, capacity 1, close, and a user atomic
    // between the calls. (Transparent, the queue's mutex and conditions make
    // this search minutes long; the queue's own checks cover its internals.)
    const body_fn b = [](outcome& out) {
      weave::model::fifo_queue<int> q{1};
      atomic<int> seen_after{0};
      int got = 0;
      thread producer{[&] {
        (void)q.put(1);
        seen_after.store(1, rlx);
        (void)q.put(2);
        q.close();
      }};
      int first = -1;
      while (auto item = q.get()) {
        if (first < 0) first = seen_after.load(rlx);
        got = got * 10 + *item;
      }
      producer.join();
      out = {got, first};
    };
    CPPUNIT_ASSERT(outcomes(opaque(), b) == outcomes(opaque(false), b));
    CPPUNIT_ASSERT(outcomes(opaque(), producer_two_consumers) == outcomes(opaque(false), producer_two_consumers));
    CPPUNIT_ASSERT(outcomes(opaque(), semaphore_of_two) == outcomes(opaque(false), semaphore_of_two));
  }

  void owner_death_is_explored_at_the_call() {
    // A thread that returns holding a robust mutex has died holding it: the
    // next lock() says owner_dead, or (if it came first) acquired, and a third
    // thread that asks later sees whatever the second left.
    const body_fn b = [](outcome& out) {
      weave::model::robust_mutex m{"m"};
      atomic<int> data{0};
      int first = -1, second = -1;
      thread dies{[&] {
        (void)m.lock();
        data.store(1, rlx);
      }};
      thread heir{[&] {
        first = static_cast<int>(m.lock());
        if (first == static_cast<int>(weave::lock_status::owner_dead)) m.consistent();
        second = data.load(rlx);
        m.unlock();
      }};
      dies.join();
      heir.join();
      out = {first, second};
    };
    const auto with = outcomes(opaque(), b);
    CPPUNIT_ASSERT(with == outcomes(opaque(false), b));
    CPPUNIT_ASSERT(with.count(outcome{static_cast<int>(weave::lock_status::owner_dead), 1}) == 1);
    CPPUNIT_ASSERT(with.count(outcome{static_cast<int>(weave::lock_status::acquired), 0}) == 1);
  }

  void consumer_never_fed_in_the_users_words() {
    const auto r = weave::model::check(opaque(), [] {
      weave::model::fifo_queue<int> q{2, "q"};
      thread producer{"producer", [&] { (void)q.put(1); }};
      thread consumer{"consumer", [&] {
        while (auto item = q.get()) {
        }
      }};
      producer.join();
      consumer.join();
    });
    CPPUNIT_ASSERT_EQUAL(verdict::deadlock, r.found);
    const std::string& t = r.report;
    CPPUNIT_ASSERT(has(t, "q.put(1)  opaque_test.cpp:"));
    CPPUNIT_ASSERT(has(t, "q.get() → blocks: the queue is empty  opaque_test.cpp:"));
    CPPUNIT_ASSERT(has(t, "consumer is blocked in q.get() at opaque_test.cpp:"));
    CPPUNIT_ASSERT(has(t, ": the queue is empty."));
    CPPUNIT_ASSERT(!has(t, "queue.hpp") && !has(t, "condition.hpp") && !has(t, "mutex.hpp"));
    const std::size_t rows = table_rows(t);
    CPPUNIT_ASSERT(rows >= 2 && rows <= 12);
  }

  void event_wait_and_time_out_rows() {
    const auto r = weave::model::check(opaque(), [] {
      weave::model::event e{"e"};
      thread setter{"setter", [&] { e.set(); }};
      const bool set = e.wait_for(std::chrono::seconds(2));
      setter.join();
      WEAVE_CHECK(set);
    });
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, r.found);
    CPPUNIT_ASSERT(has(r.report, "e.wait_for(2s) → timed out  opaque_test.cpp:"));
    const auto w = weave::model::check(opaque(), [] {
      weave::model::event e{"e"};
      thread setter{"setter", [&] { e.set(); }};
      e.wait();
      WEAVE_CHECK(false);
    });
    // the failing execution that is shortest to read: wait, set, woken
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, w.found);
    CPPUNIT_ASSERT(has(w.report, "e.wait() → blocks: the event is not set  opaque_test.cpp:"));
    CPPUNIT_ASSERT(has(w.report, "e.wait() ← woken  opaque_test.cpp:"));
    CPPUNIT_ASSERT(has(w.report, "e.set()  opaque_test.cpp:"));
    const auto b = weave::model::check(opaque(), [] {
      weave::model::event e{"e"};
      thread waiter{"waiter", [&] {
        e.wait();
        WEAVE_CHECK(false);
      }};
      e.set();
      waiter.join();
    });
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, b.found);
    CPPUNIT_ASSERT(has(b.report, "e.set()  opaque_test.cpp:"));
  }

  void usage_error_row() {
    const auto r = weave::model::check(opaque(), [] {
      weave::model::bounded_semaphore sem{1, "sem"};
      thread tom{"Tom", [&] { sem.release(); }};
      tom.join();
    });
    CPPUNIT_ASSERT_EQUAL(verdict::usage_error, r.found);
    CPPUNIT_ASSERT(has(r.report, "sem.release(1) → usage_error  opaque_test.cpp:"));
    CPPUNIT_ASSERT(has(r.report, "Tom threw weave::usage_error: weave::bounded_semaphore:"));
  }

  // A call that decides at a late read of its primitive's word (call.
  // reads_decide()) is said in calls under its row: which call's change it
  // saw and which it did not; the word itself is not the user's.
  void late_read_in_a_call_is_said_in_calls() {
    const auto r = weave::model::check(opaque(), [] {
      weave::model::mutex m{"m"};
      atomic<unsigned> flag(0);
      unsigned seen = 0;
      bool got = true;
      thread t1{[&] {
        m.lock();
        m.unlock();
        flag.fetch_add(1, std::memory_order_acq_rel);
      }};
      thread t2{[&] {
        seen = flag.load(rlx);
        got = !try_lock_fails(m);
      }};
      t1.join();
      t2.join();
      WEAVE_CHECK(seen == 0 || got);
    });
    CPPUNIT_ASSERT_EQUAL(verdict::check_failed, r.found);
    CPPUNIT_ASSERT(has(r.report, "m.try_lock() → false  opaque_test.cpp:"));
    CPPUNIT_ASSERT(has(r.report, "T2's m.try_lock() sees m as T1's m.lock() at step 1 left it; T1's m.unlock() at step 2 "
                                 "is not visible to it (weak memory)"));
  }

  void user_atomics_keep_weak_memory() {
    // Message passing through relaxed atomics, next to a mutex the threads
    // never share: the stale read (flag 1, data 0) is still found.
    const auto seen = outcomes(opaque(), [](outcome& out) {
      weave::model::mutex m;
      atomic<int> data{0}, flag{0};
      int f = -1, d = -1;
      thread a{[&] {
        m.lock();
        m.unlock();
        data.store(1, rlx);
        flag.store(1, rlx);
      }};
      thread b{[&] {
        f = flag.load(rlx);
        d = data.load(rlx);
      }};
      a.join();
      b.join();
      out = {f, d};
    });
    CPPUNIT_ASSERT(seen.count(outcome{1, 0}) == 1);
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(opaque_test);
