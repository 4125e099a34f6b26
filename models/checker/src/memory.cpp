// The memory model: RC11 (Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing
// Sequential Consistency in C/C++11", PLDI 2017) with C++20's release sequences.
//
// What an execution holds. Every store is a message in its location's
// modification order (object_rec::mo, initial value first). Every atomic access
// and fence is a mem_event with its thread's happens-before clock.
//
// How it is explored. Executions are generated in an order consistent with
// po ∪ rf (a thread's steps in program order; a load reads only a store
// already made), so po ∪ rf is acyclic by construction: no out-of-thin-air
// value is ever produced. At each atomic access the search chooses, as a data
// choice of the step (node::data_choice, replayed by the token like a
// wake_one's sleeper):
//   - a load: the message it reads — any message not before the thread's
//     coherence floor (floor_pos: the mo-latest message that an access which
//     happens before this one read or wrote; this is exactly "hb ; eco? is
//     irreflexive" for the new event, since nothing happens after it yet);
//   - a store: the message it goes right after in mo — anywhere after the floor,
//     but never between a message and the RMW that read it (atomicity);
//   - an RMW: the message it reads, which must not be read by another RMW
//     already; it goes right after that message in mo (rmw ∩ fr;mo = ∅);
//   - a compare_exchange: the message it reads; equal to expected and not
//     taken is a success (an RMW), different is a failure (a load with the
//     failure order); a weak one may also fail spuriously on an equal value,
//     at most options::spurious_wakeups times per thread per execution.
// The first choice is always the mo-latest message (the interleaving's value),
// so the first execution is the sequentially consistent one.
// seq_cst: a choice is kept only if RC11's partial SC order stays acyclic
// (psc_consistent, psc.cpp: the graph over the execution so far is kept).
// Reading the mo-latest message, or storing at the end of mo, never closes a
// psc cycle (the new event then has no outgoing psc edge), so every access has
// at least one choice and no execution is abandoned half-way.
//
// Why this is complete: every RC11-consistent execution graph G has a
// linearization of po ∪ rf, and every prefix of G closed under po ∪ rf is
// consistent; at each step the choices above are exactly those that keep the
// prefix consistent, so replaying that linearization with G's choices is
// possible. The scheduling search (source-DPOR, engine.cpp) explores at least
// one schedule per class of schedules that differ only in the order of
// independent steps; a load and a store of one location are dependent (the
// store must come first for the load to read it), two loads are not, and under
// RC11 two plain stores are not either (each takes its place in mo by choice,
// whichever runs first). Sleep sets go by reads-from (engine::wakes): a
// thread asleep since some node has there explored every choice it had, and
// those stay covered for good (the same execution with its step moved back
// there): a store's every place in mo, a reader's every message made by then.
// A store made since wakes a reader (load, RMW, compare_exchange) to read the
// new messages only; a reader with no new message it may read stays asleep.
// One exception: when psc rules out every new message it could read, the
// reader reads the latest one and the execution goes on (list_choices says
// why). The oracle test (checker/tests/oracle_test.cpp) compares the outcomes
// with a brute-force enumeration of RC11's axioms, and the executions explored
// with the consistent ones (at most 1.2x); and the checker's verdicts on data
// races, spin loops and futex waits with what the oracle, or its second form
// by interleaving, says they must be.
//
// Under memory_model::sc every load reads the mo-latest message and every store
// goes at the end: sequential consistency, the same code with one choice each
// (two for a compare_exchange_weak of the check's own: it may fail spuriously).
#include <algorithm>
#include <cstring>

#include "engine.hpp"

