// A second oracle, by interleaving: every sequentially consistent execution of
// a program of rc11_program.hpp, found by running its threads one
// instruction at a time in every order (an explicit-state search over
// (program counters, registers, memory, sleepers), each state visited once).
// It needs no axioms, so it checks rc11_oracle.hpp's sc mode (Shasha and
// Snir's acyclicity) from the other side, and it judges what the axioms do
// not describe: futex waits and wakes (blocking programs).
//
// The operations, each one atomic step:
//   - store, load, fetch_add, exchange, compare_exchange on the current
//     values (a weak one that finds its expected value may also fail
//     spuriously: one more successor), a fence does nothing;
//   - await(x == v) can step only while x holds v (a spin loop that is fair:
//     it reads the current value in the end);
//   - wait(x, v): if x holds v the thread sleeps (its register will be 1),
//     else it goes on (register 0); woken, it returns from the wait in a
//     step of its own, as in the checker. With spurious wake-ups on
//     (interleave(p, bound, true), options::spurious_wakeups = 1, the
//     checker's default) a thread asleep in it may also wake by itself, in a
//     step of its own (register 1 too), once an execution, but only where
//     some other step could be taken (not only a thread's end, where that is
//     no step of the checker's, see below): a program whose every thread is
//     asleep hangs (a lost wake-up is a deadlock, though a real futex might
//     still return by itself some day); off, never;
//   - wait_for(x, v): the same with a deadline: asleep, it may also time out
//     (register 2) in a step of its own, at any moment (the checker's clocks
//     are virtual), so it never sleeps for good;
//   - wake_one(x) wakes one thread asleep on x, any one (each is a
//     successor), or none if none sleeps; wake_all(x) wakes every one;
//   - alive(u) reads whether thread u has ended (1: not yet). A thread ends
//     in a step of its own after its last instruction, so it may be seen
//     alive after that instruction's effect is;
//   - join(u) can step only once thread u has ended.
// An execution ends when every thread has ended (its
// outcome: the registers, then each location's value, as rc11_oracle.hpp's),
// and hangs when threads are left and none can step (asleep for good, or at
// an await whose value never comes). Cells are not looked at.
//
// Within a preemption bound (interleave(p, bound)): only the executions
// with at most that many preemptions, counted as CHESS counts them
// (Musuvathi and Qadeer, PLDI 2007): a step by another thread than the one
// that took the step before, while that one could have stepped on. Not a
// preemption: a switch away from a thread at an await whose value is not
// there, or ended, or asleep, even in a timed wait whose time-out could come
// at once (as the checker counts: the switch is the wait's); nor from a
// thread past its last instruction whose end is not a step of the checker's
// (a program that never asks alive: the checker's search takes threads'
// ends as steps only where something asks); nor the switch right after a
// join (the checker runs an enabled join at once, and the choice after it
// is the one it was run ahead of).
// The checker's bounded search claims every execution within its bound: its
// outcomes must include these, and it must find a hang among them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "rc11_program.hpp"

namespace weave::model::test::oracle {

struct interleavings {
  std::set<outcome> outcomes;  // of the executions that end
  bool hangs = false;          // some execution gets stuck
  std::uint64_t states = 0;    // distinct states visited
};

class interleaver {
 public:
  // bound: at most that many preemptions an execution (-1: none);
  // spurious: a thread asleep in an untimed wait may wake by itself once.
  explicit interleaver(const program& p, int bound = -1, bool spurious = false)
      : p_(steps_of(p)), bound_(bound), spurious_(spurious), ends_are_steps_(p.uses(op::alive)) {
    int reg = 0;
    for (const auto& code : p_.threads) {
      reg_.emplace_back();
      for (const instr& i : code) reg_.back().push_back(i.reads() ? reg++ : -1);
    }
    registers_ = reg;
  }

  interleavings run() {
    state s;
    s.pc.assign(p_.threads.size(), 0);
    s.regs.assign(static_cast<std::size_t>(registers_), 0);
    s.mem.assign(static_cast<std::size_t>(p_.locations), 0);
    visit(s);
    out_.states = seen_.size();
    return out_;
  }

