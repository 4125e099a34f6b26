// The oracle's program IR: N threads (2–4) of loop-free instructions over
// atomic locations 0..L-1 (L ≤ 3, named x, y, z, each initially 0). Every
// instruction that reads (load, fetch_add, exchange, cas) sets the next
// register r0, r1, ... in thread-major program order; the value of a CAS is the
// old value it read (what compare_exchange_strong leaves in `expected`).
// Programs write distinct non-zero values with their stores, so reads-from is
// readable from an outcome. random_program and random_rmw_program make valid
// C++ programs only: no release load, no acquire store, no release or acq_rel
// CAS failure order, no relaxed fence.
//
// A compare_exchange_weak (instr::weak) may also fail when it reads the value
// it expects (a spurious failure: a read with the failure order, no write).
// weave's checker explores that under both memory models (for the check's
// own atomics, which these programs' are), and so does the oracle.
//
// Awaits (spin loops): `await(x == v)` loads x until it reads v, spinning in
// between (model_sync::spin, the checker's await rule). In an execution that
// ends, its one read that counts is the last, which reads v: the reads before
// it could be left out without making any axiom fail. It may also never end
// (x never holds v for good), which the checker must report as a deadlock.
//
// Cells (the race oracle): a program may also read and write plain, non-atomic
// cells a, b, ... (model_sync::cell under the checker), each access placed
// before one of its thread's instructions (or after the last) and optionally
// guarded by a register its thread read earlier ("if (r0 == 2) a.read()"), so
// that a message-passing program can touch its data only once the flag says so.
// A cell access reads or writes no atomic and sets no register: the question
// it asks is only whether some execution has two accesses to one cell, one a
// write, by two threads, that happens-before leaves unordered (a data race).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace weave::model::test::oracle {

enum class order : std::uint8_t { rlx, acq, rel, acq_rel, sc };
enum class op : std::uint8_t {
  store, load, fetch_add, exchange, cas, fence, await, futex_wait, futex_wait_for, futex_wake, alive, join, await_cas
};

struct instr {
  op kind = op::fence;
  int loc = -1;                // -1 for a fence
  std::uint32_t value = 0;     // store, exchange: value written; fetch_add: addend; cas: desired
  std::uint32_t expected = 0;  // cas
  order ord = order::rlx;      // cas: its success order
  order fail = order::rlx;     // cas: its failure order
  bool weak = false;           // cas: compare_exchange_weak (may fail spuriously)
  /// A spin loop (await, await_cas), and the value it waits for.
  bool is_await() const { return kind == op::await || kind == op::await_cas; }
  std::uint32_t awaited() const { return kind == op::await_cas ? expected : value; }
  bool reads() const { return kind != op::store && kind != op::fence && kind != op::futex_wake && kind != op::join; }
  bool may_write() const {
    return kind != op::load && kind != op::fence && kind != op::await && kind != op::futex_wait &&
           kind != op::futex_wait_for && kind != op::futex_wake && kind != op::alive && kind != op::join;
  }
};

