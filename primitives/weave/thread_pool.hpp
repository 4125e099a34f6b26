// weave/thread_pool.hpp — weave::thread_pool: N worker threads over a weave
// queue; submit returns a weave::future.
//
// Behaviour follows Python's concurrent.futures.ThreadPoolExecutor (3.9):
//
//   thread_pool p(n)       n workers (S::thread); default: the hardware
//                          threads (S::thread::hardware_concurrency(), 2 if the
//                          policy cannot tell); n = 0 is a usage_error
//   thread_pool p(n, name), p(name)   name: what the model checker's traces call it (nothing on hardware)
//   p.submit(f, args...)   → future<R>, R = f(args...)'s type; f runs once on a
//                          worker; a task that throws fails its future, never
//                          the pool; after shutdown: usage_error (Python:
//                          RuntimeError)
//   p.map(f, range)        → std::vector of f(x) in the order of the range; the
//                          first failed task's exception is rethrown (in
//                          range order) after cancelling the tasks not started
//   p.shutdown(wait = true, cancel_pending = false)
//                          no more submits; with cancel_pending, every task not
//                          yet started is cancelled (its future cancelled()),
//                          else every accepted task still runs; with wait,
//                          returns once the workers have ended. Idempotent.
//   ~thread_pool()         shutdown(true)
//
// Where weave differs from Python, and why: the default size is the number of
// hardware threads, not min(32, cpus + 4) (weave's tasks are CPU work more
// often than I/O); map() runs eagerly and returns a vector, not a lazy
// iterator. shutdown(wait = true) from inside a task is a usage_error (P5);
// the queue is closed first, so the pool still shuts down.
//
// Design: a weave::basic_fifo_queue<std::unique_ptr<task>, S> (unbounded)
// carries tasks to the workers; each task owns the weave::basic_promise of its
// future. Each worker loops `while (auto t = q_.get()) t->run();`, which ends
// once the queue is closed and drained.
//
// Task life: accepted (put returned ok) → taken by one worker (get) → run:
// set_running_or_notify_cancel() (false if its future was cancelled meanwhile,
// then it is not run) → value or exception set; or, with cancel_pending,
// taken by shutdown (try_get) → cancelled.
//
// Invariants:
//   P1  submit accepts a task iff put() returned ok, i.e. before close() in the
//       queue's lock order; a refused task is reported (usage_error), never
//       silently dropped.
//   P2  every accepted task is taken exactly once (the queue's get/try_get are
//       exclusive under its lock) and, since close() drains (close_mode::drain)
//       and workers only stop on "closed and empty", some thread takes it.
//   P3  the taker finishes the task's future: run() sets a value or an
//       exception (or finds it cancelled), cancel() cancels it; a task
//       destroyed unfinished (only possible if the queue were dropped) breaks
//       its promise — never a hang (future F-invariants).
//   P4  the workers are joined exactly once, under join_m_; shutdown(wait)
//       returns after every worker has ended, hence after every accepted task
//       is finished or cancelled (P2, P3).
//   P5  each worker records its S::self() id under ids_m_ before it takes a
//       task, so shutdown(wait = true) called from a task finds its own id
//       and throws usage_error instead of joining itself (Python raises
//       RuntimeError "cannot join current thread" there).
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <ranges>
#include <type_traits>
#include <utility>
#include <vector>

#include "weave/detail/lock.hpp"
#include "weave/error.hpp"
#include "weave/future.hpp"
#include "weave/mutex.hpp"
#include "weave/queue.hpp"
#include "weave/sync.hpp"

namespace weave {

template <class S = real_sync>
class basic_thread_pool {
  static_assert(sync_policy<S>);

 public:
  /// name: what the model checker's traces call it (nothing on hardware).
  explicit basic_thread_pool(std::size_t workers = default_workers(), const char* name = nullptr)
      : obj_{this, "thread_pool", name} {
    if (workers == 0) throw_usage_error("weave::thread_pool", "a pool needs at least one worker");
    auto& ws = workers_.write();
    ws.reserve(workers);
    for (std::size_t i = 0; i < workers; ++i) ws.emplace_back([this] { work(); });
    n_workers_ = workers;
  }
  /// The same, named (a template, so that thread_pool(0) stays a count).
  template <class Name>
    requires std::is_same_v<Name, const char*>
  explicit basic_thread_pool(Name name) : basic_thread_pool(default_workers(), name) {}
  basic_thread_pool(const basic_thread_pool&) = delete;
  basic_thread_pool& operator=(const basic_thread_pool&) = delete;
  ~basic_thread_pool() { shutdown(true); }

