// The litmus shapes the oracle test runs, in the IR of rc11_program.hpp, each
// with the orders of its variant as parameters. Names follow herd7's catalogue
// (SB, MP, LB, IRIW, WRC, ISA2, RWC, 2+2W, R, S, Z6.U, Co*; overwritten-then-read is
// weave's own); locations x = 0, y = 1, z = 2. Each maker's comment gives the
// "weak" outcome: the one sequential consistency forbids, whose RC11 verdict
// depends on the orders.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rc11_program.hpp"

namespace weave::model::test::oracle::litmus {

constexpr int x = 0, y = 1, z = 2;
using fence_t = std::optional<order>;  // a fence between a thread's two accesses, or none

/// Appends a fence to t when f names one.
inline void maybe_fence(std::vector<instr>& t, fence_t f) {
  if (f) t.push_back(fence(*f));
}

/// SB: T0 x=1; r0=y | T1 y=2; r1=x. Weak: r0=0, r1=0.
inline program sb(std::string name, order st, order ld, fence_t f0 = {}, fence_t f1 = {}) {
  std::vector<instr> t0{store(x, 1, st)}, t1{store(y, 2, st)};
  maybe_fence(t0, f0);
  maybe_fence(t1, f1);
  t0.push_back(load(y, ld));
  t1.push_back(load(x, ld));
  return {"SB+" + name, 2, {t0, t1}};
}

/// MP: T0 x=1; y=2 | T1 r0=y; r1=x. Weak: r0=2, r1=0. The flag is y.
inline program mp(std::string name, order data_st, order flag_st, order flag_ld, order data_ld,
                  fence_t fw = {}, fence_t fr = {}) {
  std::vector<instr> t0{store(x, 1, data_st)}, t1{load(y, flag_ld)};
  maybe_fence(t0, fw);
  maybe_fence(t1, fr);
  t0.push_back(store(y, 2, flag_st));
  t1.push_back(load(x, data_ld));
  return {"MP+" + name, 2, {t0, t1}};
}

/// LB: T0 r0=x; y=1 | T1 r1=y; x=2. Weak: r0=2, r1=1 (thin air).
inline program lb(std::string name, order st, order ld) {
  return {"LB+" + name, 2, {{load(x, ld), store(y, 1, st)}, {load(y, ld), store(x, 2, st)}}};
}

/// IRIW: T0 x=1 | T1 y=2 | T2 r0=x; r1=y | T3 r2=y; r3=x.
/// Weak: r0=1, r1=0, r2=2, r3=0 (the readers disagree on the order of the writes).
inline program iriw(std::string name, order st, order ld, fence_t f = {}) {
  std::vector<instr> t2{load(x, ld)}, t3{load(y, ld)};
  maybe_fence(t2, f);
  maybe_fence(t3, f);
  t2.push_back(load(y, ld));
  t3.push_back(load(x, ld));
  return {"IRIW+" + name, 2, {{store(x, 1, st)}, {store(y, 2, st)}, t2, t3}};
}

/// WRC: T0 x=1 | T1 r0=x; y=2 | T2 r1=y; r2=x. Weak: r0=1, r1=2, r2=0.
inline program wrc(std::string name, order st, order ld) {
  return {"WRC+" + name, 2,
          {{store(x, 1, st)}, {load(x, ld), store(y, 2, st)}, {load(y, ld), load(x, ld)}}};
}

/// ISA2: T0 x=1; y=2 | T1 r0=y; z=3 | T2 r1=z; r2=x. Weak: r0=2, r1=3, r2=0.
inline program isa2(std::string name, order st, order ld) {
  return {"ISA2+" + name, 3,
          {{store(x, 1, st), store(y, 2, st)}, {load(y, ld), store(z, 3, st)}, {load(z, ld), load(x, ld)}}};
}

/// RWC: T0 x=1 | T1 r0=x; r1=y | T2 y=2; r2=x. Weak: r0=1, r1=0, r2=0.
inline program rwc(std::string name, order st, order ld, fence_t f = {}) {
  std::vector<instr> t1{load(x, ld)}, t2{store(y, 2, st)};
  maybe_fence(t1, f);
  maybe_fence(t2, f);
  t1.push_back(load(y, ld));
  t2.push_back(load(x, ld));
  return {"RWC+" + name, 2, {{store(x, 1, st)}, t1, t2}};
}

/// 2+2W: T0 x=1; y=2 | T1 y=3; x=4. Weak: final x=1, y=3 (each thread's
/// first write is mo-last).
inline program two_plus_two_w(std::string name, order st, fence_t f = {}) {
  std::vector<instr> t0{store(x, 1, st)}, t1{store(y, 3, st)};
  maybe_fence(t0, f);
  maybe_fence(t1, f);
  t0.push_back(store(y, 2, st));
  t1.push_back(store(x, 4, st));
  return {"2+2W+" + name, 2, {t0, t1}};
}

/// R: T0 x=1; y=2 | T1 y=3; r0=x. Weak: final y=3, r0=0.
inline program r_shape(std::string name, order st, order ld, fence_t f = {}) {
  std::vector<instr> t0{store(x, 1, st)}, t1{store(y, 3, st)};
  maybe_fence(t0, f);
  maybe_fence(t1, f);
  t0.push_back(store(y, 2, st));
  t1.push_back(load(x, ld));
  return {"R+" + name, 2, {t0, t1}};
}

/// S: T0 x=1; y=2 | T1 r0=y; x=3. Weak: r0=2, final x=1.
inline program s_shape(std::string name, order st, order ld) {
  return {"S+" + name, 2, {{store(x, 1, order::rlx), store(y, 2, st)}, {load(y, ld), store(x, 3, order::rlx)}}};
}

/// A store overwritten, then read, between seq_cst fences (the litmus check in
/// models/litmus/write_order.cpp): T0 r0=z; F_sc; r1=y | T1 z=2 | T2 y=1; F2; z=1. Weak:
/// r0=2, r1=0, z=2 at the end. F2 seq_cst closes a psc cycle through psc_F's
/// hb;eco;hb with eco a mo;rf: F2 po Wz1 mo Wz2 rf r0 po F0, and F0 po r1 fr
/// Wy po F2.
inline program overwritten_then_read(std::string name, order f2) {
  return {"overwritten-then-read+" + name, 3,
          {{load(z, order::rlx), fence(order::sc), load(y, order::rlx)},
           {store(z, 2, order::rlx)},
           {store(y, 1, order::rlx), fence(f2), store(z, 1, order::rlx)}}};
}

/// Z6.U (the RC11 paper's section 2.1; the litmus checks in
/// models/litmus/write_order.cpp): T0 x=1 (sc); y=1 | T1 r0 = y.fetch_add(1)
/// (sc); r1=y | T2 y=3 (sc); r2=x (sc). Weak: r0=1, r1=3, r2=0. The seq_cst
/// events run RMW mo Wy3 po r2 fr Wx; T0's store of y seq_cst closes the cycle
/// (Wx po Wy1 mo RMW). Released, it gives Wx hb RMW only, which scb does not
/// hold (the hb ends at y, not by po|≠loc), so RC11 allows what C11's S forbade.
inline program z6u(std::string name, order store_y) {
  return {"Z6.U+" + name, 2,
          {{store(x, 1, order::sc), store(y, 1, store_y)},
           {fetch_add(y, 1, order::sc), load(y, order::rlx)},
           {store(y, 3, order::sc), load(x, order::sc)}}};
}

/// Coherence shapes, all relaxed. Forbidden outcomes:
///   CoRR  T0 x=1 | T1 r0=x; r1=x:                     r0=1, r1=0
///   CoRR2 T0 x=1 | T1 x=2 | T2 r0=x; r1=x | T3 r2=x; r3=x: r0=1, r1=2, r2=2, r3=1
///   CoWR  T0 x=1; r0=x | T1 x=2:                      r0=0
///   CoRW  T0 r0=x; x=1 | T1 x=2:                      r0=2, final x=2
///   CoWW  T0 x=1; x=2:                                final x=1
inline std::vector<program> coherence() {
  const order r = order::rlx;
  return {{"CoRR", 1, {{store(x, 1, r)}, {load(x, r), load(x, r)}}},
          {"CoRR2", 1, {{store(x, 1, r)}, {store(x, 2, r)}, {load(x, r), load(x, r)}, {load(x, r), load(x, r)}}},
          {"CoWR", 1, {{store(x, 1, r), load(x, r)}, {store(x, 2, r)}}},
          {"CoRW", 1, {{load(x, r), store(x, 1, r)}, {store(x, 2, r)}}},
          {"CoWW", 1, {{store(x, 1, r), store(x, 2, r)}}}};
}

/// Release sequence through an RMW: T0 x=1; y=2 (head) | T1 r0 = y.rmw (relaxed)
/// | T2 r1=y (acquire); r2=x. The RMW writes 3 after reading 2. Weak: r0=2,
/// r1=3, r2=0 (T2 reads the RMW's write, which continues T0's release sequence).
inline program release_sequence(std::string name, order head, bool exchange_rmw) {
  const instr rmw = exchange_rmw ? exchange(y, 3, order::rlx) : fetch_add(y, 1, order::rlx);
  return {"RS+" + name, 2,
          {{store(x, 1, order::rlx), store(y, 2, head)}, {rmw}, {load(y, order::acq), load(x, order::rlx)}}};
}

/// C++20's release sequence has no same-thread stores (P0982R1):
/// T0 x=1; y=2 (release); y=3 (relaxed) | T1 r0=y (acquire); r1=x. r0=3, r1=0
/// is allowed in C++20, forbidden by the paper's (C++11) release sequence.
inline program release_sequence_same_thread() {
  return {"RS+same-thread", 2,
          {{store(x, 1, order::rlx), store(y, 2, order::rel), store(y, 3, order::rlx)},
           {load(y, order::acq), load(x, order::rlx)}}};
}

/// RMW races: two CASes from 0 (at most one succeeds), two fetch_adds (they
/// cannot both read 0), and SB with exchanges in place of the stores.
inline std::vector<program> rmw_races() {
  const order r = order::rlx;
  return {{"CAS-race", 1, {{cas(x, 0, 1, r, r)}, {cas(x, 0, 2, r, r)}}},
          {"FADD-race", 1, {{fetch_add(x, 1, r)}, {fetch_add(x, 2, r)}}},
          {"SB+xchg+acq_rel", 2, {{exchange(x, 1, order::acq_rel), load(y, order::acq)},
                                  {exchange(y, 2, order::acq_rel), load(x, order::acq)}}}};
}

}  // namespace weave::model::test::oracle::litmus
