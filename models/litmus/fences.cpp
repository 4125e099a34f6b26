// Fence synchronisation, on the message-passing shape (message_passing.cpp):
//
//   T1: data = 1; [fence]; flag = 1        T2: r1 = flag; [fence]; r2 = data
//   weak: r1 == 1 && r2 == 0 (the reader sees the flag but not the data)
//
// A release fence followed by a relaxed store acts as a release of that store
// (fence–access); a relaxed load followed by an acquire fence acts as an
// acquire of that load (access–fence); both together synchronise fence to
// fence. A fence on the wrong side of the flag access orders nothing for it.
// seq_cst fences are also acquire and release fences. (seq_cst fences against
// store→load reordering are in store_buffering.cpp, multi_copy.cpp and
// write_order.cpp.)
//
// Sources: Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing Sequential
// Consistency in C/C++11" (PLDI 2017): sw = [E ⊒ rel] ; ([F] ; po)? ; rs ; rf ;
// [R ⊒ rlx] ; (po ; [F])? ; [E ⊒ acq], and the Coherence axiom (litmus.hpp);
// the C++20 standard, [atomics.fences]. Each verdict below is derived by hand
// from them.
#include <optional>
#include <utility>

#include "litmus/litmus.hpp"

using namespace weave::litmus;

namespace {

// Where each thread's fence sits, if it has one: between its flag access and
// its data access (where synchronisation needs it), or on the other side.
enum class side { none, between, outside };

struct mp_fences {
  std::memory_order flag_store = rlx;
  std::memory_order flag_load = rlx;
  side writer = side::none;  // between: data; fence; flag.   outside: data; flag; fence
  side reader = side::none;  // between: flag; fence; data.   outside: fence; flag; data
  std::memory_order writer_fence = rel;
  std::memory_order reader_fence = acq;
};

// One MP run with fences. Returns (r1, r2).
std::pair<int, int> message_passing(const mp_fences& o) {
  location data, flag;
  int r1 = -1, r2 = -1;
  thread writer([&] {
    data.store(1, rlx);
    if (o.writer == side::between) S::fence(o.writer_fence);
    flag.store(1, o.flag_store);
    if (o.writer == side::outside) S::fence(o.writer_fence);
  });
  thread reader([&] {
    if (o.reader == side::outside) S::fence(o.reader_fence);
    r1 = flag.load(o.flag_load);
    if (o.reader == side::between) S::fence(o.reader_fence);
    r2 = data.load(rlx);
  });
  writer.join();
  reader.join();
  return {r1, r2};
}

}  // namespace

// Release fence + relaxed store, read by an acquire load: forbidden — F →po Wflag →rf Rflag(acq) is sw (fence–access).
WEAVE_MODEL_CHECK(litmus_fence_sw_fence_access_forbidden, pass) {
  auto [r1, r2] = message_passing({.flag_load = acq, .writer = side::between});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}

// Release store, relaxed load + acquire fence: forbidden — Wflag(rel) →rf Rflag →po F is sw (access–fence).
WEAVE_MODEL_CHECK(litmus_fence_sw_access_fence_forbidden, pass) {
  auto [r1, r2] = message_passing({.flag_store = rel, .reader = side::between});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}

// Release fence + relaxed store, relaxed load + acquire fence: forbidden — F1 →po Wflag →rf Rflag →po F2 is sw (fence–fence).
WEAVE_MODEL_CHECK(litmus_fence_sw_fence_fence_forbidden, pass) {
  auto [r1, r2] = message_passing({.writer = side::between, .reader = side::between});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}

// seq_cst fences on both sides: forbidden — a seq_cst fence is a release and an acquire fence (fence–fence sw).
WEAVE_MODEL_CHECK(litmus_fence_sw_sc_fences_forbidden, pass) {
  auto [r1, r2] = message_passing({.writer = side::between, .reader = side::between, .writer_fence = sc, .reader_fence = sc});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}

// Release fence + relaxed store, relaxed load and no acquire: allowed — sw needs an acquire on the reading side.
WEAVE_MODEL_CHECK(litmus_fence_no_acquire_weak_found, check_failed) {
  auto [r1, r2] = message_passing({.writer = side::between});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}

// Relaxed store, relaxed load + acquire fence: allowed — sw needs a release on the writing side.
WEAVE_MODEL_CHECK(litmus_fence_no_release_weak_found, check_failed) {
  auto [r1, r2] = message_passing({.reader = side::between});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}

// Release fence after the flag store: allowed — a release fence orders only the stores that follow it.
WEAVE_MODEL_CHECK(litmus_fence_rel_after_store_weak_found, check_failed) {
  auto [r1, r2] = message_passing({.flag_load = acq, .writer = side::outside});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}

// Acquire fence before the flag load: allowed — an acquire fence orders only after the loads that precede it.
WEAVE_MODEL_CHECK(litmus_fence_acq_before_load_weak_found, check_failed) {
  auto [r1, r2] = message_passing({.flag_store = rel, .reader = side::outside});
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}
