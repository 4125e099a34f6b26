// The model checker's private runtime (never included by users).
//
// One execution: every model thread is a Boost.Context fiber, one running at a
// time. A fiber runs until its next visible operation and records it as its
// pending operation, so the scheduler always knows what every thread would do
// next; then, on its own stack, it plans the next step and runs on or hands
// the processor straight to the thread chosen (engine::hand_over). The
// scheduler's own context (the OS thread's stack) starts the execution, takes
// over when a thread stops without planning, and sees the end.
// A step = performing a thread's pending operation plus the local code up to its
// next visible operation.
//
// The search: the sequence of scheduling choices (thread, and for wake_one with
// several sleepers, which sleeper) identifies an execution and is its replay
// token. Exhaustive search is a depth-first walk over a stack of nodes that
// survives across executions; each execution re-runs the body from the start,
// replaying the stack's choices and extending it with default choices. The
// replayed prefix runs the threads' code only, up to a snapshot of the
// engine's state taken by an earlier execution with the same choices
// (fast-forward, forward.cpp).
//
// Reduction: source-DPOR (Abdulla, Aronis, Jonsson, Sagonas, "Optimal Dynamic
// Partial Order Reduction", POPL 2014, Algorithm 1) with sleep sets (Godefroid,
// 1996). Steps are dependent when they are by the same thread or touch the same
// object and one of them writes (under RC11 two plain stores, and two seq_cst
// fences, commute: see memory.cpp; a futex word's waiters are apart from its
// value, and a set: two threads' sleeps and returns on it commute, a wake does
// not (engine.cpp's touch::waiter, touch::queue); a step that asks after a thread's life
// depends on that thread's end, or, until ends are steps of their own, on
// every step of it, any of which may be its last: engine::asks_after); races
// between dependent steps not ordered by the dependency happens-before add the
// initials of the reversed order to the backtrack set of the earlier step's
// node. Sleep sets under RC11 go by reads-from (engine::wakes).
//
// An execution the search stops early (a failure, a sleep-blocked or pruned
// branch) is run on silently to its end before its fibers are destroyed
// (engine::go_silent), so no fiber is unwound from inside a destructor.
//
// Memory model (memory.cpp): RC11. Every store is a message in its location's
// modification order; a load's reads-from and a store's place in mo are choices
// of the search, restricted to what coherence, RMW atomicity and RC11's partial
// SC order allow. Vector clocks give happens-before (release/acquire through
// the message read, C++20 release sequences through RMWs, fences, spawn, join,
// wake -> woken); cells are checked against it (FastTrack-style epochs).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <cstdint>
#include <functional>
#include <iterator>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/context/fiber.hpp>

#include "weave/model.hpp"

namespace weave {
/// Two call sites are the same file and line (fast-forward's checks, forward.cpp).
inline bool operator==(const source_location& a, const source_location& b) noexcept {
  return a.file_name() == b.file_name() && a.line() == b.line();
}
}  // namespace weave

namespace weave::model::detail {

inline constexpr int kMaxThreads = 8;  // models keep to 2-3 threads plus the body
/// The most steps an execution may take (options::max_steps): a step index is
/// an int32, and a vector clock's entry (steps and releases) stays below 2^31.
inline constexpr std::uint64_t kMaxSteps = 100'000'000;
// A silent run-on's steps (engine::go_silent): options::max_steps, at most this.
inline constexpr std::uint64_t kSilentSteps = 100'000;
/// Rounds a spin loop may go on past its idle budget (engine::giving_up,
/// engine::give_up_offer): a loop bounded by its own count gives up within
/// them, as on hardware. One that does not waits for a write: where every
/// other live thread is blocked, a deadlock; where another can run, the
/// execution in which it parked covers it.
inline constexpr int kGiveUpRounds = 1000;
using tmask = std::uint32_t;  // a set of thread ids
inline constexpr tmask bit(int t) { return tmask(1) << t; }

inline constexpr bool acquires(std::memory_order o) {
  return o == std::memory_order_acquire || o == std::memory_order_acq_rel || o == std::memory_order_seq_cst ||
         o == std::memory_order_consume;
}
inline constexpr bool releases(std::memory_order o) {
  return o == std::memory_order_release || o == std::memory_order_acq_rel || o == std::memory_order_seq_cst;
}
/// A source file's name without its directories, and "file:line" (the trace's and the reports').
inline const char* base_name(const char* path) {
  const char* s = std::strrchr(path, '/');
  return s ? s + 1 : path;
}
inline std::string where(source_location l) {
  return std::string(base_name(l.file_name())) + ":" + std::to_string(l.line());
}
/// A value as the trace and --outcomes say it: a negative one as such, one
/// above 999,999 in hex (an address, most likely: a pointer atomic's), the
/// rest in decimal.
inline std::string value_text(std::uint64_t v) {
  if (v >= 0xffffffff00000000ull) return std::to_string(static_cast<std::int64_t>(v));
  if (v > 999999) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
  }
  return std::to_string(v);
}

