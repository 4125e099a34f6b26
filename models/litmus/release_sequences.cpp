// Release sequences: which later stores to a location still carry a release
// store's synchronisation to an acquire load that reads them. The MP shape,
// the flag x written by a release store and then by something else:
//
//   T1: d = 1; x.store(1, release)   T2: a = x.<write 2>   T3: r1 = x.load(acquire); r2 = d
//                                    weak: a == 1 (T2 read T1's store), r1 == 2, r2 == 0
//
// An RMW that reads the release store continues its release sequence, in any
// thread: T3 synchronises with T1 and must see d == 1. A plain store does not,
// not even in T1 itself: C++20 ([intro.races], "release sequence") keeps only
// RMWs in a release sequence; P0982R1 ("Weaken Release Sequences", adopted for
// C++20) dropped the earlier rule that later stores of the releasing thread
// continue it. RC11 as published in 2017 still has that older rule
// (rs = [W] ; po|loc? ; [W ⊒ rlx] ; (rf ; rmw)*), under which
// litmus_rs_same_thread_store_weak_found would be forbidden; the checker
// follows C++20 here.
//
// Sources: Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing Sequential
// Consistency in C/C++11" (PLDI 2017): sw and rs, the Coherence axiom
// (litmus.hpp); the C++20 standard, [intro.races] and [atomics.fences];
// H.-J. Boehm, P0982R1. Each verdict below is derived by hand from them.
#include <array>
#include <functional>

#include "litmus/litmus.hpp"

using namespace weave::litmus;

namespace {

// T1 stores d, then releases x = 1; `second` (in T2) writes 2 to x and
// returns the value it read; T3 acquires x, then reads d. Returns {a, r1, r2}.
std::array<int, 3> rs_other_thread(const std::function<int(location&)>& second,
                                   bool fence_release = false) {
  location d, x;
  std::array<int, 3> r{-1, -1, -1};
  thread t1([&] {
    d.store(1, rlx);
    if (fence_release) {
      S::fence(rel);  // the release fence makes x's relaxed store a release (fence–access sw)
      x.store(1, rlx);
    } else {
      x.store(1, rel);
    }
  });
  thread t2([&] { r[0] = second(x); });
  thread t3([&] {
    r[1] = x.load(acq);
    r[2] = d.load(rlx);
  });
  t1.join();
  t2.join();
  t3.join();
  return r;
}

// T1 stores d, releases x = 1, then `second` writes 2 to x in T1 itself; T2
// acquires x, then reads d. Returns {r1, r2}.
std::array<int, 2> rs_same_thread(const std::function<void(location&)>& second) {
  location d, x;
  std::array<int, 2> r{-1, -1};
  thread t1([&] {
    d.store(1, rlx);
    x.store(1, rel);
    second(x);
  });
  thread t2([&] {
    r[0] = x.load(acq);
    r[1] = d.load(rlx);
  });
  t1.join();
  t2.join();
  return r;
}

int rmw_to_2(location& x) { return x.exchange(2, rlx); }  // relaxed: the RMW's own order adds nothing

int load_then_store_2(location& x) {
  const int seen = x.load(rlx);
  x.store(2, rlx);  // relaxed and not an RMW: it heads no release sequence and continues none
  return seen;
}

constexpr std::array<int, 3> other_weak{1, 2, 0};
constexpr std::array<int, 2> same_weak{2, 0};

}  // namespace

// RMW in another thread: forbidden — the exchange reads T1's release store, so it is in its release sequence;
// T3 reading it synchronises with T1, d's store happens before d's load (Coherence).
WEAVE_MODEL_CHECK(litmus_rs_rmw_other_thread_forbidden, pass) {
  const auto r = rs_other_thread(rmw_to_2);
  WEAVE_CHECK(!(r == other_weak));
}

// Load then store in another thread: allowed — a plain store is in no release sequence, so T3 synchronises with nobody.
WEAVE_MODEL_CHECK(litmus_rs_store_other_thread_weak_found, check_failed) {
  const auto r = rs_other_thread(load_then_store_2);
  WEAVE_CHECK(!(r == other_weak));
}

// Release fence, relaxed store, RMW in another thread: forbidden — sw from the fence through the (hypothetical)
// release sequence the relaxed store heads, which the RMW continues.
WEAVE_MODEL_CHECK(litmus_rs_fence_rmw_forbidden, pass) {
  const auto r = rs_other_thread(rmw_to_2, true);
  WEAVE_CHECK(!(r == other_weak));
}

// RMW in the releasing thread: forbidden — an RMW reading the release store continues its release sequence.
WEAVE_MODEL_CHECK(litmus_rs_same_thread_rmw_forbidden, pass) {
  const auto r = rs_same_thread([](location& x) { x.fetch_add(1, rlx); });  // relaxed: in the sequence as an RMW
  WEAVE_CHECK(!(r == same_weak));
}

// Relaxed store in the releasing thread: allowed in C++20 (P0982R1) — a release sequence continues only through RMWs.
// (Forbidden under the 2017 RC11 paper's rs, which kept C++11's same-thread rule.)
WEAVE_MODEL_CHECK(litmus_rs_same_thread_store_weak_found, check_failed) {
  const auto r = rs_same_thread([](location& x) { x.store(2, rlx); });  // relaxed: the point of the test
  WEAVE_CHECK(!(r == same_weak));
}
