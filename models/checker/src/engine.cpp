// The engine: scheduler, search (DFS with source-DPOR and sleep sets, bounded
// DFS, random, PCT, replay), happens-before clocks and race detection.
// See rt.hpp for the vocabulary.
#include "engine.hpp"
#include "watchdog.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <sstream>
#include <tuple>
#include <utility>

#include <unistd.h>

namespace weave::model::detail {

engine* engine::current = nullptr;

namespace {

// The workspaces of ended engines on this OS thread (engine.hpp's workspace).
std::vector<workspace>& spare_workspaces() {
  static thread_local std::vector<workspace> pool;
  return pool;
}

constexpr std::int64_t kStartTime = 1'000'000'000;  // virtual time starts at 1 s
constexpr std::int64_t kLastTime = std::numeric_limits<std::int64_t>::max() / 4;  // a clock spin's time stops (about 73 years)
std::uint32_t next_generation = 0;  // executions run in this process (object_id's high half)

int lowest(tmask m) { return std::countr_zero(m); }
// More than one thread in m. (std::popcount is a call into libgcc on baseline
// x86-64, which has no popcnt: it was 0.7% of the heaviest bounded check.)
bool several(tmask m) { return (m & (m - 1)) != 0; }

// The same place in the source (a spin's, for give_up_sites_).
bool same_place(source_location a, source_location b) {
  return a.line() == b.line() && std::strcmp(a.file_name(), b.file_name()) == 0;
}
// Give-up sites a search keeps (thread_state::giving_up holds one in 7 bits).
constexpr std::size_t kMaxGiveUpSites = 127;

char choice_char(int c) { return static_cast<char>(c < 10 ? '0' + c : 'a' + (c - 10)); }
constexpr int kBase = 36;  // a token's digits: 0-9a-z
constexpr char kEndsMark = '+';  // a token's first character: its threads' ends are steps of their own
int choice_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'z') return ch - 'a' + 10;
  return -1;
}

// How a step touches its object, for the dependency relation: reads commute
// with reads; under RC11 plain stores commute with plain stores (each takes its
// place in mo by a choice); everything else conflicts. A futex word is two
// things: its value, and its waiters. The waiters conflict only with the
// waiters: a wake or a return reads and writes no value, and a load, a store
// or an RMW leaves the waiters as they are (a wait reads the value too:
// access_of and queue_of). Among the waiters, a wait's going to sleep and a
// wait's return by time-out or spuriously (touch::waiter) each add or take
// out its own thread, and commute with one another: the waiters are a set (a
// wake_one wakes each of them in turn, a choice, engine::futex_wake). A wake
// (touch::queue) takes whoever is there, and conflicts with them all.
enum class touch : std::uint8_t { read, store, write, queue, waiter };
struct access {
  std::uint32_t obj = kNoObj;
  touch kind = touch::read;
};

bool on_waiters(touch k) { return k == touch::queue || k == touch::waiter; }

bool commute(const access& x, const access& y) {
  if (x.obj == kNoObj || y.obj == kNoObj || x.obj != y.obj) return true;
  if (on_waiters(x.kind) || on_waiters(y.kind))
    return on_waiters(x.kind) != on_waiters(y.kind) || (x.kind == touch::waiter && y.kind == touch::waiter);
  return x.kind == y.kind && x.kind != touch::write;
}

// Whether access y conflicts with a clock spin's reads (engine::clock_spin):
// one of what t read since its previous spin, which y may write.
bool spin_conflicts(const thread_rec& t, const access& y) {
  for (const spin_read& r : t.spin_reads)
    if (!commute(access{r.obj, touch::read}, y)) return true;
  return false;
}

std::recursive_mutex& the_check_lock() {
  static std::recursive_mutex m;
  return m;
}

}  // namespace

one_check_at_a_time::one_check_at_a_time() { the_check_lock().lock(); }
one_check_at_a_time::~one_check_at_a_time() { the_check_lock().unlock(); }

workspace workspace::take() {
  auto& pool = spare_workspaces();
  if (pool.capacity() < 2) pool.reserve(2);  // give_back then never allocates
  if (pool.empty()) {
    workspace w;
    w.objects_.reserve(64);
    w.steps_.reserve(256);
    return w;
  }
  workspace w = std::move(pool.back());
  pool.pop_back();
  return w;
}

void workspace::give_back(workspace&& w) noexcept {
  auto& pool = spare_workspaces();
  if (pool.size() < pool.capacity()) pool.push_back(std::move(w));  // two: an engine in an engine is rare
}

engine::engine(const options& o) : workspace(workspace::take()), opt_(o), stacks_(shared_stack_pool(o.stack_size)) {
  install_overflow_handler();
  if (opt_.shard_count > 1) {
    int levels = 4;
    for (int n = opt_.shard_count - 1; n > 0; n >>= 1) ++levels;
    split_levels_ = opt_.jobs > 1 ? levels + 6 : levels;
  }
}

// The engine's end: each parked fiber returns from its function (a forced
// unwind would throw an exception through it, which costs more than a short
// check).
void engine::end_parked() noexcept {
  ending_ = true;
  for (int i = 0; i < kMaxThreads; ++i) {
    thread_rec& r = threads_.slot(i);
    if (!r.parked) continue;
    r.parked = false;
    from_ = -1;
    fiber_switch sw(stack_of(i));
    r.fib = std::move(r.fib).resume();  // empty: the fiber has returned
    sw.land(nullptr);
  }
  ending_ = false;
}

engine::~engine() {
  end_parked();
  workspace::give_back(std::move(static_cast<workspace&>(*this)));
}

// ---------------------------------------------------------------------------
// Threads and fibers
// ---------------------------------------------------------------------------

void engine::thread_entry(int t) {
  // An exception is the first cause: threads its unwinding left unjoined
  // (engine::unjoined) are its consequence, named in the footer.
  auto unwound = [this] {
    if (unwound_unjoined_ == 0) return std::string();
    std::string who;
    for (int u = 0; u < kMaxThreads; ++u)
      if (unwound_unjoined_ & bit(u)) who += (who.empty() ? "T" : ", T") + std::to_string(u);
    return "The exception unwound past the model::thread of " + who +
           ", which was never joined (still running; std::thread would call std::terminate).";
  };
  try {
    threads_[t].fn();
  } catch (const boost::context::detail::forced_unwind&) {
    throw;
  } catch (const weave::usage_error& e) {
    for (auto c = calls_.rbegin(); c != calls_.rend(); ++c)  // the call that threw it says so in its row
      if (c->tid == t) {
        if (c->result == "throws") c->result = "usage_error";
        break;
      }
    fail(verdict::usage_error, thread_name(t) + " threw weave::usage_error: " + e.what(), unwound());
  } catch (const std::exception& e) {
    fail(verdict::exception, thread_name(t) + " threw an exception: " + e.what(), unwound());
  } catch (...) {
    fail(verdict::exception, thread_name(t) + " threw an exception of unknown type", unwound());
  }
  threads_[t].fn = nullptr;
}

// A finished thread's frames must stay as they were until the execution
// ends: another thread may still read an object made there (an unjoined
// thread, a thread that outlives what it uses), and the checker reports that
// use after destruction by the object id it finds there. A fiber parks
// (start_thread) in the frame of its loop, right above this function's, and
// plans the next step there (hand_over): those frames (a few hundred bytes,
// a few KiB on a failure's paths) fit in the gap and never reach the
// thread's frames below it. `deepest` learns the address of the gap's
// deepest word, which holds kGapMark: start_thread checks that planning never
// reached it (an out parameter: clang rejects returning a local's address).
[[gnu::noinline]] void engine::run_below_gap(int t, std::uintptr_t& deepest) {
  volatile std::uint64_t gap[kGapBytes / sizeof(std::uint64_t)];
  gap[0] = kGapMark;
  deepest = reinterpret_cast<std::uintptr_t>(&gap[0]);
  thread_entry(t);
  gap[std::size(gap) - 1] = 0;  // the gap stays in the frame across the call
}

// The frames of a finished thread's planning reached the frames the gap
// keeps (run_below_gap): an internal limit, not the user's doing.
[[noreturn]] void engine::gap_overrun() {
  std::fprintf(stderr,
               "weave model checker: internal error: planning a step on a finished thread's stack reached the "
               "thread's own frames (engine::kGapBytes is too small)\n");
  std::abort();
}

void engine::start_thread(int t) {
  in_prefix_ = true;
  thread_rec& r = threads_[t];
  beat(t, r.spawned_at.file_name(), r.spawned_at.line(), true);
  r.st = tstate::runnable;
  r.act = action::step;
  if (r.parked) {
    r.parked = false;  // a fiber of an earlier execution, waiting in its loop below
  } else {
    r.fib = boost::context::fiber(
        std::allocator_arg, pooled_stack{&stacks_, &fiber_stacks_[static_cast<std::size_t>(t)]},
        [this, t](boost::context::fiber&& sink) -> boost::context::fiber {
          fiber_switch::arrived(sched_stack_if_from());
          land(std::move(sink));  // its starter's (below)
          // It leaves for good to the scheduler: by returning (end_parked),
          // or unwound (teardown, which the scheduler runs).
          struct to_scheduler {
            const stack_bounds& s;
            ~to_scheduler() { fiber_switch::leaving(s); }
          } last{sched_stack_};
          for (;;) {
            std::uintptr_t deepest;
            run_below_gap(t, deepest);
            // Its end, a step of its own (a write of "T t is alive"): between
            // its last operation and its end, others may see what it did
            // while it lives (engine_test::a_thread_lives_after_its_last_operation).
            if (ends_are_steps_ && threads_[t].st != tstate::aborted) visible(life_obj(t), op::end, threads_[t].spawned_at);
            if (threads_[t].st != tstate::aborted) threads_[t].st = tstate::finished;
            threads_[t].parked = true;  // kept for slot t of the next execution: no new fiber, no new stack
            hand_over();  // in the gap: the thread's own frames stay as they were
            if (*reinterpret_cast<volatile std::uint64_t*>(deepest) != kGapMark) gap_overrun();
            if (ending_) return std::move(sched_);  // the engine's end (end_parked)
          }
        });
  }
  // Started by the context that plans (the scheduler, or thread cur_ on its
  // own stack: hand_over), it runs its prefix, up to its first visible
  // operation, and comes back here (yield_back): two switches, none through
  // the scheduler.
  const int planner = cur_;
  home_ = planning_here_ ? planner : -1;
  enter(t, home_);
  home_ = -1;
  cur_ = planner;
  in_prefix_ = false;
}

// Spawning is not a scheduling point: the child cannot run before it exists,
// and the parent's code up to its next visible operation touches no atomics.
std::uint32_t engine::spawn(std::function<void()>&& fn, source_location loc, const char* name) {
  if (!active()) return 0;
  if (threads_.size() >= static_cast<std::size_t>(kMaxThreads)) {
    fail(verdict::usage_error, "too many model threads (the checker supports " +
                                   std::to_string(kMaxThreads) + "); keep models small");
    yield_back();
    return 0;  // run on silently after the failure, it has no thread: one more record wrote past the table
  }
  const int parent = cur_;
  const int child = static_cast<int>(threads_.size());
  threads_.emplace_back();
  thread_rec& c = threads_[child];
  c.fn = std::move(fn);
  c.spawned_at = loc;
  if (name != nullptr) c.name = name;
  if (ff_) {  // the rest of its record is the snapshot's
    fresh_pending_ = true;
    return static_cast<std::uint32_t>(child);
  }
  c.spawn_step = in_prefix_ ? -1 : static_cast<std::int32_t>(steps_.size()) - 1;
  c.hb = threads_[parent].hb;
  c.hb.c[child] = 1;
  // What the parent does after the spawn (before its next visible step, in
  // the same step) is not ordered before the child: a new epoch, so a cell
  // access there is unordered with the child's (Python's t.start(); print(x)).
  ++threads_[parent].hb.c[parent];
  saw_model_ = true;
  fresh_pending_ = true;
  c.dpor = threads_[parent].dpor;
  c.now = time_of(threads_[parent]);
  c.spurious_left = c.spurious_cas_left = opt_.spurious_wakeups;
  if (tracing())
    notes_.push_back(note{in_prefix_ ? 0 : steps_.size(), static_cast<std::uint8_t>(parent),
                          "spawn " + thread_name(child) + "  " + where(loc)});
  return static_cast<std::uint32_t>(child);
}

void engine::join(std::uint32_t tid, source_location loc) {
  if (!active()) return;
  if (tid == 0 || tid >= threads_.size() || threads_[tid].joined) {
    throw weave::usage_error("weave::model::thread: join of a thread that is not joinable");
  }
  threads_[cur_].join_target = tid;
  visible(kNoObj, op::join, loc);
  if (ff_ || !active()) return;
  threads_[cur_].hb.join(threads_[tid].hb);
  threads_[tid].joined = true;
  if (!steps_.empty()) {
    steps_.back().aux = tid;
    for (auto k = static_cast<std::int32_t>(steps_.size()) - 2; tracing() && k >= 0; --k)  // the joined thread's last step
      if (steps_[static_cast<std::size_t>(k)].tid == tid) {
        steps_.back().sync_from = k;
        break;
      }
  }
}

void engine::unjoined(std::uint32_t tid) {
  if (!active()) return;
  if (std::uncaught_exceptions() > 0 && tid < kMaxThreads) {  // a consequence of the exception: see thread_entry
    unwound_unjoined_ |= bit(static_cast<int>(tid));
    return;
  }
  fail(verdict::unjoined_thread,
       "thread " + thread_name(static_cast<int>(tid)) + " was never joined: its model::thread was destroyed while joinable "
       "(std::thread would call std::terminate)");
}

// ---------------------------------------------------------------------------
// Visible operations (run on a model thread's fiber)
// ---------------------------------------------------------------------------

// visible()'s rare cases (engine.hpp): an object made outside the body or by
// an earlier execution, a failure recorded without stopping, an object used
// after its lifetime. Returns whether the operation is still to be announced.
bool engine::visible_rare(std::uint32_t obj, source_location loc, bool may_have_ended) {
  thread_rec& t = threads_[cur_];
  if (obj == kOutside || obj == kStale) {  // no object of this execution to act on
    const bool outside = obj == kOutside;
    fail(outside ? verdict::usage_error : verdict::nondeterminism,
         std::string("a model object used at ") + where(loc) +
             (outside ? " was created outside the check body; create shared objects inside the body "
                        "(it is re-run for every execution)"
                      : " was made in an earlier execution: state kept between executions (a static, a global, "
                        "or an object made outside the body). The body is re-run from the start for every "
                        "execution; make every shared object inside it."));
    yield_back();
    return false;
  }
  if (failed_ && !silent_) {  // a failure recorded without stopping (e.g. unjoined): stop here
    t.st = tstate::aborted;
    yield_back();
    // Resumed by the silent run-on (go_silent): the step it was given did
    // nothing, and this operation is still to come. Returning would let the
    // caller take it as done (an atomic load reading whatever store was chosen
    // last, or none: a crash).
    if (!active()) return false;
  }
  if (obj < nobj_ && !objects_[obj].alive && !may_have_ended) {
    destroyed_used(obj, loc);
    for (;;) {  // the operation has nothing to act on: the thread stops here for good (teardown unwinds it)
      t.st = tstate::aborted;
      yield_back();
    }
  }
  return true;
}

object_id engine::new_object(object_kind kind, source_location made, std::uint64_t initial, void* shadow,
                             std::size_t size) {
  if (!active()) return kOutside;
  if (ff_) {  // its record is the snapshot's: only where it lives now, and its initial value
    ff_shadows_.push_back(kind == object_kind::cell ? nullptr : shadow);
    if (kind != object_kind::cell) ff_values_.push_back(initial);
    return (static_cast<object_id>(generation_) << 32) | (ff_shadows_.size() + 1);  // after kNoObj and kScFence
  }
  const auto id = static_cast<std::uint32_t>(nobj_);
  if (nobj_ == objects_.size()) objects_.emplace_back();
  object_rec& o = objects_[nobj_++];
  const bool is_cell = kind == object_kind::cell;
  o.reset(is_cell, made, kind == object_kind::atomic_opaque);
  o.changed = static_cast<std::int32_t>(steps_.size());
  o.shadow = is_cell ? nullptr : shadow;
  o.shadow_size = static_cast<std::uint8_t>(std::min<std::size_t>(size, sizeof(std::uint64_t)));
  saw_model_ = true;
  if (!is_cell) {  // the initial value: the first message of its modification order
    static const thread_rec nobody;
    new_message(id, initial, 0, cur_ >= 0 ? threads_[cur_] : nobody, std::memory_order_relaxed, nullptr);
  }
  if (is_cell && cur_ >= 0) {  // construction is the first write
    o.w_tid = static_cast<std::uint8_t>(cur_);
    o.w_clk = threads_[cur_].hb.c[cur_];
    o.w_step = in_prefix_ ? -1 : static_cast<std::int32_t>(steps_.size()) - 1;
    o.w_loc = made;
  }
  return (static_cast<object_id>(generation_) << 32) | id;
}

// A model object used after its destructor ran (a thread outlived what it
// uses): the user's lifetime bug, named with the object.
void engine::destroyed_used(std::uint32_t obj, source_location loc) {
  fail(verdict::usage_error, obj_name(obj) + " (made at " + where(objects_[obj].made) + ") was used at " + where(loc) +
                                 " after it was destroyed: a thread outlived an object it uses");
}

void engine::forget_object(std::uint32_t id) noexcept {
  if (!running_ || ff_ || id >= nobj_) return;
  objects_[id].alive = false;  // restored alone by fast-forward (forward.cpp): no change stamped
}

// The current thread's access to cell obj races with thread other's earlier
// one: the verdict, both accesses in the footer (out of cell_check's way).
void engine::cell_race(std::uint32_t obj, bool write, source_location loc, int other, std::int32_t other_step,
                       source_location other_loc, bool other_write) {
  if (silent_) return;  // run on to the end: nothing more is reported
  const int t = cur_;
  const auto step = in_prefix_ ? -1 : static_cast<std::int32_t>(steps_.size()) - 1;
  std::ostringstream os;
  os << "data race on " << obj_name(obj) << " (a cell made at " << where(objects_[obj].made) << "):\n"
     << "    " << thread_name(other) << (other_write ? " wrote" : " read") << " it at " << where(other_loc)
     << (other_step >= 0 ? " (step " + std::to_string(other_step + 1) + ")" : std::string(" (before its first step)"))
     << "\n    " << thread_name(t) << (write ? " writes" : " reads") << " it at " << where(loc)
     << (step >= 0 ? " (step " + std::to_string(step + 1) + ")" : std::string())
     << "\n  and nothing orders the two: no release/acquire pair, lock, spawn or join\n"
     << "  makes one happen before the other.";
  const bool first_failure = !failed_;
  fail(verdict::data_race,
       "data race on " + obj_name(obj) + ": " + thread_name(other) + " " + where(other_loc) + " vs " +
           thread_name(t) + " " + where(loc),
       os.str());
  if (first_failure) {
    fail_.race_a = other_step;
    fail_.race_b = step;
  }
  threads_[t].st = tstate::aborted;
  yield_back();
}

