// The oracle keeps the checker honest: every program of a litmus catalogue, of
// seeded random generators (weighted toward RMWs, compare_exchange_weak or
// seq_cst fences, besides the plain mix) and a few
// named shapes runs under weave's checker (through the interpreter below) and under the brute-force RC11 / SC enumerator of
// rc11_oracle.hpp, and the outcome sets must be equal; under rc11 the checker
// must also explore at most 1.25 executions per consistent execution (its
// reduction may re-explore a little, never a lot); a random and a PCT search of
// each (--strategy), samples, must explore only outcomes the oracle allows and
// find no failure it does not expect. The oracle itself is checked first
// against the published verdicts of the litmus shapes.
// Three more generators and catalogues ask about the checker's verdicts:
// programs with plain cells (the checker says data_race exactly when some
// consistent execution races), with spin loops (deadlock exactly when some
// fair execution waits for ever; otherwise the oracle's outcomes), and with
// both (the hand-off through a spin loop); their catalogues' verdicts are
// derived by hand and checked against the oracle first. A second oracle,
// by interleaving (sc_interleavings.hpp), must agree with the axioms under
// sc, and judges programs that block in futex waits (timed or not), wakes
// and joins, and programs that ask whether threads live (a thread ends in a
// step of its own); run within a preemption bound, it judges the checker's
// bounded searches too.
#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "scoped_env.hpp"
#include "rc11_litmus.hpp"
#include "rc11_oracle.hpp"
#include "sc_interleavings.hpp"
#include "weave/model.hpp"

namespace {

namespace oracle = weave::model::test::oracle;
using oracle::order;
using oracle::program;
using weave::model::memory_model;

// ---------------------------------------------------------------------------
// The interpreter: one program, run under weave's checker.
// ---------------------------------------------------------------------------

std::memory_order to_std(order o) {
  switch (o) {
    case order::rlx: return std::memory_order_relaxed;
    case order::acq: return std::memory_order_acquire;
    case order::rel: return std::memory_order_release;
    case order::acq_rel: return std::memory_order_acq_rel;
    case order::sc: return std::memory_order_seq_cst;
  }
  return std::memory_order_seq_cst;
}

using location = weave::model_sync::atomic<std::uint32_t>;

// S::self() of the program's first thread (interpret).
std::uint32_t first_thread_id = 0;

// Each load is a poll of this many rounds at most (0: a load): the loop
// `for (n = 0; n < N && (v = x.load()) == 0; ++n) S::spin();`, its register
// the last value it read. Under SC its outcomes are the load's: it gives up
// (reads 0 N times) wherever the load could read 0, and reads the value
// written wherever the load could read it (checker_polls_are_their_loads).
int poll_rounds = 0;

/// Runs one IR instruction; returns the value it read (0 for a store, fence or join).
std::uint32_t execute(const oracle::instr& i, std::vector<std::unique_ptr<location>>& at,
                      std::vector<weave::model::thread>& threads) {
  if (i.kind == oracle::op::fence) {
    weave::model_sync::fence(to_std(i.ord));
    return 0;
  }
  if (i.kind == oracle::op::join) {
    threads[i.value].join();
    return 0;
  }
  if (i.kind == oracle::op::alive) return weave::model_sync::alive(first_thread_id + i.value) ? 1 : 0;
  location& a = *at[static_cast<std::size_t>(i.loc)];
  switch (i.kind) {
    case oracle::op::store: a.store(i.value, to_std(i.ord)); return 0;
    case oracle::op::load: {
      std::uint32_t v = a.load(to_std(i.ord));
      for (int n = 1; n < poll_rounds && v == 0; ++n) {
        weave::model_sync::spin();
        v = a.load(to_std(i.ord));
      }
      return v;
    }
    case oracle::op::fetch_add: return a.fetch_add(i.value, to_std(i.ord));
    case oracle::op::exchange: return a.exchange(i.value, to_std(i.ord));
    case oracle::op::cas: {
      std::uint32_t e = i.expected;  // left holding the value read, as the IR's register
      if (i.weak) a.compare_exchange_weak(e, i.value, to_std(i.ord), to_std(i.fail));
      else a.compare_exchange_strong(e, i.value, to_std(i.ord), to_std(i.fail));
      return e;
    }
    case oracle::op::await: {
      std::uint32_t v;
      while ((v = a.load(to_std(i.ord))) != i.value) weave::model_sync::spin();
      return v;
    }
    case oracle::op::await_cas: {
      std::uint32_t e = i.expected;
      while (!a.compare_exchange_strong(e, i.value, to_std(i.ord), std::memory_order_relaxed)) {
        e = i.expected;
        weave::model_sync::spin();
      }
      return e;
    }
    case oracle::op::futex_wait:
      return weave::model_sync::wait(a, i.value) == weave::wait_result::woken ? 1 : 0;
    case oracle::op::futex_wait_for:
      switch (weave::model_sync::wait(a, i.value, weave::model_sync::clock::now() + std::chrono::milliseconds(1))) {
        case weave::wait_result::woken: return 1;
        case weave::wait_result::timed_out: return 2;
        case weave::wait_result::value_mismatch: return 0;
      }
      return 0;
    case oracle::op::futex_wake:
      if (i.value != 0) weave::model_sync::wake_all(a);
      else weave::model_sync::wake_one(a);
      return 0;
    case oracle::op::fence:
    case oracle::op::alive:
    case oracle::op::join: break;
  }
  return 0;
}

bool blocks(const program& p) {
  return p.uses(oracle::op::futex_wait) || p.uses(oracle::op::futex_wait_for) || p.uses(oracle::op::futex_wake);
}

/// A cell access (the value a write writes only tells the writes apart).
void touch(std::vector<std::unique_ptr<weave::model_sync::cell<std::uint32_t>>>& cells, const oracle::cell_access& c,
           std::uint32_t value) {
  auto& cell = *cells[static_cast<std::size_t>(c.cell)];
  if (c.write) cell.write() = value;
  else (void)cell.read();
}

// The check body reads its program from here and adds each execution's
// outcome to *seen_outcomes; explore() sets both before calling check.
const program* current_program = nullptr;
std::set<oracle::outcome>* seen_outcomes = nullptr;

void interpret() {
  const program& p = *current_program;
  std::vector<std::unique_ptr<location>> at;
  for (int l = 0; l < p.locations; ++l) at.push_back(std::make_unique<location>(0u));
  std::vector<std::unique_ptr<weave::model_sync::cell<std::uint32_t>>> cells;
  for (int c = 0; c < p.cells; ++c) cells.push_back(std::make_unique<weave::model_sync::cell<std::uint32_t>>(0u));
  std::vector<std::uint32_t> regs(static_cast<std::size_t>(p.registers()), 0);
  std::vector<weave::model::thread> threads;
  threads.reserve(p.threads.size());  // a thread may join another through its handle here
  // The body's own cell accesses at place k (cell_access: before spawning thread k, or after joining k-n-1).
  const auto body_cells = [&](int k) {
    for (const oracle::cell_access& c : p.accesses)
      if (c.thread < 0 && c.before == k) touch(cells, c, 100u + static_cast<std::uint32_t>(k));
  };
  std::size_t first_reg = 0;
  first_thread_id = weave::model_sync::self() + 1;
  for (std::size_t t = 0; t < p.threads.size(); ++t) {
    body_cells(static_cast<int>(t));
    const auto& code = p.threads[t];
    threads.emplace_back([&at, &cells, &regs, &threads, &code, &p, t, first_reg] {
      // Its cell accesses placed before instruction k (guarded ones only when the register says so).
      const auto cells_before = [&](std::size_t k) {
        for (const oracle::cell_access& c : p.accesses) {
          if (c.thread != static_cast<int>(t) || c.before != static_cast<int>(k)) continue;
          if (c.guard < 0 || regs[static_cast<std::size_t>(c.guard)] == c.guard_value)
            touch(cells, c, static_cast<std::uint32_t>(k));
        }
      };
      std::size_t r = first_reg;
      for (std::size_t k = 0; k < code.size(); ++k) {
        cells_before(k);
        const oracle::instr& i = code[k];
        const std::uint32_t v = execute(i, at, threads);
        if (i.reads()) regs[r++] = v;
      }
      cells_before(code.size());
    });
    for (const oracle::instr& i : code) first_reg += i.reads() ? 1 : 0;
  }
  const auto n = static_cast<int>(p.threads.size());
  body_cells(n);
  for (int k = 0; k < n; ++k) {
    bool joined_by_a_thread = false;  // then its join is that thread's
    for (const auto& code : p.threads)
      for (const oracle::instr& i : code) joined_by_a_thread |= i.kind == oracle::op::join && i.value == static_cast<std::uint32_t>(k);
    if (!joined_by_a_thread) threads[static_cast<std::size_t>(k)].join();
    body_cells(n + 1 + k);
  }
  oracle::outcome o = regs;
  // Relaxed: the joins order every store before these loads.
  for (auto& a : at) o.push_back(a->load(std::memory_order_relaxed));
  // Only an execution the checker explores counts: one it stopped early (a
  // pruned branch) is run on to its end, not counted.
  if (weave::model::counted()) seen_outcomes->insert(o);
}

struct checker_run {
  weave::model::result result;
  std::set<oracle::outcome> outcomes;
};

// A random or PCT search's executions (--strategy), its seed the program's.
constexpr std::uint64_t kSample = 100;

// bound >= 0: a preemption-bounded search, on past failures (every outcome it
// reaches); spurious_waits: a futex wait may return spuriously (the default
// of a check), else not; past_failures: an unbounded search on past failures
// too (options::outcomes); search: random or pct, kSample executions.
checker_run explore(const program& p, memory_model m, bool reduction = true, int bound = -1,
                    bool spurious_waits = false, bool past_failures = false, std::uint64_t cap = 0,
                    weave::model::strategy search = weave::model::strategy::dfs) {
  checker_run run;
  current_program = &p;
  seen_outcomes = &run.outcomes;
  weave::model::options o;
  o.memory = m;
  o.reduction = reduction;
  o.preemptions = bound;
  o.outcomes = bound >= 0 || past_failures;
  o.minimize = false;
  // Every schedule, however late a thread (no fairness cut), as the oracles
  // take them: these programs have no loops of timed waits.
  o.late_time_outs = 254;
  // One spurious compare_exchange_weak failure a thread (either model): at most one
  // weak one a thread. One spurious wake-up from a futex wait, or none, as
  // asked (the interleaving oracle's spurious).
  o.spurious_wakeups = !blocks(p) || spurious_waits ? 1 : 0;
  if (cap != 0) o.max_executions = cap;  // bounded, not exhaustive, past it
  o.search = search;
  o.iterations = kSample;
  o.seed = std::hash<std::string>{}(p.name);
  run.result = weave::model::check(o, interpret);
  current_program = nullptr;
  seen_outcomes = nullptr;
  return run;
}

}  // namespace

