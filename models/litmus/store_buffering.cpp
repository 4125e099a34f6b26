// Store buffering (SB), the shape of Dekker's and Peterson's entry protocols:
//
//   T1: x = 1; r1 = y        T2: y = 1; r2 = x        weak: r1 == 0 && r2 == 0
//
// Both loads miss both stores: each store was still "in a buffer" when the
// other thread loaded. No interleaving gives it; release/acquire does not
// forbid it (a release store is ordered only after the accesses before it, an
// acquire load only before the accesses after it, so a store followed by a
// load stays unordered); only seq_cst accesses (RC11's psc) or a seq_cst fence
// in each thread between its store and its load (psc_F) do.
//
// Sources: Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing Sequential
// Consistency in C/C++11" (PLDI 2017): the RC11 consistency axioms, here the SC
// axiom with psc_base and psc_F (litmus.hpp lists all four); the shape's name
// is the one the herd7 litmus catalogues use. Each verdict below is derived by
// hand from those axioms, and the one-line reason above each check is that
// derivation.
#include <optional>
#include <utility>

#include "litmus/litmus.hpp"

using namespace weave::litmus;

namespace {

// The orders of one SB run; a fence, when given, sits between that thread's
// store and its load. Returns (r1, r2).
struct sb_orders {
  std::memory_order store = rlx;
  std::memory_order load = rlx;
  std::optional<std::memory_order> fence1 = std::nullopt;  // in T1
  std::optional<std::memory_order> fence2 = std::nullopt;  // in T2
};

std::pair<int, int> store_buffering(const sb_orders& o) {
  location x, y;
  int r1 = -1, r2 = -1;
  thread t1([&] {
    x.store(1, o.store);
    if (o.fence1) S::fence(*o.fence1);
    r1 = y.load(o.load);
  });
  thread t2([&] {
    y.store(1, o.store);
    if (o.fence2) S::fence(*o.fence2);
    r2 = x.load(o.load);
  });
  t1.join();
  t2.join();
  return {r1, r2};
}

// SB with T1's store passed on through a flag before T2's load, and a third
// thread for the other side:
//
//   T1: x = 1; f = 1        T2: a = f; b = y        T3: y = 1; c = x
//
// x and y seq_cst, the flag f with the orders given; weak: a == 1 && b == 0
// && c == 0. Returns whether it happened.
bool sb_through_flag(std::memory_order flag_store, std::memory_order flag_load) {
  location x, y, f;
  int a = -1, b = -1, c = -1;
  thread t1([&] {
    x.store(1, sc);
    f.store(1, flag_store);
  });
  thread t2([&] {
    a = f.load(flag_load);
    b = y.load(sc);
  });
  thread t3([&] {
    y.store(1, sc);
    c = x.load(sc);
  });
  t1.join();
  t2.join();
  t3.join();
  return a == 1 && b == 0 && c == 0;
}

}  // namespace

// SB+rlx: allowed — nothing orders a store before a later load of another location.
WEAVE_MODEL_CHECK(litmus_sb_relaxed_weak_found, check_failed) {
  auto [r1, r2] = store_buffering({});
  WEAVE_CHECK(!(r1 == 0 && r2 == 0));
}

// SB+rel+acq: allowed — release/acquire gives no store→load order (and no load
// reads the other thread's store, so nothing synchronises).
WEAVE_MODEL_CHECK(litmus_sb_rel_acq_weak_found, check_failed) {
  auto [r1, r2] = store_buffering({.store = rel, .load = acq});
  WEAVE_CHECK(!(r1 == 0 && r2 == 0));
}

// SB+sc: forbidden — psc: Wx →po Ry →rb Wy →po Rx →rb Wx is a cycle of seq_cst events.
WEAVE_MODEL_CHECK(litmus_sb_sc_forbidden, pass) {
  auto [r1, r2] = store_buffering({.store = sc, .load = sc});
  WEAVE_CHECK(!(r1 == 0 && r2 == 0));
}

// SB+rlx+fence_sc: forbidden — psc_F: F1 →po Ry →rb Wy →po F2 and F2 →po Rx →rb Wx →po F1.
WEAVE_MODEL_CHECK(litmus_sb_fence_sc_forbidden, pass) {
  auto [r1, r2] = store_buffering({.fence1 = sc, .fence2 = sc});
  WEAVE_CHECK(!(r1 == 0 && r2 == 0));
}

// SB+rlx with a seq_cst fence in T1 only: allowed — one seq_cst event makes no
// psc cycle, and T2's store may still pass its load.
WEAVE_MODEL_CHECK(litmus_sb_one_fence_sc_weak_found, check_failed) {
  auto [r1, r2] = store_buffering({.fence1 = sc});
  WEAVE_CHECK(!(r1 == 0 && r2 == 0));
}

// SB+rlx+fence_acq_rel: allowed — an acq_rel fence synchronises only through a
// load that reads another thread's store, and here neither load does.
WEAVE_MODEL_CHECK(litmus_sb_fence_acq_rel_weak_found, check_failed) {
  auto [r1, r2] = store_buffering({.fence1 = acq_rel, .fence2 = acq_rel});
  WEAVE_CHECK(!(r1 == 0 && r2 == 0));
}

// SB+sc through a release/acquire flag: forbidden — RC11's scb holds
// po|≠loc;hb;po|≠loc, here Wx →po Wf →sw Rf →po Ry, so Wx →psc Ry →rb Wy →po
// Rx →rb Wx is a psc cycle (the paper's repair: hb between seq_cst accesses to
// other locations counts where it leaves and enters its threads by po).
WEAVE_MODEL_CHECK(litmus_sb_sc_through_release_acquire_flag_forbidden, pass) {
  WEAVE_CHECK(!sb_through_flag(rel, acq));
}

// SB+sc through a relaxed flag: allowed — reading the flag makes no hb, and no
// psc edge leads from Wx to Ry.
WEAVE_MODEL_CHECK(litmus_sb_sc_through_relaxed_flag_weak_found, check_failed) {
  WEAVE_CHECK(!sb_through_flag(rlx, rlx));
}

// Control: r1 == 1 && r2 == 1 is a plain interleaving (both stores, then both
// loads), so every memory model and every engine must find it; it shows the
// threads of this file really run and interleave.
WEAVE_MODEL_CHECK(litmus_sb_interleaving_found, check_failed) {
  auto [r1, r2] = store_buffering({});
  WEAVE_CHECK(!(r1 == 1 && r2 == 1));
}