/// The pseudo-object "thread t is alive": S::alive(t) reads it and t's last
/// step (the one it finishes in) writes it, so DPOR orders the two like any
/// other read and write. Outside the object table: it has no name of its own.
inline constexpr std::uint32_t kLifeBase = 0xfffff000u;
inline constexpr std::uint32_t life_obj(int t) { return kLifeBase + static_cast<std::uint32_t>(t); }
inline constexpr std::int64_t kNoHolder = -1;  // a futex wait no thread's death ends
inline constexpr std::uint32_t kOutside = 0xffffffffu;  // object index: made outside any execution
inline constexpr std::uint32_t kStale = 0xfffffffeu;    // object index: made in an earlier execution
inline constexpr std::uint32_t kNoObj = 0;    // object index: an operation on no object
inline constexpr std::uint32_t kScFence = 1;  // object index: what seq_cst fences all touch
inline constexpr std::uint32_t kNoMsg = 0xffffffffu;    // no message (memory.cpp)
// A thread's life under RC11 (engine::life_event): "it lives", then its end,
// the two messages of its life location, in that modification order.
inline constexpr std::uint32_t kLifeStart = 0xfffffffeu;
inline constexpr std::uint32_t kLifeEnd = 0xfffffffdu;

/// A vector clock over model threads.
struct vclock {
  std::array<std::uint32_t, kMaxThreads> c{};
  void join(const vclock& o) noexcept {
    // Compared as signed, into a copy, then back: the loop vectorises to a
    // compare and a blend per four entries (SSE2, the x86-64 baseline, has a
    // signed compare and no unsigned one), without a test of whether o
    // overlaps this clock. An entry stays below 2^31: it counts steps and
    // releases of one execution, at most kMaxSteps steps (options_error).
    std::array<std::uint32_t, kMaxThreads> r;
    for (int i = 0; i < kMaxThreads; ++i)
      r[i] = static_cast<std::int32_t>(c[i]) > static_cast<std::int32_t>(o.c[i]) ? c[i] : o.c[i];
    c = r;
  }
  void clear() noexcept { c.fill(0); }
  bool operator==(const vclock&) const = default;
};

enum class tstate : std::uint8_t {
  fresh,     // created, has not run to its first visible operation yet
  runnable,  // pending operation can be performed
  blocked,   // in a futex wait
  spinning,  // in spin(): waits until another thread writes
  joining,   // pending join of a thread that has not finished
  finished,
  aborted,   // stopped by a failure in this execution
};

/// What the scheduler would make a thread do if chosen.
enum class action : std::uint8_t { step, wake_return, spin_return, timeout, spurious };

struct pending_op {
  std::uint32_t obj = 0;
  op kind = op::fence;
  source_location loc{};
  // atomic accesses: what the checker needs to list the choices before the step
  std::memory_order order = std::memory_order_seq_cst;
  std::memory_order order_fail = std::memory_order_seq_cst;  // compare_exchange's failure order
  bool cas = false, weak = false;
  std::uint64_t expected = 0;  // compare_exchange
  bool operator==(const pending_op&) const = default;
};

/// What a thread read since its previous spin (the await rule): the object,
/// how many stores it had when read, and the message read (kNoMsg: not an atomic).
struct spin_read {
  std::uint32_t obj;
  std::uint32_t seen;
  std::uint32_t msg;
  bool again = false;  // in engine::thread_data::streak: read by two rounds of the loop or more
  bool operator==(const spin_read&) const = default;  // every field (fast-forward's verification)
};

