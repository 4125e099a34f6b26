// The oracle's program IR: N threads (2–4) of loop-free instructions over
// atomic locations 0..L-1 (L ≤ 3, named x, y, z, each initially 0). Every
// instruction that reads (load, fetch_add, exchange, cas) sets the next
// register r0, r1, ... in thread-major program order; the value of a CAS is the
// old value it read (what compare_exchange_strong leaves in `expected`).
// Programs write distinct non-zero values with their stores, so reads-from is
// readable from an outcome. random_program and random_rmw_program make valid
// C++ programs only: no release load, no acquire store, no release or acq_rel
// CAS failure order, no relaxed fence.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace weave::model::test::oracle {

enum class order : std::uint8_t { rlx, acq, rel, acq_rel, sc };
enum class op : std::uint8_t { store, load, fetch_add, exchange, cas, fence };

struct instr {
  op kind = op::fence;
  int loc = -1;                // -1 for a fence
  std::uint32_t value = 0;     // store, exchange: value written; fetch_add: addend; cas: desired
  std::uint32_t expected = 0;  // cas
  order ord = order::rlx;      // cas: its success order
  order fail = order::rlx;     // cas: its failure order
  bool reads() const { return kind != op::store && kind != op::fence; }
  bool may_write() const { return kind != op::load && kind != op::fence; }
};

inline instr store(int loc, std::uint32_t v, order o) { return {op::store, loc, v, 0, o, o}; }
inline instr load(int loc, order o) { return {op::load, loc, 0, 0, o, o}; }
inline instr fetch_add(int loc, std::uint32_t v, order o) { return {op::fetch_add, loc, v, 0, o, o}; }
inline instr exchange(int loc, std::uint32_t v, order o) { return {op::exchange, loc, v, 0, o, o}; }
inline instr cas(int loc, std::uint32_t expected, std::uint32_t desired, order s, order f) {
  return {op::cas, loc, desired, expected, s, f};
}
inline instr fence(order o) { return {op::fence, -1, 0, 0, o, o}; }

struct program {
  std::string name;
  int locations = 1;
  std::vector<std::vector<instr>> threads;
  int registers() const {
    int n = 0;
    for (const auto& t : threads)
      for (const instr& i : t) n += i.reads() ? 1 : 0;
    return n;
  }
  int instructions() const {
    int n = 0;
    for (const auto& t : threads) n += static_cast<int>(t.size());
    return n;
  }
};

/// Every register, then every location's final value.
using outcome = std::vector<std::uint32_t>;

// ---------------------------------------------------------------------------
// Printing: programs as C-like text, outcomes as "r0=1 r1=0 | x=1 y=2".
// ---------------------------------------------------------------------------

inline const char* to_string(order o) {
  static const char* const names[] = {"rlx", "acq", "rel", "acq_rel", "sc"};
  return names[static_cast<int>(o)];
}

inline std::string loc_name(int l) { return std::string(1, static_cast<char>('x' + l)); }

inline std::string to_text(const instr& i, int reg) {
  const std::string r = "r" + std::to_string(reg) + " = ";
  const std::string l = i.loc >= 0 ? loc_name(i.loc) : "";
  const std::string v = std::to_string(i.value);
  switch (i.kind) {
    case op::store: return l + ".store(" + v + ", " + to_string(i.ord) + ")";
    case op::load: return r + l + ".load(" + to_string(i.ord) + ")";
    case op::fetch_add: return r + l + ".fetch_add(" + v + ", " + to_string(i.ord) + ")";
    case op::exchange: return r + l + ".exchange(" + v + ", " + to_string(i.ord) + ")";
    case op::cas:
      return r + l + ".cas(" + std::to_string(i.expected) + ", " + v + ", " + to_string(i.ord) +
             ", " + to_string(i.fail) + ")";
    case op::fence: return std::string("fence(") + to_string(i.ord) + ")";
  }
  return "?";
}

inline std::string to_text(const program& p) {
  std::string s = p.name + ":\n";
  int reg = 0;
  for (std::size_t t = 0; t < p.threads.size(); ++t) {
    s += "  T" + std::to_string(t) + ": ";
    for (const instr& i : p.threads[t]) {
      s += to_text(i, reg) + "; ";
      reg += i.reads() ? 1 : 0;
    }
    s += "\n";
  }
  return s;
}

inline std::string to_text(const outcome& o, const program& p) {
  const auto regs = static_cast<std::size_t>(p.registers());
  std::string s;
  for (std::size_t i = 0; i < o.size(); ++i) {
    if (i == regs) s += "| ";
    s += (i < regs ? "r" + std::to_string(i) : loc_name(static_cast<int>(i - regs))) + "=" +
         std::to_string(o[i]) + " ";
  }
  return s;
}

// ---------------------------------------------------------------------------
// Random programs (valid C++ orders only).
// ---------------------------------------------------------------------------

