// weave/model.hpp — the model checker's whole public face.
//
//   weave::model_sync            the model side of the seam (weave/sync.hpp):
//                                every atomic access, wait, wake, spawn, join,
//                                spin, fence and liveness query is a
//                                scheduling point. A thread that returns is
//                                dead for S::alive and S::wait_unless_dead.
//   weave::model::thread         mirrors std::thread inside a check.
//   weave::model::check(o, body) explores body under every relevant
//                                interleaving; returns a result.
//   WEAVE_MODEL_CHECK(name, expected_verdict, options...) { body }
//                                registers a check with its declared verdict.
//   WEAVE_CHECK(cond)            an assertion inside a check (check_failed).
//   weave::model::main(argc, argv) the runner (--help lists its flags).
//
// A check body is re-executed from the start once per explored execution
// (stateless model checking), so every shared object must be created inside the
// body. Everything else lives in models/checker/src/ and is private.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "weave/sync.hpp"

namespace weave {
namespace model {

/// What a check found. pass = nothing wrong in any explored execution.
enum class verdict : std::uint8_t {
  pass,
  deadlock,         // every live thread blocked
  check_failed,     // WEAVE_CHECK or an S::check invariant failed
  exception,        // an exception escaped a model thread
  usage_error,      // a primitive threw weave::usage_error (misuse)
  data_race,        // two unordered accesses to a cell, one a write
  livelock,         // the step bound was hit
  unjoined_thread,  // a thread left running or unjoined at the end
  nondeterminism,   // a replayed schedule diverged: the body is not deterministic (or the token is older than the code)
};
const char* to_string(verdict v) noexcept;

enum class strategy : std::uint8_t { dfs, random, pct };

/// The memory model the checker explores (--memory-model on the runner).
enum class memory_model : std::uint8_t {
  rc11,  // C++20 as repaired by RC11 (Lahav et al., PLDI 2017): a load may read
         // any store coherence allows, stores take any allowed place in the
         // modification order, seq_cst through RC11's partial SC order
  sc,    // sequential consistency: interleavings only, every load reads the
         // latest store (faster; a check that needs it says why)
};
const char* to_string(memory_model m) noexcept;

/// How to explore. Designated initializers in WEAVE_MODEL_CHECK set these.
/// How weave's own primitives run under the checker (--internals on the runner).
enum class primitive_mode : std::uint8_t {
  opaque,       // each public operation is one step, yielding only where it
                // blocks: checks of code that uses weave's primitives
  transparent,  // every internal step is a scheduling point: the checks of
                // the primitives themselves (models/checks/)
};
inline constexpr primitive_mode opaque = primitive_mode::opaque;
inline constexpr primitive_mode transparent = primitive_mode::transparent;

struct options {
  primitive_mode primitives = primitive_mode::opaque;  // opaque or transparent (see above)
  strategy search = strategy::dfs;     // dfs is exhaustive (with reduction)
  memory_model memory = memory_model::rc11;  // rc11 (weak memory) or sc (interleavings)
  int preemptions = -1;                // bound on preemptions; -1 = none
  std::uint64_t max_executions = 0;    // stop after this many; 0 = no limit
  std::uint64_t max_steps = 10000;     // per execution (at most 100,000,000); hitting it = livelock
  double time_budget = 0;              // seconds for the search and the minimizing of a
                                       // counterexample together; 0 = no limit (minimizing then
                                       // takes 20 s at most)
  double stall_seconds = 10;           // a model thread that goes this long without a visible operation
                                       // (a loop on a plain bool) ends the process with a message
                                       // and status 3; 0 = never
  std::uint64_t seed = 1;              // random and pct
  std::uint64_t iterations = 10000;    // executions for random and pct
  int pct_depth = 3;                   // pct: bug depth d (d-1 change points), 1 to 1000
  int spurious_wakeups = 1;            // spurious wake-ups explored per thread per execution, and as
                                       // many spurious compare_exchange_weak failures (0: none)
  int late_time_outs = 3;              // fairness across time-outs: a thread that could run (one asleep
                                       // in a timed wait can) lets at most this many time-outs of other
                                       // threads in a row pass (in a row: it neither fell asleep nor
                                       // woke during their waits; its steps do not count. A clock
                                       // spin's passing of time counts as one, as does a spin of a loop
                                       // that writes as it goes round: README); under rc11 a store lets
                                       // at most this many time-outs of its reader pass unseen. An
                                       // execution in which one more would pass is cut
                                       // (result::unfair) and the search is bounded, not exhaustive (a
                                       // time-out means time passed: a fair scheduler runs the thread
                                       // meanwhile, and the store arrives)
  bool reduction = true;               // partial-order reduction (DPOR + sleep sets)
  bool minimize = true;                // report a failure with the fewest preemptions
  std::size_t stack_size = 256 * 1024; // per model thread; the checker plans steps on it too (16 KiB kept for that); ASan builds of the checker give 4x both
  int shard_index = 0;                 // --shard K/N: this process explores slice K
  int shard_count = 1;                 //   of N (0-based K)
  int jobs = 1;                        // local worker processes
  bool verbose = false;                // print every execution's schedule (its replay token) on stderr
  bool exports = false;                // a counterexample also as result::trace_json, html and dot
  bool outcomes = false;               // on past failures; result::outcomes lists the final values
                                       // (under a preemption bound or random/pct: those it saw);
                                       // a failed execution's blocked threads are unwound, so one
                                       // blocked inside a destructor ends the run (std::terminate)
  bool progress = false;               // one updating progress line on stderr
};

/// What model::check returns.
struct result {
  verdict found = verdict::pass;
  std::uint64_t executions = 0;  // complete executions explored
  std::uint64_t blocked = 0;     // executions cut short by the reduction (sleep-set blocked)
  std::uint64_t unfair = 0;      // executions cut by options::late_time_outs, which no fair scheduler
                                 // runs: time-outs again and again while another thread could run
  bool exhaustive = false;       // true if every relevant execution was explored
  double seconds = 0;
  std::string report;            // the counterexample, readable (empty on pass)
  std::string replay;            // the replay token of the counterexample
  int preemptions = 0;           // preemptions in the counterexample
  int preemption_bound = -1;     // the bound a bounded search kept to (-1: none)
  bool saw_nothing = false;      // the body made no model object and no model thread:
                                 // nothing was checked (plain ints, std::thread, std::mutex)
  // With options::exports, the counterexample to look at: Chrome Trace Event
  // JSON (Perfetto), one self-contained HTML page, Graphviz DOT.
  std::string trace_json, html, dot;
  /// With options::outcomes: every distinct final value of each named atomic
  /// (all of the check's own atomics when none is named), how many explored
  /// executions end with it, and a replay token for one of them.
  std::string outcomes;
};

result check(const options& o, const std::function<void()>& body);
/// Re-runs one schedule (a token from result::replay) with full tracing. A
/// token names a schedule of the code that printed it: after the body, the
/// code it calls or weave changed, an old token may diverge (nondeterminism).
result replay(const options& o, const std::function<void()>& body, std::string_view token);

/// Inside a check body: false while the checker runs an execution that the
/// search has stopped (a pruned branch, or after a failure) on to its end, so
/// that no fiber is left inside a destructor. Code that records results
/// outside the model (a test collecting outcomes) records only when counted().
bool counted() noexcept;

/// WEAVE_CHECK's function: fails the execution with verdict check_failed.
void check_that(bool cond, const char* what,
                source_location loc = source_location::current());

namespace detail {
// The private runtime's entry points used by the inline parts of this header.
enum class op : std::uint8_t {
  load, store, rmw, cas_fail, wait, wake_one, wake_all, spin, fence, spawn, join, alive, end,
};
/// A model object's identity: the execution that made it (high half) and its
/// index in that execution (low half), so an object kept from an earlier
/// execution (a static, a global) is told apart from this execution's.
using object_id = std::uint64_t;
/// atomic_opaque: an atomic whose values are not compared between two runs of
/// one schedule (addresses, structs whose padding bytes may differ).
enum class object_kind : std::uint8_t { atomic, atomic_opaque, cell };
/// initial: an atomic's initial value (its first store in modification order);
/// the checker keeps the latest value in mo in the size bytes at addr (what
/// the atomic returns when no check runs, e.g. while a cut-short execution unwinds).
object_id new_object(void* addr, object_kind kind, source_location made, std::uint64_t initial = 0,
                     std::size_t size = 0);
void forget_object(object_id id) noexcept;
// A scheduling point: returns when this thread is chosen to perform op on obj.
void visible(object_id obj, op kind, source_location loc);
// Atomic accesses: each is a scheduling point at which the checker also chooses
// which store a read reads from and where a store goes in the modification
// order. Each returns false outside a running check (the caller then uses its
// own copy of the value).
bool atomic_load(object_id obj, std::memory_order o, source_location loc, std::uint64_t& value);
bool atomic_store(object_id obj, std::memory_order o, std::uint64_t value, source_location loc);
/// A read-modify-write: returns the value read in old_value; the value written
/// is next(old_value, ctx), computed in the same call (one entry per step).
using rmw_next = std::uint64_t (*)(std::uint64_t old_value, const void* ctx);
bool atomic_rmw(object_id obj, std::memory_order o, source_location loc, std::uint64_t& old_value, rmw_next next,
                const void* ctx);
/// compare_exchange: -1 outside a check, 1 success (old_value == expected), 0 failure.
int atomic_cas(object_id obj, std::memory_order success, std::memory_order failure, bool weak,
               std::uint64_t expected, std::uint64_t desired, source_location loc, std::uint64_t& old_value);
void cell_access(object_id obj, bool write, source_location loc);
// holder: -1, or the S::self() id of a thread whose death also ends the wait.
wait_result futex_wait(object_id obj, const void* word_value, std::uint32_t expected,
                       std::int64_t deadline_ns, std::int64_t holder, source_location loc);
bool alive(std::uint32_t id, source_location loc);
// may_have_ended: S::waker's wake, allowed after obj's lifetime ended (it wakes nobody then).
void futex_wake(object_id obj, bool all, source_location loc, bool may_have_ended = false);
void spin(source_location loc);
void fence(std::memory_order o, source_location loc);
std::uint32_t self() noexcept;
std::int64_t now_ns() noexcept;
void invariant(bool cond, const char* msg, source_location loc);
void lock_hook(const void* lock, int what, unsigned flags) noexcept;
// Names and calls (model_sync::object, user_code; the trace in the user's words).
using prim_id = std::uint64_t;  // generation-stamped, as object_id
/// stepwise: its calls are never one step (weave::calls::stepwise).
prim_id new_primitive(const void* self, const char* kind, const char* name, bool stepwise = false) noexcept;
void forget_primitive(prim_id id) noexcept;
/// Opens a call of operation `what` on a primitive; returns true if it is the
/// thread's outermost call (the one the trace shows), which call_end closes.
bool call_begin(prim_id id, const char* what, source_location loc) noexcept;
void call_end() noexcept;
void call_arg(const std::string& text) noexcept;
void call_note(const char* text) noexcept;
void call_reads_decide() noexcept;
void call_result(const std::string& text) noexcept;
/// Whether the running execution is traced for a report (a call's arguments
/// and results are formatted only then).
bool tracing() noexcept;
void user_code(bool enter) noexcept;
void name_object(object_id id, const char* name) noexcept;
template <class T>
struct is_duration : std::false_type {};
template <class R, class P>
struct is_duration<std::chrono::duration<R, P>> : std::true_type {};
template <class T>
std::string arg_text(const T& v) {
  if constexpr (is_duration<T>::value) {  // the largest unit that says it exactly: 2s, 150ms
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(v).count();
    if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
    if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
    if (ns % 1'000 == 0) return std::to_string(ns / 1'000) + "us";
    return std::to_string(ns) + "ns";
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(v);
  } else if constexpr (std::is_enum_v<T>) {
    return std::to_string(static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return "\"" + std::string(std::string_view(v)) + "\"";
  } else if constexpr (std::is_floating_point_v<T>) {
    return std::to_string(v);
  } else {
    return "…";
  }
}
// Threads.
/// name: what the trace calls the thread (nullptr: T<n>).
std::uint32_t spawn(std::function<void()>&& fn, source_location loc, const char* name = nullptr);
void join(std::uint32_t tid, source_location loc);
void unjoined(std::uint32_t tid) noexcept;
template <class T>
std::uint64_t bits(const T& v) noexcept {
  if constexpr (std::is_pointer_v<T>) {
    return reinterpret_cast<std::uintptr_t>(v);
  } else if constexpr (std::is_enum_v<T>) {
    return static_cast<std::uint64_t>(v);
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<std::uint64_t>(v);
  } else {
    std::uint64_t r = 0;
    std::memcpy(&r, &v, sizeof(T) < 8 ? sizeof(T) : 8);
    return r;
  }
}
template <class T>
T from_bits(std::uint64_t b) noexcept {
  if constexpr (std::is_pointer_v<T>) {
    return reinterpret_cast<T>(static_cast<std::uintptr_t>(b));
  } else if constexpr (std::is_enum_v<T> || std::is_integral_v<T>) {
    return static_cast<T>(b);
  } else {
    T v;
    std::memcpy(&v, &b, sizeof(T));
    return v;
  }
}
struct registrar {
  registrar(const char* name, verdict expected, const options& o, void (*body)(), const char* file);
};
}  // namespace detail

/// Mirrors std::thread inside a check: spawning and joining are scheduling
/// points, and a thread left unjoined is reported (verdict unjoined_thread).
class thread {
 public:
  thread() noexcept = default;
  template <class F>
  explicit thread(F&& f, source_location loc = source_location::current())
      : id_(detail::spawn(std::function<void()>(std::forward<F>(f)), loc)) {}
  /// A named thread: the trace's column and every footer call it `name`.
  template <class F>
  thread(const char* name, F&& f, source_location loc = source_location::current())
      : id_(detail::spawn(std::function<void()>(std::forward<F>(f)), loc, name)) {}
  thread(thread&& o) noexcept : id_(std::exchange(o.id_, 0)) {}
  thread& operator=(thread&& o) noexcept {
    if (id_ != 0) detail::unjoined(id_);
    id_ = std::exchange(o.id_, 0);
    return *this;
  }
  thread(const thread&) = delete;
  thread& operator=(const thread&) = delete;
  ~thread() {
    if (id_ != 0) detail::unjoined(id_);
  }
  void join(source_location loc = source_location::current()) {
    detail::join(std::exchange(id_, 0), loc);
  }
  bool joinable() const noexcept { return id_ != 0; }