// A cell access, not fast-forwarded (cell_access).
void engine::cell_check(std::uint32_t obj, bool write, source_location loc) {
  if (obj == kOutside || obj == kStale) {
    // Reported as visible() reports it, not through visible(): inline, the
    // step it would take made every access save and restore registers.
    visible_rare(obj, loc, false);
    return;
  }
  if (obj >= nobj_) return;
  object_rec& o = objects_[obj];
  const int t = cur_;
  const vclock& hb = threads_[t].hb;
  const auto step = in_prefix_ ? -1 : static_cast<std::int32_t>(steps_.size()) - 1;
  o.changed = step + 1;
  if (tracing() && !opaque(threads_[t])) [[unlikely]]  // a call's own cells are not the user's
    note_cell_access(obj, write, loc);
  if (!o.alive) {
    destroyed_used(obj, loc);
    return;
  }
  if (o.w_clk != 0 && o.w_tid != t && hb.c[o.w_tid] < o.w_clk) {
    cell_race(obj, write, loc, o.w_tid, o.w_step, o.w_loc, true);
    return;
  }
  if (write) {
    for (int u = 0; u < kMaxThreads; ++u) {
      if (u != t && o.r_clk[u] != 0 && hb.c[u] < o.r_clk[u]) {
        cell_race(obj, write, loc, u, o.r_step[u], o.r_loc[u], false);
        return;
      }
    }
    threads_[t].wrote_cell = true;
    o.w_tid = static_cast<std::uint8_t>(t);
    o.w_clk = hb.c[t];
    o.w_step = step;
    o.w_loc = loc;
    o.r_clk.fill(0);
  } else {
    o.r_clk[t] = hb.c[t];
    o.r_step[t] = step;
    o.r_loc[t] = loc;
  }
}

// The trace's note of a cell access (out of cell_check's way: its strings
// made every access save and restore the registers they use).
void engine::note_cell_access(std::uint32_t obj, bool write, source_location loc) {
  notes_.push_back(note{steps_.size(), static_cast<std::uint8_t>(cur_),
                        std::string(write ? "write " : "read ") + obj_name(obj) + "  " + where(loc)});
}

wait_result engine::futex_wait(std::uint32_t obj, std::uint32_t expected,
                               std::int64_t deadline, std::int64_t holder, source_location loc) {
  visible(obj, op::wait, loc);
  if (ff_) {  // how it returned, or that it went to sleep (then how it woke)
    const std::uint64_t a = ff_answer();
    if (a != kSlept) return static_cast<wait_result>(a);
    hand_over();
    if (ff_) return static_cast<wait_result>(ff_answer());
    answers_.push_back(static_cast<std::uint64_t>(threads_[cur_].wres));  // woke past the snapshot's step
    return threads_[cur_].wres;
  }
  if (!active() || obj >= nobj_) return wait_result::woken;
  // The kernel compares the word's latest value in modification order.
  const std::uint32_t latest = objects_[obj].mo.back();
  end_read_marks(obj);
  const auto value = static_cast<std::uint32_t>(msgs_[latest].value);
  record_event(obj, latest, kNoMsg, false, false);
  note_read(obj, latest);
  step_rec& s = steps_.back();
  s.has_value = true;
  s.value = value;
  s.old = expected;
  if (value != expected) {
    s.aux = static_cast<std::uint32_t>(wait_result::value_mismatch);
    answers_.push_back(static_cast<std::uint64_t>(wait_result::value_mismatch));
    return wait_result::value_mismatch;
  }
  const bool timed = deadline != model_sync::forever.time_since_epoch().count();
  if (timed && deadline <= time_of(threads_[cur_])) {
    s.aux = static_cast<std::uint32_t>(wait_result::timed_out);
    answers_.push_back(static_cast<std::uint64_t>(wait_result::timed_out));
    return wait_result::timed_out;
  }
  answers_.push_back(kSlept);
  s.aux = 100;  // went to sleep
  thread_rec& t = threads_[cur_];
  t.st = tstate::blocked;
  t.since = static_cast<std::int32_t>(steps_.size()) - 1;  // (late_after_time_out)
  t.wait_obj = obj;
  t.timed = timed;
  t.deadline = deadline;
  t.holder = holder;
  if (holder != kNoHolder) asked_after_life();
  objects_[obj].waiters.push_back(static_cast<std::uint8_t>(cur_));
  hand_over();  // may be chosen at once again: to time out, or wake spuriously
  answers_.push_back(static_cast<std::uint64_t>(threads_[cur_].wres));
  return threads_[cur_].wres;
}

// A futex wait's value check reads the word's latest store, with no choice.
// A thread woken to read only stores made since it fell asleep (read_mark_,
// engine::wakes), whose pending write goes to that word, is not covered where
// it fell asleep once the wait has read: its write made there could have
// been the latest, and the wait would have read it. Its restriction ends
// here (soundness_test::a_wait_ends_the_restriction_of_a_woken_writer).
void engine::end_read_marks(std::uint32_t obj) {
  for (std::size_t r = 0; r < threads_.size(); ++r)
    if (read_mark_[r] != 0 && mem_pending(threads_[r]) && threads_[r].pend.kind != op::load && threads_[r].pend.obj == obj)
      read_mark_[r] = 0;
}

void engine::futex_wake(std::uint32_t obj, bool all, source_location loc, bool may_have_ended) {
  visible(obj, all ? op::wake_all : op::wake_one, loc, std::memory_order_seq_cst, std::memory_order_seq_cst, false, false,
          0, may_have_ended);  // an ended word has no waiters left: the wake wakes nobody
  if (ff_ || !active() || obj >= nobj_) return;
  object_rec& o = objects_[obj];
  const auto here = static_cast<std::int32_t>(steps_.size()) - 1;
  std::uint32_t woken = 0;
  auto wake = [&](std::uint8_t w) {
    thread_rec& t = threads_[w];
    t.st = tstate::runnable;
    t.act = action::wake_return;
    t.wres = wait_result::woken;
    t.wake_hb = threads_[cur_].hb;
    t.wake_step = here;
    t.since = here;
    woken |= bit(w);
  };
  if (all) {
    for (std::uint8_t w : o.waiters) wake(w);
    o.waiters.clear();
  } else if (!o.waiters.empty()) {
    const std::size_t pick = std::min<std::size_t>(data_choice_, o.waiters.size() - 1);
    wake(o.waiters[pick]);
    o.waiters.erase(o.waiters.begin() + static_cast<std::ptrdiff_t>(pick));
  }
  steps_.back().aux = woken;
  if (woken != 0) published(threads_[cur_], std::memory_order_release);  // the woken see what came before it
}

void engine::spin(source_location loc) { visible(kNoObj, op::spin, loc); }

// S::alive(id): a read of "T finished" (life_obj), which the thread's end
// writes (a step of its own from now on: asked_after_life). Seeing the death
// orders what the dead thread did before it, as a join does: the takeover of
// a robust mutex then reads what the dead owner wrote.
bool engine::alive(std::uint32_t id, source_location loc) {
  const bool known = id >= 1 && id <= threads_.size();
  visible(known ? life_obj(static_cast<int>(id - 1)) : kNoObj, op::alive, loc);
  if (ff_) return ff_answer() != 0;
  if (!active()) return true;
  asked_after_life();
  if (known) note_read(life_obj(static_cast<int>(id - 1)));
  bool lives = false;
  if (known) {
    const int u = static_cast<int>(id - 1);
    const thread_rec& h = threads_[static_cast<std::size_t>(u)];
    lives = h.st != tstate::finished && h.st != tstate::aborted;
    // A system call, a full barrier (memory.cpp's life_event): a seq_cst
    // fence before the question (what the thread read before it is acquired,
    // what it did before it is released) and one after it (the dead thread's
    // clock is released too). The end it sees is one too: what the dead
    // thread read before it is acquired.
    thread_rec& t = threads_[cur_];
    t.hb.join(t.acq_fence);
    if (!lives) {
      t.hb.join(h.hb);
      t.hb.join(h.acq_fence);
    }
    if (rc11()) {  // before the release: what it releases includes the question
      if (!lives && !has_life_event(u, true)) life_event(u, u, kNoMsg, kLifeEnd);
      life_event(cur_, u, lives ? kLifeStart : kLifeEnd, kNoMsg);
    }
    release_fence(t);
  }
  step_rec& s = steps_.back();
  s.has_value = true;
  s.value = lives ? 1 : 0;
  s.aux = id;
  answers_.push_back(lives ? 1 : 0);
  return lives;
}

// A thread's end and its last visible operation are one step as long as no
// step can tell them apart: only a step that asks whether a thread lives
// (S::alive, a wait_unless_dead's sleep) can see a thread that has done its
// last operation and not yet ended. The first time one is taken, a thread's
// end becomes a step of its own (a write of "T t is alive", start_thread),
// from the next execution on, and a DFS search starts again from the first:
// its executions so far had no such step, and the search tree they belong to
// is not the one it explores now. A search split into slices (--shard,
// --jobs) takes ends as steps from its first execution: a slice cannot tell
// the others that it has seen the question (engine::search). A replay takes
// them as its token says (engine::token).
void engine::asked_after_life() noexcept {
  if (ends_wanted_ || mode_ == mode::replay) return;
  ends_wanted_ = true;
  restart_ = mode_ == mode::dfs || mode_ == mode::bounded_dfs;
}

bool engine::holder_dead(const thread_rec& t) const noexcept {
  if (t.holder == kNoHolder) return false;
  if (t.holder < 1 || static_cast<std::size_t>(t.holder) > threads_.size()) return true;  // no such thread
  const tstate s = threads_[static_cast<std::size_t>(t.holder - 1)].st;
  return s == tstate::finished || s == tstate::aborted;
}

void engine::fence(std::memory_order o, source_location loc) {
  if (!active()) return;
  if (o == std::memory_order_seq_cst) visible(kScFence, op::fence, loc);
  if (ff_ || !active()) return;
  thread_rec& t = threads_[cur_];
  // A seq_cst fence orders through RC11's SC order only (memory.cpp); like
  // every fence it creates no happens-before by itself.
  if (acquires(o)) t.hb.join(t.acq_fence);
  if (o == std::memory_order_seq_cst && !steps_.empty()) {
    steps_.back().mo = o;
    record_event(kNoObj, kNoMsg, kNoMsg, true, true);  // a step of its own: the SC order sees it
  }
  if (releases(o)) release_fence(t);
}

// A release fence's clock: a relaxed store after it publishes what came before it.
void engine::release_fence(thread_rec& t) {
  t.rel_fence = t.hb;
  t.has_rel_fence = true;
  published(t, std::memory_order_release);
}

// Who holds which lock is for the report (the deadlock footer, the wait-for
// graph), rendered from the traced replay of the failing schedule only: so it
// is called only while tracing (api.cpp's lock_hook filters).
void engine::lock_hook(const void* lock, int what, unsigned flags) noexcept {
  if (!active()) return;
  thread_rec& t = threads_[cur_];
  auto index = [&]() -> std::size_t {
    for (std::size_t i = 0; i < locks_.size(); ++i)
      if (locks_[i] == lock) return i;
    locks_.push_back(lock);
    lock_holder_.push_back(0);
    return locks_.size() - 1;
  };
  switch (what) {
    case 0: index(); break;  // create
    case 1: {                // destroy
      for (std::size_t i = 0; i < locks_.size(); ++i)
        if (locks_[i] == lock) locks_[i] = nullptr;
      break;
    }
    case 2: t.acquiring = lock; index(); break;  // pre_lock
    case 3: {                                      // post_lock
      t.acquiring = nullptr;
      if ((flags & lock_flag::try_lock_failed) == 0) {
        lock_holder_[index()] = static_cast<std::uint8_t>(cur_ + 1);
        t.holding.push_back(lock);
      }
      break;
    }
    case 4: {  // pre_unlock
      const std::size_t i = index();
      const int h = lock_holder_[i] - 1;
      if (h >= 0) {
        auto& hv = threads_[h].holding;
        auto it = std::find(hv.begin(), hv.end(), lock);
        if (it != hv.end()) hv.erase(it);
        if (std::find(hv.begin(), hv.end(), lock) == hv.end()) lock_holder_[i] = 0;
      }
      break;
    }
    default: break;
  }
}

void engine::fail(verdict v, std::string message, std::string footer) {
  if (!running_ || failed_ || silent_) return;
  failed_ = true;
  fail_.v = v;
  fail_.message = std::move(message);
  fail_.footer = std::move(footer);
}

// ---------------------------------------------------------------------------
// The scheduler
// ---------------------------------------------------------------------------

tmask engine::real_enabled(enabled_sets& e) const {
  tmask real = 0, spur = 0, joins = 0, finished = 0, gone_on = 0;
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    const thread_rec& t = threads_[i];
    switch (t.st) {
      case tstate::runnable:
        if (t.act != action::step || (t.pend.kind != op::join && t.pend.kind != op::spin)) {
          real |= bit(static_cast<int>(i));
        } else if (t.pend.kind == op::join) {
          if (threads_[t.join_target].st == tstate::finished) joins |= bit(static_cast<int>(i));
        } else if (!budget_spent(t) || stale(t) || clock_spin(t)) {
          // The await rule (a pending spin): a spinner goes on once something
          // it read since its previous spin has been written since it read it
          // (going round again can then see something new), or a bounded
          // number of rounds in a row that saw nothing new (S::spin_budget)
          // so spin-then-park code reaches its park path. One that read the
          // clock goes on as time passes (the clock rule, engine::clock_spin).
          real |= bit(static_cast<int>(i));
        } else if (t.giving_up != 0) {
          gone_on |= bit(static_cast<int>(i));
        }
        break;
      case tstate::blocked:
        // A time-out: at the deadline, or (wait_unless_dead) once the holder
        // has finished; enabled by that thread's end, as a join is.
        if (times_out(t)) real |= bit(static_cast<int>(i));
        else if (may_return_spuriously(t)) spur |= bit(static_cast<int>(i));
        break;
      case tstate::finished: finished |= bit(static_cast<int>(i)); break;
      default: break;
    }
  }
  e.spurious = spur;
  e.joins = joins;
  e.finished = finished;
  e.gone_on = gone_on;
  return real | joins;
}

namespace {
access access_of(const thread_rec& t, bool weak) {
  if (t.st == tstate::blocked) return {t.wait_obj, touch::waiter};  // timeout / spurious return
  if (t.act != action::step) return {};
  switch (t.pend.kind) {
    case op::load:
    case op::wait:  // the value check (its sleep: queue_of)
    case op::alive: return {t.pend.obj, touch::read};
    case op::end: return {t.pend.obj, touch::write};
    case op::store: return {t.pend.obj, weak ? touch::store : touch::write};
    case op::fence:  // under RC11 seq_cst fences order through psc, judged on the graph: they commute
      return weak ? access{} : access{t.pend.obj, touch::write};
    case op::rmw: return {t.pend.obj, touch::write};
    case op::wake_one:
    case op::wake_all: return {t.pend.obj, touch::queue};
    default: return {};
  }
}

// A step's second access: a futex wait's sleep, among the word's waiters.
access queue_of(const thread_rec& t) {
  if (t.st == tstate::runnable && t.act == action::step && t.pend.kind == op::wait) return {t.pend.obj, touch::waiter};
  return {};
}
}  // namespace

// Whether thread a's next step reads "thread b is alive" (S::alive(b), or a
// wait that b's death ends) and b's next step may write that. Until ends are
// steps of their own (asked_after_life) any step of b may be its last. Once
// they are, only b's end writes it: b's other steps leave the answer as it
// was, so they commute with the question (engine_test::a_question_commutes_
// with_the_steps_before_an_end).
bool engine::asks_after(int a, int b) const {
  const thread_rec& t = threads_[a];
  const bool asks = t.st == tstate::blocked ? t.holder == b + 1
                                            : t.st == tstate::runnable && t.act == action::step &&
                                                  t.pend.kind == op::alive && t.pend.obj == life_obj(b);
  if (!asks || !ends_are_steps_) return asks;
  const thread_rec& u = threads_[b];
  return u.st == tstate::runnable && u.act == action::step && u.pend.kind == op::end;
}

bool engine::independent(int a, int b) const {
  if (asks_after(a, b) || asks_after(b, a)) return false;
  const access x = access_of(threads_[a], weak_rules(threads_[a])), y = access_of(threads_[b], weak_rules(threads_[b]));
  const access qx = queue_of(threads_[a]), qy = queue_of(threads_[b]);
  // A clock spin's access is its reads (clock_spin_reads); access_of gives a spin none.
  if ((x.obj == kNoObj || y.obj == kNoObj) && (clock_spin(threads_[a]) || clock_spin(threads_[b]))) [[unlikely]]
    return !(clock_spin(threads_[a]) && (spin_conflicts(threads_[a], y) || spin_conflicts(threads_[a], qy))) &&
           !(clock_spin(threads_[b]) && (spin_conflicts(threads_[b], x) || spin_conflicts(threads_[b], qx)));
  return commute(x, y) && commute(qx, y) && commute(x, qy) && commute(qx, qy);
}

