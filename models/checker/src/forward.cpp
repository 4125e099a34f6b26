// Fast-forward: an execution's replayed prefix runs the threads' code only.
//
// A DFS search runs the body again from the start for every execution, and
// each execution replays the choices of the one before it up to the node
// that backtracking changed: in the checks of models/checks/ most of the
// steps of an execution are such a replay (84% of queue_close_wakes_blocked_
// producer's). The threads' code must run again (the checker keeps no copy of
// the program's memory), but what the engine works out for those steps (the
// stores and clocks of the memory model, the races, the sleep sets, the
// trace) is what it worked out last time: the same choices from the start
// give the same state (the replay relies on it already: node::cached).
//
// So an execution keeps a snapshot of the engine's state where it makes its
// first new choice (take_snapshot), one per execution, on a stack by step,
// and a later execution whose changed node is at or below that step runs
// fast up to it: each visible operation only switches to the thread the node
// chose, and every call that hands the code something (a value read, a wait's
// result, whether a call opens, the virtual time) hands back what it handed
// last time (answers_, in the order the code asked). At the snapshot's step
// (ff_land) the engine takes the snapshot's state, with the addresses of the
// objects made meanwhile, and plans the step as usual. Stateless model
// checking with state caching, in the sense of Verisoft's and CHESS's
// replay: the state kept is the checker's own, never the program's. A
// snapshot copies only the objects that changed since the step of the one
// below it on the stack, and shares that one's copies of the others
// (snapshot::held); a restore copies back only the objects changed since.
//
// What proves it: every check's execution count, and the per-execution
// schedules, are the same with WEAVE_FAST_FORWARD=off (forward_test), and
// WEAVE_FAST_FORWARD=verify works every step out and compares, where it
// would have fast-forwarded, the state with the snapshot's.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "engine.hpp"
#include "watchdog.hpp"

namespace weave::model::detail {

// An internal setting from the environment: the index of its value among
// three, the first if unset or empty; any other value ends the process.
int three_way_setting(const char* name, const char* (&&values)[3]) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return 0;
  for (int i = 0; i < 3; ++i)
    if (std::strcmp(v, values[i]) == 0) return i;
  std::fprintf(stderr, "weave: %s=%s: expected %s, %s or %s\n", name, v, values[0], values[1], values[2]);
  std::exit(2);
}

forward_mode forward_setting() {
  return static_cast<forward_mode>(three_way_setting("WEAVE_FAST_FORWARD", {"on", "off", "verify"}));
}

namespace {
std::atomic<std::uint64_t> forwarded{0};  // fast_forwarded_steps(); relaxed: a count read between checks
std::atomic<std::uint64_t> shared_copies{0};  // shared_snapshot_copies(); relaxed, as forwarded
}  // namespace

std::uint64_t fast_forwarded_steps() noexcept { return forwarded.load(std::memory_order_relaxed); }
std::uint64_t shared_snapshot_copies() noexcept { return shared_copies.load(std::memory_order_relaxed); }

namespace {
// The snapshots worth taking: a snapshot costs about as much as working out
// a few steps (its copy, and its restore each time it is used), so none is
// taken before step kFirstSnapshotStep, nor within kMinGap steps below the
// one an execution fast-forwarded to (that execution works those out
// itself). Measured on the checks of models/checks/ and checker_speed (the
// closing notes of the checker speed issue), in time, not only in
// instructions: 5 and 4 ran 5.7% fewer instructions than 12 and 8 on
// checker_speed's fetch_add search and took about 10% longer (cachegrind:
// 16% more mispredicted branches, about 18 more an execution, where the
// data caches missed as rarely). Verify takes one wherever it can, to
// compare the most.
constexpr std::int32_t kFirstSnapshotStep = 12;
constexpr std::int32_t kMinGap = 8;

// Two records of an object alike in all that the engine reads (a cell's
// access sites and steps count only where its clocks say there is an access).
bool same_object(const object_state& a, const object_state& b) {
  if (a.alive != b.alive || a.writes != b.writes || a.mo != b.mo || a.untaken != b.untaken || a.acc != b.acc || a.last_acc != b.last_acc ||
      a.last_write != b.last_write || a.last_queue != b.last_queue || a.waiter_steps != b.waiter_steps || a.reads != b.reads || a.stores != b.stores || a.waiters != b.waiters ||
      a.w_clk != b.w_clk || a.r_clk != b.r_clk)
    return false;
  if (a.w_clk != 0 && (a.w_tid != b.w_tid || a.w_step != b.w_step || !(a.w_loc == b.w_loc))) return false;
  for (int t = 0; t < kMaxThreads; ++t)
    if (a.r_clk[t] != 0 && (a.r_step[t] != b.r_step[t] || !(a.r_loc[t] == b.r_loc[t]))) return false;
  return true;
}
}  // namespace

