// weave/future.hpp — weave::future<T> / weave::promise<T>: a result that
// arrives later, with cancellation and done-callbacks; wait_all / wait_any
// over a set of futures.
//
// Behaviour follows Python's concurrent.futures.Future; names follow
// std::future / std::promise where one exists:
//
//   promise<T> p; future<T> f = p.get_future();   (a second get_future: usage_error)
//   promise<T> p{name}   name: what the model checker's traces call the future
//                        (nothing on hardware)
//   p.set_value(v) / p.set_exception(e)  finish the future (Python's
//                        set_result / set_exception); setting a finished
//                        future again is a usage_error
//   p.set_running_or_notify_cancel()
//                        pending → running, true; false if the future was
//                        cancelled (the executor then does not run the task)
//   ~promise()           a promise destroyed unset finishes its future with
//                        weave::broken_promise: a waiter never hangs
//   f.get()              waits; returns the value (const T&; void for T =
//                        void) or rethrows the exception; a cancelled future
//                        throws weave::cancelled_error
//   f.wait(), f.wait_for(d), f.wait_until(t)
//                        wait for done; the timed forms return
//                        future_status::ready or ::timeout (never throw)
//   f.done(), f.running(), f.cancelled()   snapshots
//   f.cancel()           pending → cancelled: true; also true if already
//                        cancelled; false once running or finished (Python)
//   f.add_done_callback(fn)
//                        fn(f) or fn() runs exactly once: at once in the
//                        caller if f is already done, else in the thread that
//                        finishes or cancels f
//   wait_all(fs), wait_all_for(fs, d), wait_all_until(fs, t); the same for
//   wait_any             Python's wait(fs, return_when=ALL_COMPLETED /
//                        FIRST_COMPLETED); the timed forms return ready or
//                        timeout; an empty fs is ready at once
//   as_completed<S>      the futures' indices in the order they finish
//                        (Python's as_completed), next() / next_for(d)
//
// Where weave differs from Python, and why:
//   - get() returns const T& and may be called again (Python's result() is
//     repeatable; std::future::get is one-shot, std::shared_future's is not).
//   - set_value/set_exception on a cancelled future does nothing and returns
//     false (Python 3.8+ raises InvalidStateError): the producer races the
//     consumer's cancel() and should not need a try block for a lost race.
//   - an exception thrown by a done-callback is caught and dropped (Python logs
//     it); weave has no logger. A callback that must report, reports itself.
//   - wait_all/wait_any return a status, not (done, not_done) sets: the caller
//     asks each future's done().
//   - get() on a future with no state (default-constructed or moved from) is a
//     usage_error (Python has no such future).
//
// State machine (state_, written only under m_, F1):
//
//   pending  --set_running_or_notify_cancel-->  running
//   pending  --cancel------------------------>  cancelled        (final)
//   pending  --set_value/set_exception/~promise-->  finished     (final)
//   running  --set_value/set_exception/~promise-->  finished     (final)
//   running  --cancel------------------------>  running (cancel returns false)
//
// Invariants:
//   F1  state_ changes only under m_ and only along the arrows above; finished
//       and cancelled are final.
//   F2  the result (value_, error_) is written under m_ before state_ becomes
//       finished, and never after; it is read only by a thread that saw
//       state_ final with an acquire load (or under m_): no data race.
//   F3  a callback is added only under m_ while state_ is not final; the thread
//       that makes state_ final takes the whole list in the same critical
//       section and runs it after unlocking. An add that finds state_ final
//       runs fn in the caller. So each callback runs exactly once, never while
//       m_ is held (a callback may call into the future again).
//   F4  done_ (a weave::event) is set after state_ became final; wait() returns
//       once done_ is set (event E4 publishes state_ and the result).
//   F5  a wait_any waiter (an event on the waiting thread's stack) is put in
//       watchers_ under m_ only while state_ is not final, is set under m_ by
//       the finishing thread, and removes itself under m_ before it goes: a
//       finisher never touches a dead waiter (as condition C4).
//   F6  an executor may give a future a wait_help, once, before the future
//       leaves the executor (it is a plain member, read without m_ by
//       waiters that got the future afterwards). A wait without a deadline
//       (get(), wait()) on a future not yet done calls help() first, then
//       waits as usual: help() may finish the future itself (weave::
//       process_pool: the waiting thread collects its own task's reply) or
//       do nothing; the wait's outcome is decided by state_ alone (F4).
//       Timed waits never call it (help() may block). No executor under the
//       model checker sets one.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "weave/detail/lock.hpp"
#include "weave/error.hpp"
#include "weave/event.hpp"
#include "weave/mutex.hpp"
#include "weave/queue.hpp"
#include "weave/sync.hpp"

