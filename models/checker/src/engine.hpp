// The engine: one object holding the search stack and the current execution.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "outcomes.hpp"
#include "rt.hpp"
#include "stacks.hpp"

namespace weave::model::detail {

// covered: a loop went round past its idle budget as long as it may without
// leaving it (engine::covered_by_park).
enum class run_end : std::uint8_t { complete, sleep_blocked, failed, not_mine, diverged, unfair, covered };

inline constexpr std::size_t kMaxChoices = 36 * 36;  // a token's two-digit data choice

/// Fast-forwarding (forward.cpp): on (the default), off (every execution
/// works out every step), or verify (works out every step, and where it would
/// have fast-forwarded, checks that its state is the snapshot's). From
/// WEAVE_FAST_FORWARD=off|verify in the environment, for comparing the two.
enum class forward_mode : std::uint8_t { on, off, verify };
/// WEAVE_FAST_FORWARD and WEAVE_PSC: the index of the variable's value among
/// three (the first where it is unset or empty); another ends the process.
int three_way_setting(const char* name, const char* (&&values)[3]);
forward_mode forward_setting();
/// The steps fast-forwarded in this process so far (forward_test).
std::uint64_t fast_forwarded_steps() noexcept;
/// The object copies snapshots shared with the snapshot below them, so far (forward_test).
std::uint64_t shared_snapshot_copies() noexcept;

/// RC11's SC order (psc.cpp): kept as the execution grows (incremental, the
/// default), worked out over every event at each question (full), or both,
/// stopping where they differ (verify). From WEAVE_PSC=full|verify.
enum class psc_mode : std::uint8_t { incremental, full, verify };
psc_mode psc_setting();

/// po|≠loc's ends (psc.cpp): each event's next and previous event of its
/// thread at another location (a fence is at none), as events are added.
struct po_diff {
  static constexpr std::uint32_t kNone = kNoAccess;
  std::vector<std::uint32_t> next, prev;  // by event; kNone: none (yet)
  std::vector<std::uint32_t> before;      // by event: its thread's event before it (kNone: none)
  std::array<std::uint32_t, kMaxThreads> last = kNoChains;  // each thread's last event added
  void clear();
  void room_for(std::uint32_t i);  // next, prev and before hold event i
  void peek(const std::vector<mem_event>& ev, std::uint32_t i);
  void add(const std::vector<mem_event>& ev, std::uint32_t i);
};

/// RC11's SC order over an execution's first memory events (psc.cpp): a
/// bit matrix over its seq_cst events, node j being event sc[j].
/// Kept from one execution of a DFS search to the next: the events of the
/// steps below the node that backtracking changed are the same (the same
/// choices from the start), so the next execution's first question cuts the
/// graph back to them (truncate) instead of building it again.
struct psc_graph {
  po_diff diff;
  std::vector<mem_event> ev;  // the events, as they were (a cut keeps only those the execution has too)
  vclock seen{};  // the join of their clocks: whether a later event happens before one of them
  bool off = false;  // one did (an end recorded late): worked out in full for the rest of the execution
  bool fresh = false;          // an execution has begun since the last question (keep_step holds)
  std::int32_t keep_step = 0;  // its events of the steps below this one are the graph's
  std::vector<std::uint32_t> sc;
  std::vector<std::uint32_t> fences;  // the nodes that are fences (or barriers)
  std::size_t words = 0;              // a row's words: room for 64 * words nodes
  std::vector<std::uint64_t> adj;     // row j (node j's edges out) at adj[j * words]
  std::vector<std::uint64_t> reached;  // reaches(): scratch
  std::vector<std::uint32_t> stack;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> added;  // edges a question added between earlier nodes
  std::vector<std::array<std::uint32_t, 3>> derived;  // {event, a, b}: an edge event added between earlier nodes
  std::uint64_t* row(std::size_t j) noexcept { return adj.data() + j * words; }
  std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(ev.size()); }  // the events it holds
  void clear();
  void truncate(std::uint32_t cut);
  void room_for(std::size_t k);
  bool reaches(std::size_t from, std::size_t to);
};

enum class mode : std::uint8_t { dfs, bounded_dfs, random, pct, replay };

/// A report's first line: "══════ weave model check: DEADLOCK ══════" (report.cpp).
std::string banner(verdict v);

