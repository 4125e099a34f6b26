// weave/process_pool.hpp — weave::process_pool: N forked worker processes fed
// through weave pipes; submit returns a weave::future.
//
// HARDWARE ONLY. Workers are processes made by fork(), and the model checker
// has no processes, so there is no basic_process_pool<S> and no
// weave::model::process_pool. The parts it is built from are checked on their
// own: the pipe (models/checks/pipe.cpp, holders.cpp), the queue and the
// future (models/checks/queue.cpp, future.cpp, thread_pool.cpp).
//
// Behaviour follows Python's concurrent.futures.ProcessPoolExecutor (3.9), with
// the dispatch of multiprocessing.Pool:
//
//   // 1. Register the functions workers may run: before the pool is made
//   //    (workers are forked copies of the caller; what is registered later
//   //    is not in them). A function takes one trivially copyable argument
//   //    and returns a trivially copyable value (or void).
//   const auto square = weave::process_pool::register_function<int(int)>(
//       "square", [](int x) { return x * x; });
//   // 2. Make the pool, submit.
//   weave::process_pool pool(4);             // 4 workers; default: hardware threads
//   weave::future<int> f = pool.submit(square, 7);
//   f.get();                                 // 49
//   pool.map(square, std::vector{1, 2, 3});  // {1, 4, 9}, in order
//
//   register_function<R(A)>(name, fn)
//                     → process_function<R(A)>, a typed handle (an index into
//                     the process-wide registry). A is trivially copyable
//                     (not a reference), R is trivially copyable or void,
//                     both at most max_payload bytes (static_assert); fn is
//                     copyable and callable as R(A). An empty name, or a name
//                     registered already, is a usage_error.
//   process_pool p(n) n workers, forked and answering before the constructor
//                     returns; n = 0 is a usage_error; a failed fork()
//                     throws std::system_error (the started workers are reaped)
//   p.submit(fn, a)   → future<R>; the argument's bytes go to a worker, fn
//                     runs there, the result's bytes come back. A function
//                     that throws fails the future with process_task_error
//                     (its what() text), never the pool. After shutdown: a
//                     usage_error (Python: RuntimeError); a handle registered
//                     after the pool was made, or a default-constructed one:
//                     a usage_error.
//   p.map(fn, range)  → std::vector<R> in the order of the range; the first
//                     failure (in range order) is rethrown after cancelling
//                     the tasks not yet started
//   p.shutdown(wait = true, cancel_pending = false)
//                     no more submits; with cancel_pending every task not yet
//                     started is cancelled, else every accepted task still
//                     runs; with wait, returns once every worker has exited
//                     and been reaped. Idempotent.
//   ~process_pool()   shutdown(true): no worker outlives the pool, no zombie
//   p.worker_pids()   the workers' pids now (a snapshot, for tests and tools)
//
// A worker that dies holding a task (SIGKILL, a crash, a task calling exit())
// fails THAT task's future with weave::broken_pool (error.hpp) naming the pid
// and the signal or exit status, within one pipe liveness slice (100 ms; the
// contract is one second), reaps it, and forks a replacement, which serves the
// next task. A worker that cannot be replaced fails the tasks that come to its
// slot with broken_pool until a later attempt succeeds. Nobody waits forever.
//
// Differences from Python, and why:
//   - Functions are registered by name before the fork and arguments/results
//     are trivially copyable bytes, not pickled objects: a pipe carries bytes
//     (weave/pipe.hpp), and only functions present in the forked image can
//     run there (Python's fork start method has the same limit, hidden by
//     pickling functions by qualified name).
//   - A task's exception comes back as weave::process_task_error carrying the
//     original what() text, not as the original type (which would need a
//     serialiser per exception type).
//   - A dead worker breaks only the task it held: the pool replaces it and
//     goes on (Python's BrokenProcessPool marks the whole pool broken and
//     fails every pending future; its callers must make a new pool).
//   - Workers are forked in the constructor and never exec(); there is no
//     spawn start method, initializer or max_tasks_per_child. As with
//     Python's fork method, a worker is a copy of a process that may have run
//     threads: a registered function must not rely on locks other threads held
//     at the fork (weave's own pipe holder tables are kept right by their
//     atfork handlers).
//   - map() runs eagerly and returns a vector, not a lazy iterator; there is
//     no chunksize (each task is one message of at most max_payload bytes).
//   - shutdown(wait = true) from a done-callback run on one of the pool's
//     threads is a usage_error instead of a deadlock. (A task sent directly,
//     see the design below, has its callbacks run by the thread that
//     collected its reply: the thread that waited for it, where shutdown
//     simply waits, or its slot's shepherd.)
//   - A task nobody waits for with get()/wait() may have its future finished
//     up to about a millisecond after its reply came (D4): a timed wait, a
//     done() poll or a callback sees it then.
//
// Design (after multiprocessing.Pool's one-task-per-worker dispatch, built
// from weave's own queue, future and pipe): a basic_fifo_queue of tasks, as in
// weave::thread_pool, and one shepherd thread per worker slot. A shepherd
// takes a task, sends its request on the slot's duplex pipe, waits for the
// reply, and finishes the task's future. Whoever holds the slot's owner word
// (D1: the shepherd, or a submit and a waiter on the direct path below) is
// the only thread that touches the slot. Messages:
//
//   hello    worker → pool   [u32 hello_word]        once, after the worker claimed its end
//   request  pool → worker   [u32 function id][argument bytes]
//   reply    worker → pool   [u8 reply_value][result bytes]
//                            [u8 reply_error][what() text]   (the function threw)
//                            [u8 reply_bad][reason]          (a malformed request)
//
// The direct path. With one task in flight, a shepherd between caller and
// worker makes three threads take turns on every round trip, each waiting
// for the other two; on two cores one of them is always off a core, so the
// hand-offs park (bench_pool measured 26 us per round trip). So a
// submit that finds its slot open sends the request itself, and the thread
// that then waits for the future without a deadline (get(), wait(): future.hpp
// F6) receives the reply itself: caller and worker, the pipe's own round
// trip. A reply nobody comes for is collected by the slot's shepherd, which
// waits on the queue at most direct_poll at a time while its slot is open;
// after direct_quiet polls with nothing to collect it closes the slot (idle)
// and waits on the queue without a timeout; a queued task reopens it.
//
// A slot's owner word (D1..D6), the only way to the slot's pipe end:
//
//   open    --submit (CAS)---------------------------->  lent
//   lent    --request sent (exchange)------------------>  direct
//   lent    --no worker / send failed / shutting down-->  open     (task queued or refused)
//   direct  --a waiter or the shepherd collects (CAS)-->  busy
//   open    --the shepherd takes a queued task (CAS)--->  busy     (idle likewise)
//   busy    --the owner is done------------------------>  open
//   open    --direct_quiet empty polls (CAS)----------->  idle
//   busy    --the shepherd retires--------------------->  retired  (final)
//   lent, busy: + waiting bit, while the slot's shepherd sleeps on the word
//
// A direct task's phase: direct --a waiter pins (CAS)--> pinned (+ waited)
// --> direct (the waiter lost the slot) | taken (the waiter took it);
// direct --the shepherd, holding the slot (CAS)--> taken.
//
// State of a worker slot (changed only by the slot's owner, D1, or the constructor):
//
//   starting --hello received--------->  serving
//   starting --fork failed / no hello-->  vacant    (the task that needed it fails)
//   serving  --reply------------------->  serving
//   serving  --peer_gone / closed------>  (reaped; task fails: broken_pool) → starting
//   serving  --queue closed and drained->  retired  (end closed; worker exits; reaped)
//   vacant   --next task--------------->  starting
//
// Invariants (cited in the code as W1..W7):
//   W1  A task is accepted iff the queue's put returned ok (before close() in
//       the queue's order); a refused submit is a usage_error, never dropped.
//   W2  Every accepted task is taken by exactly one shepherd (or by
//       shutdown(cancel_pending)), or was sent directly and is collected by
//       exactly one thread (D3), and its future is finished exactly once:
//       value, process_task_error, broken_pool, or cancelled. A shepherd
//       starts a task only once it holds its slot; until then the task is in
//       its slot's pending cell (under pending_m_), where
//       shutdown(cancel_pending) cancels it as it cancels the queued ones.
//       A shepherd ends only when the queue is closed and drained.
//   W3  A slot has at most one task in flight, and its owner (D1) is blocked in
//       that task's send or recv on the slot's pipe while it is, or the slot is
//       direct and its collector is on its way (D3, D4); a dead worker
//       ends that recv with peer_gone within one liveness slice (pipe.hpp P6),
//       because the worker claimed its end before its hello (W5) and a claimed
//       end's liveness is its owner's (holders.hpp H6).
//   W4  Every forked worker is reaped exactly once, by the thread that forked
//       it or by its slot's owner (D1): after its death (kill then waitpid: a
//       zombie keeps its pid, so the kill cannot hit another process; or the
//       waitpid(WNOHANG) of W8 that found it ended while idle) or after
//       its end was closed at retirement (waitpid; the worker is idle and sees
//       end of stream at once). shutdown(wait) joins the shepherds, so it
//       returns after every worker was reaped; the destructor calls it.
//   W5  A worker is serving only after its hello: it claimed its pipe end
//       before sending it, so its liveness is its own from then on. The pool
//       forks under fork_m_ and closes its copy of the child's end before
//       releasing it, so a sibling forked by this pool never holds that end.
//   W6  A worker runs only functions of the pool's snapshot of the registry
//       (functions_, copied before the first fork, never changed after): ids
//       are checked against it at submit and again, with the argument size,
//       in the worker, which treats the request as untrusted bytes.
//   W7  Each shepherd records its S::self() id under ids_m_ before it takes a
//       task, so shutdown(wait = true) from a done-callback (run on a
//       shepherd) throws usage_error instead of joining itself. (A direct
//       task's callbacks may also run on the thread that collected it, after
//       it gave the slot back: D6.)
//   W8  Before each send the slot's owner asks waitpid(WNOHANG) whether its
//       worker has ended while idle; if so it is reaped and replaced first, so
//       broken_pool goes only to a task that was sent to a worker that then
//       died (or died at the instant of the send). A slot's pid is cleared
//       before the worker is reaped, so worker_pids() never shows a freed pid.
//
// The direct path's invariants (cited as D1..D6):
//   D1  Only the slot's owner (the thread whose CAS or exchange made the word
//       lent or busy) sends or receives on the slot's end, reads or writes
//       its pid and its direct cell, reaps or forks its worker; the release
//       that gives the slot up pairs with the acquire that takes it next.
//   D2  A submit sends directly only from lent, after seeing closing_ clear
//       (seq_cst after its CAS; shutdown sets closing_ before it closes the
//       queue, so a submit that sees it clear is ordered before the shutdown
//       and its task is accepted), after W8's check, and with the task in
//       the slot's direct cell before the release exchange to direct. No
//       worker, a worker that ended, or a failed send gives the slot back
//       (open) and the task goes to the queue, where W1 decides.
//   D3  A direct slot carries exactly one unanswered request and nobody sends
//       on it until one collector takes it (CAS direct -> busy): a waiter for
//       that task (D5) or the slot's shepherd (on a poll, before a queued
//       task, or before retiring: a shepherd takes its slot before it
//       retires, so no direct task outlives its pool).
//   D4  An open or direct slot's shepherd waits on the queue at most
//       direct_poll at a time and then collects a direct request nobody took,
//       so a task nobody waits for finishes within about one poll of its
//       reply. It closes the slot (open -> idle) only by a CAS, never with a
//       request in flight; an idle slot takes no direct submit.
//   D5  A waiter touches the pool only after pinning its task (phase direct ->
//       pinned, a CAS on the task, which it holds a reference to): while the
//       pin lasts the slot is direct or held by its shepherd, which waits for
//       the pin before it takes the task (phase -> taken), so the shepherd
//       cannot retire and the pool lives. The waiter then takes the slot
//       (direct -> busy; phase -> taken) and collects, or unpins (pinned ->
//       direct, waking a shepherd that waits) and waits as usual. Pinning
//       never blocks, so neither does the shepherd for long.
//   D6  A waiter that collected gives the slot back before it finishes the
//       future (a done-callback then runs holding no slot), and after giving
//       it back touches only the word's futex (the shepherd may then retire).
//       The shepherd sleeps on the word only with the waiting bit set, and
//       whoever clears the bit (the exchange that gives the slot up) wakes it;
//       the sleeper cannot go on before that wake except by a spurious
//       return, so a wake that comes after the pool is gone is at worst a
//       spurious wake-up of an unrelated futex, which every wait tolerates.
//   D7  A submit goes direct only while queued_ (tasks put in the queue and
//       not yet taken to a slot by their shepherd, or cancelled there) is 0,
//       so a direct task never overtakes a task its own thread queued
//       earlier: tasks from one thread start in submit order. (queued_ is a
//       hint: a stale count only sends a task through the queue.)
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "weave/detail/lock.hpp"
#include "weave/error.hpp"
#include "weave/future.hpp"
#include "weave/mutex.hpp"
#include "weave/pipe.hpp"
#include "weave/queue.hpp"
#include "weave/sync.hpp"

