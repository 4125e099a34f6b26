// The user's view of an execution: named objects and threads, and weave's
// primitives as calls (model_sync::object).
//
// Opaque primitives (options::primitives, the default outside weave's own
// checks). A thread inside the outermost call of a primitive's public
// operation runs its steps one after another with no other thread between
// them (engine::continues_call: the scheduler forces them), until the call
// returns or blocks (a futex wait that sleeps, a spin that waits for a
// write). Those forced steps read the latest store, place stores last in
// modification order, and get no spurious wake-up. The reduction sees the
// segment as one event: a race with any of its steps is reversed at its first
// step, a reversal begins only with a thread whose whole segment can go first
// (engine::initials), and a thread asleep after exploring a segment wakes on
// anything that conflicts with any step of it (engine::seg_fp_).
//
// Why this is sound: each primitive's own checks (models/checks/, run
// transparent: every internal step a scheduling point, every value RC11
// allows) show its operations linearizable with respect to each other, with
// spurious wake-ups and spinning explored; so a call behaves as an atomic
// step at some point between its invocation and its return, and the only
// interleavings a user's program can tell apart are those of whole calls and
// of what the call waits for. Opaque exploration runs exactly those: a
// call's effect at the point where it runs unpreempted, a blocking call
// split where it sleeps, time-outs and owner death explored at the call.
// What it gives up: an operation whose documented contract is weaker than
// linearizable (a snapshot such as is_locked(), qsize()) is seen at its
// latest value only. A primitive whose operations are not linearizable at
// all says so (weave::calls::stepwise: mpmc_ring, ring_queue, and spsc_ring,
// which is under sc but not under rc11): its calls
// open no call here, so their steps, and the calls of the linearizable
// primitives they are built of, are the user's steps (opaque_test::
// stepwise_rings_show_their_steps; checker.differential's soak found
// ring_queue's full-then-empty against the transparent search).
//
// Under rc11 one more thing is needed: linearizable object by object is not
// sequentially consistent across objects. Opaque calls run as steps in one
// order (Python's semantics), so the primitives must keep that order on weak
// hardware too: their linearization points and the reads that decide a
// call's result are seq_cst (sync.hpp, "Python's order across primitives").
// With acquire/release alone, a program that orders calls on two primitives
// by an observation that does not synchronize (a failed try_lock, an
// is_set() that returns false) had outcomes no order of whole calls gives
// (the store buffering and R shapes), and opaque checks missed them
// (opaque_test::calls_keep_pythons_order_across_primitives); pipes, whose
// reads were acquire, had a cycle through three pipes that no order of whole
// calls gives (differential_test::pipes_keep_one_order_under_rc11).
// process_pool does not keep it (hardware only).
//
// Under rc11 that order covers calls, not the user's atomics that do not
// synchronize (found by checker.differential's soak, seed 76010, program
// blocking173, when opaque checks missed it). T1: m.lock(); m.unlock();
// a.fetch_add(1, acq_rel). T2: a.load(relaxed) reads 1, then m.try_lock()
// fails: the relaxed load gives no happens-before from the unlock, so the
// try_lock's seq_cst read may still read "held" (RC11 allows it, and ARMv8
// reorders the two loads; x86 does not). The same holds for an event's
// is_set() after set() and a semaphore's try_acquire() after release(), for
// an event's wait() that returns at once on a set() cleared since, and its
// set() that finds it "already set" and publishes nothing, for a
// robust_mutex's try_lock_for past its deadline on a sleeper's bit: calls
// that decide at a seq_cst read with no read-modify-write after it. Such a
// call says so (call.reads_decide(), engine::decides_here), and its
// seq_cst loads and compare_exchange failures take every value RC11 allows
// (list_choices: the floor and psc decide, as for the user's atomics); its
// write, a compare_exchange that succeeds, still goes last. Every other read
// of a call takes the latest: what it decides, a read-modify-write decides
// again at the latest store (a blocking lock's exchange, an event wait's
// compare_exchange), and a wait's time-out is explored anyway. Letting every
// read of every call take RC11's values would also close the gap, but
// multiplied the executions of the opaque checks (a classic went from
// milliseconds to over ten minutes); this adds a few executions to the
// catalogue's checks that use events and timers (2 to 5, 4 to 9), more to
// the pipe's (4 to 26: a pipe call reads again before it parks, and that
// re-check may be stale too, or a wait that times out on a sent message is
// lost), and none to the others (opaque_test::
// relaxed_flag_does_not_order_a_later_call).
#include <algorithm>
#include <cstring>
#include <exception>