inline instr store(int loc, std::uint32_t v, order o) { return {op::store, loc, v, 0, o, o}; }
inline instr load(int loc, order o) { return {op::load, loc, 0, 0, o, o}; }
inline instr fetch_add(int loc, std::uint32_t v, order o) { return {op::fetch_add, loc, v, 0, o, o}; }
inline instr exchange(int loc, std::uint32_t v, order o) { return {op::exchange, loc, v, 0, o, o}; }
inline instr cas(int loc, std::uint32_t expected, std::uint32_t desired, order s, order f) {
  return {op::cas, loc, desired, expected, s, f};
}
inline instr cas_weak(int loc, std::uint32_t expected, std::uint32_t desired, order s, order f) {
  return {op::cas, loc, desired, expected, s, f, true};
}
inline instr fence(order o) { return {op::fence, -1, 0, 0, o, o}; }
/// A spin loop: `while ((r = x.load(o)) != v) spin();` (its register: v).
inline instr await(int loc, std::uint32_t v, order o) { return {op::await, loc, v, 0, o, o}; }
/// A compare_exchange spin loop, a spinlock's acquire: `e = v; while
/// (!x.compare_exchange_strong(e, w, o, relaxed)) { e = v; spin(); }` (its
/// register: v). Its failed rounds write nothing (the await rule takes them
/// as reads): in an execution that ends, its one access that counts is the
/// last, an RMW that reads v and writes w. It hangs as an await does.
inline instr await_cas(int loc, std::uint32_t v, std::uint32_t w, order o) {
  return {op::await_cas, loc, w, v, o, order::rlx};
}
/// A futex wait on x while it holds v (no deadline): its register is 1 if it
/// slept and was woken, 0 if x did not hold v. Only the interleaving oracle
/// (sc_interleavings.hpp) judges programs with futex operations.
inline instr futex_wait(int loc, std::uint32_t v) { return {op::futex_wait, loc, v, 0, order::sc, order::sc}; }
/// The same wait with a deadline: its register is 1 if it slept and was
/// woken, 2 if it slept and timed out (which it may do at any moment while it
/// sleeps: the checker's clocks are virtual), 0 if x did not hold v.
inline instr futex_wait_for(int loc, std::uint32_t v) {
  return {op::futex_wait_for, loc, v, 0, order::sc, order::sc};
}
/// Whether thread `thread` of the program (0: the first) has not ended: 1 or 0 (no location).
inline instr alive(std::uint32_t thread) { return {op::alive, -1, thread, 0, order::sc, order::sc}; }
/// Joins thread `thread` of the program (model::thread::join from another
/// model thread): waits until it has ended; no register. Only the
/// interleaving oracle judges programs with joins.
inline instr join(std::uint32_t thread) { return {op::join, -1, thread, 0, order::sc, order::sc}; }
/// A futex wake of one sleeper on x (all: every one).
inline instr futex_wake(int loc, bool all) { return {op::futex_wake, loc, all ? 1u : 0u, 0, order::sc, order::sc}; }

/// A plain access to cell `cell` by thread `thread`, made just before the
/// thread's instruction `before` (its instruction count: after the last), if
/// `guard` is -1 or register `guard` (a register of the same thread, read by an
/// earlier instruction) holds `guard_value`. Thread -1 is the check body, which
/// spawns threads 0..n-1 in order and then joins them in order: its access is
/// made before spawning thread `before` (0 <= before <= n; n: after every
/// spawn), or after joining thread before-n-1 (n < before <= 2n); no guard.
struct cell_access {
  int thread = 0;
  int before = 0;
  int cell = 0;
  bool write = false;
  int guard = -1;
  std::uint32_t guard_value = 0;
};

struct program {
  std::string name;
  int locations = 1;
  std::vector<std::vector<instr>> threads;
  int cells = 0;                          // cells a, b, ... (0: none)
  std::vector<cell_access> accesses{};    // in each thread's program order
  int registers() const {
    int n = 0;
    for (const auto& t : threads)
      for (const instr& i : t) n += i.reads() ? 1 : 0;
    return n;
  }
  /// Each thread's first register (registers go thread by thread, in program order).
  std::vector<int> first_registers() const {
    std::vector<int> first;
    int reg = 0;
    for (const auto& t : threads) {
      first.push_back(reg);
      for (const instr& i : t) reg += i.reads() ? 1 : 0;
    }
    return first;
  }
  /// Whether some thread runs an instruction of kind k.
  bool uses(op k) const {
    for (const auto& t : threads)
      for (const instr& i : t)
        if (i.kind == k) return true;
    return false;
  }
  bool awaits() const { return uses(op::await) || uses(op::await_cas); }
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
      return r + l + (i.weak ? ".cas_weak(" : ".cas(") + std::to_string(i.expected) + ", " + v + ", " + to_string(i.ord) +
             ", " + to_string(i.fail) + ")";
    case op::fence: return std::string("fence(") + to_string(i.ord) + ")";
    case op::await: return r + "await(" + l + " == " + v + ", " + to_string(i.ord) + ")";
    case op::await_cas:
      return r + "await_cas(" + l + ": " + std::to_string(i.expected) + " -> " + v + ", " + to_string(i.ord) + ")";
    case op::futex_wait: return r + "wait(" + l + ", " + v + ")";
    case op::futex_wait_for: return r + "wait_for(" + l + ", " + v + ")";
    case op::futex_wake: return std::string(i.value != 0 ? "wake_all(" : "wake_one(") + l + ")";
    case op::alive: return r + "alive(T" + std::to_string(i.value) + ")";
    case op::join: return "join(T" + std::to_string(i.value) + ")";
  }
  return "?";
}