namespace weave {

/// The future's producer went away without setting it (mirrors
/// std::future_errc::broken_promise).
class broken_promise : public std::runtime_error {
 public:
  broken_promise() : std::runtime_error("weave::promise: destroyed without setting a value") {}
};

/// get() of a cancelled future (Python's concurrent.futures.CancelledError).
class cancelled_error : public std::runtime_error {
 public:
  cancelled_error() : std::runtime_error("weave::future: cancelled") {}
};

/// What a timed wait for a future returned (mirrors std::future_status).
enum class future_status { ready, timeout };

namespace detail {

/// What an executor may do for a thread about to wait for a future's result
/// without a deadline (F6).
struct wait_help {
  virtual ~wait_help() = default;
  virtual void help() noexcept = 0;
};

/// The type-independent half of a future's shared state: state machine, lock,
/// callbacks, waiters (F1..F5).
template <class S>
class future_core {
 public:
  enum : std::uint32_t { pending = 0, running = 1, finished = 2, cancelled = 3 };

  /// name: what the model checker's traces call the future (nothing on hardware).
  explicit future_core(const char* name = nullptr) : obj_{this, "future", name} {}
  future_core(const future_core&) = delete;
  future_core& operator=(const future_core&) = delete;

  std::uint32_t state() const {
    // seq_cst: a read that decides done() and friends, in one order with
    // every primitive's calls (sync.hpp, Python's order); as acquire it pairs
    // with make_final's store (F2).
    return state_.load(std::memory_order_seq_cst);
  }
  static bool is_final(std::uint32_t s) noexcept { return s == finished || s == cancelled; }
  bool done() const { return is_final(state()); }

  bool set_running_or_notify_cancel() {
    unique_hold<basic_mutex<S>> h(m_);
    const std::uint32_t s = state_.load(std::memory_order_relaxed);  // relaxed: under m_ (F1)
    if (s == cancelled) return false;
    if (s != pending) throw_usage_error("weave::promise", "set_running_or_notify_cancel of a future not pending");
    state_.store(running, std::memory_order_relaxed);  // relaxed: under m_; publishes nothing
    return true;
  }

  bool cancel() {
    unique_hold<basic_mutex<S>> h(m_);
    const std::uint32_t s = state_.load(std::memory_order_relaxed);  // relaxed: under m_ (F1)
    if (s == cancelled) return true;
    if (s != pending) return false;
    make_final(h, cancelled);
    return true;
  }

  /// F3: runs fn now if done, else keeps it for the finishing thread.
  void add_callback(std::function<void()> fn) {
    {
      unique_hold<basic_mutex<S>> h(m_);
      if (!is_final(state_.load(std::memory_order_relaxed))) {  // relaxed: under m_
        callbacks_.write().push_back(std::move(fn));
        return;
      }
    }
    run_one(fn);
  }

  /// F5: registers w to be set when the future finishes; false (and not
  /// registered) if it already has.
  bool watch(basic_event<S>* w) {
    unique_hold<basic_mutex<S>> h(m_);
    if (is_final(state_.load(std::memory_order_relaxed))) return false;  // relaxed: under m_
    watchers_.write().push_back(w);
    return true;
  }
  void unwatch(basic_event<S>* w) {
    unique_hold<basic_mutex<S>> h(m_);
    auto& ws = watchers_.write();
    for (auto it = ws.begin(); it != ws.end(); ++it) {
      if (*it == w) {
        ws.erase(it);
        return;
      }
    }
  }

  /// F6: before the future leaves its executor.
  void set_wait_help(std::shared_ptr<wait_help> h) noexcept { help_ = std::move(h); }

  bool wait_until(typename S::clock::time_point deadline, const typename S::object::call& call) {
    if (done()) return true;
    if (help_ && deadline == S::forever) {
      help_->help();  // F6
      if (done()) return true;
    }
    call.note("the result is not ready");
    return done_.wait_until(deadline);  // F4
  }

 protected:
  /// Finishes the future with setter() writing the result under m_; false if
  /// it was cancelled; usage_error if it was already finished.
  template <class Setter>
  bool finish(Setter setter) {
    unique_hold<basic_mutex<S>> h(m_);
    const std::uint32_t s = state_.load(std::memory_order_relaxed);  // relaxed: under m_ (F1)
    if (s == cancelled) return false;
    if (s == finished) throw_usage_error("weave::promise", "value or exception already set");
    setter();  // F2: before the release store below
    make_final(h, finished);
    return true;
  }