/// obj's entry in a list of reads that has one entry an object at most
/// (thread_data::spin_reads, streak), or nullptr.
inline spin_read* read_of(std::vector<spin_read>& reads, std::uint32_t obj) noexcept {
  for (spin_read& r : reads)
    if (r.obj == obj) return &r;
  return nullptr;
}
inline const spin_read* read_of(const std::vector<spin_read>& reads, std::uint32_t obj) noexcept {
  return read_of(const_cast<std::vector<spin_read>&>(reads), obj);
}

/// A weave primitive of this execution (model_sync::object), for the trace.
struct prim_rec {
  const void* addr = nullptr;
  const char* kind = "";
  std::string name;  // the user's; empty: a default (kind and number) when first shown
  bool alive = false;
  bool stepwise = false;  // weave::calls::stepwise: its calls are never one step
};

/// A thread's outermost call of a primitive's public operation.
struct call_rec {
  std::uint32_t prim = 0;
  std::uint8_t tid = 0;
  const char* what = "";
  source_location loc{};
  std::string args;
  const char* note = nullptr;  // why it blocks, said by the primitive
  std::string result;          // what it returned (call.returns)
  bool reads_decide = false;   // it may decide at a seq_cst read (call.reads_decide(), calls.cpp)
  // The await rule at the user's level (engine::call_end): the thread's idle
  // spins when the call opened, and the call's first step.
  int idle_before = 0;
  std::int32_t first_step = 0;
  bool operator==(const call_rec&) const = default;
};

/// A model thread's state in one execution, all of it plain data: a recycled
/// record is made new again by assigning a default one (thread_table).
struct thread_state {
  std::int32_t call = -1;       // its open outermost call (index into engine::calls_), or -1
  tstate st = tstate::fresh;
  action act = action::step;
  // Set at each spin: where the spin was a round past the thread's idle
  // budget, 1 + its give-up site (engine::give_up_sites_), and kOffered if
  // those rounds began where another thread could run (engine::give_up_offer);
  // else 0 (in padding).
  std::uint8_t giving_up = 0;
  static constexpr std::uint8_t kOffered = 0x80;
  // Under RC11, its round (since its previous spin) gave up: a read that the
  // await rule held to a newer store read the store its loop's rounds read
  // instead (list_choices), and no access since went past the loop (engine::
  // held_off_read). Its round saw no news, as a parked spinner's (engine::
  // stale). In padding.
  bool held_off = false;
  pending_op pend;
  std::uint32_t wait_obj = 0;
  bool timed = false;
  std::uint8_t late = 0;  // time-outs of others in a row it could have run at (engine::count_late)
  bool read_clock = false;  // read S::clock::now() since its previous spin (engine::clock_spin; in padding)
  bool wrote_cell = false;  // wrote a cell since its open call began (engine::changed_nothing; in padding)
  std::int64_t deadline = 0;
  std::int64_t holder = kNoHolder;  // S::wait_unless_dead: the S::self() id whose death ends the wait
  wait_result wres = wait_result::woken;
  std::uint8_t rmw_changes = 0;  // RMWs of it that changed a value since its open call began (call_end; in padding)
  std::uint8_t writing_rounds = 0;  // rounds in a row up to its latest spin that wrote (engine::yields; in padding)
  int repeats = 0;                // rounds in a row that read the same stores as the one before (RC11)
  int idle_spins = 0;             // spins in a row that returned with nothing new to read
  int spurious_cas_left = 0;      // spurious compare_exchange_weak failures left (RC11)
  int spurious_left = 0;          // spurious wake-ups this thread may still get
  std::int32_t since = 0;         // the step at which it last fell asleep or woke (engine::late_after_time_out; in padding)
  // Its own virtual time: its parent's when it started, or its latest time-out
  // (engine::time_of). The marks of engine::times_ and its clock hold it too;
  // kept, it is time_of's start, and it keeps thread_rec at 512 bytes (a shift
  // to index threads_; at 504, a multiply cost checker_speed 3.7% of its instructions).
  std::int64_t now = 0;
  std::uint32_t join_target = 0;
  bool joined = false;
  source_location spawned_at{};
  std::int32_t spawn_step = -1;  // the parent's step when it spawned this thread
  bool stepped = false;          // has taken a step in this execution (kept while tracing)
  vclock hb;          // C++ happens-before
  vclock acq_fence;   // what an acquire fence would add (relaxed loads seen)
  vclock rel_fence;   // the clock at the last release fence
  bool has_rel_fence = false;
  vclock dpor;        // dependency clock: step index + 1 of the latest dependent step
  vclock wake_hb;     // clock handed over by the waker
  std::int32_t wake_step = -1;
  const void* acquiring = nullptr;   // between pre_lock and post_lock
  bool operator==(const thread_state&) const = default;
};
static_assert(std::is_trivially_copyable_v<thread_state>, "thread_table resets it by assignment");

