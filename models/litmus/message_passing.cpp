// Message passing (MP), the shape of every "fill the data, raise the flag":
//
//   T1: data = 1; flag = 1        T2: r1 = flag; r2 = data
//   weak: r1 == 1 && r2 == 0 (the reader sees the flag but not the data)
//
// A release store of the flag read by an acquire load synchronises (sw), so
// the data store happens before the data load and Coherence forbids the load
// to read the older value; with either side relaxed there is no sw and the
// weak outcome is allowed. The same shape with fences instead of orders on the
// flag is in fences.cpp; through an RMW, in release_sequences.cpp.
//
// Sources: Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing Sequential
// Consistency in C/C++11" (PLDI 2017): the RC11 consistency axioms (litmus.hpp)
// and its definition of sw; the shape's name is the herd7 catalogues' MP. Each
// verdict below is derived by hand from those axioms.
#include <utility>

#include "litmus/litmus.hpp"

using namespace weave::litmus;

namespace {

// The orders of one MP run. Returns (r1, r2).
struct mp_orders {
  std::memory_order data_store = rlx;
  std::memory_order flag_store = rlx;
  std::memory_order flag_load = rlx;
  std::memory_order data_load = rlx;
};

std::pair<int, int> message_passing(const mp_orders& o) {
  location data, flag;
  int r1 = -1, r2 = -1;
  thread writer([&] {
    data.store(1, o.data_store);
    flag.store(1, o.flag_store);
  });
  thread reader([&] {
    r1 = flag.load(o.flag_load);
    r2 = data.load(o.data_load);
  });
  writer.join();
  reader.join();
  return {r1, r2};
}

}  // namespace

// MP+rlx: allowed — no sw without release and acquire, so the data store need not be visible.
WEAVE_MODEL_CHECK(litmus_mp_relaxed_weak_found, check_failed) {
  auto [r1, r2] = message_passing({});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}

// MP+rel+acq: forbidden — Wdata →po Wflag →sw Rflag →po Rdata gives Wdata hb Rdata, and Rdata →rb Wdata breaks Coherence.
WEAVE_MODEL_CHECK(litmus_mp_rel_acq_forbidden, pass) {
  auto [r1, r2] = message_passing({.flag_store = rel, .flag_load = acq});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}

// MP+rel+rlx: allowed — a release store read by a relaxed load synchronises with nothing.
WEAVE_MODEL_CHECK(litmus_mp_rel_rlx_weak_found, check_failed) {
  auto [r1, r2] = message_passing({.flag_store = rel});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}

// MP+rlx+acq: allowed — an acquire load of a relaxed store synchronises with nothing.
WEAVE_MODEL_CHECK(litmus_mp_rlx_acq_weak_found, check_failed) {
  auto [r1, r2] = message_passing({.flag_load = acq});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}

// MP+sc: forbidden — seq_cst stores and loads are release and acquire: the rel+acq argument (and psc).
WEAVE_MODEL_CHECK(litmus_mp_sc_forbidden, pass) {
  auto [r1, r2] = message_passing({.data_store = sc, .flag_store = sc, .flag_load = sc, .data_load = sc});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}