inline std::string cell_name(int c) { return std::string(1, static_cast<char>('a' + c)); }

inline std::string to_text(const cell_access& c) {
  const std::string guard =
      c.guard < 0 ? "" : "if (r" + std::to_string(c.guard) + " == " + std::to_string(c.guard_value) + ") ";
  return guard + cell_name(c.cell) + (c.write ? " = w" : ".read()");
}

inline std::string to_text(const program& p) {
  std::string s = p.name + ":\n";
  int reg = 0;
  for (std::size_t t = 0; t < p.threads.size(); ++t) {
    s += "  T" + std::to_string(t) + ": ";
    const auto cells_before = [&](std::size_t k) {
      for (const cell_access& c : p.accesses)
        if (c.thread == static_cast<int>(t) && c.before == static_cast<int>(k)) s += to_text(c) + "; ";
    };
    for (std::size_t k = 0; k < p.threads[t].size(); ++k) {
      cells_before(k);
      const instr& i = p.threads[t][k];
      s += to_text(i, reg) + "; ";
      reg += i.reads() ? 1 : 0;
    }
    cells_before(p.threads[t].size());
    s += "\n";
  }
  std::string body;
  const auto n = static_cast<int>(p.threads.size());
  for (int k = 0; k <= 2 * n; ++k) {
    for (const cell_access& c : p.accesses)
      if (c.thread < 0 && c.before == k) body += to_text(c) + "; ";
    if (k < n) body += "spawn T" + std::to_string(k) + "; ";
    if (k >= n && k < 2 * n) body += "join T" + std::to_string(k - n) + "; ";
  }
  if (std::any_of(p.accesses.begin(), p.accesses.end(), [](const cell_access& c) { return c.thread < 0; }))
    s += "  body: " + body + "\n";
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

/// A random program named `name`: lo..hi of each of locations, threads, and
/// instructions a thread (random_instr's), drawn in that order. Store,
/// exchange and CAS values are distinct.
struct range {
  int lo, hi;
};
inline program random_skeleton(std::mt19937& rng, std::string name, range locations, range threads, range instrs) {
  auto pick = [&rng](range r) { return std::uniform_int_distribution<int>(r.lo, r.hi)(rng); };
  program p;
  p.name = std::move(name);
  p.locations = pick(locations);
  p.threads.resize(static_cast<std::size_t>(pick(threads)));
  std::uint32_t next = 1;
  std::vector<std::vector<std::uint32_t>> stored(static_cast<std::size_t>(p.locations));
  for (auto& t : p.threads)
    for (int k = pick(instrs); k > 0; --k) {
      const int l = pick({0, p.locations - 1});
      t.push_back(random_instr(rng, l, stored[static_cast<std::size_t>(l)], next));
    }
  return p;
}

/// Random program number `id`: 2–4 threads, 1–3 locations, 1–3 instructions a
/// thread, mixed kinds and orders.
inline program random_program(std::mt19937& rng, int id) {
  return random_skeleton(rng, "random" + std::to_string(id), {1, 3}, {2, 4}, {1, 3});
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

/// Random program number `id` for RC11's SC order (psc_base over seq_cst
/// accesses, psc_F between seq_cst fences): 3 threads, 2–3 locations, 2–3
/// accesses a thread (random_instr's mix, a fence drawn there drawn again),
/// each access made seq_cst with probability 1/2, and a seq_cst fence in
/// each gap between two accesses with probability 1/2. The other generators
/// draw a seq_cst fence at most once in 40 instructions, so their programs seldom
/// hold two: none had a psc cycle through psc_F's hb;eco;hb, where eco is a
/// write's mo-later store that a read reads (make mutate's
/// eco_loses_mo_then_rf went through all of them).
inline program random_sc_order_program(std::mt19937& rng, int id) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  program p;
  p.name = "sc-order" + std::to_string(id);
  p.locations = pick(2, 3);
  p.threads.resize(3);
  std::uint32_t next = 1;
  std::vector<std::vector<std::uint32_t>> stored(static_cast<std::size_t>(p.locations));
  for (auto& t : p.threads)
    for (int k = pick(2, 3); k > 0; --k) {
      if (!t.empty() && pick(0, 1) == 0) t.push_back(fence(order::sc));
      const int l = pick(0, p.locations - 1);
      auto& mine = stored[static_cast<std::size_t>(l)];
      instr i = random_instr(rng, l, mine, next);
      while (i.kind == op::fence) i = random_instr(rng, l, mine, next);
      if (pick(0, 1) == 0) i.ord = i.fail = order::sc;
      t.push_back(i);
    }
  return p;
}

/// Random program number `id` with compare_exchange_weak: random_rmw_program's,
/// with each thread's first compare_exchange made weak (one a thread: the
/// checker explores one spurious failure per thread and execution, with
/// options::spurious_wakeups = 1).
inline program random_weak_cas_program(std::mt19937& rng, int id) {
  program p = random_rmw_program(rng, id);
  p.name = "weak" + std::to_string(id);
  for (auto& t : p.threads)
    for (instr& i : t)
      if (i.kind == op::cas) {
        i.weak = true;
        break;
      }
  return p;
}

/// Random program number `id` that blocks in futex waits, for the
/// interleaving oracle: random_skeleton's 2–3 threads over 1–2 locations with
/// 1–2 instructions a thread, then one or two waits, each for 0 or for a value
/// another thread leaves there, and one or two wakes (one or all), each at a
/// random place of a random thread. A wake before the store it should follow,
/// or none at all, loses a waiter: some hang, some cannot.
inline program random_futex_program(std::mt19937& rng, int id) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  program p = random_skeleton(rng, "futex" + std::to_string(id), {1, 2}, {2, 3}, {1, 2});
  const auto insert = [&](std::size_t t, instr i) {
    auto& code = p.threads[t];
    code.insert(code.begin() + pick(0, static_cast<int>(code.size())), i);
  };
  for (int k = pick(1, 2); k > 0; --k) {
    const auto t = static_cast<std::size_t>(pick(0, static_cast<int>(p.threads.size()) - 1));
    const int l = pick(0, p.locations - 1);
    std::vector<std::uint32_t> values{0};
    for (std::size_t u = 0; u < p.threads.size(); ++u)
      for (const instr& i : p.threads[u])
        if (u != t && i.may_write() && i.kind != op::fetch_add && i.loc == l) values.push_back(i.value);
    insert(t, futex_wait(l, values[static_cast<std::size_t>(pick(0, static_cast<int>(values.size()) - 1))]));
  }
  for (int k = pick(1, 2); k > 0; --k)
    insert(static_cast<std::size_t>(pick(0, static_cast<int>(p.threads.size()) - 1)),
           futex_wake(pick(0, p.locations - 1), pick(0, 2) == 0));
  return p;
}