/// A list copied into a record's list: an empty one (most are) only clears
/// it, where the copy of an empty vector is a call all the same. Snapshots
/// copy records often (forward.cpp).
template <class T>
void copy_list(std::vector<T>& to, const std::vector<T>& from) {
  if (from.empty()) to.clear();
  else to = from;
}

/// The end of a thread's chain of accesses (access_rec::prev) or time marks
/// (time_mark::prev).
inline constexpr std::uint32_t kNoAccess = 0xffffffffu;
/// Every thread's chain empty (object_fields::last_acc, engine::time_last_).
inline constexpr std::array<std::uint32_t, kMaxThreads> kNoChains = [] {
  std::array<std::uint32_t, kMaxThreads> none{};
  none.fill(kNoAccess);
  return none;
}();

/// Of each thread's chain in `list` (heads[u], newest first, linked by prev),
/// the newest entry that `clock` covers (its epoch at most clock.c[u]), and of
/// those the largest key, from init. A thread's entries go up (its accesses
/// in mo, its times), so its newest covered entry is its largest: each chain
/// is walked back only over what the clock does not cover.
template <class T, class V, class Key>
V chain_max(const std::vector<T>& list, const std::array<std::uint32_t, kMaxThreads>& heads, std::size_t threads,
            const std::array<std::uint32_t, kMaxThreads>& clock, V init, Key key) {
  for (std::size_t u = 0; u < threads; ++u)
    for (std::uint32_t i = heads[u]; i != kNoAccess; i = list[i].prev)
      if (list[i].epoch <= clock[u]) {
        init = std::max(init, key(list[i]));
        break;
      }
  return init;
}

/// Where thread tid's own virtual time moved at a time-out (engine::time_of):
/// from its epoch `epoch` on, its time is `ns`.
struct time_mark {
  std::uint8_t tid;
  std::uint32_t epoch;
  std::uint32_t prev;  // the thread's mark before it in engine::times_ (kNoAccess: none)
  std::int32_t step;   // the time-out's step (engine::stale_past_time_outs)
  std::int64_t ns;
  bool operator==(const time_mark&) const = default;
};
static_assert(sizeof(time_mark) == 24, "time_mark's step fills its padding");

/// A model thread's state in one execution with its lists: what a snapshot
/// keeps of it (forward.cpp; its name stays as it was spawned).
struct thread_data : thread_state {
  std::vector<std::int32_t> user_saved;  // calls suspended by S::user_code, innermost last
  // The await rule: what it read since its previous spin(). A spin is enabled
  // once one of them has something newer to read, or while its idle rounds
  // (engine::idle_rounds) are fewer than spin_budget.
  std::vector<spin_read> spin_reads;
  // What its loop's rounds read since it last saw news, each location's latest
  // read (engine::idle_rounds, engine::same_values, RC11's newer reads).
  std::vector<spin_read> streak;
  std::vector<const void*> holding;  // locks held (from the lock hooks)
  bool operator==(const thread_data&) const = default;

  thread_data() = default;
  thread_data(const thread_data&) = default;
  thread_data(thread_data&&) noexcept = default;
  thread_data& operator=(thread_data&&) noexcept = default;
  /// Every field, and every list (copy_list).
  thread_data& operator=(const thread_data& o) {
    static_cast<thread_state&>(*this) = o;
    copy_list(user_saved, o.user_saved);
    copy_list(spin_reads, o.spin_reads);
    copy_list(streak, o.streak);
    copy_list(holding, o.holding);
    return *this;
  }
};
static_assert(sizeof(thread_data) == sizeof(thread_state) + 4 * sizeof(std::vector<int>),
              "a list added to thread_data is copied in its operator= (copy_list)");