 private:
  std::uint32_t id_ = 0;
};

/// Runs every check registered with WEAVE_MODEL_CHECK; see --help.
int main(int argc, char** argv);

}  // namespace model

// ---------------------------------------------------------------------------
// model_sync: the model side of the seam. Same names as weave::real_sync.
// ---------------------------------------------------------------------------
struct model_sync {
  /// Mirrors std::atomic<T>; each call is a scheduling point and records its
  /// memory order (for happens-before), its value and its file:line. The
  /// values live in the checker (every store of the execution, in modification
  /// order): under RC11 a load returns whichever store the checker chose for it.
  template <class T>
  class atomic {
    using loc_t = weave::source_location;
    static_assert(sizeof(T) <= 8, "weave::model_sync::atomic<T> holds values of at most 8 bytes");
    static_assert(std::is_trivially_copyable_v<T>, "weave::model_sync::atomic<T> needs a trivially copyable T");

   public:
    explicit atomic(T v = T(), loc_t made = loc_t::current())
        : v_(v), id_(model::detail::new_object(&v_, kind, made, model::detail::bits(v), sizeof(T))) {}
    /// A named atomic: the trace calls it `name` (the default is a1, a2, ...).
    atomic(T v, const char* name, loc_t made = loc_t::current()) : atomic(v, made) {
      model::detail::name_object(id_, name);
    }
    atomic(const atomic&) = delete;
    atomic& operator=(const atomic&) = delete;
    ~atomic() { model::detail::forget_object(id_); }