namespace weave {

/// A function registered for process pools threw: the future of its task
/// rethrows this, with the original what() text (see "Differences from Python").
class process_task_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class process_pool;

namespace detail {

/// One registered function, type-erased: invoke() reads sizeof(A) argument
/// bytes and appends sizeof(R) result bytes to out (none for void).
struct process_entry {
  std::string name;
  std::size_t arg_size = 0;
  std::function<void(const std::byte* arg, std::vector<std::byte>& out)> invoke;
};
using process_entry_ptr = std::shared_ptr<const process_entry>;

/// The process-wide registry of functions pool workers may run (W6).
class process_registry {
 public:
  static process_registry& get() {
    static process_registry* r = new process_registry;  // never destroyed: pools may outlive statics
    return *r;
  }
  std::uint32_t add(process_entry e) {
    if (e.name.empty()) throw_usage_error("weave::process_pool", "register_function needs a non-empty name");
    const unique_hold<weave::mutex> h(m_);
    for (const process_entry_ptr& old : entries_)
      if (old->name == e.name) throw_usage_error("weave::process_pool", "a function of that name is registered already");
    entries_.push_back(std::make_shared<const process_entry>(std::move(e)));
    return static_cast<std::uint32_t>(entries_.size() - 1);
  }
  std::vector<process_entry_ptr> snapshot() {
    const unique_hold<weave::mutex> h(m_);
    return entries_;
  }