 private:
  struct state {
    std::vector<std::uint8_t> pc;
    std::vector<std::uint32_t> regs, mem;
    std::uint32_t asleep = 0;  // threads asleep in the futex wait at their pc
    std::uint32_t timed = 0;   // those of them in a timed wait
    std::uint32_t spurious_used = 0;  // threads that have woken by themselves
    std::uint32_t woken = 0;   // threads a wake took out of their wait, which returns in a step of its own
    std::uint32_t ended = 0;   // threads that have ended (after their last instruction)
    std::int8_t last = -1;     // the thread that took the step before (bounded only)
    bool after_join = false;   // that step was a join
    std::uint8_t preemptions = 0;
    std::string key() const {
      std::string k(pc.begin(), pc.end());
      k += static_cast<char>(last);
      k += static_cast<char>(after_join);
      k += static_cast<char>(preemptions);
      k.append(reinterpret_cast<const char*>(&ended), sizeof ended);
      for (std::uint32_t v : regs) k.append(reinterpret_cast<const char*>(&v), sizeof v);
      for (std::uint32_t v : mem) k.append(reinterpret_cast<const char*>(&v), sizeof v);
      k.append(reinterpret_cast<const char*>(&asleep), sizeof asleep);
      k.append(reinterpret_cast<const char*>(&timed), sizeof timed);
      k.append(reinterpret_cast<const char*>(&spurious_used), sizeof spurious_used);
      k.append(reinterpret_cast<const char*>(&woken), sizeof woken);
      return k;
    }
  };

  const instr* at(const state& s, std::size_t t) const {
    const auto& code = p_.threads[t];
    return s.pc[t] < code.size() ? &code[s.pc[t]] : nullptr;
  }
  void set(state& s, std::size_t t, std::uint32_t v) const {
    const int r = reg_[t][s.pc[t]];
    if (r >= 0) s.regs[static_cast<std::size_t>(r)] = v;
  }
  // Sleeper u's wait returns r (1: woken, 2: timed out).
  void leave_wait(state& s, std::size_t u, std::uint32_t r) const {
    set(s, u, r);
    ++s.pc[u];
    s.asleep &= ~(1u << u);
    s.timed &= ~(1u << u);
  }
  // A wake takes sleeper u out of its wait; the wait returns 1 in u's next
  // step (as the checker's woken thread returns from its wait in a step).
  void wake(state& s, std::size_t u) const {
    s.asleep &= ~(1u << u);
    s.timed &= ~(1u << u);
    s.woken |= 1u << u;
  }
  bool asleep_on(const state& s, std::size_t u, int loc) const {
    const instr* i = at(s, u);  // (an asleep thread is at its wait)
    return ((s.asleep >> u) & 1u) && i != nullptr && i->loc == loc;
  }
  // Whether instruction i cannot step yet: an await whose value is not
  // there, a join of a thread that has not ended.
  bool held(const state& s, const instr& i) const {
    if (i.is_await()) return s.mem[static_cast<std::size_t>(i.loc)] != i.awaited();
    return i.kind == op::join && ((s.ended >> i.value) & 1u) == 0;
  }
  // Whether thread u could step on (a switch away from it is a preemption).
  bool could_go_on(const state& s, std::size_t u) const {
    if (((s.ended | s.asleep) >> u) & 1u) return false;
    const instr* i = at(s, u);
    return i == nullptr ? ends_are_steps_ : !held(s, *i);
  }
  // Visits n, the state after a step of thread t from s, if the bound allows it.
  void go(const state& s, state n, std::size_t t) {
    if (bound_ >= 0) {
      const bool preempts = s.last >= 0 && static_cast<std::size_t>(s.last) != t && !s.after_join &&
                            could_go_on(s, static_cast<std::size_t>(s.last));
      if (preempts && s.preemptions >= bound_) return;
      const instr* i = at(s, t);
      n.last = static_cast<std::int8_t>(t);
      n.after_join = i != nullptr && i->kind == op::join;
      n.preemptions = static_cast<std::uint8_t>(s.preemptions + (preempts ? 1 : 0));
    }
    visit(n);
  }