    T load(std::memory_order o, loc_t l = loc_t::current()) const {
      std::uint64_t b = 0;
      if (model::detail::atomic_load(id_, o, l, b)) return model::detail::from_bits<T>(b);
      return v_;  // outside a check: a plain variable
    }
    void store(T v, std::memory_order o, loc_t l = loc_t::current()) {
      if (!model::detail::atomic_store(id_, o, model::detail::bits(v), l)) v_ = v;
    }
    T exchange(T v, std::memory_order o, loc_t l = loc_t::current()) {
      return rmw([&](T) { return v; }, o, l);
    }
    bool compare_exchange_strong(T& e, T d, std::memory_order s, std::memory_order f,
                                 loc_t l = loc_t::current()) {
      return cas(e, d, s, f, false, l);
    }
    /// May fail spuriously under RC11 (explored, bounded like spurious wake-ups).
    bool compare_exchange_weak(T& e, T d, std::memory_order s, std::memory_order f,
                               loc_t l = loc_t::current()) {
      return cas(e, d, s, f, true, l);
    }
    T fetch_add(T v, std::memory_order o, loc_t l = loc_t::current()) requires std::is_integral_v<T> {
      return rmw([&](T x) { return static_cast<T>(x + v); }, o, l);
    }
    T fetch_sub(T v, std::memory_order o, loc_t l = loc_t::current()) requires std::is_integral_v<T> {
      return rmw([&](T x) { return static_cast<T>(x - v); }, o, l);
    }
    T fetch_and(T v, std::memory_order o, loc_t l = loc_t::current()) requires std::is_integral_v<T> {
      return rmw([&](T x) { return static_cast<T>(x & v); }, o, l);
    }
    T fetch_or(T v, std::memory_order o, loc_t l = loc_t::current()) requires std::is_integral_v<T> {
      return rmw([&](T x) { return static_cast<T>(x | v); }, o, l);
    }
    T fetch_xor(T v, std::memory_order o, loc_t l = loc_t::current()) requires std::is_integral_v<T> {
      return rmw([&](T x) { return static_cast<T>(x ^ v); }, o, l);
    }

