// litmus/litmus.hpp — the few names every litmus file uses.
//
// A litmus test is a tiny concurrent program (2–4 threads, 1–2 accesses each)
// and one "weak" outcome of it: a result no interleaving of the threads can
// give, which a weaker memory model may or may not allow. Each check in
// models/litmus/ runs the threads, joins them and asserts that the weak outcome
// did not happen:
//   declared pass          the outcome is forbidden: no execution may show it;
//   declared check_failed  the outcome is allowed: the checker must find it.
// The verdicts follow RC11 (Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing
// Sequential Consistency in C/C++11", PLDI 2017), whose four axioms the
// comments cite by name:
//   Coherence    hb ; eco? is irreflexive   (eco = (rf ∪ mo ∪ rb)+, rb = rf⁻¹;mo)
//   Atomicity    rmw ∩ (rb ; mo) = ∅        (an RMW reads the store just before its own)
//   SC           psc = psc_base ∪ psc_F is acyclic (seq_cst accesses and fences)
//   No-thin-air  po ∪ rf is acyclic
// with one change the C++20 standard made after the paper: a release sequence
// continues only through RMWs, not through later stores of the releasing thread
// (P0982R1, [intro.races]; see release_sequences.cpp).
//
// Locations are model atomics made in the check's body; registers are plain
// ints in the body, captured by reference, so both are made afresh for every
// explored execution.
#pragma once

#include <atomic>

#include "weave/model.hpp"

namespace weave::litmus {

using S = model_sync;
using model::thread;
using location = S::atomic<int>;  // mirrors std::atomic<int>; every location starts at 0

inline constexpr auto rlx = std::memory_order_relaxed;
inline constexpr auto acq = std::memory_order_acquire;
inline constexpr auto rel = std::memory_order_release;
inline constexpr auto acq_rel = std::memory_order_acq_rel;
inline constexpr auto sc = std::memory_order_seq_cst;

}  // namespace weave::litmus