/// A model thread: its state, and what runs it.
struct thread_rec : thread_data {
  // Its fiber: empty while it runs (a context holds only the others') and once
  // unwound; parked: its function returned and the fiber waits, with its
  // stack, to run thread slot t of a later execution (engine::start_thread).
  boost::context::fiber fib;
  bool parked = false;
  /// A fiber suspended inside the thread's function (not parked, not gone).
  bool suspended() const noexcept { return fib && !parked; }
  std::function<void()> fn;
  std::string name;  // the user's (model::thread{"Tom", fn}); empty: T<n>
};
// A power of two: threads_[t] is a shift (at 504 bytes, a multiply cost
// checker_speed 3.7% of its instructions). A new field goes in padding.
static_assert(sizeof(thread_rec) == 512, "thread_rec stays at 512 bytes");

/// The threads of one execution. Records are recycled across executions, as
/// object records are: a new one is default again but keeps its vectors'
/// capacity, so an execution allocates nothing for its threads.
class thread_table {
 public:
  std::size_t size() const noexcept { return n_; }
  bool empty() const noexcept { return n_ == 0; }
  thread_rec& operator[](std::size_t i) noexcept { return recs_[i]; }
  const thread_rec& operator[](std::size_t i) const noexcept { return recs_[i]; }
  thread_rec& back() noexcept { return recs_[n_ - 1]; }
  thread_rec* begin() noexcept { return recs_.data(); }
  thread_rec* end() noexcept { return recs_.data() + n_; }
  const thread_rec* begin() const noexcept { return recs_.data(); }
  const thread_rec* end() const noexcept { return recs_.data() + n_; }
  std::reverse_iterator<thread_rec*> rbegin() noexcept { return std::reverse_iterator<thread_rec*>(end()); }
  std::reverse_iterator<thread_rec*> rend() noexcept { return std::reverse_iterator<thread_rec*>(begin()); }
  /// Every fiber must be gone or parked (engine::teardown) before the table is
  /// cleared; what the threads' functions captured is destroyed here, between
  /// executions. A new record keeps its slot's parked fiber.
  void clear() noexcept {
    for (std::size_t i = 0; i < n_; ++i) recs_[i].fn = nullptr;
    n_ = 0;
  }
  /// A fresh record (at most kMaxThreads: engine::spawn checks).
  thread_rec& emplace_back() {
    thread_rec& r = recs_[n_++];
    // Copied from a constant: a temporary's copy read back its narrow stores
    // at once and stalled (store forwarding; 2% of checker_speed's mutex search, perf).
    static constexpr thread_state kFresh{};
    static_cast<thread_state&>(r) = kFresh;
    r.name.clear();
    r.user_saved.clear();
    r.fn = nullptr;
    r.spin_reads.clear();
    r.streak.clear();
    r.holding.clear();
    return r;
  }

  /// Any of the kMaxThreads records, in use or not (a parked fiber may wait in any).
  thread_rec& slot(int i) noexcept { return recs_[static_cast<std::size_t>(i)]; }

 private:
  std::array<thread_rec, kMaxThreads> recs_;
  std::size_t n_ = 0;
};

/// A store: one entry of its location's modification order (RC11).
struct message {
  std::uint64_t value = 0;
  std::uint32_t obj = 0;
  std::uint32_t pos = 0;      // its index in objects_[obj].mo
  std::int32_t step = -1;     // the step that wrote it; -1 = the initial value
  std::uint8_t tid = 0;
  bool taken = false;         // an RMW read it: nothing may come between them in mo
  bool rel_valid = false;     // it heads or continues a release sequence:
  bool nil = false;           // written by a call that changed nothing (engine::call_end): no news (news_after)
  vclock rel;                 //   what an acquire that reads it synchronizes with
  bool operator==(const message&) const = default;
};

