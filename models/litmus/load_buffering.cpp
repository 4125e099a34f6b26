// Load buffering (LB) and its out-of-thin-air variant:
//
//   T1: r1 = x; y = 1        T2: r2 = y; x = 1        weak: r1 == 1 && r2 == 1
//   T1: r1 = x; y = r1       T2: r2 = y; x = r2       weak: any value but 0
//
// In LB each load would read the other thread's later store. The C++20
// standard itself does not forbid that for relaxed accesses (it only asks
// implementations to avoid out-of-thin-air values); RC11 does, with the
// No-thin-air axiom (po ∪ rf acyclic), and the checker follows RC11. So LB is
// forbidden in every variant here, and in the second program no value but 0,
// which no thread writes unless it first read it, can ever appear.
//
// Sources: Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing Sequential
// Consistency in C/C++11" (PLDI 2017): the No-thin-air axiom (po ∪ rf acyclic)
// and its discussion of the cost (forbidding LB+rlx); the shape's name is the
// herd7 catalogues' LB. Each verdict below is derived by hand from the RC11
// axioms (litmus.hpp).
#include <utility>

#include "litmus/litmus.hpp"

using namespace weave::litmus;

namespace {

// One LB run with the given load and store orders. Returns (r1, r2).
std::pair<int, int> load_buffering(std::memory_order load, std::memory_order store) {
  location x, y;
  int r1 = -1, r2 = -1;
  thread t1([&] {
    r1 = x.load(load);
    y.store(1, store);
  });
  thread t2([&] {
    r2 = y.load(load);
    x.store(1, store);
  });
  t1.join();
  t2.join();
  return {r1, r2};
}

}  // namespace

// LB+rlx: (1,1) forbidden — Rx →po Wy →rf Ry →po Wx →rf Rx is a po ∪ rf cycle (No-thin-air).
WEAVE_MODEL_CHECK(litmus_lb_relaxed_forbidden, pass) {
  auto [r1, r2] = load_buffering(rlx, rlx);
  WEAVE_CHECK(!(r1 == 1 && r2 == 1));
}

// LB+acq+rel: (1,1) forbidden — both rf edges are sw, so hb would be cyclic (Coherence, already in C++11).
WEAVE_MODEL_CHECK(litmus_lb_acq_rel_forbidden, pass) {
  auto [r1, r2] = load_buffering(acq, rel);
  WEAVE_CHECK(!(r1 == 1 && r2 == 1));
}

// LB with data dependencies (out of thin air), relaxed: any value but 0 forbidden — a load can read one only
// from the other thread's store, whose value came from its own load: a po ∪ rf cycle (No-thin-air).
WEAVE_MODEL_CHECK(litmus_lb_oota_relaxed_forbidden, pass) {
  location x, y;
  int r1 = -1, r2 = -1;
  thread t1([&] {
    r1 = x.load(rlx);
    y.store(r1, rlx);
  });
  thread t2([&] {
    r2 = y.load(rlx);
    x.store(r2, rlx);
  });
  t1.join();
  t2.join();
  WEAVE_CHECK(r1 == 0 && r2 == 0);
}
