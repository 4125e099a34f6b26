// An oracle that keeps the checker honest: a tiny IR for small loop-free
// programs over atomics, and a brute-force enumerator of their executions that
// keeps the ones RC11 (Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing
// Sequential Consistency in C/C++11", PLDI 2017, section 3) calls consistent,
// or, in sc mode, the ones sequential consistency allows (Shasha and Snir:
// po ∪ rf ∪ mo ∪ fr acyclic, with every RMW atomic).
//
// The IR (rc11_program.hpp) is shared with the interpreter that runs the same
// program under weave's checker (oracle_test.cpp), so the two can be compared
// outcome for outcome; the relation algebra is rc11_relation.hpp, the litmus
// shapes rc11_litmus.hpp.
//
// Modelling choices where the paper leaves a detail to the reader:
//   - initial writes are po-before (hence hb-before) every other event and are
//     neither release nor seq_cst;
//   - an RMW of order o is a read and a write linked by rmw, the read acquire
//     iff o is acquire, acq_rel or seq_cst, the write release iff o is
//     release, acq_rel or seq_cst, both in E_sc iff o is seq_cst; a failed CAS
//     is a read with the failure order;
//   - rs is C++20's [W]; (rf; rmw)* (the paper's C++11 rs also took later
//     same-thread writes);
//   - po|loc and hb|loc relate accesses to one location only, and po|≠loc is
//     po minus po|loc, so it keeps every pair with a fence (herd's po \ loc).
//
// How the enumeration goes (explorer below):
//   1. every reading instruction (load, RMW, CAS) picks the instruction it
//      reads from: the initial write or any instruction that may write its
//      location; a choice that closes a po ∪ rf cycle is cut at once (RC11's
//      no-thin-air axiom), so the search never builds it;
//   2. with reads-from fixed and acyclic, every value follows in po ∪ rf order
//      (a CAS succeeds iff it read its expected value; a choice that reads from
//      a CAS which then failed is dropped: that CAS wrote nothing);
//   3. the events are laid out (an RMW is a read and a write linked by rmw, as
//      in the paper), happens-before is computed once (it does not depend on
//      mo), and every modification order per location is tried (initial write
//      first), each location's orders pre-filtered by two consequences of the
//      axioms that need no other location (CoWW and atomicity);
//   4. every candidate left is judged by the full axioms.
// An execution is one (rf, mo) pair; the outcome of a consistent one is every
// register (the value each reading instruction read, in thread-major program
// order) followed by each location's final value (its mo-last write).
//
// Awaits (spin loops, rc11_program.hpp): an execution that ends reads the
// awaited value at each await (step 2 drops every other reads-from choice);
// whether some fair execution never ends is asked separately (hangs()).
//
// Data races (the cells of rc11_program.hpp): a consistent execution races if
// two cell accesses it makes (a guarded one only when its register holds the
// value) touch one cell, one of them writes, they are in different threads, and
// neither happens before the other. A cell access is no event of the graph (it
// would change po|≠loc, hence psc): it sits in po between its thread's events,
// and happens-before reaches it through them. u happens before v (in another
// thread) iff the first event of u's thread after u happens before the last
// event of v's thread before v: hb = (po ∪ sw)+ leaves u's thread by an sw
// edge from an event po-after u and enters v's by one into an event po-before v.
// The check body's accesses are ordered by its spawns and joins only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <vector>

#include "rc11_program.hpp"
#include "rc11_relation.hpp"