 private:
  weave::mutex m_;
  std::vector<process_entry_ptr> entries_;
};

template <class Sig>
struct process_signature;
template <class R, class A>
struct process_signature<R(A)> {
  using result = R;
  using argument = A;
};

}  // namespace detail

/// A typed handle to a function registered with process_pool::register_function.
template <class Sig>
class process_function;
template <class R, class A>
class process_function<R(A)> {
 public:
  process_function() noexcept = default;  // names no function: submitting it is a usage_error
  std::uint32_t id() const noexcept { return id_; }
  bool valid() const noexcept { return id_ != invalid; }

 private:
  friend class process_pool;
  static constexpr std::uint32_t invalid = 0xffffffffu;
  explicit process_function(std::uint32_t id) noexcept : id_(id) {}
  std::uint32_t id_ = invalid;
};

class process_pool {
  using S = real_sync;  // hardware only (see the top of this file)

 public:
  /// The largest argument or result, and the longest error text carried back.
  static constexpr std::size_t max_payload = 16384;

  /// Registers fn (callable as R(A)) under name for every pool made after this
  /// call; returns the handle submit() and map() take. See the table above.
  template <class Sig, class F>
  static process_function<Sig> register_function(std::string name, F fn) {
    using R = typename detail::process_signature<Sig>::result;
    using A = typename detail::process_signature<Sig>::argument;
    static_assert(!std::is_reference_v<A> && std::is_trivially_copyable_v<A>,
                  "weave::process_pool: the argument must be a trivially copyable value (its bytes cross a pipe)");
    static_assert(std::is_void_v<R> || std::is_trivially_copyable_v<R>,
                  "weave::process_pool: the result must be void or trivially copyable (its bytes cross a pipe)");
    static_assert(sizeof(A) <= max_payload, "weave::process_pool: the argument is larger than max_payload");
    static_assert(sizeof(std::conditional_t<std::is_void_v<R>, char, R>) <= max_payload,
                  "weave::process_pool: the result is larger than max_payload");
    static_assert(std::is_invocable_r_v<R, F&, A&>, "weave::process_pool: fn must be callable as R(A)");
    detail::process_entry e;
    e.name = std::move(name);
    e.arg_size = sizeof(A);
    e.invoke = [fn = std::move(fn)](const std::byte* arg, std::vector<std::byte>& out) mutable {
      std::array<std::byte, sizeof(A)> raw;
      std::memcpy(raw.data(), arg, sizeof(A));
      A a = std::bit_cast<A>(raw);
      if constexpr (std::is_void_v<R>) {
        std::invoke(fn, a);
      } else {
        const auto bytes = std::bit_cast<std::array<std::byte, sizeof(R)>>(static_cast<R>(std::invoke(fn, a)));
        out.insert(out.end(), bytes.begin(), bytes.end());
      }
    };
    return process_function<Sig>(detail::process_registry::get().add(std::move(e)));
  }