/// Random program number `id` of random_futex_program's shapes with each
/// futex wait timed or not at random, at least one timed.
inline program random_timed_futex_program(std::mt19937& rng, int id) {
  program p = random_futex_program(rng, id);
  p.name = "timed" + std::to_string(id);
  std::vector<instr*> waits;
  for (auto& code : p.threads)
    for (instr& i : code)
      if (i.kind == op::futex_wait) waits.push_back(&i);
  bool any = false;
  for (instr* i : waits)
    if (std::uniform_int_distribution<int>(0, 1)(rng) == 1) i->kind = op::futex_wait_for, any = true;
  if (!any) waits[std::uniform_int_distribution<std::size_t>(0, waits.size() - 1)(rng)]->kind = op::futex_wait_for;
  return p;
}

/// Random program number `id` with joins, for the interleaving oracle:
/// random_instr's mix (2-3 threads, 1-2 locations, 1-2 instructions a
/// thread) and one or two joins at random places, each of a thread no other
/// join names, and each along one random order of the threads (a thread
/// joins only threads after it there): no two wait for each other, and the
/// check body, which joins every thread no join names, ends after all.
inline program random_join_program(std::mt19937& rng, int id) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  program p = random_skeleton(rng, "join" + std::to_string(id), {1, 2}, {2, 3}, {1, 2});
  const int n = static_cast<int>(p.threads.size());
  std::vector<int> order(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) order[static_cast<std::size_t>(k)] = k;
  std::shuffle(order.begin(), order.end(), rng);
  std::uint32_t joined = 0;
  for (int k = pick(1, 2); k > 0; --k) {
    const int before = pick(0, n - 2);
    const int t = order[static_cast<std::size_t>(before)];
    const int u = order[static_cast<std::size_t>(pick(before + 1, n - 1))];
    if ((joined >> u) & 1u) continue;
    joined |= 1u << u;
    auto& code = p.threads[static_cast<std::size_t>(t)];
    code.insert(code.begin() + pick(0, static_cast<int>(code.size())), join(static_cast<std::uint32_t>(u)));
  }
  return p;
}

