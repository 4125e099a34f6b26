// weave/sync.hpp — THE SEAM.
//
// Every weave primitive is a template on a synchronization policy S and touches
// shared state only through S. This header defines what a policy must provide
// (the concept weave::sync_policy) and the hardware policy weave::real_sync.
// The model policy, weave::model_sync, lives with the model checker
// (models/checker/include/weave/model.hpp) and implements the same names, each
// operation a scheduling point of the checker.
//
// This is the only header under primitives/ that may name std::atomic,
// std::thread, std::mutex, a futex or a clock; a test (seam_test) enforces it.
//
// What a policy S provides (names follow the standard library):
//
//   S::atomic<T>        mirrors std::atomic<T>: load, store, exchange,
//                       compare_exchange_weak/strong, fetch_add/sub/and/or/xor.
//                       Every call takes an explicit std::memory_order; there are
//                       no defaults, so every order is a decision in the code.
//   S::cell<T>          plain (non-atomic) shared data. read() is a read access,
//                       write() a write access (it returns T&, so a read-modify-
//                       write is one write access). On hardware a plain T; in the
//                       model each access is checked against happens-before.
//   S::wait(w, expected, deadline, scope)
//                       futex wait on a 32-bit atomic word: sleeps while
//                       w == expected, until woken or the deadline passes.
//                       Returns woken, timed_out or value_mismatch; may return
//                       woken spuriously, so callers re-check their condition.
//   S::wait_unless_dead(w, expected, deadline, holder, scope)
//                       S::wait that also returns timed_out once thread holder
//                       (an S::self() id) is dead, for a primitive whose holder
//                       may die holding it (weave::robust_mutex). On hardware:
//                       futex waits in liveness slices of 100 ms, asking /proc at
//                       each slice end (so a death is seen within a slice). In the
//                       model: a blocked wait the checker may end with timed_out
//                       at its deadline or once the holder thread has finished.
//   S::alive(id)        false once thread id is dead: on hardware /proc says the
//                       task is gone or a zombie; in the model the thread has
//                       finished (a model thread that returns while holding a
//                       robust mutex is a thread that died holding it). A
//                       system call there, it is a full barrier here: seeing a
//                       death orders what the dead thread did before it.
//   S::wake_one(w, scope), S::wake_all(w, scope)
//                       wake one / every thread waiting on w.
//   S::waker k(w, scope); k.wake_one()
//                       a wake-up owed to w, kept to make later: k keeps what a
//                       wake needs (on hardware w's address, in the model w's
//                       identity), so k.wake_one() may run after w's lifetime
//                       ended (its owner saw the final store and left). On
//                       hardware FUTEX_WAKE only names the address: at worst it
//                       wakes, spuriously, a later futex at that address, and
//                       every waiter re-checks. In the model a wake of an ended
//                       word wakes nobody, while S::wake_one(w) on an ended w
//                       stays a usage_error. A default-made waker wakes nobody.
//                       For a waker that must drop a lock before it wakes
//                       (weave::condition's notify; the Linux kernel's
//                       wake_q and Rust parking_lot's UnparkHandle do the same).
//   S::spin()           a CPU pause; in the model, "I make no progress until
//                       another thread writes a new value to something I read"
//                       (a failed compare_exchange, or an exchange that wrote
//                       back what it read, made no progress either); a spin
//                       after a read of S::clock::now() lets time pass too.
//   S::spin_budget      how many times a primitive may spin before it parks
//                       (16 on hardware; 2 in the model, enough to explore
//                       "released while I spun" without long traces).
//   S::handoff_spin_budget  the same for a primitive whose partner usually
//                       answers within microseconds (a queue's consumer waiting
//                       for the next item): 1024 on hardware, where parking
//                       costs a futex wake per item; 1 in the model (a spin
//                       there waits for a write anyway, so one explores both
//                       "it came while I spun" and "I gave up and parked").
//                       spin_for_handoff<S>(ready, deadline), below, is that
//                       spin, written once.
//   S::wake_batch       how many wake-ups a notifier may keep, to make after
//                       it releases a lock, before it must make them (at
//                       once, under the lock; weave::condition's notify, C4):
//                       8 on hardware; 1 in the model, so that a notify_all
//                       of two parked waiters already takes that path.
//   S::handoff_spins(), S::handoff_spun(spins, answered)
//                       the budget of the next hand-off spin (at most
//                       handoff_spin_budget), and what a spin bought: on
//                       hardware a per-thread tuner (handoff_tuner, below)
//                       shrinks the budget while spins go unanswered (the
//                       partner is waiting for a CPU: threads outnumber
//                       cores) and restores it when they are answered again;
//                       in the model the budget is fixed.
//   S::fence(order)     std::atomic_thread_fence.
//   S::clock            the steady clock deadlines are measured on
//                       (S::clock::time_point, S::clock::now()); S::forever is a
//                       deadline that never passes. to_deadline<S>(t) and
//                       deadline_after<S>(d), below, turn a time point on any
//                       clock or a timeout into such a deadline, saturating at
//                       S::forever and at "passed" instead of overflowing.
//   S::self()           a nonzero id of the calling thread (S::thread_id),
//                       unique among live threads, for ownership checks.
//   S::thread           spawn/join, mirrors std::thread (for tests, executors);
//                       real_sync's also has hardware_concurrency() (optional:
//                       weave::thread_pool's default size, 2 without it).
//   S::check(cond, msg) an invariant: a bug report in the model, an abort with
//                       the message on hardware.
//   S::object           how a primitive shows itself to the checker: its
//                       address, its kind ("mutex", "queue") and the name the
//                       user gave it (nullptr: a short default name). A primitive holds one
//                       as its last member ([[no_unique_address]]: on hardware
//                       it is empty and costs no byte). obj.enter("lock", loc)
//                       opens one public operation (a call) until the returned
//                       guard dies: call.arg(v) shows an argument, call.note(t)
//                       says why it is about to block ("queue empty"),
//                       call.reads_decide() that it may decide at a seq_cst
//                       read (see Python's order below), and
//                       call.returns(v) what it returned. In the model, a call is one step of the user's
//                       program when primitives are opaque (the default outside
//                       weave's own checks); on hardware all of it is nothing.
//                       A primitive whose operations are not linearizable says
//                       so with weave::calls::stepwise as a fourth argument: its
//                       calls are then never one step (see weave::calls).
//   S::user_code        a guard a primitive holds around code of its user that
//                       it runs inside a call (a callback, a predicate, a task):
//                       that code is the user's again, step by step.
//   S::mutex_create/destroy/pre_lock/post_lock/pre_unlock/post_unlock(p, flags)
//                       lock annotations, mirroring ThreadSanitizer's
//                       __tsan_mutex_* interface: TSan sees weave locks as locks
//                       (lock-order reports), and the model checker learns who
//                       holds what (the wait-for cycle in a deadlock report).
//                       They compile to nothing outside TSan builds.
#pragma once

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <limits>
#include <thread>
#include <type_traits>
#include <utility>

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "weave/detail/process.hpp"
#include "weave/error.hpp"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WEAVE_TSAN 1
#endif
#endif
#if !defined(WEAVE_TSAN) && defined(__SANITIZE_THREAD__)
#define WEAVE_TSAN 1
#endif
#if defined(WEAVE_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