namespace {

// ---------------------------------------------------------------------------
// The programs.
// ---------------------------------------------------------------------------

/// A litmus program with its weak outcome (the one SC forbids) and that
/// outcome's RC11 verdict. The verdicts are the classic ones for these shapes
/// under RC11 (Lahav et al. 2017 discuss SB and IRIW with sc accesses and sc
/// fences, LB and no-thin-air, and the release-acquire shapes); each group's
/// comment names the axiom that decides it, derived by hand from the paper's
/// section 3. herd7 was not run to produce them. Where the paper's C++11
/// release sequence and C++20's differ, the verdict is C++20's.
struct litmus_case {
  program p;
  oracle::verdicts::assignment regs, finals;  // the weak outcome: {register, value}, {location, value}
  bool rc11_allows;
};

std::vector<litmus_case> litmus_catalogue() {
  using namespace oracle::litmus;
  const order rlx = order::rlx, acq = order::acq, rel = order::rel, sc = order::sc;
  const auto SB = oracle::verdicts::assignment{{0, 0}, {1, 0}};
  const auto MP = oracle::verdicts::assignment{{0, 2}, {1, 0}};
  const auto IRIW = oracle::verdicts::assignment{{0, 1}, {1, 0}, {2, 2}, {3, 0}};
  const auto WRC = oracle::verdicts::assignment{{0, 1}, {1, 2}, {2, 0}};
  const auto RWC = oracle::verdicts::assignment{{0, 1}, {1, 0}, {2, 0}};
  const auto RS = oracle::verdicts::assignment{{0, 2}, {1, 3}, {2, 0}};
  auto co = coherence();
  auto races = rmw_races();
  return {
      // SB: nothing orders a store before the other thread's load unless psc
      // does: all sc (scb = po, fr), sc fences on both sides (psc_F), or mixed.
      {sb("rlx", rlx, rlx), SB, {}, true},
      {sb("rel+acq", rel, acq), SB, {}, true},
      {sb("sc", sc, sc), SB, {}, false},
      {sb("rlx+F_sc", rlx, rlx, sc, sc), SB, {}, false},
      {sb("rlx+one-F_sc", rlx, rlx, sc), SB, {}, true},
      // sc accesses on one side, an sc fence between relaxed accesses on the
      // other: psc_base cycle r0 fr;po F1, F1 po;fr W_x, W_x po r0.
      {{"SB+sc+F_sc-mixed", 2, {{oracle::store(x, 1, sc), oracle::load(y, sc)},
                                {oracle::store(y, 2, rlx), oracle::fence(sc), oracle::load(x, rlx)}}},
       SB, {}, false},
      // SB whose first store is passed on through a flag (z) before the
      // other side's load: psc_base's po|≠loc;hb;po|≠loc orders the seq_cst
      // store before the seq_cst load of the flag's reader (release-acquire),
      // closing W_x -> r1 fr W_y po r2 fr W_x; a relaxed flag makes no hb, and
      // then nothing orders them. (RC11's scb: hb between seq_cst accesses to
      // other locations counts where it leaves and enters by po.)
      {{"SB+sc+rel-acq-flag", 3, {{oracle::store(x, 1, sc), oracle::store(2, 1, rel)},
                                  {oracle::load(2, acq), oracle::load(y, sc)},
                                  {oracle::store(y, 1, sc), oracle::load(x, sc)}}},
       {{0, 1}, {1, 0}, {2, 0}}, {}, false},
      {{"SB+sc+rlx-flag", 3, {{oracle::store(x, 1, sc), oracle::store(2, 1, rlx)},
                              {oracle::load(2, rlx), oracle::load(y, sc)},
                              {oracle::store(y, 1, sc), oracle::load(x, sc)}}},
       {{0, 1}, {1, 0}, {2, 0}}, {}, true},
      // MP: release (store or fence) to acquire (load or fence) is sw, so the
      // data store is hb-before the data load, and reading 0 is hb;fr (Coherence).
      {mp("rlx", rlx, rlx, rlx, rlx), MP, {}, true},
      {mp("rel+acq", rlx, rel, acq, rlx), MP, {}, false},
      {mp("rel+rlx", rlx, rel, rlx, rlx), MP, {}, true},
      {mp("F_rel+F_acq", rlx, rlx, rlx, rlx, rel, acq), MP, {}, false},
      {mp("F_rel+acq", rlx, rlx, acq, rlx, rel), MP, {}, false},
      {mp("rel+F_acq", rlx, rel, rlx, rlx, {}, acq), MP, {}, false},
      {mp("sc", sc, sc, sc, sc), MP, {}, false},
      // LB: allowed by C11 and herd's c11.cat, forbidden by RC11's po ∪ rf acyclicity.
      {lb("rlx", rlx, rlx), {{0, 2}, {1, 1}}, {}, false},
      {lb("rel+acq", rel, acq), {{0, 2}, {1, 1}}, {}, false},
      // IRIW: release-acquire does not order independent writes; sc accesses
      // (scb = po, fr, hb|loc) or sc fences between the reads (psc_F) do.
      {iriw("rel+acq", rel, acq), IRIW, {}, true},
      {iriw("sc", sc, sc), IRIW, {}, false},
      {iriw("rlx+F_sc", rlx, rlx, sc), IRIW, {}, false},
      // WRC, ISA2, S: hb is transitive, so a chain of sw edges makes the
      // stale read (hb;fr) or the reversed write (hb;mo) a Coherence cycle.
      {wrc("rlx", rlx, rlx), WRC, {}, true},
      {wrc("rel+acq", rel, acq), WRC, {}, false},
      {wrc("sc", sc, sc), WRC, {}, false},
      {isa2("rlx", rlx, rlx), {{0, 2}, {1, 3}, {2, 0}}, {}, true},
      {isa2("rel+acq", rel, acq), {{0, 2}, {1, 3}, {2, 0}}, {}, false},
      // RWC, 2+2W, R: only psc orders a write before another thread's read
      // of the other location (or its write), as in SB.
      {rwc("rel+acq", rel, acq), RWC, {}, true},
      {rwc("sc", sc, sc), RWC, {}, false},
      {rwc("rlx+F_sc", rlx, rlx, sc), RWC, {}, false},
      {two_plus_two_w("rlx", rlx), {}, {{x, 1}, {y, 3}}, true},
      {two_plus_two_w("rel", rel), {}, {{x, 1}, {y, 3}}, true},  // no reads, no sw: allowed
      {two_plus_two_w("sc", sc), {}, {{x, 1}, {y, 3}}, false},
      {two_plus_two_w("rlx+F_sc", rlx, sc), {}, {{x, 1}, {y, 3}}, false},
      {r_shape("rlx", rlx, rlx), {{0, 0}}, {{y, 3}}, true},
      {r_shape("sc", sc, sc), {{0, 0}}, {{y, 3}}, false},
      {r_shape("rlx+F_sc", rlx, rlx, sc), {{0, 0}}, {{y, 3}}, false},
      {s_shape("rlx", rlx, rlx), {{0, 2}}, {{x, 1}}, true},
      {s_shape("rel+acq", rel, acq), {{0, 2}}, {{x, 1}}, false},
      // psc_F's hb;eco;hb through mo;rf, and psc_base, make a cycle of the two
      // seq_cst fences; with T2's fence acq_rel, one seq_cst event, none.
      {overwritten_then_read("F_sc", sc), {{0, 2}, {1, 0}}, {{z, 2}}, false},
      {overwritten_then_read("one-F_sc", order::acq_rel), {{0, 2}, {1, 0}}, {{z, 2}}, true},
      // Z6.U: with T0's store of y seq_cst, po;mo closes a psc cycle; released,
      // its hb to the RMW ends at y, which scb does not hold: allowed (C11's S
      // held all hb and forbade it).
      {z6u("sc", sc), {{0, 1}, {1, 3}, {2, 0}}, {}, false},
      {z6u("rel", rel), {{0, 1}, {1, 3}, {2, 0}}, {}, true},
      // Co*: hb; eco? irreflexive on one location (Coherence).
      {co[0], {{0, 1}, {1, 0}}, {}, false},
      {co[1], {{0, 1}, {1, 2}, {2, 2}, {3, 1}}, {}, false},
      {co[2], {{0, 0}}, {}, false},
      {co[3], {{0, 2}}, {{x, 2}}, false},
      {co[4], {}, {{x, 1}}, false},
      // The RMW's write is in the release sequence of y=2 (rf; rmw), so the
      // acquire load that reads it synchronises with T0; a relaxed head has none.
      {release_sequence("fetch_add", rel, false), RS, {}, false},
      {release_sequence("exchange", rel, true), RS, {}, false},
      {release_sequence("rlx-head", rlx, false), RS, {}, true},
      // C++20 (P0982R1) dropped same-thread stores from the release sequence:
      // allowed here, forbidden with the paper's rs = [W]; po|loc?; (rf; rmw)*.
      {release_sequence_same_thread(), {{0, 3}, {1, 0}}, {}, true},
      {races[0], {{0, 0}, {1, 0}}, {}, false},  // atomicity: both CASes cannot read 0
      {races[1], {{0, 0}, {1, 0}}, {}, false},
      {races[2], {{1, 0}, {3, 0}}, {}, true},  // no reads-from between the threads: no sw
  };
}

/// count programs of generator make from seed. A program whose plain search
/// (oracle::search_size) exceeds 1e9 candidates is skipped: the pruned search
/// judges far fewer (the largest kept, 12 instructions on one location,
/// about 3e5), and the checker explores each program twice.
std::vector<program> generate(int count, std::uint32_t seed, program (*make)(std::mt19937&, int)) {
  std::mt19937 rng(seed);
  std::vector<program> out;
  for (int id = 0; static_cast<int>(out.size()) < count; ++id) {
    program p = make(rng, id);
    if (oracle::search_size(p) <= 1e9) out.push_back(std::move(p));
  }
  return out;
}

/// Random programs from a fixed seed.
std::vector<program> random_programs(int count, std::uint32_t seed = 20170618) {  // fixed: PLDI 2017's first day
  return generate(count, seed, oracle::random_program);
}

/// Random programs weighted toward RMWs and compare_exchange, from a second
/// fixed seed: the reduction's rules for RMWs (engine::wakes) were tuned on
/// random_programs; these keep them honest on programs they were not tuned on.
std::vector<program> random_rmw_programs(int count, std::uint32_t seed = 20190622) {  // fixed, and not the seed above
  return generate(count, seed, oracle::random_rmw_program);
}

/// Shapes where the reduction lost an outcome once, named so that they stay
/// in the catalogue whatever the generators make.
std::vector<program> reduction_shapes() {
  using namespace oracle;
  const order rlx = order::rlx, acq = order::acq, acq_rel = order::acq_rel, sc = order::sc;
  return {
      // T0's load, explored first after x=1, sleeps; x=2 placed before 1 wakes
      // it to read new stores only, and it has none it may read (2 is below
      // its floor). Picked anyway, it ended that execution with no choice, so
      // the exchange reading 1 (then the load reading 3) never ran after x=2
      // before 1, and the branch where the exchange runs first keeps x=2
      // asleep: r0=3 r1=1 | x=3 was lost.
      {"woken-load-no-choice", 1, {{store(0, 1, rlx), load(0, acq)}, {store(0, 2, rlx)}, {exchange(0, 3, acq)}}},
      // The same failure once RMWs too were woken for new stores only
      // (random24 and random3 cut down): r0=5 r1=0 | x=5 and
      // r0=2 r1=0 r2=3 | x=3 were lost. The branch that covers a woken RMW
      // reading an old store ended at a reader woken with nothing new to read.
      {"woken-cas-no-choice", 1, {{load(0, rlx)}, {cas(0, 2, 4, acq, sc)}, {store(0, 5, sc)}}},
      {"woken-exchange-no-choice", 1,
       {{cas(0, 0, 1, acq, acq)}, {exchange(0, 2, acq_rel), load(0, rlx)}, {store(0, 3, rlx)}}},
      // T2's load of x, woken to read stores made since it fell asleep (5,
      // 35), found neither allowed by psc once T1's seq_cst load of y had
      // read 2, and the execution ended there; so T2's fetch_add of y never
      // ran after T1's load, DPOR never saw that race, and never ran T2
      // first: r0=5 r1=0 r2=14 r3=5 r4=4 | x=3 y=14 (and r3=35) were lost
      // (a soak's rmw93, cut down).
      {"psc-hides-the-newer-store", 2,
       {{fetch_add(0, 30, rlx), cas(1, 0, 2, rlx, rlx)},
        {store(0, 3, sc), load(1, sc)},
        {store(1, 4, sc), load(0, sc), fetch_add(1, 10, rlx)},
        {store(0, 5, rlx)}}},
      // No outcome lost, but the most executions per consistent one seen (a
      // soak's random56, seed 61001): 114 for 100. Without list_choices' psc
      // exception (the shape above), 100: each of the 14 more is a reader woken
      // to read new stores only, all of them ruled out by psc, reading the
      // latest store instead.
      {"psc-rereads-covered-store", 3,
       {{store(2, 1, sc), store(0, 2, sc), store(0, 3, sc)},
        {store(0, 4, sc), load(2, sc), cas(2, 0, 5, sc, rlx)},
        {store(2, 6, rlx), fence(acq), store(1, 7, rlx)},
        {exchange(2, 8, acq_rel)}}},
      // No outcome lost, and the most executions per consistent one seen
      // since (sc-order444 of the SC-order generator's first thousand, cut
      // down): 44 for 36, all seq_cst. Each of the 8 more is a reader woken
      // to read new stores only, all ruled out by psc, as above: with
      // list_choices' exception taken out, 36.
      {"psc-rereads-three-writers", 2,
       {{store(1, 1, sc), load(0, sc)},
        {store(0, 2, sc), store(0, 3, sc), load(1, sc)},
        {store(1, 4, sc), store(0, 5, sc)}}},
  };
}

/// Programs whose polls (checker_polls_are_their_loads) lost an outcome
/// under rc11 once, found by soaks of that test (other seeds, and the await
/// generator), cut down: named so that they stay whatever the generators make.
std::vector<program> poll_shapes() {
  using namespace oracle;
  const order rlx = order::rlx, acq = order::acq, rel = order::rel, sc = order::sc;
  return {
      // T1's poll of z gives up, never seeing the RMW's store (x = 3 was
      // read: relaxed, it carries nothing), then its RMW of x, then a second
      // poll of z, which may read 0 again: a read after the RMW was held to
      // the newer store as a round of the first poll's loop (engine::
      // held_off_read): r2=0 r3=3 r4=0 was lost (random80, seed 2).
      {"poll-gives-up-then-polls-again", 3,
       {{exchange(2, 1, rlx), cas(2, 0, 2, rlx, rlx), store(0, 3, rel)},
        {load(2, acq), fetch_add(0, 30, rlx), load(2, acq)}}},
      // T1's poll of y gives up before T0's compare_exchange, then its loop
      // on y, which must see it: that loop's rounds went on as the poll's
      // give-up, not seeing the newer store, until the execution was taken as
      // covered, and r2=0 r3=1 was lost (engine::gives_up_here; await46,
      // seed 14).
      {"poll-gives-up-then-awaits", 2, {{await(1, 0, sc), cas(1, 0, 1, rlx, acq)}, {load(1, acq), await(1, 1, rlx)}}},
  };
}

/// Programs with compare_exchange_weak, from a sixth fixed seed.
std::vector<program> random_weak_cas_programs(int count, std::uint32_t seed = 20110901) {  // fixed, and not the seeds above
  return generate(count, seed, oracle::random_weak_cas_program);
}

/// Programs for RC11's SC order (seq_cst accesses and fences), from a
/// thirteenth fixed seed.
std::vector<program> random_sc_order_programs(int count, std::uint32_t seed = 20261207) {  // fixed, and not the seeds above
  return generate(count, seed, oracle::random_sc_order_program);
}

/// Programs with cells, for the race oracle, from a third fixed seed.
std::vector<program> random_race_programs(int count, std::uint32_t seed = 20140122) {  // fixed, and not the seeds above
  return generate(count, seed, oracle::random_race_program);
}

/// A named program and its verdicts, derived by hand, under both memory
/// models: whether some execution races on a cell (happens-before goes by the
/// orders, and these shapes race, or not, in an execution SC has too), and
/// whether some fair execution hangs in a spin loop.
struct known_case {
  program p;
  bool racy = false;
  bool hangs = false;
};

/// Cells: each verdict derived from C++20's happens-before ([intro.races],
/// [atomics.fences]) in its comment.
std::vector<known_case> race_catalogue() {
  using namespace oracle;
  const order rlx = order::rlx, acq = order::acq, rel = order::rel, sc = order::sc;
  constexpr int x = 0, a = 0;
  // {thread, before, cell, write, guard, guard_value}
  const auto write_a = [&](int t, int before) { return cell_access{t, before, a, true, -1, 0}; };
  const auto read_a = [&](int t, int before, int guard = -1, std::uint32_t value = 0) {
    return cell_access{t, before, a, false, guard, value};
  };
  return {
      // Message passing: the reader touches a only once it saw the release
      // store; the acquire load synchronizes with it. No race.
      {{"MP-cell+rel+acq", 1, {{store(x, 1, rel)}, {load(x, acq)}}, 1, {write_a(0, 0), read_a(1, 1, 0, 1)}}, false},
      // The same with seq_cst accesses (release and acquire too). No race.
      {{"MP-cell+sc", 1, {{store(x, 1, sc)}, {load(x, sc)}}, 1, {write_a(0, 0), read_a(1, 1, 0, 1)}}, false},
      // A relaxed flag synchronizes nothing. Race.
      {{"MP-cell+rlx+acq", 1, {{store(x, 1, rlx)}, {load(x, acq)}}, 1, {write_a(0, 0), read_a(1, 1, 0, 1)}}, true},
      // The reader does not look at the flag: in the execution where it reads 0, nothing orders them. Race.
      {{"MP-cell-unguarded", 1, {{store(x, 1, rel)}, {load(x, acq)}}, 1, {write_a(0, 0), read_a(1, 1)}}, true},
      // Fences: a release fence before a relaxed store, an acquire fence after a
      // relaxed load that read it, synchronize ([atomics.fences]/2). No race.
      {{"MP-cell+fences", 1, {{fence(rel), store(x, 1, rlx)}, {load(x, rlx), fence(acq)}}, 1,
        {write_a(0, 0), read_a(1, 2, 0, 1)}},
       false},
      // The read comes before the acquire fence: nothing orders it. Race.
      {{"MP-cell+fences-read-early", 1, {{fence(rel), store(x, 1, rlx)}, {load(x, rlx), fence(acq)}}, 1,
        {write_a(0, 0), read_a(1, 1, 0, 1)}},
       true},
      // The write comes after the release store: it is not released. Race.
      {{"MP-cell-write-after-release", 1, {{store(x, 1, rel)}, {load(x, acq)}}, 1, {write_a(0, 1), read_a(1, 1, 0, 1)}},
       true},
      // The write comes after the release fence, before the store: the fence
      // releases only what comes before it. Race.
      {{"MP-cell-write-after-fence", 1, {{fence(rel), store(x, 1, rlx)}, {load(x, acq)}}, 1,
        {write_a(0, 1), read_a(1, 1, 0, 1)}},
       true},
      // A relaxed RMW continues the release sequence of the store it read
      // (C++20 [intro.races]/5): reading 11, the reader synchronizes with T0. No race.
      {{"MP-cell+release-sequence", 1, {{store(x, 1, rel)}, {fetch_add(x, 10, rlx)}, {load(x, acq)}}, 1,
        {write_a(0, 0), read_a(2, 1, 1, 11)}},
       false},
      // A later relaxed store of the same thread is no part of the release
      // sequence since C++20 (P0982R1): reading 2 synchronizes with nothing. Race.
      {{"MP-cell+same-thread-store", 1, {{store(x, 1, rel), store(x, 2, rlx)}, {load(x, acq)}}, 1,
        {write_a(0, 0), read_a(1, 1, 0, 2)}},
       true},
      // A failed compare_exchange reads with its failure order: acquire here. No race.
      {{"MP-cell+cas-fail-acq", 1, {{store(x, 1, rel)}, {cas(x, 2, 3, rlx, acq)}}, 1,
        {write_a(0, 0), read_a(1, 1, 0, 1)}},
       false},
      // Whether a thread lives (S::alive) is not C++'s: weave reads it as the
      // system call it is (rc11_oracle.hpp's lives_as_locations, a full
      // barrier), and seeing a death orders what the dead thread did, as a
      // join does. Read once T0 is seen dead: no race.
      {{"death-then-read", 1, {{store(x, 1, rlx)}, {alive(0)}}, 1, {write_a(0, 0), read_a(1, 1, 0, 0)}}, false},
      // Read whatever the answer: T0 may still live. Race.
      {{"alive-then-read", 1, {{store(x, 1, rlx)}, {alive(0)}}, 1, {write_a(0, 0), read_a(1, 1)}}, true},
      // The question is a fence both ways: the relaxed flag after it releases
      // the write before it (MP-cell+rlx+acq, with a question between). No race.
      {{"question-releases", 1, {{alive(1), store(x, 1, rlx)}, {load(x, acq)}}, 1,
        {write_a(0, 0), read_a(1, 1, 1, 1)}},
       false},
      // Two reads never race.
      {{"read-read", 1, {{load(x, rlx)}, {load(x, rlx)}}, 1, {read_a(0, 0), read_a(1, 1)}}, false},
      // Two writes with nothing between the threads. Race.
      {{"write-write", 1, {{store(x, 1, sc)}, {store(x, 2, sc)}}, 1, {write_a(0, 1), write_a(1, 1)}}, true},
      // The check body (thread -1; places: 0 before spawning T0, 1 before T1,
      // 2 after both, 3 after joining T0, 4 after joining T1). Written before
      // the spawns, read by both threads: the spawns order them. No race.
      {{"body-before-spawn", 1, {{load(x, rlx)}, {load(x, rlx)}}, 1, {{-1, 0, a, true, -1, 0}, read_a(0, 1), read_a(1, 1)}},
       false},
      // Written after spawning T0 (Python's t.start(); then x = ...): T0 may
      // read it meanwhile. Race; T1, spawned after, would not race.
      {{"body-after-spawn", 1, {{load(x, rlx)}, {load(x, rlx)}}, 1, {{-1, 1, a, true, -1, 0}, read_a(0, 1)}}, true},
      {{"body-before-second-spawn", 1, {{load(x, rlx)}, {load(x, rlx)}}, 1, {{-1, 1, a, true, -1, 0}, read_a(1, 1)}},
       false},
      // Read after joining T0, which wrote it: the join orders them. No race.
      {{"body-after-join", 1, {{load(x, rlx)}, {load(x, rlx)}}, 1, {write_a(0, 1), {-1, 3, a, false, -1, 0}}}, false},
      // Read after joining T0 while T1, not joined yet, writes it. Race.
      {{"body-before-second-join", 1, {{load(x, rlx)}, {load(x, rlx)}}, 1, {write_a(1, 1), {-1, 3, a, false, -1, 0}}},
       true},
  };
}

/// Programs with spin loops, for the await oracle, from a fourth fixed seed.
std::vector<program> random_await_programs(int count, std::uint32_t seed = 19960506) {  // fixed, and not the seeds above
  return generate(count, seed, oracle::random_await_program);
}

/// Programs with compare_exchange spin loops, from a ninth fixed seed.
std::vector<program> random_cas_await_programs(int count, std::uint32_t seed = 20260517) {  // fixed, and not the seeds above
  return generate(count, seed, oracle::random_cas_await_program);
}

/// Spin loops: whether some fair execution never ends.
std::vector<known_case> await_catalogue() {
  using namespace oracle;
  const order rlx = order::rlx, acq = order::acq, rel = order::rel, sc = order::sc;
  constexpr int x = 0, y = 1;
  return {
      // The value comes and stays: the loop sees it in the end.
      {{"await-flag", 1, {{store(x, 1, rel)}, {await(x, 1, acq)}}}, false, false},
      // It never comes.
      {{"await-never", 1, {{store(x, 2, rlx)}, {await(x, 1, rlx)}}}, false, true},
      // It comes and goes: a loop that first looks after the second store waits for ever.
      {{"await-overwritten", 1, {{store(x, 1, rlx), store(x, 2, rlx)}, {await(x, 1, rlx)}}}, false, true},
      // Waiting for the initial value: a loop that first reads the store
      // cannot read the older 0 again (coherence), and the store stays.
      {{"await-initial", 1, {{await(x, 0, sc)}, {store(x, 1, sc)}}}, false, true},
      // Each waits for the other's store, made after its own loop: the classic hang.
      {{"await-each-other", 2, {{await(x, 1, acq), store(y, 1, rel)}, {await(y, 1, acq), store(x, 1, rel)}}}, false, true},
      // A handshake: each stores before it waits.
      {{"await-handshake", 2, {{store(x, 1, rel), await(y, 1, acq)}, {await(x, 1, acq), store(y, 1, rel)}}}, false, false},
      // Two increments always reach 2 (RMWs read the latest): the loop ends.
      {{"await-sum", 1, {{fetch_add(x, 1, rlx)}, {fetch_add(x, 1, rlx)}, {await(x, 2, rlx)}}}, false, false},
      // A relaxed exchange may read the 1 or the initial 0: when it ends
      // with 1 last, a loop waiting for 3 waits for ever.
      {{"await-exchange", 1, {{store(x, 1, rlx)}, {exchange(x, 3, rlx)}, {await(x, 3, sc)}}}, false, true},
      // A compare_exchange loop takes the value it waits for and leaves its own.
      {{"await-cas-handoff", 1, {{store(x, 1, rel)}, {await_cas(x, 1, 2, acq)}}}, false, false},
      // Two loops take turns: the second waits for the first one's 1.
      {{"await-cas-chain", 1, {{await_cas(x, 0, 1, rlx)}, {await_cas(x, 1, 2, rlx)}}}, false, false},
      // Both want the 0: the one that comes second waits for ever.
      {{"await-cas-taken", 1, {{await_cas(x, 0, 1, acq)}, {await_cas(x, 0, 2, acq)}}}, false, true},
      // A spinlock's hand-over: the first takes it (0 -> 1) and releases it
      // with a 3, which the second takes.
      {{"await-cas-lock", 1, {{await_cas(x, 0, 1, acq), store(x, 3, rel)}, {await_cas(x, 3, 4, acq)}}}, false, false},
  };
}

/// Programs that spin and touch cells, from a fifth fixed seed.
std::vector<program> random_spin_race_programs(int count, std::uint32_t seed = 20111015) {  // fixed, and not the seeds above
  return generate(count, seed, oracle::random_spin_race_program);
}

/// The hand-off through a spin loop: whether it races, and whether it may hang.
std::vector<known_case> spin_race_catalogue() {
  using namespace oracle;
  const order rlx = order::rlx, acq = order::acq, rel = order::rel;
  constexpr int x = 0, a = 0;
  const cell_access write_a{0, 0, a, true, -1, 0};
  return {
      // Spin on the flag, then read the data: the acquire load that ends the loop synchronizes.
      {{"spin-MP", 1, {{store(x, 1, rel)}, {await(x, 1, acq)}}, 1, {write_a, {1, 1, a, false, -1, 0}}}, false, false},
      // With a relaxed load nothing synchronizes.
      {{"spin-MP-rlx", 1, {{store(x, 1, rel)}, {await(x, 1, rlx)}}, 1, {write_a, {1, 1, a, false, -1, 0}}}, true, false},
      // A relaxed loop and an acquire fence after it synchronize.
      {{"spin-MP-fence", 1, {{store(x, 1, rel)}, {await(x, 1, rlx), fence(acq)}}, 1, {write_a, {1, 2, a, false, -1, 0}}},
       false, false},
      // The flag never comes: the read after the loop never happens. A hang, no race.
      {{"spin-MP-never", 1, {{store(x, 2, rel)}, {await(x, 1, acq)}}, 1, {write_a, {1, 1, a, false, -1, 0}}}, false, true},
      // The read before the loop races with the write; the loop never ends. Both.
      {{"race-then-hang", 1, {{store(x, 2, rlx)}, {await(x, 1, rlx)}}, 1, {write_a, {1, 0, a, false, -1, 0}}}, true, true},
      // The body reads after joining T0 only (place 3 of 0..4), T1 wrote
      // before its release store, and T0 waited for that store with acquire:
      // T1's write happens before T0's end, hence before the join. No race.
      {{"body-joins-the-waiter", 1, {{await(x, 1, acq)}, {store(x, 1, rel)}}, 1,
        {{1, 0, a, true, -1, 0}, {-1, 3, a, false, -1, 0}}},
       false, false},
      // The same with a relaxed wait: nothing orders T1's write before the join. Race.
      {{"body-joins-the-waiter-rlx", 1, {{await(x, 1, rlx)}, {store(x, 1, rel)}}, 1,
        {{1, 0, a, true, -1, 0}, {-1, 3, a, false, -1, 0}}},
       true, false},
  };
}

/// Programs that block in futex waits, from a seventh fixed seed.
std::vector<program> random_futex_programs(int count, std::uint32_t seed = 20020418) {  // fixed, and not the seeds above
  return generate(count, seed, oracle::random_futex_program);
}

std::vector<program> random_timed_futex_programs(int count, std::uint32_t seed = 20261204) {
  return generate(count, seed, oracle::random_timed_futex_program);
}

std::vector<program> random_join_programs(int count, std::uint32_t seed = 20261205) {
  return generate(count, seed, oracle::random_join_program);
}

std::vector<program> random_liveness_programs(int count, std::uint32_t seed = 19700101) {
  return generate(count, seed, oracle::random_liveness_program);
}

std::vector<program> random_liveness_race_programs(int count, std::uint32_t seed = 19691231) {
  return generate(count, seed, oracle::random_liveness_race_program);
}

/// Futex waits and wakes: whether some execution hangs (the interleaving
/// oracle's verdict, derived by hand; these are judged under sc only).
std::vector<known_case> futex_catalogue() {
  using namespace oracle;
  const order rlx = order::rlx;
  constexpr int x = 0;
  return {
      // The store comes before the wake: a waiter that slept is woken, one that
      // comes later sees 1 and does not sleep.
      {{"wait-store-wake", 1, {{futex_wait(x, 0)}, {store(x, 1, rlx), futex_wake(x, false)}}}, false, false},
      // The wake before the store: the waiter may sleep after it (the lost wake-up).
      {{"wait-wake-store", 1, {{futex_wait(x, 0)}, {futex_wake(x, false), store(x, 1, rlx)}}}, false, true},
      // No wake at all: a waiter that slept sleeps for ever.
      {{"wait-no-wake", 1, {{futex_wait(x, 0)}, {store(x, 1, rlx)}}}, false, true},
      // x never holds 5: the wait never sleeps.
      {{"wait-never-matches", 1, {{futex_wait(x, 5)}, {store(x, 1, rlx)}}}, false, false},
      // Two sleepers and one wake_one: one may be left asleep.
      {{"two-waiters-wake-one", 1, {{futex_wait(x, 0)}, {futex_wait(x, 0)}, {store(x, 1, rlx), futex_wake(x, false)}}},
       false, true},
      // wake_all wakes both.
      {{"two-waiters-wake-all", 1, {{futex_wait(x, 0)}, {futex_wait(x, 0)}, {store(x, 1, rlx), futex_wake(x, true)}}},
       false, false},
      // The wake comes before either wait: T0 may sleep for ever while T1
      // times out and ends (a spurious return could end T0's wait only while
      // T1 can still move).
      {{"wake-then-timed-wait", 1, {{futex_wait(x, 0)}, {futex_wake(x, true), futex_wait_for(x, 0), store(x, 1, rlx)}}},
       false, true},
      // A timed wait never sleeps for good: with no wake at all it times out.
      {{"wait-for-no-wake", 1, {{futex_wait_for(x, 0)}, {store(x, 1, rlx)}}}, false, false},
      // The wake_one may go to the timed waiter, and the other sleeps for ever;
      // or the timed one times out first, and the wake goes to the other.
      {{"wait-for-and-wait-wake-one", 1,
        {{futex_wait_for(x, 0)}, {futex_wait(x, 0)}, {store(x, 1, rlx), futex_wake(x, false)}}},
       false, true},
  };
}

/// A soak run's setting, WEAVE_ORACLE_SOAK=SEED:COUNT in the environment
/// (count 0: none).
struct soak_setting {
  std::uint32_t seed = 0;
  int count = 0;
};
soak_setting soak() {
  const char* env = std::getenv("WEAVE_ORACLE_SOAK");
  unsigned long seed = 0;
  int count = 0;
  if (env == nullptr || std::sscanf(env, "%lu:%d", &seed, &count) != 2 || count <= 0) return {};
  return {static_cast<std::uint32_t>(seed), count};
}

/// Programs that ask whether threads live: a thread's last store seen while
/// it lives (the checker never saw it before its ends were steps); four where
/// S::alive and a thread's end are full barriers under rc11 (memory.cpp's
/// life_event; found by soaks of the random ones, each ruling out an outcome
/// the checker explored before: by RC11's SC order through the barrier
/// (barrier-psc-mo, barrier-psc-rmw), by its release fence (release-after-
/// alive), by the acquire fence of the end (acquire-before-end)); one whose
/// search has an execution that asks no question of the SC order between two
/// that do (graph-kept-across-a-quiet-execution: psc.cpp's graph kept an
/// edge of a mo the quiet execution had changed; WEAVE_PSC=verify stopped);
/// and 40 random ones, or a soak's.
std::vector<program> liveness_programs() {
  const soak_setting s = soak();
  const order sc = order::sc, rlx = order::rlx, rel = order::rel, acq = order::acq;
  constexpr int x = 0, y = 1;
  using oracle::alive, oracle::exchange, oracle::fence, oracle::load, oracle::store;
  std::vector<program> all{
      {"flag-then-alive", 1, {{store(x, 1, sc)}, {load(x, sc), alive(0)}}},
      {"alive-both-ways", 1, {{oracle::fetch_add(x, 1, sc), alive(1)}, {oracle::fetch_add(x, 1, sc), alive(0)}}},
      {"barrier-psc-mo", 1, {{store(x, 1, sc), alive(1)}, {load(x, sc)}, {alive(1), store(x, 2, sc)}}},
      {"barrier-psc-rmw", 1,
       {{alive(1), exchange(x, 1, sc)}, {fence(order::acq_rel)}, {exchange(x, 2, acq), store(x, 3, rlx), alive(1)}}},
      {"release-after-alive", 2,
       {{store(x, 1, rlx)}, {load(y, sc), store(x, 2, rlx)}, {fence(rel), alive(0), exchange(y, 3, rlx)}}},
      {"acquire-before-end", 2,
       {{load(y, rlx), fence(rel)}, {store(x, 1, sc), store(y, 2, rel)}, {load(y, sc), alive(0), store(x, 3, rel)}}},
      {"graph-kept-across-a-quiet-execution", 1,
       {{store(x, 1, sc), store(x, 2, sc), alive(1)}, {store(x, 3, sc), store(x, 4, rlx)},
        {fence(order::acq_rel), alive(0), store(x, 5, rlx)}}},
  };
  for (auto& p : s.count > 0 ? random_liveness_programs(s.count, s.seed + 7) : random_liveness_programs(40))
    all.push_back(std::move(p));
  return all;
}

/// The blocking programs: the catalogue, 40 random ones, 40 with timed waits
/// and 40 with joins (of a model thread by another), or a soak's.
std::vector<program> blocking_programs() {
  std::vector<program> all;
  if (const soak_setting s = soak(); s.count > 0) {
    all = random_futex_programs(s.count, s.seed + 6);
    for (auto& p : random_timed_futex_programs(s.count, s.seed + 9)) all.push_back(std::move(p));
    for (auto& p : random_join_programs(s.count, s.seed + 10)) all.push_back(std::move(p));
    return all;
  }
  for (auto& c : futex_catalogue()) all.push_back(c.p);
  for (auto& p : random_futex_programs(40)) all.push_back(std::move(p));
  for (auto& p : random_timed_futex_programs(40)) all.push_back(std::move(p));
  for (auto& p : random_join_programs(40)) all.push_back(std::move(p));
  return all;
}

/// A soak run (WEAVE_ORACLE_SOAK=SEED:COUNT in the environment): instead of
/// the fixed catalogue, COUNT programs of each generator from SEED, to hunt
/// for a wrong verdict on programs no test was tuned on. A failing program
/// (randomN, rmwN) is made again by the same setting.
std::vector<program> soak_programs() {
  const soak_setting s = soak();
  if (s.count == 0) return {};
  std::vector<program> all;
  for (auto& p : random_programs(s.count, s.seed)) all.push_back(std::move(p));
  for (auto& p : random_rmw_programs(s.count, s.seed + 1)) all.push_back(std::move(p));
  for (auto& p : random_race_programs(s.count, s.seed + 2)) all.push_back(std::move(p));
  for (auto& p : random_await_programs(s.count, s.seed + 3)) all.push_back(std::move(p));
  for (auto& p : random_spin_race_programs(s.count, s.seed + 4)) all.push_back(std::move(p));
  for (auto& p : random_weak_cas_programs(s.count, s.seed + 5)) all.push_back(std::move(p));
  for (auto& p : random_liveness_race_programs(s.count, s.seed + 8)) all.push_back(std::move(p));
  for (auto& p : random_cas_await_programs(s.count, s.seed + 9)) all.push_back(std::move(p));
  for (auto& p : random_sc_order_programs(s.count, s.seed + 11)) all.push_back(std::move(p));
  return all;
}

std::vector<program> every_program() {
  std::vector<program> all = soak_programs();
  if (!all.empty()) return all;
  for (auto& c : litmus_catalogue()) all.push_back(c.p);
  for (auto& p : random_programs(40)) all.push_back(std::move(p));
  for (auto& p : reduction_shapes()) all.push_back(std::move(p));
  for (auto& p : random_rmw_programs(40)) all.push_back(std::move(p));
  for (auto& c : race_catalogue()) all.push_back(c.p);
  for (auto& p : random_race_programs(40)) all.push_back(std::move(p));
  for (auto& c : await_catalogue()) all.push_back(c.p);
  for (auto& p : random_await_programs(40)) all.push_back(std::move(p));
  for (auto& c : spin_race_catalogue()) all.push_back(c.p);
  for (auto& p : random_spin_race_programs(40)) all.push_back(std::move(p));
  for (auto& p : random_weak_cas_programs(40)) all.push_back(std::move(p));
  for (auto& p : random_liveness_race_programs(40)) all.push_back(std::move(p));
  for (auto& p : random_cas_await_programs(40)) all.push_back(std::move(p));
  for (auto& p : random_sc_order_programs(1000)) all.push_back(std::move(p));
  return all;
}

}  // namespace