#include "engine.hpp"

namespace weave::model::detail {

prim_id engine::new_primitive(const void* self, const char* kind, const char* name, bool stepwise) {
  if (!active()) return kOutside;
  if (ff_) {  // its record is the snapshot's: only where it lives now
    ff_prims_.push_back(self);
    return (static_cast<prim_id>(generation_) << 32) | (ff_prims_.size() - 1);
  }
  const auto id = static_cast<std::uint32_t>(nprim_);
  if (nprim_ == prims_.size()) prims_.emplace_back();
  prim_rec& p = prims_[nprim_++];
  p.addr = self;
  p.kind = kind;
  p.name = name != nullptr ? name : "";
  p.alive = true;
  p.stepwise = stepwise;
  return (static_cast<prim_id>(generation_) << 32) | id;
}

void engine::forget_primitive(std::uint32_t id) noexcept {
  if (!running_ || ff_ || id >= nprim_) return;
  prims_[id].alive = false;
}

bool engine::call_begin(std::uint32_t prim, const char* what, source_location loc) {
  // Called under opaque primitives only (model::detail::call_begin asks):
  // under transparent ones calls change nothing and traces show every step.
  if (!active() || cur_ < 0) return false;
  if (ff_) return ff_answer() != 0;
  const bool opens = opens_call(prim);
  answers_.push_back(opens ? 1 : 0);
  if (!opens) return false;
  thread_rec& t = threads_[cur_];
  t.call = static_cast<std::int32_t>(calls_.size());
  call_rec& c = calls_.emplace_back();  // in place: no record built and moved, no strings moved
  c.prim = prim;
  c.tid = static_cast<std::uint8_t>(cur_);
  c.what = what;
  c.loc = loc;
  c.idle_before = t.idle_spins;
  c.first_step = static_cast<std::int32_t>(steps_.size());
  t.wrote_cell = false;
  t.rmw_changes = 0;
  return true;
}

// Whether thread cur_'s call of primitive prim is an outermost call of a
// linearizable primitive (call_begin).
bool engine::opens_call(std::uint32_t prim) const noexcept {
  if (prim >= nprim_) return false;
  if (threads_[cur_].call >= 0) return false;  // a call inside a call: part of the outer one
  return !prims_[prim].stepwise;  // not linearizable: its steps, and its parts' calls, are the user's
}

void engine::call_end() noexcept {
  if (!active() || cur_ < 0) return;
  thread_rec& t = threads_[cur_];
  if (t.call >= 0 && std::uncaught_exceptions() > 0) {  // it ends by throwing (the banner says what)
    try {
      calls_[static_cast<std::size_t>(t.call)].result = "throws";
    } catch (...) {
    }
  }
  // (Only a call whose RMWs changed a value twice or more can have written
  // for nothing: one change is never undone. lock() and unlock() make one.)
  if (t.call >= 0 && !ff_ && t.rmw_changes >= 2) {
    const call_rec& call = calls_[static_cast<std::size_t>(t.call)];
    const std::size_t from = own_start(call);
    if (changed_nothing(from)) {
      t.idle_spins = call.idle_before;
      unwrite(from);
    }
  }
  t.call = -1;
}

namespace {
// A step that wrote a new value by read-modify-write (the writes a call that
// changed nothing takes back).
bool changes_by_rmw(const step_rec& s) { return s.kind == op::rmw && s.has_old && s.old != s.value; }
}  // namespace

// The await rule sees a call as the user does: one step. A call that took
// and released a lock inside (q.try_get() on an empty queue: the mutex word
// 0, 1, 0) wrote, but changed nothing a spin loop around it reads again, so
// that loop's round stays idle: its idle spins are what they were before the
// call (call_end). Without this `while (q.try_get(x) != ok) S::spin();` was
// never idle, ran for ever ahead of the thread that puts, and was reported
// as a livelock (soundness_test::a_spin_loop_around_a_call_waits_for_a_write).
// Nor does such a call wake another thread's spin loop (unwrite): two
// threads that polled one queue woke each other for ever, ahead of the
// thread that puts (a LIVELOCK too).
// A call changed something if it wrote a cell (a try_put's item: the await
// rule does not follow cells), stored, waited, woke or spun, if another
// thread ran inside it (a callback of the user's, or a wait), or if an
// object it wrote by read-modify-write ends the call with another value than
// the one its first read-modify-write of it read (a release()). from: the
// call's first step (own_start).
bool engine::changed_nothing(std::size_t from) const {
  const int c = cur_;
  if (threads_[static_cast<std::size_t>(c)].wrote_cell) return false;
  for (std::size_t k = from; k < steps_.size(); ++k) {
    const step_rec& s = steps_[k];
    if (s.tid != c || s.act != action::step || (s.kind != op::rmw && s.kind != op::load && s.kind != op::cas_fail))
      return false;
    if (!changes_by_rmw(s) || s.obj >= nobj_) continue;
    // The call's first RMW of s.obj (changing it or not) read the value from
    // before the call: RMWs read the latest, and the call ran alone.
    const auto first = std::find_if(steps_.begin() + static_cast<std::ptrdiff_t>(from),
                                    steps_.begin() + static_cast<std::ptrdiff_t>(k),
                                    [&](const step_rec& e) { return e.obj == s.obj && e.kind == op::rmw; });
    const std::uint64_t before = first != steps_.begin() + static_cast<std::ptrdiff_t>(k) ? first->old : s.old;
    const auto& mo = objects_[s.obj].mo;
    if (mo.empty() || msgs_[mo.back()].value != before) return false;
  }
  return true;
}

// The call's first step: the first of its thread's at or after the step
// count when it began. (A thread's call may begin before its first step:
// spawned threads run up to their first operation when they start.)
std::size_t engine::own_start(const call_rec& call) const {
  auto k = static_cast<std::size_t>(std::max(call.first_step, 0));
  while (k < steps_.size() && steps_[k].tid != call.tid) ++k;
  return k;
}

// A call that changed nothing (changed_nothing; its steps from `from` on)
// takes back its writes for the await rule: they are no write to wait for
// (object_rec::writes), and its messages no news (message::nil, news_after).
// Its steps are the latest, all its own: what it appended to an object's
// writes is at the end.
void engine::unwrite(std::size_t from) {
  thread_rec& t = threads_[static_cast<std::size_t>(cur_)];
  for (std::size_t k = from; k < steps_.size(); ++k) {
    const step_rec& s = steps_[k];
    if (!changes_by_rmw(s) || s.obj >= nobj_) continue;
    if (s.wr != kNoMsg) msgs_[s.wr].nil = true;
    auto& w = objects_[s.obj].writes;
    while (!w.empty() && w.back() >= static_cast<std::int32_t>(from)) w.pop_back();
    for (spin_read& r : t.spin_reads)  // it noted its own writes as seen
      if (r.obj == s.obj) r.seen = std::min(r.seen, static_cast<std::uint32_t>(w.size()));
  }
}

void engine::call_arg(const std::string& text) {
  if (!active() || cur_ < 0 || threads_[cur_].call < 0) return;
  std::string& a = calls_[static_cast<std::size_t>(threads_[cur_].call)].args;
  if (!a.empty()) a += ", ";
  a += text;
}

void engine::call_result(const std::string& text) {
  if (!active() || cur_ < 0 || threads_[cur_].call < 0) return;
  calls_[static_cast<std::size_t>(threads_[cur_].call)].result = text;
}

void engine::call_note(const char* text) noexcept {
  if (!active() || cur_ < 0 || threads_[cur_].call < 0) return;
  calls_[static_cast<std::size_t>(threads_[cur_].call)].note = text;
}

void engine::call_reads_decide() noexcept {
  if (!active() || cur_ < 0 || threads_[cur_].call < 0) return;
  calls_[static_cast<std::size_t>(threads_[cur_].call)].reads_decide = true;
}

// User code run by a primitive inside a call (a callback, a predicate, a
// task) is the user's again: the call is suspended around it.
void engine::user_code(bool enter) {
  if (!opaque_primitives() || !active() || cur_ < 0 || ff_) return;
  thread_rec& t = threads_[cur_];
  if (enter) {
    t.user_saved.push_back(t.call);
    t.call = -1;
  } else if (!t.user_saved.empty()) {
    t.call = t.user_saved.back();
    t.user_saved.pop_back();
  }
}

void engine::name_object(std::uint32_t id, const char* name) {
  if (!active() || ff_ || id >= nobj_ || name == nullptr) return;
  objects_[id].name = name;
}

// Thread t's pending step continues the opaque call its previous step (the
// execution's latest) made: the scheduler runs it at once.
bool engine::continues_call(int t) const noexcept {
  const thread_rec& r = threads_[static_cast<std::size_t>(t)];
  return opaque(r) && r.st == tstate::runnable && r.act == action::step && !steps_.empty() &&
         steps_.back().tid == t && steps_.back().call == r.call;
}

bool engine::user_object(std::uint32_t i) const {
  if (i < 2 || i >= nobj_) return false;
  const std::string_view f = objects_[i].made.file_name();
  return !(f.size() > 4 && f.substr(f.size() - 4) == ".hpp" && f.find("weave/") != std::string_view::npos);
}

// --outcomes: the latest value of each named atomic (each of the check's own
// atomics when none is named) when this execution ended.
void engine::capture_outcome() {
  if (!opt_.outcomes || mode_ == mode::replay || silent_) return;  // a bounded or random search lists what it saw
  final_values_.clear();
  bool named = false;
  for (std::uint32_t i = 2; i < nobj_; ++i) named = named || (!objects_[i].is_cell && !objects_[i].name.empty());
  for (std::uint32_t i = 2; i < nobj_; ++i) {
    const object_rec& o = objects_[i];
    if (o.is_cell || o.mo.empty() || (named ? o.name.empty() : !user_object(i))) continue;
    final_values_.emplace_back(obj_name(i), msgs_[o.mo.back()].value);
  }
}

std::string outcomes_text(const outcome_table& t) {
  std::string s;
  for (const outcome_row& row : t) {
    std::vector<outcome_value> values = row.values;
    std::sort(values.begin(), values.end(), [](const outcome_value& a, const outcome_value& b) {
      return static_cast<std::int64_t>(a.value) < static_cast<std::int64_t>(b.value);
    });
    std::uint64_t total = 0;
    for (const outcome_value& v : values) total += v.count;
    s += "  " + row.name + ":";
    std::string tokens;
    for (const outcome_value& v : values) {
      s += std::string(tokens.empty() ? " " : ", ") + value_text(v.value) + " in " + std::to_string(v.count) +
           (v.count == 1 ? " schedule" : " schedules");
      tokens += "    " + row.name + " = " + value_text(v.value) + ": --replay NAME:" + v.token + "\n";
    }
    s += " (of " + std::to_string(total) + ")\n" + tokens;
  }
  return s;
}

std::string engine::thread_name(int t) const {
  if (t >= 0 && static_cast<std::size_t>(t) < threads_.size() && !threads_[static_cast<std::size_t>(t)].name.empty())
    return threads_[static_cast<std::size_t>(t)].name;
  return "T" + std::to_string(t);
}

// A primitive's name: the user's, or its kind and its number among the
// primitives of that kind (mutex1, queue2).
std::string engine::prim_name(std::uint32_t p) const {
  if (p >= nprim_) return "?";
  const prim_rec& r = prims_[p];
  if (!r.name.empty()) return r.name;
  int n = 0;
  for (std::uint32_t i = 0; i <= p; ++i)
    if (std::strcmp(prims_[i].kind, r.kind) == 0) ++n;
  return std::string(r.kind) + std::to_string(n);
}

std::string engine::call_text(std::int32_t call) const {
  if (call < 0 || static_cast<std::size_t>(call) >= calls_.size()) return {};
  const call_rec& c = calls_[static_cast<std::size_t>(call)];
  return prim_name(c.prim) + "." + c.what + "(" + c.args + ")";
}

// A lock (from the lock annotations) by the primitive registered at its
// address first: a primitive whose first member is a lock shares its address,
// and the lock's own record is made before the outer one's.
std::string engine::lock_name(const void* lock) const {
  for (std::uint32_t i = 0; i < nprim_; ++i)
    if (prims_[i].alive && prims_[i].addr == lock) return prim_name(i);  // not a dead one whose memory it reuses
  const auto idx = std::find(locks_.begin(), locks_.end(), lock) - locks_.begin();
  return "L" + std::to_string(idx + 1);
}

}  // namespace weave::model::detail