namespace weave {

/// Which futex flavour a wait or wake uses. process_shared works for words in
/// memory shared between processes (and for private memory, a little slower).
enum class scope : std::uint8_t { process_private, process_shared };

/// What S::wait returned. woken includes spurious wake-ups.
enum class wait_result : std::uint8_t { woken, timed_out, value_mismatch };

/// Flags of the lock annotations (values mirror ThreadSanitizer's).
namespace lock_flag {
inline constexpr unsigned none = 0;
inline constexpr unsigned write_reentrant = 1u << 1;  // __tsan_mutex_write_reentrant
inline constexpr unsigned try_lock = 1u << 4;         // __tsan_mutex_try_lock
inline constexpr unsigned try_lock_failed = 1u << 5;  // __tsan_mutex_try_lock_failed
inline constexpr unsigned recursive_lock = 1u << 6;   // __tsan_mutex_recursive_lock
inline constexpr unsigned recursive_unlock = 1u << 7; // __tsan_mutex_recursive_unlock
#if defined(WEAVE_TSAN)
static_assert(write_reentrant == __tsan_mutex_write_reentrant && try_lock == __tsan_mutex_try_lock &&
                  try_lock_failed == __tsan_mutex_try_lock_failed &&
                  recursive_lock == __tsan_mutex_recursive_lock &&
                  recursive_unlock == __tsan_mutex_recursive_unlock,
              "weave::lock_flag must equal ThreadSanitizer's __tsan_mutex_* flags");
#endif
}  // namespace lock_flag

/// True in builds instrumented by ThreadSanitizer.
#if defined(WEAVE_TSAN)
inline constexpr bool tsan_build = true;
#else
inline constexpr bool tsan_build = false;
#endif

struct model_sync;  // the model side of the seam; defined by weave/model.hpp

/// Mirrors std::source_location (file, line, function of a call site), built on
/// the __builtin_FILE/LINE/FUNCTION that g++ 12 and clang 14 both have; clang 14
/// cannot compile libstdc++'s <source_location>.
class source_location {
 public:
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           unsigned line = __builtin_LINE(),
                                           const char* function = __builtin_FUNCTION()) noexcept {
    source_location l;
    l.file_ = file;
    l.line_ = line;
    l.function_ = function;
    return l;
  }
  constexpr source_location() noexcept = default;
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr unsigned line() const noexcept { return line_; }
  constexpr const char* function_name() const noexcept { return function_; }