/// An access to a location by a thread at an epoch, and the message it read or
/// wrote: a later access by a thread it happens before cannot read, or place a
/// store, before that message in mo (coherence).
struct access_rec {
  std::uint8_t tid;
  std::uint32_t epoch;
  std::uint32_t msg;
  std::uint32_t prev;  // the thread's access before it in object_state::acc (kNoAccess: none)
  bool operator==(const access_rec&) const = default;
};

/// One memory event (atomic access or fence), kept for RC11's SC order.
struct mem_event {
  std::int32_t step = -1;
  std::uint8_t tid = 0;
  std::uint32_t epoch = 0;
  std::uint32_t obj = 0;          // kNoObj (0) for a fence
  std::uint32_t rf = kNoMsg;      // the message it read
  std::uint32_t wr = kNoMsg;      // the message it wrote
  bool sc = false;                // seq_cst access or fence
  bool fence = false;
  bool barrier = false;           // a system call (engine::life_event): also a seq_cst fence on both sides
  vclock clk;                     // its thread's happens-before clock after it
  bool fence_like() const noexcept { return fence || barrier; }  // a fence for psc and po|≠loc
  bool operator==(const mem_event&) const = default;
};

/// A choice the search makes for an atomic access.
enum class pick : std::uint8_t { read, insert_after, rmw_after, cas_fail, cas_spurious };
struct mem_choice {
  pick kind = pick::read;
  std::uint32_t msg = kNoMsg;  // the message read (or inserted after)
  bool operator==(const mem_choice&) const = default;
};

/// What every object's accesses change, but its lists (object_state).
struct access_fields {
  bool alive = false;
  std::uint32_t untaken = 0;  // messages of mo no RMW has read (the mo-latest always is one)
  // dependency tracking: the last step that conflicts with everything (object_state's reads, stores)
  std::int32_t last_write = -1;
  std::int32_t last_queue = -1;  // the last wake of its futex waiters (engine.cpp's touch::queue)
  // each thread's last step since then that joined or left the waiters (touch::waiter), plus 1 (0: none)
  std::array<std::int32_t, kMaxThreads> waiter_steps{};
  // each thread's latest access in acc (kNoAccess: none), the head of its chain (access_rec::prev)
  std::array<std::uint32_t, kMaxThreads> last_acc = kNoChains;
};

/// What a cell's accesses change (engine::cell_access): its last write's
/// epoch and each thread's read epoch, with their steps and call sites, which
/// hold something only where that epoch is not 0. An atomic's epochs stay 0.
struct cell_fields {
  std::uint32_t w_clk = 0;
  std::uint8_t w_tid = 0;
  std::int32_t w_step = -1;
  source_location w_loc{};
  std::array<std::uint32_t, kMaxThreads> r_clk{};
  std::array<std::int32_t, kMaxThreads> r_step{};
  std::array<source_location, kMaxThreads> r_loc{};
};

struct object_fields : access_fields, cell_fields {};

/// What an object's record says that its accesses change (a snapshot keeps
/// this part: what it is, named, made and lives stays as it was made).
struct object_state : object_fields {
  std::vector<std::int32_t> writes;  // the steps that wrote a value to it (the await rule; not an RMW that wrote back what it read)
  // RC11: the modification order (message ids) and who accessed what when
  std::vector<std::uint32_t> mo;
  std::vector<access_rec> acc;
  // dependency tracking: the reads and the plain stores since last_write
  // (under RC11 two stores commute: the search places each in mo)
  std::vector<std::int32_t> reads;
  std::vector<std::int32_t> stores;
  // futex
  std::vector<std::uint8_t> waiters;

  object_state() = default;
  object_state(const object_state&) = default;
  object_state(object_state&&) noexcept = default;
  object_state& operator=(object_state&&) noexcept = default;
  /// Every field, and every list (copy_list).
  object_state& operator=(const object_state& o) {
    assign(o, true);
    return *this;
  }
  /// o's state, of a cell or not: an atomic's cell fields are not copied, only
  /// their epochs made 0 as o's are (fast-forward's snapshots copy records
  /// often, and the cell fields are 296 of their 376 bytes).
  void assign(const object_state& o, bool cell) {
    static_cast<access_fields&>(*this) = o;
    if (cell) {
      static_cast<cell_fields&>(*this) = o;
    } else {
      w_clk = 0;
      r_clk.fill(0);
    }
    copy_list(writes, o.writes);
    copy_list(mo, o.mo);
    copy_list(acc, o.acc);
    copy_list(reads, o.reads);
    copy_list(stores, o.stores);
    copy_list(waiters, o.waiters);
  }
};
static_assert(std::is_trivially_copyable_v<access_fields> && std::is_trivially_copyable_v<cell_fields>,
              "object_state copies each as one");
