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
//   - shutdown(wait = true) from a done-callback (which runs on one of the
//     pool's threads) is a usage_error instead of a deadlock.
//
// Design (after multiprocessing.Pool's one-task-per-worker dispatch, built
// from weave's own queue, future and pipe): a basic_fifo_queue of tasks, as in
// weave::thread_pool, and one shepherd thread per worker slot. A shepherd
// takes a task, sends its request on the slot's duplex pipe, waits for the
// reply, and finishes the task's future; between tasks it is the only thread
// that touches its slot. Messages:
//
//   hello    worker → pool   [u32 hello_word]        once, after the worker claimed its end
//   request  pool → worker   [u32 function id][argument bytes]
//   reply    worker → pool   [u8 reply_value][result bytes]
//                            [u8 reply_error][what() text]   (the function threw)
//                            [u8 reply_bad][reason]          (a malformed request)
//
// State of a worker slot (changed only by its shepherd, or the constructor):
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
//       shutdown(cancel_pending)) and its future is finished exactly once:
//       value, process_task_error, broken_pool, or cancelled. A shepherd ends
//       only when the queue is closed and drained.
//   W3  A slot has at most one task in flight, and its shepherd is blocked in
//       that task's send or recv on the slot's pipe while it is; a dead worker
//       ends that recv with peer_gone within one liveness slice (pipe.hpp P6),
//       because the worker claimed its end before its hello (W5) and a claimed
//       end's liveness is its owner's (holders.hpp H6).
//   W4  Every forked worker is reaped exactly once, by the thread that forked
//       it or by its slot's shepherd: after its death (kill then waitpid: a
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
//       shepherd) throws usage_error instead of joining itself.
//   W8  Before each send the shepherd asks waitpid(WNOHANG) whether its
//       worker has ended while idle; if so it is reaped and replaced first, so
//       broken_pool goes only to a task that was sent to a worker that then
//       died (or died at the instant of the send). A slot's pid is cleared
//       before the worker is reaped, so worker_pids() never shows a freed pid.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
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
    auto t = std::make_unique<task<R>>(e.name);
    t->request.resize(4 + sizeof(A));
    const std::uint32_t id = fn.id();
    std::memcpy(t->request.data(), &id, 4);
    std::memcpy(t->request.data() + 4, &arg, sizeof(A));
    future<R> f = t->p.get_future();
    t->f = f;
    if (q_.put(std::unique_ptr<task_base>(std::move(t))) != queue_status::ok)
      throw_usage_error("weave::process_pool", "submit after shutdown");  // W1
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
    q_.close();  // drain: later submits are refused (W1); shepherds finish what is left (W2)
    if (cancel_pending) {
      std::unique_ptr<task_base> t;
      while (q_.try_get(t) == queue_status::ok) t->cancel();  // W2
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

  struct task_base {
    virtual ~task_base() = default;
    virtual bool start() = 0;                                    // false: cancelled while queued
    virtual void finish(std::span<const std::byte> reply) = 0;  // the worker answered
    virtual void fail(std::exception_ptr e) = 0;
    virtual void cancel() = 0;
    explicit task_base(const std::string& fn_name) : name(fn_name) {}
    std::vector<std::byte> request;
    const std::string& name;  // in the pool's snapshot (W6), which outlives every task
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
    pipe_end end;                  // the pool's end of the worker's duplex pipe
    S::atomic<std::int32_t> pid{0};  // 0: vacant (W4)
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
  void run(worker_slot& s, task_base& t, std::vector<std::byte>& reply);
  void worker_lost(worker_slot& s, task_base& t);
  void reap_if_exited(worker_slot& s);
  void retire(worker_slot& s) noexcept;
  static int reap(int pid, bool kill_first) noexcept;
  static std::string how_it_ended(int status);
  void join_shepherds();

  std::vector<detail::process_entry_ptr> functions_;  // W6: fixed before the first fork
  std::size_t n_ = 0;
  std::unique_ptr<worker_slot[]> slots_;
  basic_fifo_queue<std::unique_ptr<task_base>, S> q_;
  weave::mutex fork_m_;  // W5
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

// One slot's thread: takes tasks until the queue is closed and drained (W2).
inline void process_pool::shepherd(std::size_t i) {
  {
    const detail::unique_hold<weave::mutex> h(ids_m_);  // W7
    shepherd_ids_.write().push_back(S::self());
  }
  worker_slot& s = slots_[i];
  std::vector<std::byte> reply;
  while (auto t = q_.get()) {
    if (!(*t)->start()) continue;  // cancelled while queued: not run (W2)
    run(s, **t, reply);
  }
  retire(s);  // W4
}

// One task on slot s's worker (W3); a vacant slot is refilled first.
inline void process_pool::run(worker_slot& s, task_base& t, std::vector<std::byte>& reply) {
  if (s.pid.load(std::memory_order_relaxed) != 0) reap_if_exited(s);  // relaxed: only this shepherd writes it
  if (s.pid.load(std::memory_order_relaxed) == 0) {  // relaxed: only this shepherd writes it
    try {
      start_worker(s);
    } catch (const std::exception& e) {
      t.fail(std::make_exception_ptr(
          broken_pool(std::string("weave::process_pool: no worker for the task: could not start one: ") + e.what())));
      return;
    }
  }
  if (s.end.send(std::span<const std::byte>(t.request)) == pipe_status::ok &&
      s.end.recv(reply).status == pipe_status::ok) {
    t.finish(reply);
    return;
  }
  worker_lost(s, t);  // peer_gone or closed: the worker is dead or exiting (W3)
}

// W8: a worker that died while idle is reaped (and its slot left vacant)
// before a task is sent to it, so that task goes to its replacement instead.
inline void process_pool::reap_if_exited(worker_slot& s) {
  const int pid = s.pid.load(std::memory_order_relaxed);  // relaxed: only this shepherd writes it
  int st = 0;
  if (::waitpid(pid, &st, WNOHANG) != pid) return;  // alive (or not yet a zombie: W3 catches it)
  s.pid.store(0, std::memory_order_relaxed);  // relaxed: a snapshot for worker_pids
  s.end.close();
}

// The worker of slot s died holding t: reap it (W4), fail t, start another.
inline void process_pool::worker_lost(worker_slot& s, task_base& t) {
  const int pid = s.pid.load(std::memory_order_relaxed);  // relaxed: only this shepherd writes it
  s.pid.store(0, std::memory_order_relaxed);  // relaxed: a snapshot; cleared before the pid is freed (W4)
  s.end.close();
  const int st = reap(pid, true);
  t.fail(std::make_exception_ptr(broken_pool("weave::process_pool: worker " + std::to_string(pid) + " " +
                                             how_it_ended(st) + " while running '" + t.name + "'")));
  try {
    start_worker(s);
  } catch (...) {
    // Vacant: the next task on this slot tries again (and fails if it cannot).
  }
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