 private:
  const char* file_ = "";
  unsigned line_ = 0;
  const char* function_ = "";
};

/// The concept every policy satisfies (see the table at the top of this file).
template <class S>
concept sync_policy = requires(typename S::template atomic<std::uint32_t>& word,
                               std::uint32_t value, std::uint32_t& expected,
                               typename S::clock::time_point deadline,
                               std::memory_order order, bool cond, const char* msg,
                               const void* lock, unsigned flags, typename S::thread_id id,
                               const typename S::waker& waker) {
  typename S::template atomic<std::uint32_t>;
  typename S::template cell<int>;
  typename S::thread;
  typename S::thread_id;
  { S::clock::now() } -> std::same_as<typename S::clock::time_point>;
  { S::forever } -> std::convertible_to<typename S::clock::time_point>;
  { word.load(order) } -> std::same_as<std::uint32_t>;
  word.store(value, order);
  { word.exchange(value, order) } -> std::same_as<std::uint32_t>;
  { word.compare_exchange_strong(expected, value, order, order) } -> std::same_as<bool>;
  { word.compare_exchange_weak(expected, value, order, order) } -> std::same_as<bool>;
  { word.fetch_add(value, order) } -> std::same_as<std::uint32_t>;
  { word.fetch_sub(value, order) } -> std::same_as<std::uint32_t>;
  { word.fetch_and(value, order) } -> std::same_as<std::uint32_t>;
  { word.fetch_or(value, order) } -> std::same_as<std::uint32_t>;
  { word.fetch_xor(value, order) } -> std::same_as<std::uint32_t>;
  { S::wait(word, value, deadline, scope::process_private) } -> std::same_as<wait_result>;
  { S::wait_unless_dead(word, value, deadline, id, scope::process_private) } -> std::same_as<wait_result>;
  { S::alive(id) } -> std::same_as<bool>;
  S::wake_one(word, scope::process_private);
  S::wake_all(word, scope::process_private);
  typename S::waker;
  requires std::is_nothrow_default_constructible_v<typename S::waker>;
  requires std::is_nothrow_copy_assignable_v<typename S::waker>;
  requires std::is_nothrow_constructible_v<typename S::waker, typename S::template atomic<std::uint32_t>&, scope>;
  waker.wake_one();
  S::spin();
  { S::spin_budget } -> std::convertible_to<int>;
  { S::handoff_spin_budget } -> std::convertible_to<int>;
  { S::handoff_spins() } -> std::convertible_to<int>;
  { S::wake_batch } -> std::convertible_to<int>;
  S::handoff_spun(1, true);
  S::fence(order);
  { S::self() } -> std::same_as<typename S::thread_id>;
  S::check(cond, msg);
  S::mutex_create(lock, flags);
  S::mutex_destroy(lock, flags);
  S::mutex_pre_lock(lock, flags);
  S::mutex_post_lock(lock, flags);
  S::mutex_pre_unlock(lock, flags);
  S::mutex_post_unlock(lock, flags);
  typename S::object;
  typename S::user_code;
};

