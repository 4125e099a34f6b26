// Orders between stores: the shapes where a store's place in the modification
// order (mo) of its location, rather than a load, witnesses the weak outcome.
// "x at the end" is a relaxed load in the body after the joins: every store
// happens before it, so by Coherence it reads the last store in mo.
//
//   2+2W  T1: x = 1; y = 2     T2: y = 1; x = 2      weak: x == 1 && y == 1 at the end
//   R     T1: x = 1; y = 1     T2: y = 2; r1 = x     weak: y == 2 at the end && r1 == 0
//   S     T1: x = 2; y = 1     T2: r1 = y; x = 1     weak: r1 == 1 && x == 2 at the end
//
// 2+2W and R end each thread's cycle in a store→store (mo) or store→load (rb)
// edge between threads that no load reads, so release/acquire makes no sw and
// only seq_cst (psc) forbids them; in S the load reads the release store, and
// release/acquire forbids it.
//
// Sources: Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing Sequential
// Consistency in C/C++11" (PLDI 2017): the RC11 consistency axioms (litmus.hpp),
// under which 2+2W with release stores stays allowed (its Coherence axiom is
// "hb ; eco? irreflexive", not "hb ∪ mo acyclic"); the shapes'
// names are the herd7 catalogues'. Each verdict below is derived by hand from
// those axioms.
#include <optional>
#include <utility>

#include "litmus/litmus.hpp"

using namespace weave::litmus;

namespace {

// One run of each shape: the given store and load orders for every access;
// a fence, when given, sits between each thread's two accesses.
struct orders {
  std::memory_order store = rlx;
  std::memory_order load = rlx;
  std::optional<std::memory_order> fence = std::nullopt;
};

void between(const orders& o) {
  if (o.fence) S::fence(*o.fence);
}

// 2+2W. Returns (x, y) at the end.
std::pair<int, int> two_plus_two_writes(const orders& o) {
  location x, y;
  thread t1([&] {
    x.store(1, o.store);
    between(o);
    y.store(2, o.store);
  });
  thread t2([&] {
    y.store(1, o.store);
    between(o);
    x.store(2, o.store);
  });
  t1.join();
  t2.join();
  return {x.load(rlx), y.load(rlx)};  // relaxed: after the joins every store happens before them
}

// R. Returns (y at the end, r1).
std::pair<int, int> r_shape(const orders& o) {
  location x, y;
  int r1 = -1;
  thread t1([&] {
    x.store(1, o.store);
    between(o);
    y.store(1, o.store);
  });
  thread t2([&] {
    y.store(2, o.store);
    between(o);
    r1 = x.load(o.load);
  });
  t1.join();
  t2.join();
  return {y.load(rlx), r1};  // relaxed: after the joins every store happens before it
}

// S. Returns (r1, x at the end).
std::pair<int, int> s_shape(const orders& o) {
  location x, y;
  int r1 = -1;
  thread t1([&] {
    x.store(2, o.store);
    between(o);
    y.store(1, o.store);
  });
  thread t2([&] {
    r1 = y.load(o.load);
    between(o);
    x.store(1, o.store);
  });
  t1.join();
  t2.join();
  return {r1, x.load(rlx)};  // relaxed: after the joins every store happens before it
}

}  // namespace

// 2+2W+rlx: allowed — nothing orders two stores of different threads.
WEAVE_MODEL_CHECK(litmus_2plus2w_relaxed_weak_found, check_failed) {
  auto [x, y] = two_plus_two_writes({});
  WEAVE_CHECK(!(x == 1 && y == 1));
}

// 2+2W+rel: allowed in RC11 — no load, so no sw; hb is po and the cycle po ; mo ; po ; mo is not hb ; eco?.
WEAVE_MODEL_CHECK(litmus_2plus2w_rel_weak_found, check_failed) {
  auto [x, y] = two_plus_two_writes({.store = rel});
  WEAVE_CHECK(!(x == 1 && y == 1));
}

// 2+2W+sc: forbidden — psc: Wx1 →po Wy2 →mo Wy1 →po Wx2 →mo Wx1.
WEAVE_MODEL_CHECK(litmus_2plus2w_sc_forbidden, pass) {
  auto [x, y] = two_plus_two_writes({.store = sc});
  WEAVE_CHECK(!(x == 1 && y == 1));
}

// 2+2W+rlx+fence_sc: forbidden — psc_F: F1 →po Wy2 →mo Wy1 →po F2 and F2 →po Wx2 →mo Wx1 →po F1.
WEAVE_MODEL_CHECK(litmus_2plus2w_fence_sc_forbidden, pass) {
  auto [x, y] = two_plus_two_writes({.fence = sc});
  WEAVE_CHECK(!(x == 1 && y == 1));
}

// R+rlx: allowed — nothing orders T2's store before its load.
WEAVE_MODEL_CHECK(litmus_r_relaxed_weak_found, check_failed) {
  auto [y, r1] = r_shape({});
  WEAVE_CHECK(!(y == 2 && r1 == 0));
}

// R+rel+acq: allowed — no load reads another thread's store, so no sw; release/acquire gives no store→load order.
WEAVE_MODEL_CHECK(litmus_r_rel_acq_weak_found, check_failed) {
  auto [y, r1] = r_shape({.store = rel, .load = acq});
  WEAVE_CHECK(!(y == 2 && r1 == 0));
}

// R+sc: forbidden — psc: Wx →po Wy1 →mo Wy2 →po Rx →rb Wx.
WEAVE_MODEL_CHECK(litmus_r_sc_forbidden, pass) {
  auto [y, r1] = r_shape({.store = sc, .load = sc});
  WEAVE_CHECK(!(y == 2 && r1 == 0));
}