namespace weave::model::test::oracle {

enum class memory { rc11, sc };

/// What the oracle found for one program under one memory model.
struct verdicts {
  std::uint64_t consistent = 0;  // distinct consistent (rf, mo) pairs
  std::uint64_t candidates = 0;  // (rf, mo) pairs judged by the full axioms
  std::set<outcome> outcomes;
  int registers = 0;             // outcomes hold these registers, then the final values
  std::uint64_t racy = 0;        // consistent executions with a data race on a cell
  bool hangs = false;            // some fair execution never ends: an await waits forever (hangs())
  bool raced_waiting = false;    // a data race while some thread waits at an await (hangs())
  /// Whether some consistent execution has every register and final value
  /// named: regs as {register, value}, finals as {location, value}.
  using assignment = std::vector<std::pair<int, std::uint32_t>>;
  bool allows(const assignment& regs, const assignment& finals) const;
};

/// One event of a candidate execution. Initial writes are events 0..L-1.
struct event {
  enum kind_t : std::uint8_t { read, write, a_fence } kind;  // (`fence` is the instruction: rc11_program.hpp)
  int thread;  // -1 for an initial write
  int loc;     // -1 for a fence
  std::uint32_t value;
  order mode;
};

/// The relations of a candidate that do not depend on mo: built once per
/// reads-from choice, then reused for every modification order.
struct fixed_part {
  std::vector<event> events;
  relation po, rf, rmw, hb;
  mask w = 0, r = 0, f = 0, sc = 0, fsc = 0;
  std::vector<mask> at;  // at[l]: the accesses to location l
  std::vector<int> first_event, last_event;  // per instruction (flat index): its events
  /// po|loc's and hb|loc's location filter: a's row keeps b iff both access one location.
  relation same_loc(const relation& a) const;
  relation other_loc(const relation& a) const;
};

// ---------------------------------------------------------------------------
// The axioms.
// ---------------------------------------------------------------------------

/// sw = [E⊒rel]; ([F]; po)?; rs; rf; [R⊒rlx]; (po; [F])?; [E⊒acq], with C++20's
/// release sequence rs = [W]; (rf; rmw)* (no same-thread stores since P0982R1).
inline relation synchronises_with(const fixed_part& g, mask rel, mask acq) {
  const int n = g.rf.n;
  const relation rs = restrict_dom(g.w, opt(plus(seq(g.rf, g.rmw))));
  const relation head = identity(n, rel) | seq(identity(n, rel & g.f), g.po);
  const relation tail = identity(n, g.r) | seq(restrict_cod(g.po, g.f), identity(n, g.f));
  return restrict_cod(seq(seq(seq(head, rs), restrict_cod(g.rf, g.r)), tail), acq);
}

/// RC11's SC axiom: psc = psc_base ∪ psc_F acyclic, where
/// scb = po ∪ po|≠loc; hb; po|≠loc ∪ hb|loc ∪ mo ∪ fr,
/// psc_base = ([E_sc] ∪ [F_sc]; hb?); scb; ([E_sc] ∪ hb?; [F_sc]),
/// psc_F = [F_sc]; (hb ∪ hb; eco; hb); [F_sc].
inline bool psc_acyclic(const fixed_part& g, const relation& mo, const relation& fr,
                        const relation& eco) {
  const int n = g.po.n;
  const relation& hb = g.hb;
  const relation po_other = g.other_loc(g.po);
  const relation scb = g.po | seq(seq(po_other, hb), po_other) | g.same_loc(hb) | mo | fr;
  const relation left = identity(n, g.sc) | seq(identity(n, g.fsc), opt(hb));
  const relation right = identity(n, g.sc) | seq(opt(hb), identity(n, g.fsc));
  const relation base = seq(seq(left, scb), right);
  const relation around = hb | seq(seq(hb, eco), hb);
  const relation fences = restrict_cod(restrict_dom(g.fsc, around), g.fsc);
  return acyclic(base | fences);
}

/// Whether the candidate (g with modification order mo) is consistent.
inline bool consistent(const fixed_part& g, const relation& mo, memory m) {
  const relation fr = seq(inverse(g.rf), mo);
  // Atomicity: rmw ∩ (fr; mo) = ∅ (no write lands between an RMW's read and write).
  if (!empty(g.rmw & seq(fr, mo))) return false;
  if (m == memory::sc) return acyclic(g.po | g.rf | mo | fr);  // Shasha–Snir
  const relation eco = plus(g.rf | mo | fr);
  // Coherence: hb; eco? irreflexive.
  if (!irreflexive(g.hb) || !irreflexive(seq(g.hb, eco))) return false;
  // No thin air: po ∪ rf acyclic (the search already cut every cycle; kept as the axiom).
  if (!acyclic(g.po | g.rf)) return false;
  return psc_acyclic(g, mo, fr, eco);
}

inline relation fixed_part::same_loc(const relation& a) const {
  relation out = a;
  for (int i = 0; i < a.n; ++i) {
    const int l = events[static_cast<std::size_t>(i)].loc;
    out.row[static_cast<std::size_t>(i)] &= l < 0 ? 0 : at[static_cast<std::size_t>(l)];
  }
  return out;
}

inline relation fixed_part::other_loc(const relation& a) const {
  // Herd's po \ loc: every pair not on one location, fences included.
  relation out = a;
  for (int i = 0; i < a.n; ++i) {
    const int l = events[static_cast<std::size_t>(i)].loc;
    out.row[static_cast<std::size_t>(i)] &= l < 0 ? ~mask(0) : ~at[static_cast<std::size_t>(l)];
  }
  return out;
}

inline bool verdicts::allows(const assignment& regs, const assignment& finals) const {
  return std::any_of(outcomes.begin(), outcomes.end(), [&](const outcome& o) {
    bool all = true;
    for (auto [i, v] : regs) all = all && o.at(static_cast<std::size_t>(i)) == v;
    for (auto [l, v] : finals) all = all && o.at(static_cast<std::size_t>(registers + l)) == v;
    return all;
  });
}

// ---------------------------------------------------------------------------
// The enumerator.
// ---------------------------------------------------------------------------

/// The mode of an RMW's read and write parts (the paper's mapping: acq_rel
/// reads acquire and writes release; acquire writes and release reads relaxed).
inline order read_part(order o) {
  return o == order::rel ? order::rlx : o == order::acq_rel ? order::acq : o;
}
inline order write_part(order o) {
  return o == order::acq ? order::rlx : o == order::acq_rel ? order::rel : o;
}
inline bool at_least_rel(order o) { return o == order::rel || o == order::acq_rel || o == order::sc; }
inline bool at_least_acq(order o) { return o == order::acq || o == order::acq_rel || o == order::sc; }

/// How many (rf, mo) candidates a plain enumeration would judge: the product of
/// each read's possible sources and each location's writes' orders. The test's
/// generator keeps programs whose search stays small.
inline double search_size(const program& p) {
  std::vector<int> writers(static_cast<std::size_t>(p.locations), 0);
  for (const auto& t : p.threads)
    for (const instr& i : t)
      if (i.may_write()) ++writers[static_cast<std::size_t>(i.loc)];
  double size = 1;
  for (const auto& t : p.threads)
    for (const instr& i : t)
      if (i.reads() && i.loc >= 0) size *= 1 + writers[static_cast<std::size_t>(i.loc)];  // (alive: no location)
  for (int w : writers)
    for (int k = 2; k <= w; ++k) size *= k;
  return size;
}

class explorer {
 public:
  /// prune = false judges every candidate by the axioms alone (no cuts, no
  /// pre-filters; only a po ∪ rf cycle is still dropped, by evaluate, as its
  /// values are undefined): slow, and the test's check that the cuts lose nothing.
  explorer(const program& p, memory m, bool prune = true);
  verdicts run() {
    choose(0);
    return out_;
  }

