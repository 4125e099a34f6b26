// Multi-copy atomicity and causality: do all threads see stores in one order,
// and does what a thread saw travel with what it does next?
//
//   IRIW  T1: x = 1   T2: y = 1   T3: r1 = x; r2 = y   T4: r3 = y; r4 = x
//                                     weak: r1 == 1, r2 == 0, r3 == 1, r4 == 0
//         (the readers see the two independent stores in opposite orders)
//   WRC   T1: x = 1   T2: r1 = x; y = 1   T3: r2 = y; r3 = x
//                                     weak: r1 == 1, r2 == 1, r3 == 0
//   ISA2  T1: x = 1; y = 1   T2: r1 = y; z = 1   T3: r2 = z; r3 = x
//                                     weak: r1 == 1, r2 == 1, r3 == 0
//   RWC   T1: x = 1   T2: r1 = x; r2 = y   T3: y = 1; r3 = x
//                                     weak: r1 == 1, r2 == 0, r3 == 0
//
// Release/acquire is transitive (hb is), which forbids WRC and ISA2; it is not
// multi-copy atomic, so IRIW stays allowed until the accesses (or fences
// between the reads) are seq_cst; RWC ends in a store then a load, which only
// seq_cst orders, as in SB.
//
// Sources: Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing Sequential
// Consistency in C/C++11" (PLDI 2017): the RC11 consistency axioms (litmus.hpp);
// the shapes' names are the herd7 catalogues' (IRIW, WRC, ISA2, RWC). Each
// verdict below is derived by hand from those axioms.
#include <array>
#include <optional>

#include "litmus/litmus.hpp"

using namespace weave::litmus;

namespace {

// IRIW with the given store and load orders; a fence, when given, sits
// between each reader's two loads. Returns {r1, r2, r3, r4}.
std::array<int, 4> iriw(std::memory_order store, std::memory_order load,
                        std::optional<std::memory_order> fence = std::nullopt) {
  location x, y;
  std::array<int, 4> r{-1, -1, -1, -1};
  thread t1([&] { x.store(1, store); });
  thread t2([&] { y.store(1, store); });
  thread t3([&] {
    r[0] = x.load(load);
    if (fence) S::fence(*fence);
    r[1] = y.load(load);
  });
  thread t4([&] {
    r[2] = y.load(load);
    if (fence) S::fence(*fence);
    r[3] = x.load(load);
  });
  t1.join();
  t2.join();
  t3.join();
  t4.join();
  return r;
}

// WRC's orders: the first link is x (T1's store, T2's load), the second y
// (T2's store, T3's load); T3's load of x is relaxed. Returns {r1, r2, r3}.
struct link_orders {
  std::memory_order first_store = rlx;
  std::memory_order first_load = rlx;
  std::memory_order second_store = rlx;
  std::memory_order second_load = rlx;
};

std::array<int, 3> wrc(const link_orders& o) {
  location x, y;
  std::array<int, 3> r{-1, -1, -1};
  thread t1([&] { x.store(1, o.first_store); });
  thread t2([&] {
    r[0] = x.load(o.first_load);
    y.store(1, o.second_store);
  });
  thread t3([&] {
    r[1] = y.load(o.second_load);
    r[2] = x.load(rlx);
  });
  t1.join();
  t2.join();
  t3.join();
  return r;
}

// ISA2's orders: the first link is y (T1 → T2), the second z (T2 → T3); the
// accesses of x are relaxed. Returns {r1, r2, r3}.
std::array<int, 3> isa2(const link_orders& o) {
  location x, y, z;
  std::array<int, 3> r{-1, -1, -1};
  thread t1([&] {
    x.store(1, rlx);
    y.store(1, o.first_store);
  });
  thread t2([&] {
    r[0] = y.load(o.first_load);
    z.store(1, o.second_store);
  });
  thread t3([&] {
    r[1] = z.load(o.second_load);
    r[2] = x.load(rlx);
  });
  t1.join();
  t2.join();
  t3.join();
  return r;
}

// RWC with the given store and load orders; a fence, when given, sits between
// T2's loads and between T3's store and load. Returns {r1, r2, r3}.
std::array<int, 3> rwc(std::memory_order store, std::memory_order load,
                       std::optional<std::memory_order> fence = std::nullopt) {
  location x, y;
  std::array<int, 3> r{-1, -1, -1};
  thread t1([&] { x.store(1, store); });
  thread t2([&] {
    r[0] = x.load(load);
    if (fence) S::fence(*fence);
    r[1] = y.load(load);
  });
  thread t3([&] {
    y.store(1, store);
    if (fence) S::fence(*fence);
    r[2] = x.load(load);
  });
  t1.join();
  t2.join();
  t3.join();
  return r;
}

constexpr std::array<int, 4> iriw_weak{1, 0, 1, 0};
constexpr std::array<int, 3> causal_weak{1, 1, 0};  // WRC and ISA2
constexpr std::array<int, 3> rwc_weak{1, 0, 0};

}  // namespace