// Whether sleeper r (its step was explored, with every choice, from the node
// where it fell asleep) wakes up when thread c steps. Under RC11, by what the
// steps read from; M is the set of messages made before r fell asleep.
//  - A plain store sleeps on through any access to its location: whatever c
//    does now it could do with r's store made first (a store goes to the same
//    place in mo; if r's store is to follow an RMW's write, r's store made
//    first follows the message that RMW reads, and the RMW goes between).
//  - A reader (load, RMW, compare_exchange) sleeps on through a load, and a
//    step that may write (a compare_exchange that fails too) wakes it only to
//    read a message made since it fell asleep (to_read_newer): r reading m in M after steps c1..ck is the same
//    execution as r reading m where it fell asleep, then c1..ck with their
//    choices. r's step needs nothing the ci made (m is in M; r's coherence
//    floor is its own), and the ci need nothing r's step takes: a load reads
//    what it read; an RMW ci that read m leaves m to no RMW r in either order;
//    a store placed right after r's write is placed right after m first.
// So M stays covered for r until r steps, through later wakes too, and a
// reader left with no choice outside M is asleep where that happens
// (covered_here): picking it would end the execution short.
engine::wake_kind engine::wakes(int r, int c) const {
  // A spinner going round past its budget as a choice (giving_up) may do so
  // only while no other thread can run (elsewhere, at its park only: give_up_
  // offer): any step of another changes that, and a write to what it read
  // makes it a spinner that sees news. So it sleeps through nothing
  // (soundness_test::a_loop_bounded_by_its_own_count_gives_up: two such
  // loops, the one explored second kept asleep past the other's store).
  if (past_budget(threads_[static_cast<std::size_t>(r)])) [[unlikely]] return wake_kind::yes;
  const std::vector<footprint_item>& fp = sleep_fp_[static_cast<std::size_t>(r)];
  if (!fp.empty()) {  // a segment of an opaque call: wakes on anything that conflicts with any of its steps
    if (asks_after(r, c) || asks_after(c, r)) return wake_kind::yes;
    const access y = access_of(threads_[c], weak_rules(threads_[c])), qy = queue_of(threads_[c]);
    const bool cs = clock_spin(threads_[c]);
    for (const footprint_item& f : fp) {
      const access x{f.obj, static_cast<touch>(f.kind)};
      if (!commute(x, y) || !commute(x, qy) || (cs && spin_conflicts(threads_[c], x))) return wake_kind::yes;
    }
    return wake_kind::no;
  }
  if (independent(r, c)) return wake_kind::no;
  // The reads-from rules below assume each step may read any store coherence
  // allows; a step inside an opaque call reads the latest only, and so may a
  // spin loop's round after S::spin_budget rounds that read the same values
  // (list_choices: the await rule holds it to a newer store). A loop bounded
  // by a count of its own that gave up reading the first store four times,
  // before another thread's RMW and store, was lost: run first, its loads
  // left the RMW asleep, and run after the RMW, its third round read the
  // newer store (soundness_test::a_loop_gives_up_while_another_thread_runs).
  if (!rc11() || !mem_pending(threads_[r]) || !mem_pending(threads_[c]) || opaque(threads_[r]) ||
      opaque(threads_[c]) || held_read(threads_[r]) != nullptr || held_read(threads_[c]) != nullptr)
    return wake_kind::yes;
  if (threads_[r].pend.kind == op::store || threads_[c].pend.kind == op::load) return wake_kind::no;
  return wake_kind::to_read_newer;
}

// The threads of m woken to read only messages made since they fell asleep
// (engine::wakes) that have none to read here: every choice they have is
// covered where they fell asleep, so they are asleep at this node. Picking one
// instead ended the execution (no choice left), and with it every other
// thread's step from here, which no other branch need cover (the oracle
// test's woken-load-no-choice lost the exchange that would have given the
// sleeper a message to read).
tmask engine::covered_here(tmask m) {
  tmask asleep = 0;
  for (; m != 0; m &= m - 1) {
    const int t = lowest(m);
    if (read_mark_[t] == 0 || !mem_pending(threads_[t])) continue;
    list_choices(t);
    if (choices_.empty()) asleep |= bit(t);
  }
  return asleep;
}

// The blocked threads (of enabled: their time-out or spurious return can
// step) that a step of a sleeper would wake: its pending wake, or a write in
// its asleep opaque segment's footprint to the word they wait on. Such a
// wake disables their return, and take_step explores "it fired just before
// the wake" where the wake runs; a sleeper's wake does not run in this
// branch, and the branch it is covered by has that return only where the
// sleeper stepped, before the steps taken since (differential_test's second
// family: T1's time-out, then T3's, then T2's cancel() that would have woken
// T3, then T1's set_running_or_notify_cancel(), was never explored: T2 slept
// through T1's time-out, and T2's own branch had T3's time-out only before
// T1's). So they are explored here.
tmask engine::woken_by_sleepers(tmask sleep, tmask enabled) const {
  tmask woken = 0;
  for (tmask m = sleep; m != 0; m &= m - 1) {
    const int r = lowest(m);
    if (static_cast<std::size_t>(r) >= threads_.size()) continue;
    const std::vector<footprint_item>& fp = sleep_fp_[static_cast<std::size_t>(r)];
    for (const footprint_item& f : fp)
      if (static_cast<touch>(f.kind) == touch::queue) woken |= waiting_on(f.obj);  // a wake among them
    const thread_rec& t = threads_[static_cast<std::size_t>(r)];
    if (fp.empty() && t.st == tstate::runnable && t.act == action::step &&
        (t.pend.kind == op::wake_one || t.pend.kind == op::wake_all))
      woken |= waiting_on(t.pend.obj);
  }
  return woken & enabled;
}

// The threads blocked in a futex wait on obj.
tmask engine::waiting_on(std::uint32_t obj) const {
  tmask m = 0;
  if (obj < nobj_)
    for (std::uint8_t w : objects_[obj].waiters) m |= bit(w);
  return m;
}

// The data choices of thread t's next step: what an atomic access (mem, as
// mem_pending says) reads or where it stores (memory.cpp, into choices_), or
// which sleeper a wake_one wakes.
std::uint16_t engine::data_alts_for(int t, bool mem) {
  if (mem) {
    list_choices(t);
    if (choices_.size() > kMaxChoices) {  // a token holds two digits: never drop a choice silently
      fail(verdict::usage_error, "an atomic access has " + std::to_string(choices_.size()) +
                                     " stores to choose from (at most " + std::to_string(kMaxChoices) +
                                     "): keep models small");
      return 1;
    }
    return static_cast<std::uint16_t>(choices_.size());
  }
  const thread_rec& r = threads_[t];
  if (r.st == tstate::runnable && r.act == action::step && r.pend.kind == op::wake_one &&
      r.pend.obj < nobj_) {
    const std::size_t n = objects_[r.pend.obj].waiters.size();
    return static_cast<std::uint16_t>(n > 1 ? n : 1);
  }
  return 1;
}

// Of cands, the threads that run (not a blocked thread's time-out or spurious return).
tmask engine::running_of(tmask cands) const {
  tmask running = 0;
  for (tmask m = cands; m != 0; m &= m - 1) {
    const int t = lowest(m);
    if (threads_[t].st != tstate::blocked) running |= bit(t);
  }
  return running;
}

int engine::pick_default(tmask cands, int prev) const {
  // Prefer progress: the running thread, then any running thread, and only then
  // a blocked thread's time-out or spurious return.
  const tmask running = running_of(cands);
  if (prev >= 0 && (running & bit(prev))) return prev;
  return lowest(running ? running : cands);
}

// A silent run-on's pick: the running threads in turn, the one after prev
// first (a thread in a loop that never parks, such as the livelock that
// stopped the execution, leaves the others their turns), then a blocked
// thread's time-out or spurious return.
int engine::pick_in_turn(tmask cands, int prev) const {
  const tmask running = running_of(cands);
  const tmask from = running ? running : cands;
  const tmask after = prev >= 0 && prev + 1 < kMaxThreads ? from & ~(bit(prev + 1) - 1) : 0;
  return lowest(after ? after : from);
}

int engine::pick_random(tmask cands) {
  const int n = std::popcount(cands);
  int k = static_cast<int>(rng()() % static_cast<std::uint64_t>(n));
  for (int t = 0; t < kMaxThreads; ++t)
    if ((cands & bit(t)) && k-- == 0) return t;
  return lowest(cands);
}

int engine::pick_pct(tmask cands) {
  int best = -1;
  for (int t = 0; t < kMaxThreads; ++t)
    if ((cands & bit(t)) && (best < 0 || prio_[t] > prio_[best])) best = t;
  return best;
}

// A random or PCT search's choice among cands (real: the threads really
// enabled) at step j. It explores no other branch here, so where the
// thread it picks would let time pass with other threads late (a time-out,
// choose_node's cut), it runs one of those instead, as a fair scheduler
// does: one that does not let time pass with another late, if there is one
// (two clock spinners waiting for a third thread's store: that thread, not
// the other spinner, which cut a third of a PCT search's first executions).
// It cut the execution before: two loops of timed waits, each for the
// other's store, lost 1,257 to 1,502 of a PCT search's 2,000 executions (sc
// and rc11; under rc11 about 200 of them at reads stale past time-outs,
// which sample_choice avoids) (soundness_test::
// a_random_search_runs_a_late_thread). Here, out of line,
// not at choose_node's cut: inlined into plan_step, on every step's path,
// it cost 0.9% of checker_speed's instructions there.
int engine::pick_sample(tmask cands, tmask real, std::int32_t j) {
  if (mode_ == mode::pct)
    for (std::uint32_t cp : change_points_)
      if (cp == static_cast<std::uint32_t>(j) && prev_ >= 0) prio_[prev_] = -static_cast<int>(j);
  const auto pick = [this](tmask among) { return mode_ == mode::random ? pick_random(among) : pick_pct(among); };
  const int c = pick(cands);
  for (tmask late = late_if_it_runs(c, cands | real) & cands; late != 0;) {
    const int u = pick(late);
    if (late_if_it_runs(u, cands | real) == 0) return u;
    late &= ~bit(u);
  }
  return c;
}

// A random or PCT search's data choice at a step of thread c, of alts (mem:
// choices_ lists them). Under RC11 it draws among the reads that are not
// stale past the reader's time-outs, if there are any: such a read cuts the
// execution (stale_past_time_outs, plan_step), and the search explores no
// other branch there. Before, a PCT search of two loops of timed waits, each
// for the other's relaxed store, cut about 200 of its 2,000 executions there
// (soundness_test::a_random_search_runs_a_late_thread). Out of line, as
// pick_sample (here it costs checker_speed's rows 0.12 to 0.16%).
std::uint16_t engine::sample_choice(int c, std::uint16_t alts, bool mem) {
  if (alts <= 1) return 0;
  const auto draw = [this](std::uint16_t among) { return static_cast<std::uint16_t>(rng()() % among); };
  const std::uint16_t k = draw(alts);
  if (!mem || times_.empty() || !rc11() || silent_) return k;
  const auto fresh = [this, c](std::uint16_t i) {
    chosen_ = choices_[i];
    return !stale_past_time_outs(c);
  };
  if (fresh(k)) return k;
  std::uint16_t n = 0;
  for (std::uint16_t i = 0; i < alts; ++i) n = static_cast<std::uint16_t>(n + (fresh(i) ? 1 : 0));
  if (n == 0) return k;  // every read is stale: the execution is cut
  for (std::uint16_t i = 0, m = draw(n);; ++i)
    if (fresh(i) && m-- == 0) return i;
}

tmask engine::initials(std::int32_t i, std::int32_t j) const {
  // v = the steps after i that do not depend on i, then j (Abdulla et al.,
  // notdep(e, E).e'), by whole segments: a segment (an opaque call up to
  // where it returns or blocks, run without preemption) goes before i whole
  // or not at all. One of its steps that depends on i, or on a segment that
  // must follow i, puts the whole segment after i, its first steps too, and
  // with it every step that depends on any of its steps
  // (engine_test::an_initial_is_a_whole_segment: the first steps of a
  // set_value, the future's lock, made their thread an initial, though its
  // last step, the future's event, followed a wait after i). Without opaque
  // calls every step is a segment of its own, and this is the steps' notdep.
  const int pi = steps_[i].tid;
  // after[q]: the first step of thread q's first segment that must follow i
  std::array<std::int32_t, kMaxThreads> after;
  after.fill(std::numeric_limits<std::int32_t>::max());
  after[pi] = i;
  tmask late = bit(pi);  // the threads with such a segment
  for (std::int32_t k = i + 1; k < j; ++k) {
    const step_rec& s = steps_[k];
    if (s.seg >= after[s.tid]) continue;
    bool follows = false;
    for (tmask m = late; m != 0 && !follows; m &= m - 1)
      follows = s.dclk.c[lowest(m)] >= static_cast<std::uint32_t>(after[lowest(m)] + 1);
    if (!follows) continue;
    // One pass: a segment's steps are consecutive (choose_node runs a call
    // on as forced steps), so no other thread's step lies between its first
    // and this one, and every step after it is looked at with it late.
    after[s.tid] = s.seg;
    late |= bit(s.tid);
  }
  static thread_local std::vector<std::int32_t> v;
  v.clear();
  for (std::int32_t k = i + 1; k < j; ++k)
    if (steps_[k].seg < after[steps_[k].tid]) v.push_back(k);
  v.push_back(j);
  const vclock& jclk = threads_[steps_[j].tid].dpor;  // j's clock before its own edges
  tmask seen = 0, init = 0;
  for (std::size_t a = 0; a < v.size(); ++a) {
    const std::int32_t k = v[a];
    const int q = steps_[k].tid;
    if (seen & bit(q)) continue;
    seen |= bit(q);
    // Thread q's first segment in v goes first if none of its steps depends
    // on a step before it in v: its last step's clock says (the segment's
    // steps are consecutive, so the steps before it in v are before its first).
    std::size_t last = a;
    while (last + 1 < v.size() && steps_[v[last + 1]].seg == steps_[k].seg) ++last;
    const vclock& kc = (v[last] == j) ? jclk : steps_[v[last]].dclk;
    bool first = true;
    for (std::size_t b = 0; b < a && first; ++b)
      if (kc.c[steps_[v[b]].tid] >= static_cast<std::uint32_t>(v[b] + 1)) first = false;
    if (first) init |= bit(q);
  }
  return init;
}

void engine::add_race_backtrack(std::int32_t i, std::int32_t j) {
  if (static_cast<std::size_t>(i) >= nodes_.size()) return;
  node& n = nodes_[i];
  if (n.upper) return;  // fully expanded already
  const int pj = steps_[j].tid;
  // The threads explored here after now but pj: where a wakeup for pj goes (below).
  const tmask undone = n.backtrack & ~n.done & ~bit(pj);
  // Nothing left to add: every enabled thread is explored here or asleep, and
  // each of those threads already has the wakeup (the one explored now is
  // never an initial). A node that explores every thread still takes one:
  // which of them comes first decides whether the reversal is made.
  if (((n.backtrack | n.sleep) & n.enabled) == n.enabled) {
    bool added = true;
    for (tmask m = undone & ~bit(n.chosen); m != 0 && added; m &= m - 1)
      added = (n.then_after[static_cast<std::size_t>(lowest(m))] & bit(pj)) != 0;
    if (added) return;
  }
  const tmask init = initials(i, j);
  const tmask cand = init & n.enabled;
  if (cand == 0) {  // the reversal starts with a thread not enabled there: be conservative
    n.backtrack |= n.enabled;
    return;
  }
  if (n.backtrack & init) {  // some initial is explored here already
    // If it is still to come (q), the racing thread pj is tried right after
    // q's segment: below q, the threads explored here sleep, and the first
    // racing step may never come before pj's again, so the race that would
    // put pj there is never seen (engine_test::a_reversal_behind_another_
    // initial_is_explored). A wakeup sequence of Optimal DPOR (Abdulla et
    // al., POPL 2014) cut to q and pj: pick_node carries pj on, segment by
    // segment, until pj runs. (init never holds the thread of step i: its
    // later steps depend on step i, so none of them is in the reversal.)
    // Also where pj is explored here itself: an initial or not, explored
    // after q (lower threads first), it finds q asleep behind its steps, and
    // q explored first runs pj only after q's later steps (differential_test::
    // every_small_timer_program, engine_test::a_reversal_with_two_initials_
    // is_explored: a timer's start racing with its join).
    const tmask pending = undone & init;
    if (pending != 0) n.then_after[static_cast<std::size_t>(lowest(pending))] |= bit(pj);
    return;
  }
  const tmask awake = cand & ~n.sleep;
  if (awake == 0) return;  // covered by the sleep set
  n.backtrack |= bit((awake & bit(pj)) ? pj : lowest(awake));
}

void engine::dpor_step(int c, std::int32_t j) {
  thread_rec& t = threads_[c];
  vclock& d = steps_[static_cast<std::size_t>(j)].dclk;
  // A replayed step's dependency clock is the one worked out when its node
  // was first taken: the same choices from the start give the same clocks
  // (node::cached), and its segment's footprint has this step already. Only
  // its access is recorded again, for the steps after it.
  const access a = access_of(t, weak_rules(t)), q = queue_of(t);
  if (replayed_step_) {
    if (const object_rec* o = dep_object(a.obj))
      dpor_record(*const_cast<object_rec*>(o), j, static_cast<std::uint8_t>(a.kind));
    if (const object_rec* o = dep_object(q.obj)) [[unlikely]]  // a wait's sleep
      dpor_record(*const_cast<object_rec*>(o), j, static_cast<std::uint8_t>(q.kind));
    if (t.st == tstate::blocked) [[unlikely]] holder_read(c, j);
    if (clock_spin(t)) [[unlikely]] clock_spin_reads(c, j);
    d = nodes_[static_cast<std::size_t>(j)].dclk;
    t.dpor = d;
    return;
  }
  // Enabling edges: these pairs cannot be reordered, so they are not races.
  if (t.st == tstate::runnable && t.act == action::wake_return && t.wake_step >= 0)
    t.dpor.join(steps_[t.wake_step].dclk);
  if (t.st == tstate::runnable && t.act == action::step && t.pend.kind == op::join)
    t.dpor.join(threads_[t.join_target].dpor);
  // A wait that only its holder's death ends (untimed, no spurious return
  // left) is enabled by that death, as a join by the end. One that may also
  // time out or return spuriously may do so before the holder dies: its
  // return reads "the holder is alive" (holder_read), which races with the
  // death, so that both orders are explored (engine_test::a_timed_wait_may_
  // end_before_its_holder_dies: a try_lock_for on a robust mutex timing out
  // while its owner lives, the owner dying after, was lost).
  if (t.st == tstate::blocked && !t.timed && !may_return_spuriously(t) && holder_dead(t) && t.holder >= 1 &&
      static_cast<std::size_t>(t.holder) <= threads_.size())
    t.dpor.join(threads_[static_cast<std::size_t>(t.holder - 1)].dpor);
  // A spin that only the await rule lets go (its idle budget is spent) is
  // enabled by the first write to something it read: that write happens before
  // it, as a wake before the woken. Otherwise a spin touches nothing: whether
  // it comes before or after a write changes no value the program sees. So
  // does a round past the budget (giving_up, give_up_offer): its going round
  // could have come at its park, before the others' later steps, which is
  // offered there (an engine that put it after every other thread's last
  // step never ran the others' steps after such a loop's reads, where it
  // parked first: oracle_test::checker_polls_are_their_loads). A
  // clock spin is enabled either way, and whether time passes depends on the
  // writes: it reads what it read (clock_spin_reads).
  if (clock_spin(t)) [[unlikely]] {
    clock_spin_reads(c, j);
  } else if (pending_spin(t) && budget_spent(t)) {
    std::int32_t first = -1;
    for (const spin_read& r : t.spin_reads) {
      const std::int32_t w = first_newer_write(r);
      if (w >= 0 && (first < 0 || w < first)) first = w;
    }
    if (first >= 0) t.dpor.join(steps_[static_cast<std::size_t>(first)].dclk);
  }
  dpor_access(c, j, a.obj, static_cast<std::uint8_t>(a.kind));
  if (opaque(t) && a.obj != kNoObj) add_footprint(c, j, a.obj, static_cast<std::uint8_t>(a.kind));
  if (q.obj != kNoObj) [[unlikely]] {  // a wait's sleep
    dpor_access(c, j, q.obj, static_cast<std::uint8_t>(q.kind));
    if (opaque(t)) add_footprint(c, j, q.obj, static_cast<std::uint8_t>(q.kind));
  }
  if (t.st == tstate::blocked) [[unlikely]] holder_read(c, j);
  // Copied before the thread's own entry is set in each: a copy that reads
  // back that narrow store at once stalls (store forwarding; the node's copy
  // of d made after it took 2% of checker_speed's mutex search, perf).
  node* const kept = static_cast<std::size_t>(j) < nodes_.size() ? &nodes_[static_cast<std::size_t>(j)] : nullptr;
  d = t.dpor;
  if (kept != nullptr) kept->dclk = t.dpor;  // for its replays
  const auto mine = static_cast<std::uint32_t>(j + 1);
  d.c[c] = t.dpor.c[c] = mine;
  if (kept != nullptr) kept->dclk.c[c] = mine;
}