// At an execution's start: fast-forward to the deepest snapshot that holds
// (its step at or above the changed node), if there is one.
void engine::ff_begin() {
  ff_ = false;
  ff_landed_ = false;
  snapped_ = false;
  ff_to_ = -1;
  if (forward_ == forward_mode::off || !reuses_nodes() || backtracked_ < 0) return;
  while (nsnaps_ > 0 && snaps_[nsnaps_ - 1].step > backtracked_) --nsnaps_;
  if (nsnaps_ == 0) return;
  const snapshot& s = snaps_[nsnaps_ - 1];
  ff_to_ = s.step;
  // verify: every other execution works every step out (verify_snapshot), the others land (ff_land)
  if (forward_ == forward_mode::verify && (++verify_turn_ & 1) != 0) return;
  if (steps_.size() < static_cast<std::size_t>(s.step)) return;
  ff_ = true;
  ff_j_ = 0;
  ff_ans_ = 0;
  ff_bad_ = false;
  ff_shadows_.clear();
  ff_prims_.clear();
  ff_values_.clear();
}

// A step boundary while fast-forwarding: the thread that the node chose runs.
int engine::ff_plan() {
  planned();  // the thread runs on now, with no beat (the stall watchdog's)
  start_fresh();
  const std::int32_t j = ff_j_++;
  if (j == ff_to_) return ff_land();
  const int c = nodes_[static_cast<std::size_t>(j)].chosen;
  // The thread is where it was last time: about to take the step recorded there.
  const bool can = static_cast<std::size_t>(c) < threads_.size() && threads_[c].st != tstate::fresh &&
                   threads_[c].st != tstate::finished && threads_[c].st != tstate::aborted &&
                   threads_[c].pend.loc == steps_[static_cast<std::size_t>(j)].loc;
  if (ff_bad_ || !can) [[unlikely]]
    return ff_gone(j, c, can ? " asked for more than last time" : " is about to do something else than last time");
  return c;
}

// Fast-forwarding to step j diverged (thread c, if not -1, did what): the
// execution ends there, holding the steps before it, and none of the last
// execution's messages and events (kept for the snapshot to overwrite:
// reset_execution). Returns -1, the end. Out of line, with its message: in
// ff_plan, on every fast-forwarded step's path, they made it save and
// restore registers at each call.
int engine::ff_gone(std::int32_t j, int c, const char* what) {
  ff_ = false;
  steps_.resize(static_cast<std::size_t>(j));
  msgs_.clear();
  mev_.clear();
  diverge(j, (c >= 0 ? "T" + std::to_string(c) : std::string()) + what);
  return -1;
}