   private:
    friend struct model_sync;
    static constexpr auto kind = std::is_integral_v<T> || std::is_enum_v<T>
                                     ? model::detail::object_kind::atomic
                                     : model::detail::object_kind::atomic_opaque;
    template <class F>
    T rmw(F f, std::memory_order o, loc_t l) {
      std::uint64_t b = 0;
      const model::detail::rmw_next next = [](std::uint64_t old, const void* fn) {
        return model::detail::bits((*static_cast<const F*>(fn))(model::detail::from_bits<T>(old)));
      };
      if (!model::detail::atomic_rmw(id_, o, l, b, next, &f)) {  // outside a check
        const T old = v_;
        v_ = f(old);
        return old;
      }
      return model::detail::from_bits<T>(b);
    }
    bool cas(T& e, T d, std::memory_order s, std::memory_order f, bool weak, loc_t l) {
      std::uint64_t b = 0;
      const int r = model::detail::atomic_cas(id_, s, f, weak, model::detail::bits(e), model::detail::bits(d), l, b);
      if (r < 0) {  // outside a check
        if (std::memcmp(&v_, &e, sizeof(T)) == 0) {
          v_ = d;
          return true;
        }
        e = v_;
        return false;
      }
      if (r == 1) return true;
      e = model::detail::from_bits<T>(b);
      return false;
    }
    T v_;  // the value outside a check; inside one, the latest in mo (the checker holds every store)
    model::detail::object_id id_;
  };