// Opaque primitives: what step j of thread c touches, kept at its segment's
// first node for the sleep sets (a union over the runs of that node: each
// data choice's).
void engine::add_footprint(int c, std::int32_t j, std::uint32_t obj, std::uint8_t how) {
  const auto seg = static_cast<std::size_t>(steps_[static_cast<std::size_t>(j)].seg);
  if (seg >= nodes_.size()) return;
  if (seg >= seg_fp_.size()) seg_fp_.resize(seg + 1);
  auto& fp = seg_fp_[seg];
  const footprint_item f{static_cast<std::uint8_t>(c), how, obj};
  if (std::find(fp.begin(), fp.end(), f) == fp.end()) fp.push_back(f);
}

// Step j, blocked thread c's return from a wait that its holder's death also
// ends (wait_unless_dead), reads "the holder is alive": it times out before
// the death or returns at it (dpor_step).
void engine::holder_read(int c, std::int32_t j) {
  const thread_rec& t = threads_[c];
  if (t.holder < 1 || static_cast<std::size_t>(t.holder) > threads_.size()) return;
  const std::uint32_t life = life_obj(static_cast<int>(t.holder - 1));
  const auto how = static_cast<std::uint8_t>(touch::read);
  if (replayed_step_) {
    if (const object_rec* o = dep_object(life)) dpor_record(*const_cast<object_rec*>(o), j, how);
    return;
  }
  dpor_access(c, j, life, how);
  if (opaque(t)) add_footprint(c, j, life, how);
}

// Step j of thread c accesses obj: races with the unordered earlier accesses
// that conflict with it, then the dependency edges, then the access itself.
void engine::dpor_access(int c, std::int32_t j, std::uint32_t obj, std::uint8_t how) {
  const auto kind = static_cast<touch>(how);
  object_rec* op = const_cast<object_rec*>(dep_object(obj));
  if (op == nullptr) return;
  thread_rec& t = threads_[c];
  object_rec& o = *op;
  // A race with a step of an opaque call is a race with its whole segment:
  // reversed at the segment's first step (the only one that was a choice).
  auto consider = [&](std::int32_t i) {
    if (i < 0 || i == j) return;
    const int q = steps_[i].tid;
    const std::int32_t b = steps_[i].seg;
    if (q != c && t.dpor.c[q] < static_cast<std::uint32_t>(b + 1)) add_race_backtrack(b, j);
  };
  // A replayed step's races are the ones found when its node was first taken,
  // with the same steps before it: the backtrack points they add are there
  // already (a node's backtrack set only grows, and add_race_backtrack adds
  // nothing to a larger one that it did not add to the smaller).
  if (on_waiters(kind)) {  // the waiters, apart from the value: a wake after every step, the others after the wakes
    if (!replayed_step_) {
      consider(o.last_queue);
      if (kind == touch::queue)
        for (std::int32_t e : o.waiter_steps) consider(e - 1);
    }
    if (o.last_queue >= 0) t.dpor.join(steps_[o.last_queue].dclk);
    if (kind == touch::queue)
      for (std::int32_t e : o.waiter_steps)
        if (e > 0) t.dpor.join(steps_[static_cast<std::size_t>(e - 1)].dclk);
    dpor_record(o, j, how);
    return;
  }
  if (!replayed_step_) {
    consider(o.last_write);
    if (kind != touch::read)
      for (std::int32_t r : o.reads) consider(r);
    if (kind != touch::store)
      for (std::int32_t w : o.stores) consider(w);
  }
  if (o.last_write >= 0) t.dpor.join(steps_[o.last_write].dclk);
  if (kind != touch::read)
    for (std::int32_t r : o.reads) t.dpor.join(steps_[r].dclk);
  if (kind != touch::store)
    for (std::int32_t w : o.stores) t.dpor.join(steps_[w].dclk);
  dpor_record(o, j, how);
}

// Step j's access to o, for the steps after it (dpor_access). Inline: out
// of line, saving and restoring registers was half of its cost (a call for
// every step of a search with reduction; checker_speed, callgrind).
inline void engine::dpor_record(object_rec& o, std::int32_t j, std::uint8_t how) {
  const auto kind = static_cast<touch>(how);
  o.changed = j + 1;
  if (kind == touch::queue) {
    o.last_queue = j;
    o.waiter_steps.fill(0);
  } else if (kind == touch::waiter) {
    o.waiter_steps[steps_[static_cast<std::size_t>(j)].tid] = j + 1;
  } else if (kind == touch::write) {
    o.last_write = j;
    o.reads.clear();
    o.stores.clear();
  } else if (kind == touch::read) {
    o.reads.push_back(j);
  } else {
    o.stores.push_back(j);
  }
}

// Thread c finished in step j: that step also writes "T c is alive" (racing
// with earlier S::alive reads of it), and it wakes, out of the next node's
// sleep set, every thread whose next step it changes. A sleeper whose own
// next step asks after c (an S::alive(c) read, a wait_unless_dead on c that
// becomes a time-out) never sleeps through a step of c: engine::wakes finds
// the two dependent (asks_after; engine_test::a_sleeping_liveness_query_
// wakes_at_the_death). What is left is an asleep opaque segment that asks
// after c further on, its footprint read where it fell asleep.
void engine::thread_died(int c, std::int32_t j) {
  if (!ends_are_steps_) {  // the end is the last operation's step (its own step records its access: access_of)
    thread_rec& t = threads_[c];
    dpor_access(c, j, life_obj(c), static_cast<std::uint8_t>(touch::write));
    steps_[static_cast<std::size_t>(j)].dclk.join(t.dpor);
    t.dpor = steps_[static_cast<std::size_t>(j)].dclk;
  }
  for (tmask m = child_sleep_; m != 0; m &= m - 1) {
    const int r = lowest(m);
    const auto& fp = sleep_fp_[static_cast<std::size_t>(r)];
    if (std::any_of(fp.begin(), fp.end(), [&](const footprint_item& f) { return f.obj == life_obj(c); }))
      child_sleep_ &= ~bit(r);
  }
}

// The clock rule. A spin loop that reads the clock waits for a deadline:
// `while (S::clock::now() < d) S::spin();`, or a timed spinlock that gives up
// at d. Time moves in the model only where a thread times out, so under the
// await rule alone such a loop, with nothing it reads ever written again,
// waited for ever: a false DEADLOCK ("waiting for a write that no thread can
// make"). So a spin that read the clock since its previous spin, its idle
// budget spent (S::spin_budget rounds with nothing new, as the await rule
// parks it), stays enabled: if nothing else it read has changed, time passes
// for it, as at a time-out. Its virtual time doubles (from 1 s, the start:
// any deadline passes within a few rounds, each a time-out for the fairness
// rule), up to kLastTime, where time stops and the await rule alone holds
// again (a loop until S::forever is a deadlock). If something it read has
// changed, it is a plain spin and no time passes: so the step reads what it
// read (clock_spin_reads), and the writes to it race with it, so that both
// "time passed first" and "the write came first" are explored.
bool engine::clock_spin_now(const thread_rec& t) const noexcept {
  return pending_spin(t) && budget_spent(t) && time_of(t) < kLastTime;
}

// A clock spin's reads (dpor_step): each object it read since its previous spin, once.
void engine::clock_spin_reads(int c, std::int32_t j) {
  const thread_rec& t = threads_[c];
  for (std::size_t i = 0; i < t.spin_reads.size(); ++i) {
    const std::uint32_t obj = t.spin_reads[i].obj;
    if (std::any_of(t.spin_reads.begin(), t.spin_reads.begin() + static_cast<std::ptrdiff_t>(i),
                    [&](const spin_read& r) { return r.obj == obj; }))
      continue;
    const auto how = static_cast<std::uint8_t>(touch::read);
    if (replayed_step_) {  // its races and footprint are there already (dpor_step)
      if (const object_rec* o = dep_object(obj)) dpor_record(*const_cast<object_rec*>(o), j, how);
      continue;
    }
    dpor_access(c, j, obj, how);
    if (opaque(t)) add_footprint(c, j, obj, how);
  }
}

// Something the thread read since its previous spin has something newer to
// read: under RC11 a message after the one read in mo with another value;
// otherwise a write since (object_rec::writes: an RMW that wrote back the
// value it read is none). Not a location of its loop in a round that gave
// up under RC11 (thread_state::held_off): that round did not see the newer
// store, and its spin is a parked spinner's that goes round past its budget.
bool engine::stale(const thread_rec& t) const {
  for (const spin_read& r : t.spin_reads) {
    const object_rec* o = dep_object(r.obj);
    if (o == nullptr || (t.held_off && read_of(t.streak, r.obj) != nullptr)) continue;
    if (rc11() && r.msg != kNoMsg ? news_after(r.msg) != 0 : o->writes.size() > r.seen) return true;
  }
  return false;
}

// Where no thread can go on (step j): the spinners whose idle budget is
// spent (the await rule parks them) may go round again, up to kGiveUpRounds
// rounds in a row past it, and never past the step bound. The budget lets a
// loop bounded by S::spin_budget reach its exit wherever it spins; a loop
// bounded by a count of its own, or a second bounded loop on what the first
// read with no write between (they share one count), needs more rounds. On
// hardware it takes them and gives up; here, with nothing else to run, it
// was reported as a DEADLOCK (soundness_test::a_loop_bounded_by_its_own_
// count_gives_up). Such a round touches nothing (dpor_step). A loop that
// does not leave in that many rounds is a deadlock, and the footer says so.
// Of several such spinners, each may be the one that goes on first; one that
// has gone round past its budget goes on alone until it leaves its loop
// (their rounds only read: in between, no round of another changes what one
// sees, and plain DFS would otherwise interleave them every way).
// Where another thread can run, a parked spinner's going round past its
// budget is explored too (give_up_offer, going_on).
tmask engine::giving_up(std::int32_t j) const {
  tmask m = 0;
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    if (!past_budget(threads_[i]) || !round_fits(static_cast<int>(i), j)) continue;
    if (threads_[i].idle_spins > model_sync::spin_budget) return bit(static_cast<int>(i));
    m |= bit(static_cast<int>(i));
  }
  return m;
}

// Whether parked spinner i may go round once more past its idle budget at
// step j: fewer than kGiveUpRounds rounds past it so far, and another round
// as long as its last one (from its previous spin) fits below the step
// bound: a poll loop's round is a call of several steps, and reaching the
// bound inside one would be a LIVELOCK.
bool engine::round_fits(int i, std::int32_t j) const {
  if (threads_[static_cast<std::size_t>(i)].idle_spins >= model_sync::spin_budget + kGiveUpRounds) return false;
  const std::int32_t prev = previous_spin(i, j);
  return static_cast<std::uint64_t>(j) + static_cast<std::uint64_t>(j - prev) < opt_.max_steps;
}

// Thread i's latest spin before step j (0 if none: a parked spinner has spun).
std::int32_t engine::previous_spin(int i, std::int32_t j) const {
  std::int32_t prev = j - 1;
  while (prev > 0 && (steps_[static_cast<std::size_t>(prev)].tid != i ||
                      steps_[static_cast<std::size_t>(prev)].act != action::spin_return))
    --prev;
  return prev;
}

// A loop bounded by a count of its own, whose thread parked (its idle budget
// spent) while another thread could still run: on hardware it goes round
// and gives up, and what it does next may come before that thread's write.
// giving_up explores that only where no other thread can run, so the
// schedules in which it gives up first were lost, and a check that it never
// gives up passed exhaustively (soundness_test::a_loop_gives_up_while_
// another_thread_runs). So at the step after the spin that parked it (the
// thread that just stepped), its going round instead is offered (node::
// give_up): explored after every other choice there, it needs no other
// place. Later, up to the write it waits for, the others' steps do not
// touch what its rounds read, so its rounds commute with them; the write
// ends the park either way (the await rule). From there it goes on alone,
// round after round (going_on), until it leaves its loop: its rounds are
// steps like any other, and what it reads after the loop races with the
// writes that follow. Not where the loop there was found to wait for a
// write (give_up_sites_), except in the fully expanded prefix of a split
// search, which every slice must walk alike.
tmask engine::give_up_offer(tmask cands, tmask real) const {
  if (prev_ < 0 || silent_ || real == 0 || (cands & bit(prev_)) != 0) return 0;
  const thread_rec& t = threads_[static_cast<std::size_t>(prev_)];
  if (!pending_spin(t) || !past_budget(t) || !round_fits(prev_, static_cast<std::int32_t>(steps_.size()))) return 0;
  return bit(prev_);
}

// Step j, where a parked spinner that went round past its idle budget
// (gone_on) may go on while another thread can run: the one that goes on
// round alone (its rounds touch nothing another thread writes, so no order
// of them is lost), or -1. Its loop left, it is a spinner like any other: a
// round that read something the loop had not read is another loop, which
// parks anew (give_up_offer). One that went round kGiveUpRounds times past
// its budget at the spin where it began (or whose next round would pass the
// step bound) waits for a write: the execution ends, covered by the one in
// which it parked there (covered_by_park); -2. One that left for another
// loop and went round as long there parks.
int engine::going_on(tmask gone_on, std::int32_t j) {
  for (tmask m = gone_on; m != 0; m &= m - 1) {
    const int g = lowest(m);
    const thread_rec& t = threads_[static_cast<std::size_t>(g)];
    if (!goes_on(t) || (t.giving_up & thread_state::kOffered) == 0) continue;  // (giving_up's, where none could)
    if (round_fits(g, j)) return g;
    const give_up_site_rec* site = site_of(t);
    if (site != nullptr &&
        (same_place(t.pend.loc, site->at) || same_place(steps_[static_cast<std::size_t>(previous_spin(g, j))].loc, site->at))) {
      covered_by_park(g);
      return -2;
    }
  }
  return -1;
}

// Plain DFS, where thread prev_ went round past its idle budget as offered
// (give_up_offer): the other threads' steps between its reads are not
// explored as they are read (fresh), but once it is seen what the reads
// were. A round's, followed by its next give-up round: another thread's step
// between them either touches nothing the round reads, and is the same
// before the round, or writes there, and ends the loop as where it parked
// (the await rule's folding). Otherwise its loop is left, and the reads
// since its last spin came after it: each is a choice of every thread, as
// everywhere in plain DFS (DPOR finds these races by itself). Without this,
// plain DFS ran the others' steps between every two of a loop's hundred
// rounds.
void engine::plain_after_give_up(node& fresh, std::int32_t j) {
  const thread_rec& g = threads_[static_cast<std::size_t>(prev_)];
  if (g.idle_spins <= model_sync::spin_budget) return;  // a write since: its loop was left, and seen
  // (A load: an RMW or a compare_exchange may write, which ends the loop;
  // once it has, the thread's count starts afresh and nothing here is seen.)
  const bool reads = g.st == tstate::runnable && g.act == action::step && g.pend.kind == op::load;
  if (fresh.chosen == prev_ && reads) {
    fresh.backtrack = bit(prev_);
    return;
  }
  if (fresh.chosen == prev_ && pending_spin(g) && goes_on(g)) return;  // its next round
  for (std::int32_t k = previous_spin(prev_, j) + 1; k < j; ++k)
    if (steps_[static_cast<std::size_t>(k)].tid == prev_) nodes_[static_cast<std::size_t>(k)].backtrack |= nodes_[static_cast<std::size_t>(k)].enabled;
}

// Parked spinner g went round past its idle budget as long as it may at the
// spin where it began, and did not leave its loop (going_on): on hardware,
// such a loop waits for a write, as where it parked, and the execution in
// which it parked covers this one. No park at that spin offers the give-up
// again in this search; no choice below the offer is explored (the others'
// steps between its rounds, or its reads of other stores, go round the same
// loop), except in a split search's fully expanded prefix.
void engine::covered_by_park(int g) {
  if (give_up_site_rec* site = site_of(threads_[static_cast<std::size_t>(g)])) site->waits = true;
  std::size_t k = nodes_.size();
  while (k > 0 && !(nodes_[k - 1].chosen == g && ((nodes_[k - 1].enabled & bit(g)) == 0 || nodes_[k - 1].gave_up_read)))
    --k;  // the offer taken, or the read that gave up (held_off_read)
  for (; k > 0 && k < nodes_.size(); ++k) {
    node& n = nodes_[k];
    if (n.upper) continue;
    n.backtrack = bit(n.chosen);
    n.data_alts = static_cast<std::uint16_t>(n.data_choice + 1);
    n.give_up = 0;
  }
  end_ = run_end::covered;
}

// The give-up site of thread c's spin at `at` (thread_state::giving_up):
// 1 + its index in give_up_sites_, added if new; 0 once kMaxGiveUpSites
// are there (site_waits then answers yes: no park offers the give-up).
std::uint8_t engine::give_up_site(int c, source_location at) {
  if (const give_up_site_rec* r = find_site(c, at)) return static_cast<std::uint8_t>(r - give_up_sites_.data() + 1);
  if (give_up_sites_.size() >= kMaxGiveUpSites) return 0;
  give_up_sites_.push_back({c, at, false});
  return static_cast<std::uint8_t>(give_up_sites_.size());
}

// Whether a loop at thread c's spin at `at` was found to wait for a write
// (covered_by_park), or no new site can be kept.
bool engine::site_waits(int c, source_location at) const {
  const give_up_site_rec* r = find_site(c, at);
  return r != nullptr ? r->waits : give_up_sites_.size() >= kMaxGiveUpSites;
}