/// Python's order across primitives. In Python every call of every
/// primitive happens in one order that keeps each thread's program order (one
/// interpreter lock). weave's mutex, robust_mutex, semaphores, event, timer
/// and pipe keep it too: each call takes effect at a seq_cst read-modify-write
/// (its linearization point; a pipe's send and recv at a seq_cst store,
/// pipe.hpp's P8), and every read that decides what a call returns (a failed
/// try_lock, is_set(), a try_acquire finding no permit, a recv finding no
/// message) is seq_cst, so C++'s single total order of seq_cst operations
/// (RC11's SC order) holds the calls of all of them in one order. What is built on them and decides under their
/// locks keeps it as well: recursive_mutex, condition (with its lock held, as
/// Python requires), the monitor queues, barrier, future, thread_pool. On
/// x86 this costs nothing but a locked store where a future completes (the
/// RMWs are locked instructions either way, a seq_cst load is a plain load);
/// on ARMv8 the loads are LDAR. Without it a thread that fails a try_lock
/// could not conclude that the holder's later calls come after its own
/// earlier ones, and opaque model checks, which run calls as steps in one
/// order, would miss what weak hardware does (opaque_test::
/// calls_keep_pythons_order_across_primitives). The order covers calls, not
/// the user's atomics that do not synchronize: a thread that saw, relaxed, a
/// flag raised after an unlock() may still fail try_lock() (RC11 allows it;
/// ARMv8 reorders the two loads). A call that may decide at a seq_cst read
/// (what it returns, or, as event::set()'s "already set", what it does), with
/// no read-modify-write after it that would see the latest store, says so
/// with call.reads_decide(), so that opaque checks let those reads see every
/// store RC11 allows, as the hardware may (opaque_test::
/// relaxed_flag_does_not_order_a_later_call). Not kept: the lock-free rings
/// (calls::stepwise below), and process_pool, which synchronizes by
/// acquire/release (and runs on hardware only).
///
/// Whether a primitive's public operations are linearizable (each takes
/// effect at one instant between its call and its return), which is what
/// lets the model checker run a call as one step (opaque primitives). A
/// stepwise one is not: in a lock-free ring a try_push may find it full and a
/// try_pop of the same thread then find it empty, while another thread's push
/// is half done. Its calls show their inner steps in every check, and the
/// linearizable primitives it is built of are the steps.
enum class calls : bool { linearizable, stepwise };

namespace detail {
/// What a thread's hand-off spins have bought lately (real_sync's
/// handoff_spins/handoff_spun). A spin before a park pays when the partner is
/// running and answers within microseconds; when threads outnumber cores the
/// partner is waiting for this core, and every pause delays the answer it
/// spins for (bench_event's ping-pong went from 0.006x to 10x std's round trip
/// with two busy loops on two cores). The rule, after glibc's adaptive mutex
/// and Go's sync.Mutex, which also bound spinning by what it recently bought:
///   T1  an answered spin doubles the budget (at least to twice what the
///       answer took; up to max): an idle machine keeps spinning in full;
///   T2  an unanswered spin halves the budget, down to min (a park comes
///       sooner, as std's does). So the budget stays high while spins are
///       answered about as often as not, and falls when most go unanswered;
///   T3  at min, every 2^shift-th unanswered spin is a probe with the full
///       budget; an answered probe restores the budget (T1) and shift = 0,
///       an unanswered one doubles the interval (shift + 1, up to 8): a
///       machine that went idle again is noticed at a cost of at most one
///       full spin per 256 hand-offs while it stays busy.
struct handoff_tuner {
  static constexpr int min = 16;
  int max;
  int budget;
  int misses = 0;  // unanswered spins at min since the last probe (T3)
  int shift = 0;
  bool probing = false;