  explicit process_pool(std::size_t workers = default_workers());
  process_pool(const process_pool&) = delete;
  process_pool& operator=(const process_pool&) = delete;
  ~process_pool() { shutdown(true); }

  /// The default number of workers: the hardware threads.
  static std::size_t default_workers() {
    const unsigned n = S::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
  }

  /// Runs fn(arg) in a worker process; its future gets the result (W1, W2).
  template <class R, class A>
  future<R> submit(const process_function<R(A)>& fn, const std::type_identity_t<A>& arg) {
    const detail::process_entry& e = entry(fn.id());
    auto t = std::make_shared<task<R>>(e.name);
    t->request.resize(4 + sizeof(A));
    const std::uint32_t id = fn.id();
    std::memcpy(t->request.data(), &id, 4);
    std::memcpy(t->request.data() + 4, &arg, sizeof(A));
    future<R> f = t->p.get_future();
    t->f = f;
    if (send_direct(t, f.core())) return f;  // D2
    // relaxed (both): D7's hint; only this count's own coherence matters.
    queued_.fetch_add(1, std::memory_order_relaxed);
    if (q_.put(std::shared_ptr<task_base>(std::move(t))) != queue_status::ok) {
      queued_.fetch_sub(1, std::memory_order_relaxed);
      throw_usage_error("weave::process_pool", "submit after shutdown");  // W1
    }
    return f;
  }

  /// fn(x) for every x of range, in order; rethrows the first failure.
  template <class R, class A, std::ranges::input_range Rg>
  std::vector<R> map(const process_function<R(A)>& fn, Rg&& range) {
    static_assert(!std::is_void_v<R>, "weave::process_pool::map: the function must return a value");
    std::vector<future<R>> fs;
    for (auto&& x : range) fs.push_back(submit(fn, x));
    return detail::get_in_order(fs);
  }

  /// Python's shutdown(wait, cancel_futures): see the table above (W2, W4).
  void shutdown(bool wait = true, bool cancel_pending = false) {
    // seq_cst: D2, pairs with the seq_cst load in send_direct after its CAS.
    closing_.store(1, std::memory_order_seq_cst);
    q_.close();  // drain: later submits are refused (W1); shepherds finish what is left (W2)
    if (cancel_pending) {
      std::shared_ptr<task_base> t;
      while (q_.try_get(t) == queue_status::ok) {
        t->cancel();  // W2
        queued_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: D7's hint
      }
      const detail::unique_hold<weave::mutex> h(pending_m_);
      for (std::size_t i = 0; i < n_; ++i) {
        if (const auto& held = slots_[i].pending.read()) held->cancel();  // W2: taken, not started
      }
    }
    if (wait) join_shepherds();
  }

  std::size_t size() const noexcept { return n_; }

  /// The workers' pids now (0 for a vacant slot): a snapshot.
  std::vector<int> worker_pids() const {
    std::vector<int> out;
    for (std::size_t i = 0; i < n_; ++i)
      out.push_back(slots_[i].pid.load(std::memory_order_relaxed));  // relaxed: a snapshot; no data rides on the pid
    return out;
  }

 private:
  static constexpr std::uint32_t hello_word = 0x706f6f6c;  // "pool"
  static constexpr std::uint8_t reply_value = 0, reply_error = 1, reply_bad = 2;
  static constexpr std::size_t pipe_capacity = 1 << 16;  // > 4 + max_payload + a record header
  static_assert(pipe_capacity - detail::pipe_record_header >= 4 + max_payload);
  // A slot's owner word (D1..D6; the table at the top of this file), and the
  // waiting bit its shepherd sets before it sleeps on the word.
  static constexpr std::uint32_t slot_open = 0, slot_lent = 1, slot_direct = 2, slot_busy = 3, slot_idle = 4,
                                 slot_retired = 5, slot_waited = 8;
  // A task's phase (D5): queued tasks stay phase_queued.
  static constexpr std::uint32_t phase_queued = 0, phase_direct = 1, phase_pinned = 2, phase_pinned_waited = 3,
                                 phase_taken = 4;
  // D4: how long a shepherd with an open slot waits on the queue before it
  // looks for a direct reply nobody collected, and after how many such looks
  // with no direct send in between it closes the slot.
  static constexpr std::chrono::milliseconds direct_poll{1};
  static constexpr std::uint32_t direct_quiet = 20;

  struct task_base {
    virtual ~task_base() = default;
    virtual bool start() = 0;                                    // false: cancelled while queued
    virtual void finish(std::span<const std::byte> reply) = 0;  // the worker answered
    virtual void fail(std::exception_ptr e) = 0;
    virtual void cancel() = 0;
    explicit task_base(const std::string& fn_name) : name(fn_name) {}
    std::vector<std::byte> request;
    const std::string& name;  // in the pool's snapshot (W6), which outlives every task
    // A direct task (D2): written by its submit before the release store of
    // phase_direct, read by a waiter after its acquire pin (D5).
    process_pool* pool = nullptr;
    std::size_t slot = 0;
    S::atomic<std::uint32_t> phase{phase_queued};
  };
  template <class R>
  struct task final : task_base {
    explicit task(const std::string& fn_name) : task_base(fn_name) {}
    bool start() override { return p.set_running_or_notify_cancel(); }
    void finish(std::span<const std::byte> reply) override;
    void fail(std::exception_ptr e) override { (void)p.set_exception(std::move(e)); }
    void cancel() override { (void)f.cancel(); }
    promise<R> p;
    future<R> f;  // for cancel()
  };

  struct worker_slot {
    pipe_end end;                  // the pool's end of the worker's duplex pipe (D1)
    S::atomic<std::int32_t> pid{0};  // 0: vacant (W4)
    S::atomic<std::uint32_t> owner{slot_open};  // D1..D6
    S::atomic<std::uint32_t> directs{0};        // direct sends so far (a hint for D4's quiet count)
    S::cell<std::shared_ptr<task_base>> direct;  // the task of the unanswered direct request (D2, D3)
    S::cell<std::shared_ptr<task_base>> pending;  // under pending_m_: taken from the queue, waiting for the slot (W2)
  };