// Thread t's give-up site (thread_state::giving_up), or nullptr: none.
engine::give_up_site_rec* engine::site_of(const thread_rec& t) {
  const unsigned site = t.giving_up & ~thread_state::kOffered;
  return site != 0 ? &give_up_sites_[site - 1u] : nullptr;
}
const engine::give_up_site_rec* engine::site_of(const thread_rec& t) const {
  return const_cast<engine*>(this)->site_of(t);
}

const engine::give_up_site_rec* engine::find_site(int c, source_location at) const {
  for (const give_up_site_rec& r : give_up_sites_)
    if (r.tid == c && same_place(r.at, at)) return &r;
  return nullptr;
}

// Thread t's spins in a row that saw nothing new, before its pending one:
// none if the round since its previous spin read a location that was
// written after the loop's earlier rounds last read it (thread_data::
// streak: not only the round before, so that a loop that reads one
// location a round, in turn, sees a write to one of them). That round saw progress, so
// its spin starts a count of its own: a loop entered after another one that
// such a write ended (its idle spins counted) has its whole budget, as on
// hardware (soundness_test::a_spin_loop_after_another_has_its_own_budget:
// the second loop's first spin waited for a write no thread would make, a
// false DEADLOCK; a robust_mutex lock after a future's get, under
// transparent primitives, so). Rounds that read other locations with no
// write between (a loop that tries one place a round) stay idle.
int engine::idle_rounds(const thread_rec& t) const {
  for (const spin_read& r : t.spin_reads)
    for (const spin_read& p : t.streak)
      if (p.obj == r.obj && r.seen > p.seen) return 0;
  return t.idle_spins;
}

// Under RC11, the loop's read of t's pending access that the await rule
// holds to a newer store than it read, if any (list_choices): a round after
// S::spin_budget rounds that read the same values, which has read nothing
// new yet, of a location two rounds of the loop read (its streak entry).
const spin_read* engine::held_read(const thread_rec& t) const {
  if (!rc11() || t.repeats < model_sync::spin_budget || !same_values(t)) return nullptr;
  const spin_read* r = read_of(t.streak, t.pend.obj);
  return r != nullptr && r->again && r->msg != kNoMsg ? r : nullptr;
}

// Whether thread t's held read (held_read, with a newer store to read) may
// read the store its loop's rounds read instead, its loop's give-up
// (list_choices): its idle budget spent, and not in a random or PCT search
// (whose rounds would go on at random, as a parked spinner's give-up is not
// offered there either). Where it begins, another round fits
// (round_fits); once it goes on, its spin is where a round that does not fit
// ends the execution, covered (going_on). In a loop that writes as it goes
// round (yields), whose rounds are no loop that waits, the old store is a
// choice too, and its execution is cut (held_off_read): without it the
// hold alone passed, exhaustively, a check that such a loop, bounded, never
// gives up after a relaxed flag (soundness_test::a_loop_that_writes_lets_
// the_others_run).
bool engine::give_up_read(int t) const {
  const thread_rec& th = threads_[static_cast<std::size_t>(t)];
  return mode_ != mode::random && mode_ != mode::pct &&
         (writes_as_it_goes(th) ||
          (budget_spent(th) && (gives_up_here(t) || round_fits(t, static_cast<std::int32_t>(steps_.size())))));
}

// Whether thread t's round goes on with a give-up: one began (giving_up),
// and the round's spin before was at its site. A round after a spin
// elsewhere is another loop's (a poll that gave up, then a loop on the same
// location, which may see the newer store: oracle_test's polls under rc11,
// await46 of seed 14), where a give-up begins afresh.
bool engine::gives_up_here(int t) const {
  const give_up_site_rec* site = site_of(threads_[static_cast<std::size_t>(t)]);
  return site != nullptr &&
         same_place(steps_[static_cast<std::size_t>(previous_spin(t, static_cast<std::int32_t>(steps_.size())))].loc, site->at);
}

// Under RC11, after thread c's atomic access at step j (node n) is chosen
// (chosen_): whether it is its loop's give-up (list_choices), the read of the
// old store where the await rule held it to a newer one (thread_state::
// held_off). The first round that gives up, where the loop had not gone
// round past its budget, begins the give-up (node::gave_up_read) at the
// loop's site (give_up_sites_, the spin it goes round at), and takes its
// rounds on as a parked spinner's give-up does (giving_up, going_on). Not
// where a loop there was found to wait for a write (covered_by_park), as
// give_up_offer's: false, and the execution ends, covered. In a loop that
// writes as it goes round: false, and the execution is cut (give_up_read).
// fresh: the node's choice was just made (not a cached node's, replayed).
bool engine::held_off_read(node& n, int c, std::int32_t j, bool fresh) {
  thread_rec& t = threads_[static_cast<std::size_t>(c)];
  const spin_read* r = t.pend.kind == op::store ? nullptr : held_read(t);
  const std::uint32_t news = r != nullptr ? news_after(r->msg) : 0;
  // After a round that held off, an access that is no held read (a write,
  // or a read of a location its loop did not read) is past the loop, which
  // gave up: it counts no round of no progress, and no read after it in
  // this round is held (a poll that gave up, an RMW of another location,
  // then a second poll of the first location, which may read the old store
  // again: oracle_test's polls under rc11, random80 of seed 2).
  if (r == nullptr && t.held_off) t.repeats = 0;
  // (A held read with nothing newer to read reads what the rounds read: the
  // round holds off as much as before.)
  if (r == nullptr || news != 0) t.held_off = news != 0 && msgs_[chosen_.msg].pos < news;
  if (!t.held_off || gives_up_here(c)) return true;
  if (writes_as_it_goes(t)) {  // (give_up_read)
    cut_unfair(j);
    return false;
  }
  const source_location at = steps_[static_cast<std::size_t>(previous_spin(c, j))].loc;
  if (fresh && !n.upper && mode_ != mode::replay && site_waits(c, at)) {
    end_ = run_end::covered;
    return false;
  }
  if (const std::uint8_t site = give_up_site(c, at)) t.giving_up = site | thread_state::kOffered;
  n.gave_up_read = true;
  return true;
}

// Whether a round of a spin loop read again what the loop's earlier rounds
// read (RC11's await rule; streak: each location's latest read): of every
// location both read, the same store or a store of the same value. A
// test-and-set loop's exchange reads a new store each round, the one its
// previous round wrote, and writes it again: the same round. In a loop that
// writes as it goes round (yields), so is a store of the thread's own with
// another value (a loop that counts its rounds with fetch_add): it is no
// news from another thread, and without it such a loop under RC11 read an
// old value for ever, a livelock (soundness_test::a_loop_that_writes_lets_
// the_others_run). Elsewhere it is news: a loop that waits in its rounds (a
// timed wait_for of an event, whose CAS announces a waiter) is no loop that
// writes as it goes round, and its stale reads past a hold would be neither
// explored nor cut. A location the
// earlier rounds did not read is no news (a loop that reads one location a
// round, in turn: soundness_test::a_loop_that_reads_in_turn_sees_each_store).
bool engine::same_values(const thread_rec& t) const {
  if (t.streak.empty()) return false;  // the loop's first round
  const int own = writes_as_it_goes(t) ? static_cast<int>(&t - &threads_[0]) : -1;
  for (const spin_read& r : t.spin_reads)
    for (const spin_read& s : t.streak)
      if (s.obj == r.obj && s.msg != r.msg &&
          (r.msg == kNoMsg || s.msg == kNoMsg ||
           (msgs_[r.msg].value != msgs_[s.msg].value && (msgs_[r.msg].step < 0 || msgs_[r.msg].tid != own))))
        return false;
  return true;
}

// The first step that gave r's object something newer than what r read (stale).
std::int32_t engine::first_newer_write(const spin_read& r) const {
  const object_rec* o = dep_object(r.obj);
  if (o == nullptr) return -1;
  if (!rc11() || r.msg == kNoMsg) return o->writes.size() > r.seen ? o->writes[r.seen] : -1;
  for (const std::int32_t w : o->writes) {
    const std::uint32_t m = steps_[static_cast<std::size_t>(w)].wr;
    if (m != kNoMsg && msgs_[m].pos > msgs_[r.msg].pos && msgs_[m].value != msgs_[r.msg].value) return w;
  }
  return -1;
}

void engine::reset_execution() {
  generation_ = ++next_generation;
  foreign_use_.store(false, std::memory_order_relaxed);  // written by other OS threads only while we run
  unwound_unjoined_ = 0;
  ends_are_steps_ = ends_wanted_;
  // "T t is alive" is touched only for the threads an execution had (alive(),
  // a thread's death): the last one's are reset, the others are clean.
  // Fast-forwarding keeps those of the snapshot's threads, and kNoObj and
  // kScFence, as the last execution left them: restore makes the ones that
  // changed after the snapshot's step (object_rec::changed) the snapshot's
  // again, and the others are the snapshot's already (forward.cpp).
  const std::size_t kept = ff_ ? snaps_[nsnaps_ - 1].nthreads : 0;
  for (std::size_t t = kept; t < threads_.size(); ++t) life_[t].reset_clean();
  threads_.clear();
  while (objects_.size() < 2) objects_.emplace_back();
  if (!ff_) {
    objects_[0].reset_clean();  // kNoObj
    objects_[1].reset_clean();  // kScFence
  }
  nobj_ = 2;
  if (!ff_) {  // fast-forwarding keeps the steps up to the snapshot's (forward.cpp)
    steps_.clear();
    answers_.clear();
    // and the last execution's messages and events, which the snapshot's then
    // overwrite (restore): a copy over records, not records made one by one
    msgs_.clear();
    mev_.clear();
  }
  notes_.clear();
  in_prefix_ = false;
  nprim_ = 0;
  calls_.clear();
  locks_.clear();
  lock_holder_.clear();
  cur_ = -1;
  prev_ = -1;
  data_choice_ = 0;
  chosen_ = {};  // none yet: a snapshot taken before this execution makes one holds none
  // RC11's SC order: a DFS execution has the last one's events below the node
  // that backtracking changed (psc.cpp cuts its graph back to them). The
  // graph is the last execution's that asked a question: where the last one
  // asked none (still fresh), this one shares with it only the steps below
  // both changed nodes (an older execution's store, moved in mo since by the
  // quiet one's choice, left an edge of the old mo: oracle_test's
  // graph-kept-across-a-quiet-execution).
  const std::int32_t shared = (mode_ == mode::dfs || mode_ == mode::bounded_dfs) && backtracked_ >= 0 ? backtracked_ : 0;
  psc_.keep_step = psc_.fresh ? std::min(psc_.keep_step, shared) : shared;
  psc_.fresh = true;
  read_mark_.fill(0);
  sleep_mark_.fill(0);
  choices_.clear();
  sc_events_ = sc_fences_ = 0;
  child_sleep_ = 0;
  for (auto& fp : sleep_fp_) fp.clear();
  times_.clear();
  time_last_ = kNoChains;
  preemptions_ = 0;
  fail_ = failure{};
  failed_ = false;
  diverged_ = false;
}

// An execution cut short was first run on to its end (go_silent, then
// plan_step runs it silently, its threads in turn). Fibers still suspended
// here are blocked for good, or looping past the run-on's step bound
// (stuck_). Those of a failed execution, or of one stuck, may be inside a
// destructor or another noexcept function (a join in an RAII guard's
// destructor, a loop in a destructor), where an unwinding fiber calls
// std::terminate and ends the whole run: they are abandoned instead
// (abandon). A failed execution ends the search, so few are: the failure,
// and those of the search for a shorter counterexample. With
// options::outcomes the search goes on past failures, and abandoning the
// threads of every failed one leaked what their frames own without bound
// (2 KiB an execution of two threads blocked with a vector each): there a
// failed execution's fibers are unwound, as before abandoning came in, and a
// thread blocked inside a destructor ends the run
// (soundness_test::a_search_past_failures_unwinds_their_threads). The others
// are unwound. Parked fibers (finished threads) stay for the next execution.
void engine::teardown(bool failed) {
  const bool leave = (failed && !opt_.outcomes) || stuck_;
  stuck_ = false;
  // Children first, T0 (the body) last: the body's frame owns the shared
  // objects the other threads' destructors still touch while they unwind.
  for (auto t = threads_.rbegin(); t != threads_.rend(); ++t) {
    if (!t->suspended()) continue;
    if (leave) {
      abandon(*t);
    } else {
      fiber_switch sw(stack_of(static_cast<int>(&*t - threads_.begin())));
      t->fib = boost::context::fiber();  // unwinds the fiber's stack
      sw.land(nullptr);
    }
  }
}

// Forgets thread t's suspended fiber without unwinding it: it is never
// resumed, so its frames are dead, and its stack goes back to the pool. What
// those frames own on the heap is not freed.
void engine::abandon(thread_rec& t) {
  alignas(boost::context::fiber) static unsigned char handle[sizeof(boost::context::fiber)];
  new (handle) boost::context::fiber(std::move(t.fib));  // never destroyed: its destructor would unwind it
  boost::context::stack_context& sc = fiber_stacks_[static_cast<std::size_t>(&t - threads_.begin())];
  stacks_.deallocate(sc);
}

// An execution the search stops early (a failure, a sleep-blocked or pruned
// branch) leaves fibers suspended at visible operations, maybe inside a
// destructor or another noexcept function, through which a forced unwind
// would call std::terminate. So it is run on to its end first, silently: the
// default schedule, the latest store for every read (always consistent),
// failures ignored, nothing recorded for the search. Returns false if there
// is nothing to run.
bool engine::go_silent() {
  if (silent_) return false;
  // The planning thread runs (its fiber handle is empty meanwhile), unless it
  // has finished and plans from its gap (run_below_gap).
  bool live = planning_here_ && !threads_[cur_].parked;
  for (const thread_rec& t : threads_) live = live || t.suspended();
  if (!live) return false;
  silent_ = true;
  silent_from_ = steps_.size();
  read_mark_.fill(0);
  for (thread_rec& t : threads_)
    if (t.st == tstate::aborted && t.suspended()) t.st = tstate::runnable;  // stopped by the failure: goes on
  return true;
}

// The node of step j, whose chosen thread runs next: a silent step's, the one
// recorded there (checking that it can still run), or a new one. cands are the
// threads that may run, real those that are really enabled. nullptr with end_
// set: the execution ends here (diverged, sleep-blocked, or another shard's).
// offer: the thread whose going round past its idle budget is offered here
// (give_up_offer), not among cands.
node* engine::pick_node(std::int32_t j, tmask cands, tmask real, tmask offer) {
  if (silent_) {  // silent steps are no choices of the search
    silent_node_ = node{};
    silent_node_.chosen = static_cast<std::uint8_t>(pick_in_turn(cands, prev_));
    silent_node_.enabled = cands;
    return &silent_node_;
  }
  if (static_cast<std::size_t>(j) < nodes_.size()) {  // replaying a recorded choice
    node* n = &nodes_[static_cast<std::size_t>(j)];
    if ((cands & bit(n->chosen)) == 0 && (offer & bit(n->chosen)) == 0) {
      diverge(j, "T" + std::to_string(n->chosen) + " cannot run there any more");
      return nullptr;
    }
    // The offered give-up, explored last (backtrack): not where its loop was
    // found since to wait for a write.
    if ((offer & bit(n->chosen)) != 0 && !n->upper && mode_ != mode::replay &&
        site_waits(n->chosen, threads_[n->chosen].pend.loc)) {
      end_ = run_end::covered;
      return nullptr;
    }
    if (mode_ == mode::replay) n->enabled = cands;  // a token records no choices (starved_by_time_outs)
    if (mode_ != mode::replay && n->enabled != 0 && j + 1 < static_cast<std::int32_t>(nodes_.size()) &&
        n->enabled != cands && !(mode_ == mode::bounded_dfs)) {
      // the set of runnable threads changed under the same prefix
      diverge(j, "a different set of threads can run");
      return nullptr;
    }
    return n;
  }
  node& fresh = nodes_.emplace_back();  // built in place: a copy of one built on the stack stalls on its narrow stores
  fresh.sleep = reducing() ? child_sleep_ : 0;  // sleepers stay asleep across forced steps
  fresh.enabled = cands;
  if (reducing()) fresh.sleep |= covered_here(cands & ~fresh.sleep);
  // The bound spent: only prev_ goes on where a switch would be a preemption
  // (a forced or eager step has one candidate, and costs none).
  if (mode_ == mode::bounded_dfs && bound_ >= 0 && preemptions_ >= bound_ && several(cands) &&
      switch_preempts(j, real))
    fresh.enabled = bit(prev_);
  const tmask avail = fresh.enabled & ~fresh.sleep;
  if (avail == 0) {
    // Every thread that can run sleeps, but a parked spinner's going round
    // past its budget (give_up_offer) is no step of theirs: what it reads
    // after its loop may race with their steps, which wake then (oracle_test::
    // checker_polls_are_their_loads: a poll of y after one that gave up, in
    // the reversal that ran it before the store to y).
    const int g = offer != 0 && (mode_ == mode::dfs || mode_ == mode::bounded_dfs) ? lowest(offer) : -1;
    if (g < 0 || (opt_.shard_count <= 1 && site_waits(g, threads_[g].pend.loc))) {
      nodes_.pop_back();
      end_ = run_end::sleep_blocked;
      return nullptr;
    }
    fresh.chosen = static_cast<std::uint8_t>(g);
    fresh.backtrack = 0;
    return &fresh;
  }
  if (mode_ == mode::random || mode_ == mode::pct) {
    fresh.chosen = static_cast<std::uint8_t>(pick_sample(avail, real, j));
  } else {
    fresh.chosen = static_cast<std::uint8_t>(pick_default(avail, prev_));
  }
  fresh.backtrack = reducing() ? bit(fresh.chosen) : fresh.enabled;
  if (!reducing() && prev_ >= 0 && (threads_[prev_].giving_up & thread_state::kOffered) != 0) [[unlikely]]
    plain_after_give_up(fresh, j);
  // A thread that just went to sleep could also time out or wake spuriously
  // right away; DPOR moves that step to wherever it races.
  if (prev_ >= 0 && threads_[prev_].st == tstate::blocked) fresh.backtrack |= bit(prev_) & fresh.enabled;
  // A spurious return chosen here (a sleeper not really enabled): the
  // threads that can really go on are explored here too. Where none can,
  // every live thread is blocked (a deadlock, choose_node), so running them
  // on instead may end in a deadlock that the return, a step no other one
  // races with, would hide in every execution DPOR explores from here.
  if (reducing() && (bit(fresh.chosen) & ~real) != 0) fresh.backtrack |= real & fresh.enabled;
  if (reducing()) fresh.backtrack |= woken_by_sleepers(fresh.sleep, fresh.enabled);
  // After a segment whose node holds a wakeup for its chosen thread
  // (add_race_backtrack): that thread is explored here too, and, if another
  // one is explored here first, after that one's segment again (the steps
  // before the race may be several segments of the threads explored first:
  // each goes to sleep behind it, and the race shows again only once the
  // racing thread runs). Within a forced or eager segment, which has one
  // thread enabled, it adds that thread, chosen already.
  if (reducing() && j > 0) {
    const node& seg = nodes_[static_cast<std::size_t>(steps_.back().seg)];
    if (const tmask w = seg.then_after[seg.chosen]; w != 0) {
      fresh.backtrack |= ((w & fresh.enabled) != 0 ? w & fresh.enabled : fresh.enabled) & ~fresh.sleep;
      if ((w & bit(fresh.chosen)) == 0) fresh.then_after[fresh.chosen] |= w;
    }
  }
  if (mode_ == mode::dfs && opt_.shard_count > 1) {
    int upper_branches = 0;
    bool prev_upper = true;
    for (std::size_t k = 0; k + 1 < nodes_.size(); ++k) {  // the nodes above this one
      const node& p = nodes_[k];
      if (p.upper && several(p.enabled & ~p.sleep)) ++upper_branches;
      prev_upper = p.upper;
    }
    // A spinner's give-up that goes on (going_on) ends the prefix: its
    // rounds' choices, and the execution that finds its loop waits and
    // trims them (covered_by_park), are then one subtree, one slice's.
    const thread_rec& ch = threads_[fresh.chosen];
    const bool goes = pending_spin(ch) && (ch.giving_up & thread_state::kOffered) != 0 && goes_on(ch);
    if (upper_branches < split_levels_ && prev_upper && !goes) {
      fresh.upper = true;
      fresh.backtrack = fresh.enabled;
    } else if (prev_upper && !sharded_root_seen_) {
      sharded_root_seen_ = true;
      if (!owns_subtree()) {
        fresh.backtrack = bit(fresh.chosen);
        fresh.done = fresh.enabled;  // nothing here is ours
        end_ = run_end::not_mine;
        return nullptr;
      }
    }
  }
  if (offer != 0) [[unlikely]] {
    const int g = lowest(offer);
    if (mode_ != mode::random && mode_ != mode::pct && (fresh.upper || !site_waits(g, threads_[g].pend.loc)))
      fresh.give_up = static_cast<std::uint8_t>(g + 1);
  }
  return &fresh;
}