namespace {

// ---------------------------------------------------------------------------
// Comparing the checker with the oracle.
// ---------------------------------------------------------------------------

const char* name_of(memory_model m) { return m == memory_model::rc11 ? "rc11" : "sc"; }

std::string outcomes_text(const std::set<oracle::outcome>& os, const program& p) {
  std::string s;
  for (const auto& o : os) s += "      " + oracle::to_text(o, p) + "\n";
  return s;
}

/// The outcomes an oracle allows (want) that a run never explored, and those
/// it explored that the oracle forbids.
struct outcome_diff {
  std::set<oracle::outcome> missing, extra;
  outcome_diff() = default;
  outcome_diff(const std::set<oracle::outcome>& want, const std::set<oracle::outcome>& got) {
    for (const auto& o : want)
      if (!got.count(o)) missing.insert(o);
    for (const auto& o : got)
      if (!want.count(o)) extra.insert(o);
  }
  std::string text(const program& p) const {
    std::string s;
    if (!missing.empty())
      s += "    outcomes the oracle allows and the checker never explored:\n" + outcomes_text(missing, p);
    if (!extra.empty()) s += "    outcomes the checker explored and the oracle forbids:\n" + outcomes_text(extra, p);
    return s;
  }
};

/// Whether a reduced search took more executions than the axioms' consistent
/// ones allow: 1.25x. It may re-explore a little, never a lot (before RMWs
/// woke for new stores only, random27 took 6.1x). Why not 1.0: a reader
/// woken from a sleep set whose new stores psc rules out reads a store
/// covered where it fell asleep, an execution more (memory.cpp's
/// list_choices): psc-rereads-covered-store takes 1.14x so, and
/// psc-rereads-three-writers 1.22x (44 for 36; 36 with that exception
/// taken out). In integers: executions / consistent > 5 / 4.
bool over_slack(std::uint64_t executions, std::uint64_t consistent) {
  return consistent != 0 && executions * 4 > consistent * 5;
}
constexpr const char* kSlack = "1.25x";  // over_slack's limit, in words

/// The line that says a run was over_slack.
std::string over_slack_text(std::uint64_t executions, std::uint64_t consistent) {
  return "    " + std::to_string(executions) + " executions for " + std::to_string(consistent) +
         " consistent ones (more than " + kSlack + ")\n";
}

/// One program under one model: the table row, and what went wrong (empty if nothing).
struct comparison {
  std::string row, failure;
};

comparison compare(const program& p, memory_model m, bool assert_ratio) {
  const auto verdicts =
      oracle::enumerate(p, m == memory_model::rc11 ? oracle::memory::rc11 : oracle::memory::sc);
  const bool racy = verdicts.racy > 0 || verdicts.raced_waiting;
  // A program that may hang and cannot race is searched on past the deadlock
  // (options::outcomes): the executions that end must give exactly the
  // oracle's outcomes. A race cuts its execution short, so a racy program's
  // outcomes are not compared.
  const bool past_hangs = verdicts.hangs && !racy;
  const checker_run run = explore(p, m, true, -1, false, past_hangs);
  outcome_diff d(verdicts.outcomes, run.outcomes);
  const double ratio = verdicts.consistent == 0 ? 0 : double(run.result.executions) / double(verdicts.consistent);
  // A program the oracle finds a race in must get the data_race verdict, one
  // that may hang the deadlock verdict; any other, a pass. (No generator
  // mixes cells and awaits.)
  const bool awaits = p.awaits();
  // A program that can both race and hang gets whichever the search meets first.
  const weave::model::verdict expected = racy             ? weave::model::verdict::data_race
                                         : verdicts.hangs ? weave::model::verdict::deadlock
                                                          : weave::model::verdict::pass;
  const bool either = racy && verdicts.hangs && run.result.found == weave::model::verdict::deadlock;
  if (racy) d = {};  // outcomes are not compared then
  // The count is held to over_slack of the consistent executions, RMWs and
  // compare_exchange included; not for spin loops, whose rounds before the
  // last are more executions of one (rf, mo) pair. Programs that ask whether
  // a thread lives are held to it too: a question depends on the thread's end
  // only, not on its other steps (engine::asks_after; it took up to 2.7x on
  // the life-race programs while it depended on every step).
  const bool ratio_ok = !assert_ratio || expected != weave::model::verdict::pass || awaits ||
                        !over_slack(run.result.executions, verdicts.consistent);
  const bool clean = either || (run.result.found == expected && (expected != weave::model::verdict::pass || run.result.exhaustive));
  // A random and a PCT search: samples of the consistent executions. Their
  // outcomes are among the oracle's (on a program without a race, as
  // above), and a failure they find is the one it expects (either, where it
  // expects both); they may miss one.
  std::string sampled;
  for (const auto st : {weave::model::strategy::random, weave::model::strategy::pct}) {
    const checker_run s = explore(p, m, false, -1, false, past_hangs, 0, st);
    const char* how = st == weave::model::strategy::random ? "random" : "pct";
    const weave::model::verdict v = s.result.found;
    if (v != weave::model::verdict::pass && v != expected && !(racy && verdicts.hangs && v == weave::model::verdict::deadlock))
      sampled += "    " + std::string(how) + " search's verdict: " + weave::model::to_string(v) + "\n    " +
                 s.result.report + "\n";
    if (const outcome_diff sd(verdicts.outcomes, s.outcomes); !racy && !sd.extra.empty())
      sampled += "    outcomes a " + std::string(how) + " search explored and the oracle forbids:\n" +
                 outcomes_text(sd.extra, p);
  }
  const bool ok = d.missing.empty() && d.extra.empty() && ratio_ok && clean && sampled.empty();
  char row[200];
  std::snprintf(row, sizeof row, "%-26s %-5s %8llu %9llu %7.2f %5zu/%-5zu %-4s %s\n", p.name.c_str(), name_of(m),
                static_cast<unsigned long long>(verdicts.consistent),
                static_cast<unsigned long long>(run.result.executions), ratio, verdicts.outcomes.size(),
                run.outcomes.size(),
                racy && verdicts.hangs ? "both" : racy ? "race" : verdicts.hangs ? "hang"
                : awaits ? "ends" : !p.accesses.empty() ? "none" : "",
                ok ? "ok" : "FAIL");
  comparison c{row, ""};
  if (ok) return c;
  c.failure = "  " + std::string(name_of(m)) + ": " + oracle::to_text(p);
  if (!clean)
    c.failure += "    checker verdict: " + std::string(weave::model::to_string(run.result.found)) +
                 (run.result.exhaustive ? "" : ", not exhaustive") + "; the oracle finds " +
                 (racy             ? std::string("a data race") + (verdicts.hangs ? " and a fair execution that never ends" : "")
                  : awaits          ? (verdicts.hangs ? "a fair execution that never ends" : "that every fair execution ends")
                  : !p.accesses.empty() ? "no data race"
                                        : "nothing wrong") +
                 "\n" + (run.result.found != weave::model::verdict::pass ? "    " + run.result.report + "\n" : "");
  c.failure += d.text(p) + sampled;
  if (!ratio_ok)
    c.failure += over_slack_text(run.result.executions, verdicts.consistent);
  return c;
}

/// Every program under model m: prints the table, fails with every failure named.
void compare_all(memory_model m, bool assert_ratio) {
  std::string table = std::string("\noracle vs checker, memory model ") + name_of(m) + "\n";
  char head[200];
  std::snprintf(head, sizeof head, "%-26s %-5s %8s %9s %7s %11s %-4s %s\n", "program", "model", "oracle",
                "checker", "ratio", "outcomes", "race", "");
  table += head;
  table += "  (oracle: consistent (rf, mo) pairs; checker: executions explored; outcomes: oracle's/checker's;\n"
           "   race: whether the oracle finds a data race on a cell, which the checker must report;\n"
           "   hang/ends: whether a spin loop may wait forever, a deadlock the checker must report;\n"
           "   both: either may come first)\n";
  std::string failures, names;
  int failed = 0, total = 0;
  for (const program& p : every_program()) {
    const comparison c = compare(p, m, assert_ratio);
    table += c.row;
    failures += c.failure;
    if (!c.failure.empty()) {
      ++failed;
      names += " " + p.name;
    }
    ++total;
  }
  // The details go to stdout in full: the assertion message is wrapped by the
  // runner's outputter, which would split a program's text mid-line.
  std::fputs((table + (failures.empty() ? "" : "\nwhere the checker differs from the oracle:\n" + failures)).c_str(), stdout);
  std::fflush(stdout);
  const std::string summary = std::to_string(failed) + " of " + std::to_string(total) + " programs differ from the oracle under " +
                              name_of(m) + " (details on stdout):" + names;
  CPPUNIT_ASSERT_MESSAGE(summary, failed == 0);
}

}  // namespace