namespace weave::model::detail {
namespace {

constexpr auto kSc = std::memory_order_seq_cst;

}  // namespace

bool engine::mem_pending(const thread_rec& t) const noexcept {
  if (t.st != tstate::runnable || t.act != action::step) return false;
  if (t.pend.kind != op::load && t.pend.kind != op::store && t.pend.kind != op::rmw) return false;
  return t.pend.obj >= 2 && t.pend.obj < nobj_ && !objects_[t.pend.obj].is_cell;
}

// The mo position below which the thread may neither read nor store: the
// latest message that an access happening before this point read or wrote.
// A thread's accesses to one location go up mo in program order (each is at
// or above its floor, which its own earlier ones are under): chain_max walks
// each thread's back only to its latest that happens before (a long
// execution's spin loop asked of every access, at every step).
std::uint32_t engine::floor_pos(const object_rec& o, const vclock& hb) const {
  return chain_max(o.acc, o.last_acc, threads_.size(), hb.c, std::uint32_t{0},
                   [&](const access_rec& a) { return msgs_[a.msg].pos; });
}

// The first place after msg in mo that holds another value (0: none): news
// for a spinner that read msg (the await rule; a value written again is none).
std::uint32_t engine::news_after(std::uint32_t msg) const {
  const message& m = msgs_[msg];
  const auto& mo = objects_[m.obj].mo;
  for (std::size_t i = m.pos + 1; i < mo.size(); ++i)
    if (!msgs_[mo[i]].nil && msgs_[mo[i]].value != m.value) return static_cast<std::uint32_t>(i);
  return 0;
}

// Under RC11, whether thread c's chosen read (chosen_) is stale past its
// time-outs: another value was stored later in mo, before the reader's
// options::late_time_outs + 1-th latest time-out. A time-out means time
// passed, and a store becomes visible in the end, as a fair scheduler runs a
// thread that can run (engine::count_late): a store lets at most
// late_time_outs time-outs of its reader pass unseen. The execution that reads
// past that is cut (the search is then bounded). Without it a loop of timed
// waits on a relaxed flag (`while (!stop.load(relaxed)) cv.wait_for(l, 1ms);`)
// read the flag's old value for ever, and a correct program was reported as a
// livelock (soundness_test::a_store_is_seen_within_its_readers_time_outs).
bool engine::stale_past_time_outs(int c) const {
  if (chosen_.kind == pick::insert_after || chosen_.kind == pick::rmw_after) return false;  // a write
  std::uint32_t k = time_last_[static_cast<std::size_t>(c)];
  for (int i = 0; i < opt_.late_time_outs && k != kNoAccess; ++i) k = times_[k].prev;
  if (k == kNoAccess) return false;
  const message& m = msgs_[chosen_.msg];
  const auto& mo = objects_[m.obj].mo;
  for (std::size_t i = m.pos + 1; i < mo.size(); ++i) {
    const message& later = msgs_[mo[i]];
    if (!later.nil && later.value != m.value && later.step < times_[k].step) return true;
  }
  return false;
}

// What pending access p may do with message id (appended to choices_): read
// it, go right after it in mo (not between it and the RMW that read it), or,
// for a compare_exchange, fail on it; a weak one may also fail spuriously.
void engine::add_choices(const pending_op& p, std::uint32_t id, bool spurious_ok) {
  const message& m = msgs_[id];
  if (p.kind == op::load) {
    choices_.push_back({pick::read, id});
  } else if (p.kind == op::store) {
    if (!m.taken) choices_.push_back({pick::insert_after, id});
  } else if (!p.cas) {
    if (!m.taken) choices_.push_back({pick::rmw_after, id});
  } else if (m.value != p.expected) {
    choices_.push_back({pick::cas_fail, id});
  } else {
    if (!m.taken) choices_.push_back({pick::rmw_after, id});
    if (p.weak && spurious_ok) choices_.push_back({pick::cas_spurious, id});
  }
}

// The choices of thread t's pending atomic access, latest message first.
// A thread woken from a sleep set to read newer stores only (read_mark_,
// engine::wakes) gets those. If RC11's SC order rules out every one of them
// here, it goes on all the same: psc depends on the seq_cst steps taken since it
// woke, which another order may take after it, and ending the execution here
// would hide the races between those steps and this thread's later ones, so
// DPOR would never try that order (oracle_test's psc-hides-the-newer-store
// lost an outcome so). It then reads the latest store, always consistent: an
// older choice, covered where it fell asleep, so this costs an execution
// (one, not one per older store), not an outcome. A thread with no newer
// store in reach (none made since, or all below its coherence floor, which
// happens-before fixes whatever the order) stays covered (covered_here).
void engine::list_choices(int t) {
  const thread_rec& th = threads_[t];
  const pending_op& p = th.pend;
  const object_rec& o = objects_[p.obj];
  choices_.clear();
  const bool reads = p.kind != op::store;
  const std::uint32_t mark = read_mark_[t];  // woken from a sleep set: only stores made since (engine::wakes)
  // Inside an opaque call, only a read where the call decides takes RC11's
  // values (calls.cpp); the reduction still treats the call as reading the
  // latest (engine::wakes), which only wakes sleepers more often.
  // Silent steps (engine::go_silent) take their first choice, the latest,
  // which psc always allows: their older ones are not worked out. (A livelock
  // runs on silently for up to 100,000 steps, and psc over that many events
  // took minutes a step, till the stall watchdog ended the process:
  // soundness_test::a_livelock_of_seq_cst_accesses_is_reported_under_rc11.)
  if (reads_latest(th) || silent_) {  // sc, inside an opaque call, or silent: the latest only
    // A spurious compare_exchange_weak failure is no weak-memory effect: sc
    // explores it too, for the check's own atomics. Inside weave's primitives
    // their rc11 checks explore it (their sc checks, for the time budget they
    // keep, do not: 7.8x the executions).
    const bool spurious_ok = p.cas && p.weak && !opaque(th) && th.spurious_cas_left > 0 && user_object(p.obj);
    if (!reads || o.mo.back() >= mark) add_choices(p, o.mo.back(), spurious_ok);
    return;
  }
  // An RMW reads a message no other RMW has read, and the mo-latest is never
  // read (its RMW would follow it): with no other, that is its only choice, and
  // the latest store is always consistent (no floor, no psc to judge).
  if (one_store_left(p)) {
    if (o.mo.back() >= mark) add_choices(p, o.mo.back(), false);
    return;
  }
  std::uint32_t lo = floor_pos(o, th.hb);
  // The await rule under weak memory: after spin_budget rounds of a spin loop
  // that read the same values, a round reads a newer value when there is one
  // (re-reading the old value, or a later store of it, is the same
  // no-progress round again; two test-and-set loops that read each other's
  // exchanges would otherwise keep the unlock's store unseen for ever). Of a
  // location two rounds of the loop or more read: one that only its first
  // round read (a read before the loop) is no round of it, and a read of it
  // after the loop may read what it read then (soundness_test::
  // a_loop_that_reads_in_turn_sees_each_store). Not once this round has read
  // a value the loop's rounds had not: it is no round of no progress (a loop
  // that gave up, then one on another location that a store ended, then a
  // read of the first's location: soundness_test::a_loop_gives_up_while_
  // another_thread_runs).
  //
  // A loop bounded by a count of its own may give up all the same: on
  // hardware the newer store may not reach it for as long as the loop goes
  // round. So the store its rounds read is a choice too (give_up_read): the
  // loop's give-up, the choice after every other where it begins (as a
  // parked spinner's give-up is, engine::give_up_offer), the first choice in
  // the rounds that go on after it, so that a loop that waits goes round as
  // far as it may at once and is found to (engine::covered_by_park).
  std::uint32_t old = kNoMsg;
  bool going_on = false;
  if (const spin_read* r = reads ? held_read(th) : nullptr) {
    if (const std::uint32_t news = news_after(r->msg)) {
      if (msgs_[r->msg].pos >= lo && r->msg >= mark && give_up_read(t)) old = r->msg;
      going_on = old != kNoMsg && gives_up_here(t);
      lo = std::max(lo, news);
    }
  }
  if (going_on) add_choices(p, old, false);
  for (std::uint32_t i = static_cast<std::uint32_t>(o.mo.size()); i-- > lo;) {
    const std::uint32_t id = o.mo[i];
    if (!reads || id >= mark) add_choices(p, id, th.spurious_cas_left > 0 && !opaque(th));
  }
  if (old != kNoMsg && !going_on) add_choices(p, old, false);  // where it begins
  // Where a call decides: its compare_exchange's success is the call's write,
  // and goes last as every other write of a call.
  if (opaque(th))
    std::erase_if(choices_, [&](const mem_choice& c) { return c.kind == pick::rmw_after && c.msg != o.mo.back(); });
  const bool listed = !choices_.empty();
  // RC11's SC order: keep the choices under which psc stays acyclic.
  const bool sc_access = p.order == kSc || (p.cas && p.order_fail == kSc);
  if (sc_events_ > 0 && (sc_access || sc_fences_ > 0)) {
    std::size_t k = 0;
    for (std::size_t i = 0; i < choices_.size(); ++i)
      if (choices_[i].msg == o.mo.back() || tentative_ok(t, choices_[i])) choices_[k++] = choices_[i];  // the latest always is
    choices_.resize(k);
  }
  if (mark != 0 && listed && choices_.empty()) add_choices(p, o.mo.back(), false);  // the latest: always consistent
}

// The index of thread t's chosen access (chosen_) among all its choices,
// and how many there are: what a token records (engine::token). A thread
// woken from a sleep set lists only the stores made since (read_mark_); a
// replay has no sleep sets and lists them all, where the index of the short
// list names another store (a race that the search found, its replay then
// passed: soundness_test::a_token_names_the_store_a_woken_thread_read).
// Nothing where list_choices lists the latest store only (the mark leaves
// that list whole or empty), or where the choice is not in the whole list
// (never: the short list is a part of it).
std::optional<std::pair<std::uint16_t, std::uint16_t>> engine::choice_in_full_list(int t) {
  if (reads_latest(threads_[t]) || one_store_left(threads_[t].pend)) return std::nullopt;
  const std::vector<mem_choice> listed = choices_;
  const std::uint32_t mark = read_mark_[t];
  read_mark_[t] = 0;
  list_choices(t);
  read_mark_[t] = mark;
  std::optional<std::pair<std::uint16_t, std::uint16_t>> at;
  for (std::size_t i = 0; i < choices_.size() && !at; ++i)
    if (choices_[i] == chosen_) at = {static_cast<std::uint16_t>(i), static_cast<std::uint16_t>(choices_.size())};
  choices_ = listed;
  return at;
}

// A new message of obj at mo position `at`. Its release clock: a release store
// heads a release sequence; a relaxed store after a release fence carries the
// fence's clock (C++20 [atomics.fences]); an RMW continues the release sequence
// of the message it read (C++20 [intro.races]: release sequences go through
// RMWs only, not through later stores of the same thread).
std::uint32_t engine::new_message(std::uint32_t obj, std::uint64_t value, std::uint32_t at, const thread_rec& t,
                                  std::memory_order o, const message* continues) {
  // continues may be in msgs_, which grows below: what it passes on first.
  const bool carries = continues != nullptr && continues->rel_valid;
  vclock carried;
  if (carries) carried = continues->rel;
  const auto id = static_cast<std::uint32_t>(msgs_.size());
  message& m = msgs_.emplace_back();
  m.value = value;
  m.obj = obj;
  m.step = in_prefix_ ? -1 : static_cast<std::int32_t>(steps_.size()) - 1;
  m.tid = static_cast<std::uint8_t>(cur_ < 0 ? 0 : cur_);
  if (releases(o)) {
    m.rel = t.hb;
    m.rel_valid = true;
  } else if (t.has_rel_fence) {
    m.rel = t.rel_fence;
    m.rel_valid = true;
  }
  if (carries) {
    if (m.rel_valid) m.rel.join(carried);
    else m.rel = carried;
    m.rel_valid = true;
  }
  object_rec& rec = objects_[obj];
  auto& mo = rec.mo;
  ++rec.untaken;
  if (at == mo.size()) {  // most stores go last
    mo.push_back(id);
    m.pos = at;
    if (rec.shadow != nullptr && !tentative_) copy_shadow(rec, value);
    return id;
  }
  mo.insert(mo.begin() + at, id);
  for (std::size_t k = at; k < mo.size(); ++k) msgs_[mo[k]].pos = static_cast<std::uint32_t>(k);
  return id;
}

// Undoes the latest new_message (a tentative choice).
void engine::remove_message(std::uint32_t id) {
  auto& mo = objects_[msgs_[id].obj].mo;
  const std::uint32_t at = msgs_[id].pos;
  mo.erase(mo.begin() + at);
  --objects_[msgs_[id].obj].untaken;
  for (std::size_t k = at; k < mo.size(); ++k) msgs_[mo[k]].pos = static_cast<std::uint32_t>(k);
  msgs_.pop_back();
}

// Synchronization through the message read: an acquire synchronizes with its
// release sequence; a weaker read leaves it for a later acquire fence.
void engine::read_message(thread_rec& t, const message& m, std::memory_order o) {
  if (m.rel_valid) {
    if (acquires(o)) t.hb.join(m.rel);
    else t.acq_fence.join(m.rel);
    if (acquires(o) && tracing() && m.step >= 0 && m.tid != cur_ && !steps_.empty())
      steps_.back().sync_from = m.step;  // release -> acquire, an arrow in the exports
  }
}

void engine::record_event(std::uint32_t obj, std::uint32_t rf, std::uint32_t wr, bool sc, bool fence) {
  thread_rec& t = threads_[cur_];
  if (!rc11()) return;  // floors and the SC order are RC11's: sc reads the latest
  if (obj >= 2 && obj < nobj_) {
    object_rec& o = objects_[obj];
    // For the floor (floor_pos) an RMW's write stands for its read too: it
    // comes right after the message it read in mo, and stays after it.
    const std::uint32_t msg = wr != kNoMsg ? wr : rf;
    if (msg != kNoMsg) {
      o.acc.push_back({static_cast<std::uint8_t>(cur_), t.hb.c[cur_], msg, o.last_acc[cur_]});
      o.last_acc[cur_] = static_cast<std::uint32_t>(o.acc.size() - 1);
    }
  }
  new_event(t, cur_, fence ? kNoObj : obj, rf, wr, sc, fence);
}

// Thread t's (th's) memory event, with its clock now (record_event, life_event).
mem_event& engine::new_event(const thread_rec& th, int t, std::uint32_t obj, std::uint32_t rf, std::uint32_t wr, bool sc,
                             bool fence) {
  mem_event& e = mev_.emplace_back();  // built in place: a copy of one built on the stack stalls on its narrow stores
  e.step = static_cast<std::int32_t>(steps_.size()) - 1;
  e.tid = static_cast<std::uint8_t>(t);
  e.epoch = th.hb.c[t];
  e.obj = obj;
  e.rf = rf;
  e.wr = wr;
  e.sc = sc;
  e.fence = fence;
  e.clk = th.hb;
  if (sc) ++sc_events_;
  if (sc && fence) ++sc_fences_;
  return e;
}

// S::alive and a thread's end under RC11. On hardware whether a thread lives
// is asked of the kernel (/proc), and a thread's end is its exit: system
// calls, each taken as a full barrier. So each is one seq_cst event of the
// thread's life location (life_obj) that is also a seq_cst fence on both
// sides for RC11's SC order (mem_event::barrier): an S::alive(u) reads
// kLifeStart (u lives) or kLifeEnd (u has ended: seeing that also joins u's
// clock, engine::alive), and u's end writes kLifeEnd. Without them a death
// would be ordered by happens-before only, and a seq_cst store could still
// take a place in modification order that the barriers rule out (a false
// alarm: oracle_test's liveness programs under rc11, which read alive the
// same way, rc11_oracle.hpp's lives_as_locations). Thread t's event (u's end
// when t == u), made with t's clock: an end is recorded when it happens if
// some S::alive(u) came before it, or else by the first S::alive(u) that
// finds u ended (psc does not go by the order of mev_).
void engine::life_event(int t, int u, std::uint32_t rf, std::uint32_t wr) {
  const thread_rec& th = threads_[static_cast<std::size_t>(t)];
  mem_event& e = new_event(th, t, life_obj(u), rf, wr, true, false);
  e.barrier = true;
  if (wr == kLifeEnd) e.clk.join(th.acq_fence);  // an exit: a seq_cst fence before its write
  ++sc_fences_;  // it orders every access, as a seq_cst fence does (list_choices)
}

// Whether this execution has recorded u's end (end) or an S::alive(u) (life_event).
bool engine::has_life_event(int u, bool end) const {
  return std::any_of(mev_.begin(), mev_.end(), [&](const mem_event& e) {
    return e.barrier && e.obj == life_obj(u) && (end ? e.wr == kLifeEnd : e.wr == kNoMsg);
  });
}

// After a store that publishes the thread's clock (release, or relaxed after a
// release fence) the thread starts a new epoch: what it does next in the same
// step (a cell write) is not covered by what it published.
void engine::published(thread_rec& t, std::memory_order o) {
  if (releases(o) || t.has_rel_fence) ++t.hb.c[cur_];
}

void engine::trace_read(step_rec& s, std::uint32_t obj, std::uint32_t msg) {
  s.rf = msg;
  const auto& mo = objects_[obj].mo;
  s.newer = mo.back() != msg ? mo.back() : kNoMsg;
}

// The current step reads message id of obj with order o (a load, or a failed
// compare_exchange): synchronization, the memory event, the await rule, the trace.
step_rec& engine::read_step(std::uint32_t obj, std::uint32_t id, std::memory_order o) {
  read_message(threads_[cur_], msgs_[id], o);
  record_event(obj, id, kNoMsg, o == kSc, false);
  note_read(obj, id);
  step_rec& s = steps_.back();
  s.mo = o;
  s.has_value = true;
  s.value = msgs_[id].value;
  trace_read(s, obj, id);
  return s;
}

// Whether thread t's pending access with choice c keeps psc acyclic: the
// choice is applied to the execution, judged and undone.
bool engine::tentative_ok(int t, const mem_choice& c) {
  const thread_rec& th = threads_[t];
  const pending_op& p = th.pend;
  mem_event e;
  e.step = static_cast<std::int32_t>(steps_.size());
  e.tid = static_cast<std::uint8_t>(t);
  e.epoch = th.hb.c[t] + 1;
  e.obj = p.obj;
  e.clk = th.hb;
  e.clk.c[t] = e.epoch;
  std::uint32_t added = kNoMsg;
  const message read = msgs_[c.msg];
  const bool fails = c.kind == pick::cas_fail || c.kind == pick::cas_spurious;
  const std::memory_order o = fails ? p.order_fail : p.order;
  e.sc = o == kSc;
  if (c.kind != pick::insert_after) {
    e.rf = c.msg;
    if (read.rel_valid && acquires(o)) e.clk.join(read.rel);
  }
  if (c.kind == pick::insert_after || c.kind == pick::rmw_after) {
    tentative_ = true;
    added = new_message(p.obj, 0, read.pos + 1, th, std::memory_order_relaxed, nullptr);
    tentative_ = false;
    e.wr = added;
  }
  mev_.push_back(e);
  const bool ok = psc_consistent();
  mev_.pop_back();
  if (added != kNoMsg) remove_message(added);
  return ok;
}

// ---------------------------------------------------------------------------
// The atomic accesses (run on a model thread's fiber)
// ---------------------------------------------------------------------------


bool engine::atomic_load(std::uint32_t obj, std::memory_order o, source_location loc, std::uint64_t& value) {
  if (!active()) return false;
  visible(obj, op::load, loc, o);
  if (ff_) {
    value = ff_value(ff_answer());
    return true;
  }
  if (!active() || obj >= nobj_) return false;
  value = msgs_[chosen_.msg].value;
  answers_.push_back(chosen_.msg);
  read_step(obj, chosen_.msg, o);
  return true;
}

bool engine::atomic_store(std::uint32_t obj, std::memory_order o, std::uint64_t v, source_location loc) {
  if (!active()) return false;
  visible(obj, op::store, loc, o);
  if (ff_) {
    ff_values_.push_back(v);
    return true;
  }
  if (!active() || obj >= nobj_) return false;
  thread_rec& t = threads_[cur_];
  const std::uint32_t id = new_message(obj, v, msgs_[chosen_.msg].pos + 1, t, o, nullptr);
  record_event(obj, kNoMsg, id, o == kSc, false);
  objects_[obj].writes.push_back(static_cast<std::int32_t>(steps_.size()) - 1);
  published(t, o);
  step_rec& s = steps_.back();
  s.mo = o;
  s.has_value = true;
  s.value = v;
  s.wr = id;
  const auto& mo = objects_[obj].mo;
  s.newer = msgs_[id].pos + 1 < mo.size() ? mo[msgs_[id].pos + 1] : kNoMsg;  // placed before a store already made
  return true;
}

bool engine::atomic_rmw(std::uint32_t obj, std::memory_order o, source_location loc, std::uint64_t& old,
                        rmw_next next, const void* ctx) {
  if (!active()) return false;
  visible(obj, op::rmw, loc, o);
  if (ff_) {
    old = ff_value(ff_answer());
    ff_values_.push_back(next(old, ctx));
    return true;
  }
  if (!active() || obj >= nobj_) return false;
  const std::uint32_t read = chosen_.msg;
  read_message(threads_[cur_], msgs_[read], o);
  old = msgs_[read].value;
  answers_.push_back(read);
  rmw_write(obj, read, next(old, ctx));
  return true;
}

void engine::rmw_write(std::uint32_t obj, std::uint32_t read, std::uint64_t neu) {
  thread_rec& t = threads_[cur_];
  msgs_[read].taken = true;
  --objects_[obj].untaken;
  const std::uint32_t before_pos = msgs_[read].pos;
  const std::uint64_t before_value = msgs_[read].value;
  const std::memory_order o = t.pend.order;
  const std::uint32_t id = new_message(obj, neu, before_pos + 1, t, o, &msgs_[read]);
  record_event(obj, read, id, o == kSc, false);
  // The await rule: a write of the value it read changes nothing a spin loop
  // reads, so it wakes no spinner and keeps this thread's round idle (two
  // test-and-set spinners would otherwise wake each other for ever).
  if (neu != before_value) {
    objects_[obj].writes.push_back(static_cast<std::int32_t>(steps_.size()) - 1);
    t.idle_spins = 0;
    if (t.rmw_changes < 255) ++t.rmw_changes;
  }
  published(t, o);
  note_read(obj, id);  // it read up to its own write: stale once something newer exists
  step_rec& s = steps_.back();
  s.mo = o;
  s.has_value = s.has_old = true;
  s.old = before_value;
  s.value = neu;
  s.wr = id;
  trace_read(s, obj, read);
  s.newer = before_pos + 2 < objects_[obj].mo.size() ? objects_[obj].mo.back() : kNoMsg;
}

int engine::atomic_cas(std::uint32_t obj, std::memory_order so, std::memory_order fo, bool weak,
                       std::uint64_t expected, std::uint64_t desired, source_location loc, std::uint64_t& old) {
  if (!active()) return -1;
  visible(obj, op::rmw, loc, so, fo, true, weak, expected);
  if (ff_) {  // its success, then the store it read
    const bool won = ff_answer() != 0;
    old = ff_value(ff_answer());
    if (won) ff_values_.push_back(desired);
    return won ? 1 : 0;
  }
  if (!active() || obj >= nobj_) return -1;
  thread_rec& t = threads_[cur_];
  const mem_choice c = chosen_;
  old = msgs_[c.msg].value;
  answers_.push_back(c.kind == pick::rmw_after ? 1 : 0);
  answers_.push_back(c.msg);
  if (c.kind == pick::rmw_after) {
    read_message(t, msgs_[c.msg], so);
    rmw_write(obj, c.msg, desired);
    return 1;
  }
  if (c.kind == pick::cas_spurious) {
    --t.spurious_cas_left;
    t.idle_spins = 0;  // it read the value it expected: going round again is no idle round (not_idle)
  }
  step_rec& s = read_step(obj, c.msg, fo);
  s.kind = op::cas_fail;
  s.aux = c.kind == pick::cas_spurious ? 1 : 0;
  return 0;
}

}  // namespace weave::model::detail