// Sleep set of the child (Godefroid): sleepers and explored siblings that
// commute with the chosen step stay asleep. sleep_after (engine.hpp) calls
// this where there are any (carry: node n's, but the chosen thread c). In a
// split search's fully expanded prefix (node::upper) only a thread whose step
// is one step: a sibling's subtree there may be another worker's, so the
// footprint of an opaque call's whole segment (seg_fp_) is not known here,
// and every worker must walk the prefix alike to number the subtrees alike.
//
// A spurious return is allowed only while another thread can move
// (choose_node), so a sleeper's step can disable it: the step that leaves no
// other thread able to move. There, the sleeper run first does not cover the
// orders that take the return first, and a search on past failures
// (options::outcomes) wakes every sleeper at a spurious return. Other
// searches lose nothing that way: the sleeper's branch, explored first, ends
// in a deadlock (every live thread blocked), the search's verdict.
void engine::sleep_carry(node& n, int c, std::int32_t j, bool replayed, tmask carry) {
  for (tmask m = carry; m != 0; m &= m - 1) {
    const int r = lowest(m);
    if (static_cast<std::size_t>(r) >= threads_.size()) continue;
    if (n.upper && opaque(threads_[static_cast<std::size_t>(r)])) continue;
    if (!(n.sleep & bit(r))) {  // falls asleep here
      sleep_mark_[r] = static_cast<std::uint32_t>(msgs_.size());
      auto& fp = sleep_fp_[static_cast<std::size_t>(r)];
      fp.clear();
      if (static_cast<std::size_t>(j) < seg_fp_.size())
        for (const footprint_item& f : seg_fp_[static_cast<std::size_t>(j)])
          if (f.tid == r) fp.push_back(f);
    }
    // A replayed node's step wakes whom it woke last time: the same choices
    // from the start give the same threads and the same sleepers (node::cached).
    const wake_kind w = !replayed                  ? wakes(r, c)
                        : (n.kept_asleep & bit(r)) ? wake_kind::no
                        : (n.woke_to_newer & bit(r)) ? wake_kind::to_read_newer
                                                     : wake_kind::yes;
    switch (w) {
      case wake_kind::no: child_sleep_ |= bit(r); break;
      case wake_kind::to_read_newer: read_mark_[r] = sleep_mark_[r]; break;
      case wake_kind::yes: read_mark_[r] = 0; break;
    }
    if (!replayed && w == wake_kind::to_read_newer) n.woke_to_newer |= bit(r);
  }
  if (!replayed && opt_.outcomes && child_sleep_ != 0) {
    const thread_rec& t = threads_[static_cast<std::size_t>(c)];
    if (t.st == tstate::blocked && !times_out(t)) {  // a spurious return
      for (tmask m = child_sleep_; m != 0; m &= m - 1) read_mark_[lowest(m)] = 0;
      child_sleep_ = 0;
    }
  }
}

// Records step j (thread c, chosen at node n) and does what taking it does
// before the thread runs: the DPOR bookkeeping, a new epoch, leaving a wait.
// Most steps are a runnable thread's atomic access or call (plain_step); the
// rest (a wait's end, a wake, a spin, a traced run's arrows) are out of line
// in step_kind and step_ends, which keeps this function, on every step's
// path, small.
inline void engine::take_step(const node& n, int c, std::int32_t j, std::int32_t seg, bool preempt, bool eager,
                              bool forced) {
  thread_rec& t = threads_[c];
  step_rec& s = steps_.emplace_back();
  s.tid = static_cast<std::uint8_t>(c);
  s.data_choice = n.data_choice;
  s.data_alts = n.data_alts;
  s.preempted = preempt;
  s.eager = eager;
  s.forced = forced;
  s.seg = seg;
  s.call = t.call;
  s.loc = t.pend.loc;
  s.act = t.act;  // the operation it announced (step_kind: what a wait's end or a spin's return is instead)
  s.kind = t.pend.kind;
  s.obj = t.pend.obj;
  const bool plain = plain_step(t) && !tracing_;
  if (!plain) step_kind(s, t, seg, n.enabled);
  if (s.obj < nobj_) objects_[s.obj].changed = j + 1;  // what the step changes (a cell: cell_access)
  if (reducing() && !silent_) dpor_step(c, j);
  ++t.hb.c[c];  // a new epoch for this step
  if (!plain) step_ends(t, c, n.enabled);
  else if (not_idle(t)) t.idle_spins = 0;
  read_mark_[c] = 0;  // its restriction was for the step it has just taken
  beat(c, s.loc.file_name(), s.loc.line(), false);  // the stall watchdog's (watchdog.hpp)
}

// What step s of thread t is, when not a plain step (take_step).
void engine::step_kind(step_rec& s, thread_rec& t, std::int32_t seg, tmask enabled) {
  if (tracing()) {  // the exports' arrows (the report's replay is the one traced run)
    if (t.act == action::wake_return) s.sync_from = t.wake_step;
    else if (!t.stepped) s.sync_from = t.spawn_step;
    t.stepped = true;
    // A switch that would preempt and does not (plan_step) is the fair scheduler's.
    s.fair = !s.preempted && !s.eager && !s.forced && s.tid != prev_ &&
             switch_preempts(static_cast<std::int32_t>(steps_.size()) - 1, enabled);
  }
  if (t.st == tstate::blocked) {
    s.act = times_out(t) ? action::timeout : action::spurious;
    if (holder_dead(t)) s.aux = static_cast<std::uint32_t>(t.holder);  // the report names the dead holder
  }
  if (t.st == tstate::blocked || t.act == action::wake_return) {  // the wait's end
    s.kind = op::wait;
    s.obj = t.wait_obj;
  } else if (t.act == action::step && t.pend.kind == op::spin) {
    s.act = action::spin_return;
    if (clock_spin(t) && !stale(t)) s.aux = 1;  // time passes (the clock rule)
  }
  // A wake disables its sleepers' pending time-out or spurious return, and a
  // disabled step never appears as a race: explore "it fired just before this
  // wake" explicitly (the classic DPOR rule for disabling transitions).
  // (Inside an opaque call: before its segment, the last choice. A sleeper's
  // wake, which does not run: engine::woken_by_sleepers.)
  if ((t.pend.kind == op::wake_one || t.pend.kind == op::wake_all) && t.st == tstate::runnable &&
      t.act == action::step && reducing() && !silent_ &&
      static_cast<std::size_t>(seg) < nodes_.size() && !nodes_[static_cast<std::size_t>(seg)].upper) {
    node& b = nodes_[static_cast<std::size_t>(seg)];
    b.backtrack |= waiting_on(t.pend.obj) & b.enabled;
  }
}

// Performs a step that is not a plain one (take_step): blocked threads leave
// their wait here; everything else runs on its fiber.
void engine::step_ends(thread_rec& t, int c, tmask enabled) {
  if (t.st == tstate::blocked) {
    auto& w = objects_[t.wait_obj].waiters;
    w.erase(std::remove(w.begin(), w.end(), static_cast<std::uint8_t>(c)), w.end());
    if (holder_dead(t)) {  // a liveness slice found the holder dead: no time passes
      t.wres = wait_result::timed_out;
    } else if (t.timed) {
      t.wres = wait_result::timed_out;
      time_passes(t, c, enabled, std::max(time_of(t), t.deadline));
    } else {
      t.wres = wait_result::woken;
      --t.spurious_left;
    }
    t.st = tstate::runnable;
    t.since = static_cast<std::int32_t>(steps_.size()) - 1;
  } else if (t.act == action::wake_return) {
    t.hb.join(t.wake_hb);
  }
  if (t.act == action::step && t.pend.kind == op::spin) {
    // A round past its idle budget (giving_up, give_up_offer): of the loop
    // whose spin began them, or the first.
    if (!past_budget(t)) {
      t.giving_up = 0;
    } else if (!goes_on(t)) {
      enabled_sets es;
      const std::uint8_t site = give_up_site(c, t.pend.loc);
      t.giving_up = site == 0 ? 0 : real_enabled(es) != 0 || t.held_off ? site | thread_state::kOffered : site;
    }
    // A spin that yields counts as a time-out (fairness across time-outs).
    const bool wrote = round_wrote(c, steps_.size() - 1);  // (the spin is the last step)
    t.writing_rounds = wrote ? static_cast<std::uint8_t>(std::min(t.writing_rounds + 1, 255)) : 0;
    if (wrote && writes_as_it_goes(t)) count_late(c, enabled);  // it yielded (yields)
    if (rc11())  // rounds that read the same values again (see list_choices)
      t.repeats = same_values(t) ? t.repeats + 1 : 0;
    if (clock_spin(t) && !stale(t)) {  // its time doubles (the clock rule)
      const std::int64_t now = time_of(t);
      time_passes(t, c, enabled, now > kLastTime / 2 ? kLastTime : 2 * now);
    }
    const int idle = idle_rounds(t);
    t.idle_spins = idle + 1;
    // The streak: what the loop's rounds read since it last saw news, each
    // location's latest read. A round that starts a count (news, or a write
    // of its own before it) starts it afresh; under RC11, one that read another
    // value (a store after the one it read, of the value it read, is news
    // for the count but no other value: RC11's newer reads go on).
    if (rc11() ? t.repeats == 0 : idle == 0) {
      t.streak = t.spin_reads;
    } else {
      for (const spin_read& r : t.spin_reads) {
        if (spin_read* s = read_of(t.streak, r.obj)) {
          *s = r;
          s->again = true;
        } else {
          t.streak.push_back(r);
        }
      }
    }
    t.spin_reads.clear();  // the next spin waits on what the next round reads
    t.read_clock = false;
    t.held_off = false;
  } else if (not_idle(t)) {
    t.idle_spins = 0;
  }
  t.act = action::step;
}

// Step j of a recorded schedule cannot be taken as recorded (what: how). Two
// causes give the same symptom, and the report names both: a check body that
// depends on something other than the schedule, or a replay token recorded by
// an older build of the code.
void engine::diverge(std::int32_t j, const std::string& what) {
  fail(verdict::nondeterminism,
       "replaying a recorded schedule diverged at step " + std::to_string(j + 1) + ": " + what +
           ". The check body is not deterministic: it depends on something other than the schedule (time, "
           "addresses, randomness, state kept across runs). Or, replaying a token, the token is older than the "
           "code: a token names a schedule of the build that printed it; if the check, the code it calls or "
           "weave changed since, run the check again for a fresh one.");
  end_ = run_end::diverged;
}

// The node of step j when it is worked out (not a cached one): which threads
// may run (real: those really enabled), whether the step is forced (the next
// step of an opaque call) or eager (an enabled join), and the node. nullptr
// with end_ set: the execution ends here.
node* engine::choose_node(std::int32_t j, tmask& real, bool& forced, bool& eager) {
  enabled_sets es;
  real = real_enabled(es);
  const tmask spur = es.spurious;
  const bool all_finished = es.finished == (bit(static_cast<int>(threads_.size())) - 1);
  if (silent_ && real == 0) return nullptr;  // ran on as far as it goes
  if (silent_ && steps_.size() - silent_from_ >= std::min<std::uint64_t>(opt_.max_steps, kSilentSteps)) {
    stuck_ = true;  // a livelock: its fibers are left, not unwound (teardown)
    return nullptr;
  }
  if (all_finished) {
    for (std::size_t t = 1; t < threads_.size(); ++t) {
      if (!threads_[t].joined) {
        fail(verdict::unjoined_thread, "thread " + thread_name(static_cast<int>(t)) + " finished but was never joined");
        break;
      }
    }
    end_ = failed_ ? run_end::failed : run_end::complete;
    capture_outcome();
    return nullptr;
  }
  // Spinners past their budget. No waiter's spurious return beside their
  // spins: one just before a spin is the one just after it, at the round's
  // next step, where it is a choice (once a round, not twice).
  bool give_up = false;
  if (real == 0 && !silent_) {
    real = giving_up(j);
    give_up = real != 0;
  }
  if (real == 0) {
    // Under RC11, a loop that gave up (held_off_read) and went round as far
    // as it may waits for no write: the store it held off is there to read.
    // The execution in which it read it covers this one.
    for (std::size_t i = 0; i < threads_.size(); ++i) {
      if (threads_[i].held_off && pending_spin(threads_[i]) && !silent_) {
        covered_by_park(static_cast<int>(i));
        return nullptr;
      }
    }
    // The footer (who holds what) is the report's, rendered from the replay:
    // only a traced run records lock holders (lock_hook).
    fail(verdict::deadlock, "every live thread is blocked", tracing() ? deadlock_footer() : std::string());
    end_ = run_end::failed;
    capture_outcome();
    return nullptr;
  }
  if (static_cast<std::uint64_t>(j) >= opt_.max_steps && !silent_) {
    livelocked();
    return nullptr;
  }
  if (es.gone_on != 0 && !give_up && !silent_) [[unlikely]] {  // while another can run (going_on)
    const int g = going_on(es.gone_on, j);
    if (g == -2) return nullptr;  // covered by the execution in which it parked
    if (g >= 0) {
      real = bit(g);
      return pick_node(j, real, real);
    }
  }
  tmask cands = give_up ? real : real | spur;
  // Opaque primitives: the next step of a call the previous step was in runs
  // at once, as a step of that segment (calls.cpp).
  if (opaque_primitives() && prev_ >= 0 && (real & bit(prev_)) && continues_call(prev_)) {
    cands = bit(prev_);
    forced = true;
  }
  // An enabled join only reads "T finished", which never changes again: it
  // commutes with everything, so it runs at once instead of being a choice.
  eager = !forced && es.joins != 0;
  if (eager) cands = bit(lowest(es.joins));
  node* const n = pick_node(j, cands, real, give_up_offer(cands, real));
  // Which of several spinners goes on first is a choice the reduction sees
  // no race for (the rounds read, and the first to leave its loop orders the
  // other's after it): each is explored.
  if (give_up && n != nullptr && reducing()) n->backtrack |= real;
  if (n != nullptr && !silent_) {
    // (The threads that a spent preemption bound kept from running could
    // run too, as in count_late.)
    const tmask late = late_if_it_runs(n->chosen, !forced && !eager ? n->enabled | real : n->enabled);
    if (late != 0) [[unlikely]] {
      // The search runs them here instead (never run here, they showed no
      // race), also where a spent preemption bound kept them from running
      // (pick_node): that switch is a fair scheduler's, no preemption
      // (plan_step). Without it a search bounded to 0 preemptions cut a
      // poll with a clock read ahead of the thread it waits for, and ran no
      // execution to its end: a missed bug (soundness_test::
      // a_bounded_search_runs_a_late_thread_at_its_cut).
      n->backtrack |= late;
      n->enabled |= late;
      cut_unfair(j);
      return nullptr;
    }
  }
  return n;
}

// Whether a step of thread c below `below`, since its previous spin, is a
// futex wait (round_wrote).
bool engine::round_slept(int c, std::size_t below) const {
  for (std::size_t k = below; k-- > 0;) {
    const step_rec& s = steps_[k];
    if (s.tid != c) continue;
    if (s.act == action::spin_return) return false;
    if (s.kind == op::wait) return true;
  }
  return false;
}

// Fairness across time-outs. A timed wait's time-out (or a clock spin's
// passing of time, clock_spin) means time passed, and a fair scheduler runs a
// thread that can run in that time, until it blocks: a thread that could
// have run at options::late_time_outs time-outs of other threads in a row,
// and neither fell asleep nor woke during their waits, is late enough
// (late_after_time_out). An execution that
// would time out once more without running it is no execution the search
// needs: it is cut (run_end::unfair: the search is then bounded, not
// exhaustive), and the thread runs there instead. Without the cut a loop of
// timed waits (`while (!ev.wait_for(100ms)) {}`, Python's `while not
// ev.wait(0.1)`) with another thread about to set ev was reported as a
// livelock: the search ran the schedule in which it times out for ever and
// the other thread never runs. A busy loop gets no such pass: it has no
// time-out (the livelock's report says to call S::spin()).

// An execution is cut at node j. The sleep sets assume that a thread's step
// explored at a node stands for every execution that begins with it there;
// where an execution below was cut, some of those were never run, and the
// same schedules in another order may be fair. So the threads chosen on the
// way to the cut do not fall asleep in their siblings' branches (sleep_after):
// without this a poll loop cut at once was its only branch, every other one
// sleep-blocked, and the search ran no execution at all.
void engine::cut_unfair(std::int32_t j) {
  end_ = run_end::unfair;  // plan_step runs the threads on silently to their ends (go_silent)
  for (std::int32_t k = 0; k <= j && static_cast<std::size_t>(k) < nodes_.size(); ++k) {
    node& n = nodes_[static_cast<std::size_t>(k)];
    n.cut = static_cast<std::uint8_t>(n.cut | bit(n.chosen));
  }
}