  /// The default number of workers: the hardware threads.
  static std::size_t default_workers() {
    if constexpr (requires { S::thread::hardware_concurrency(); }) {
      const unsigned n = S::thread::hardware_concurrency();
      return n == 0 ? 1 : n;
    } else {
      return 2;
    }
  }

  /// Runs f(args...) on a worker; its future gets the result (P1..P3).
  template <class F, class... A>
  auto submit(F&& f, A&&... args) {
    [[maybe_unused]] const auto submit_call = obj_.enter("submit");
    using R = std::invoke_result_t<std::decay_t<F>, std::decay_t<A>...>;
    auto call = [f = std::forward<F>(f), ... a = std::forward<A>(args)]() mutable -> R {
      return std::invoke(std::move(f), std::move(a)...);
    };
    auto t = std::make_unique<task<R, decltype(call)>>(std::move(call));
    basic_future<R, S> fut = t->p.get_future();
    t->f = fut;
    if (q_.put(std::unique_ptr<task_base>(std::move(t))) != queue_status::ok) {
      throw_usage_error("weave::thread_pool", "submit after shutdown");  // P1
    }
    return fut;
  }

  /// f(x) for every x of range, in order; rethrows the first failure.
  template <class F, std::ranges::input_range Rg>
  auto map(F f, Rg&& range, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("map", loc);
    using R = std::invoke_result_t<F&, std::ranges::range_reference_t<Rg>>;
    static_assert(!std::is_void_v<R>, "weave::thread_pool::map: f must return a value");
    std::vector<basic_future<R, S>> fs;
    for (auto&& x : range) fs.push_back(submit(f, x));
    call.note("waiting for the results");
    return detail::get_in_order(fs);
  }

  /// Python's shutdown(wait, cancel_futures): see the table above (P2, P4).
  void shutdown(bool wait = true, bool cancel_pending = false, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("shutdown", loc);
    call.arg(wait);
    call.arg(cancel_pending);
    q_.close();  // drain: later puts are refused (P1); workers finish what is left (P2)
    if (cancel_pending) {
      std::unique_ptr<task_base> t;
      while (q_.try_get(t) == queue_status::ok) t->cancel();  // P3
    }
    if (wait) {
      call.note("waiting for the workers to finish");
      join_workers();
    }
  }

  std::size_t size() const noexcept { return n_workers_; }

 protected:
  struct task_base {
    virtual ~task_base() = default;
    virtual void run() = 0;
    virtual void cancel() = 0;
  };
  template <class R, class Fn>
  struct task final : task_base {
    explicit task(Fn body) : fn(std::move(body)) {}
    void run() override {
      if (!p.set_running_or_notify_cancel()) return;  // cancelled meanwhile (P3)
      try {
        if constexpr (std::is_void_v<R>) {
          fn();
          p.set_value();
        } else {
          p.set_value(fn());
        }
      } catch (...) {
        p.set_exception(std::current_exception());  // fails the future, not the pool
      }
    }
    void cancel() override { (void)f.cancel(); }
    Fn fn;
    basic_promise<R, S> p;
    basic_future<R, S> f;  // for cancel()
  };

  void work() {
    {
      detail::unique_hold<basic_mutex<S>> h(ids_m_);  // P5
      worker_ids_.write().push_back(S::self());
    }
    while (auto t = q_.get()) (*t)->run();  // ends when closed and drained (P2)
  }

  void join_workers() {
    {
      detail::unique_hold<basic_mutex<S>> ids(ids_m_);  // P5
      for (const auto id : worker_ids_.read()) {
        if (id == S::self()) throw_usage_error("weave::thread_pool", "shutdown(wait = true) from one of its own tasks");
      }
    }
    detail::unique_hold<basic_mutex<S>> h(join_m_);  // P4
    for (auto& w : workers_.write()) {
      if (w.joinable()) w.join();
    }
  }

  // n_workers_ first: q_'s own S::object lies at q_'s address, so obj_ (the
  // same empty type) can share offset 0 only if q_ does not start there.
  std::size_t n_workers_ = 0;
  basic_fifo_queue<std::unique_ptr<task_base>, S> q_;
  basic_mutex<S> join_m_;
  typename S::template cell<std::vector<typename S::thread>> workers_;
  basic_mutex<S> ids_m_;  // not join_m_: a worker registers while shutdown may hold join_m_ to join it
  typename S::template cell<std::vector<typename S::thread_id>> worker_ids_;  // under ids_m_ (P5)
  [[no_unique_address]] typename S::object obj_;
};

using thread_pool = basic_thread_pool<>;
namespace model {
using thread_pool = basic_thread_pool<model_sync>;
}

}  // namespace weave