/// Random program number `id` that asks whether threads live, for the
/// interleaving oracle: random_instr's mix (2-3 threads, 1-2 locations, 1-2
/// instructions a thread) and one or two alive(u) at random places, each of
/// another thread than its own.
inline program random_liveness_program(std::mt19937& rng, int id) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  program p = random_skeleton(rng, "life" + std::to_string(id), {1, 2}, {2, 3}, {1, 2});
  const int n = static_cast<int>(p.threads.size());
  for (int k = pick(1, 2); k > 0; --k) {
    const int t = pick(0, n - 1);
    const int u = (t + pick(1, n - 1)) % n;
    auto& code = p.threads[static_cast<std::size_t>(t)];
    code.insert(code.begin() + pick(0, static_cast<int>(code.size())), alive(static_cast<std::uint32_t>(u)));
  }
  return p;
}

/// Random program number `id` with spin loops, for the await oracle: 2–3
/// threads, 1–2 locations, 1–2 instructions a thread (random_instr's mix), and
/// one or two awaits, each at a random place of a random thread, waiting for
/// the value another thread's last store, exchange or compare_exchange there
/// leaves (0 if none), with a relaxed, acquire or seq_cst load. Some can hang
/// (the value is overwritten, or never written), some cannot.
inline program random_await_program(std::mt19937& rng, int id) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  program p = random_skeleton(rng, "await" + std::to_string(id), {1, 2}, {2, 3}, {1, 2});
  for (int k = pick(1, 2); k > 0; --k) {
    const auto t = static_cast<std::size_t>(pick(0, static_cast<int>(p.threads.size()) - 1));
    const int l = pick(0, p.locations - 1);
    // The value another thread's last store, exchange or compare_exchange there leaves (it may stay), else 0.
    std::vector<std::uint32_t> others;
    for (std::size_t u = 0; u < p.threads.size(); ++u) {
      std::uint32_t last = 0;
      for (const instr& i : p.threads[u])
        if (u != t && i.may_write() && i.kind != op::fetch_add && i.loc == l) last = i.value;
      if (last != 0) others.push_back(last);
    }
    if (others.empty()) others.push_back(0);
    const std::uint32_t v = others[static_cast<std::size_t>(pick(0, static_cast<int>(others.size()) - 1))];
    const order o = std::array<order, 3>{order::rlx, order::acq, order::sc}[static_cast<std::size_t>(pick(0, 2))];
    auto& code = p.threads[t];
    code.insert(code.begin() + pick(0, static_cast<int>(code.size())), await(l, v, o));
  }
  return p;
}

