// Fast-forward (forward.cpp): a search that runs an execution's replayed
// prefix on the threads' code alone, and takes the engine's state there from
// a snapshot, is the same search as one that works every step out.
//   - the same executions, sleep-blocked runs, verdict, counterexample token
//     and outcomes (every execution's final values), fast-forwarding off, on,
//     and verifying (WEAVE_FAST_FORWARD=verify: every other execution works
//     every step out and the state where it would have landed must be the
//     snapshot's; the others land and the restored state must be the
//     snapshot's), on bodies that use every call that hands the code
//     something (a store read, a wait's result, whether a call opens, the
//     virtual time, a thread's life), seq_cst fences among them;
//   - a pointer read while fast-forwarding is this execution's address (the
//     store's value stored again), not last time's;
//   - an atomic destroyed before the snapshot's step is not written when its
//     state is taken: its memory is another object's by then;
//   - a body that behaves differently on a later run is still nondeterminism
//     when the difference falls in the fast-forwarded prefix.
// Verify takes a snapshot wherever it can (from step 1): the small bodies
// here are fast-forwarded there, where "on" would find them too short.
#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <cstring>
#include <chrono>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "engine.hpp"
#include "weave/condition.hpp"
#include "scoped_env.hpp"
#include "weave/model.hpp"
#include "weave/mutex.hpp"
#include "weave/queue.hpp"
#include "weave/robust_mutex.hpp"

namespace {

using weave::model::thread;
using weave::model::verdict;
template <class T>
using atomic = weave::model_sync::atomic<T>;
template <class T>
using cell = weave::model_sync::cell<T>;
constexpr auto rlx = std::memory_order_relaxed;
constexpr auto acq = std::memory_order_acquire;
constexpr auto rel = std::memory_order_release;

weave::model::options with(weave::model::memory_model m, weave::model::primitive_mode p, bool reduction) {
  weave::model::options o;
  o.memory = m;
  o.primitives = p;
  o.reduction = reduction;
  o.outcomes = true;  // every execution's final values, on past failures
  o.minimize = false;
  o.max_executions = 5000;  // the transparent ones are larger: the same first 5,000 of the same order
  return o;
}

// Two producers and a consumer on a queue of one, closed by the body.
void queue_close() {
  weave::model::fifo_queue<int> q(1);
  atomic<int> got{0, "got"};
  thread p1([&] { (void)q.put(1); });
  thread p2([&] { (void)q.put(2); });
  thread c([&] {
    int v = 0;
    while (q.get(v) == weave::queue_status::ok) got.fetch_add(v, rlx);
  });
  p1.join();
  p2.join();
  q.close();
  c.join();
}

// A handshake over a condition with a timed wait (the virtual time) and
// spurious wake-ups.
void timed_handshake() {
  weave::model::mutex m;
  weave::model::condition cv;
  cell<int> ready(0);
  atomic<int> timed_out{0, "timed_out"};
  thread waiter([&] {
    std::unique_lock<weave::model::mutex> l(m);
    if (!cv.wait_for(l, std::chrono::milliseconds(5), [&] { return ready.read() != 0; }))
      timed_out.store(1, rlx);
  });
  thread setter([&] {
    {
      std::lock_guard<weave::model::mutex> l(m);
      ready.write() = 1;
    }
    cv.notify_one();
  });
  waiter.join();
  setter.join();
}

// An owner that dies holding a robust mutex (S::alive, wait_unless_dead).
void owner_dies() {
  weave::model::robust_mutex m;
  atomic<int> dead{0, "dead"};
  thread owner([&] {
    (void)m.lock();  // and returns holding it
  });
  thread next([&] {
    if (m.lock() == weave::lock_status::owner_dead) {
      dead.store(1, rlx);
      m.consistent();
    }
    m.unlock();
  });
  owner.join();
  next.join();
}

// Store buffering through seq_cst fences, and a thread that asks whether
// another is still alive: kScFence and the threads' life records change after
// the snapshots' steps, and fast-forward must restore them (a record still as
// reset is not copied into a snapshot, but reset again: snapshot::clean).
void fenced_and_alive() {
  atomic<int> x(0), y(0), r{0, "r"};
  thread a([&] {
    x.store(1, rlx);
    weave::model_sync::fence(std::memory_order_seq_cst);
    r.fetch_add(y.load(rlx), rlx);
  });
  thread b([&] {
    y.store(1, rlx);
    weave::model_sync::fence(std::memory_order_seq_cst);
    r.fetch_add(x.load(rlx) * 2, rlx);
  });
  thread c([&] { r.fetch_add(weave::model_sync::alive(2) ? 4 : 8, rlx); });  // a is T1: S::self() id 2
  a.join();
  b.join();
  c.join();
}

// Message passing of a pointer under RC11, with counters that branch.
void pointer_passing() {
  struct node {
    int v;
  };
  node a{1}, b{2};
  atomic<node*> p(nullptr);
  atomic<int> n{0, "n"};
  thread t1([&] {
    n.fetch_add(1, rlx);
    p.store(&a, rel);
    n.fetch_add(1, rlx);
  });
  thread t2([&] {
    n.fetch_add(1, rlx);
    p.store(&b, rel);
  });
  thread t3([&] {
    node* q = p.load(acq);
    if (q != nullptr) n.fetch_add(q->v * 10, rlx);
    n.fetch_add(1, rlx);
  });
  t1.join();
  t2.join();
  t3.join();
}

struct searched {
  weave::model::result r;
  std::uint64_t landed = 0;  // steps fast-forwarded
};

searched search(const char* mode, const weave::model::options& o, void (*body)()) {
  scoped_env f("WEAVE_FAST_FORWARD", mode);
  const std::uint64_t before = weave::model::detail::fast_forwarded_steps();
  searched s;
  s.r = weave::model::check(o, body);
  s.landed = weave::model::detail::fast_forwarded_steps() - before;
  return s;
}

}  // namespace