  // F6: the thread that waits for a direct task's future collects its reply (D5).
  struct direct_help final : detail::wait_help {
    explicit direct_help(std::weak_ptr<task_base> t) noexcept : task(std::move(t)) {}
    void help() noexcept override;
    std::weak_ptr<task_base> task;  // weak: the task holds the future, which holds this
  };

  const detail::process_entry& entry(std::uint32_t id) const {
    if (id >= functions_.size()) {
      throw_usage_error("weave::process_pool",
                        "the function is not in this pool (default-constructed handle, or registered after the pool was made)");
    }
    return *functions_[id];  // W6
  }

  void start_worker(worker_slot& s);
  [[noreturn]] static void worker_main(pipe_end& end, const std::vector<detail::process_entry_ptr>& fns) noexcept;
  static void serve(pipe_end& end, const std::vector<detail::process_entry_ptr>& fns);
  void shepherd(std::size_t i);
  bool send_direct(const std::shared_ptr<task_base>& t, detail::future_core<S>& core);
  void take_slot(worker_slot& s, std::vector<std::byte>& reply);
  static void give_slot(worker_slot& s) noexcept;
  void collect_direct(worker_slot& s, std::vector<std::byte>& reply);
  void poll(worker_slot& s, std::vector<std::byte>& reply, std::uint32_t& quiet, std::uint32_t& seen_directs);
  std::exception_ptr run(worker_slot& s, task_base& t, std::vector<std::byte>& reply);
  std::exception_ptr collect(worker_slot& s, task_base& t, std::vector<std::byte>& reply);
  static void settle(task_base& t, const std::exception_ptr& e, std::span<const std::byte> reply);
  std::exception_ptr worker_lost(worker_slot& s, task_base& t);
  void reap_if_exited(worker_slot& s);
  void retire(worker_slot& s) noexcept;
  static int reap(int pid, bool kill_first) noexcept;
  static std::string how_it_ended(int status);
  void join_shepherds();

  std::vector<detail::process_entry_ptr> functions_;  // W6: fixed before the first fork
  std::size_t n_ = 0;
  std::unique_ptr<worker_slot[]> slots_;
  basic_fifo_queue<std::shared_ptr<task_base>, S> q_;
  S::atomic<std::uint32_t> closing_{0};  // D2: set by shutdown before it closes q_
  S::atomic<std::uint32_t> queued_{0};   // D7: tasks put in q_ and not yet taken to a slot
  weave::mutex fork_m_;  // W5
  weave::mutex pending_m_;  // W2: the slots' pending cells
  weave::mutex join_m_;
  S::cell<std::vector<S::thread>> shepherds_;
  weave::mutex ids_m_;  // W7; not join_m_: a shepherd registers while shutdown may hold join_m_
  S::cell<std::vector<S::thread_id>> shepherd_ids_;
};

// ---- the pool's side ---------------------------------------------------------

inline process_pool::process_pool(std::size_t workers) {
  if (workers == 0) throw_usage_error("weave::process_pool", "a pool needs at least one worker");
  functions_ = detail::process_registry::get().snapshot();  // W6
  slots_ = std::make_unique<worker_slot[]>(workers);
  n_ = workers;
  std::size_t started = 0;
  try {
    for (; started < workers; ++started) start_worker(slots_[started]);
  } catch (...) {
    for (std::size_t i = 0; i < started; ++i) retire(slots_[i]);  // W4
    throw;
  }
  auto& ts = shepherds_.write();
  try {
    ts.reserve(workers);
    for (std::size_t i = 0; i < workers; ++i) ts.emplace_back([this, i] { shepherd(i); });
  } catch (...) {
    q_.close();  // the shepherds that run retire their own slots (W2, W4)
    for (auto& t : ts) t.join();
    for (std::size_t i = ts.size(); i < workers; ++i) retire(slots_[i]);
    throw;
  }
}

// Forks a worker for slot s and waits for its hello (W5). Throws
// std::system_error if fork() fails, broken_pool if the child never answers.
inline void process_pool::start_worker(worker_slot& s) {
  pipe_end mine;
  int pid = 0;
  {
    const detail::unique_hold<weave::mutex> h(fork_m_);  // W5: one fork at a time
    auto ends = make_pipe({.capacity = pipe_capacity});
    mine = std::move(ends.first);
    pipe_end theirs = std::move(ends.second);
    mine.claim();  // the pool's end is the pool's from the start (H6)
    pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "weave::process_pool: fork");
    if (pid == 0) {
      mine.close();  // the child drops its copy of the pool's end (pipe.hpp: ownership across fork)
      worker_main(theirs, functions_);
    }
    theirs.close();  // W5: the child's now, before another fork can copy it
  }
  std::vector<std::byte> hello;
  const recv_result r = mine.recv(hello);  // a dead child ends it: peer_gone (P6)
  std::uint32_t word = 0;
  if (r.status == pipe_status::ok && hello.size() == 4) std::memcpy(&word, hello.data(), 4);
  if (word != hello_word) {
    const int st = reap(pid, true);  // W4
    throw broken_pool("weave::process_pool: a new worker did not start: " + how_it_ended(st));
  }
  s.end = std::move(mine);
  s.pid.store(pid, std::memory_order_relaxed);  // relaxed: read only as a snapshot (worker_pids)
}