/// Random program number `id` with compare_exchange spin loops: an await
/// program (random_await_program) whose awaits are each a spinlock's acquire
/// (await_cas) writing a value no other instruction writes. Its failed rounds
/// are idle under the await rule; some programs hang (the value is taken by
/// another loop, overwritten, or never written), some cannot.
inline program random_cas_await_program(std::mt19937& rng, int id) {
  program p = random_await_program(rng, id);
  p.name = "cas-await" + std::to_string(id);
  std::uint32_t fresh = 0;
  for (const auto& t : p.threads)
    for (const instr& i : t) fresh = std::max(fresh, i.value);
  for (auto& t : p.threads)
    for (instr& i : t)
      if (i.kind == op::await) i = await_cas(i.loc, i.value, ++fresh, i.ord);
  return p;
}

/// What is wrong with p's cell accesses (empty: nothing): each names a thread,
/// a place in its code and a cell that exist, the accesses of a thread come in
/// its program order, and a guard is a register its own thread read earlier.
inline std::string cell_problem(const program& p) {
  const std::vector<int> first_reg = p.first_registers();
  std::vector<int> last_place(p.threads.size(), 0);
  int body_place = 0;
  for (const cell_access& c : p.accesses) {
    const std::string what = p.name + ": " + to_text(c);
    if (c.thread == -1) {  // the check body
      if (c.before < 0 || c.before > 2 * static_cast<int>(p.threads.size())) return what + ": no such place in the body";
      if (c.cell < 0 || c.cell >= p.cells) return what + ": no such cell";
      if (c.guard >= 0) return what + ": the body's accesses have no guard";
      if (c.before < body_place) return what + ": out of program order";
      body_place = c.before;
      continue;
    }
    if (c.thread < 0 || c.thread >= static_cast<int>(p.threads.size())) return what + ": no such thread";
    const auto& code = p.threads[static_cast<std::size_t>(c.thread)];
    if (c.before < 0 || c.before > static_cast<int>(code.size())) return what + ": no such place";
    if (c.cell < 0 || c.cell >= p.cells) return what + ": no such cell";
    if (c.before < last_place[static_cast<std::size_t>(c.thread)]) return what + ": out of program order";
    last_place[static_cast<std::size_t>(c.thread)] = c.before;
    if (c.guard < 0) continue;
    int r = first_reg[static_cast<std::size_t>(c.thread)];
    bool read_before = false;
    for (int i = 0; i < c.before; ++i)
      if (code[static_cast<std::size_t>(i)].reads()) read_before = read_before || r++ == c.guard;
    if (!read_before) return what + ": the guard is no register its thread read before";
  }
  return {};
}

