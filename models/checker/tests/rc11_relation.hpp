// Binary relations over at most 64 events, one bit row per event, with the
// operators the RC11 axioms are written in: union (|), intersection (&),
// sequence (;), inverse, transitive closure (+), reflexive closure (?), and
// the domain/codomain filters [A]; r and r; [B]. The oracle's programs have at
// most 12 instructions (24 events with RMWs split) plus 3 initial writes.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace weave::model::test::oracle {

using mask = std::uint64_t;  // a set of events
constexpr int max_events = 64;

struct relation {
  int n = 0;  // events 0..n-1
  std::array<mask, max_events> row{};
  bool has(int a, int b) const { return (row[idx(a)] >> b) & 1u; }
  void add(int a, int b) { row[idx(a)] |= mask(1) << b; }
  static std::size_t idx(int a) { return static_cast<std::size_t>(a); }
};

inline relation operator|(relation a, const relation& b) {
  for (int i = 0; i < a.n; ++i) a.row[relation::idx(i)] |= b.row[relation::idx(i)];
  return a;
}

inline relation operator&(relation a, const relation& b) {
  for (int i = 0; i < a.n; ++i) a.row[relation::idx(i)] &= b.row[relation::idx(i)];
  return a;
}

/// a; b: i to k when i a j and j b k for some j.
inline relation seq(const relation& a, const relation& b) {
  relation out;
  out.n = a.n;
  for (int i = 0; i < a.n; ++i)
    for (mask m = a.row[relation::idx(i)]; m != 0; m &= m - 1)
      out.row[relation::idx(i)] |= b.row[relation::idx(std::countr_zero(m))];
  return out;
}

inline relation inverse(const relation& a) {
  relation out;
  out.n = a.n;
  for (int i = 0; i < a.n; ++i)
    for (mask m = a.row[relation::idx(i)]; m != 0; m &= m - 1) out.add(std::countr_zero(m), i);
  return out;
}

/// a+ (Warshall: after step k, paths through 0..k are closed).
inline relation plus(relation a) {
  for (int k = 0; k < a.n; ++k) {
    const mask bit = mask(1) << k;
    for (int i = 0; i < a.n; ++i)
      if (a.row[relation::idx(i)] & bit) a.row[relation::idx(i)] |= a.row[relation::idx(k)];
  }
  return a;
}

/// [s]: the identity on the events of s.
inline relation identity(int n, mask s) {
  relation out;
  out.n = n;
  for (int i = 0; i < n; ++i)
    if ((s >> i) & 1u) out.add(i, i);
  return out;
}

/// a?: a ∪ the identity on every event.
inline relation opt(const relation& a) { return a | identity(a.n, ~mask(0)); }

/// [s]; a
inline relation restrict_dom(mask s, relation a) {
  for (int i = 0; i < a.n; ++i)
    if (!((s >> i) & 1u)) a.row[relation::idx(i)] = 0;
  return a;
}

/// a; [s]
inline relation restrict_cod(relation a, mask s) {
  for (int i = 0; i < a.n; ++i) a.row[relation::idx(i)] &= s;
  return a;
}

inline bool irreflexive(const relation& a) {
  for (int i = 0; i < a.n; ++i)
    if (a.has(i, i)) return false;
  return true;
}

inline bool acyclic(const relation& a) { return irreflexive(plus(a)); }

inline bool empty(const relation& a) {
  for (int i = 0; i < a.n; ++i)
    if (a.row[relation::idx(i)] != 0) return false;
  return true;
}

}  // namespace weave::model::test::oracle