  constexpr explicit handoff_tuner(int full) noexcept : max(full), budget(full) {}
  int next() noexcept {
    probing = budget == min && misses >= (1 << shift);  // T3
    return probing ? max : budget;
  }
  void spun(int spins, bool answered) noexcept {
    if (answered) {
      const int wanted = (spins > budget ? spins : budget) * 2;
      budget = wanted < max ? wanted : max;  // T1
      if (probing) shift = 0, misses = 0;
    } else if (probing) {
      shift = shift < 8 ? shift + 1 : 8;  // T3
      misses = 0;
    } else if (budget > min) {
      budget = budget / 2 > min ? budget / 2 : min;  // T2
    } else {
      ++misses;
    }
    probing = false;
  }
};
}  // namespace detail

// ---------------------------------------------------------------------------
// real_sync: the hardware side of the seam.
// ---------------------------------------------------------------------------
struct real_sync {
  /// Mirrors std::atomic<T>; every operation takes an explicit memory order.
  template <class T>
  class atomic {
   public:
    static_assert(std::atomic<T>::is_always_lock_free,
                  "weave::real_sync::atomic<T> requires a lock-free T (usable in shared memory)");
    constexpr atomic() noexcept : v_() {}
    constexpr explicit atomic(T v) noexcept : v_(v) {}
    atomic(const atomic&) = delete;
    atomic& operator=(const atomic&) = delete;

    T load(std::memory_order o) const noexcept { return v_.load(o); }
    void store(T v, std::memory_order o) noexcept { v_.store(v, o); }
    T exchange(T v, std::memory_order o) noexcept { return v_.exchange(v, o); }
    bool compare_exchange_strong(T& e, T d, std::memory_order s, std::memory_order f) noexcept {
      return v_.compare_exchange_strong(e, d, s, f);
    }
    bool compare_exchange_weak(T& e, T d, std::memory_order s, std::memory_order f) noexcept {
      return v_.compare_exchange_weak(e, d, s, f);
    }
    T fetch_add(T v, std::memory_order o) noexcept requires std::is_integral_v<T> { return v_.fetch_add(v, o); }
    T fetch_sub(T v, std::memory_order o) noexcept requires std::is_integral_v<T> { return v_.fetch_sub(v, o); }
    T fetch_and(T v, std::memory_order o) noexcept requires std::is_integral_v<T> { return v_.fetch_and(v, o); }
    T fetch_or(T v, std::memory_order o) noexcept requires std::is_integral_v<T> { return v_.fetch_or(v, o); }
    T fetch_xor(T v, std::memory_order o) noexcept requires std::is_integral_v<T> { return v_.fetch_xor(v, o); }

    /// The address the kernel's futex sees (32-bit words only).
    std::uint32_t* futex_word() noexcept {
      static_assert(sizeof(T) == 4 && sizeof(std::atomic<T>) == 4);
      return reinterpret_cast<std::uint32_t*>(&v_);
    }

   private:
    std::atomic<T> v_;
  };

  /// Plain shared data. On hardware a T; read()/write() mark the accesses that the
  /// model checker checks against happens-before.
  template <class T>
  class cell {
   public:
    template <class... A>
    constexpr explicit cell(A&&... a) : v_(std::forward<A>(a)...) {}
    const T& read() const noexcept { return v_; }
    T& write() noexcept { return v_; }

   private:
    T v_;
  };

  using clock = std::chrono::steady_clock;
  static constexpr clock::time_point forever = clock::time_point::max();

  /// futex(FUTEX_WAIT_BITSET) with an absolute CLOCK_MONOTONIC deadline (the
  /// clock std::chrono::steady_clock reads on Linux).
  static wait_result wait(atomic<std::uint32_t>& word, std::uint32_t expected,
                          clock::time_point deadline = forever,
                          scope sc = scope::process_private) noexcept {
    int op = FUTEX_WAIT_BITSET | (sc == scope::process_private ? FUTEX_PRIVATE_FLAG : 0);
    timespec ts{};
    timespec* tsp = nullptr;
    if (deadline != forever) {
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count();
      if (ns < 0) ns = 0;
      ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
      ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
      tsp = &ts;
    }
    long r = syscall(SYS_futex, word.futex_word(), op, expected, tsp, nullptr, FUTEX_BITSET_MATCH_ANY);
    if (r == 0) return wait_result::woken;
    switch (errno) {
      case EAGAIN: return wait_result::value_mismatch;
      case ETIMEDOUT: return wait_result::timed_out;
      default: return wait_result::woken;  // EINTR: a spurious wake-up
    }
  }
  /// How often a waiter on a holder that may die asks whether it still lives.
  static constexpr std::chrono::milliseconds liveness_slice{100};