// The snapshot's step: the threads must stand where they stood then; the
// engine takes the snapshot's state and plans the step.
int engine::ff_land() {
  ff_ = false;
  ff_landed_ = true;
  const snapshot& s = snaps_[nsnaps_ - 1];
  bool same = !ff_bad_ && ff_ans_ == s.answers && threads_.size() == s.nthreads &&
              ff_shadows_.size() + 2 == s.nobj && ff_prims_.size() == s.nprim && cur_ == s.cur && objects_.size() >= s.nobj && prims_.size() >= s.nprim &&
              ff_values_.size() == s.msgs.size();
  for (std::size_t t = 0; same && t < s.nthreads; ++t) {
    const pending_op& now = threads_[t].pend;
    const pending_op& then = s.threads[t].pend;
    if (threads_[t].st == tstate::finished) same = s.threads[t].st == tstate::finished;
    else same = now.kind == then.kind && now.obj == then.obj && now.loc == then.loc;
  }
  if (!same) return ff_gone(s.step, -1, "the threads do something else than last time before this step");
  restore(s);
  forwarded.fetch_add(static_cast<std::uint64_t>(s.step), std::memory_order_relaxed);
  if (forward_ == forward_mode::verify && !same_state(s)) {
    std::fprintf(stderr, "weave model checker: internal error: fast-forward restored step %d's state wrongly\n",
                 s.step + 1);
    std::abort();
  }
  return plan_step();
}

// The state before step j, kept for the executions that replay this prefix.
[[gnu::noinline]] void engine::take_snapshot(std::int32_t j) {
  snapped_ = true;
  if (forward_ == forward_mode::off || !reuses_nodes()) return;
  const bool verify = forward_ == forward_mode::verify;
  if (j < (verify ? 1 : kFirstSnapshotStep)) return;
  if (nsnaps_ > 0 && snaps_[nsnaps_ - 1].step + (verify ? 1 : kMinGap) > j) return;
  if (nsnaps_ == snaps_.size()) snaps_.emplace_back();
  snapshot& s = snaps_[nsnaps_++];
  s.step = j;
  s.answers = answers_.size();
  if (forward_ == forward_mode::verify) {
    s.answer_log = answers_;
    s.step_log = steps_;
  }
  s.nthreads = threads_.size();
  s.nobj = nobj_;
  s.nprim = nprim_;
  // A record unchanged since the execution's start is as reset: a bit of s.clean.
  s.clean = 0;
  for (std::size_t t = 0; t < threads_.size(); ++t) {
    s.threads[t] = threads_[t];
    if (life_[t].changed == 0) s.clean |= bit(static_cast<int>(t));
    else s.life[t].assign(life_[t], false);  // (a life is no cell)
  }
  if (s.objects.size() < nobj_) s.objects.resize(nobj_);
  s.held.resize(nobj_);
  s.obj_alive.resize(nobj_);
  const auto level = static_cast<std::uint32_t>(nsnaps_ - 1);
  const snapshot* const below = level > 0 ? &snaps_[level - 1] : nullptr;
  std::uint64_t shared = 0;
  for (std::size_t i = 0; i < nobj_; ++i) {
    const object_rec& o = objects_[i];
    s.obj_alive[i] = o.alive ? 1 : 0;
    if (i < 2 && o.changed == 0) {
      s.clean |= i == 0 ? snapshot::kCleanNoObj : snapshot::kCleanScFence;
      s.held[i] = level;  // (no copy is read)
    } else if (below != nullptr && i < below->nobj && !below->kept_clean(i) && o.changed <= below->step) {
      s.held[i] = below->held[i];  // as it was at the snapshot below: its copy there stands
      ++shared;
    } else {
      s.objects[i].assign(o, o.is_cell);
      s.held[i] = level;
    }
  }
  if (shared != 0) shared_copies.fetch_add(shared, std::memory_order_relaxed);
  s.prim_alive.resize(nprim_);
  for (std::size_t i = 0; i < nprim_; ++i) s.prim_alive[i] = prims_[i].alive ? 1 : 0;
  copy_list(s.calls, calls_);
  copy_list(s.msgs, msgs_);
  copy_list(s.mev, mev_);
  copy_list(s.locks, locks_);
  copy_list(s.lock_holder, lock_holder_);
  for (std::size_t t = 0; t < kMaxThreads; ++t) copy_list(s.sleep_fp[t], sleep_fp_[t]);
  copy_list(s.times, times_);
  s.time_last = time_last_;
  s.sleep_mark = sleep_mark_;
  s.read_mark = read_mark_;
  s.child_sleep = child_sleep_;
  s.unwound_unjoined = unwound_unjoined_;
  s.cur = cur_;
  s.prev = prev_;
  s.data_choice = data_choice_;
  s.preemptions = preemptions_;
  s.chosen = chosen_;
  s.sc_events = sc_events_;
  s.sc_fences = sc_fences_;
  s.sharded_root_seen = sharded_root_seen_;
}