  /// Plain shared data: every read() and write() is checked against
  /// happens-before; two unordered accesses, one a write, are a data race.
  template <class T>
  class cell {
    using loc_t = weave::source_location;

   public:
    explicit cell(loc_t made = loc_t::current())
        : v_(), id_(model::detail::new_object(&v_, model::detail::object_kind::cell, made)) {}
    template <class U>
      requires std::is_constructible_v<T, U&&>
    explicit cell(U&& v, loc_t made = loc_t::current())
        : v_(std::forward<U>(v)), id_(model::detail::new_object(&v_, model::detail::object_kind::cell, made)) {}
    /// A named cell: the trace and race reports call it `name` (the default is c1, c2, ...).
    template <class U>
      requires std::is_constructible_v<T, U&&>
    cell(U&& v, const char* name, loc_t made = loc_t::current()) : cell(std::forward<U>(v), made) {
      model::detail::name_object(id_, name);
    }
    template <class A, class B, class... R>
      requires(sizeof...(R) > 0 || !std::is_convertible_v<B, const char*>)
    explicit cell(A&& a, B&& b, R&&... r)
        : v_(std::forward<A>(a), std::forward<B>(b), std::forward<R>(r)...),
          id_(model::detail::new_object(&v_, model::detail::object_kind::cell, loc_t())) {}
    cell(const cell&) = delete;
    cell& operator=(const cell&) = delete;
    ~cell() { model::detail::forget_object(id_); }
    const T& read(loc_t l = loc_t::current()) const {
      model::detail::cell_access(id_, false, l);
      return v_;
    }
    T& write(loc_t l = loc_t::current()) {
      model::detail::cell_access(id_, true, l);
      return v_;
    }