class forward_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(forward_test);
  CPPUNIT_TEST(the_same_search_off_on_and_verified);
  CPPUNIT_TEST(a_pointer_read_is_this_executions_address);
  CPPUNIT_TEST(an_object_gone_before_the_snapshot_is_left_alone);
  CPPUNIT_TEST(a_snapshot_shares_what_did_not_change_but_its_end);
  CPPUNIT_TEST(nondeterminism_in_the_fast_forwarded_prefix_is_found);
  CPPUNIT_TEST_SUITE_END();

 public:
  void the_same_search_off_on_and_verified() {
    using weave::model::memory_model;
    using weave::model::primitive_mode;
    struct body {
      const char* name;
      void (*run)();
      weave::model::options o;
    };
    const body bodies[] = {
        {"queue_close opaque", queue_close, with(memory_model::rc11, primitive_mode::opaque, true)},
        {"queue_close transparent", queue_close, with(memory_model::sc, primitive_mode::transparent, true)},
        {"timed_handshake opaque", timed_handshake, with(memory_model::rc11, primitive_mode::opaque, true)},
        {"owner_dies transparent", owner_dies, with(memory_model::rc11, primitive_mode::transparent, true)},
        {"fenced_and_alive rc11 dpor", fenced_and_alive, with(memory_model::rc11, primitive_mode::opaque, true)},
        {"pointer_passing rc11 plain", pointer_passing, with(memory_model::rc11, primitive_mode::opaque, false)},
        {"pointer_passing rc11 dpor", pointer_passing, with(memory_model::rc11, primitive_mode::opaque, true)},
    };
    for (const body& b : bodies) {
      const searched off = search("off", b.o, b.run);
      const searched on = search("on", b.o, b.run);
      const searched verified = search("verify", b.o, b.run);
      CPPUNIT_ASSERT_EQUAL_MESSAGE(b.name, std::uint64_t{0}, off.landed);
      CPPUNIT_ASSERT_MESSAGE(std::string(b.name) + ": fast-forwarded no step", verified.landed > 0);
      for (const searched* s : {&on, &verified}) {
        CPPUNIT_ASSERT_EQUAL_MESSAGE(b.name, off.r.executions, s->r.executions);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(b.name, off.r.blocked, s->r.blocked);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(b.name, off.r.found, s->r.found);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(b.name, off.r.replay, s->r.replay);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(b.name, off.r.outcomes, s->r.outcomes);
      }
    }
  }

  // Each execution's node is a new allocation (the old ones are kept, so the
  // addresses differ from run to run): a load in the fast-forwarded prefix
  // that handed back last time's value would read last time's node.
  void a_pointer_read_is_this_executions_address() {
    static std::vector<std::unique_ptr<int>> kept;
    kept.clear();
    auto body = [] {
      kept.push_back(std::make_unique<int>(7));
      int* const mine = kept.back().get();
      atomic<int*> p(nullptr);
      atomic<int> n(0);
      thread producer([&] {
        n.fetch_add(1, rlx);
        p.store(mine, rel);
        n.fetch_add(1, rlx);
      });
      thread consumer([&] {
        n.fetch_add(1, rlx);
        int* q = p.load(acq);
        n.fetch_add(1, rlx);
        WEAVE_CHECK(q == nullptr || q == mine);
      });
      n.fetch_add(1, rlx);
      producer.join();
      consumer.join();
    };
    scoped_env f("WEAVE_FAST_FORWARD", "verify");  // fast-forwards every other execution, from the first steps on
    const std::uint64_t before = weave::model::detail::fast_forwarded_steps();
    const auto r = weave::model::check(with(weave::model::memory_model::rc11, weave::model::opaque, false), body);
    CPPUNIT_ASSERT_EQUAL(verdict::pass, r.found);
    CPPUNIT_ASSERT(weave::model::detail::fast_forwarded_steps() > before);
  }

  // An atomic made in a buffer and destroyed early; the buffer then holds
  // plain data, which must be as written when the body ends.
  void an_object_gone_before_the_snapshot_is_left_alone() {
    auto body = [] {
      alignas(8) unsigned char buf[sizeof(atomic<std::uint64_t>)];
      auto* a = new (buf) atomic<std::uint64_t>(0);
      a->store(0x1111111111111111u, rlx);
      a->~atomic<std::uint64_t>();
      const std::uint64_t pattern = 0x5a5a5a5a5a5a5a5au;
      std::memcpy(buf, &pattern, sizeof pattern);
      atomic<int> n(0);
      thread t1([&] { for (int i = 0; i < 3; ++i) n.fetch_add(1, rlx); });
      thread t2([&] { for (int i = 0; i < 3; ++i) n.fetch_add(1, rlx); });
      thread t3([&] { for (int i = 0; i < 3; ++i) n.fetch_add(1, rlx); });
      t1.join();
      t2.join();
      t3.join();
      std::uint64_t now = 0;
      std::memcpy(&now, buf, sizeof now);
      WEAVE_CHECK(now == pattern);
    };
    scoped_env f("WEAVE_FAST_FORWARD", "verify");
    const std::uint64_t before = weave::model::detail::fast_forwarded_steps();
    weave::model::options o = with(weave::model::memory_model::sc, weave::model::opaque, false);
    o.outcomes = false;
    const auto r = weave::model::check(o, body);
    CPPUNIT_ASSERT_EQUAL(verdict::pass, r.found);
    CPPUNIT_ASSERT_EQUAL(std::uint64_t{1680}, r.executions);  // 9! / (3! 3! 3!)
    CPPUNIT_ASSERT(weave::model::detail::fast_forwarded_steps() > before);
  }

  // A snapshot shares the copy of an object unchanged since the snapshot
  // below it (forward.cpp, snapshot::held), but an object's end is no
  // change (object_rec::changed): `gone`, made at the start and never
  // accessed, ends between two of the body's steps, so a snapshot before
  // its end and one after share its copy and each keeps its own end. Under
  // verify (a snapshot at every step) a restore or comparison that took the
  // shared copy's end stops the process.
  void a_snapshot_shares_what_did_not_change_but_its_end() {
    auto body = [] {
      atomic<int> n(0);
      auto* gone = new atomic<int>(0);
      thread t1([&] { for (int i = 0; i < 3; ++i) n.fetch_add(1, rlx); });
      thread t2([&] { for (int i = 0; i < 2; ++i) n.fetch_add(1, rlx); });
      n.fetch_add(1, rlx);
      delete gone;
      n.fetch_add(1, rlx);
      t1.join();
      t2.join();
      WEAVE_CHECK(n.load(rlx) == 7);
    };
    scoped_env f("WEAVE_FAST_FORWARD", "verify");
    const std::uint64_t forwarded = weave::model::detail::fast_forwarded_steps();
    const std::uint64_t shared = weave::model::detail::shared_snapshot_copies();
    weave::model::options o = with(weave::model::memory_model::sc, weave::model::opaque, false);
    o.outcomes = false;
    const auto r = weave::model::check(o, body);
    CPPUNIT_ASSERT_EQUAL(verdict::pass, r.found);
    CPPUNIT_ASSERT_EQUAL(std::uint64_t{210}, r.executions);  // 7! / (3! 2! 2!): t1's, t2's and the body's fetch_adds
    CPPUNIT_ASSERT(weave::model::detail::fast_forwarded_steps() > forwarded);
    CPPUNIT_ASSERT(weave::model::detail::shared_snapshot_copies() > shared);
  }

  void nondeterminism_in_the_fast_forwarded_prefix_is_found() {
    static int runs = 0;
    runs = 0;
    auto body = [] {
      ++runs;
      atomic<int> n(0);
      thread t1([&] {
        n.fetch_add(1, rlx);
        if (runs == 200 || runs == 201) n.fetch_add(1, rlx);  // state kept across executions, early on
        for (int i = 0; i < 3; ++i) n.fetch_add(1, rlx);
      });
      thread t2([&] { for (int i = 0; i < 4; ++i) n.fetch_add(1, rlx); });
      thread t3([&] { for (int i = 0; i < 4; ++i) n.fetch_add(1, rlx); });
      t1.join();
      t2.join();
      t3.join();
    };
    scoped_env f("WEAVE_FAST_FORWARD", "verify");  // one of runs 200 and 201 is fast-forwarded
    const auto r = weave::model::check(with(weave::model::memory_model::sc, weave::model::opaque, false), body);
    CPPUNIT_ASSERT_EQUAL(verdict::nondeterminism, r.found);
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(forward_test);