// WEAVE_FAST_FORWARD=verify: the state this execution worked out before
// snapshot s's step is the snapshot's (what fast-forwarding would restore).
// Names the first part that differs.
bool engine::same_state(const snapshot& s) const {
  const char* differs = nullptr;
  auto part = [&](bool same, const char* what) {
    if (!same && differs == nullptr) differs = what;
  };
  part(answers_.size() == s.answers && (ff_landed_ || std::equal(s.answer_log.begin(), s.answer_log.end(), answers_.begin())),
       "the answers");
  for (std::size_t i = 0; differs == nullptr && i < static_cast<std::size_t>(s.step); ++i) {
    const step_rec& a = steps_[i];
    const step_rec& b = s.step_log[i];
    part(a.tid == b.tid && a.act == b.act && a.kind == b.kind && a.obj == b.obj && a.call == b.call && a.seg == b.seg &&
             a.data_choice == b.data_choice && a.data_alts == b.data_alts && a.dclk == b.dclk && a.wr == b.wr &&
             a.rf == b.rf && a.newer == b.newer && a.aux == b.aux && a.eager == b.eager && a.forced == b.forced &&
             a.preempted == b.preempted,
         "the steps");
  }
  part(threads_.size() == s.nthreads && nobj_ == s.nobj && nprim_ == s.nprim, "counts");
  static const object_rec clean = [] {
    object_rec o;
    o.reset_clean();
    return o;
  }();
  for (std::size_t t = 0; differs == nullptr && t < s.nthreads; ++t) {
    part(static_cast<const thread_data&>(threads_[t]) == s.threads[t], "a thread");
    part(same_object(life_[t], s.clean & bit(static_cast<int>(t)) ? clean : s.life[t]), "a thread's life");
  }
  for (std::size_t i = 0; differs == nullptr && i < s.nobj; ++i) {
    if (s.kept_clean(i)) {
      part(same_object(objects_[i], clean), "an object");
      continue;
    }
    object_state kept = snaps_[s.held[i]].objects[i];  // (with its end as at this snapshot)
    kept.alive = s.obj_alive[i] != 0;
    part(same_object(objects_[i], kept), "an object");
  }
  for (std::size_t i = 0; differs == nullptr && i < s.nprim; ++i) part(prims_[i].alive == (s.prim_alive[i] != 0), "a primitive");
  part(calls_ == s.calls, "calls");
  // An address stored (object_kind::atomic_opaque) differs from run to run.
  part(msgs_.size() == s.msgs.size(), "messages");
  for (std::size_t i = 0; differs == nullptr && i < msgs_.size(); ++i) {
    message m = s.msgs[i];
    if (m.obj < nobj_ && objects_[m.obj].opaque_values) m.value = msgs_[i].value;
    part(m == msgs_[i], "messages");
  }
  part(mev_ == s.mev, "memory events");
  part(locks_ == s.locks && lock_holder_ == s.lock_holder, "locks");
  part(sleep_fp_ == s.sleep_fp && sleep_mark_ == s.sleep_mark && read_mark_ == s.read_mark &&
           child_sleep_ == s.child_sleep,
       "sleep sets");
  part(times_ == s.times && time_last_ == s.time_last, "virtual times");
  part(unwound_unjoined_ == s.unwound_unjoined, "unwound_unjoined");
  part(cur_ == s.cur, "cur");
  part(prev_ == s.prev, "prev");
  part(data_choice_ == s.data_choice, "data_choice");
  part(preemptions_ == s.preemptions, "preemptions");
  part(chosen_ == s.chosen, "chosen");
  part(sc_events_ == s.sc_events && sc_fences_ == s.sc_fences, "sc events");
  part(sharded_root_seen_ == s.sharded_root_seen, "sharded_root_seen");
  if (differs != nullptr) std::fprintf(stderr, "weave: fast-forward's snapshot of step %d differs in %s\n", s.step + 1, differs);
  return differs == nullptr;
}