   private:
    T v_;
    model::detail::object_id id_;
  };

  /// A weave primitive as the checker sees it: its kind and name, and each
  /// public operation as a call (see weave/sync.hpp). With opaque primitives
  /// (options::primitives, the default outside weave's own checks) a call is
  /// one step of the user's program.
  class object {
   public:
    class call {
     public:
      call(const call&) = delete;
      call& operator=(const call&) = delete;
      ~call() {
        if (outer_) model::detail::call_end();
      }
      template <class T>
      void arg(const T& v) const {
        if (outer_ && model::detail::tracing()) model::detail::call_arg(model::detail::arg_text(v));
      }
      void note(const char* text) const noexcept {
        if (outer_) model::detail::call_note(text);
      }
      /// This call may decide at a seq_cst read (a load, or a failed
      /// compare_exchange) with no read-modify-write after it that would see
      /// the latest store: under rc11 those reads take every value the memory
      /// model allows, in an opaque call too (calls.cpp, weave/sync.hpp).
      void reads_decide() const noexcept {
        if (outer_) model::detail::call_reads_decide();
      }
      /// What the call returned, for its row (a word such as "closed" as it is).
      template <class T>
      void returns(const T& v) const {
        if (!outer_ || !model::detail::tracing()) return;
        if constexpr (std::is_convertible_v<const T&, std::string_view>) model::detail::call_result(std::string(std::string_view(v)));
        else model::detail::call_result(model::detail::arg_text(v));
      }

     private:
      friend class object;
      explicit call(bool outer) noexcept : outer_(outer) {}
      bool outer_;
    };
    object(const void* self, const char* kind, const char* name, calls how = calls::linearizable) noexcept
        : id_(model::detail::new_primitive(self, kind, name, how == calls::stepwise)) {}
    object(const object&) = delete;
    object& operator=(const object&) = delete;
    ~object() { model::detail::forget_primitive(id_); }
    [[nodiscard]] call enter(const char* what, source_location loc = source_location::current()) const noexcept {
      return call(model::detail::call_begin(id_, what, loc));
    }

   private:
    model::detail::prim_id id_;
  };
  /// Around user code a primitive runs inside a call (a callback, a predicate).
  struct user_code {
    user_code() noexcept { model::detail::user_code(true); }
    ~user_code() { model::detail::user_code(false); }
    user_code(const user_code&) = delete;
    user_code& operator=(const user_code&) = delete;
  };

  /// Virtual time: each model thread's clock starts at one second (a spawned
  /// thread starts at its parent's time) and moves only when one of its timed
  /// waits times out (to that wait's deadline), or when it synchronizes with a
  /// thread whose clock is later: a thread reads the latest time of any thread
  /// that happens before it, as a steady clock's reads do on hardware. So
  /// every run of a schedule is the same and threads' steps commute as the
  /// reduction assumes.
  struct clock {
    using rep = std::int64_t;
    using period = std::nano;
    using duration = std::chrono::nanoseconds;
    using time_point = std::chrono::time_point<clock, duration>;
    static constexpr bool is_steady = true;
    static time_point now() noexcept { return time_point(duration(model::detail::now_ns())); }
  };
  static constexpr clock::time_point forever = clock::time_point::max();