// IRIW+rlx: allowed — nothing orders the two independent stores for the readers.
WEAVE_MODEL_CHECK(litmus_iriw_relaxed_weak_found, check_failed) {
  const auto r = iriw(rlx, rlx);
  WEAVE_CHECK(!(r == iriw_weak));
}

// IRIW+rel+acq: allowed — each reader synchronises with one writer only; release/acquire is not multi-copy atomic.
WEAVE_MODEL_CHECK(litmus_iriw_rel_acq_weak_found, check_failed) {
  const auto r = iriw(rel, acq);
  WEAVE_CHECK(!(r == iriw_weak));
}

// IRIW+sc: forbidden — psc: Wx →hb|loc R1x →po R1y →rb Wy →hb|loc R2y →po R2x →rb Wx.
WEAVE_MODEL_CHECK(litmus_iriw_sc_forbidden, pass) {
  const auto r = iriw(sc, sc);
  WEAVE_CHECK(!(r == iriw_weak));
}

// IRIW+rlx+fence_sc between the reads: forbidden — psc_F: F3 →po R1y →rb Wy →rf R2y →po F4, and back through x.
WEAVE_MODEL_CHECK(litmus_iriw_fence_sc_forbidden, pass) {
  const auto r = iriw(rlx, rlx, sc);
  WEAVE_CHECK(!(r == iriw_weak));
}

// WRC+rlx: allowed — what T2 saw of x does not travel with its store of y.
WEAVE_MODEL_CHECK(litmus_wrc_relaxed_weak_found, check_failed) {
  const auto r = wrc({});
  WEAVE_CHECK(!(r == causal_weak));
}

// WRC+rel+acq: forbidden (hb is transitive) — Wx →sw R2x →po Wy →sw R3y →po R3x, so Wx hb R3x, and R3x →rb Wx (Coherence).
WEAVE_MODEL_CHECK(litmus_wrc_rel_acq_forbidden, pass) {
  const auto r = wrc({.first_store = rel, .first_load = acq, .second_store = rel, .second_load = acq});
  WEAVE_CHECK(!(r == causal_weak));
}

// WRC, only the second link rel+acq: forbidden — R2x hb R3x, and R3x →rb Wx →rf R2x (Coherence; read-read coherence).
WEAVE_MODEL_CHECK(litmus_wrc_second_link_rel_acq_forbidden, pass) {
  const auto r = wrc({.second_store = rel, .second_load = acq});
  WEAVE_CHECK(!(r == causal_weak));
}

// WRC, only the first link rel+acq: allowed — T2 gives T3 no sw, so nothing T1 did happens before T3's load of x.
WEAVE_MODEL_CHECK(litmus_wrc_first_link_rel_acq_weak_found, check_failed) {
  const auto r = wrc({.first_store = rel, .first_load = acq});
  WEAVE_CHECK(!(r == causal_weak));
}

// ISA2+rlx: allowed — no sw anywhere, T3 need not see x.
WEAVE_MODEL_CHECK(litmus_isa2_relaxed_weak_found, check_failed) {
  const auto r = isa2({});
  WEAVE_CHECK(!(r == causal_weak));
}

// ISA2+rel+acq: forbidden (hb is transitive) — Wx →po Wy →sw R2y →po Wz →sw R3z →po R3x, and R3x →rb Wx (Coherence).
WEAVE_MODEL_CHECK(litmus_isa2_rel_acq_forbidden, pass) {
  const auto r = isa2({.first_store = rel, .first_load = acq, .second_store = rel, .second_load = acq});
  WEAVE_CHECK(!(r == causal_weak));
}

// RWC+rlx: allowed — no sw, and T3's store need not precede its load.
WEAVE_MODEL_CHECK(litmus_rwc_relaxed_weak_found, check_failed) {
  const auto r = rwc(rlx, rlx);
  WEAVE_CHECK(!(r == rwc_weak));
}

// RWC+rel+acq: allowed — release/acquire gives no store→load order in T3, as in SB.
WEAVE_MODEL_CHECK(litmus_rwc_rel_acq_weak_found, check_failed) {
  const auto r = rwc(rel, acq);
  WEAVE_CHECK(!(r == rwc_weak));
}

// RWC+sc: forbidden — psc: Wx →hb|loc R2x →po R2y →rb Wy →po R3x →rb Wx.
WEAVE_MODEL_CHECK(litmus_rwc_sc_forbidden, pass) {
  const auto r = rwc(sc, sc);
  WEAVE_CHECK(!(r == rwc_weak));
}

// RWC+rlx+fence_sc in T2 and T3: forbidden — psc_F: F2 →po R2y →rb Wy →po F3 and F3 →po R3x →rb Wx →rf R2x →po F2.
WEAVE_MODEL_CHECK(litmus_rwc_fence_sc_forbidden, pass) {
  const auto r = rwc(rlx, rlx, sc);
  WEAVE_CHECK(!(r == rwc_weak));
}