/// One random instruction on location l (stored[l]: the values written to l so
/// far, so a CAS can expect one of them; next: the next unused value).
inline instr random_instr(std::mt19937& rng, int l, std::vector<std::uint32_t>& stored,
                          std::uint32_t& next) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto one_of = [&](std::initializer_list<order> os) {
    return os.begin()[pick(0, static_cast<int>(os.size()) - 1)];
  };
  const order load_order = one_of({order::rlx, order::acq, order::sc});
  const order store_order = one_of({order::rlx, order::rel, order::sc});
  const order rmw_order = one_of({order::rlx, order::acq, order::rel, order::acq_rel, order::sc});
  const int kind = pick(0, 9);  // 3 in 10 stores, 3 loads, 1 of each RMW, 1 fence
  if (kind == 9) return fence(one_of({order::acq, order::rel, order::acq_rel, order::sc}));
  if (kind >= 3 && kind <= 5) return load(l, load_order);
  if (kind == 6) return fetch_add(l, 10 * static_cast<std::uint32_t>(pick(1, 3)), rmw_order);
  const std::uint32_t expected =
      stored.empty() || pick(0, 1) == 0 ? 0 : stored[static_cast<std::size_t>(pick(0, static_cast<int>(stored.size()) - 1))];
  stored.push_back(next);
  if (kind < 3) return store(l, next++, store_order);
  if (kind == 7) return exchange(l, next++, rmw_order);
  return cas(l, expected, next++, rmw_order, load_order);  // the failure order is a load's
}

/// Random program number `id`: 2–4 threads, 1–3 locations, 1–3 instructions a
/// thread, mixed kinds and orders. Store, exchange and CAS values are distinct.
inline program random_program(std::mt19937& rng, int id) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  program p;
  p.name = "random" + std::to_string(id);
  p.locations = pick(1, 3);
  p.threads.resize(static_cast<std::size_t>(pick(2, 4)));
  std::uint32_t next = 1;
  std::vector<std::vector<std::uint32_t>> stored(static_cast<std::size_t>(p.locations));
  for (auto& t : p.threads)
    for (int k = pick(1, 3); k > 0; --k) {
      const int l = pick(0, p.locations - 1);
      t.push_back(random_instr(rng, l, stored[static_cast<std::size_t>(l)], next));
    }
  return p;
}

/// Random program number `id` weighted toward read-modify-writes: 3 threads
/// (one in six has 2, one in six of the rest 4), 1–2 locations, 2–3
/// instructions a thread; of every 12 instructions 2 stores, 2 loads, 2
/// fetch_adds, 2 exchanges, 3 compare_exchanges (expecting 0 one time in three,
/// else a value stored before), 1 fence. The reductions' rules for RMWs
/// (engine::wakes) are tested on these as well as on the programs they were
/// tuned on.
inline program random_rmw_program(std::mt19937& rng, int id) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto one_of = [&](std::initializer_list<order> os) {
    return os.begin()[pick(0, static_cast<int>(os.size()) - 1)];
  };
  program p;
  p.name = "rmw" + std::to_string(id);
  p.locations = pick(1, 2);
  const int threads = pick(0, 5) == 0 ? 2 : pick(0, 5) == 0 ? 4 : 3;
  p.threads.resize(static_cast<std::size_t>(threads));
  std::uint32_t next = 1;
  std::vector<std::vector<std::uint32_t>> stored(static_cast<std::size_t>(p.locations));
  for (auto& t : p.threads)
    for (int k = pick(2, 3); k > 0; --k) {
      const int l = pick(0, p.locations - 1);
      auto& mine = stored[static_cast<std::size_t>(l)];
      const order load_order = one_of({order::rlx, order::acq, order::sc});
      const order store_order = one_of({order::rlx, order::rel, order::sc});
      const order rmw_order = one_of({order::rlx, order::acq, order::rel, order::acq_rel, order::sc});
      const int kind = pick(0, 11);
      if (kind == 11) {
        t.push_back(fence(one_of({order::acq, order::rel, order::acq_rel, order::sc})));
      } else if (kind <= 1) {
        mine.push_back(next);
        t.push_back(store(l, next++, store_order));
      } else if (kind <= 3) {
        t.push_back(load(l, load_order));
      } else if (kind <= 5) {
        t.push_back(fetch_add(l, 10 * static_cast<std::uint32_t>(pick(1, 3)), rmw_order));
      } else if (kind <= 7) {
        mine.push_back(next);
        t.push_back(exchange(l, next++, rmw_order));
      } else {
        const std::uint32_t expected =
            mine.empty() || pick(0, 2) == 0 ? 0 : mine[static_cast<std::size_t>(pick(0, static_cast<int>(mine.size()) - 1))];
        mine.push_back(next);
        t.push_back(cas(l, expected, next++, rmw_order, load_order));
      }
    }
  return p;
}

}  // namespace weave::model::test::oracle