// How late thread u is once thread c times out at a node whose candidates
// are `enabled`, c having waited since step `from` (waited_from): time-outs
// in a row at which it could run (0: it cannot run, or it is c, whose
// time-out is a run of its own). They are in a row while it neither falls
// asleep nor wakes during the others' waits (thread_state::since; if it did,
// the count starts again): a time-out means time passed, and meanwhile a
// fair scheduler runs a thread that can run until it blocks. The steps it
// takes meanwhile do not count. When they did, a thread that went round a
// lock's loop, one step between the holder's time-outs (its exchange found
// the lock taken, its futex wait found the word changed), was never late,
// and `while (!ready) { unlock(); timed wait; lock(); }` under a futex lock
// was a livelock (soundness_test::a_thread_that_only_fails_to_lock_is_late).
// Nor does a sleep between the others' waits count: a thread woken and sent
// back to sleep again and again (its lock taken back by a waiter that timed
// out meanwhile) stays as late as it was. A thread asleep in a wait that may end by
// itself (a timed wait, whose time-out the search may take at any step, or
// one whose holder died) can run: without it, two threads that each wait
// in a loop of timed waits for the other's store (a hand-shake) timed out in
// turn for ever, the one whose store would end it asleep in its own timed
// wait, and a correct program was reported as a livelock (soundness_test::
// a_thread_asleep_in_a_timed_wait_is_late).
int engine::late_after_time_out(std::size_t u, int c, tmask enabled, std::int32_t from) const {
  const thread_rec& t = threads_[u];
  const bool could = t.st == tstate::runnable || (t.st == tstate::blocked && times_out(t));
  if (static_cast<int>(u) == c || !could || (enabled & bit(static_cast<int>(u))) == 0) return 0;
  const int before = t.since < from ? t.late : 0;
  return std::min(before + 1, 255);
}

// Where thread c's wait for the time that its step j lets pass began: its
// futex wait's sleep, or its loop's previous spin.
std::int32_t engine::waited_from(int c, std::int32_t j) const {
  const thread_rec& t = threads_[static_cast<std::size_t>(c)];
  return t.st == tstate::blocked ? t.since : previous_spin(c, j);
}

// time_of where some thread has timed out.
std::int64_t engine::marked_time_of(const thread_rec& t) const noexcept {
  return chain_max(times_, time_last_, threads_.size(), t.hb.c, t.now, [](const time_mark& m) { return m.ns; });
}

// The threads that would be too late if thread c timed out (choose_node).
tmask engine::starved_by_time_out(int c, tmask enabled) const {
  tmask late = 0;
  const std::int32_t from = waited_from(c, static_cast<std::int32_t>(steps_.size()));
  for (std::size_t u = 0; u < threads_.size(); ++u)
    if (late_after_time_out(u, c, enabled, from) > opt_.late_time_outs) late |= bit(static_cast<int>(u));
  return late;
}

// Thread c's step lets time pass, to ns (step_ends: a time-out, a clock
// spin): every other thread's lateness moves on (count_late).
void engine::time_passes(thread_rec& t, int c, tmask enabled, std::int64_t ns) {
  count_late(c, enabled);
  set_time(t, c, ns);
}

// Thread c times out (step_ends: its step, the last one, ran at a node whose
// candidates were `enabled`): every other thread's lateness moves on. The
// threads that a spent preemption bound kept from running there (pick_node)
// could run too: a fair scheduler runs them. Without them, a search bounded
// by preemptions ran a loop that lets time pass (a clock spin, a spin that
// yields) for ever ahead of the thread it waits for, and the shortest
// counterexample, replayed unbounded, was cut there as unfair: a report of
// NONDETERMINISM (soundness_test::a_bounded_search_is_fair_at_a_clock_spin).
void engine::count_late(int c, tmask enabled) {
  if (!steps_.back().forced && !steps_.back().eager) {
    enabled_sets es;
    enabled |= real_enabled(es);
  }
  const std::int32_t from = waited_from(c, static_cast<std::int32_t>(steps_.size()) - 1);
  for (std::size_t u = 0; u < threads_.size(); ++u)
    threads_[u].late = static_cast<std::uint8_t>(late_after_time_out(u, c, enabled, from));
}

// The step bound is reached (out of line: choose_node is on every step's path).
void engine::livelocked() {
  fail(verdict::livelock, "execution exceeded " + std::to_string(opt_.max_steps) +
                              " steps (livelock or non-termination; raise .max_steps if the model is just long)" +
                              spinning_without_spin());
  end_ = run_end::failed;
}

// A livelock's likely cause, for its message: a thread that took at least
// half of the last steps, every one a read (a load, a failed
// compare_exchange, an RMW that wrote back what it read): a loop waiting
// for another thread without S::spin(). The search then also runs the
// unfair schedules in which it spins for ever and the other thread never
// runs; with S::spin() the await rule runs it again only once something it
// read has changed.
std::string engine::spinning_without_spin() const {
  constexpr std::size_t kWindow = 200;
  const std::size_t from = steps_.size() > kWindow ? steps_.size() - kWindow : 0;
  for (std::size_t c = 0; c < threads_.size(); ++c) {
    std::size_t mine = 0;
    bool reads_only = true;
    std::vector<std::string> what;  // its reads, by object and line
    for (std::size_t k = from; k < steps_.size() && reads_only; ++k) {
      const step_rec& st = steps_[k];
      if (st.tid != c) continue;
      ++mine;
      const bool rewrite = st.kind == op::rmw && st.has_old && st.old == st.value;
      reads_only = st.act == action::step && (st.kind == op::load || st.kind == op::cas_fail || rewrite);
      if (!reads_only || what.size() == 3) continue;
      std::string w = obj_name(st.obj) + " at " + where(st.loc);
      if (std::find(what.begin(), what.end(), w) == what.end()) what.push_back(std::move(w));
    }
    if (!reads_only || mine * 2 < steps_.size() - from || mine < 20) continue;
    std::string reads;
    for (const std::string& w : what) reads += (reads.empty() ? "" : ", ") + w;
    return ".\n" + thread_name(static_cast<int>(c)) + " took " + std::to_string(mine) + " of the last " +
           std::to_string(steps_.size() - from) + " steps, each a read (" + reads +
           "), and wrote nothing: a loop that\nwaits for another thread. Call weave::model_sync::spin() in it "
           "(S::spin()): the checker then runs it again\nonly once something it read has changed (the await "
           "rule). Without it the search also runs the\nschedules in which it spins for ever and the thread "
           "it waits for never runs.";
  }
  return {};
}

// Plans the next step: picks its thread (and data choice), records it, and
// does what taking it does before the thread runs (leaving a wait, a new
// epoch). Returns that thread, or -1 when the execution ends (end_ says how).
// It runs on the scheduler's stack, or on the stack of the thread that has
// just taken a step (engine::visible).
void engine::start_spawned() {
  fresh_pending_ = false;
  for (std::size_t t = 0; t < threads_.size(); ++t)
    if (threads_[t].st == tstate::fresh) start_thread(static_cast<int>(t));
}

int engine::plan_step() {
  for (;;) {
    start_fresh();  // (a thread that starts runs the program's code first, after its own beat)
    planning();     // till the step's beat (take_step): a stall meanwhile is the checker's (watchdog.hpp)
    if (failed_ && !silent_) {
      end_ = run_end::failed;
      capture_outcome();
      if (go_silent()) continue;
      return -1;
    }
    const auto j = static_cast<std::int32_t>(steps_.size());
    // A node that this execution replays with last time's choices: the same
    // choices from the start give the same state, so what the scheduler worked
    // out there last time stands (node::cached), and only the chosen step's
    // signature is checked. A traced replay (mode::replay) works it all out.
    node* const again = reuses_nodes() && static_cast<std::size_t>(j) < nodes_.size() &&
                                nodes_[static_cast<std::size_t>(j)].cached
                            ? &nodes_[static_cast<std::size_t>(j)]
                            : nullptr;
    replayed_step_ = again != nullptr;
    if (j == ff_to_ && !silent_) verify_snapshot(j);  // (not again where it goes on silently: go_silent)
    if (again == nullptr && !snapped_) take_snapshot(j);  // the first new choice (forward.cpp)
    tmask real = 0;
    bool forced = false, eager = false;
    node* n;
    if (again != nullptr) {
      forced = again->forced;
      eager = again->eager;
      n = again;
    } else {
      n = choose_node(j, real, forced, eager);
      if (n == nullptr) {
        // (failed: a livelock's threads run on too, in turn, to leave the
        // loop that never parks; a deadlock's have nothing to run)
        if ((end_ == run_end::sleep_blocked || end_ == run_end::not_mine || end_ == run_end::unfair ||
             end_ == run_end::failed || end_ == run_end::covered) &&
            go_silent())
          continue;
        return -1;
      }
    }
    const std::int32_t seg = forced ? steps_.back().seg : j;
    const int c = n->chosen;
    {
      const thread_rec& ct = threads_[c];
      const std::uint32_t sig = (static_cast<std::uint32_t>(ct.st) << 28) ^ (static_cast<std::uint32_t>(ct.pend.kind) << 20) ^
                                ct.pend.loc.line() ^ (ct.pend.obj << 12) ^ 0x80000000u;
      if (n->sig == 0 || mode_ == mode::replay) {
        n->sig = sig;
      } else if (n->sig != sig) {
        diverge(j, "T" + std::to_string(c) + " is about to do something else than last time (now at " +
                       where(ct.pend.loc) + ")");
        return -1;
      }
    }
    const bool mem = mem_pending(threads_[c]);
    if (again != nullptr) {
      if (mem && (again->choice.msg >= msgs_.size() || msgs_[again->choice.msg].obj != threads_[c].pend.obj)) {
        diverge(j, "the store read last time is not there");
        return -1;
      }
      if (mem) chosen_ = again->choice;
    } else {
      const std::uint16_t alts = data_alts_for(c, mem);
      // No choice: every store it may read was covered where it fell asleep. A
      // fresh node keeps such a thread asleep (covered_here), so the search never
      // picks one; this only guards choices_ against an empty list.
      if (alts == 0) {
        n->data_alts = 1;
        end_ = run_end::sleep_blocked;
        if (go_silent()) continue;
        return -1;
      }
      if (!silent_ && (n->data_choice >= alts || (n->data_choice != 0 && mode_ != mode::replay && n->data_alts != alts))) {
        diverge(j, "a different number of choices (sleepers to wake, stores to read)");
        return -1;
      }
      n->data_alts = alts;
      if (mode_ == mode::random || mode_ == mode::pct) n->data_choice = sample_choice(c, alts, mem);
      if (mem) chosen_ = choices_[n->data_choice];
    }
    data_choice_ = n->data_choice;
    // RC11: whether a spin loop's round gave up (held_off_read), or, where a
    // loop there was found to wait, the execution ends, covered.
    if (const thread_rec& ct = threads_[c]; mem && (ct.held_off || ct.repeats >= model_sync::spin_budget) && rc11() &&
                                            !silent_ && !held_off_read(*n, c, j, again == nullptr)) [[unlikely]] {
      if (go_silent()) continue;
      return -1;
    }
    if (mem && !times_.empty() && rc11() && !silent_ && stale_past_time_outs(c)) [[unlikely]] {
      cut_unfair(j);
      if (go_silent()) continue;
      return -1;
    }
    sleep_after(*n, c, j, again != nullptr);
    const bool preempt = again != nullptr ? again->preempt
                                          : !eager && !forced && c != prev_ && switch_preempts(j, real) &&
                                                (late_if_it_runs(prev_, n->enabled | real) & bit(c)) == 0;
    if (again == nullptr && reuses_nodes()) {
      n->cached = true;
      n->forced = forced;
      n->eager = eager;
      n->preempt = preempt;
      if (mem) n->choice = chosen_;
    }
    if (preempt && !silent_) ++preemptions_;
    // A token names a read by its place among all the stores it may read.
    const auto whole = mem && read_mark_[c] != 0 ? choice_in_full_list(c) : std::nullopt;
    take_step(*n, c, j, seg, preempt, eager, forced);
    if (whole) [[unlikely]] std::tie(steps_.back().data_choice, steps_.back().data_alts) = *whole;
    taking_ = j;
    return c;
  }
}

// finish_step's rare cases, out of line: inlined, thread_died made every
// step's finish save and restore the registers it uses.
void engine::finish_rare(int c, std::int32_t j) {
  if (threads_[c].st == tstate::finished) {
    life_[static_cast<std::size_t>(c)].writes.push_back(j);  // S::alive(c) has something new to read (the await rule)
    life_[static_cast<std::size_t>(c)].changed = j + 1;
    if (reducing()) thread_died(c, j);
    // Someone asked after it in this execution (memory.cpp; a question is
    // counted in sc_fences_, the cheap test first). Not ends_wanted_: a
    // replay of the execution that first asked has it from its token only.
    if (rc11() && sc_fences_ > 0 && has_life_event(c, false)) life_event(c, c, kNoMsg, kLifeEnd);
  }
  if (tracing()) {  // what the report's rows say after a step (report.cpp)
    step_rec& done = steps_[static_cast<std::size_t>(j)];
    done.after = threads_[c].st;
    done.after_kind = threads_[c].pend.kind;
    done.after_target = threads_[c].join_target;
    if (done.call >= 0) done.note = calls_[static_cast<std::size_t>(done.call)].note;
  }
}

run_end engine::run_execution(const std::function<void()>& body) {
  ff_begin();
  reset_execution();
  running_ = true;
  // A check in a check (model::check called in a model thread): the outer
  // one's engine is current again when this execution ends.
  engine* const outer_current = std::exchange(current, this);
  const engine* const outer = std::exchange(running_here_, this);
  threads_.emplace_back();
  threads_[0].fn = body;
  threads_[0].hb.c[0] = 1;
  fresh_pending_ = true;
  threads_[0].now = kStartTime;
  threads_[0].spurious_left = threads_[0].spurious_cas_left = opt_.spurious_wakeups;
  if (mode_ == mode::pct) {
    const int k = std::max(1, opt_.pct_depth);
    for (int t = 0; t < kMaxThreads; ++t) prio_[t] = k + static_cast<int>(rng()() % 1000);
    change_points_.clear();
    for (int i = 1; i < k; ++i) change_points_.push_back(static_cast<std::uint32_t>(rng()() % max_steps_seen_));
  }
  end_ = run_end::complete;
  sharded_root_seen_ = false;
  for (int c = ff_ ? ff_plan() : plan_step(); c >= 0;) {
    enter(c, -1);  // threads hand the processor to each other (hand_over) until one comes back here
    if (planned_end_) {  // it planned the step after its own and found the end
      planned_end_ = false;
      c = -1;
    } else if (ff_) {  // it yielded without planning
      c = ff_plan();
    } else {  // it finished, or yielded without planning
      finish_step();
      c = plan_step();
    }
  }
  ff_ = false;  // ended before the snapshot's step (diverged)
  run_end end = end_;
  if (silent_) {  // what ran silently is no part of this execution
    steps_.resize(silent_from_);
    silent_ = false;
  }
  // An execution that ended inside the fully expanded prefix belongs to one
  // shard too (every shard walks the prefix the same way). One that stopped
  // at a node below it before stepping there (sleep-blocked when replaying a
  // subtree's root) is that subtree's: counting it here would number the
  // subtrees differently in the worker that explores that subtree.
  bool crossed = sharded_root_seen_;
  for (std::size_t k = 0; k <= steps_.size() && k < nodes_.size() && !crossed; ++k) crossed = !nodes_[k].upper;
  if (mode_ == mode::dfs && opt_.shard_count > 1 && !crossed && end != run_end::not_mine) {
    if (!owns_subtree()) end = run_end::not_mine;
  }
  if (foreign_use_.load(std::memory_order_relaxed)) {  // the first cause of whatever else happened
    failed_ = false;
    fail(verdict::usage_error,
         "a model object was used from an OS thread the checker does not run (a std::thread started in the "
         "body?): the checker sees only model threads. Start threads with weave::model::thread, and use "
         "weave::model_sync::atomic / cell and weave::model:: primitives only from them.");
    end = run_end::failed;
  }
  running_ = false;  // before teardown: what the unwinding fibers do is no operation of the check
  planned();         // their destructors are the program's code (the stall watchdog's)
  teardown(end == run_end::failed || end == run_end::diverged);
  current = outer_current;
  running_here_ = outer;
  if (end == run_end::diverged) {
    failed_ = true;
    end = run_end::failed;
  }
  if (end == run_end::not_mine) failed_ = false;
  return end;
}

// ---------------------------------------------------------------------------
// Search drivers
// ---------------------------------------------------------------------------

bool engine::owns_subtree() {
  const std::uint64_t k = subtree_counter_++;
  if (claims_ != nullptr && k < claims_size_) {
    // The first worker to get here takes the subtree.
    return __atomic_exchange_n(&claims_[k], static_cast<unsigned char>(1), __ATOMIC_ACQ_REL) == 0;
  }
  return k % static_cast<std::uint64_t>(opt_.shard_count) == static_cast<std::uint64_t>(opt_.shard_index);
}

bool engine::backtrack() {
  while (!nodes_.empty()) {
    node& n = nodes_.back();
    n.cached = false;  // a choice changes here: work it out again
    n.gave_up_read = false;
    if (n.data_choice + 1 < n.data_alts) {
      ++n.data_choice;
      return true;
    }
    n.done |= bit(n.chosen);
    const tmask cand = n.backtrack & n.enabled & ~n.done & ~n.sleep;
    if (cand || n.give_up != 0) {  // the next thread, or, last, the offered give-up (give_up_offer)
      n.chosen = static_cast<std::uint8_t>(cand ? lowest(cand) : n.give_up - 1);
      if (!cand) n.give_up = 0;
      n.data_choice = 0;
      n.data_alts = 1;
      n.sig = 0;
      return true;
    }
    if (nodes_.size() <= seg_fp_.size()) seg_fp_[nodes_.size() - 1].clear();  // the node's footprints go with it
    nodes_.pop_back();
  }
  return false;
}

std::string engine::token() const {
  std::string s;
  s.reserve(steps_.size() * 2 + 1);
  if (ends_are_steps_) s += kEndsMark;
  for (const step_rec& st : steps_) {
    s += choice_char(st.tid);
    if (st.data_alts > 1) {  // '.' and one digit, or ':' and two
      if (st.data_choice < kBase) {
        s += '.';
      } else {
        s += ':';
        s += choice_char(st.data_choice / kBase);
      }
      s += choice_char(st.data_choice % kBase);
    }
  }
  return s;
}