// One slot's thread: takes tasks until the queue is closed and drained (W2);
// while its slot is open it also collects direct replies nobody took (D4).
inline void process_pool::shepherd(std::size_t i) {
  {
    const detail::unique_hold<weave::mutex> h(ids_m_);  // W7
    shepherd_ids_.write().push_back(S::self());
  }
  worker_slot& s = slots_[i];
  std::vector<std::byte> reply;
  std::uint32_t quiet = 0, seen_directs = 0;  // D4
  for (;;) {
    std::shared_ptr<task_base> t;
    // relaxed: only this shepherd makes the word idle or takes it out of idle (D4).
    if (s.owner.load(std::memory_order_relaxed) == slot_idle) {
      auto got = q_.get();
      if (!got) break;  // closed and drained
      t = std::move(*got);
    } else {
      const queue_status st = q_.get_for(t, direct_poll);
      if (st == queue_status::closed) break;
      if (st != queue_status::ok) {
        poll(s, reply, quiet, seen_directs);  // D4
        continue;
      }
    }
    quiet = 0;
    {
      const detail::unique_hold<weave::mutex> h(pending_m_);  // W2: cancellable while we wait for the slot
      s.pending.write() = t;
    }
    take_slot(s, reply);  // D1 (a direct request on it is collected first: D3)
    {
      const detail::unique_hold<weave::mutex> h(pending_m_);
      s.pending.write().reset();
    }
    queued_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: D7's hint
    if (!t->start()) {  // cancelled while queued or held: not run (W2)
      give_slot(s);
      continue;
    }
    const std::exception_ptr e = run(s, *t, reply);
    give_slot(s);
    settle(*t, e, reply);
  }
  take_slot(s, reply);  // D3: no direct task outlives the pool
  retire(s);            // W4
  // relaxed: nothing is published; a submit's CAS on open fails from now on.
  s.owner.store(slot_retired, std::memory_order_relaxed);
}