  // Under m_ (h): state_ becomes final, watchers are set, and the callbacks
  // run after unlocking (F3, F4, F5).
  void make_final(unique_hold<basic_mutex<S>>& h, std::uint32_t s) {
    // seq_cst: the linearization point of completing (sync.hpp); as release
    // it pairs with state()'s load (F2). A locked store on x86, once a future.
    state_.store(s, std::memory_order_seq_cst);
    for (basic_event<S>* w : watchers_.read()) w->set();  // under m_: alive (F5)
    std::vector<std::function<void()>> cbs = std::move(callbacks_.write());
    callbacks_.write().clear();
    h.unlock();
    done_.set();  // F4
    for (auto& fn : cbs) run_one(fn);
  }

  static void run_one(std::function<void()>& fn) noexcept {
    try {
      [[maybe_unused]] typename S::user_code user;
      fn();
    } catch (...) {  // dropped: see "Where weave differs from Python"
    }
  }

  // state_ before m_: m_'s own S::object lies at m_'s address, so obj_ (the
  // same empty type) can share offset 0 only if m_ does not start there.
  typename S::template atomic<std::uint32_t> state_{pending};
  basic_mutex<S> m_;
  basic_event<S> done_;
  typename S::template cell<std::vector<std::function<void()>>> callbacks_;
  typename S::template cell<std::vector<basic_event<S>*>> watchers_;
  std::shared_ptr<wait_help> help_;  // F6: set before the future is handed out, then only read

 public:
  /// The future as the checker sees it (its handles' calls open here).
  [[no_unique_address]] typename S::object obj_;
};

/// The shared state of future<T>: the core plus the result (F2).
template <class T, class S>
class future_state : public future_core<S> {
  using value_t = std::conditional_t<std::is_void_v<T>, bool, T>;

 public:
  using future_core<S>::future_core;

  template <class... A>
  bool set_value(A&&... a) {
    return this->finish([&] {
      if constexpr (std::is_void_v<T>) {
        value_.write().emplace(true);
      } else {
        value_.write().emplace(std::forward<A>(a)...);
      }
    });
  }
  bool set_exception(std::exception_ptr e) {
    return this->finish([&] { error_.write() = std::move(e); });
  }
  /// ~promise(): finishes a future still pending or running with broken_promise.
  void abandon() {
    unique_hold<basic_mutex<S>> h(this->m_);
    if (this->is_final(this->state_.load(std::memory_order_relaxed))) return;  // relaxed: under m_
    error_.write() = std::make_exception_ptr(broken_promise());
    this->make_final(h, future_core<S>::finished);
  }
  /// After done() (F2): the value, or rethrows.
  const value_t& result() const {
    if (this->state() == future_core<S>::cancelled) throw cancelled_error();
    if (const std::exception_ptr& e = error_.read()) std::rethrow_exception(e);
    return *value_.read();
  }

 private:
  typename S::template cell<std::optional<value_t>> value_;
  typename S::template cell<std::exception_ptr> error_;
};

}  // namespace detail

template <class T, class S = real_sync>
class basic_promise;

template <class T, class S = real_sync>
class basic_future {
  static_assert(sync_policy<S>);
  using state_t = detail::future_state<T, S>;

 public:
  using value_type = T;
  using policy = S;

  basic_future() noexcept = default;

  bool valid() const noexcept { return st_ != nullptr; }

  /// Waits, then returns the value or rethrows the task's exception.
  decltype(auto) get(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = st().obj_.enter("get", loc);
    (void)st().wait_until(S::forever, call);
    if constexpr (std::is_void_v<T>) {
      (void)st().result();
    } else {
      return st().result();
    }
  }

  void wait(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = st().obj_.enter("wait", loc);
    (void)st().wait_until(S::forever, call);
  }
  template <class Rep, class Period>
  future_status wait_for(const std::chrono::duration<Rep, Period>& d,
                         source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = st().obj_.enter("wait_for", loc);
    return st().wait_until(deadline_after<S>(d), call) ? future_status::ready : future_status::timeout;
  }
  template <class Clock, class Duration>
  future_status wait_until(const std::chrono::time_point<Clock, Duration>& t,
                           source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = st().obj_.enter("wait_until", loc);
    return st().wait_until(to_deadline<S>(t), call) ? future_status::ready : future_status::timeout;
  }