/// Random cell accesses for p's threads (random_race_program's rule), and
/// one time in two one by the check body.
inline void add_cell_accesses(std::mt19937& rng, program& p) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  // The values each location may hold, by the thread that writes them (a fetch_add's are sums: left out).
  std::vector<std::vector<std::pair<int, std::uint32_t>>> written(static_cast<std::size_t>(p.locations));
  for (std::size_t t = 0; t < p.threads.size(); ++t)
    for (const instr& i : p.threads[t])
      if (i.may_write() && i.kind != op::fetch_add)
        written[static_cast<std::size_t>(i.loc)].push_back({static_cast<int>(t), i.value});
  const std::vector<int> first_reg = p.first_registers();
  for (std::size_t t = 0; t < p.threads.size(); ++t) {
    const auto& code = p.threads[t];
    std::vector<cell_access> mine;
    for (int k = pick(1, 2); k > 0; --k) {
      cell_access c;
      c.thread = static_cast<int>(t);
      // After its thread's first read, two times in three (where a guard can go).
      int first_read = -1;
      for (std::size_t i = 0; i < code.size() && first_read < 0; ++i)
        if (code[i].reads()) first_read = static_cast<int>(i);
      c.before = first_read >= 0 && pick(0, 2) != 0 ? pick(first_read + 1, static_cast<int>(code.size()))
                                                    : pick(0, static_cast<int>(code.size()));
      c.cell = pick(0, p.cells - 1);
      c.write = pick(0, 1) == 1;
      // The registers read before it: guard on the latest, two times in three.
      int reg = first_reg[t], last_reg = -1, last_loc = -1;
      for (int i = 0; i < c.before; ++i)
        if (code[static_cast<std::size_t>(i)].reads()) {
          last_reg = reg++;
          last_loc = code[static_cast<std::size_t>(i)].loc;
        }
      if (last_reg >= 0 && pick(0, 2) != 0) {
        std::vector<std::uint32_t> others{0};
        if (last_loc < 0) others.push_back(1);  // an alive(u): "if it lives" or "once it has ended"
        else
          for (auto [w, v] : written[static_cast<std::size_t>(last_loc)])
            if (w != static_cast<int>(t)) others.push_back(v);
        c.guard = last_reg;
        c.guard_value = others[static_cast<std::size_t>(pick(0, static_cast<int>(others.size()) - 1))];
      }
      mine.push_back(c);
    }
    std::stable_sort(mine.begin(), mine.end(), [](const cell_access& a, const cell_access& b) { return a.before < b.before; });
    p.accesses.insert(p.accesses.end(), mine.begin(), mine.end());
  }
  // One time in two, the check body touches a cell too: before, between or after the spawns, or after a join.
  if (pick(0, 1) == 1)
    p.accesses.push_back({-1, pick(0, 2 * static_cast<int>(p.threads.size())), pick(0, p.cells - 1), pick(0, 1) == 1, -1, 0});
}

/// p with 1-2 cells and add_cell_accesses's accesses to them.
inline program with_cells(std::mt19937& rng, program p) {
  p.cells = std::uniform_int_distribution<int>(1, 2)(rng);
  add_cell_accesses(rng, p);
  return p;
}

/// Random program number `id` with cells, for the race oracle: 2–3 threads,
/// 1–2 atomic locations and 1–2 cells; each thread has 1–3 instructions
/// (random_instr's mix, fences included) and 1–2 cell accesses (half of them
/// writes), after its first read two times in three, else anywhere. An access
/// after a reading instruction is guarded by the latest register two times in
/// three, expecting a value another thread may write there (or 0), which makes
/// message passing, release sequences and fence pairs out of the random
/// orders; the rest race or not as they fall.
inline program random_race_program(std::mt19937& rng, int id) {
  return with_cells(rng, random_skeleton(rng, "race" + std::to_string(id), {1, 2}, {2, 3}, {1, 3}));
}

/// Random program number `id` that asks whether threads live and touches
/// cells: a liveness program (random_liveness_program) with random_race_
/// program's cell accesses, some guarded by a question ("once T0 has ended,
/// read what it wrote"): seeing a death orders what the dead thread did, and
/// a question is a full barrier, so some of these race and some do not.
inline program random_liveness_race_program(std::mt19937& rng, int id) {
  program p = random_liveness_program(rng, id);
  p.name = "life-race" + std::to_string(id);
  return with_cells(rng, std::move(p));
}

/// Random program number `id` that spins and touches cells: an await program
/// (random_await_program) with random_race_program's cell accesses, so a
/// cell read after a spin loop on a flag (the classic hand-off) comes up with
/// every order: the checker must report a data race or a hang when one can
/// happen (either, when both can), and otherwise pass.
inline program random_spin_race_program(std::mt19937& rng, int id) {
  program p = random_await_program(rng, id);
  p.name = "spin-race" + std::to_string(id);
  return with_cells(rng, std::move(p));
}

}  // namespace weave::model::test::oracle