static_assert(sizeof(object_state) == sizeof(object_fields) + 6 * sizeof(std::vector<int>),
              "a list added to object_state is copied in its operator= (copy_list)");

struct object_rec : object_state {
  bool is_cell = false;
  bool opaque_values = false;  // its values are not compared between runs (object_kind::atomic_opaque)
  source_location made{};
  std::string name;  // the user's (atomic{v, "name"}, cell{v, "name"}); empty: a1, c1, ...
  void* shadow = nullptr;        // the atomic's own copy of its latest value
  std::uint8_t shadow_size = 0;
  /// Fast-forward (forward.cpp): the steps taken when its state last changed
  /// (a change in step k writes k + 1): unchanged since a snapshot's step, it
  /// is the snapshot's already. Its end (alive) is not stamped: a restore
  /// copies it always.
  std::int32_t changed = kChangedAlways;
  static constexpr std::int32_t kChangedAlways = 0x7fffffff;

  /// A thread's life record, kNoObj or kScFence made new for an execution:
  /// unchanged since its start (a snapshot need not copy it: forward.cpp).
  void reset_clean() {
    reset(false, {});
    changed = 0;
  }
  /// Makes a recycled record new again, keeping its vectors' capacity (no heap
  /// traffic per execution).
  void reset(bool cell, source_location where, bool opaque = false) {
    changed = kChangedAlways;
    is_cell = cell;
    opaque_values = opaque;
    alive = true;
    writes.clear();
    made = where;
    name.clear();
    mo.clear();
    untaken = 0;
    acc.clear();
    last_write = -1;
    last_queue = -1;
    waiter_steps.fill(0);
    last_acc = kNoChains;
    reads.clear();
    stores.clear();
    waiters.clear();
    w_clk = 0;
    w_tid = 0;
    w_step = -1;
    r_clk.fill(0);
  }
};

// The atomic's own copy of its latest value (object_rec::shadow), by its size:
// a copy of a known size is a move, where memcpy of a variable one is a call.
inline void copy_shadow(const object_rec& o, std::uint64_t v) {
  switch (o.shadow_size) {
    case 1: std::memcpy(o.shadow, &v, 1); break;
    case 2: std::memcpy(o.shadow, &v, 2); break;
    case 4: std::memcpy(o.shadow, &v, 4); break;
    case 8: std::memcpy(o.shadow, &v, 8); break;
    default: std::memcpy(o.shadow, &v, o.shadow_size); break;
  }
}

/// One step of the current execution (the trace).
struct step_rec {
  // User-provided, so that steps_.emplace_back() runs only the member
  // initializers: value-initializing an aggregate-like record zero-fills all
  // of it first (a `rep stos` per step, a few percent of a search's time).
  step_rec() noexcept {}
  // What every step is: engine::take_step, the one place a step_rec is made,
  // writes each of these, so they have no initializer to write them twice.
  std::uint8_t tid;
  action act;
  op kind;
  bool preempted;  // the previous thread could have gone on
  bool eager;      // a forced step (an enabled join), not a choice
  bool forced;     // the next step of an opaque call (no choice)
  std::uint16_t data_choice, data_alts;
  // Traced runs only (engine::step_kind): the switch to it was the fair
  // scheduler's, no preemption: the previous thread's next step would let
  // time pass with this one late (engine::late_if_it_runs). In padding.
  bool fair;
  std::uint32_t obj;
  std::int32_t call;  // the outermost call it belongs to
  std::int32_t seg;   // the first step of its segment (itself unless forced)
  source_location loc;
  // What the operation did, written by the operation when it has it.
  std::memory_order mo = std::memory_order_relaxed;
  bool has_value = false, has_old = false;
  tstate after = tstate::runnable;  // the thread's state when the step ended
  op after_kind = op::fence;         // and its next operation
  std::uint64_t value = 0, old = 0;
  std::uint32_t aux = 0;  // wait result, woken count, spawned/joined thread
  std::uint32_t rf = kNoMsg;     // RC11: the message it read
  std::uint32_t wr = kNoMsg;     //   and the one it wrote
  std::uint32_t newer = kNoMsg;  //   the latest message of that location it did not read (a stale read)
  std::int32_t sync_from = -1;  // a step of another thread it synchronizes with (replay only: the exports' arrows)
  std::uint32_t after_target = 0;    // the thread it joins next, if it does
  const char* note = nullptr;  // its call's note when the step ended (why it blocks)
  vclock dclk;
};