// R+rlx+fence_sc: forbidden — psc_F: F1 →po Wy1 →mo Wy2 →po F2 and F2 →po Rx →rb Wx →po F1.
WEAVE_MODEL_CHECK(litmus_r_fence_sc_forbidden, pass) {
  auto [y, r1] = r_shape({.fence = sc});
  WEAVE_CHECK(!(y == 2 && r1 == 0));
}

// S+rlx: allowed — no sw, so T1's store of x need not precede T2's in mo.
WEAVE_MODEL_CHECK(litmus_s_relaxed_weak_found, check_failed) {
  auto [r1, x] = s_shape({});
  WEAVE_CHECK(!(r1 == 1 && x == 2));
}

// S+rel+acq: forbidden — Wx2 →po Wy →sw Ry →po Wx1 makes Wx2 hb Wx1, against Wx1 →mo Wx2 (Coherence).
WEAVE_MODEL_CHECK(litmus_s_rel_acq_forbidden, pass) {
  auto [r1, x] = s_shape({.store = rel, .load = acq});
  WEAVE_CHECK(!(r1 == 1 && x == 2));
}

// S+rel+rlx: allowed — a release store read by a relaxed load synchronises with nothing.
WEAVE_MODEL_CHECK(litmus_s_rel_rlx_weak_found, check_failed) {
  auto [r1, x] = s_shape({.store = rel});
  WEAVE_CHECK(!(r1 == 1 && x == 2));
}

// A store overwritten, then read, between two seq_cst fences:
//
//   T1: a = z; F_sc; b = y     T2: z = 2     T3: y = 1; F; z = 1
//   weak: a == 2 && b == 0 && z == 2 at the end
//
// F1 →po Ry →rb Wy →po F2 is psc_base's; F2 →po Wz1 →mo Wz2 →rf Rz →po F1
// is psc_F's hb;eco;hb, eco through mo;rf (nothing synchronises: T1 reads
// T2's store, not T3's). With F seq_cst the two make a psc cycle; with F
// acq_rel there is one seq_cst event, and no cycle.
namespace {

bool overwritten_then_read(std::memory_order fence3) {
  location y, z;
  int a = -1, b = -1;
  thread t1([&] {
    a = z.load(rlx);
    S::fence(sc);
    b = y.load(rlx);
  });
  thread t2([&] { z.store(2, rlx); });
  thread t3([&] {
    y.store(1, rlx);
    S::fence(fence3);
    z.store(1, rlx);
  });
  t1.join();
  t2.join();
  t3.join();
  return a == 2 && b == 0 && z.load(rlx) == 2;
}

}  // namespace

// Both fences seq_cst: forbidden — the psc cycle F1 → F2 → F1 above.
WEAVE_MODEL_CHECK(litmus_overwritten_then_read_fences_sc_forbidden, pass) {
  WEAVE_CHECK(!overwritten_then_read(sc));
}

// T3's fence acq_rel: allowed — one seq_cst fence makes no psc cycle, and no
// load reads a store after a release fence, so nothing synchronises.
WEAVE_MODEL_CHECK(litmus_overwritten_then_read_one_fence_sc_weak_found, check_failed) {
  WEAVE_CHECK(!overwritten_then_read(acq_rel));
}

// Z6.U, the RC11 paper's example of a weak outcome that C11 forbade and Power
// allows, which RC11 repairs C11 to allow:
//
//   T1: x = 1; y = 1     T2: b = y.fetch_add(1); c = y     T3: y = 3; a = x
//   weak: a == 0 && b == 1 && c == 3
//
// x's accesses, the fetch_add and T3's store are seq_cst; c's load is relaxed.
// The outcome puts y's stores in mo as Wy1 →mo RMW →mo Wy3, and T3's load
// misses Wx. The seq_cst events then run RMW →mo Wy3 →po Rx →rb Wx; what
// closes the cycle is an edge Wx → RMW. With T1's store of y seq_cst, po gives
// Wx →po Wy1 →mo RMW in psc. With it a release store, Wx happens before the
// RMW (Wx →po Wy1 →sw RMW), but scb holds hb between seq_cst accesses to
// different locations only as po|≠loc;hb;po|≠loc, and this hb ends at the
// RMW's own location y. C11's single total order S contained all of hb, so it
// forbade the outcome, which Power shows under both compilation schemes
// (the paper, section 2.1).
namespace {

bool z6u(std::memory_order store_y) {
  location x, y;
  int a = -1, b = -1, c = -1;
  thread t1([&] {
    x.store(1, sc);
    y.store(1, store_y);
  });
  thread t2([&] {
    b = y.fetch_add(1, sc);
    c = y.load(rlx);
  });
  thread t3([&] {
    y.store(3, sc);
    a = x.load(sc);
  });
  t1.join();
  t2.join();
  t3.join();
  return a == 0 && b == 1 && c == 3;
}

}  // namespace

// Z6.U with T1's store of y release: allowed — no psc edge from Wx to the RMW
// (their hb ends at y, not by po|≠loc), so no psc cycle; C11's S forbade it.
WEAVE_MODEL_CHECK(litmus_z6u_rel_weak_found, check_failed) {
  WEAVE_CHECK(!z6u(rel));
}

// Z6.U with every store seq_cst: forbidden — psc: Wx →po Wy1 →mo RMW →mo Wy3 →po Rx →rb Wx.
WEAVE_MODEL_CHECK(litmus_z6u_sc_forbidden, pass) {
  WEAVE_CHECK(!z6u(sc));
}