  bool done(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = st().obj_.enter("done", loc);
    call.reads_decide();  // state()'s read (sync.hpp)
    return st().done();
  }
  bool running(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = st().obj_.enter("running", loc);
    call.reads_decide();  // state()'s read (sync.hpp)
    return st().state() == state_t::running;
  }
  bool cancelled(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = st().obj_.enter("cancelled", loc);
    call.reads_decide();  // state()'s read (sync.hpp)
    return st().state() == state_t::cancelled;
  }
  bool cancel(source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = st().obj_.enter("cancel", loc);
    return st().cancel();
  }

  /// fn(*this) or fn() runs exactly once (F3).
  template <class F>
  void add_done_callback(F fn, source_location loc = source_location::current()) const {
    [[maybe_unused]] const auto call = st().obj_.enter("add_done_callback", loc);
    if constexpr (std::is_invocable_v<F&, const basic_future&>) {
      st().add_callback([fn = std::move(fn), self = *this]() mutable { fn(self); });
    } else {
      st().add_callback(std::move(fn));
    }
  }

  /// The shared state, for wait_all/wait_any (detail).
  state_t& core() const { return st(); }

 private:
  friend class basic_promise<T, S>;
  explicit basic_future(std::shared_ptr<state_t> s) noexcept : st_(std::move(s)) {}
  state_t& st() const {
    if (!st_) throw_usage_error("weave::future", "use of a future with no state");
    return *st_;
  }
  std::shared_ptr<state_t> st_;
};

template <class T, class S>
class basic_promise {
  static_assert(sync_policy<S>);
  using state_t = detail::future_state<T, S>;

 public:
  /// name: what the model checker's traces call its future (nothing on hardware).
  basic_promise() : basic_promise(nullptr) {}  // not explicit: an aggregate may hold one
  explicit basic_promise(const char* name) : st_(std::make_shared<state_t>(name)) {}
  basic_promise(basic_promise&& o) noexcept = default;
  basic_promise& operator=(basic_promise&& o) noexcept {
    if (this != &o) {
      release();
      st_ = std::move(o.st_);
      retrieved_ = o.retrieved_;
    }
    return *this;
  }
  ~basic_promise() { release(); }

  basic_future<T, S> get_future() {
    if (!st_) throw_usage_error("weave::promise", "use of a promise with no state");
    if (retrieved_) throw_usage_error("weave::promise", "get_future called twice");
    retrieved_ = true;
    return basic_future<T, S>(st_);
  }

  template <class... A>
  bool set_value(A&&... a) {
    [[maybe_unused]] const auto call = state().obj_.enter("set_value");
    (call.arg(a), ...);
    return state().set_value(std::forward<A>(a)...);
  }
  bool set_exception(std::exception_ptr e, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = state().obj_.enter("set_exception", loc);
    return state().set_exception(std::move(e));
  }
  bool set_running_or_notify_cancel(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = state().obj_.enter("set_running_or_notify_cancel", loc);
    return state().set_running_or_notify_cancel();
  }