  /// S::wait in liveness slices: sleeps while word == expected, waking at each
  /// slice end to ask /proc whether holder lives; returns timed_out at a slice
  /// end that finds it dead, or at the deadline.
  static wait_result wait_unless_dead(atomic<std::uint32_t>& word, std::uint32_t expected,
                                      clock::time_point deadline, std::uint32_t holder,
                                      scope sc = scope::process_private) noexcept {
    for (;;) {
      const auto slice = clock::now() + liveness_slice;
      const bool sliced = slice < deadline;
      const wait_result r = wait(word, expected, sliced ? slice : deadline, sc);
      if (r != wait_result::timed_out || !sliced || !alive(holder)) return r;
      // The holder lives: sleep another slice (the futex re-compares the word).
    }
  }
  /// False once kernel task id is gone or a zombie (weave/detail/process.hpp).
  static bool alive(std::uint32_t id) noexcept { return detail::alive(detail::process_identity{id, 0}); }

  static void wake_one(atomic<std::uint32_t>& word, scope sc = scope::process_private) noexcept {
    wake(word.futex_word(), 1, sc);
  }
  static void wake_all(atomic<std::uint32_t>& word, scope sc = scope::process_private) noexcept {
    wake(word.futex_word(), 0x7fffffff, sc);
  }
  /// A wake-up owed to a word, made later, perhaps after the word's lifetime
  /// ended: only its address is kept, and FUTEX_WAKE only names it (see the
  /// seam's list above).
  class waker {
   public:
    waker() noexcept = default;
    explicit waker(atomic<std::uint32_t>& word, scope sc = scope::process_private) noexcept
        : addr_(word.futex_word()), sc_(sc) {}
    void wake_one() const noexcept {
      if (addr_ != nullptr) wake(addr_, 1, sc_);
    }

   private:
    std::uint32_t* addr_ = nullptr;
    scope sc_ = scope::process_private;
  };

  // 16: bench_mutex measured 64 spins costing ~30% of 2-thread contended
  // throughput against 16 on these 2-core machines, with no gain elsewhere.
  static constexpr int spin_budget = 16;
  // 1024 pauses (a few microseconds): bench_queue's ring_queue made one futex
  // wake per item when its consumer parked after 16.
  static constexpr int handoff_spin_budget = 1024;
  // 8: a notify_all of up to 8 parked waiters makes every wake after its lock.
  static constexpr int wake_batch = 8;
  /// The next hand-off spin's budget and its outcome: detail::handoff_tuner,
  /// one per thread (T1..T3).
  static int handoff_spins() noexcept { return tuner().next(); }
  static void handoff_spun(int spins, bool answered) noexcept { tuner().spun(spins, answered); }
  static void spin() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }
  static void fence(std::memory_order o) noexcept { std::atomic_thread_fence(o); }

 private:
  static detail::handoff_tuner& tuner() noexcept {
    thread_local detail::handoff_tuner t(handoff_spin_budget);
    return t;
  }

 public:
  /// The kernel thread id (gettid): nonzero, unique among live threads of all
  /// processes, so it also identifies an owner in process-shared memory.
  using thread_id = std::uint32_t;
  static thread_id self() noexcept {
    thread_id& cached = cached_tid();
    if (cached == 0) {
      register_fork_handler();
      cached = static_cast<thread_id>(syscall(SYS_gettid));
    }
    return cached;
  }

  /// Mirrors std::thread (a joinable thread that must be joined).
  class thread {
   public:
    template <class F>
    explicit thread(F&& f) : t_(std::forward<F>(f)) {}
    void join() { t_.join(); }
    bool joinable() const noexcept { return t_.joinable(); }
    /// Mirrors std::thread::hardware_concurrency (0 if unknown); optional in
    /// a policy (weave::thread_pool's default size asks for it).
    static unsigned hardware_concurrency() noexcept { return std::thread::hardware_concurrency(); }

   private:
    std::thread t_;
  };

  static void check(bool cond, const char* msg,
                    source_location loc = source_location::current()) noexcept {
    if (!cond) [[unlikely]] {
      std::fprintf(stderr, "weave: invariant violated: %s (%s:%u)\n", msg, loc.file_name(),
                   static_cast<unsigned>(loc.line()));
      std::abort();
    }
  }

  /// A primitive as the model checker sees it (see the table above): nothing on
  /// hardware. Names and call sites cost no byte and no instruction here.
  class object {
   public:
    class call {
     public:
      template <class T>
      constexpr void arg(const T&) const noexcept {}
      constexpr void note(const char*) const noexcept {}
      constexpr void reads_decide() const noexcept {}
      template <class T>
      constexpr void returns(const T&) const noexcept {}
    };
    constexpr object(const void* /*self*/, const char* /*kind*/, const char* /*name*/,
                     calls /*how*/ = calls::linearizable) noexcept {}
    [[nodiscard]] constexpr call enter(const char* /*operation*/, source_location = source_location::current()) const noexcept {
      return {};
    }
  };
  struct user_code {
    constexpr user_code() noexcept {}
  };