class oracle_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(oracle_test);
  CPPUNIT_TEST(oracle_gives_the_known_litmus_verdicts);
  CPPUNIT_TEST(oracle_sc_is_stronger_than_its_rc11);
  CPPUNIT_TEST(oracle_cuts_lose_no_execution);
  CPPUNIT_TEST(oracle_gives_the_known_race_verdicts);
  CPPUNIT_TEST(oracle_gives_the_known_await_verdicts);
  CPPUNIT_TEST(interleavings_agree_with_the_sc_axioms);
  CPPUNIT_TEST(interleavings_give_the_known_futex_verdicts);
  CPPUNIT_TEST(checker_matches_the_interleavings_on_blocking_programs);
  CPPUNIT_TEST(checker_under_rc11_covers_the_interleavings_on_blocking_programs);
  CPPUNIT_TEST(checker_matches_the_interleavings_on_liveness_programs);
  CPPUNIT_TEST(bounded_search_covers_the_interleavings_within_its_bound);
  CPPUNIT_TEST(oracle_lives_agree_with_the_interleavings);
  CPPUNIT_TEST(checker_matches_the_oracle_on_liveness_programs_under_rc11);
  CPPUNIT_TEST(checker_matches_the_oracle_under_sc);
  CPPUNIT_TEST(checker_polls_are_their_loads);
  CPPUNIT_TEST(checker_matches_the_oracle_under_rc11);
  CPPUNIT_TEST(sc_order_kept_is_the_definitions);
  CPPUNIT_TEST_SUITE_END();

 public:
  // Each shape's weak outcome: SC forbids it (that is what makes it a litmus
  // test), RC11 allows or forbids it as litmus_catalogue records.
  void oracle_gives_the_known_litmus_verdicts() {
    std::string wrong;
    for (const litmus_case& c : litmus_catalogue()) {
      const auto rc11 = oracle::enumerate(c.p, oracle::memory::rc11);
      const auto sc = oracle::enumerate(c.p, oracle::memory::sc);
      if (rc11.allows(c.regs, c.finals) != c.rc11_allows)
        wrong += "  rc11 " + std::string(c.rc11_allows ? "forbids" : "allows") + " the weak outcome of " + oracle::to_text(c.p);
      if (sc.allows(c.regs, c.finals)) wrong += "  sc allows the weak outcome of " + oracle::to_text(c.p);
    }
    CPPUNIT_ASSERT_MESSAGE("the oracle disagrees with the known verdicts:\n" + wrong, wrong.empty());
  }

  // Every SC execution is an RC11 execution (the paper, section 3): on every
  // program, SC's outcomes and count are within RC11's, and so is a hang.
  void oracle_sc_is_stronger_than_its_rc11() {
    std::string wrong;
    for (const program& p : every_program()) {
      const auto rc11 = oracle::enumerate(p, oracle::memory::rc11);
      const auto sc = oracle::enumerate(p, oracle::memory::sc);
      const bool subset = std::includes(rc11.outcomes.begin(), rc11.outcomes.end(), sc.outcomes.begin(), sc.outcomes.end());
      // (A program whose every execution hangs in a spin loop has none that ends.)
      const bool none = sc.consistent == 0 && !sc.hangs;
      if (!subset || sc.consistent > rc11.consistent || none || (sc.hangs && !rc11.hangs)) wrong += oracle::to_text(p);
    }
    CPPUNIT_ASSERT_MESSAGE("SC is not within RC11 on:\n" + wrong, wrong.empty());
  }

  // The thin-air cut and the per-location pre-filters (CoWW, atomicity) only
  // drop candidates the axioms reject: the plain enumeration agrees.
  void oracle_cuts_lose_no_execution() {
    std::string wrong;
    int compared = 0;
    for (const program& p : every_program()) {
      if (oracle::search_size(p) > 20000) continue;  // the plain search is slow
      ++compared;
      for (auto m : {oracle::memory::rc11, oracle::memory::sc}) {
        const auto cut = oracle::enumerate(p, m), plain = oracle::enumerate(p, m, false);
        if (cut.consistent != plain.consistent || cut.outcomes != plain.outcomes || cut.racy != plain.racy)
          wrong += oracle::to_text(p);
      }
    }
    CPPUNIT_ASSERT_MESSAGE("the cuts changed the verdicts of:\n" + wrong, wrong.empty());
    CPPUNIT_ASSERT(compared >= 40 || !soak_programs().empty());  // a small soak may have fewer
  }

  /// A generator's 40 programs are not all one verdict (one that made only
  /// races, or none, would test half of the rule): at least 8 of each.
  static void assert_both_kinds(const std::string& what, int yes, const std::string& yes_name, int no,
                                const std::string& no_name) {
    CPPUNIT_ASSERT_MESSAGE(what + ": " + std::to_string(yes) + " " + yes_name + ", " + std::to_string(no) + " " + no_name,
                           yes >= 8 && no >= 8);
  }

  /// Where the oracle differs from a catalogue's hand-derived verdicts, under both models.
  static std::string differs_from(const std::vector<known_case>& catalogue) {
    std::string wrong;
    for (const known_case& c : catalogue)
      for (auto m : {oracle::memory::rc11, oracle::memory::sc}) {
        const auto v = oracle::enumerate(c.p, m);
        const bool racy = v.racy > 0 || v.raced_waiting;
        if (racy != c.racy || v.hangs != c.hangs)
          wrong += std::string(m == oracle::memory::rc11 ? "  rc11: " : "  sc: ") + (racy ? "races, " : "no race, ") +
                   (v.hangs ? "hangs: " : "ends: ") + oracle::to_text(c.p);
        if (v.outcomes.empty() && !c.hangs) wrong += "  no execution ends: " + oracle::to_text(c.p);
      }
    return wrong;
  }

  // The race oracle against the hand-derived verdicts, under both models; and
  // the random race programs are not all one verdict.
  void oracle_gives_the_known_race_verdicts() {
    std::string wrong;
    for (const program& p : every_program()) wrong += oracle::cell_problem(p);
    CPPUNIT_ASSERT_MESSAGE("malformed cell accesses: " + wrong, wrong.empty());
    // A shape whose guarded access never runs would say nothing.
    for (const known_case& c : race_catalogue())
      for (const oracle::cell_access& a : c.p.accesses)
        if (a.guard >= 0 && !oracle::enumerate(c.p, oracle::memory::sc).allows({{a.guard, a.guard_value}}, {}))
          wrong += "  the guarded access never runs: " + oracle::to_text(a) + " in " + oracle::to_text(c.p);
    wrong += differs_from(race_catalogue());
    CPPUNIT_ASSERT_MESSAGE("the race oracle disagrees with the known verdicts:\n" + wrong, wrong.empty());
    int racy = 0, free = 0;
    for (const program& p : random_race_programs(40)) (oracle::enumerate(p, oracle::memory::rc11).racy > 0 ? racy : free) += 1;
    assert_both_kinds("random race programs", racy, "racy", free, "race-free");
  }

  // The await oracle against the hand-derived verdicts (spin loops, and spin
  // loops with cells), under both models; and the random await programs are
  // not all one verdict.
  void oracle_gives_the_known_await_verdicts() {
    const std::string wrong = differs_from(await_catalogue()) + differs_from(spin_race_catalogue());
    CPPUNIT_ASSERT_MESSAGE("the await oracle disagrees with the known verdicts:\n" + wrong, wrong.empty());
    int hang = 0, end = 0;
    for (const program& p : random_await_programs(40)) (oracle::enumerate(p, oracle::memory::rc11).hangs ? hang : end) += 1;
    assert_both_kinds("random await programs", hang, "may hang", end, "always end");
    hang = end = 0;
    for (const program& p : random_cas_await_programs(40)) (oracle::enumerate(p, oracle::memory::rc11).hangs ? hang : end) += 1;
    assert_both_kinds("random compare_exchange await programs", hang, "may hang", end, "always end");
  }

  // The two oracles, by axioms and by interleaving, agree on sequential
  // consistency: the same outcomes and the same hangs, on every program.
  void interleavings_agree_with_the_sc_axioms() {
    std::string wrong;
    for (const program& p : every_program()) {
      const auto axioms = oracle::enumerate(p, oracle::memory::sc);
      const auto runs = oracle::interleave(p);
      if (axioms.outcomes != runs.outcomes || axioms.hangs != runs.hangs) wrong += oracle::to_text(p);
    }
    CPPUNIT_ASSERT_MESSAGE("the interleavings and the sc axioms differ on:\n" + wrong, wrong.empty());
  }

  void interleavings_give_the_known_futex_verdicts() {
    std::string wrong;
    for (const known_case& c : futex_catalogue()) {
      const auto v = oracle::interleave(c.p);
      if (v.hangs != c.hangs || (v.outcomes.empty() && !c.hangs)) wrong += oracle::to_text(c.p);
    }
    CPPUNIT_ASSERT_MESSAGE("the interleavings disagree with the known verdicts:\n" + wrong, wrong.empty());
    int hang = 0, end = 0;
    for (const program& p : random_futex_programs(40)) (oracle::interleave(p).hangs ? hang : end) += 1;
    assert_both_kinds("random futex programs", hang, "may hang", end, "always end");
    hang = end = 0;
    for (const program& p : random_timed_futex_programs(40)) (oracle::interleave(p).hangs ? hang : end) += 1;
    assert_both_kinds("random programs with timed waits", hang, "may hang", end, "always end");
    // A join waits for the thread's end: the load after it reads the store.
    const program joins{"join-orders", 1, {{oracle::store(0, 1, order::rlx)}, {oracle::join(0), oracle::load(0, order::rlx)}}};
    CPPUNIT_ASSERT((oracle::interleave(joins).outcomes == std::set<oracle::outcome>{{1, 1}}));
  }

  // Blocking programs under the checker's sc mode, without spurious wake-ups
  // and with one a thread (a check's default): a deadlock exactly when some
  // interleaving hangs, otherwise a pass; and, searched on past failures
  // (options::outcomes), exactly the outcomes of the interleavings that end,
  // hanging programs too (a hang must not cut off what ends elsewhere).
  void checker_matches_the_interleavings_on_blocking_programs() {
    std::string table = "\ninterleavings vs checker (sc), blocking programs (+: a spurious wake-up a thread)\n",
                failures, names;
    int failed = 0;
    for (const program& p : blocking_programs())
      for (const bool spurious : {false, true}) {
        const auto oracle_says = oracle::interleave(p, -1, spurious);
        const checker_run run = explore(p, memory_model::sc, true, -1, spurious, true);
        const auto expected = oracle_says.hangs ? weave::model::verdict::deadlock : weave::model::verdict::pass;
        const bool ok = run.result.found == expected && (oracle_says.hangs || run.result.exhaustive) &&
                        run.outcomes == oracle_says.outcomes;
        char row[200];
        std::snprintf(row, sizeof row, "%-26s %8llu %9llu %5zu/%-5zu %-4s %s\n", (p.name + (spurious ? "+" : "")).c_str(),
                      static_cast<unsigned long long>(oracle_says.states),
                      static_cast<unsigned long long>(run.result.executions), oracle_says.outcomes.size(),
                      run.outcomes.size(), oracle_says.hangs ? "hang" : "ends", ok ? "ok" : "FAIL");
        table += row;
        if (ok) continue;
        ++failed;
        names += " " + p.name + (spurious ? "+" : "");
        failures += "  " + std::string(spurious ? "with a spurious wake-up a thread: " : "") + oracle::to_text(p) +
                    "    checker verdict: " + weave::model::to_string(run.result.found) + "; the interleavings " +
                    (oracle_says.hangs ? "hang" : "all end") + "\n";
        if (run.outcomes != oracle_says.outcomes)
          failures += "    outcomes: interleavings\n" + outcomes_text(oracle_says.outcomes, p) + "    checker\n" +
                      outcomes_text(run.outcomes, p);
        if (run.result.found != weave::model::verdict::pass) failures += "    " + run.result.report + "\n";
      }
    std::fputs((table + (failures.empty() ? "" : "\nwhere the checker differs:\n" + failures)).c_str(), stdout);
    std::fflush(stdout);
    CPPUNIT_ASSERT_MESSAGE(std::to_string(failed) + " blocking programs differ (details on stdout):" + names, failed == 0);
  }

  // Blocking programs under rc11, without spurious wake-ups and with one a
  // thread, searched on past failures: with reduction, exactly what plain DFS
  // gives (the verdict and every outcome), and at least what the sc
  // interleavings give (RC11 allows every sc execution: their every outcome,
  // and a deadlock where one of them hangs). The futex word's value check
  // reads its latest store under rc11 too (engine::futex_wait), so these
  // hold the reduction to the waits' rules of coverage (engine::sleep_after).
  void checker_under_rc11_covers_the_interleavings_on_blocking_programs() {
    std::string failures, names;
    int failed = 0, total = 0, weaker = 0;
    for (const program& p : blocking_programs())
      for (const bool spurious : {false, true}) {
        const auto oracle_says = oracle::interleave(p, -1, spurious);
        const checker_run dpor = explore(p, memory_model::rc11, true, -1, spurious, true);
        const checker_run plain = explore(p, memory_model::rc11, false, -1, spurious, true);
        const std::set<oracle::outcome> unseen = outcome_diff(oracle_says.outcomes, dpor.outcomes).missing;
        const bool deadlock = dpor.result.found == weave::model::verdict::deadlock;
        const bool ok = dpor.result.found == plain.result.found && dpor.outcomes == plain.outcomes &&
                        (deadlock || dpor.result.found == weave::model::verdict::pass) &&
                        (deadlock || !oracle_says.hangs) && unseen.empty();
        ++total;
        weaker += dpor.outcomes.size() > oracle_says.outcomes.size() ? 1 : 0;
        if (ok) continue;
        ++failed;
        names += " " + p.name + (spurious ? "+" : "");
        failures += "  " + std::string(spurious ? "with a spurious wake-up a thread: " : "") + oracle::to_text(p) +
                    "    verdicts: reduction " + weave::model::to_string(dpor.result.found) + ", plain DFS " +
                    weave::model::to_string(plain.result.found) + "; the sc interleavings " +
                    (oracle_says.hangs ? "hang" : "all end") + "\n";
        const outcome_diff d(plain.outcomes, dpor.outcomes);
        if (!d.missing.empty()) failures += "    plain DFS only:\n" + outcomes_text(d.missing, p);
        if (!d.extra.empty()) failures += "    reduction only:\n" + outcomes_text(d.extra, p);
        if (!unseen.empty()) failures += "    sc interleavings' outcomes that reduction never reached:\n" + outcomes_text(unseen, p);
      }
    std::printf("\nrc11 vs plain DFS and the sc interleavings, blocking programs: %d runs, %d with outcomes sc does not "
                "have, %d differ\n%s",
                total, weaker, failed, failures.c_str());
    std::fflush(stdout);
    CPPUNIT_ASSERT_MESSAGE(std::to_string(failed) + " blocking programs differ under rc11 (details on stdout):" + names,
                           failed == 0);
  }

  // Programs that ask whether threads live, under the checker's sc mode
  // (compare_liveness's three ways): exactly the interleavings' outcomes,
  // where a thread's end is a step after its last instruction.
  void checker_matches_the_interleavings_on_liveness_programs() {
    int seen_alive_after_store = 0;
    const liveness_tally t = compare_liveness(memory_model::sc, [&](const program& p) {
      const auto outcomes = oracle::interleave(p).outcomes;
      if (p.name == "flag-then-alive") seen_alive_after_store = static_cast<int>(outcomes.count({1, 1, 1}));
      return expected_run{outcomes, 0};  // interleavings count orders of reads too: no ratio to hold
    });
    CPPUNIT_ASSERT_MESSAGE("the interleavings never see the first thread alive after its store",
                           seen_alive_after_store == 1);
    CPPUNIT_ASSERT_MESSAGE(std::to_string(t.missing + t.extra + t.other) + " liveness runs differ (details on stdout)",
                           t.missing + t.extra + t.other == 0);
  }

  // A preemption-bounded search (--preemptions k; every check declared with
  // .preemptions) against the interleavings within k preemptions, counted
  // as CHESS counts them (sc_interleavings.hpp), the one claim a bounded
  // verdict makes: it reaches each of their outcomes and finds a hang that
  // one of them has. The checker may reach more (a switch it counts as
  // free, right after a join that ran at once, is not a switch of the
  // interleavings'), never anything that no interleaving reaches. Programs
  // with cells are left out (the interleavings do not look at cells).
  void bounded_search_covers_the_interleavings_within_its_bound() {
    {  // The oracle's own count, by hand: reading 1 takes a switch away from T0 between its stores.
      using oracle::load, oracle::store;
      const program p{"two-stores-one-load", 1, {{store(0, 1, order::rlx), store(0, 2, order::rlx)}, {load(0, order::rlx)}}};
      const std::set<oracle::outcome> within0{{0, 2}, {2, 2}}, within1{{0, 2}, {1, 2}, {2, 2}};
      CPPUNIT_ASSERT(oracle::interleave(p, 0).outcomes == within0);
      CPPUNIT_ASSERT(oracle::interleave(p, 1).outcomes == within1);
    }
    std::vector<program> all = blocking_programs();
    for (program& p : every_program())
      if (p.cells == 0 && p.accesses.empty()) all.push_back(std::move(p));
    for (program& p : liveness_programs()) all.push_back(std::move(p));
    std::string failures, names;
    int failed = 0, hangs = 0, cut = 0;
    for (const program& p : all)
      for (const bool spurious : {false, true}) {  // spurious wake-ups: blocking programs only
        if (spurious && !blocks(p)) continue;
        const auto everything = oracle::interleave(p, -1, spurious);
        for (const int k : {0, 1, 2}) {
          const auto within = oracle::interleave(p, k, spurious);
          const checker_run run = explore(p, memory_model::sc, false, k, spurious);
          const std::set<oracle::outcome> unseen = outcome_diff(within.outcomes, run.outcomes).missing;
          const std::set<oracle::outcome> unreached = outcome_diff(everything.outcomes, run.outcomes).extra;
          const bool deadlock = run.result.found == weave::model::verdict::deadlock;
          // The blocking programs under rc11 too: every sc interleaving within
          // k is an rc11 execution within k (each read reading the latest
          // store), so its outcomes and hangs are reached. (The others' rc11
          // searches are many times longer, and judged unbounded by the axioms.)
          const checker_run weak = blocks(p) || p.uses(oracle::op::join)
                                       ? explore(p, memory_model::rc11, false, k, spurious)
                                       : run;
          const std::set<oracle::outcome> unseen_rc11 = outcome_diff(within.outcomes, weak.outcomes).missing;
          const bool weak_deadlock = weak.result.found == weave::model::verdict::deadlock;
          const bool ok = unseen.empty() && unreached.empty() && (deadlock || !within.hangs) &&
                          (deadlock ? everything.hangs : run.result.found == weave::model::verdict::pass) &&
                          unseen_rc11.empty() && (weak_deadlock || !within.hangs) &&
                          (weak_deadlock || weak.result.found == weave::model::verdict::pass);
          hangs += within.hangs ? 1 : 0;
          cut += within.outcomes.size() < everything.outcomes.size() ? 1 : 0;
          if (ok) continue;
          ++failed;
          names += " " + p.name + (spurious ? "+" : "") + "/" + std::to_string(k);
          failures += "  within " + std::to_string(k) + " preemptions" +
                      (spurious ? ", a spurious wake-up a thread: " : ": ") + oracle::to_text(p) +
                      "    checker verdict: " + weave::model::to_string(run.result.found) + "; the interleavings within " +
                      std::to_string(k) + (within.hangs ? " hang" : " all end") + "\n";
          if (!unseen.empty()) failures += "    reached within the bound, never by the checker:\n" + outcomes_text(unseen, p);
          if (weak.result.found != run.result.found)
            failures += "    under rc11 the checker's verdict: " + std::string(weave::model::to_string(weak.result.found)) + "\n";
          if (!unseen_rc11.empty())
            failures += "    reached within the bound, never by the checker under rc11:\n" + outcomes_text(unseen_rc11, p);
          if (!unreached.empty())
            failures += "    reached by the checker, by no interleaving:\n" + outcomes_text(unreached, p);
        }
      }
    std::printf("\nbounded search vs interleavings within 0, 1 and 2 preemptions: %zu programs, %d bounds that "
                "hang, %d that cut outcomes, %d differ\n%s",
                all.size(), hangs, cut, failed, failures.c_str());
    std::fflush(stdout);
    CPPUNIT_ASSERT_MESSAGE(std::to_string(failed) + " bounded searches differ (details on stdout):" + names, failed == 0);
    // The bound must cut something, or the comparison is the unbounded one again.
    CPPUNIT_ASSERT(cut > 0 && hangs > 0);
  }

  // The axioms' reading of alive (rc11_oracle.hpp's lives_as_locations: a
  // thread's life a location, its end and alive system calls, each a full
  // barrier) gives, under sc, exactly what the interleavings give: the reading
  // is right where an independent oracle knows the answer.
  void oracle_lives_agree_with_the_interleavings() {
    std::string failures, names;
    for (const program& p : liveness_programs()) {
      const auto by_interleaving = oracle::interleave(p).outcomes;
      const auto by_axioms = oracle::enumerate(p, oracle::memory::sc).outcomes;
      if (by_interleaving == by_axioms) continue;
      names += " " + p.name;
      failures += "  " + oracle::to_text(p) + "    interleavings\n" + outcomes_text(by_interleaving, p) +
                  "    axioms (sc)\n" + outcomes_text(by_axioms, p);
    }
    std::fputs(failures.c_str(), stdout);
    std::fflush(stdout);
    CPPUNIT_ASSERT_MESSAGE("the axioms and the interleavings differ on liveness programs:" + names, names.empty());
  }

  // The same programs under the checker's rc11 mode, the same three ways:
  // exactly what RC11 allows with S::alive and a thread's end read as the
  // system calls they are on hardware, each a full barrier (rc11_oracle.hpp's
  // lives_as_locations; the checker's memory.cpp life_event).
  // The reduction is held to over_slack of the consistent executions there, as on
  // every_program (compare).
  void checker_matches_the_oracle_on_liveness_programs_under_rc11() {
    const liveness_tally t = compare_liveness(memory_model::rc11, [](const program& p) {
      const oracle::verdicts v = oracle::enumerate(p, oracle::memory::rc11);
      return expected_run{v.outcomes, v.consistent};
    });
    CPPUNIT_ASSERT_MESSAGE(std::to_string(t.missing) + " outcomes never explored, " + std::to_string(t.extra) +
                               " explored that the oracle forbids, " + std::to_string(t.other) +
                               " runs no exhaustive pass, " + std::to_string(t.over) + " over " + kSlack +
                               " the consistent executions (details on stdout)",
                           t.missing + t.extra + t.other + t.over == 0);
  }

  struct expected_run {
    std::set<oracle::outcome> outcomes;
    std::uint64_t consistent = 0;  // executions the reduction may take 1.25x of (over_slack); 0: not held
  };

  struct liveness_tally {
    int missing = 0, extra = 0;  // outcomes
    int other = 0;               // runs that were no exhaustive pass
    int over = 0;                // reduced runs over_slack
  };

  // Each liveness program under memory model m, reduction off, on, and on with
  // fast-forward verified: a pass, exhaustive, with the outcomes expected(p)
  // gives, and with reduction within 1.25x of its consistent executions where
  // it counts them. Prints each difference.
  template <class Expected>
  static liveness_tally compare_liveness(memory_model m, Expected expected) {
    std::string failures;
    liveness_tally t;
    for (const program& p : liveness_programs()) {
      const expected_run e = expected(p);
      const std::set<oracle::outcome>& want = e.outcomes;
      // The third way: reduction on, every other execution working every
      // step out where it would have fast-forwarded (forward.cpp's verify).
      for (const int way : {0, 1, 2}) {
        const bool reduction = way != 0;
        const scoped_env f("WEAVE_FAST_FORWARD", way == 2 ? "verify" : nullptr);
        const checker_run run = explore(p, m, reduction);
        const outcome_diff d(want, run.outcomes);
        const bool passed = run.result.found == weave::model::verdict::pass && run.result.exhaustive;
        const bool over = reduction && over_slack(run.result.executions, e.consistent);
        t.missing += static_cast<int>(d.missing.size());
        t.extra += static_cast<int>(d.extra.size());
        t.other += passed ? 0 : 1;
        t.over += over ? 1 : 0;
        if (passed && d.missing.empty() && d.extra.empty() && !over) continue;
        const char* how = way == 0 ? ", plain: " : way == 1 ? ", dpor: " : ", dpor, fast-forward verified: ";
        failures += "  " + std::string(name_of(m)) + how + oracle::to_text(p) +
                    "    checker verdict: " + weave::model::to_string(run.result.found) +
                    (run.result.exhaustive ? "" : ", not exhaustive") + "\n" + d.text(p) +
                    (over ? over_slack_text(run.result.executions, e.consistent) : "");
      }
    }
    std::fputs(failures.c_str(), stdout);
    std::fflush(stdout);
    return t;
  }

  // The count ratio is printed, not asserted: interleavings that differ only
  // in the order of two reads are one (rf, mo) pair but may be two executions.
  void checker_matches_the_oracle_under_sc() { compare_all(memory_model::sc, false); }

  void checker_matches_the_oracle_under_rc11() { compare_all(memory_model::rc11, true); }

  // Loops bounded by a count of their own, against the oracle: each load of
  // the random programs run as a poll of S::spin_budget + 2 rounds (poll_
  // rounds), past the idle budget after which the await rule parks a loop.
  // Under either model the outcomes must be the oracle's for the program
  // with loads, with reduction and plain DFS: a poll that gives up is a load
  // that read 0, and one that reads v at its k-th round is a load that read
  // v (the rounds before it read 0, the initial value, which orders nothing
  // more than the load does). An engine that let a loop give up only where
  // every other thread was blocked lost, under sc, the outcomes in which it
  // gives up before another thread's store, with more steps of that thread
  // to come; one whose await rule held the rounds past the budget to a newer
  // store lost, under rc11, those in which it gives up without seeing a
  // store that is there (random31, random44; and poll_shapes).
  void checker_polls_are_their_loads() {
    poll_rounds = weave::model_sync::spin_budget + 2;
    constexpr std::uint64_t cap = 20000;  // a search larger is left out (plain DFS on most four-thread programs)
    std::string failures;
    bool most = true;
    std::vector<program> polled = random_programs(120, 20261206);  // fixed, and not the seeds above
    for (program& p : poll_shapes()) polled.push_back(std::move(p));
    for (const memory_model m : {memory_model::sc, memory_model::rc11}) {
      const bool sc = m == memory_model::sc;
      int failed = 0, compared[2] = {0, 0}, programs = 0;
      for (const program& p : polled) {
        const auto verdicts = oracle::enumerate(p, sc ? oracle::memory::sc : oracle::memory::rc11);
        if (verdicts.racy > 0) continue;
        ++programs;
        for (const bool reduction : {true, false}) {
          const checker_run run = explore(p, m, reduction, -1, false, false, cap);
          if (run.result.found == weave::model::verdict::pass && !run.result.exhaustive) continue;  // over the cap
          const outcome_diff d(verdicts.outcomes, run.outcomes);
          ++compared[reduction ? 1 : 0];
          if (run.result.found == weave::model::verdict::pass && d.missing.empty() && d.extra.empty()) continue;
          ++failed;
          failures += "  " + std::string(weave::model::to_string(m)) + (reduction ? ", dpor: " : ", plain: ") +
                      oracle::to_text(p) + "    checker verdict: " + weave::model::to_string(run.result.found) +
                      (run.result.exhaustive ? "" : ", not exhaustive") + "\n" + d.text(p);
        }
      }
      std::printf("\npolls of %d rounds vs the oracle's loads (%s): %d programs without a race, compared on %d "
                  "with reduction and %d with plain DFS (the others over %llu executions), %d differ\n",
                  weave::model_sync::spin_budget + 2, weave::model::to_string(m), programs, compared[1], compared[0],
                  static_cast<unsigned long long>(cap), failed);
      most &= compared[1] * 10 > programs * 9 && compared[0] * 2 > programs;
    }
    poll_rounds = 0;
    std::fputs(failures.c_str(), stdout);
    std::fflush(stdout);
    CPPUNIT_ASSERT_MESSAGE("searches of polls differ from the oracle's loads (details on stdout)", failures.empty());
    CPPUNIT_ASSERT_MESSAGE("compared on most programs, under each model", most);
  }

  // RC11's SC order kept as the execution grows (psc.cpp) answers each
  // question as the definition worked out over every event does: under
  // WEAVE_PSC=verify the engine asks both at every question and stops the
  // process where they differ, and the search is the one WEAVE_PSC=full makes
  // (the same executions, verdict and outcomes, searched on past failures).
  // Every program above with a seq_cst access or fence, the liveness ones
  // among them (S::alive and a thread's end are barriers, and an end may be
  // recorded late: psc.cpp works those out in full).
  void sc_order_kept_is_the_definitions() {
    std::vector<program> programs = every_program();
    for (auto& p : liveness_programs()) programs.push_back(std::move(p));
    for (auto& p : blocking_programs()) programs.push_back(std::move(p));
    std::string failures;
    int compared = 0;
    for (const program& p : programs) {
      const bool sc = std::any_of(p.threads.begin(), p.threads.end(), [](const std::vector<oracle::instr>& t) {
        return std::any_of(t.begin(), t.end(), [](const oracle::instr& i) {
          return i.ord == order::sc || (i.kind == oracle::op::cas && i.fail == order::sc);
        });
      });
      if (!sc) continue;
      checker_run full, kept;
      {
        const scoped_env e("WEAVE_PSC", "full");
        full = explore(p, memory_model::rc11, true, -1, false, true);
      }
      {
        const scoped_env e("WEAVE_PSC", "verify");
        kept = explore(p, memory_model::rc11, true, -1, false, true);
      }
      ++compared;
      if (full.result.found == kept.result.found && full.result.executions == kept.result.executions &&
          full.outcomes == kept.outcomes)
        continue;
      failures += "  " + oracle::to_text(p) + "    in full: " + weave::model::to_string(full.result.found) + ", " +
                  std::to_string(full.result.executions) + " executions, " + std::to_string(full.outcomes.size()) +
                  " outcomes; kept: " + weave::model::to_string(kept.result.found) + ", " +
                  std::to_string(kept.result.executions) + " executions, " + std::to_string(kept.outcomes.size()) +
                  " outcomes\n";
    }
    std::printf("\nSC order kept vs worked out in full: %d programs with seq_cst compared\n", compared);
    CPPUNIT_ASSERT_MESSAGE("searches that differ:\n" + failures, failures.empty());
    CPPUNIT_ASSERT_MESSAGE("too few programs with seq_cst accesses", compared >= 200);
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(oracle_test);