  /// Futex wait; the checker explores wake-up, time-out and (bounded) spurious
  /// returns.
  static wait_result wait(atomic<std::uint32_t>& word, std::uint32_t expected,
                          clock::time_point deadline = forever, scope = scope::process_private,
                          source_location l = source_location::current()) {
    return model::detail::futex_wait(word.id_, &word.v_, expected,
                                     deadline.time_since_epoch().count(), -1, l);  // compares the latest store in mo
  }
  /// A futex wait that the checker may also end with timed_out once thread
  /// holder has finished (it "died"), exactly from then on; a liveness slice
  /// that ends while the holder lives changes nothing and is not explored.
  static wait_result wait_unless_dead(atomic<std::uint32_t>& word, std::uint32_t expected,
                                      clock::time_point deadline, std::uint32_t holder,
                                      scope = scope::process_private,
                                      source_location l = source_location::current()) {
    return model::detail::futex_wait(word.id_, &word.v_, expected,
                                     deadline.time_since_epoch().count(), holder, l);
  }
  /// Whether the model thread with S::self() id `id` has not finished: a
  /// scheduling point that reads "T finished", which that thread's end writes,
  /// a step of its own in a check that asks (so the checker explores the read
  /// on both sides of the death, after the thread's last operation too).
  static bool alive(std::uint32_t id, source_location l = source_location::current()) {
    return model::detail::alive(id, l);
  }
  static void wake_one(atomic<std::uint32_t>& word, scope = scope::process_private,
                       source_location l = source_location::current()) {
    model::detail::futex_wake(word.id_, false, l);
  }
  static void wake_all(atomic<std::uint32_t>& word, scope = scope::process_private,
                       source_location l = source_location::current()) {
    model::detail::futex_wake(word.id_, true, l);
  }
  /// A wake-up owed to a word, made later (see S::waker in weave/sync.hpp):
  /// keeps the word's identity, so wake_one() is a wake_one step on it even
  /// after its lifetime ended (then it wakes nobody; S::wake_one on an ended
  /// word is a usage_error).
  class waker {
   public:
    waker() noexcept = default;
    explicit waker(atomic<std::uint32_t>& word, scope = scope::process_private) noexcept
        : id_(word.id_), set_(true) {}
    void wake_one(source_location l = source_location::current()) const {
      if (set_) model::detail::futex_wake(id_, false, l, true);
    }

   private:
    model::detail::object_id id_{};
    bool set_ = false;
  };
  static constexpr int spin_budget = 2;
  static constexpr int handoff_spin_budget = 1;  // one spin explores both "it came while I spun" and "gave up"
  static constexpr int wake_batch = 1;  // two parked waiters explore "made the kept wake early, under the lock"
  static int handoff_spins() noexcept { return handoff_spin_budget; }  // fixed: nothing to learn in a model
  static void handoff_spun(int, bool) noexcept {}
  static void spin(source_location l = source_location::current()) { model::detail::spin(l); }
  static void fence(std::memory_order o, source_location l = source_location::current()) {
    model::detail::fence(o, l);
  }
  using thread_id = std::uint32_t;
  static thread_id self() noexcept { return model::detail::self(); }
  using thread = model::thread;
  static void check(bool cond, const char* msg, source_location l = source_location::current()) {
    model::detail::invariant(cond, msg, l);
  }
  static void mutex_create(const void* m, unsigned f) noexcept { model::detail::lock_hook(m, 0, f); }
  static void mutex_destroy(const void* m, unsigned f) noexcept { model::detail::lock_hook(m, 1, f); }
  static void mutex_pre_lock(const void* m, unsigned f) noexcept { model::detail::lock_hook(m, 2, f); }
  static void mutex_post_lock(const void* m, unsigned f) noexcept { model::detail::lock_hook(m, 3, f); }
  static void mutex_pre_unlock(const void* m, unsigned f) noexcept { model::detail::lock_hook(m, 4, f); }
  static void mutex_post_unlock(const void* m, unsigned f) noexcept { model::detail::lock_hook(m, 5, f); }
};

static_assert(sync_policy<model_sync>);

}  // namespace weave

#define WEAVE_CHECK(cond) ::weave::model::check_that(static_cast<bool>(cond), #cond)

// WEAVE_MODEL_CHECK(name, verdict, options...) { body }
//   name     a C++ identifier, unique in the runner
//   verdict  what exploring the body must find: pass, deadlock, check_failed, ...
//   options  designated initializers of weave::model::options, e.g. .preemptions = 2
// Keep the macro's arguments on one line: the build reads them to register one
// ctest per check (label model for pass, model-buggy otherwise).
#define WEAVE_MODEL_CHECK(name, expected, ...)                                          \
  static void weave_model_check_body_##name();                                          \
  static const ::weave::model::detail::registrar weave_model_check_reg_##name{          \
      #name, ::weave::model::verdict::expected, ::weave::model::options{__VA_ARGS__},   \
      &weave_model_check_body_##name, __FILE__};                                        \
  static void weave_model_check_body_##name()