// WEAVE_FAST_FORWARD=verify, before step j: where fast-forwarding would have
// landed, the state worked out must be the snapshot's.
void engine::verify_snapshot(std::int32_t j) const {
  if (forward_ != forward_mode::verify || ff_landed_ || j != ff_to_ || nsnaps_ == 0 || same_state(snaps_[nsnaps_ - 1]))
    return;
  std::fprintf(stderr, "weave model checker: internal error: fast-forward's snapshot of step %d is not the state the "
                       "replay worked out\n", j + 1);
  std::abort();
}

[[gnu::noinline]] void engine::restore(const snapshot& s) {
  // A record unchanged since the snapshot's step is as the snapshot has it.
  const auto take = [&](object_rec& o, bool clean, const object_state& kept) {
    if (o.changed <= s.step) return;
    if (clean) {
      o.reset_clean();
    } else {
      o.assign(kept, o.is_cell);  // (the same kind of object as the snapshot's: the same steps made it)
      o.changed = s.step;
    }
  };
  for (std::size_t t = 0; t < s.nthreads; ++t) {
    static_cast<thread_data&>(threads_[t]) = s.threads[t];
    take(life_[t], (s.clean & bit(static_cast<int>(t))) != 0, s.life[t]);
  }
  copy_list(msgs_, s.msgs);
  // The stores hold this execution's values, each object lives where this
  // execution made it, and a live atomic's own copy holds its latest value
  // (memory.cpp's copy_shadow). One pass over the objects: a second one for
  // their addresses ran 5% more of restore's own instructions.
  for (std::size_t i = 0; i < ff_values_.size(); ++i) msgs_[i].value = ff_values_[i];
  object_rec* const objects = objects_.data();  // (loaded once: the copies' calls do not move the records)
  for (std::size_t i = 0; i < s.nobj; ++i) {
    object_rec& o = objects[i];
    const bool clean = s.kept_clean(i);
    take(o, clean, snaps_[s.held[i]].objects[i]);
    if (clean) continue;
    o.alive = s.obj_alive[i] != 0;  // destroyed since: most are, at the end of the body (not a change: forget_object)
    if (i < 2) continue;  // kNoObj and kScFence: no value
    o.shadow = ff_shadows_[i - 2];
    if (o.alive && o.shadow != nullptr && !o.mo.empty()) copy_shadow(o, msgs_[o.mo.back()].value);  // a dead one's memory is another's now
  }
  nobj_ = s.nobj;
  for (std::size_t i = 0; i < s.nprim; ++i) {
    prims_[i].alive = s.prim_alive[i] != 0;
    prims_[i].addr = ff_prims_[i];
  }
  nprim_ = s.nprim;
  copy_list(calls_, s.calls);
  copy_list(mev_, s.mev);
  copy_list(locks_, s.locks);
  copy_list(lock_holder_, s.lock_holder);
  for (std::size_t t = 0; t < kMaxThreads; ++t) copy_list(sleep_fp_[t], s.sleep_fp[t]);
  copy_list(times_, s.times);
  time_last_ = s.time_last;
  sleep_mark_ = s.sleep_mark;
  read_mark_ = s.read_mark;
  child_sleep_ = s.child_sleep;
  unwound_unjoined_ = s.unwound_unjoined;
  prev_ = s.prev;
  data_choice_ = s.data_choice;
  preemptions_ = s.preemptions;
  chosen_ = s.chosen;
  sc_events_ = s.sc_events;
  sc_fences_ = s.sc_fences;
  sharded_root_seen_ = s.sharded_root_seen;
  steps_.resize(static_cast<std::size_t>(s.step));
  answers_.resize(s.answers);
}

}  // namespace weave::model::detail