#if defined(WEAVE_TSAN)
  static void mutex_create(const void* m, unsigned f) noexcept { __tsan_mutex_create(const_cast<void*>(m), f); }
  static void mutex_destroy(const void* m, unsigned f) noexcept { __tsan_mutex_destroy(const_cast<void*>(m), f); }
  static void mutex_pre_lock(const void* m, unsigned f) noexcept { __tsan_mutex_pre_lock(const_cast<void*>(m), f); }
  static void mutex_post_lock(const void* m, unsigned f) noexcept { __tsan_mutex_post_lock(const_cast<void*>(m), f, 0); }
  static void mutex_pre_unlock(const void* m, unsigned f) noexcept { __tsan_mutex_pre_unlock(const_cast<void*>(m), f); }
  static void mutex_post_unlock(const void* m, unsigned f) noexcept { __tsan_mutex_post_unlock(const_cast<void*>(m), f); }
#else
  static void mutex_create(const void*, unsigned) noexcept {}
  static void mutex_destroy(const void*, unsigned) noexcept {}
  static void mutex_pre_lock(const void*, unsigned) noexcept {}
  static void mutex_post_lock(const void*, unsigned) noexcept {}
  static void mutex_pre_unlock(const void*, unsigned) noexcept {}
  static void mutex_post_unlock(const void*, unsigned) noexcept {}
#endif

 private:
  // FUTEX_WAKE names only the address (waker relies on it).
  static void wake(std::uint32_t* addr, int n, scope sc) noexcept {
    int op = FUTEX_WAKE | (sc == scope::process_private ? FUTEX_PRIVATE_FLAG : 0);
    syscall(SYS_futex, addr, op, n, nullptr, nullptr, 0);
  }
  static thread_id& cached_tid() noexcept {
    static thread_local thread_id tid = 0;
    return tid;
  }
  // After fork() the child's only thread has a new id: forget the cached one.
  static void register_fork_handler() noexcept {
    static const int once = pthread_atfork(nullptr, nullptr, [] { cached_tid() = 0; });
    (void)once;
  }
};

static_assert(sync_policy<real_sync>);
static_assert(sizeof(real_sync::atomic<std::uint32_t>) == 4);