 private:
  struct slot {
    int thread, pos;
    instr in;
  };
  /// Each instruction's values once reads-from is fixed.
  struct values {
    std::vector<std::uint32_t> read, written;
    std::vector<bool> wrote;
  };
  void choose(std::size_t k);
  bool evaluate(values& v, mask spurious) const;
  fixed_part lay_out(const values& v, std::vector<int>& wevent) const;
  std::vector<std::vector<int>> orders_of(const fixed_part& g, int loc) const;
  void try_orders(const fixed_part& g, const std::vector<std::vector<std::vector<int>>>& per_loc,
                  std::vector<int>& chosen, const values& v);
  void record(const fixed_part& g, const std::vector<std::vector<std::vector<int>>>& per_loc,
              const std::vector<int>& chosen, const values& v);
  bool races(const fixed_part& g, const values& v) const;

  const program& p_;
  memory m_;
  bool prune_;
  std::vector<slot> flat_;                  // every instruction, thread-major (= register order)
  std::vector<int> thread_start_;           // per thread: the flat index of its first instruction
  std::vector<int> reads_;                  // the reading instructions' flat indices
  std::vector<std::vector<int>> sources_;   // per read: -1 (initial write) or a flat index
  std::vector<int> rf_;                     // per flat index: the chosen source (reads only)
  std::vector<int> weak_;                   // the weak compare_exchanges' flat indices
  relation po_i_, rf_i_;                    // instruction-level po and rf, for the thin-air cut
  verdicts out_;
};

inline explorer::explorer(const program& p, memory m, bool prune) : p_(p), m_(m), prune_(prune) {
  for (std::size_t t = 0; t < p.threads.size(); ++t) {
    thread_start_.push_back(static_cast<int>(flat_.size()));
    for (std::size_t k = 0; k < p.threads[t].size(); ++k)
      flat_.push_back({static_cast<int>(t), static_cast<int>(k), p.threads[t][k]});
  }
  const int n = static_cast<int>(flat_.size());
  po_i_.n = rf_i_.n = n;
  rf_.assign(flat_.size(), -1);
  for (int a = 0; a < n; ++a) {
    const slot& s = flat_[static_cast<std::size_t>(a)];
    for (int b = a + 1; b < n; ++b)
      if (flat_[static_cast<std::size_t>(b)].thread == s.thread) po_i_.add(a, b);
    if (!s.in.reads()) continue;
    if (s.in.kind == op::cas && s.in.weak) weak_.push_back(a);  // may fail spuriously, under sc too
    reads_.push_back(a);
    std::vector<int> from{-1};
    for (int w = 0; w < n; ++w) {
      const slot& ws = flat_[static_cast<std::size_t>(w)];
      const bool later_or_self = ws.thread == s.thread && ws.pos >= s.pos;  // a po ∪ rf cycle
      if (ws.in.may_write() && ws.in.loc == s.in.loc && !(prune && later_or_self)) from.push_back(w);
    }
    sources_.push_back(std::move(from));
  }
  out_.registers = static_cast<int>(reads_.size());
}

/// Step 1: read k picks its source; a choice closing a po ∪ rf cycle is cut.
inline void explorer::choose(std::size_t k) {
  if (k == reads_.size()) {
    // Each weak compare_exchange that reads its expected value succeeds, or fails spuriously.
    for (mask spurious = 0; spurious < (mask(1) << weak_.size()); ++spurious) {
      values v;
      if (!evaluate(v, spurious)) continue;
      std::vector<int> wevent;
      const fixed_part g = lay_out(v, wevent);
      std::vector<std::vector<std::vector<int>>> per_loc;
      for (int l = 0; l < p_.locations; ++l) per_loc.push_back(orders_of(g, l));
      std::vector<int> chosen;
      try_orders(g, per_loc, chosen, v);
    }
    return;
  }
  const int r = reads_[k];
  for (int src : sources_[k]) {
    rf_[static_cast<std::size_t>(r)] = src;
    if (src >= 0) rf_i_.add(src, r);
    if (!prune_ || acyclic(po_i_ | rf_i_)) choose(k + 1);
    if (src >= 0) rf_i_.row[relation::idx(src)] &= ~(mask(1) << r);
  }
}

/// Step 2: every value, in po ∪ rf order. False if a read reads from a CAS
/// that failed (it wrote nothing, so that rf names no write), or if a weak
/// compare_exchange set in `spurious` (bit k: weak_[k]) did not read its
/// expected value (it fails anyway: the choice without that bit has it).
inline bool explorer::evaluate(values& v, mask spurious) const {
  const std::size_t n = flat_.size();
  v.read.assign(n, 0);
  v.written.assign(n, 0);
  v.wrote.assign(n, false);
  std::vector<bool> done(n, false);
  for (std::size_t left = n; left > 0;) {
    const std::size_t before = left;
    for (std::size_t a = 0; a < n; ++a) {
      const bool po_ready = a == 0 || flat_[a - 1].thread != flat_[a].thread || done[a - 1];
      const int src = rf_[a];
      if (done[a] || !po_ready || (src >= 0 && !done[static_cast<std::size_t>(src)])) continue;
      if (src >= 0 && !v.wrote[static_cast<std::size_t>(src)]) return false;
      const instr& i = flat_[a].in;
      const std::uint32_t old = src >= 0 ? v.written[static_cast<std::size_t>(src)] : 0;
      if (i.is_await() && old != i.awaited()) return false;  // not the access that ends the loop
      v.read[a] = old;
      v.wrote[a] = i.may_write() && (i.kind != op::cas || old == i.expected);
      const auto w = std::find(weak_.begin(), weak_.end(), static_cast<int>(a));
      if (w != weak_.end() && ((spurious >> (w - weak_.begin())) & 1u)) {
        if (old != i.expected) return false;
        v.wrote[a] = false;  // a spurious failure
      }
      v.written[a] = i.kind == op::fetch_add ? old + i.value : i.value;
      done[a] = true;
      --left;
    }
    if (left == before) return false;  // a po ∪ rf cycle (only when not pruning)
  }
  return true;
}

/// Step 3a: the events (initial writes 0..L-1, then each thread's in po
/// order), po (initial writes before every other event), rf, rmw, and hb.
/// wevent[a] is the write event of instruction a (-1 if it wrote nothing).
inline fixed_part explorer::lay_out(const values& v, std::vector<int>& wevent) const {
  fixed_part g;
  for (int l = 0; l < p_.locations; ++l) g.events.push_back({event::write, -1, l, 0, order::rlx});
  std::vector<int> revent(flat_.size(), -1);
  wevent.assign(flat_.size(), -1);
  g.first_event.assign(flat_.size(), -1);
  g.last_event.assign(flat_.size(), -1);
  for (std::size_t a = 0; a < flat_.size(); ++a) {
    const instr& i = flat_[a].in;
    const int t = flat_[a].thread;
    g.first_event[a] = static_cast<int>(g.events.size());
    g.last_event[a] = g.first_event[a] + (v.wrote[a] && i.reads() ? 1 : 0);  // an RMW: its read, then its write
    if (i.kind == op::fence) g.events.push_back({event::a_fence, t, -1, 0, i.ord});
    if (!i.reads() && i.kind != op::fence) {
      wevent[a] = static_cast<int>(g.events.size());
      g.events.push_back({event::write, t, i.loc, i.value, i.ord});
    }
    if (!i.reads()) continue;
    const bool rmw = v.wrote[a];
    revent[a] = static_cast<int>(g.events.size());
    g.events.push_back({event::read, t, i.loc, v.read[a], rmw ? read_part(i.ord) : i.kind == op::cas ? i.fail : i.ord});
    if (!rmw) continue;
    wevent[a] = static_cast<int>(g.events.size());
    g.events.push_back({event::write, t, i.loc, v.written[a], write_part(i.ord)});
  }
  const int n = static_cast<int>(g.events.size());
  g.po.n = g.rf.n = g.rmw.n = n;
  g.at.assign(static_cast<std::size_t>(p_.locations), 0);
  mask rel = 0, acq = 0;
  for (int e = 0; e < n; ++e) {
    const event& ev = g.events[static_cast<std::size_t>(e)];
    const mask bit = mask(1) << e;
    (ev.kind == event::write ? g.w : ev.kind == event::read ? g.r : g.f) |= bit;
    if (ev.loc >= 0) g.at[static_cast<std::size_t>(ev.loc)] |= bit;
    if (ev.thread >= 0 && ev.mode == order::sc) g.sc |= bit;
    if (ev.thread >= 0 && at_least_rel(ev.mode)) rel |= bit;
    if (ev.thread >= 0 && at_least_acq(ev.mode)) acq |= bit;
    for (int later = e + 1; later < n; ++later)
      if (ev.thread < 0 || ev.thread == g.events[static_cast<std::size_t>(later)].thread) g.po.add(e, later);
  }
  g.po = restrict_cod(g.po, ~((mask(1) << p_.locations) - 1));  // nothing is po-before an initial write
  g.fsc = g.f & g.sc;
  for (std::size_t a = 0; a < flat_.size(); ++a) {
    if (revent[a] < 0) continue;
    const int src = rf_[a];
    g.rf.add(src < 0 ? flat_[a].in.loc : wevent[static_cast<std::size_t>(src)], revent[a]);
    if (wevent[a] >= 0) g.rmw.add(revent[a], wevent[a]);
  }
  g.hb = plus(g.po | synchronises_with(g, rel, acq));
  return g;
}

/// Step 3b: location l's modification orders (its writes after the initial
/// one) that keep CoWW (a write po-before another is mo-before it) and
/// atomicity (an RMW's write comes right after the write its read read).
inline std::vector<std::vector<int>> explorer::orders_of(const fixed_part& g, int loc) const {
  std::vector<int> ws;
  for (int e = p_.locations; e < g.po.n; ++e)
    if (((g.w & g.at[static_cast<std::size_t>(loc)]) >> e) & 1u) ws.push_back(e);
  const relation into = inverse(g.rf);
  std::vector<std::vector<int>> orders;
  do {
    std::vector<int> full{loc};
    full.insert(full.end(), ws.begin(), ws.end());
    bool ok = true;
    for (std::size_t i = 1; i < full.size() && ok; ++i) {
      for (std::size_t j = i + 1; j < full.size(); ++j) ok = ok && !g.po.has(full[j], full[i]);
      const mask read_by = inverse(g.rmw).row[relation::idx(full[i])];  // the RMW's read, if any
      if (read_by != 0) ok = ok && into.has(std::countr_zero(read_by), full[i - 1]);
    }
    if (ok || !prune_) orders.push_back(full);
  } while (std::next_permutation(ws.begin(), ws.end()));
  return orders;
}

/// Step 4: every combination of the locations' orders, judged by the axioms.
inline void explorer::try_orders(const fixed_part& g,
                                 const std::vector<std::vector<std::vector<int>>>& per_loc,
                                 std::vector<int>& chosen, const values& v) {
  if (chosen.size() == per_loc.size()) {
    record(g, per_loc, chosen, v);
    return;
  }
  const auto& mine = per_loc[chosen.size()];
  for (std::size_t k = 0; k < mine.size(); ++k) {
    chosen.push_back(static_cast<int>(k));
    try_orders(g, per_loc, chosen, v);
    chosen.pop_back();
  }
}

inline void explorer::record(const fixed_part& g,
                             const std::vector<std::vector<std::vector<int>>>& per_loc,
                             const std::vector<int>& chosen, const values& v) {
  relation mo;
  mo.n = g.po.n;
  outcome o;
  for (int a : reads_) o.push_back(v.read[static_cast<std::size_t>(a)]);
  for (std::size_t l = 0; l < per_loc.size(); ++l) {
    const std::vector<int>& order_l = per_loc[l][static_cast<std::size_t>(chosen[l])];
    for (std::size_t i = 0; i < order_l.size(); ++i)
      for (std::size_t j = i + 1; j < order_l.size(); ++j) mo.add(order_l[i], order_l[j]);
    o.push_back(g.events[static_cast<std::size_t>(order_l.back())].value);
  }
  ++out_.candidates;
  if (!consistent(g, mo, m_)) return;
  ++out_.consistent;
  out_.outcomes.insert(o);
  if (!p_.accesses.empty() && races(g, v)) ++out_.racy;
}

/// Whether the consistent execution g (with values v) has a data race on a
/// cell (the rule in this file's opening comment).
inline bool explorer::races(const fixed_part& g, const values& v) const {
  const auto made = [&](const cell_access& c) {
    if (c.guard < 0) return true;  // (the body's accesses have no guard)
    return v.read[static_cast<std::size_t>(reads_[static_cast<std::size_t>(c.guard)])] == c.guard_value;
  };
  // The first and the last event of thread t's instruction k (-1: no such instruction).
  const auto first_at = [&](int t, int k) {
    if (k < 0 || k >= static_cast<int>(p_.threads[static_cast<std::size_t>(t)].size())) return -1;
    return g.first_event[static_cast<std::size_t>(thread_start_[static_cast<std::size_t>(t)] + k)];
  };
  const auto last_at = [&](int t, int k) {
    if (k < 0 || k >= static_cast<int>(p_.threads[static_cast<std::size_t>(t)].size())) return -1;
    return g.last_event[static_cast<std::size_t>(thread_start_[static_cast<std::size_t>(t)] + k)];
  };
  // The first event of c's thread after c, the last one before it.
  const auto after = [&](const cell_access& c) { return first_at(c.thread, c.before); };
  const auto before = [&](const cell_access& c) { return last_at(c.thread, c.before - 1); };
  const auto hb = [&](int a, int b) { return a >= 0 && b >= 0 && g.hb.has(a, b); };
  // The check body (thread -1) spawns thread k after its accesses at places
  // up to k, and has joined threads 0..j at place n+1+j: an access of the
  // body happens before what those threads do, and what happens before their
  // first events; what happens before their ends happens before it.
  const auto n = static_cast<int>(p_.threads.size());
  const auto ordered = [&](const cell_access& u, const cell_access& w) {
    if (u.thread < 0) {  // the body before spawning thread u.before
      for (int t = u.before; t < n; ++t)
        if (w.thread == t || hb(first_at(t, 0), before(w))) return true;
      return false;
    }
    if (w.thread < 0) {  // the body after joining threads 0..w.before-n-1
      for (int t = 0; t < w.before - n; ++t) {
        const auto last = static_cast<int>(p_.threads[static_cast<std::size_t>(t)].size()) - 1;
        if (u.thread == t || hb(after(u), last_at(t, last))) return true;
      }
      return false;
    }
    return hb(after(u), before(w));
  };
  for (std::size_t i = 0; i < p_.accesses.size(); ++i)
    for (std::size_t j = i + 1; j < p_.accesses.size(); ++j) {
      const cell_access &u = p_.accesses[i], &w = p_.accesses[j];
      if (u.thread == w.thread || u.cell != w.cell || !(u.write || w.write)) continue;
      if (made(u) && made(w) && !ordered(u, w) && !ordered(w, u)) return true;
    }
  return false;
}

/// Whether some fair execution of p never ends. A thread hangs at an await
/// for good when the location's last value (mo-last: by fairness, the loop
/// reads it in the end) is not the one it waits for, and the other threads
/// have ended or hang too. So: for every choice of the awaits the threads
/// stop at (at least one), the program cut there must have a consistent
/// execution (its earlier awaits satisfied) whose final values leave every
/// stopped await waiting. The reads a stopped loop made are left out: the
/// last one reads the mo-last store, an event with no outgoing edge, so it
/// makes no axiom fail. The cut program keeps the cell accesses made before
/// the stops: a race in any of its executions is a race of p's (raced).
struct hang_verdict {
  bool hangs = false;
  bool raced = false;  // a race where some thread waits at an await (in a cut program)
};

inline hang_verdict hangs(const program& p, memory m, bool prune) {
  hang_verdict out;
  std::vector<std::vector<int>> stops(p.threads.size(), std::vector<int>{-1});  // per thread: -1 (runs on) or an await
  for (std::size_t t = 0; t < p.threads.size(); ++t)
    for (std::size_t k = 0; k < p.threads[t].size(); ++k)
      if (p.threads[t][k].is_await()) stops[t].push_back(static_cast<int>(k));
  std::vector<std::size_t> pick(p.threads.size(), 0);
  for (;;) {
    std::size_t t = 0;  // the next combination, odometer style
    while (t < pick.size() && ++pick[t] == stops[t].size()) pick[t++] = 0;
    if (t == pick.size()) return out;
    program cut{p.name, p.locations, {}, p.cells};
    std::vector<std::pair<int, std::uint32_t>> waiting;  // {location, value} of each stopped await
    for (std::size_t u = 0; u < p.threads.size(); ++u) {
      const int at = stops[u][pick[u]];
      const auto& code = p.threads[u];
      cut.threads.emplace_back(code.begin(), at < 0 ? code.end() : code.begin() + at);
      if (at >= 0) waiting.push_back({code[static_cast<std::size_t>(at)].loc, code[static_cast<std::size_t>(at)].awaited()});
    }
    // A guard's register, renumbered: the threads before its own lost the registers after their stops.
    const std::vector<int> from = p.first_registers(), to = cut.first_registers();
    // The body waits at the join of the first thread that hangs: it makes no access after it.
    int first_hung = static_cast<int>(p.threads.size());
    for (std::size_t u = p.threads.size(); u-- > 0;)
      if (stops[u][pick[u]] >= 0) first_hung = static_cast<int>(u);
    for (cell_access c : p.accesses) {
      if (c.thread < 0) {
        if (c.before <= static_cast<int>(p.threads.size()) + first_hung) cut.accesses.push_back(c);
        continue;
      }
      const int at = stops[static_cast<std::size_t>(c.thread)][pick[static_cast<std::size_t>(c.thread)]];
      if (at >= 0 && c.before > at) continue;  // after the loop it waits in
      if (c.guard >= 0) c.guard += to[static_cast<std::size_t>(c.thread)] - from[static_cast<std::size_t>(c.thread)];
      cut.accesses.push_back(c);
    }
    const verdicts v = explorer(cut, m, prune).run();
    out.raced = out.raced || v.racy > 0;
    for (const outcome& o : v.outcomes) {
      const std::size_t finals = o.size() - static_cast<std::size_t>(p.locations);
      bool all_wait = true;
      for (auto [l, val] : waiting) all_wait = all_wait && o[finals + static_cast<std::size_t>(l)] != val;
      out.hangs = out.hangs || all_wait;
    }
  }
}

/// A program that asks whether threads live (alive(u)), as one the axioms
/// judge. On hardware the question goes to the kernel (S::alive reads /proc):
/// a system call, taken here as a full barrier. So thread u's life is a
/// location of its own, initially 0 (alive); u's end is a seq_cst fence and a
/// seq_cst store of 1 there after its last instruction (the exit), and
/// alive(u) is a seq_cst fence, a seq_cst load of it and a seq_cst fence.
/// Seeing a thread dead then synchronises with its end, as the checker's
/// S::alive orders what the dead thread did before it (engine::alive, as a
/// join does); seeing it alive orders nothing by itself. A cell access keeps
/// its place: before a question's first fence, or before the end; a guard on
/// a question's register reads its load's value. Not combined with awaits
/// (hangs()).
struct lives_as_locations {
  program p;
  int locations;           // the original program's
  std::vector<bool> asks;  // per register: an alive's (its load reads 0 where alive says 1)
  explicit lives_as_locations(const program& q) : p(q), locations(q.locations) {
    std::vector<int> lived(q.threads.size(), -1);  // lived[u]: u's life location (-1: nobody asks after u)
    std::vector<std::vector<int>> at(p.threads.size());  // at[t][k]: where thread t's instruction k went
    for (std::size_t t = 0; t < p.threads.size(); ++t) {
      std::vector<instr> with_lives;
      for (const instr& i : p.threads[t]) {
        at[t].push_back(static_cast<int>(with_lives.size()));
        if (i.kind != op::alive) {
          with_lives.push_back(i);
          continue;
        }
        int& l = lived[i.value];
        if (l < 0) l = p.locations++;
        with_lives.insert(with_lives.end(), {fence(order::sc), load(l, order::sc), fence(order::sc)});
      }
      at[t].push_back(static_cast<int>(with_lives.size()));  // after the last: before the end
      p.threads[t] = std::move(with_lives);
    }
    for (const auto& code : q.threads)
      for (const instr& i : code)
        if (i.reads()) asks.push_back(i.kind == op::alive);
    for (cell_access& c : p.accesses) {
      if (c.thread < 0) continue;
      c.before = at[static_cast<std::size_t>(c.thread)][static_cast<std::size_t>(c.before)];
      if (c.guard >= 0 && asks[static_cast<std::size_t>(c.guard)] && c.guard_value <= 1) c.guard_value ^= 1u;
    }
    for (std::size_t u = 0; u < p.threads.size(); ++u)
      if (lived[u] >= 0) p.threads[u].insert(p.threads[u].end(), {fence(order::sc), store(lived[u], 1, order::sc)});
  }
  /// An outcome of p as one of the original program: an alive(u) register
  /// says 1 where the load read 0 (not yet ended), and the life locations'
  /// final values are dropped.
  outcome original(outcome o) const {
    for (std::size_t r = 0; r < asks.size(); ++r)
      if (asks[r]) o[r] = o[r] == 0 ? 1 : 0;
    o.resize(asks.size() + static_cast<std::size_t>(locations));
    return o;
  }
};

/// The oracle's entry point.
inline verdicts enumerate(const program& p, memory m, bool prune = true) {
  if (p.uses(op::alive)) {
    if (p.awaits()) throw std::invalid_argument("oracle: alive with awaits (" + p.name + ")");
    const lives_as_locations lives(p);
    verdicts out = explorer(lives.p, m, prune).run();
    std::set<outcome> original;
    for (const outcome& o : out.outcomes) original.insert(lives.original(o));
    out.outcomes = std::move(original);
    return out;  // (racy: the cells' accesses kept their places)
  }
  verdicts out = explorer(p, m, prune).run();
  if (!p.awaits()) return out;
  const hang_verdict h = hangs(p, m, prune);
  out.hangs = h.hangs;
  out.raced_waiting = h.raced;
  return out;
}

}  // namespace weave::model::test::oracle