 private:
  state_t& state() {
    if (!st_) throw_usage_error("weave::promise", "use of a promise with no state");
    return *st_;
  }
  void release() {
    if (st_) {
      [[maybe_unused]] const auto call = st_->obj_.enter("abandon");
      st_->abandon();
    }
    st_.reset();
  }
  std::shared_ptr<state_t> st_;
  bool retrieved_ = false;
};

namespace detail {
template <class R>
using future_policy_t = typename std::ranges::range_value_t<R>::policy;

/// The results of fs in order (a pool's map): on the first failure, the
/// futures not yet run are cancelled and the failure is rethrown.
template <class T, class S>
std::vector<T> get_in_order(std::vector<basic_future<T, S>>& fs) {
  std::vector<T> out;
  out.reserve(fs.size());
  try {
    for (auto& f : fs) out.push_back(f.get());
  } catch (...) {
    for (auto& f : fs) (void)f.cancel();
    throw;
  }
  return out;
}

template <class R>
std::size_t size_of(R& fs) {
  std::size_t n = 0;
  for (auto& f : fs) (void)f, ++n;
  return n;
}

// Waits until count futures of fs are done (1 = any, all = every one; at
// most all: an empty fs is ready at once) or the deadline: one event on this
// stack, watched by every pending future (F5).
template <class R>
bool wait_some(R& fs, std::size_t count, typename future_policy_t<R>::clock::time_point deadline) {
  using S = future_policy_t<R>;
  const std::size_t n = size_of(fs);
  if (count > n) count = n;
  for (;;) {
    basic_event<S> ev;
    std::size_t done = 0;
    std::vector<future_core<S>*> watched;
    for (auto& f : fs) {
      future_core<S>& c = f.core();
      if (c.watch(&ev)) {
        watched.push_back(&c);
      } else {
        ++done;
      }
    }
    const bool enough = done >= count;
    const bool woke = enough || ev.wait_until(deadline);
    for (future_core<S>* c : watched) c->unwatch(&ev);  // F5: before ev goes
    if (enough) return true;
    if (!woke) return false;
  }
}
}  // namespace detail

/// Waits until every future in fs is done (Python's wait(ALL_COMPLETED)).
template <std::ranges::range R>
void wait_all(R& fs) {
  for (auto& f : fs) f.wait();
}
template <std::ranges::range R, class Rep, class Period>
future_status wait_all_for(R& fs, const std::chrono::duration<Rep, Period>& d) {
  using S = detail::future_policy_t<R>;
  return detail::wait_some(fs, detail::size_of(fs), deadline_after<S>(d)) ? future_status::ready
                                                                          : future_status::timeout;
}
template <std::ranges::range R, class Clock, class Duration>
future_status wait_all_until(R& fs, const std::chrono::time_point<Clock, Duration>& t) {
  using S = detail::future_policy_t<R>;
  return detail::wait_some(fs, detail::size_of(fs), to_deadline<S>(t)) ? future_status::ready
                                                                       : future_status::timeout;
}
/// Waits until at least one future in fs is done (Python's
/// wait(FIRST_COMPLETED)); an empty fs is ready at once.
template <std::ranges::range R>
void wait_any(R& fs) {
  (void)detail::wait_some(fs, 1, detail::future_policy_t<R>::forever);
}
template <std::ranges::range R, class Rep, class Period>
future_status wait_any_for(R& fs, const std::chrono::duration<Rep, Period>& d) {
  using S = detail::future_policy_t<R>;
  return detail::wait_some(fs, 1, deadline_after<S>(d)) ? future_status::ready : future_status::timeout;
}
template <std::ranges::range R, class Clock, class Duration>
future_status wait_any_until(R& fs, const std::chrono::time_point<Clock, Duration>& t) {
  using S = detail::future_policy_t<R>;
  return detail::wait_some(fs, 1, to_deadline<S>(t)) ? future_status::ready : future_status::timeout;
}

/// The indices of futures in the order they finish (Python's as_completed).
/// Each future gets a done-callback that puts its index in a queue the
/// callbacks share with this object (so it may go before they run).
template <class S = real_sync>
class basic_as_completed {
  using queue_t = basic_fifo_queue<std::size_t, S>;

 public:
  template <std::ranges::range R>
  explicit basic_as_completed(R& fs, const char* name = nullptr)
      : q_(std::make_shared<queue_t>()), obj_{this, "as_completed", name} {
    for (auto& f : fs) {
      f.add_done_callback([q = q_, i = left_]() { (void)q->put(i); });
      ++left_;
    }
  }
  /// The next index to finish; nullopt once every one was returned.
  std::optional<std::size_t> next(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("next", loc);
    if (left_ == 0) return std::nullopt;
    --left_;
    call.note("no future has finished yet");
    return q_->get(loc);
  }
  /// The same, or nullopt on timeout (remaining() tells the two apart).
  template <class Rep, class Period>
  std::optional<std::size_t> next_for(const std::chrono::duration<Rep, Period>& d,
                                      source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("next_for", loc);
    call.note("no future has finished yet");
    std::size_t i = 0;
    if (left_ == 0 || q_->get_for(i, d, loc) != queue_status::ok) return std::nullopt;
    --left_;
    return i;
  }
  std::size_t remaining() const noexcept { return left_; }

 private:
  std::shared_ptr<queue_t> q_;
  std::size_t left_ = 0;
  [[no_unique_address]] typename S::object obj_;
};

template <class T>
using future = basic_future<T>;
template <class T>
using promise = basic_promise<T>;
using as_completed = basic_as_completed<>;
namespace model {
template <class T>
using future = basic_future<T, model_sync>;
template <class T>
using promise = basic_promise<T, model_sync>;
using as_completed = basic_as_completed<model_sync>;
}  // namespace model

}  // namespace weave