struct footprint_item {
  std::uint8_t tid;
  std::uint8_t kind;  // engine.cpp's touch
  std::uint32_t obj;
  bool operator==(const footprint_item&) const = default;
};

/// A node of the search stack: the state before one step.
struct node {
  // User-provided, as step_rec's: nodes_.emplace_back() then runs only the
  // member initializers, where value-initializing zero-filled the whole node
  // first (a `rep stos`, slow to start, for every new node).
  node() noexcept {}
  std::uint8_t chosen = 0;
  std::uint16_t data_choice = 0;  // which sleeper a wake_one wakes, or an atomic access's mem_choice
  std::uint16_t data_alts = 1;
  tmask enabled = 0;    // threads that could be chosen here
  tmask backtrack = 0;  // threads that must be explored here
  tmask done = 0;       // threads explored here
  tmask sleep = 0;      // threads whose step here is covered elsewhere
  bool upper = false;   // fully expanded (sharding prefix)
  // Threads explored here, but an execution below was cut (engine::cut_unfair):
  // a tmask in a byte of padding (the node stays at 116 bytes).
  std::uint8_t cut = 0;
  // 1 + the thread that parked at this step's spin, its idle budget spent,
  // while others could run: its going round past the budget instead (its
  // loop gives up) is explored here after every other choice (engine::
  // give_up_offer). 0: none, or explored. In padding, as cut.
  std::uint8_t give_up = 0;
  // Its step was the first round of a spin loop that gave up under RC11,
  // reading the old store where the await rule held it to a newer one
  // (thread_state::held_off): where engine::covered_by_park's trim begins.
  // In padding, as cut.
  bool gave_up_read = false;
  std::uint32_t sig = 0;  // what the chosen thread did here (replay divergence)
  // What the scheduler worked out when it last took this node's step, for the
  // executions that replay it with the same choices (engine::plan_step):
  // set once the step is taken, cleared when backtrack changes a choice here.
  bool cached = false;
  bool forced = false, eager = false, preempt = false;
  mem_choice choice;        // an atomic access's store to read or place after
  tmask kept_asleep = 0;    // the sleepers its step left asleep (engine::sleep_after)
  tmask woke_to_newer = 0;  // and those it woke to read newer stores only
  vclock dclk;              // its step's dependency clock (engine::dpor_step)
  /// Threads to explore right after this node's segment once thread q is
  /// chosen here (then_after[q], engine::add_race_backtrack): a race whose
  /// reversal begins with q, to be explored here already, and goes on with
  /// the racing thread.
  std::array<tmask, kMaxThreads> then_after{};
};

static_assert(kMaxThreads <= 8, "node::cut holds a thread set in a byte");
static_assert(sizeof(node) == 116, "node: cut, give_up and gave_up_read are in bytes of padding");

/// A row of a counterexample: a step, or a whole segment of an opaque call.
struct trace_row {
  std::size_t first, last;  // its steps
  std::string text;         // what the table shows (the call, or the step), with its file:line
  std::string why;          // where another thread ran the row before: the switch's reason (engine::switch_reason)
};

/// A cell access recorded while tracing (shown between the steps).
struct note {
  std::size_t pos;  // steps started when it happened
  std::uint8_t tid;
  std::string text;
};

struct failure {
  verdict v = verdict::pass;
  std::int32_t race_a = -1, race_b = -1;  // a data race: the two accesses' steps (-1: before any step)
  std::string message;   // one-line summary
  std::string footer;    // the verdict's footer (race pair, cycle, ...)
};

}  // namespace weave::model::detail