// D2: a submit's direct send. The caller's thread holds an open slot (lent)
// for the send and leaves it direct; false (the task goes to the queue) if no
// slot is open, its worker is missing or ended (W8), or the send failed.
inline bool process_pool::send_direct(const std::shared_ptr<task_base>& t, detail::future_core<S>& core) {
  // relaxed: D7, a hint; a stale count only sends the task through the queue
  // (a thread always sees its own earlier submits counted).
  if (queued_.load(std::memory_order_relaxed) != 0) return false;
  // Made before a slot is taken: nothing between the send and the exchange
  // to direct may throw, or the slot would stay lent.
  auto help = std::make_shared<direct_help>(t);
  for (std::size_t i = 0; i < n_; ++i) {
    worker_slot& s = slots_[i];
    std::uint32_t open = slot_open;
    // seq_cst: acquire pairs with the release that gave the slot up (D1);
    // seq_cst orders it before the closing_ load below (D2). relaxed on
    // failure: the slot is not ours and nothing was read.
    if (!s.owner.compare_exchange_strong(open, slot_lent, std::memory_order_seq_cst, std::memory_order_relaxed))
      continue;
    // seq_cst: D2, pairs with the seq_cst store in shutdown().
    if (closing_.load(std::memory_order_seq_cst) != 0) {
      give_slot(s);
      throw_usage_error("weave::process_pool", "submit after shutdown");  // W1
    }
    if (s.pid.load(std::memory_order_relaxed) != 0) reap_if_exited(s);  // relaxed: D1, ours now; W8
    if (s.pid.load(std::memory_order_relaxed) == 0 ||                  // relaxed: as above
        s.end.send(std::span<const std::byte>(t->request)) != pipe_status::ok) {
      give_slot(s);  // the shepherd starts a worker, or sees it gone (W3)
      return false;
    }
    (void)t->start();  // pending -> running: nobody else holds the future yet, so it is not cancelled
    core.set_wait_help(std::move(help));  // F6: before the future leaves submit
    t->pool = this;
    t->slot = i;
    s.direct.write() = t;  // D2
    // relaxed: a hint for D4, read by the shepherd after the exchange below.
    s.directs.store(s.directs.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    // release: pairs with the waiter's acquire pin (pool, slot: D5).
    t->phase.store(phase_direct, std::memory_order_release);
    // release: pairs with the collector's acquire CAS direct -> busy (D1, D2).
    if (s.owner.exchange(slot_direct, std::memory_order_release) & slot_waited) S::wake_all(s.owner);  // D6
    return true;
  }
  return false;
}

// D5: the thread about to wait for a direct task's future collects the reply
// itself, unless the slot's shepherd took the slot first.
inline void process_pool::direct_help::help() noexcept {
  const std::shared_ptr<task_base> t = task.lock();
  if (!t) return;
  std::uint32_t p = phase_direct;
  // acquire: pairs with the submit's release store of phase_direct (pool,
  // slot). relaxed on failure: not ours to collect, and we touch nothing.
  if (!t->phase.compare_exchange_strong(p, phase_pinned, std::memory_order_acquire, std::memory_order_relaxed)) return;
  process_pool& pool = *t->pool;  // alive while the pin lasts (D5)
  worker_slot& s = pool.slots_[t->slot];
  std::uint32_t d = slot_direct;
  // acquire: pairs with the submit's release exchange to direct (D1, D2).
  // relaxed on failure: the shepherd holds the slot; we only unpin.
  if (!s.owner.compare_exchange_strong(d, slot_busy, std::memory_order_acquire, std::memory_order_relaxed)) {
    // release: pairs with the shepherd's acquire CAS of the phase (D5).
    if (t->phase.exchange(phase_direct, std::memory_order_release) == phase_pinned_waited) S::wake_all(t->phase);
    return;
  }
  // relaxed: read only by a holder of the slot, after give_slot's release.
  t->phase.store(phase_taken, std::memory_order_relaxed);
  s.direct.write().reset();  // D3: ours is t
  std::vector<std::byte> reply;
  const std::exception_ptr e = pool.collect(s, *t, reply);
  give_slot(s);  // D6: the last touch of the pool
  settle(*t, e, reply);
}

// The shepherd takes its own slot (busy): a direct request on it is collected
// first (D3); a submit or a waiter that holds it is waited for (D6).
inline void process_pool::take_slot(worker_slot& s, std::vector<std::byte>& reply) {
  for (;;) {
    // acquire: pairs with the release that gave the slot up or published a
    // direct request (D1, D2).
    std::uint32_t v = s.owner.load(std::memory_order_acquire);
    if (v == slot_open || v == slot_idle || v == slot_direct) {
      // acquire: as above. relaxed on failure: we look again.
      if (!s.owner.compare_exchange_weak(v, slot_busy, std::memory_order_acquire, std::memory_order_relaxed)) continue;
      if (v == slot_direct) collect_direct(s, reply);
      return;
    }
    // lent or busy: one send or one round trip by another thread.
    // acquire: as above (the spin only looks).
    if (spin_for_handoff<S>([&] { return s.owner.load(std::memory_order_acquire) != v; }, S::forever)) continue;
    // relaxed (both): the bit only announces the sleep; the exchange that
    // gives the slot up reads it and wakes us (D6), and we re-load with acquire.
    if ((v & slot_waited) == 0 &&
        !s.owner.compare_exchange_strong(v, v | slot_waited, std::memory_order_relaxed, std::memory_order_relaxed))
      continue;
    (void)S::wait(s.owner, v | slot_waited);  // sleeps only while the word is unchanged
  }
}

// Gives a held slot up (-> open), waking its shepherd if it sleeps on the word (D6).
inline void process_pool::give_slot(worker_slot& s) noexcept {
  // release: pairs with the acquire that takes the slot next (D1).
  if (s.owner.exchange(slot_open, std::memory_order_release) & slot_waited) S::wake_all(s.owner);
}

// D3, D5: the shepherd took a direct slot (busy): it takes the task, waiting
// out a waiter's pin, then receives the reply and finishes the task.
inline void process_pool::collect_direct(worker_slot& s, std::vector<std::byte>& reply) {
  const std::shared_ptr<task_base> t = std::move(s.direct.write());
  s.direct.write().reset();
  for (;;) {
    std::uint32_t p = phase_direct;
    // acquire: pairs with the waiter's release unpin (D5).
    if (t->phase.compare_exchange_strong(p, phase_taken, std::memory_order_acquire, std::memory_order_relaxed)) break;  // relaxed: we look again
    // Pinned: the waiter finds the slot busy and unpins at once (D5).
    // acquire: as above (the spin only looks).
    if (spin_for_handoff<S>([&] { return t->phase.load(std::memory_order_acquire) == phase_direct; }, S::forever))
      continue;
    // relaxed (both): announces the sleep; the unpin's exchange reads it.
    if (p == phase_pinned &&
        !t->phase.compare_exchange_strong(p, phase_pinned_waited, std::memory_order_relaxed, std::memory_order_relaxed))
      continue;
    (void)S::wait(t->phase, phase_pinned_waited);
  }
  const std::exception_ptr e = collect(s, *t, reply);  // before the span of reply is made
  settle(*t, e, reply);
}

// D4: a shepherd's poll. A direct request still on its slot is collected; an
// open slot with no direct send for direct_quiet polls is closed (idle).
inline void process_pool::poll(worker_slot& s, std::vector<std::byte>& reply, std::uint32_t& quiet,
                               std::uint32_t& seen_directs) {
  // relaxed: a first look; the CASes below decide.
  std::uint32_t v = s.owner.load(std::memory_order_relaxed);
  // relaxed: a hint (a stale count only delays closing the slot by a poll).
  const std::uint32_t directs = s.directs.load(std::memory_order_relaxed);
  if (directs != seen_directs) {
    seen_directs = directs;
    quiet = 0;
  }
  if (v == slot_direct) {
    // acquire: pairs with the submit's release exchange (D2). relaxed on
    // failure: a waiter took it.
    if (s.owner.compare_exchange_strong(v, slot_busy, std::memory_order_acquire, std::memory_order_relaxed)) {
      collect_direct(s, reply);
      give_slot(s);
    }
    return;
  }
  if (v == slot_open && ++quiet >= direct_quiet) {
    quiet = 0;
    // relaxed: idle publishes nothing; it only makes a submit's CAS fail (D4).
    (void)s.owner.compare_exchange_strong(v, slot_idle, std::memory_order_relaxed, std::memory_order_relaxed);
  }
}

// One task on slot s's worker (W3), under the slot (D1); a vacant slot is
// refilled first. Returns null (reply holds the answer) or the failure.
inline std::exception_ptr process_pool::run(worker_slot& s, task_base& t, std::vector<std::byte>& reply) {
  if (s.pid.load(std::memory_order_relaxed) != 0) reap_if_exited(s);  // relaxed: D1, only the slot's owner writes it
  if (s.pid.load(std::memory_order_relaxed) == 0) {  // relaxed: as above
    try {
      start_worker(s);
    } catch (const std::exception& e) {
      return std::make_exception_ptr(
          broken_pool(std::string("weave::process_pool: no worker for the task: could not start one: ") + e.what()));
    }
  }
  if (s.end.send(std::span<const std::byte>(t.request)) != pipe_status::ok) return worker_lost(s, t);
  return collect(s, t, reply);
}

// The reply to t's request, sent on slot s (W3, D1).
inline std::exception_ptr process_pool::collect(worker_slot& s, task_base& t, std::vector<std::byte>& reply) {
  if (s.end.recv(reply).status == pipe_status::ok) return nullptr;
  return worker_lost(s, t);  // peer_gone or closed: the worker is dead or exiting (W3)
}

// Finishes t's future, holding no slot (D6) unless a shepherd settles a
// direct task on its way to its own slot.
inline void process_pool::settle(task_base& t, const std::exception_ptr& e, std::span<const std::byte> reply) {
  if (e) {
    t.fail(e);
  } else {
    t.finish(reply);
  }
}

// W8: a worker that died while idle is reaped (and its slot left vacant)
// before a task is sent to it, so that task goes to its replacement instead.
inline void process_pool::reap_if_exited(worker_slot& s) {
  const int pid = s.pid.load(std::memory_order_relaxed);  // relaxed: D1, only the slot's owner writes it
  int st = 0;
  if (::waitpid(pid, &st, WNOHANG) != pid) return;  // alive (or not yet a zombie: W3 catches it)
  s.pid.store(0, std::memory_order_relaxed);  // relaxed: a snapshot for worker_pids
  s.end.close();
}

// The worker of slot s died holding t: reap it (W4), start another, and
// return the failure for t.
inline std::exception_ptr process_pool::worker_lost(worker_slot& s, task_base& t) {
  const int pid = s.pid.load(std::memory_order_relaxed);  // relaxed: D1, only the slot's owner writes it
  s.pid.store(0, std::memory_order_relaxed);  // relaxed: a snapshot; cleared before the pid is freed (W4)
  s.end.close();
  const int st = reap(pid, true);
  std::exception_ptr e = std::make_exception_ptr(broken_pool("weave::process_pool: worker " + std::to_string(pid) +
                                                              " " + how_it_ended(st) + " while running '" + t.name + "'"));
  try {
    start_worker(s);
  } catch (...) {
    // Vacant: the next task on this slot tries again (and fails if it cannot).
  }
  return e;
}

// Closes slot s's pipe (the idle worker reads end of stream and exits) and
// reaps the worker (W4).
inline void process_pool::retire(worker_slot& s) noexcept {
  const int pid = s.pid.load(std::memory_order_relaxed);  // relaxed: only the slot's owner writes it
  s.pid.store(0, std::memory_order_relaxed);  // relaxed: a snapshot; cleared before the pid is freed (W4)
  s.end.close();
  if (pid != 0) (void)reap(pid, false);
}

// waitpid for our own child, after SIGKILL if kill_first (W4). Returns the wait
// status, or -1 if the child was reaped elsewhere (SIGCHLD ignored).
inline int process_pool::reap(int pid, bool kill_first) noexcept {
  if (kill_first) (void)::kill(pid, SIGKILL);  // unreaped, so still our child: the pid is not reused
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return st;
}

inline std::string process_pool::how_it_ended(int status) {
  if (status == -1) return "ended (reaped elsewhere)";
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended";
}

inline void process_pool::join_shepherds() {
  {
    const detail::unique_hold<weave::mutex> ids(ids_m_);  // W7
    for (const auto id : shepherd_ids_.read()) {
      if (id == S::self())
        throw_usage_error("weave::process_pool", "shutdown(wait = true) from a done-callback run by the pool");
    }
  }
  const detail::unique_hold<weave::mutex> h(join_m_);  // W4: joined once
  for (auto& t : shepherds_.write()) {
    if (t.joinable()) t.join();
  }
}

template <class R>
void process_pool::task<R>::finish(std::span<const std::byte> reply) {
  const auto kind = reply.empty() ? reply_bad : static_cast<std::uint8_t>(reply[0]);
  const std::span<const std::byte> body = reply.empty() ? reply : reply.subspan(1);
  if (kind == reply_value) {
    if constexpr (std::is_void_v<R>) {
      if (body.empty()) {
        (void)p.set_value();
        return;
      }
    } else {
      if (body.size() == sizeof(R)) {
        std::array<std::byte, sizeof(R)> raw;
        std::memcpy(raw.data(), body.data(), sizeof(R));
        (void)p.set_value(std::bit_cast<R>(raw));
        return;
      }
    }
  }
  const std::string text(reinterpret_cast<const char*>(body.data()), body.size());
  if (kind == reply_error) {
    fail(std::make_exception_ptr(process_task_error("weave::process_pool: '" + this->name + "' threw: " + text)));
  } else {
    fail(std::make_exception_ptr(process_task_error("weave::process_pool: '" + this->name + "': bad reply from the worker" +
                                                    (text.empty() ? std::string() : ": " + text))));
  }
}

// ---- the worker's side (a forked child; never returns) ------------------------

inline void process_pool::worker_main(pipe_end& end, const std::vector<detail::process_entry_ptr>& fns) noexcept {
  int code = 0;
  try {
    end.claim();  // W5: before the hello, so the pool sees our death from now on
    const std::uint32_t hello = hello_word;
    if (end.send(std::as_bytes(std::span(&hello, 1))) == pipe_status::ok) serve(end, fns);
  } catch (...) {
    code = 3;  // a corrupted pipe (pipe_error) or no memory: the pool sees us die
  }
  ::_exit(code);  // no atexit handlers, no stdio flush: the parent's buffers are the parent's
}

// Answers requests until the pool closes its end (or dies): W6.
inline void process_pool::serve(pipe_end& end, const std::vector<detail::process_entry_ptr>& fns) {
  std::vector<std::byte> in, out;
  auto say = [&out](std::uint8_t kind, std::string_view text) {
    out.assign(1, std::byte{kind});
    const std::size_t n = std::min(text.size(), max_payload);
    const auto* p = reinterpret_cast<const std::byte*>(text.data());
    out.insert(out.end(), p, p + n);
  };
  while (end.recv(in).status == pipe_status::ok) {
    std::uint32_t id = 0xffffffffu;
    if (in.size() >= 4) std::memcpy(&id, in.data(), 4);
    if (id >= fns.size() || in.size() - 4 != fns[id]->arg_size) {
      say(reply_bad, "malformed request (unknown function id or wrong argument size)");
    } else {
      out.assign(1, std::byte{reply_value});
      try {
        fns[id]->invoke(in.data() + 4, out);
      } catch (const std::exception& e) {
        say(reply_error, e.what());
      } catch (...) {
        say(reply_error, "an exception not derived from std::exception");
      }
    }
    if (end.send(std::span<const std::byte>(out)) != pipe_status::ok) return;
  }
}

}  // namespace weave