// A new search (or a replay): no nodes. Their footprints are emptied, not
// freed: the next search's nodes reuse them.
void engine::clear_search_stack() noexcept {
  nodes_.clear();
  nsnaps_ = 0;  // snapshots belong to the nodes above them
  backtracked_ = -1;
  for (auto& fp : seg_fp_) fp.clear();
}

bool engine::parse_token(std::string_view tok) {
  clear_search_stack();
  ends_wanted_ = !tok.empty() && tok.front() == kEndsMark;
  if (ends_wanted_) tok.remove_prefix(1);
  for (std::size_t i = 0; i < tok.size(); ++i) {
    const int c = choice_value(tok[i]);
    if (c < 0 || c >= kMaxThreads) return false;
    node& n = nodes_.emplace_back();  // in place: a node built on the stack and copied stalls on its narrow stores
    n.chosen = static_cast<std::uint8_t>(c);
    if (i + 1 < tok.size() && (tok[i + 1] == '.' || tok[i + 1] == ':')) {
      const std::size_t digits = tok[i + 1] == '.' ? 1 : 2;
      if (i + 1 + digits >= tok.size()) return false;
      int d = 0;
      for (std::size_t k = 0; k < digits; ++k) {
        const int v = choice_value(tok[i + 2 + k]);
        if (v < 0 || v >= kBase) return false;
        d = d * kBase + v;
      }
      n.data_choice = static_cast<std::uint16_t>(d);
      n.data_alts = static_cast<std::uint16_t>(d + 1);
      i += 1 + digits;
    }
  }
  return true;
}

namespace {
using sclock = std::chrono::steady_clock;
double seconds_since(sclock::time_point t0) {
  return std::chrono::duration<double>(sclock::now() - t0).count();
}

// How often a search reads the clock (for .time_budget and the progress
// line): about every 20 ms, and at most every 256 executions where they take
// microseconds. An execution may take a second (RC11's SC order over many
// seq_cst events, a sanitizer): a read every 256 executions ran a search with
// a 3 s budget for 64 s. The first read is after the first execution.
class clock_stride {
 public:
  explicit clock_stride(sclock::time_point start) noexcept : last_(start) {}
  bool due() noexcept { return --left_ == 0; }
  void read_at(sclock::time_point now) noexcept {
    const std::int64_t gap = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_).count();
    last_ = now;
    every_ = static_cast<std::uint32_t>(std::clamp<std::int64_t>(every_ * kAimNs / std::max<std::int64_t>(gap, 1), 1, 256));
    left_ = every_;
  }

 private:
  static constexpr std::int64_t kAimNs = 20'000'000;
  sclock::time_point last_;
  std::uint32_t every_ = 1, left_ = 1;
};
}  // namespace

result engine::search(const std::function<void()>& body, mode m, int bound) {
  set_mode(m);
  bound_ = bound;
  clear_search_stack();
  subtree_counter_ = 0;
  give_up_sites_.clear();
  result r;
  const auto t0 = sclock::now();
  auto last_progress = t0;
  const bool show_progress = opt_.progress && isatty(2);
  std::uint64_t runs = 0;
  clock_stride stride(t0);
  bool cut = false;
  saw_model_ = false;
  first_token_.clear();
  restart_ = false;
  if (m == mode::dfs && opt_.shard_count > 1) ends_wanted_ = true;  // a slice's tree is every slice's (asked_after_life)
  for (;;) {
    const run_end end = run_execution(body);
    if (restart_) {  // the check asks whether a thread lives: a new search, with threads' ends as steps
      if (opt_.verbose) std::fprintf(stderr, "weave: a step asked whether a thread lives: the search starts again, "
                                             "with every thread's end a step of its own\n");
      outcome_table_.clear();
      return search(body, m, bound);  // once: ends_wanted_ is set
    }
    ++runs;
    if (opt_.verbose) {  // every execution's schedule, as a replay token, and how it ended
      const char* how = end == run_end::complete        ? "complete"
                        : end == run_end::failed        ? to_string(fail_.v)
                        : end == run_end::sleep_blocked ? "sleep-blocked (covered by another execution)"
                        : end == run_end::unfair        ? "cut: a thread that could run let time-outs pass (unfair)"
                        : end == run_end::covered       ? "covered: a loop went round past its idle budget and waits "
                                                          "(by the execution in which it parked)"
                                                        : "another shard's";
      std::fprintf(stderr, "weave: execution %llu: %s  %s\n", static_cast<unsigned long long>(runs),
                   token().c_str(), how);
    }
    // The first execution that ran to its end is kept, to be run again at the
    // end. A cut one's token stops at the cut, whose choice it does not hold
    // (a random or PCT search's): its replay ran on past it, by the default
    // schedule, and a PCT search of a correct loop of timed waits, which cut
    // its first execution before pick_sample, was reported as NONDETERMINISM
    // (soundness_test::a_random_search_runs_a_late_thread).
    if (first_token_.empty() && (end == run_end::complete || end == run_end::failed)) {
      first_steps_ = steps_;
      first_token_ = token();
      first_verdict_ = end == run_end::failed ? fail_.v : verdict::pass;
    }
    if (end == run_end::complete) ++r.executions;
    else if (end == run_end::sleep_blocked || end == run_end::covered) ++r.blocked;
    else if (end == run_end::unfair) ++r.unfair;
    const bool go_on = opt_.outcomes;  // --outcomes: a failed execution does not end the search
    if (go_on && (end == run_end::complete || end == run_end::failed)) {
      for (const auto& [name, value] : final_values_) add_outcome(outcome_table_, name, value, 1, [this] { return token(); });
    }
    if (end == run_end::failed) {
      ++r.executions;
      if (r.found == verdict::pass) {  // the first failure is the verdict
        r.found = fail_.v;
        r.replay = token();
        r.preemptions = preemptions_;
        r.report = fail_.message;  // replaced by the full report later
        failure_ = fail_;
        stale_reads_ = 0;
        for (const step_rec& st : steps_) stale_reads_ += st.newer != kNoMsg ? 1 : 0;
      }
      if (!go_on) break;
    }
    // On past a failure, the branches of its schedule are explored as plain
    // DFS explores them: every thread enabled at each of its nodes. DPOR
    // reverses the races of maximal executions, and this one was cut at
    // the failure: the steps the other threads would have taken after it,
    // and their races, are in no execution the search explores
    // (differential_test's second family: an over-release of a bounded
    // semaphore hid the acquire that could have come before it).
    // So are a cut execution's (cut_unfair). DPOR runs one schedule of each
    // class of equivalent ones, and fairness tells them apart: the one it
    // ran may be cut where another order of the same steps is fair (a
    // poller's time-outs, moved between the steps of the thread they made
    // late). Without this, reduction saw fewer outcomes than plain DFS.
    if ((end == run_end::failed || end == run_end::unfair) && reducing())
      for (node& n : nodes_) n.backtrack |= n.enabled;
    // The bounds hold for a search that goes on past failures too.
    if (stride.due()) {
      const auto now = sclock::now();
      stride.read_at(now);
      if (opt_.time_budget > 0 && std::chrono::duration<double>(now - t0).count() > opt_.time_budget) {
        cut = true;
        break;
      }
      if (show_progress && now - last_progress > std::chrono::milliseconds(250)) {
        last_progress = now;
        const double el = std::chrono::duration<double>(now - t0).count();
        // A search that explodes: suggest a bound (a bounded pass is no proof, but it answers).
        const bool big = m == mode::dfs && r.executions >= 1'000'000;
        std::fprintf(stderr, "\r  %llu executions, %.0f/s, %.1fs elapsed, shard %d/%d%s   ",
                     static_cast<unsigned long long>(r.executions), r.executions / std::max(el, 1e-9), el,
                     opt_.shard_index + 1, opt_.shard_count,
                     big ? "; large: try --preemptions 2 (bugs need few preemptions)" : "");
      }
    }
    if (opt_.max_executions != 0 && r.executions >= opt_.max_executions) {
      cut = true;
      break;
    }
    if (m == mode::random || m == mode::pct) {
      if (runs >= opt_.iterations) break;
      nodes_.clear();
      seg_fp_.clear();
      continue;
    }
    if (!backtrack()) break;
    backtracked_ = static_cast<std::int32_t>(nodes_.size()) - 1;
  }
  if (show_progress) std::fprintf(stderr, "\r%70s\r", "");
  r.seconds = seconds_since(t0);
  r.exhaustive = r.found == verdict::pass && !cut && (m == mode::dfs) && r.unfair == 0;
  r.saw_nothing = !saw_model_;
  return r;
}

// State kept between executions (a static, a global, an object made outside
// the body) makes the same schedule behave differently on a later run. The
// schedule of the first execution that ran to its end (search) is run once
// more after the search: every step must do the same thing with the same
// values (those of integer and enum atomics: addresses and padding bytes may
// differ), and end the same way.
void engine::check_first_execution(const std::function<void()>& body, result& r) {
  if (first_token_.empty() || r.found == verdict::nondeterminism) return;
  const std::vector<step_rec>& first = first_steps_;  // kept for the next check's workspace
  const verdict first_verdict = first_verdict_;
  const std::string tok = first_token_;
  if (!parse_token(tok)) return;
  const mode saved = mode_;
  set_mode(mode::replay, true);  // quiet: only the steps and the verdict are compared, nothing to format
  const run_end end = run_execution(body);
  set_mode(saved);
  const verdict now = end == run_end::failed ? fail_.v : verdict::pass;
  std::string what;
  const std::size_t n = std::min(first.size(), steps_.size());
  for (std::size_t k = 0; k < n && what.empty(); ++k) {
    const step_rec& a = first[k];
    const step_rec& b = steps_[k];
    const bool same_op = a.tid == b.tid && a.act == b.act && a.kind == b.kind && a.obj == b.obj;
    const bool opaque = b.obj < nobj_ && objects_[b.obj].opaque_values;
    const bool same_values =
        opaque || (a.has_value == b.has_value && a.value == b.value && a.has_old == b.has_old && a.old == b.old);
    if (!same_op || !same_values)
      what = "step " + std::to_string(k + 1) + " was T" + std::to_string(a.tid) + " \"" + describe(a) +
             "\" the first time and is T" + std::to_string(b.tid) + " \"" + describe(b) + "\" now";
  }
  if (what.empty() && first.size() != steps_.size())
    what = "it took " + std::to_string(first.size()) + " steps the first time and " + std::to_string(steps_.size()) +
           " now";
  if (what.empty() && first_verdict != now)
    what = std::string("it ended with ") + to_string(first_verdict) + " the first time and with " + to_string(now) +
           " now" + (now != verdict::pass ? " (" + fail_.message + ")" : std::string());
  if (what.empty()) return;
  r.found = verdict::nondeterminism;
  r.exhaustive = false;
  r.replay = tok;
  r.report = banner(verdict::nondeterminism) +
             "The first whole execution's schedule, run again after the search, did not repeat: " + what +
             ".\nState kept between executions: a static, a global, or an object made outside the body. The body "
             "is re-run from the start for every execution, so make every shared object inside it (a thread_local "
             "there is one variable shared by every model thread).\n";
}

namespace {
// A check that cannot run as asked: the verdict usage_error, and why.
result misused(std::string why) {
  result r;
  r.found = verdict::usage_error;
  r.report = banner(verdict::usage_error) + why + "\n";
  return r;
}

constexpr int kMaxPctDepth = 1000;

// What is wrong with o, if anything: a check with such options would crash
// (a fiber stack that holds not even the checker's own frames), or claim a
// pass for a search that ran nothing (slice 5 of 2).
std::string options_error(const options& o) {
  constexpr std::size_t kMinStack = 32 * 1024;  // engine::kGapBytes for the planning, and the thread's frames
  const auto bad = [](const std::string& what) { return "weave::model::options: " + what; };
  if (o.stack_size < kMinStack)
    return bad(".stack_size is " + std::to_string(o.stack_size) + " bytes; a model thread's stack needs at least " +
               std::to_string(kMinStack) + " (the checker plans steps on it, 16 KiB of it kept for that)");
  if (o.max_steps == 0) return bad(".max_steps is 0: no execution could take a step");
  if (o.max_steps > kMaxSteps)
    return bad(".max_steps is " + std::to_string(o.max_steps) + "; at most " + std::to_string(kMaxSteps) +
               " (keep models small: an execution that long takes minutes)");
  if (o.shard_count < 1 || o.shard_index < 0 || o.shard_index >= o.shard_count)
    return bad("slice .shard_index " + std::to_string(o.shard_index) + " of .shard_count " +
               std::to_string(o.shard_count) + ": want 0 <= shard_index < shard_count");
  if (o.jobs < 1) return bad(".jobs is " + std::to_string(o.jobs) + ": want 1 or more");
  if (o.preemptions < -1) return bad(".preemptions is " + std::to_string(o.preemptions) + ": want -1 (none) or a bound");
  if (o.spurious_wakeups < 0) return bad(".spurious_wakeups is " + std::to_string(o.spurious_wakeups) + ": want 0 or more");
  if (o.late_time_outs < 1 || o.late_time_outs > 254)
    return bad(".late_time_outs is " + std::to_string(o.late_time_outs) + ": want 1 to 254");
  if ((o.search == strategy::random || o.search == strategy::pct) && o.iterations == 0)
    return bad(".iterations is 0: a random or PCT search would run nothing");
  // PCT's depth is a bug's few ordering constraints, d - 1 change points drawn
  // anew for every execution (and INT_MAX overflowed the priorities).
  if (o.search == strategy::pct && (o.pct_depth < 1 || o.pct_depth > kMaxPctDepth))
    return bad(".pct_depth is " + std::to_string(o.pct_depth) + ": want 1 to " + std::to_string(kMaxPctDepth));
  if (!(o.time_budget >= 0) || !(o.stall_seconds >= 0))
    return bad(".time_budget and .stall_seconds are seconds, 0 (none) or more");
  return {};
}
}  // namespace

result engine::explore(const std::function<void()>& body) {
  if (std::string e = options_error(opt_); !e.empty()) return misused(std::move(e));
  const stall_watch watch(opt_.stall_seconds);
  const mode m = opt_.search == strategy::random ? mode::random
                 : opt_.search == strategy::pct  ? mode::pct
                 : opt_.preemptions >= 0         ? mode::bounded_dfs
                                                 : mode::dfs;
  outcome_table_.clear();
  if (m == mode::bounded_dfs && opt_.shard_count > 1 && opt_.shard_index > 0) {
    // A preemption-bounded search is not sliced (its subtrees are not
    // numbered, pick_node): slice 1 (of --shard, or a --jobs worker) runs all
    // of it, the others nothing, and the slices add up to the whole once.
    result none;
    none.preemption_bound = opt_.preemptions;
    return none;
  }
  const auto t0 = sclock::now();
  result r = search(body, m, opt_.preemptions);
  if (m == mode::bounded_dfs) r.preemption_bound = opt_.preemptions;
  if (opt_.outcomes) r.outcomes = outcomes_text(outcome_table_);
  check_first_execution(body, r);
  if (r.found == verdict::pass || r.found == verdict::nondeterminism) return r;
  std::string best_token = r.replay;
  int best_pre = r.preemptions;
  const options original = opt_;
  opt_.outcomes = false;  // the searches for a shorter counterexample stop at it and count no outcomes
  // The searches below, together, keep to what is left of the check's
  // .time_budget, or to 20 s without one. Each had 20 s of its own, and a
  // counterexample of n preemptions makes up to n of them: a false livelock
  // of 109 preemptions was minimized for minutes after a search of 0.0 s
  // (engine_test::minimizing_keeps_to_the_time_budget).
  const auto until = opt_.time_budget > 0 ? t0 + std::chrono::duration<double>(opt_.time_budget)
                                          : sclock::now() + std::chrono::seconds(20);
  const auto time_left = [until] { return std::chrono::duration<double>(until - sclock::now()).count(); };
  const options minimizing = opt_;
  // A counterexample without stale reads is the easier one to read: if
  // sequential consistency has the bug too (within two more preemptions), the
  // one it has is printed; its token replays the same under RC11, where the
  // first choice of every access is the latest store.
  if (const double left = time_left(); opt_.minimize && rc11() && stale_reads_ > 0 && left > 0) {
    opt_.time_budget = left;
    opt_.memory = memory_model::sc;
    opt_.max_executions = 200000;
    opt_.progress = false;
    const result rs = search(body, mode::bounded_dfs, best_pre + 2);
    opt_ = minimizing;
    if (rs.found == r.found) {
      best_token = rs.replay;
      best_pre = rs.preemptions;
      opt_.memory = memory_model::sc;
    }
  }
  // Iterative preemption bounding: the counterexample with the fewest preemptions.
  if (opt_.minimize && best_pre > 0 && r.found != verdict::nondeterminism) {
    const options saved = opt_;
    for (int b = 0; b < best_pre; ++b) {
      const double left = time_left();
      if (left <= 0) break;
      opt_.time_budget = left;
      opt_.max_executions = 200000;
      opt_.progress = false;
      result rb = search(body, mode::bounded_dfs, b);
      opt_ = saved;
      if (rb.found == r.found) {
        best_token = rb.replay;
        best_pre = rb.preemptions;
        break;
      }
    }
  }
  // Re-run the chosen schedule by itself with full tracing.
  result traced = replay(body, best_token);
  opt_ = original;
  r.replay = best_token;
  r.preemptions = best_pre;
  r.seconds = seconds_since(t0);  // the search's, and the minimizing's
  if (traced.found != r.found) {
    const verdict found = r.found;
    r.found = verdict::nondeterminism;
    r.report = "The failing schedule did not fail the same way when replayed (" +
               std::string(to_string(traced.found)) + " instead of " + to_string(found) +
               "): the check body is not deterministic.\n" + traced.report;
  } else {
    r.report = traced.report;
    r.trace_json = std::move(traced.trace_json);
    r.html = std::move(traced.html);
    r.dot = std::move(traced.dot);
  }
  return r;
}

result engine::replay(const std::function<void()>& body, std::string_view tok) {
  if (std::string e = options_error(opt_); !e.empty()) return misused(std::move(e));
  const stall_watch watch(opt_.stall_seconds);
  result r;
  set_mode(mode::replay);
  if (!parse_token(tok)) {
    r.found = verdict::nondeterminism;
    r.report = "not a replay token: " + std::string(tok);
    return r;
  }
  const auto t0 = sclock::now();
  const run_end end = run_execution(body);
  r.executions = 1;
  r.seconds = seconds_since(t0);
  r.replay = token();
  r.preemptions = preemptions_;
  if (end == run_end::failed) {
    r.found = fail_.v;
    r.report = render(fail_);
    if (opt_.exports) {
      r.trace_json = trace_json(fail_);
      r.html = html(fail_, r.report);
      r.dot = dot(fail_);
    }
  } else {
    r.report = "the schedule ran to completion without a failure";
  }
  return r;
}

}  // namespace weave::model::detail