  void visit(const state& s) {
    if (!seen_.insert(s.key()).second) return;
    bool ended = true, stepped = false;
    bool moves = false;  // a step of the checker's could be taken: not only an end that is not one
    std::uint32_t wakes_by_itself = 0;
    for (std::size_t t = 0; t < p_.threads.size(); ++t) {
      const instr* i = at(s, t);
      if ((s.ended >> t) & 1u) continue;
      ended = false;
      if (i == nullptr) {  // its end, a step of its own
        stepped = true;
        moves = moves || ends_are_steps_;
        state n = s;
        n.ended |= 1u << t;
        go(s, n, t);
        continue;
      }
      if ((s.woken >> t) & 1u) {  // returns from the wait it was woken in
        stepped = moves = true;
        state n = s;
        n.woken &= ~(1u << t);
        leave_wait(n, t, 1);
        go(s, n, t);
        continue;
      }
      if ((s.asleep >> t) & 1u) {
        if ((s.timed >> t) & 1u) {  // times out
          stepped = moves = true;
          state n = s;
          leave_wait(n, t, 2);
          go(s, n, t);
        } else if (spurious_ && ((s.spurious_used >> t) & 1u) == 0) {
          wakes_by_itself |= 1u << t;  // where another step could be taken (below)
        }
        continue;
      }
      if (held(s, *i)) continue;
      stepped = moves = true;
      if (i->kind == op::futex_wake && i->value == 0) {  // wake_one: each sleeper is one successor
        bool any = false;
        for (std::size_t u = 0; u < p_.threads.size(); ++u)
          if (asleep_on(s, u, i->loc)) {
            any = true;
            state n = s;
            wake(n, u);
            ++n.pc[t];
            go(s, n, t);
          }
        if (any) continue;
      }
      if (i->kind == op::cas && i->weak && s.mem[static_cast<std::size_t>(i->loc)] == i->expected) {
        state f = s;  // fails spuriously: reads the value, writes nothing
        set(f, t, f.mem[static_cast<std::size_t>(i->loc)]);
        ++f.pc[t];
        go(s, f, t);
      }
      state n = s;
      step(n, t, *i);
      go(s, n, t);
    }
    for (std::size_t t = 0; moves && t < p_.threads.size(); ++t) {
      if (((wakes_by_itself >> t) & 1u) == 0) continue;
      state n = s;
      leave_wait(n, t, 1);
      n.spurious_used |= 1u << t;
      go(s, n, t);
    }
    if (ended) {
      outcome o = s.regs;
      o.insert(o.end(), s.mem.begin(), s.mem.end());
      out_.outcomes.insert(o);
    } else if (!stepped) {
      out_.hangs = true;
    }
  }

  // Thread t's instruction i, on state s (everything but wake_one's choice).
  void step(state& s, std::size_t t, const instr& i) const {
    std::uint32_t& x = s.mem[static_cast<std::size_t>(i.loc >= 0 ? i.loc : 0)];
    const std::uint32_t old = i.loc >= 0 ? x : 0;
    switch (i.kind) {
      case op::store: x = i.value; break;
      case op::load: set(s, t, old); break;
      case op::fetch_add:
        set(s, t, old);
        x = old + i.value;
        break;
      case op::exchange:
        set(s, t, old);
        x = i.value;
        break;
      case op::cas:
        set(s, t, old);
        if (old == i.expected) x = i.value;
        break;
      case op::fence: break;
      case op::alive: set(s, t, (s.ended >> i.value) & 1u ? 0 : 1); break;
      case op::join: break;
      case op::await: set(s, t, old); break;
      case op::await_cas:  // held until x holds what it expects (held)
        set(s, t, old);
        x = i.value;
        break;
      case op::futex_wait:
      case op::futex_wait_for:
        if (old == i.value) {
          s.asleep |= 1u << t;  // stays at the wait until woken (or timed out)
          if (i.kind == op::futex_wait_for) s.timed |= 1u << t;
          return;
        }
        set(s, t, 0);
        break;
      case op::futex_wake:  // wake_all (wake_one with nobody asleep: nothing)
        for (std::size_t u = 0; u < p_.threads.size(); ++u)
          if (asleep_on(s, u, i.loc)) wake(s, u);
        break;
    }
    ++s.pc[t];
  }

  // p without its fences other than seq_cst ones: under sc no fence does
  // anything, and only a seq_cst one is a step of the checker's (a place
  // where a preemption may come, and another step that lets a sleeper wake
  // spuriously).
  static program steps_of(program p) {
    for (auto& code : p.threads)
      code.erase(std::remove_if(code.begin(), code.end(),
                                [](const instr& i) { return i.kind == op::fence && i.ord != order::sc; }),
                 code.end());
    return p;
  }

  const program p_;
  const int bound_;
  const bool spurious_;
  const bool ends_are_steps_;
  std::vector<std::vector<int>> reg_;  // per thread, per instruction: its register or -1
  int registers_ = 0;
  std::set<std::string> seen_;
  interleavings out_;
};

inline interleavings interleave(const program& p, int bound = -1, bool spurious = false) {
  return interleaver(p, bound, spurious).run();
}

}  // namespace weave::model::test::oracle