/// The seed of a random or PCT search: options::seed, and in slice K of N
/// (--shard, --jobs) a seed of its own, so that the slices run different
/// schedules instead of the same ones N times (SplitMix64's finalizer over
/// seed and K; Steele, Lea and Flood, OOPSLA 2014).
inline std::uint64_t slice_seed(const options& o) noexcept {
  if (o.shard_count <= 1) return o.seed;
  std::uint64_t z = o.seed + 0x9e3779b97f4a7c15ull * static_cast<std::uint64_t>(o.shard_index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// One check at a time in a process: engine::current, the fiber stacks'
/// pool and the execution counter are the process's. A check started on
/// another OS thread while one runs waits for it to end (model::check from
/// a test runner's threads); a check in a check, on the same OS thread, goes
/// on. The engine's first base, held from before its workspace is taken to
/// after it is given back.
class one_check_at_a_time {
 protected:
  one_check_at_a_time();
  ~one_check_at_a_time();
  one_check_at_a_time(const one_check_at_a_time&) = delete;
  one_check_at_a_time& operator=(const one_check_at_a_time&) = delete;
};

/// An execution's state before one of its steps (forward.cpp): all that the
/// engine worked out up to there, but what an execution that replays these
/// choices has already: the threads' fibers and functions, the steps, and
/// what the objects, primitives and threads made up to there are and are
/// called (those of the execution before it).
struct snapshot {
  std::int32_t step = 0;     // the state before this step
  std::size_t answers = 0;   // what the engine had handed the threads' code (engine::answers_)
  std::vector<std::uint64_t> answer_log;  // verify: those answers
  std::vector<step_rec> step_log;         // verify: the steps
  std::size_t nthreads = 0, nobj = 0, nprim = 0;
  std::array<thread_data, kMaxThreads> threads;
  std::array<object_state, kMaxThreads> life;
  std::vector<object_state> objects;    // [0, nobj): the copies this snapshot holds (held)
  // Of each object, the snapshot (an index into engine::snaps_) whose
  // objects[] holds its copy: this one, or, for an object unchanged since the
  // step of the snapshot below this one on the stack, that one's (shared,
  // not copied again). A snapshot is dropped before the ones below it.
  std::vector<std::uint32_t> held;       // [0, nobj)
  std::vector<std::uint8_t> obj_alive;   // [0, nobj): an end is not stamped (object_rec::changed): each keeps its own
  std::vector<std::uint8_t> prim_alive;  // [0, nprim)
  std::vector<call_rec> calls;
  std::vector<message> msgs;
  std::vector<mem_event> mev;
  std::vector<const void*> locks;
  std::vector<std::uint8_t> lock_holder;
  std::array<std::vector<footprint_item>, kMaxThreads> sleep_fp;
  std::vector<time_mark> times;
  std::array<std::uint32_t, kMaxThreads> time_last = kNoChains;
  std::array<std::uint32_t, kMaxThreads> sleep_mark{}, read_mark{};
  tmask child_sleep = 0, unwound_unjoined = 0;
  /// The records it holds no copy of, as reset (object_rec::reset_clean): bit
  /// t for life[t], kCleanNoObj and kCleanScFence for objects[0] and [1].
  std::uint32_t clean = 0;
  static constexpr std::uint32_t kCleanNoObj = 1u << kMaxThreads, kCleanScFence = 2u << kMaxThreads;
  bool kept_clean(std::size_t obj) const noexcept {
    return obj < 2 && (clean & (obj == 0 ? kCleanNoObj : kCleanScFence)) != 0;
  }
  int cur = -1, prev = -1;
  std::uint16_t data_choice = 0;
  int preemptions = 0;
  mem_choice chosen;
  int sc_events = 0, sc_fences = 0;
  bool sharded_root_seen = false;
};

/// The containers an engine fills (it is their base class), kept with their
/// capacity from one check to the next on the same OS thread: a check of a few
/// executions (a student's edit-and-run, a test suite of many small checks)
/// then allocates almost nothing for them. An engine is made from a spare one
/// (moved in: no container is copied or swapped) and moves it back to the
/// spares when it goes; every container is cleared or recycled before use, as
/// between two executions of one check.
struct workspace {
  // the search stack
  std::vector<node> nodes_;
  /// Opaque primitives, by node: what each thread explored there touched in its
  /// whole segment (its call up to where it returned or blocked), for the
  /// sleep sets. Outside nodes_ so that a node stays trivially copyable.
  std::vector<std::vector<footprint_item>> seg_fp_;
  std::vector<step_rec> first_steps_;  // the first execution that ran to its end, re-run at the end (check_first_execution)
  // the current execution
  std::vector<object_rec> objects_;  // [0, nobj_) live; the rest recycled
  std::vector<step_rec> steps_;
  std::vector<note> notes_;          // cell accesses, while tracing
  std::vector<prim_rec> prims_;      // this execution's primitives ([0, nprim_) in use)
  std::vector<call_rec> calls_;      // this execution's outermost calls, in the order they began
  // RC11 memory (memory.cpp)
  std::vector<message> msgs_;        // every store of this execution
  std::vector<mem_event> mev_;       // every atomic access and fence, in execution order
  std::vector<mem_choice> choices_;  // the choices of the thread about to step
  psc_graph psc_;                    // RC11's SC order over mev_ but its last event (psc.cpp)
  // fast-forward (forward.cpp)
  std::vector<snapshot> snaps_;          // [0, nsnaps_): states before steps of the current prefix, deepest last
  std::vector<std::uint64_t> answers_;   // what the engine handed the threads' code, in order
  std::vector<void*> ff_shadows_;        // the shadows of the objects made while fast-forwarding (object i: i - 2)
  std::vector<const void*> ff_prims_;    // and the addresses of the primitives
  std::vector<std::uint64_t> ff_values_;  // and the values of the stores (by message id)

  static workspace take();
  static void give_back(workspace&& w) noexcept;
};

class engine : private one_check_at_a_time, private workspace {
 public:
  explicit engine(const options& o);
  ~engine();

  result explore(const std::function<void()>& body);
  /// --outcomes: what explore() saw (the table result::outcomes says).
  const outcome_table& outcomes() const noexcept { return outcome_table_; }
  result replay(const std::function<void()>& body, std::string_view token);

  // --- called from model threads (through the detail:: functions) ---
  bool active() const noexcept { return running_; }
  /// False while an execution the search stopped early is run on to its end.
  bool counted() const noexcept { return !silent_; }
  /// The preemptions this execution has taken so far (a test's reference for
  /// what a bounded search must run: differential_test).
  int preemptions() const noexcept { return preemptions_; }
  /// Whether a thread's end is a step of its own in this search (asked_after_life).
  bool ends_are_steps() const noexcept { return ends_are_steps_; }
  /// Replaying one schedule for its report: calls' arguments and results are worth formatting.
  bool tracing() const noexcept { return tracing_; }
  /// weave's primitives are opaque in this check (options::primitives): their
  /// calls are recorded (call_begin), each one step of the user's program.
  bool opaque_primitives() const noexcept { return opt_.primitives == primitive_mode::opaque; }
  /// Thread cur_'s next operation (its pending_op): the scheduler decides when it runs.
  /// Inline (below), its rare cases out of line (visible_rare): a thread
  /// switches away in the frame of the operation's own function, so resumed it
  /// returns through fewer frames and runs fewer calls (likely the gain: after
  /// a switch the processor predicts returns for the other stack).
  /// checker_speed's searches took 7-9% less time.
  [[gnu::always_inline]] inline void visible(std::uint32_t obj, op kind, source_location loc,
                                             std::memory_order o = std::memory_order_seq_cst,
                                             std::memory_order o_fail = std::memory_order_seq_cst, bool cas = false,
                                             bool weak = false, std::uint64_t expected = 0,
                                             bool may_have_ended = false);
  object_id new_object(object_kind kind, source_location made, std::uint64_t initial, void* shadow,
                       std::size_t size);
  /// The index of a model object in this execution; kOutside (made outside any
  /// execution) or kStale (made by an earlier one) otherwise.
  std::uint32_t index_of(object_id id) const noexcept {
    const auto index = static_cast<std::uint32_t>(id);
    if (index == kOutside) return kOutside;
    return (id >> 32) == generation_ ? index : kStale;
  }
  /// Whether the caller runs on the OS thread this engine's fibers run on (a
  /// thread-local word, not a thread id compared: every operation asks).
  bool on_scheduler_thread() const noexcept { return running_here_ == this; }
  void used_from_foreign_thread() noexcept { foreign_use_.store(true, std::memory_order_relaxed); }
  void forget_object(std::uint32_t id) noexcept;
  void destroyed_used(std::uint32_t obj, source_location loc);
  // atomic accesses (memory.cpp); false: not running (the caller uses its own value)
  bool atomic_load(std::uint32_t obj, std::memory_order o, source_location loc, std::uint64_t& value);
  bool atomic_store(std::uint32_t obj, std::memory_order o, std::uint64_t v, source_location loc);
  bool atomic_rmw(std::uint32_t obj, std::memory_order o, source_location loc, std::uint64_t& old, rmw_next next,
                  const void* ctx);
  int atomic_cas(std::uint32_t obj, std::memory_order s, std::memory_order f, bool weak, std::uint64_t expected,
                 std::uint64_t desired, source_location loc, std::uint64_t& old);
  /// A read or write of cell obj, checked against happens-before (a data
  /// race). Fast-forwarded, it was checked when its step was first taken
  /// (forward.cpp): then it costs a test, not a call (79 accesses an
  /// execution in the heaviest checks of models/checks/, two thirds of them
  /// fast-forwarded).
  void cell_access(std::uint32_t obj, bool write, source_location loc) {
    if (active() && !ff_) cell_check(obj, write, loc);
  }
  wait_result futex_wait(std::uint32_t obj, std::uint32_t expected,
                         std::int64_t deadline, std::int64_t holder, source_location loc);
  bool alive(std::uint32_t id, source_location loc);
  // may_have_ended: S::waker's wake, which may come after obj's lifetime ended (it then wakes nobody).
  void futex_wake(std::uint32_t obj, bool all, source_location loc, bool may_have_ended = false);
  void spin(source_location loc);
  void fence(std::memory_order o, source_location loc);
  std::uint32_t self() const noexcept { return cur_ + 1; }
  std::int64_t now() const noexcept { return cur_ >= 0 ? time_of(threads_[cur_]) : 0; }
  /// Thread t's virtual time: the latest time of any thread's that happens
  /// before it (its own included). A thread's own time moves only where it
  /// starts (its parent's time) and where a timed wait of its times out (to
  /// the deadline), so every run of a schedule reads the same times, and no
  /// step of another thread changes them but through happens-before, which
  /// the search orders already. Time flows with happens-before as a steady
  /// clock's does on hardware: a thread that joins one that slept 1 ms, or
  /// acquires what it released after, reads a time at least as late
  /// (soundness_test::time_flows_with_happens_before).
  /// (A thread's start needs no mark: its parent's time then is the latest
  /// of marks that happen before the spawn, and so before the thread.)
  /// A thread's own times only go up, so of each thread's marks that happen
  /// before t the latest is the latest time: found walking back its chain
  /// from its last (a loop of timed waits marks at every time-out, and asks
  /// the time at every step).
  std::int64_t time_of(const thread_rec& t) const noexcept {
    return times_.empty() ? t.now : marked_time_of(t);  // most executions have no time-out
  }
  std::int64_t marked_time_of(const thread_rec& t) const noexcept;
  /// Thread c's own time moves to ns at a time-out (its step, the last one),
  /// from its current epoch on.
  void set_time(thread_rec& t, int c, std::int64_t ns) {
    t.now = ns;
    times_.push_back({static_cast<std::uint8_t>(c), t.hb.c[c], time_last_[c], static_cast<std::int32_t>(steps_.size()) - 1, ns});
    time_last_[c] = static_cast<std::uint32_t>(times_.size() - 1);
  }
  /// S::clock::now() in a model thread: its virtual time.
  std::int64_t now_ns() {
    if (ff_) return static_cast<std::int64_t>(ff_answer());
    const std::int64_t n = now();
    answers_.push_back(static_cast<std::uint64_t>(n));
    if (cur_ >= 0) threads_[cur_].read_clock = true;  // its next spin may let time pass (engine::clock_spin)
    return n;
  }
  // cold: off every step's path (a failure, a divergence end the execution)
  [[gnu::noinline, gnu::cold]] void fail(verdict v, std::string message, std::string footer = {});
  [[gnu::noinline, gnu::cold]] void diverge(std::int32_t j, const std::string& what);  // nondeterminism at step j (a recorded schedule)
  void lock_hook(const void* lock, int what, unsigned flags) noexcept;
  // names and calls (calls.cpp)
  prim_id new_primitive(const void* self, const char* kind, const char* name, bool stepwise);
  void forget_primitive(std::uint32_t id) noexcept;
  bool call_begin(std::uint32_t prim, const char* what, source_location loc);
  void call_end() noexcept;
  void call_arg(const std::string& text);
  void call_note(const char* text) noexcept;
  void call_reads_decide() noexcept;
  void call_result(const std::string& text);
  void user_code(bool enter);
  void name_object(std::uint32_t id, const char* name);
  std::uint32_t spawn(std::function<void()>&& fn, source_location loc, const char* name);
  void join(std::uint32_t tid, source_location loc);
  void unjoined(std::uint32_t tid);

  static engine* current;

  /// --jobs: subtrees are claimed first-come-first-served through a table in
  /// shared memory (one byte per subtree) instead of by static round robin.
  void use_claims(unsigned char* table, std::size_t size) noexcept {
    claims_ = table;
    claims_size_ = size;
  }

 private:
  struct exec_outcome {
    run_end end = run_end::complete;
  };

  run_end run_execution(const std::function<void()>& body);
  node* pick_node(std::int32_t j, tmask cands, tmask real, tmask offer = 0);
  int plan_step();
  node* choose_node(std::int32_t j, tmask& real, bool& forced, bool& eager);
  /// Whether running another thread than prev_ at step j is a preemption
  /// (CHESS's bound, Musuvathi and Qadeer, PLDI 2007): prev_ could go on.
  /// Not once it has gone to sleep (a timed wait's time-out is enabled, yet
  /// the switch away is the wait's), nor right after an enabled join that ran
  /// at once (an eager step commutes with everything: the choice after it is
  /// the one it was run ahead of). The count (plan_step) and a spent bound's
  /// restriction (pick_node) both ask this, so a bounded search runs every
  /// schedule it counts within the bound; a traced run asks it too, for the
  /// report's reason for a switch (step_kind).
  bool switch_preempts(std::int32_t j, tmask real) const noexcept {
    return prev_ >= 0 && (real & bit(prev_)) != 0 && threads_[prev_].st != tstate::blocked &&
           !(j > 0 && steps_[static_cast<std::size_t>(j) - 1].eager);
  }
  /// The child's sleep set (engine.cpp's sleep_carry). Inline, with the
  /// common case: no sleeper or explored sibling to carry (most steps of
  /// checker_speed's mutex search), where the out-of-line call's saving and
  /// restoring of registers was a third of its cost.
  void sleep_after(node& n, int c, std::int32_t j, bool replayed) {
    child_sleep_ = 0;
    if (!reducing() || silent_) return;
    if (!replayed) n.woke_to_newer = 0;
    // The threads explored here before it sleep on, unless c's step is the
    // offered give-up (node::give_up): their subtrees hold no such give-up
    // after their step, only the sleepers' do.
    const tmask carry = (n.sleep | ((n.enabled & bit(c)) != 0 ? n.done : 0)) & ~bit(c) & ~n.cut;
    if (carry != 0) sleep_carry(n, c, j, replayed, carry);
    if (!replayed) n.kept_asleep = child_sleep_;
  }
  [[gnu::noinline]] void sleep_carry(node& n, int c, std::int32_t j, bool replayed, tmask carry);
  void end_read_marks(std::uint32_t obj);
  [[gnu::always_inline]] inline void take_step(const node& n, int c, std::int32_t j, std::int32_t seg, bool preempt,
                                               bool eager, bool forced);
  /// A runnable thread's next operation that is not a spin or a wake: its
  /// step is taken as announced (take_step's common case).
  static bool plain_step(const thread_rec& t) noexcept {
    return t.st != tstate::blocked && t.act == action::step && t.pend.kind != op::spin &&
           t.pend.kind != op::wake_one && t.pend.kind != op::wake_all;
  }
  /// A runnable thread's next operation is a spin (the await rule's).
  static bool pending_spin(const thread_rec& t) noexcept {
    return t.st == tstate::runnable && t.act == action::step && t.pend.kind == op::spin;
  }
  /// A store or a futex wait is no idle round of a spin loop: the count of
  /// spins in a row with nothing new to read (the await rule) starts again.
  /// So is an RMW that changes the value (rmw_write); a compare_exchange that
  /// fails, or an RMW that writes back the value it read (a test-and-set lock's
  /// exchange(1) while the lock is held), is a read: the loop is idle.
  static bool not_idle(const thread_rec& t) noexcept {
    return t.act == action::step && (t.pend.kind == op::store || t.pend.kind == op::wait);
  }
  [[gnu::cold]] void step_kind(step_rec& s, thread_rec& t, std::int32_t seg, tmask enabled);
  [[gnu::cold]] void step_ends(thread_rec& t, int c, tmask enabled);
  /// After thread cur_'s step taking_ ran up to the thread's next visible
  /// operation (or its end). Inline: on every step's path.
  void finish_step() {
    const int c = cur_;
    if (threads_[c].st == tstate::finished || tracing()) finish_rare(c, taking_);
    prev_ = c;
    if (mode_ == mode::pct) max_steps_seen_ = std::max<std::uint32_t>(max_steps_seen_, static_cast<std::uint32_t>(taking_ + 1));
  }
  [[gnu::noinline]] void finish_rare(int c, std::int32_t j);
  void reset_execution();
  void clear_search_stack() noexcept;
  void teardown(bool failed);
  void abandon(thread_rec& t);
  void end_parked() noexcept;
  bool go_silent();
  void start_thread(int t);
  // Fiber switches. A switch returns, when this context runs again, the
  // continuation of the context that switched back to it (the scheduler, or a
  // thread that planned this one's step: switch_to, or started it:
  // start_thread); land keeps it in that context's slot, named by from_.
  boost::context::fiber& slot_of(int ctx) noexcept { return ctx < 0 ? sched_ : threads_[ctx].fib; }
  /// Where a landing learns the scheduler's stack: if it came from there.
  stack_bounds* sched_stack_if_from() noexcept { return from_ < 0 ? &sched_stack_ : nullptr; }
  /// Its stack, for AddressSanitizer (fiber_switch).
  stack_bounds stack_of(int ctx) const noexcept {
    return ctx < 0 ? sched_stack_ : bounds_of(fiber_stacks_[static_cast<std::size_t>(ctx)]);
  }
  [[gnu::always_inline]] void land(boost::context::fiber&& f) noexcept { slot_of(from_) = std::move(f); }
  /// Switches to context `to`, whose continuation is `f` (its slot_of);
  /// returns when something switches back (land).
  [[gnu::always_inline]] void resume(boost::context::fiber& f, int to) {
    fiber_switch sw(stack_of(to));
    boost::context::fiber back = std::move(f).resume();
    sw.land(sched_stack_if_from());
    land(std::move(back));
  }
  /// Thread cur_ gives the processor back without planning: to the
  /// scheduler, or, while it runs its prefix, to the context that started it.
  [[gnu::always_inline]] void yield_back() {
    from_ = cur_;
    resume(slot_of(home_), home_);
  }
  /// Thread cur_'s step ends (it announced its next operation, went to
  /// sleep, or finished): it plans the next step and runs on, or hands over.
  [[gnu::always_inline]] inline void hand_over();
  /// Context `from` (a thread, or -1: the scheduler) switches to thread c;
  /// this returns when something switches back (land).
  [[gnu::always_inline]] void enter(int c, int from) {
    from_ = from;
    cur_ = c;
    resume(threads_[c].fib, c);
  }
  /// Thread cur_ hands the processor to thread c straight away (c planned on
  /// cur_'s stack, engine::visible): one switch, not two through the scheduler.
  [[gnu::always_inline]] void switch_to(int c) { enter(c, cur_); }
  bool visible_rare(std::uint32_t obj, source_location loc, bool may_have_ended);
  void thread_entry(int t);
  /// Below a finished thread's parking frames: kept intact (run_below_gap).
  static constexpr std::size_t kGapBytes = 16 * 1024 * kStackScale;
  static constexpr std::uint64_t kGapMark = 0x5745415645474150u;
  void run_below_gap(int t, std::uintptr_t& deepest);
  [[noreturn]] static void gap_overrun();
  /// Besides the threads that can step (the return value, joins included):
  /// those that could only wake spuriously, the enabled joins, the finished.
  struct enabled_sets {
    tmask spurious = 0, joins = 0, finished = 0;
    tmask gone_on = 0;  // parked spinners whose last spin was a round past their idle budget
  };
  tmask real_enabled(enabled_sets& e) const;
  void dpor_step(int t, std::int32_t j);
  void add_race_backtrack(std::int32_t i, std::int32_t j);
  tmask initials(std::int32_t i, std::int32_t j) const;
  bool independent(int a, int b) const;
  bool asks_after(int a, int b) const;
  enum class wake_kind : std::uint8_t { no, yes, to_read_newer };
  wake_kind wakes(int r, int c) const;
  void cell_check(std::uint32_t obj, bool write, source_location loc);
  [[gnu::noinline, gnu::cold]] void note_cell_access(std::uint32_t obj, bool write, source_location loc);
  void cell_race(std::uint32_t obj, bool write, source_location loc, int other, std::int32_t other_step,
                 source_location other_loc, bool other_write);
  tmask covered_here(tmask m);
  tmask woken_by_sleepers(tmask sleep, tmask enabled) const;
  tmask waiting_on(std::uint32_t obj) const;
  bool holder_dead(const thread_rec& t) const noexcept;
  /// Whether blocked thread t's return from its wait is a time-out (a
  /// deadline, or its holder's death): a real step; otherwise it is spurious.
  bool times_out(const thread_rec& t) const noexcept { return t.timed || holder_dead(t); }
  /// Thread t's next step lets time pass: a blocked thread's time-out at its
  /// deadline (not one that its holder's death ends, where no time passes:
  /// step_ends), or a clock spin with nothing new to read.
  bool passes_time(const thread_rec& t) const {
    return (t.st == tstate::blocked && t.timed && !holder_dead(t)) || (clock_spin(t) && !stale(t));
  }
  /// Thread t's loop writes as it goes round: S::spin_budget rounds in a
  /// row up to its latest spin wrote (yields).
  static bool writes_as_it_goes(const thread_rec& t) noexcept {
    return t.writing_rounds >= model_sync::spin_budget;
  }
  /// Whether the round that thread c's pending spin ends wrote and did not
  /// wait: its idle count is 0 (a store, an RMW that changed a value or a
  /// call that changed something since its previous spin), and it did not
  /// sleep (round_slept: a round that slept let the others run).
  /// below: its steps before this index are the round's.
  bool round_wrote(int c, std::size_t below) const {
    const thread_rec& t = threads_[static_cast<std::size_t>(c)];
    return pending_spin(t) && t.idle_spins == 0 && !round_slept(c, below);
  }
  bool round_slept(int c, std::size_t below) const;
  /// Whether thread c's pending spin ends a round of a loop that writes as it
  /// goes round: S::spin_budget rounds in a row, this one the last, wrote
  /// (round_wrote; a loop's first round, which counts what came before it, is
  /// not enough). The await rule leaves it runnable, and a fair scheduler runs
  /// the others meanwhile: such a spin counts as a time-out for the fairness
  /// rule (engine::cut_unfair). Without it, a loop that writes as it goes round (`while
  /// (!ready.load()) { m.lock(); ++polls; m.unlock(); S::spin(); }`) was run for
  /// ever ahead of the thread it waits for, and reported as a livelock
  /// (soundness_test::a_loop_that_writes_lets_the_others_run).
  bool yields(int c, std::size_t below) const {
    return threads_[static_cast<std::size_t>(c)].writing_rounds + 1 >= model_sync::spin_budget && round_wrote(c, below);
  }
  /// The threads that would be too late (starved_by_time_out) if thread p
  /// took its pending step at a node whose candidates are `enabled`, a step
  /// that lets time pass (a time-out, a clock spin, a spin that yields): the
  /// cut's (choose_node), and the switch to them that is no preemption
  /// (plan_step). None if it does not (inline: asked at every step).
  tmask late_if_it_runs(int p, tmask enabled) const {
    if (!passes_time(threads_[static_cast<std::size_t>(p)]) && !yields(p, steps_.size())) [[likely]]
      return 0;
    return starved_by_time_out(p, enabled);
  }
  /// Thread t's pending spin follows a read of the clock, with its idle
  /// budget spent: it reads whether anything it read since its previous spin
  /// has changed, and if nothing has, time passes for it (the clock rule).
  bool clock_spin(const thread_rec& t) const noexcept { return t.read_clock && clock_spin_now(t); }
  bool clock_spin_now(const thread_rec& t) const noexcept;  // clock_spin's other conditions (rarely asked)
  void clock_spin_reads(int c, std::int32_t j);
  [[gnu::cold]] void cut_unfair(std::int32_t j);
  void time_passes(thread_rec& t, int c, tmask enabled, std::int64_t ns);
  const object_rec* dep_object(std::uint32_t obj) const noexcept;
  void dpor_access(int c, std::int32_t j, std::uint32_t obj, std::uint8_t how);
  inline void dpor_record(object_rec& o, std::int32_t j, std::uint8_t how);  // (engine.cpp only)
  void add_footprint(int c, std::int32_t j, std::uint32_t obj, std::uint8_t how);
  void holder_read(int c, std::int32_t j);
  void thread_died(int c, std::int32_t j);
  void asked_after_life() noexcept;
  void note_read(std::uint32_t obj, std::uint32_t msg = kNoMsg);
  bool stale(const thread_rec& t) const;
  int idle_rounds(const thread_rec& t) const;
  const spin_read* held_read(const thread_rec& t) const;
  bool give_up_read(int t) const;
  bool stale_past_time_outs(int c) const;
  bool gives_up_here(int t) const;
  bool held_off_read(node& n, int c, std::int32_t j, bool fresh);
  tmask giving_up(std::int32_t j) const;
  bool round_fits(int i, std::int32_t j) const;
  std::int32_t previous_spin(int i, std::int32_t j) const;
  tmask give_up_offer(tmask cands, tmask real) const;
  int going_on(tmask gone_on, std::int32_t j);
  void covered_by_park(int g);
  void plain_after_give_up(node& fresh, std::int32_t j);
  std::uint8_t give_up_site(int c, source_location at);
  bool site_waits(int c, source_location at) const;
  /// Thread t, parked, goes on round past its idle budget: its last spin
  /// was such a round (giving_up), and this round read only what its loop's
  /// rounds read (a loop on something else parks afresh: engine::going_on).
  bool goes_on(const thread_rec& t) const {
    return t.giving_up != 0 && t.idle_spins > model_sync::spin_budget &&
           std::all_of(t.spin_reads.begin(), t.spin_reads.end(),
                       [&t](const spin_read& r) { return read_of(t.streak, r.obj) != nullptr; });
  }
  /// Thread t's pending spin is one that only giving_up lets go: its idle
  /// budget spent, nothing new to read, no clock read.
  bool past_budget(const thread_rec& t) const {
    return pending_spin(t) && budget_spent(t) && !stale(t) && !clock_spin(t);
  }
  /// Thread t's idle budget is spent: S::spin_budget rounds in a row saw
  /// nothing new (idle_rounds, which is never more than its count: below the
  /// budget, the count alone answers, without the rounds' reads).
  bool budget_spent(const thread_rec& t) const {
    return t.idle_spins >= model_sync::spin_budget && idle_rounds(t) >= model_sync::spin_budget;
  }
  std::string spin_objects(const thread_rec& t) const;
  void check_first_execution(const std::function<void()>& body, result& r);
  int pick_default(tmask cands, int prev) const;
  int pick_in_turn(tmask cands, int prev) const;
  tmask running_of(tmask cands) const;
  int pick_random(tmask cands);
  int pick_pct(tmask cands);
  [[gnu::noinline]] int pick_sample(tmask cands, tmask real, std::int32_t j);  // random or pct, fair (pick_node)
  [[gnu::noinline]] std::uint16_t sample_choice(int c, std::uint16_t alts, bool mem);  // random or pct, fair (plan_step)
  std::uint16_t data_alts_for(int t, bool mem);
  bool backtrack();
  std::string token() const;
  bool parse_token(std::string_view tok);
  std::string render(const failure& f) const;
  std::string deadlock_footer() const;
  std::string obj_name(std::uint32_t id) const;
  [[gnu::noinline, gnu::cold]] void livelocked();
  int late_after_time_out(std::size_t u, int c, tmask enabled, std::int32_t from) const;
  std::int32_t waited_from(int c, std::int32_t j) const;
  tmask starved_by_time_out(int c, tmask enabled) const;
  [[gnu::noinline, gnu::cold]] void count_late(int c, tmask enabled);
  std::string spinning_without_spin() const;  // a livelock's likely cause, for its message
  std::string describe(const step_rec& s) const;
  std::string segment_text(std::size_t first, std::size_t last, const std::vector<std::size_t>& last_step) const;
  std::vector<trace_row> trace_rows() const;
  // the counterexample as files to look at (export.cpp)
  std::string trace_json(const failure& f) const;
  std::string html(const failure& f, const std::string& report) const;
  std::string dot(const failure& f) const;
  std::string message_text(std::uint32_t id) const;
  std::string call_message_text(std::uint32_t id) const;
  std::string weak_note(const step_rec& s) const;
  std::string lost_note(const step_rec& s) const;
  std::string switch_reason(const step_rec& p, const step_rec& s) const;

  // --- opaque primitives and the user's view (calls.cpp) ---
  /// Thread t is inside a call of an opaque primitive: its steps run without
  /// preemption, read the latest store (but where the call decides, below),
  /// and get no spurious wake-up.
  bool opaque(const thread_rec& t) const noexcept { return opaque_primitives() && t.call >= 0; }
  /// Blocked thread t may still return spuriously (a call of an opaque
  /// primitive re-checks: not the user's to see).
  bool may_return_spuriously(const thread_rec& t) const noexcept { return t.spurious_left > 0 && !opaque(t); }
  bool continues_call(int t) const noexcept;
  bool changed_nothing(std::size_t from) const;
  void unwrite(std::size_t from);
  std::size_t own_start(const call_rec& call) const;
  bool opens_call(std::uint32_t prim) const noexcept;
  /// Whether RC11's reads-from reduction rules apply to t's next step.
  bool weak_rules(const thread_rec& t) const noexcept { return rc11() && !opaque(t); }
  bool decides_here(const thread_rec& t) const noexcept;
  /// Whether thread t's pending access reads the latest store (list_choices):
  /// under sc, and inside an opaque call where the call does not decide.
  bool reads_latest(const thread_rec& t) const noexcept {
    return !weak_rules(t) && !(rc11() && opaque(t) && decides_here(t));
  }
  /// Whether pending access p is an RMW with one store left to read (its
  /// only choice, the latest: list_choices).
  bool one_store_left(const pending_op& p) const noexcept {
    return p.kind == op::rmw && !p.cas && objects_[p.obj].untaken == 1;
  }
  std::string thread_name(int t) const;
  std::string prim_name(std::uint32_t p) const;
  std::string call_text(std::int32_t call) const;
  std::string lock_name(const void* lock) const;
  /// An object of the check's own (not one made inside a weave header).
  bool user_object(std::uint32_t i) const;
  void capture_outcome();

  // --- the memory model (memory.cpp) ---
  bool rc11() const noexcept { return opt_.memory == memory_model::rc11; }
  /// Partial-order reduction is on: exhaustive DFS with options::reduction.
  /// Its bookkeeping (dependency clocks, races, sleep sets, segment
  /// footprints) is skipped otherwise: bounded, random, PCT and replay runs.
  bool reducing() const noexcept { return mode_ == mode::dfs && opt_.reduction; }
  /// Whether executions replay the nodes of earlier ones (a search's DFS), so
  /// that a node may keep what the scheduler worked out there (node::cached).
  bool reuses_nodes() const noexcept { return !silent_ && (mode_ == mode::dfs || mode_ == mode::bounded_dfs); }
  bool mem_pending(const thread_rec& t) const noexcept;
  void add_choices(const pending_op& p, std::uint32_t id, bool spurious_ok);
  // flatten (list_choices, rmw_write, read_step below): every call in them
  // (new_message, record_event, add_choices, the containers' growth) is
  // inlined into them. An atomic access's step calls them every time, and
  // the calls' own cost was about 5% of a short execution's instructions
  // (checker_speed, callgrind). Measure before adding another: under LTO,
  // inlining more here took inlining away elsewhere (plan_step, sleep_after,
  // dpor_step, finish_step cost one search or another 1-9% more).
  [[gnu::flatten]] void list_choices(int t);
  std::optional<std::pair<std::uint16_t, std::uint16_t>> choice_in_full_list(int t);  // a token's record of a read's choice
  std::uint32_t floor_pos(const object_rec& o, const vclock& hb) const;
  std::uint32_t new_message(std::uint32_t obj, std::uint64_t value, std::uint32_t at, const thread_rec& t,
                            std::memory_order o, const message* continues);
  void remove_message(std::uint32_t id);
  void record_event(std::uint32_t obj, std::uint32_t rf, std::uint32_t wr, bool sc, bool fence);
  mem_event& new_event(const thread_rec& th, int t, std::uint32_t obj, std::uint32_t rf, std::uint32_t wr, bool sc,
                       bool fence);
  void life_event(int t, int u, std::uint32_t rf, std::uint32_t wr);
  void release_fence(thread_rec& t);
  bool has_life_event(int u, bool end) const;
  [[gnu::flatten]] void rmw_write(std::uint32_t obj, std::uint32_t read, std::uint64_t neu);  // an RMW that read message read
  void read_message(thread_rec& t, const message& m, std::memory_order o);
  void published(thread_rec& t, std::memory_order o);
  void trace_read(step_rec& s, std::uint32_t obj, std::uint32_t msg);
  [[gnu::flatten]] step_rec& read_step(std::uint32_t obj, std::uint32_t id, std::memory_order o);
  bool psc_consistent();
  bool psc_incremental();
  void psc_absorb(std::uint32_t upto);
  void verify_cut();
  bool psc_add(std::uint32_t i, bool check);
  bool psc_full() const;
  bool tentative_ok(int t, const mem_choice& c);
  std::uint32_t news_after(std::uint32_t msg) const;
  bool same_values(const thread_rec& t) const;
  std::int32_t first_newer_write(const spin_read& r) const;
  result search(const std::function<void()>& body, mode m, int bound);

  // --- fast-forward (forward.cpp) ---
  // An execution of a DFS search replays the choices of the one before it up
  // to the node that backtracking changed (backtracked_). Up to the deepest
  // snapshot at or above that node, the threads' code runs, and the engine
  // only switches threads as the nodes say and hands the code what it handed
  // it last time (answers_); at the snapshot's step it takes the snapshot's
  // state and goes on as usual. An execution takes a snapshot where its
  // first new choice is made.
  void ff_begin();
  int ff_plan();
  int ff_land();
  [[gnu::noinline, gnu::cold]] int ff_gone(std::int32_t j, int c, const char* what);
  /// Threads spawned since the last step run up to their first visible operation.
  void start_fresh() {
    if (fresh_pending_) start_spawned();
  }
  void start_spawned();
  void take_snapshot(std::int32_t j);
  void restore(const snapshot& s);
  bool same_state(const snapshot& s) const;
  void verify_snapshot(std::int32_t j) const;
  /// The next of last time's answers (past them: the code asks for more than
  /// it did last time, nondeterminism, found where fast-forwarding ends).
  std::uint64_t ff_answer() noexcept {
    if (ff_ans_ < answers_.size()) return answers_[ff_ans_++];
    ff_bad_ = true;
    return 0;
  }
  /// The value that message id has in this execution: the threads' code
  /// stored it again while fast-forwarding (an address may differ from last
  /// time's; a load's answer is the store it read, not its value).
  std::uint64_t ff_value(std::uint64_t id) noexcept {
    if (id < ff_values_.size()) return ff_values_[id];
    ff_bad_ = true;
    return 0;
  }
  static constexpr std::uint64_t kSlept = 0xff;  // futex_wait's answer: it went to sleep (then how it woke)

  options opt_;
  stack_pool& stacks_;
  std::array<boost::context::stack_context, kMaxThreads> fiber_stacks_{};  // each thread's fiber's (abandon)
  mode mode_ = mode::dfs;
  int bound_ = -1;
  bool ff_ = false;       // fast-forwarding (forward.cpp)
  bool running_ = false;  // an execution runs (false while teardown unwinds its fibers: their operations do nothing)
  bool tracing_ = false;  // a replay that reports: mode::replay, and not quiet (check_first_execution compares only)
  void set_mode(mode m, bool quiet = false) noexcept {
    mode_ = m;
    tracing_ = m == mode::replay && !quiet;
  }
  bool silent_ = false;           // running a stopped execution on to its end (go_silent)
  std::size_t silent_from_ = 0;   // steps_ before it
  bool stuck_ = false;            // the silent run-on met its step bound with threads still live (teardown)
  bool ending_ = false;  // the engine's end: parked fibers return (end_parked)

  // search stack
  node silent_node_;  // the step of a silent run-on: no choice of the search
  std::size_t replay_len_ = 0;  // nodes_[0..replay_len_) are replayed
  std::uint64_t subtree_counter_ = 0;
  unsigned char* claims_ = nullptr;
  std::size_t claims_size_ = 0;
  bool owns_subtree();
  int split_levels_ = 0;

  // the first execution that ran to its end, re-run at the end to catch state kept between executions
  std::string first_token_;
  verdict first_verdict_ = verdict::pass;
  bool saw_model_ = false;  // some execution made a model object or thread

  // current execution
  std::uint32_t generation_ = 0;            // stamps the objects this execution makes
  inline static thread_local const engine* running_here_ = nullptr;  // on the OS thread its fibers run on
  std::atomic<bool> foreign_use_{false};    // a model object was used from another OS thread
  tmask unwound_unjoined_ = 0;              // threads left running by an exception unwinding the body
  thread_table threads_;
  std::array<object_rec, kMaxThreads> life_;  // life_obj(t): "T t is alive"
  std::size_t nobj_ = 0;
  bool in_prefix_ = false;
  bool fresh_pending_ = false;      // a spawned thread has not been started yet
  std::size_t nprim_ = 0;
  // --outcomes: the final values of this execution, and of all (name -> value -> count, a token)
  std::vector<std::pair<std::string, std::uint64_t>> final_values_;
  outcome_table outcome_table_;
  std::vector<const void*> locks_;           // lock names: index+1
  std::vector<std::uint8_t> lock_holder_;    // thread+1, 0 = free
  int cur_ = -1;
  int prev_ = -1;
  std::uint16_t data_choice_ = 0;
  // RC11 memory (memory.cpp)
  mem_choice chosen_;                  // the one taken
  int sc_events_ = 0, sc_fences_ = 0;
  bool tentative_ = false;             // a choice being judged (its message is undone)
  std::array<std::uint32_t, kMaxThreads> sleep_mark_{};  // messages made when the thread fell asleep
  std::array<std::uint32_t, kMaxThreads> read_mark_{};   // its next read reads a message made since (0: any)
  tmask child_sleep_ = 0;
  /// Where a thread went round past its idle budget while others could run
  /// (thread_state::giving_up), and whether a loop there was found to wait
  /// for a write: it went round kGiveUpRounds times past it without leaving.
  /// Kept for the whole search: a park there offers the give-up no more.
  struct give_up_site_rec {
    int tid;
    source_location at;
    bool waits;
  };
  std::vector<give_up_site_rec> give_up_sites_;
  const give_up_site_rec* find_site(int c, source_location at) const;
  give_up_site_rec* site_of(const thread_rec& t);
  const give_up_site_rec* site_of(const thread_rec& t) const;
  bool replayed_step_ = false;  // the step being taken is a cached node's (its races are known)
  std::int32_t taking_ = 0;     // the step being taken (plan_step to finish_step)
  run_end end_ = run_end::complete;  // how the execution ended (plan_step returned -1)
  bool sharded_root_seen_ = false;
  // A thread's end is a step of its own (engine::asked_after_life): in this
  // execution, from the next one, and whether the search starts again for it.
  bool ends_are_steps_ = false, ends_wanted_ = false, restart_ = false;
  bool planned_end_ = false;  // a thread planned the step after its own and found the end (hand_over)
  bool planning_here_ = false;  // plan_step runs on the stack of thread cur_ (engine::visible)
  std::array<std::vector<footprint_item>, kMaxThreads> sleep_fp_;  // an asleep opaque segment's footprint
  std::vector<time_mark> times_;  // where threads' own times moved, in this execution (time_of)
  std::array<std::uint32_t, kMaxThreads> time_last_ = kNoChains;  // each thread's last mark in times_ (kNoAccess: none)
  int preemptions_ = 0;  // (16 bits wrapped: a random search may take one a step, and .max_steps is up to 10^8)
  failure fail_;
  failure failure_;  // the failure a search stopped at
  int stale_reads_ = 0;  // in its execution: reads of a store other than the latest
  bool failed_ = false;
  bool diverged_ = false;
  boost::context::fiber sched_;
  stack_bounds sched_stack_;  // the scheduler's stack, learned where a fiber lands from it (AddressSanitizer's only)
  int from_ = -1;  // the context that switched to the running one (-1: the scheduler)
  int home_ = -1;  // where yield_back goes: the scheduler, or the context starting a thread (start_thread)

  // random / pct
  std::optional<std::mt19937_64> rng_;  // seeded on first use: seeding costs more than a short check
  std::mt19937_64& rng() {
    if (!rng_) rng_.emplace(slice_seed(opt_));
    return *rng_;
  }
  std::array<int, kMaxThreads> prio_{};
  std::vector<std::uint32_t> change_points_;
  std::uint32_t max_steps_seen_ = 1;

  // WEAVE_PSC, read when the engine is made (a getenv a check; read where psc
  // is first asked, a bad value would end the process on a model thread's stack)
  psc_mode psc_ways_ = psc_setting();

  // fast-forward (forward.cpp)
  forward_mode forward_ = forward_setting();
  std::int32_t backtracked_ = -1;  // the node the last backtrack changed (-1: none, a new search)
  std::size_t nsnaps_ = 0;         // snaps_[0, nsnaps_) hold for the current search stack
  bool snapped_ = false;           // this execution has made its first new choice
  std::int32_t ff_j_ = 0;          // the next step to fast-forward
  std::int32_t ff_to_ = -1;        // the snapshot's step (verify: where to compare)
  std::size_t ff_ans_ = 0;         // the next answer to hand back
  bool ff_bad_ = false;
  bool ff_landed_ = false;         // this execution fast-forwarded (verify: nothing to compare)
  std::uint64_t verify_turn_ = 0;  // verify: fast-forward every other execution
};

// Whether opaque thread t's pending access may be the read at which its call
// decides (call.reads_decide(), calls.cpp): the reads that decide are seq_cst
// (sync.hpp, Python's order across primitives), a load or a
// compare_exchange's failure.
inline bool engine::decides_here(const thread_rec& t) const noexcept {
  constexpr auto sc = std::memory_order_seq_cst;
  const pending_op& p = t.pend;
  return ((p.kind == op::load && p.order == sc) || (p.cas && p.order_fail == sc)) &&
         calls_[static_cast<std::size_t>(t.call)].reads_decide;
}

inline void engine::visible(std::uint32_t obj, op kind, source_location loc, std::memory_order o,
                            std::memory_order o_fail, bool cas, bool weak, std::uint64_t expected,
                            bool may_have_ended) {
  if (!active()) return;
  if ((obj >= kStale || (failed_ && !silent_) || (obj < nobj_ && !objects_[obj].alive && !may_have_ended)) &&
      !visible_rare(obj, loc, may_have_ended))
    return;
  thread_rec& t = threads_[cur_];
  // Field by field from the arguments: a pending_op built on the caller's
  // stack and copied whole stalls on reading back its narrow stores.
  pending_op& q = t.pend;
  q.obj = obj;
  q.kind = kind;
  q.loc = loc;
  q.order = o;
  q.order_fail = o_fail;
  q.cas = cas;
  q.weak = weak;
  q.expected = expected;
  t.st = tstate::runnable;
  t.act = action::step;
  hand_over();
}

inline const object_rec* engine::dep_object(std::uint32_t obj) const noexcept {
  if (obj >= kLifeBase && obj < kLifeBase + kMaxThreads) return &life_[obj - kLifeBase];
  if (obj == kNoObj || obj >= nobj_) return nullptr;
  return &objects_[obj];
}

// The await rule's bookkeeping: thread cur_ read obj (a load, a failed CAS, an
// RMW, a futex wait's value check, S::alive): message msg of an atomic, and
// (under sc, the latest) every value written to it so far.
inline void engine::note_read(std::uint32_t obj, std::uint32_t msg) {
  const object_rec* o = dep_object(obj);
  if (o == nullptr || cur_ < 0) return;
  auto& reads = threads_[cur_].spin_reads;
  const auto seen = static_cast<std::uint32_t>(o->writes.size());
  if (spin_read* r = read_of(reads, obj)) {
    r->seen = seen;
    r->msg = msg;
    return;
  }
  reads.push_back(spin_read{obj, seen, msg});
}

inline void engine::hand_over() {
  // The step this thread has just taken ends here, and the thread plans the
  // next one itself, on its own stack: when it is chosen again (most steps),
  // it runs on without switching at all; another thread gets the processor
  // straight from it; new threads are started from it too (start_thread).
  // Not while it is being started itself (in_prefix_): it goes back to the
  // context that starts it.
  if (!in_prefix_) {
    if (!ff_) finish_step();
    planning_here_ = true;
    const int c = ff_ ? ff_plan() : plan_step();
    planning_here_ = false;
    if (c == cur_) return;
    if (c >= 0) {
      switch_to(c);
      return;
    }
    planned_end_ = true;  // the end: the scheduler's
  }
  yield_back();
}

}  // namespace weave::model::detail
