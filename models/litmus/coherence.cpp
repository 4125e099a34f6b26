// Coherence: on each single location every thread agrees with one modification
// order (mo), and happens-before never runs against it. The classic shapes
// on one location x, and the atomicity of read-modify-writes:
//
//   CoRR   T1: x = 1            T2: r1 = x; r2 = x            weak: r1 == 1 && r2 == 0
//   CoRR2  T1: x = 1   T2: x = 2   T3: r1 = x; r2 = x   T4: r3 = x; r4 = x
//                                          weak: r1 == 1, r2 == 2, r3 == 2, r4 == 1
//   CoWR   T1: x = 1; r1 = x    T2: x = 2                     weak: r1 == 2 && x == 1 at the end
//   CoRW   T1: r1 = x; x = 1    T2: x = 2                     weak: r1 == 2 && x == 2 at the end
//   CoWW   T1: x = 1; x = 2                                   weak: x == 1 at the end
//   RMW    T1: a = x++          T2: b = x++                   weak: a == 0 && b == 0
//
// Every weak outcome above is forbidden in every variant, so each is checked
// relaxed only: stronger orders only add sw, hb and psc edges, and every RC11
// axiom only gets harder to meet as those grow, so a stronger variant can
// only forbid more. "x at the end" is a relaxed load in the body after the
// joins: every store happens before it, so by Coherence it reads the last
// store in mo.
//
// Sources: Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing Sequential
// Consistency in C/C++11" (PLDI 2017): the Coherence axiom (hb ; eco?
// irreflexive) and the Atomicity axiom (rmw ∩ (rb ; mo) = ∅); the C++20
// coherence rules of [intro.races] (write-write, read-read, read-write and
// write-read coherence) say the same; the shapes' names are the herd7
// catalogues'. Each verdict below is derived by hand from the RC11 axioms.
#include "litmus/litmus.hpp"

using namespace weave::litmus;

// CoRR: forbidden — R1 →po R2 is hb and R2 →rb W1 →rf R1 is eco (Coherence; read-read coherence).
WEAVE_MODEL_CHECK(litmus_corr_relaxed_forbidden, pass) {
  location x;
  int r1 = -1, r2 = -1;
  thread t1([&] { x.store(1, rlx); });
  thread t2([&] {
    r1 = x.load(rlx);
    r2 = x.load(rlx);
  });
  t1.join();
  t2.join();
  WEAVE_CHECK(!(r1 == 1 && r2 == 0));
}

// CoRR2: forbidden — T3's reads force W1 →mo W2 and T4's force W2 →mo W1 (Coherence, as in CoRR); mo is one total order.
WEAVE_MODEL_CHECK(litmus_corr2_relaxed_forbidden, pass) {
  location x;
  int r1 = -1, r2 = -1, r3 = -1, r4 = -1;
  thread t1([&] { x.store(1, rlx); });
  thread t2([&] { x.store(2, rlx); });
  thread t3([&] {
    r1 = x.load(rlx);
    r2 = x.load(rlx);
  });
  thread t4([&] {
    r3 = x.load(rlx);
    r4 = x.load(rlx);
  });
  t1.join();
  t2.join();
  t3.join();
  t4.join();
  WEAVE_CHECK(!(r1 == 1 && r2 == 2 && r3 == 2 && r4 == 1));
}

// CoWR: forbidden — W1 →po R is hb; x == 1 at the end puts W2 →mo W1, so R (reading W2) →rb W1 (Coherence).
WEAVE_MODEL_CHECK(litmus_cowr_relaxed_forbidden, pass) {
  location x;
  int r1 = -1;
  thread t1([&] {
    x.store(1, rlx);
    r1 = x.load(rlx);
  });
  thread t2([&] { x.store(2, rlx); });
  t1.join();
  t2.join();
  const int last = x.load(rlx);  // relaxed: after the joins every store happens before it
  WEAVE_CHECK(!(r1 == 2 && last == 1));
}

// CoRW: forbidden — R →po W1 is hb; x == 2 at the end puts W1 →mo W2, and W2 →rf R (Coherence).
WEAVE_MODEL_CHECK(litmus_corw_relaxed_forbidden, pass) {
  location x;
  int r1 = -1;
  thread t1([&] {
    r1 = x.load(rlx);
    x.store(1, rlx);
  });
  thread t2([&] { x.store(2, rlx); });
  t1.join();
  t2.join();
  const int last = x.load(rlx);  // relaxed: after the joins every store happens before it
  WEAVE_CHECK(!(r1 == 2 && last == 2));
}

// CoWW: forbidden — W1 →po W2 is hb, so W2 →mo W1 (x == 1 at the end) breaks Coherence (write-write coherence).
WEAVE_MODEL_CHECK(litmus_coww_relaxed_forbidden, pass) {
  location x;
  thread t1([&] {
    x.store(1, rlx);
    x.store(2, rlx);
  });
  t1.join();
  const int last = x.load(rlx);  // relaxed: after the join every store happens before it
  WEAVE_CHECK(!(last == 1));
}

// RMW atomicity, relaxed: both increments reading 0 is forbidden — the later one in mo would read a store that is not
// its immediate mo predecessor: rmw ∩ (rb ; mo) ≠ ∅ (Atomicity).
WEAVE_MODEL_CHECK(litmus_rmw_atomicity_relaxed_forbidden, pass) {
  location x;
  int a = -1, b = -1;
  thread t1([&] { a = x.fetch_add(1, rlx); });
  thread t2([&] { b = x.fetch_add(1, rlx); });
  t1.join();
  t2.join();
  WEAVE_CHECK(!(a == 0 && b == 0));
}

// The RMW's twin, a load then a store: both reading 0 (a lost update) is allowed in every model — it is a plain
// interleaving (both loads, then both stores), so even an interleaving-only engine finds it.
WEAVE_MODEL_CHECK(litmus_rmw_twin_load_store_found, check_failed) {
  location x;
  int a = -1, b = -1;
  thread t1([&] {
    a = x.load(rlx);
    x.store(a + 1, rlx);
  });
  thread t2([&] {
    b = x.load(rlx);
    x.store(b + 1, rlx);
  });
  t1.join();
  t2.join();
  WEAVE_CHECK(!(a == 0 && b == 0));
}