namespace detail {

// Deadline arithmetic is done in long double ticks of the target clock: its
// range (±1e4932) holds any duration of any clock, and its 64-bit mantissa
// holds every 64-bit tick count exactly, so a value that fits converts back
// without rounding.
static_assert(std::numeric_limits<long double>::digits >= 64,
              "weave's deadline arithmetic needs a long double that holds 64-bit integers exactly");

/// d in ticks of To, rounded up (a deadline is never brought forward) and
/// saturating at To::min() / To::max() instead of overflowing; a NaN counts as
/// To::min(), a deadline that has passed.
template <class To, class Rep, class Period>
constexpr To saturating_ceil(const std::chrono::duration<Rep, Period>& d) noexcept {
  static_assert(std::is_integral_v<typename To::rep>);
  using wide = std::chrono::duration<long double, typename To::period>;
  const wide w = std::chrono::duration_cast<wide>(d);  // floating: cannot overflow
  if (!(w > wide(To::min()))) return To::min();
  if (w >= wide(To::max())) return To::max();
  return To(static_cast<typename To::rep>(std::ceil(w.count())));
}

/// now + d on S::clock, without overflow: at or beyond S::forever it is
/// S::forever (never passes), below the clock's range it is
/// S::clock::time_point::min() (long passed: a waiter makes one try).
template <class S, class Rep, class Period>
typename S::clock::time_point saturating_after(typename S::clock::time_point now,
                                               const std::chrono::duration<Rep, Period>& d) noexcept {
  using tp = typename S::clock::time_point;
  using dur = typename S::clock::duration;
  using wide = std::chrono::duration<long double, typename dur::period>;
  const wide target = std::chrono::duration_cast<wide>(now.time_since_epoch()) + std::chrono::duration_cast<wide>(d);
  const tp t(saturating_ceil<dur>(target));
  return t < S::forever ? t : S::forever;
}

}  // namespace detail

/// Converts a deadline on any clock and of any duration to a deadline on
/// S::clock (TimedLockable accepts any clock, as std::timed_mutex does),
/// saturating instead of overflowing: a deadline no S::clock time point can
/// reach (time_point<steady_clock, hours>::max()) is S::forever, one below its
/// range (any clock's min()) has passed, and a waiter makes one try. A
/// deadline on another clock is measured from that clock's now() and the
/// difference added to S::clock::now(), both in long double ticks, so
/// system_clock's max() or min() cannot overflow on the way either.
template <class S, class Clock, class Duration>
typename S::clock::time_point to_deadline(const std::chrono::time_point<Clock, Duration>& t) {
  using tp = typename S::clock::time_point;
  using dur = typename S::clock::duration;
  if constexpr (std::is_same_v<Clock, typename S::clock>) {
    const tp d(detail::saturating_ceil<dur>(t.time_since_epoch()));
    return d < S::forever ? d : S::forever;
  } else {
    using wide = std::chrono::duration<long double, typename dur::period>;
    const wide left = std::chrono::duration_cast<wide>(t.time_since_epoch()) -
                      std::chrono::duration_cast<wide>(Clock::now().time_since_epoch());
    return detail::saturating_after<S>(S::clock::now(), left);
  }
}

/// A relative timeout as a deadline on S::clock, saturating as to_deadline
/// does: hours::max() is S::forever, a zero or negative timeout one try.
template <class S, class Rep, class Period>
typename S::clock::time_point deadline_after(const std::chrono::duration<Rep, Period>& d) {
  return detail::saturating_after<S>(S::clock::now(), d);
}

/// The spin before a park, for a primitive whose partner usually answers
/// within microseconds: S::spin() up to S::handoff_spins() times (at most
/// S::handoff_spin_budget; fewer while spins go unanswered, see
/// detail::handoff_tuner) until ready() is true (returns true), giving up at
/// the deadline (looked at every 64 spins) or when the budget is spent
/// (returns false). ready() must only look or take with the primitive's own
/// fast path, so the spin changes no state that parking relies on.
template <class S, class Ready>
bool spin_for_handoff(Ready ready, typename S::clock::time_point deadline) {
  const bool timed = deadline != S::forever;
  if (timed && S::clock::now() >= deadline) return false;
  const int budget = S::handoff_spins();
  for (int i = 1; i <= budget; ++i) {
    S::spin();
    if (ready()) {
      S::handoff_spun(i, true);
      return true;
    }
    if (timed && i % 64 == 0 && S::clock::now() >= deadline) return false;  // the deadline, not the partner: no lesson
  }
  S::handoff_spun(budget, false);
  return false;
}

}  // namespace weave
