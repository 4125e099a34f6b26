// Differential tests of the search over weave's blocking primitives. The
// oracle (oracle_test) judges atomics only; here random programs lock
// mutexes, take and give semaphore permits, set, clear, ask and wait on an
// event, wait on and notify a condition, put to, get from and close two
// queues of capacity 1 (a fifo_queue, a monitor, and a ring_queue,
// lock-free), some waits timed, some not, and touch atomics and a cell the
// first mutex guards. A second family (generator_more) takes a recursive
// mutex, a robust mutex a thread may die holding, a bounded semaphore (an
// over-release is a usage_error), a promise and its future, a timer, a
// barrier of two and a condition over the recursive mutex. A third family
// (generator_queues) takes a lifo_queue and a priority_queue of capacity 1
// or 2 (put, get, their timed and try_ forms, close draining or at once,
// task_done after a get, which is a usage_error where the get failed, and
// join, timed or not), an spsc_ring (one producer thread, one consumer
// thread) and an mpmc_ring of the same capacity, a counting semaphore given
// one or two permits at a time, and a condition over a mutex waited on with
// a predicate (the cell that mutex guards is not 0) and a timeout and
// notified one, two or all. A fourth family is every program of a small
// grammar (small_timer_grammar: three threads, a fetch_add and a call of a
// timer each), its opaque ways only; a fifth, programs of twenty-four
// small grammars (grammars(): three threads of an optional instruction, one
// call and an optional one each; the life grammar's calls ask whether a
// thread lives, the clock grammar's spin until a deadline, the poll grammars' spin loops
// around a call, the bounded ones' loops a count of rounds, the bounded
// spins' loops on an atomic's load, the pipe grammars' calls are on three
// pipes in a ring, one-way or duplex), spread evenly, their opaque ways only
// but the pipe grammars' (no other test compares opaque pipes with
// transparent ones). Each runs several ways, and every way
// must see the same outcomes (the final values of every execution that
// ends) and the same verdict (a deadlock, a misuse, or none; a program that
// may do both may report either, the first its search meets):
//   - partial-order reduction off (plain DFS, the reference) and on, with
//     weave's primitives opaque and transparent;
//   - weave's primitives opaque (each call one step) and transparent (every
//     atomic inside them a step, every value RC11 allows): DESIGN's claim
//     that opaque is sound. Under rc11 it holds because the primitives keep
//     Python's order across primitives (sync.hpp); this test's first soaks
//     found where they did not (a failed try_lock against an event) and where
//     calls were not linearizable at all (the lock-free rings, now
//     calls::stepwise), and where pipes did not (a cycle through three
//     pipes; a duplex end's close() that was two steps for its peer, under
//     sc too; pipe.hpp's P8 and P5 now);
//   - under sc, and under rc11, whose outcomes must include sc's;
//   - whole, and split in three slices (--shard, --jobs) whose outcomes
//     together are the whole's and one of which fails if the whole does;
//   - bounded to 0 and to 1 preemption (--preemptions, opaque, sc and
//     rc11), and to 0, 1 and 2 (sc, transparent) and to 0 and 1 (rc11,
//     transparent): how the checks of the primitives declared with a bound
//     run (thread_pool's rc11 checks within 0), against plain DFS's executions
//     that took at most that many: as many end (where a search covered a
//     loop's give-up, each of those executions ends or is covered), with
//     the same outcomes (on the engine before engine::switch_preempts,
//     whose spent bound skipped free switches, 424 of this file's fixed
//     programs differed opaque).
//     Plain DFS with transparent primitives under rc11 is the costliest way
//     (every read of the primitives' atomics a choice): it and the ways held
//     to it keep to a lower cap (way::cap), and are compared on fewer programs;
//   - a random and a PCT search (--strategy, kSample executions), opaque
//     under sc and rc11, and one of each transparent: a sample of plain
//     DFS's executions (of reduction's, transparent), whose outcomes are
//     among its reference's and whose failure, if it finds one, is its
//     reference's too;
//   - fast-forwarding (forward.cpp) as set and verified
//     (WEAVE_FAST_FORWARD=verify: fast-forwarding from the first steps on,
//     its state compared with the one worked out): the same search, to the
//     execution.
// The opaque ways go on past failures (options::outcomes): the second
// family's first soak found reduction losing outcomes there (the search now
// expands a failed schedule's nodes fully, engine::search).
// A way whose search a program makes too large (over kCap executions) is
// left out of the comparisons; the other ways are still compared (a
// blocking get and a put on a monitor queue are already too many executions
// transparent, and a few calls on the lock-free rings, which are several
// steps each, for plain DFS under rc11). Each comparison must still be made
// on more than three programs in four (in the small grammars, whose three
// threads of three calls are often over the cap for plain DFS, one in four;
// plain DFS with transparent primitives, one in two; under rc11, at its
// lower cap, two in five).
// A transparent search stops at its first failure (going on past a deadlock
// inside the primitives' internals is millions of executions): where it
// fails, only its verdict is compared. opaque_test's random programs keep to
// calls that never block for good (their shape, a try_acquire and its release,
// finds a lost sleep-set footprint at once; here it takes a soak); these
// block, deadlock, time out and close.
//
// WEAVE_DIFFERENTIAL_SOAK=SEED:COUNT in the environment runs COUNT programs
// of each random family (of each grammar, in the fifth) from SEED instead of
// the fixed ones: a longer hunt for a wrong verdict (make soak);
// WEAVE_DIFFERENTIAL_CAP=N raises every way's cap to N executions (a soak that
// compares more programs with plain DFS, slower); WEAVE_GRAMMAR_CALLS=2 gives
// each thread of a grammar an optional second call after its first (grammars
// of hundreds of thousands of programs, a soak's); WEAVE_GRAMMAR_TRANSPARENT=1
// compares every grammar's programs with transparent primitives too, as the
// pipe grammars' always are, but the poll grammars' (most such searches are
// over the cap: a soak's, to hunt a call that is not one step);
// WEAVE_DIFFERENTIAL_VERBOSE
// prints each program before it runs; WEAVE_GRAMMAR=NAME and
// WEAVE_GRAMMAR_PROGRAM=ID run one grammar's program ID alone (a difference
// names its program so); WEAVE_DIFFERENTIAL_LATE=N sets every
// way's options::late_time_outs (254 unless set: no cut), so that the ways
// are compared on searches the fairness rule cuts (N = 1 cuts the most).
#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "weave/barrier.hpp"
#include "weave/condition.hpp"
#include "engine.hpp"
#include "weave/event.hpp"
#include "weave/future.hpp"
#include "scoped_env.hpp"
#include "weave/model.hpp"
#include "weave/mpmc_ring.hpp"
#include "weave/mutex.hpp"
#include "weave/pipe.hpp"
#include "weave/queue.hpp"
#include "weave/recursive_mutex.hpp"
#include "weave/ring_queue.hpp"
#include "weave/robust_mutex.hpp"
#include "weave/semaphore.hpp"
#include "weave/spsc_ring.hpp"
#include "weave/timer.hpp"

namespace {

using weave::model::memory_model;
using weave::model::primitive_mode;
using weave::model::verdict;

// ---------------------------------------------------------------------------
// The programs.
// ---------------------------------------------------------------------------

enum class kind : std::uint8_t {
  locked,       // lock(obj) { body } unlock(obj)
  try_locked,   // if (try_lock(obj)) { reg = 1; body; unlock } else reg = 0
  acquire,      // semaphore: acquire()
  try_acquire,  // reg = try_acquire() (value 0) or try_acquire_for(1 ms) (value 1)
  release,      // release()
  set,          // event: set()
  clear,        //        clear()
  wait,         //        reg = wait()  (untimed: may deadlock)
  wait_for,     //        reg = wait_for(1 ms)
  is_set,       //        reg = is_set()
  load,         // reg = atomic[obj].load(order)
  store,        // atomic[obj].store(value, order)
  fetch_add,    // reg = atomic[obj].fetch_add(1, order)
  alive,        // reg = S::alive(program thread obj) (the life grammar)
  wait_dead,    //   reg = S::wait_unless_dead(atomic 1, 0, 1 ms, program thread obj)
  cell_read,    // reg = cell (only while mutex 0 is held)
  cell_write,   // cell = value (only while mutex 0 is held)
  cv_wait_for,  // condition (with mutex 0, held): reg = wait_for(1 ms) == no_timeout
  notify,       // condition: notify_one (value 0) or notify_all (value 1)
  put,          // queue (obj 0: the fifo_queue, 1: the ring_queue): reg = put(value) == ok (blocks while full)
  try_put,      //        reg = try_put(value) (the status)
  get,          //        reg = get() or 0xfffe once closed (blocks while empty)
  get_for,      //        reg = get_for(1 ms) (the status), reg = the item if ok
  try_get,      //        reg = try_get (the status), reg = the item if ok
  close,        //        close()
  // The second family (generator_more): the other primitives.
  r_locked,       // recursive_mutex: lock() { body } unlock() (re-entered freely)
  r_try_locked,   //   reg = try_lock() (value 0) or try_lock_for(1 ms) (1); if it got it { body } unlock()
  rb_locked,      // robust_mutex: reg = lock() (value bit 0: try_lock_for(1 ms) instead); if it holds it
                  //   { value bit 1 and owner_dead: consistent(); body } unlock()
  rb_keep,        //   reg = lock(), and the thread ends holding it (its last instruction): it dies holding it
  b_acquire,      // bounded_semaphore (bound = its initial permits): acquire()
  b_try_acquire,  //   reg = try_acquire() (value 0) or try_acquire_for(1 ms) (1)
  b_release,      //   release() (past the bound: usage_error)
  set_value,      // promise: reg = set_value(value)
  set_running,    //   reg = set_running_or_notify_cancel()
  f_get,          // its future: reg = get(), or 0xfffd if cancelled (blocks until set or cancelled)
  f_wait_for,     //   reg = wait_for(1 ms) == ready
  f_done,         //   reg = done() (value 0) or cancel() (value 1)
  t_start,        // timer (1 ms; firing adds 1 to atomic 2): start() (in one thread at most)
  t_cancel,       //   reg = cancel()
  t_status,       //   reg = status() (2: neither yet)
  t_join,         //   join()
  bar_wait,       // barrier of two parties: reg = wait() (value 0) or wait_for(1 ms) (1), 0xfffd once broken
  bar_abort,      //   abort() (value 0), or reg = broken() (1)
  rcv_wait_for,   // condition over the recursive mutex (held, maybe twice): reg = wait_for(1 ms) == no_timeout
  rcv_notify,     //   notify_one (value 0) or notify_all (1)
  // The third family (generator_queues); it also takes locked (mutex 0 only), acquire, try_acquire,
  // release (value: n, 1 or 2), the atomics and the cell. q_*: obj 0 the lifo_queue, 1 the priority_queue.
  q_put,          // reg = put(value) (blocks while full), the status
  q_try_put,      //   reg = try_put(value), the status
  q_put_for,      //   reg = put_for(value, 1 ms), the status
  q_get,          //   reg = get() or 0xfffe once closed (blocks while empty)
  q_try_get,      //   reg = try_get (the status), reg = the item if ok
  q_get_for,      //   reg = get_for(1 ms) (the status), reg = the item if ok
  q_close,        //   close() (value 0: drain) or close(close_mode::immediate) (1)
  q_task_done,    //   task_done() (more than were put: usage_error)
  q_join,         //   join() (value 0), or reg = join_for(1 ms) (1)
  ring_push,      // obj 0 the spsc_ring (its producer thread only), 1 the mpmc_ring: reg = try_push(value)
  ring_pop,       //   (the spsc_ring's consumer thread only) reg = try_pop(), or 0xfffe if empty
  cv_wait_pred,   // condition (with mutex 0, held): reg = wait_for(1 ms, [cell != 0])
  cv_notify_n,    //   notify(value) (1 or 2), or notify_all (3)
  // Spin loops on the clock (the clock rule, engine::clock_spin), in the clock grammar.
  spin_until,     // d = now() + 1 ms; while (atomic[obj] == 0 && now() < d) S::spin();
                  //   reg = 2 * (atomic[obj] != 0) + (now() >= d)
  spin_lock_for,  // a timed spinlock on atomic[obj]: CAS 0 -> 1 until now() >= d (1 ms), S::spin()
                  //   after each failure; reg = it got it (then it stores 0 again)
  // Spin loops around a call (the await rule sees a call as one step: engine::call_end), in the poll grammars.
  // A value N > 0 bounds the loop by a count of its own, `for (n = 0; n < N && !cond; ++n) S::spin();`,
  // past S::spin_budget where N > 2 (the give-up rounds, engine::giving_up), and it leaves a register:
  poll_get,       // queue (obj as put's): while (try_get(v) != ok) S::spin(); reg = v (bounded: or 0xfffe)
  poll_is_set,    // event: while (!is_set()) S::spin() (bounded: reg = is_set())
  poll_lock,      // while (!try_lock(obj)) S::spin(); body; unlock(obj) (bounded: reg = it got it; if so, the rest)
  poll_acquire,   // semaphore: while (!try_acquire()) S::spin() (bounded: reg = it got one)
  poll_load,      // atomic[obj]: while (load() == 0) S::spin() (bounded: reg = the last value loaded)
  // The pipe grammars: three pipes in a ring, thread t holding end 1 of pipe t (toward thread t+1) and
  // end 0 of pipe t-1 (toward t-1, mod 3), so that each end has one thread (a pipe's contract). In a
  // grammar obj is 0 for the end toward the next thread, 1 for the one toward the previous; grammar::make
  // makes it the end's index, 2 * pipe + end. One-way pipes send from end 1 to end 0.
  p_send,         // send(value) (8 bytes: one record fills the 16-byte ring), reg = the status (blocks while full)
  p_recv,         //   reg = the status of recv(), then the value if ok (blocks while empty)
  p_recv_for,     //   reg = the status of recv_for(1 ms), then the value if ok
  p_poll,         //   reg = poll(1 ms)
  p_close,        //   close()
};

/// The pipes of a program, if it has any: one-way or duplex (kind::p_send).
enum class pipe_mode : std::uint8_t { none, one_way, duplex };

struct instr {
  kind k;
  int obj = 0;
  std::uint32_t value = 0;
  std::memory_order order = std::memory_order_seq_cst;
  std::vector<instr> body;  // locked, try_locked
};

struct program {
  std::string name;
  bool more = false;    // of the second family (generator_more)
  bool queues = false;  // of the third (generator_queues)
  int permits = 0;  // the semaphore's initial count (the bounded one's bound)
  int capacity = 1;  // the third family's: its queues' and rings' capacity (1 or 2)
  int producer = 0, consumer = 0;  // the third family's: the spsc_ring's two threads (maybe one)
  pipe_mode pipes = pipe_mode::none;  // of a pipe grammar
  std::vector<std::vector<instr>> threads;
};

const char* order_text(std::memory_order o) {
  switch (o) {
    case std::memory_order_relaxed: return "rlx";
    case std::memory_order_acquire: return "acq";
    case std::memory_order_release: return "rel";
    case std::memory_order_acq_rel: return "acq_rel";
    default: return "sc";
  }
}

/// A pipe call's end as its text shows it: "p1.0" is end 0 of pipe 1.
std::string pipe_end(const instr& i) { return "p" + std::to_string(i.obj / 2) + "." + std::to_string(i.obj % 2); }

/// A poll's bound as its text shows it ("<=4"), none where unbounded.
std::string bound(const instr& i) { return i.value > 0 ? "<=" + std::to_string(i.value) : ""; }

std::string to_text(const std::vector<instr>& code) {
  std::string s;
  for (const instr& i : code) {
    if (!s.empty()) s += "; ";
    const std::string o = std::to_string(i.obj);
    const std::string q = i.obj == 0 ? "q" : "rq";
    const std::string tq = i.obj == 0 ? "lq" : "pq", ring = i.obj == 0 ? "spsc" : "mpmc";
    switch (i.k) {
      case kind::locked: s += "m" + o + "{" + to_text(i.body) + "}"; break;
      case kind::try_locked: s += "try m" + o + "{" + to_text(i.body) + "}"; break;
      case kind::acquire: s += "s.acquire"; break;
      case kind::try_acquire: s += i.value ? "s.try_acquire_for" : "s.try_acquire"; break;
      case kind::release: s += i.value > 1 ? "s.release(" + std::to_string(i.value) + ")" : "s.release"; break;
      case kind::set: s += "e.set"; break;
      case kind::clear: s += "e.clear"; break;
      case kind::wait: s += "e.wait"; break;
      case kind::wait_for: s += "e.wait_for"; break;
      case kind::is_set: s += "e.is_set"; break;
      case kind::load: s += "a" + o + ".load(" + order_text(i.order) + ")"; break;
      case kind::store: s += "a" + o + ".store(" + std::to_string(i.value) + "," + order_text(i.order) + ")"; break;
      case kind::fetch_add: s += "a" + o + ".fetch_add(" + order_text(i.order) + ")"; break;
      case kind::alive: s += "alive(T" + std::to_string(i.obj + 1) + ")"; break;
      case kind::wait_dead: s += "a1.wait_unless_dead(T" + std::to_string(i.obj + 1) + ", 1ms)"; break;
      case kind::spin_until: s += "spin until a" + o + " or 1ms"; break;
      case kind::spin_lock_for: s += "spin-lock a" + o + " for 1ms"; break;
      case kind::cell_read: s += "c.read"; break;
      case kind::cell_write: s += "c=" + std::to_string(i.value); break;
      case kind::cv_wait_for: s += "cv.wait_for(m0)"; break;
      case kind::notify: s += i.value ? "cv.notify_all" : "cv.notify_one"; break;
      case kind::put: s += q + ".put(" + std::to_string(i.value) + ")"; break;
      case kind::try_put: s += q + ".try_put(" + std::to_string(i.value) + ")"; break;
      case kind::get: s += q + ".get"; break;
      case kind::get_for: s += q + ".get_for"; break;
      case kind::try_get: s += q + ".try_get"; break;
      case kind::close: s += q + ".close"; break;
      case kind::r_locked: s += "r{" + to_text(i.body) + "}"; break;
      case kind::r_try_locked: s += std::string(i.value ? "try_for r{" : "try r{") + to_text(i.body) + "}"; break;
      case kind::rb_locked:
        s += std::string(i.value & 1 ? "try_for rb{" : "rb{") + (i.value & 2 ? "consistent; " : "") +
             to_text(i.body) + "}";
        break;
      case kind::rb_keep: s += "rb.lock and die"; break;
      case kind::b_acquire: s += "b.acquire"; break;
      case kind::b_try_acquire: s += i.value ? "b.try_acquire_for" : "b.try_acquire"; break;
      case kind::b_release: s += "b.release"; break;
      case kind::set_value: s += "p.set_value(" + std::to_string(i.value) + ")"; break;
      case kind::set_running: s += "p.set_running"; break;
      case kind::f_get: s += "f.get"; break;
      case kind::f_wait_for: s += "f.wait_for"; break;
      case kind::f_done: s += i.value ? "f.cancel" : "f.done"; break;
      case kind::t_start: s += "t.start"; break;
      case kind::t_cancel: s += "t.cancel"; break;
      case kind::t_status: s += "t.status"; break;
      case kind::t_join: s += "t.join"; break;
      case kind::bar_wait: s += i.value ? "bar.wait_for" : "bar.wait"; break;
      case kind::bar_abort: s += i.value ? "bar.broken" : "bar.abort"; break;
      case kind::rcv_wait_for: s += "cv.wait_for(r)"; break;
      case kind::rcv_notify: s += i.value ? "cv.notify_all" : "cv.notify_one"; break;
      case kind::q_put: s += tq + ".put(" + std::to_string(i.value) + ")"; break;
      case kind::q_try_put: s += tq + ".try_put(" + std::to_string(i.value) + ")"; break;
      case kind::q_put_for: s += tq + ".put_for(" + std::to_string(i.value) + ")"; break;
      case kind::q_get: s += tq + ".get"; break;
      case kind::q_try_get: s += tq + ".try_get"; break;
      case kind::q_get_for: s += tq + ".get_for"; break;
      case kind::q_close: s += tq + (i.value ? ".close(immediate)" : ".close"); break;
      case kind::q_task_done: s += tq + ".task_done"; break;
      case kind::q_join: s += tq + (i.value ? ".join_for" : ".join"); break;
      case kind::ring_push: s += ring + ".try_push(" + std::to_string(i.value) + ")"; break;
      case kind::ring_pop: s += ring + ".try_pop"; break;
      case kind::cv_wait_pred: s += "cv.wait_for(m0, c!=0)"; break;
      case kind::cv_notify_n: s += i.value == 3 ? "cv.notify_all" : "cv.notify(" + std::to_string(i.value) + ")"; break;
      case kind::poll_get: s += "poll" + bound(i) + " " + q + ".try_get"; break;
      case kind::poll_is_set: s += "poll" + bound(i) + " e.is_set"; break;
      case kind::poll_lock: s += "poll" + bound(i) + " try m" + o + "{" + to_text(i.body) + "}"; break;
      case kind::poll_acquire: s += "poll" + bound(i) + " s.try_acquire"; break;
      case kind::poll_load: s += "poll" + bound(i) + " a" + o + ".load(" + order_text(i.order) + ")"; break;
      case kind::p_send: s += pipe_end(i) + ".send(" + std::to_string(i.value) + ")"; break;
      case kind::p_recv: s += pipe_end(i) + ".recv"; break;
      case kind::p_recv_for: s += pipe_end(i) + ".recv_for"; break;
      case kind::p_poll: s += pipe_end(i) + ".poll"; break;
      case kind::p_close: s += pipe_end(i) + ".close"; break;
    }
  }
  return s;
}

std::string to_text(const program& p) {
  std::string s = p.name + (p.more ? " (bounded semaphore " : " (semaphore ") + std::to_string(p.permits);
  if (p.queues)
    s += ", capacity " + std::to_string(p.capacity) + ", spsc T" + std::to_string(p.producer) + " to T" +
         std::to_string(p.consumer);
  s += "):";
  for (std::size_t t = 0; t < p.threads.size(); ++t) s += (t ? "  |  " : "  ") + to_text(p.threads[t]);
  return s + "\n";
}

/// What both families draw the same way: numbers, and the instructions on
/// the two atomics and the cell.
class draws {
 public:
  explicit draws(std::uint32_t seed) : rng_(seed) {}

 protected:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  /// k 0–1: a load, 2–3: a store, 4: a fetch_add, of atomic 0 or 1.
  instr atomic_access(int k) {
    static constexpr std::memory_order loads[] = {std::memory_order_relaxed, std::memory_order_acquire,
                                                  std::memory_order_seq_cst};
    static constexpr std::memory_order stores[] = {std::memory_order_relaxed, std::memory_order_release,
                                                   std::memory_order_seq_cst};
    static constexpr std::memory_order rmws[] = {std::memory_order_relaxed, std::memory_order_acq_rel,
                                                 std::memory_order_seq_cst};
    instr i{k <= 1 ? kind::load : k <= 3 ? kind::store : kind::fetch_add, pick(0, 1), 0,
            std::memory_order_seq_cst, {}};
    if (i.k == kind::store) i.value = next_++;
    i.order = i.k == kind::load ? loads[pick(0, 2)] : i.k == kind::store ? stores[pick(0, 2)] : rmws[pick(0, 2)];
    return i;
  }

  instr cell_access(bool write) {
    return instr{write ? kind::cell_write : kind::cell_read, 0, next_++, std::memory_order_seq_cst, {}};
  }

  std::uint32_t next_ = 1;  // the next value a store or a put writes

 private:
  std::mt19937 rng_;
};

/// Random program number `id`: 2 threads of 1–3 instructions or 3 of 1–2, a
/// critical section holding 1–2 more (a nested one at most one level deep, never of a
/// mutex already held, so a deadlock needs two threads).
class generator : draws {
 public:
  using draws::draws;

  program make(int id) {
    program p;
    p.name = "blocking" + std::to_string(id);
    p.permits = pick(0, 1);
    p.threads.resize(static_cast<std::size_t>(pick(2, 3)));
    next_ = 1;
    const int most = p.threads.size() == 3 ? 2 : 3;  // three threads of three are mostly over the cap
    for (auto& t : p.threads) t = block(pick(1, most), 0, 0);
    return p;
  }

 private:
  // held: a mask of the mutexes held around this block; depth: sections around it
  std::vector<instr> block(int n, unsigned held, int depth) {
    std::vector<instr> out;
    for (int k = 0; k < n; ++k) out.push_back(one(held, depth));
    return out;
  }

  instr one(unsigned held, int depth) {
    for (;;) {
      const int r = pick(0, 26);
      instr i{kind::load, 0, 0, std::memory_order_seq_cst, {}};
      if (r <= 3) {  // a critical section
        const int m = pick(0, 1);
        if (depth >= 2 || (held & (1u << m))) continue;
        i.k = r == 3 ? kind::try_locked : kind::locked;
        i.obj = m;
        i.body = block(pick(1, 2), held | (1u << m), depth + 1);
      } else if (r == 4) {
        i.k = kind::acquire;
      } else if (r == 5) {
        i.k = kind::try_acquire;
        i.value = static_cast<std::uint32_t>(pick(0, 1));
      } else if (r <= 7) {
        i.k = kind::release;
      } else if (r == 8) {
        i.k = kind::set;
      } else if (r == 9) {
        i.k = kind::clear;
      } else if (r == 10) {
        const int w = pick(0, 2);
        i.k = w == 0 ? kind::wait : w == 1 ? kind::wait_for : kind::is_set;
      } else if (r <= 15) {
        i = atomic_access(r - 11);
      } else if (r <= 17) {
        if (!(held & 1u)) continue;  // the cell is mutex 0's
        i = cell_access(r == 17);
      } else if (r == 18) {
        if (!(held & 1u)) continue;  // the condition's lock is mutex 0
        i.k = kind::cv_wait_for;
      } else if (r == 19) {
        i.k = kind::notify;
        i.value = static_cast<std::uint32_t>(pick(0, 1));
      } else if (r <= 21) {
        i.k = r == 20 ? kind::put : kind::try_put;
        i.value = next_++;
      } else if (r <= 23) {
        i.k = r == 22 ? kind::get : kind::get_for;
      } else if (r == 24) {
        i.k = pick(0, 1) == 0 ? kind::close : kind::try_get;
      } else {
        i.k = kind::try_get;
      }
      if (i.k >= kind::put) i.obj = pick(0, 1);  // the monitor queue or the ring
      return i;
    }
  }
};

/// Random program number `id` of the second family, shaped as generator's:
/// a recursive_mutex (re-entered freely), a robust_mutex a thread may die
/// holding, a bounded semaphore, a promise and its future, a timer, a
/// barrier of two parties and a condition over the recursive mutex, with the
/// atomics and a cell the recursive mutex guards. The timer is started, and
/// the promise set and set running, by one instruction at most (twice is a
/// usage_error in every execution).
class generator_more : draws {
 public:
  using draws::draws;

  program make(int id) {
    program p;
    p.name = "others" + std::to_string(id);
    p.more = true;
    p.permits = pick(1, 2);
    p.threads.resize(static_cast<std::size_t>(pick(2, 3)));
    next_ = 1;
    once_ = 0;
    const int most = p.threads.size() == 3 ? 2 : 3;
    for (auto& t : p.threads) {
      const int n = pick(1, most);
      for (int k = 0; k < n; ++k) t.push_back(one(false, false, 0, k == n - 1));
    }
    return p;
  }

 private:
  // in_r: inside a section of the recursive mutex (the cell's); in_rb: of the robust one
  std::vector<instr> block(int n, bool in_r, bool in_rb, int depth) {
    std::vector<instr> out;
    for (int k = 0; k < n; ++k) out.push_back(one(in_r, in_rb, depth, false));
    return out;
  }

  // last: the thread's last instruction, outside any section
  instr one(bool in_r, bool in_rb, int depth, bool last) {
    auto first = [&](unsigned what) {  // an instruction the program may hold once
      if (once_ & what) return false;
      once_ |= what;
      return true;
    };
    for (;;) {
      const int r = pick(0, 27);
      instr i{kind::load, 0, 0, std::memory_order_seq_cst, {}};
      if (r <= 2) {  // a section of the recursive mutex, held or not
        if (depth >= 2) continue;
        i.k = r == 2 ? kind::r_try_locked : kind::r_locked;
        if (r == 2) i.value = static_cast<std::uint32_t>(pick(0, 1));
        i.body = block(pick(1, 2), true, in_rb, depth + 1);
      } else if (r == 3) {
        if (depth >= 2 || in_rb) continue;
        i.k = kind::rb_locked;
        i.value = static_cast<std::uint32_t>(pick(0, 3));
        i.body = block(pick(1, 2), in_r, true, depth + 1);
      } else if (r == 4) {
        if (!last) continue;
        i.k = kind::rb_keep;
      } else if (r == 5) {
        i.k = kind::b_acquire;
      } else if (r == 6) {
        i.k = kind::b_try_acquire;
        i.value = static_cast<std::uint32_t>(pick(0, 1));
      } else if (r == 7) {
        i.k = kind::b_release;
      } else if (r == 8) {
        if (!first(1)) continue;
        i.k = kind::set_value;
        i.value = next_++;
      } else if (r == 9) {
        if (!first(2)) continue;
        i.k = kind::set_running;
      } else if (r <= 12) {
        i.k = r == 10 ? kind::f_get : r == 11 ? kind::f_wait_for : kind::f_done;
        if (r == 12) i.value = static_cast<std::uint32_t>(pick(0, 1));
      } else if (r == 13) {
        if (!first(4)) continue;
        i.k = kind::t_start;
      } else if (r <= 16) {
        i.k = r == 14 ? kind::t_cancel : r == 15 ? kind::t_status : kind::t_join;
      } else if (r <= 18) {
        i.k = r == 17 ? kind::bar_wait : kind::bar_abort;
        i.value = static_cast<std::uint32_t>(pick(0, 1));
      } else if (r <= 23) {
        i = atomic_access(r - 19);
      } else if (r <= 25) {
        if (!in_r) continue;  // the cell is the recursive mutex's
        i = cell_access(r == 25);
      } else if (r == 26) {
        if (!in_r) continue;  // the condition's lock is the recursive mutex
        i.k = kind::rcv_wait_for;
      } else {
        i.k = kind::rcv_notify;
        i.value = static_cast<std::uint32_t>(pick(0, 1));
      }
      return i;
    }
  }

  unsigned once_ = 0;  // 1: set_value, 2: set_running, 4: t_start made
};

constexpr std::uint64_t kCap = 20000;  // executions; a larger way is left out
constexpr std::uint64_t kPollSteps = 300;  // a program that polls: its executions' step bound (explore)

/// Small grammars (bounded-exhaustive testing: most bugs show on some small
/// program, and a random family makes a given one rarely). Every program of
/// one is three threads, each an optional instruction `before`, one of
/// `calls`, and an optional one `after`: two calls meet in every order of
/// the threads, with an access before or after that makes the reversal of
/// their race need another thread's step first. Kinds in `once` are in one
/// instruction of a program at most (a timer started twice, a promise set
/// twice: a usage_error in every execution). small_timer_grammar is the
/// first such grammar, the one make check runs whole; the others have up to
/// 8,000 programs each, a few of which make check runs and make soak runs
/// slice by slice (programs_of_small_grammars). The timer's whole grammar
/// with a load after found a second lost reversal (engine_test::
/// a_reversal_with_two_initials_is_explored), the robust mutex's a third
/// (engine_test::a_timed_wait_may_end_before_its_holder_dies); a random
/// family of those alphabets (400 programs) did not find the first.
struct grammar {
  const char* name;
  bool more = false, queues = false;
  int permits = 0;
  std::vector<instr> before, calls, after;
  std::vector<kind> once;
  /// A way over this many executions is left out. The robust mutex's is
  /// higher: its threads ask whether the owner lives, so every thread's end
  /// is a step of its own, and plain DFS explores where each one falls.
  std::uint64_t cap = kCap;

  /// A thread's call may be followed by a second of `calls` (WEAVE_GRAMMAR_CALLS=2,
  /// a soak's: its reversals may need a longer sequence of other threads' steps).
  bool second_call = false;

  /// A pipe grammar's: its calls are on the thread's own ends (kind::p_send),
  /// and it is compared with weave's primitives transparent too, not opaque only.
  pipe_mode pipes = pipe_mode::none;

  int choices() const {  // of one thread
    return static_cast<int>((before.size() + 1) * calls.size() * (second_call ? calls.size() + 1 : 1) *
                            (after.size() + 1));
  }
  int size() const { return choices() * choices() * choices(); }

  /// Program number id (0 to size()), or none where it breaks `once`.
  std::optional<program> make(int id) const {
    program p;
    p.name = std::string(name) + " " + std::to_string(id);
    p.more = more;
    p.queues = queues;
    p.pipes = pipes;
    p.permits = permits;
    std::vector<int> uses(once.size());
    for (int t = 0, code = id; t < 3; ++t, code /= choices()) {
      int c = code % choices();
      std::vector<instr> thread;
      const auto b = static_cast<std::size_t>(c % static_cast<int>(before.size() + 1));
      c /= static_cast<int>(before.size() + 1);
      if (b > 0) thread.push_back(before[b - 1]);
      thread.push_back(calls[static_cast<std::size_t>(c % static_cast<int>(calls.size()))]);
      c /= static_cast<int>(calls.size());
      if (second_call) {
        const auto second = static_cast<std::size_t>(c % static_cast<int>(calls.size() + 1));
        c /= static_cast<int>(calls.size() + 1);
        if (second > 0) thread.push_back(calls[second - 1]);
      }
      const auto f = static_cast<std::size_t>(c);
      if (f > 0) thread.push_back(after[f - 1]);
      if (pipes != pipe_mode::none)  // toward the next thread: end 1 of pipe t; the previous: end 0 of pipe t-1
        for (instr& i : thread)
          if (i.k >= kind::p_send) i.obj = i.obj == 0 ? 2 * t + 1 : 2 * ((t + 2) % 3);
      for (const instr& i : thread)
        for (std::size_t o = 0; o < once.size(); ++o) uses[o] += i.k == once[o] ? 1 : 0;
      p.threads.push_back(std::move(thread));
    }
    if (std::any_of(uses.begin(), uses.end(), [](int u) { return u > 1; })) return std::nullopt;
    return p;
  }
};

/// An instruction of a grammar (seq_cst where it has an order).
instr op(kind k, int obj = 0, std::uint32_t value = 0, std::vector<instr> body = {}) {
  return instr{k, obj, value, std::memory_order_seq_cst, std::move(body)};
}

/// The second family's timer: three threads, each an optional fetch_add of
/// atomic 0, then one call: start (in one thread at most), cancel, status or
/// join (432 programs). Written after the reduction lost a reversal in such a
/// shape (engine_test::a_reversal_behind_another_initial_is_explored), which
/// the second family's soaks never made (600 programs with that wakeup
/// disabled: none differed); it found two more that lost one (T1 start | T2
/// fetch_add, join | T3 fetch_add, cancel, with or without T1's fetch_add):
/// "the cancel finds the timer fired, its function not run yet" needs T3's
/// fetch_add, T2's, T2's join, then T1's start, and the reduction tried T2
/// there only before T3 (engine::add_race_backtrack).
grammar small_timer_grammar() {
  using enum kind;
  return {"timer", true, false, 1, {op(fetch_add)}, {op(t_start), op(t_cancel), op(t_status), op(t_join)}, {}, {t_start}};
}

/// The timer with the future (4,096 programs): calls of several steps whose
/// first ones (the future's lock) are apart from another thread's call and
/// whose last (the future's event) come after it through a wait. A thread
/// whose call only begins independently of a race is no initial of its
/// reversal (engine_test::an_initial_is_a_whole_segment); 28 of these
/// programs lost an outcome before that (sc, opaque, with reduction), 16 of
/// them among those whose number is a multiple of 8.
grammar timer_and_future_grammar() {
  using enum kind;
  return {"timer and future", true, false, 1, {op(t_cancel)},
          {op(set_value, 0, 7), op(f_wait_for), op(t_status), op(f_get)}, {op(t_status)}, {set_value}};
}

/// Three one-way pipes in a ring (kind::p_send; 13,824 programs): a send
/// before the call fills the thread's pipe, so that a second send there
/// blocks (P4); receives that block, time out or poll; a close of either
/// end, which ends the peer's stream after the drain or its sends, and wakes
/// it (P5); a receive after the call. A close of the receiving end before
/// that receive is a usage_error in every execution.
grammar pipe_grammar() {
  using enum kind;
  grammar g{"pipe", false, false, 0, {op(p_send, 0, 1)},
            {op(p_send, 0, 2), op(p_recv, 1), op(p_recv_for, 1), op(p_poll, 1), op(p_close), op(p_close, 1)},
            {op(p_recv_for, 1)}, {}};
  g.pipes = pipe_mode::one_way;
  return g;
}

/// The same ring of duplex pipes (4,096 programs): a thread sends toward the
/// next thread first; then it replies toward the previous one, receives the
/// next thread's reply, or closes either end, which shuts its receiving side
/// before its sending one (P5); then it receives from the previous thread.
grammar duplex_pipe_grammar() {
  using enum kind;
  grammar g{"duplex pipe", false, false, 0, {op(p_send, 0, 1)},
            {op(p_send, 1, 2), op(p_recv_for, 0), op(p_close), op(p_close, 1)}, {op(p_recv_for, 1)}, {}};
  g.pipes = pipe_mode::duplex;
  return g;
}

std::vector<grammar> grammars() {
  using enum kind;
  const instr add = op(fetch_add), read = op(load);
  grammar timer = small_timer_grammar();
  timer.after = {read};
  return {
      timer,
      {"future", true, false, 1, {add},
       {op(set_value, 0, 7), op(set_running), op(f_get), op(f_wait_for), op(f_done, 0, 1)}, {read},
       {set_value, set_running}},
      timer_and_future_grammar(),
      {"barrier", true, false, 1, {add}, {op(bar_wait, 0, 0), op(bar_wait, 0, 1), op(bar_abort), op(bar_abort, 0, 1)},
       {read}, {}},
      {"robust mutex", true, false, 1, {add},
       {op(rb_locked, 0, 0, {add}), op(rb_locked, 0, 3, {read}), op(rb_keep), op(r_locked, 0, 0, {add})}, {read}, {},
       40000},
      {"locks", false, false, 0, {add},
       {op(locked, 0, 0, {add}), op(try_locked, 0, 0, {read}), op(try_acquire, 0, 1), op(release)}, {read}, {}},
      {"event", false, false, 0, {add}, {op(set), op(clear), op(wait_for), op(is_set)}, {read}, {}},
      {"queue", false, false, 0, {add}, {op(put, 0, 3), op(get_for), op(try_get), op(close)}, {read}, {}},
      {"task queue", false, true, 0, {add},
       {op(q_put_for, 0, 4), op(q_get_for), op(q_close), op(q_task_done), op(q_join, 0, 1)}, {read}, {}},
      {"condition", false, false, 0, {add},
       {op(locked, 0, 0, {op(cv_wait_for)}), op(notify), op(notify, 0, 1), op(locked, 0, 0, {add})}, {read}, {}},
      {"mpmc ring", false, true, 0, {add}, {op(ring_push, 1, 5), op(ring_pop, 1), op(q_try_put, 0, 6), op(q_get_for)},
       {read}, {}},
      // Two primitives' calls meeting, a call before and after (each whole,
      // 4,096 programs: no way differed when they were written).
      {"event and queue", false, false, 0, {op(set)}, {op(put, 0, 3), op(get_for), op(is_set), op(wait_for)},
       {op(is_set)}, {}},
      {"locks and event", false, false, 1, {op(set)},
       {op(locked, 0, 0, {add}), op(try_acquire, 0, 1), op(release), op(wait_for)}, {op(is_set)}, {}},
      {"condition and queue", false, false, 0, {op(try_get)},
       {op(locked, 0, 0, {op(cv_wait_for)}), op(notify), op(put, 0, 3), op(get_for)}, {op(try_get)}, {}},
      {"barrier and future", true, false, 1, {op(bar_abort)},
       {op(set_value, 0, 7), op(f_wait_for), op(bar_wait, 0, 1), op(f_get)}, {op(bar_abort, 0, 1)}, {set_value}},
      // A thread lives until it ends, after its last operation too: asking
      // whether another thread lives, with a load or a fetch_add around it
      // (engine_test::a_thread_lives_after_its_last_operation).
      {"life", false, false, 0, {add}, {op(alive, 0), op(alive, 1), op(alive, 2), op(wait_dead, 0), op(wait_dead, 2)},
       {read}, {}},
      // Spin loops that wait for a deadline (engine::clock_spin): one that
      // waits for a0 or 1 ms, a timed spinlock on a1 (a fetch_add takes it
      // for good), and the writes that end them or not.
      {"clock", false, false, 0, {add}, {op(spin_until, 0), op(store, 0, 1), op(spin_lock_for, 1), op(fetch_add, 1)},
       {read}, {}},
      // Spin loops around a call (the await rule sees a call as the one step
      // it is to the user, engine::call_end): polls that wait for an item, an
      // event, a lock or a permit, the calls that end them or not (a poll
      // nothing ends is a deadlock), and two polls of one thing.
      {"poll", false, false, 0, {add}, {op(poll_get), op(put, 0, 3), op(poll_is_set), op(set)}, {read}, {}},
      {"poll locks", false, false, 0, {},
       {op(poll_lock, 0, 0, {add}), op(locked, 0, 0, {add}), op(poll_acquire), op(release)}, {read}, {}},
      // Poll loops bounded by a count of their own past S::spin_budget, which
      // give up (engine::giving_up, engine::give_up_offer) before another
      // thread's call or after it, one beside an unbounded poll of the same
      // event. Plain DFS explores each place a loop may give up: its cap is
      // the robust mutex's.
      {"bounded polls", false, false, 0, {add},
       {op(poll_get, 0, 4), op(put, 0, 3), op(poll_is_set, 0, 3), op(set), op(poll_is_set)}, {read}, {}, 40000},
      {"bounded poll locks", false, false, 0, {},
       {op(poll_lock, 0, 4, {add}), op(locked, 0, 0, {add}), op(poll_acquire, 0, 3), op(release)}, {read}, {}, 40000},
      // Spin loops on plain atomics bounded by a count of their own: several
      // may park at once on what no thread writes, and go on past their
      // budget in either order (engine::giving_up), which the fetch_add after
      // them tells apart. Where three threads spin, plain DFS runs past the
      // cap (program 1230, three spins each followed by a fetch_add, past
      // 3,000,000 executions), and the other ways are compared with each
      // other only.
      {"bounded spins", false, false, 0, {op(fetch_add, 1)}, {op(poll_load, 0, 3), op(poll_load, 1, 3), op(store, 0, 1)},
       {op(fetch_add, 0)}, {}, 40000},
      pipe_grammar(),
      duplex_pipe_grammar(),
  };
}

/// Random program number `id` of the third family, shaped as generator's: a
/// lifo_queue and a priority_queue (smallest first) of capacity 1 or 2, put
/// to, got from, closed (draining or at once), marked done and joined; an
/// spsc_ring and an mpmc_ring of the same capacity (lock-free,
/// calls::stepwise); a counting semaphore given one or two permits at a
/// time; a condition over mutex 0 waited on with a predicate (the cell,
/// which mutex 0 guards, is not 0) and a timeout, in the thread's section of
/// mutex 0 or in one of its own, and notified one, two or all; and the
/// atomics. Most queue instructions use one of the two queues, and the ring
/// instructions, two at most, one ring, so that calls meet. Only the
/// spsc_ring's producer thread pushes to it and only its consumer pops (its
/// contract; mostly two threads, sometimes one). A task_done follows a get
/// from the same queue in the same thread (Python's pattern); it is still
/// one too many where the get failed.
class generator_queues : draws {
 public:
  using draws::draws;

  program make(int id) {
    program p;
    p.name = "queues" + std::to_string(id);
    p.queues = true;
    p.permits = pick(0, 1);
    p.capacity = pick(1, 2);
    const int n = pick(0, 2) == 0 ? 3 : 2;  // three threads are over the cap twice as often as two
    p.threads.resize(static_cast<std::size_t>(n));
    p.producer = pick(0, n - 1);
    p.consumer = pick(0, 3) == 0 ? p.producer : (p.producer + pick(1, n - 1)) % n;
    next_ = 1;
    queue_ = pick(0, 1);
    ring_ = pick(0, 1);
    rings_ = 0;
    const int most = n == 3 ? 2 : 3;
    for (int t = 0; t < n; ++t) {
      got_ = 0;
      spsc_ = (t == p.producer ? 1u : 0u) | (t == p.consumer ? 2u : 0u);
      p.threads[static_cast<std::size_t>(t)] = block(pick(1, most), false);
    }
    return p;
  }

 private:
  // in_m: inside a section of mutex 0 (the cell's and the condition's)
  std::vector<instr> block(int n, bool in_m) {
    std::vector<instr> out;
    for (int k = 0; k < n; ++k) out.push_back(one(in_m));
    return out;
  }

  instr one(bool in_m) {
    for (;;) {
      const int r = pick(0, 31);
      instr i{kind::load, 0, 0, std::memory_order_seq_cst, {}};
      if (r <= 1) {  // a section of mutex 0, not nested
        if (in_m) continue;
        i.k = kind::locked;
        i.body = block(pick(1, 2), true);
      } else if (r == 2) {
        i.k = kind::acquire;
      } else if (r == 3) {
        i.k = kind::try_acquire;
        i.value = static_cast<std::uint32_t>(pick(0, 1));
      } else if (r == 4) {
        i.k = kind::release;
        i.value = static_cast<std::uint32_t>(pick(1, 2));
      } else if (r <= 7) {
        i = atomic_access(pick(0, 4));
      } else if (r <= 9) {  // the cell and the condition are mutex 0's: a section of their own outside one
        i = r == 8 ? cell_access(true) : instr{kind::cv_wait_pred, 0, 0, std::memory_order_seq_cst, {}};
        if (!in_m) i = instr{kind::locked, 0, 0, std::memory_order_seq_cst, {i}};
      } else if (r == 10) {
        i.k = kind::cv_notify_n;
        i.value = static_cast<std::uint32_t>(pick(1, 3));
      } else if (r <= 24) {  // mostly the program's queue, the lifo (obj 0) or the priority one (1)
        i.obj = pick(0, 3) != 0 ? queue_ : 1 - queue_;
        const unsigned mine = 1u << i.obj;
        // Waits on a queue (a get meeting a put, a join) are over the cap
        // transparent: they come less often than the try_ forms.
        if (r <= 15) {
          i.k = r <= 12 ? kind::q_put : r <= 14 ? kind::q_try_put : kind::q_put_for;
          i.value = next_++;
        } else if (r <= 19) {
          i.k = r == 16 ? kind::q_get : r <= 18 ? kind::q_try_get : kind::q_get_for;
          got_ |= mine;
        } else if (r == 20) {
          i.k = kind::q_close;
          i.value = static_cast<std::uint32_t>(pick(0, 1));
        } else if (r <= 23) {
          if (!(got_ & mine)) continue;  // task_done after a get, as in Python
          i.k = kind::q_task_done;
        } else {
          i.k = kind::q_join;
          i.value = static_cast<std::uint32_t>(pick(0, 2) != 0);  // mostly join_for
        }
      } else {  // the program's ring, the spsc_ring (obj 0) or the mpmc_ring (1)
        // Each call is several steps (calls::stepwise), so plain DFS grows
        // fast: two calls, the second the other side of the first.
        if (rings_ == 2) continue;
        i.k = rings_ == 1 ? (pushed_ ? kind::ring_pop : kind::ring_push)
                          : r <= 28 ? kind::ring_push : kind::ring_pop;
        i.obj = ring_;
        if (ring_ == 0 && !(spsc_ & (i.k == kind::ring_push ? 1u : 2u))) continue;  // one producer, one consumer
        pushed_ = i.k == kind::ring_push;
        ++rings_;
        if (i.k == kind::ring_push) i.value = next_++;
      }
      return i;
    }
  }

  int queue_ = 0;      // the queue most queue instructions of the program use
  int ring_ = 0;       // the ring every ring instruction of the program uses
  unsigned got_ = 0;   // bit q: this thread has a get from queue q so far
  unsigned spsc_ = 0;  // 1: this thread is the spsc_ring's producer, 2: its consumer
  int rings_ = 0;      // ring instructions in the program so far
  bool pushed_ = false;  // the first of them was a push
};

// ---------------------------------------------------------------------------
// The interpreter: one program, run under weave's checker.
// ---------------------------------------------------------------------------

struct world {
  std::array<weave::model::mutex, 2> m;
  weave::model::counting_semaphore s;
  weave::model::event e;
  weave::model::condition cv;
  weave::model::fifo_queue<std::uint32_t> q{1};
  weave::model::ring_queue<std::uint32_t> rq{1};
  std::array<weave::model_sync::atomic<std::uint32_t>, 2> a{weave::model_sync::atomic<std::uint32_t>(0),
                                                           weave::model_sync::atomic<std::uint32_t>(0)};
  weave::model_sync::cell<std::uint32_t> c{0};
  explicit world(int permits) : s(permits) {}
};

using outcome = std::vector<std::uint32_t>;

/// A poll loop (kind::poll_*): tries got() round after round, S::spin()
/// after each failure; bounded (i.value = N > 0), N rounds at most, as
/// `for (n = 0; n < N && !got(); ++n) S::spin();`. Whether got() was true.
template <class Got>
bool poll(const instr& i, Got got) {
  for (std::uint32_t n = 0; i.value == 0 || n < i.value; ++n) {
    if (got()) return true;
    weave::model_sync::spin();
  }
  return false;
}

template <class Queue>
void queue_op(Queue& q, const instr& i, outcome& regs) {
  using namespace std::chrono_literals;
  switch (i.k) {
    case kind::put: regs.push_back(q.put(i.value) == weave::queue_status::ok ? 1 : 0); break;
    case kind::try_put: regs.push_back(static_cast<std::uint32_t>(q.try_put(i.value))); break;
    case kind::get: {
      const auto v = q.get();
      regs.push_back(v ? *v : 0xfffeu);
      break;
    }
    case kind::get_for:
    case kind::try_get: {
      std::uint32_t v = 0;
      const auto st = i.k == kind::try_get ? q.try_get(v) : q.get_for(v, 1ms);
      regs.push_back(static_cast<std::uint32_t>(st));
      if (st == weave::queue_status::ok) regs.push_back(v);
      break;
    }
    case kind::close: q.close(); break;
    case kind::poll_get: {
      std::uint32_t v = 0;
      const bool got = poll(i, [&] { return q.try_get(v) == weave::queue_status::ok; });
      regs.push_back(got ? v : 0xfffe);
      break;
    }
    default: break;
  }
}

// S::self() of the program's first thread (run_threads).
std::uint32_t first_thread_id = 0;

// The instructions both families share: the atomics, the cell, and asking
// whether a program thread lives. False: not one of them.
template <class World>
bool memory_op(const instr& i, World& w, outcome& regs) {
  using S = weave::model_sync;
  const auto thread_id = [&i] { return first_thread_id + static_cast<std::uint32_t>(i.obj); };
  switch (i.k) {
    case kind::alive: regs.push_back(S::alive(thread_id()) ? 1 : 0); return true;
    case kind::wait_dead:
      regs.push_back(static_cast<std::uint32_t>(
          S::wait_unless_dead(w.a[1], 0, S::clock::now() + std::chrono::milliseconds(1), thread_id())));
      return true;
    case kind::load: regs.push_back(w.a[static_cast<std::size_t>(i.obj)].load(i.order)); return true;
    case kind::store: w.a[static_cast<std::size_t>(i.obj)].store(i.value, i.order); return true;
    case kind::fetch_add: regs.push_back(w.a[static_cast<std::size_t>(i.obj)].fetch_add(1, i.order)); return true;
    case kind::cell_read: regs.push_back(w.c.read()); return true;
    case kind::cell_write: w.c.write() = i.value; return true;
    case kind::spin_until: {
      auto& x = w.a[static_cast<std::size_t>(i.obj)];
      const auto d = S::clock::now() + std::chrono::milliseconds(1);
      while (x.load(i.order) == 0 && S::clock::now() < d) S::spin();
      regs.push_back((x.load(i.order) != 0 ? 2u : 0u) + (S::clock::now() >= d ? 1u : 0u));
      return true;
    }
    case kind::poll_load: {
      std::uint32_t v = 0;
      poll(i, [&] { return (v = w.a[static_cast<std::size_t>(i.obj)].load(i.order)) != 0; });
      if (i.value > 0) regs.push_back(v);
      return true;
    }
    case kind::spin_lock_for: {
      auto& x = w.a[static_cast<std::size_t>(i.obj)];
      const auto d = S::clock::now() + std::chrono::milliseconds(1);
      bool got = false;
      for (;;) {
        std::uint32_t e = 0;
        if ((got = x.compare_exchange_strong(e, 1, std::memory_order_acquire, std::memory_order_relaxed))) break;
        if (S::clock::now() >= d) break;
        S::spin();
      }
      regs.push_back(got ? 1 : 0);
      if (got) x.store(0, std::memory_order_release);
      return true;
    }
    default: return false;
  }
}

void run(const std::vector<instr>& code, world& w, outcome& regs) {
  using namespace std::chrono_literals;
  for (const instr& i : code) {
    if (memory_op(i, w, regs)) continue;
    switch (i.k) {
      case kind::locked:
        w.m[static_cast<std::size_t>(i.obj)].lock();
        run(i.body, w, regs);
        w.m[static_cast<std::size_t>(i.obj)].unlock();
        break;
      case kind::try_locked: {
        const bool got = w.m[static_cast<std::size_t>(i.obj)].try_lock();
        regs.push_back(got ? 1 : 0);
        if (got) {
          run(i.body, w, regs);
          w.m[static_cast<std::size_t>(i.obj)].unlock();
        }
        break;
      }
      case kind::acquire: w.s.acquire(); break;
      case kind::try_acquire: regs.push_back((i.value ? w.s.try_acquire_for(1ms) : w.s.try_acquire()) ? 1 : 0); break;
      case kind::release: w.s.release(); break;
      case kind::set: w.e.set(); break;
      case kind::clear: w.e.clear(); break;
      case kind::wait: regs.push_back(w.e.wait() ? 1 : 0); break;
      case kind::wait_for: regs.push_back(w.e.wait_for(1ms) ? 1 : 0); break;
      case kind::is_set: regs.push_back(w.e.is_set() ? 1 : 0); break;
      case kind::poll_is_set: {
        const bool set = poll(i, [&] { return w.e.is_set(); });
        if (i.value > 0) regs.push_back(set ? 1 : 0);
        break;
      }
      case kind::poll_lock: {
        auto& m = w.m[static_cast<std::size_t>(i.obj)];
        const bool locked = poll(i, [&] { return m.try_lock(); });
        if (i.value > 0) regs.push_back(locked ? 1 : 0);
        if (!locked) break;
        run(i.body, w, regs);
        m.unlock();
        break;
      }
      case kind::poll_acquire: {
        const bool got = poll(i, [&] { return w.s.try_acquire(); });
        if (i.value > 0) regs.push_back(got ? 1 : 0);
        break;
      }
      case kind::cv_wait_for:
        regs.push_back(w.cv.wait_for(w.m[0], 1ms) == weave::cv_status::no_timeout ? 1 : 0);
        break;
      case kind::notify:
        if (i.value) w.cv.notify_all();
        else w.cv.notify_one();
        break;
      default:
        if (i.obj == 0) queue_op(w.q, i, regs);
        else queue_op(w.rq, i, regs);
        break;
    }
  }
}

// The second family's world and interpreter.
struct world_more {
  weave::model::recursive_mutex r;
  weave::model::robust_mutex rb;
  weave::model::bounded_semaphore b;
  weave::model::promise<std::uint32_t> p;
  weave::model::future<std::uint32_t> f = p.get_future();
  weave::model::barrier bar{2};
  weave::model::condition cv;
  // a[2]: how often the timer fired (before the timer: its function uses it)
  std::array<weave::model_sync::atomic<std::uint32_t>, 3> a{weave::model_sync::atomic<std::uint32_t>(0),
                                                           weave::model_sync::atomic<std::uint32_t>(0),
                                                           weave::model_sync::atomic<std::uint32_t>(0)};
  weave::model::timer t;
  weave::model_sync::cell<std::uint32_t> c{0};
  explicit world_more(int bound)
      : b(bound), t(std::chrono::milliseconds(1), [this] { a[2].fetch_add(1, std::memory_order_relaxed); }) {}
};

constexpr std::uint32_t kThrew = 0xfffd;  // a wait that threw (cancelled, broken)

void run(const std::vector<instr>& code, world_more& w, outcome& regs) {
  using namespace std::chrono_literals;
  for (const instr& i : code) {
    if (memory_op(i, w, regs)) continue;
    switch (i.k) {
      case kind::r_locked:
        w.r.lock();
        run(i.body, w, regs);
        w.r.unlock();
        break;
      case kind::r_try_locked: {
        const bool got = i.value ? w.r.try_lock_for(1ms) : w.r.try_lock();
        regs.push_back(got ? 1 : 0);
        if (got) {
          run(i.body, w, regs);
          w.r.unlock();
        }
        break;
      }
      case kind::rb_locked: {
        const weave::lock_status st = i.value & 1 ? w.rb.try_lock_for(1ms) : w.rb.lock();
        regs.push_back(static_cast<std::uint32_t>(st));
        if (st == weave::lock_status::acquired || st == weave::lock_status::owner_dead) {
          if (st == weave::lock_status::owner_dead && (i.value & 2)) w.rb.consistent();
          run(i.body, w, regs);
          w.rb.unlock();
        }
        break;
      }
      case kind::rb_keep: regs.push_back(static_cast<std::uint32_t>(w.rb.lock())); break;
      case kind::b_acquire: w.b.acquire(); break;
      case kind::b_try_acquire: regs.push_back((i.value ? w.b.try_acquire_for(1ms) : w.b.try_acquire()) ? 1 : 0); break;
      case kind::b_release: w.b.release(); break;
      case kind::set_value: regs.push_back(w.p.set_value(i.value) ? 1 : 0); break;
      case kind::set_running: regs.push_back(w.p.set_running_or_notify_cancel() ? 1 : 0); break;
      case kind::f_get:
        try {
          regs.push_back(w.f.get());
        } catch (const weave::cancelled_error&) {
          regs.push_back(kThrew);
        }
        break;
      case kind::f_wait_for: regs.push_back(w.f.wait_for(1ms) == weave::future_status::ready ? 1 : 0); break;
      case kind::f_done: regs.push_back((i.value ? w.f.cancel() : w.f.done()) ? 1 : 0); break;
      case kind::t_start: w.t.start(); break;
      case kind::t_cancel: regs.push_back(static_cast<std::uint32_t>(w.t.cancel())); break;
      case kind::t_status: {
        const auto st = w.t.status();
        regs.push_back(st ? static_cast<std::uint32_t>(*st) : 2);
        break;
      }
      case kind::t_join: w.t.join(); break;
      case kind::bar_wait:
        try {
          if (i.value) {
            const auto k = w.bar.wait_for(1ms);
            regs.push_back(k ? static_cast<std::uint32_t>(*k) : 0xfffeu);
          } else {
            regs.push_back(static_cast<std::uint32_t>(w.bar.wait()));
          }
        } catch (const weave::broken_barrier&) {
          regs.push_back(kThrew);
        }
        break;
      case kind::bar_abort:
        if (i.value) regs.push_back(w.bar.broken() ? 1 : 0);
        else w.bar.abort();
        break;
      case kind::rcv_wait_for: regs.push_back(w.cv.wait_for(w.r, 1ms) == weave::cv_status::no_timeout ? 1 : 0); break;
      case kind::rcv_notify:
        if (i.value) w.cv.notify_all();
        else w.cv.notify_one();
        break;
      default: break;  // the first family's
    }
  }
}

// The third family's world and interpreter.
struct world_queues {
  weave::model::mutex m;  // the cell's and the condition's
  weave::model::counting_semaphore s;
  weave::model::condition cv;
  weave::model::lifo_queue<std::uint32_t> lq;
  weave::model::priority_queue<std::uint32_t> pq;
  weave::model::spsc_ring<std::uint32_t> sr;
  weave::model::mpmc_ring<std::uint32_t> mr;
  std::array<weave::model_sync::atomic<std::uint32_t>, 2> a{weave::model_sync::atomic<std::uint32_t>(0),
                                                           weave::model_sync::atomic<std::uint32_t>(0)};
  weave::model_sync::cell<std::uint32_t> c{0};
  world_queues(int permits, int capacity)
      : s(permits),
        lq(static_cast<std::size_t>(capacity)),
        pq(static_cast<std::size_t>(capacity)),
        sr(static_cast<std::size_t>(capacity)),
        mr(static_cast<std::size_t>(capacity)) {}
};

template <class Queue>
void task_queue_op(Queue& q, const instr& i, outcome& regs) {
  using namespace std::chrono_literals;
  const auto status = [&](weave::queue_status st) { regs.push_back(static_cast<std::uint32_t>(st)); };
  switch (i.k) {
    case kind::q_put: status(q.put(i.value)); break;
    case kind::q_try_put: status(q.try_put(i.value)); break;
    case kind::q_put_for: status(q.put_for(i.value, 1ms)); break;
    case kind::q_get: {
      const auto v = q.get();
      regs.push_back(v ? *v : 0xfffeu);
      break;
    }
    case kind::q_try_get:
    case kind::q_get_for: {
      std::uint32_t v = 0;
      const auto st = i.k == kind::q_try_get ? q.try_get(v) : q.get_for(v, 1ms);
      status(st);
      if (st == weave::queue_status::ok) regs.push_back(v);
      break;
    }
    case kind::q_close: q.close(i.value ? weave::close_mode::immediate : weave::close_mode::drain); break;
    case kind::q_task_done: q.task_done(); break;
    case kind::q_join:
      if (i.value) regs.push_back(q.join_for(1ms) ? 1 : 0);
      else q.join();
      break;
    default: break;
  }
}

template <class Ring>
void ring_op(Ring& r, const instr& i, outcome& regs) {
  if (i.k == kind::ring_push) {
    regs.push_back(r.try_push(i.value) ? 1 : 0);
  } else {
    const std::optional<std::uint32_t> v = r.try_pop();
    regs.push_back(v ? *v : 0xfffeu);
  }
}

void run(const std::vector<instr>& code, world_queues& w, outcome& regs) {
  using namespace std::chrono_literals;
  for (const instr& i : code) {
    if (memory_op(i, w, regs)) continue;
    switch (i.k) {
      case kind::locked:
        w.m.lock();
        run(i.body, w, regs);
        w.m.unlock();
        break;
      case kind::acquire: w.s.acquire(); break;
      case kind::try_acquire: regs.push_back((i.value ? w.s.try_acquire_for(1ms) : w.s.try_acquire()) ? 1 : 0); break;
      case kind::release: w.s.release(static_cast<std::ptrdiff_t>(i.value)); break;
      case kind::cv_wait_pred:
        regs.push_back(w.cv.wait_for(w.m, 1ms, [&w] { return w.c.read() != 0; }) ? 1 : 0);
        break;
      case kind::cv_notify_n:
        if (i.value == 3) w.cv.notify_all();
        else w.cv.notify(static_cast<std::ptrdiff_t>(i.value));
        break;
      case kind::ring_push:
      case kind::ring_pop:
        if (i.obj == 0) ring_op(w.sr, i, regs);
        else ring_op(w.mr, i, regs);
        break;
      default:
        if (i.obj == 0) task_queue_op(w.lq, i, regs);
        else task_queue_op(w.pq, i, regs);
        break;
    }
  }
}

// The pipe grammars' world and interpreter: three pipes of 16 bytes, their
// ends 0 and 1 in turn, and the atomics and the cell run_threads reads.
struct world_pipes {
  using end_t = weave::model::pipe_end;
  std::array<end_t, 6> e;
  std::array<weave::model_sync::atomic<std::uint32_t>, 2> a{weave::model_sync::atomic<std::uint32_t>(0),
                                                           weave::model_sync::atomic<std::uint32_t>(0)};
  weave::model_sync::cell<std::uint32_t> c{0};
  explicit world_pipes(pipe_mode m) {
    for (std::size_t k = 0; k < 3; ++k)
      std::tie(e[2 * k], e[2 * k + 1]) = end_t::make_local({.duplex = m == pipe_mode::duplex, .capacity = 16});
  }
};

/// A pipe message: v, then 4 zero bytes (a record of 12 bytes: one fills a ring of 16).
std::array<std::byte, 8> message(std::uint32_t v) {
  std::array<std::byte, 8> m{};
  std::memcpy(m.data(), &v, sizeof v);
  return m;
}

/// The value of a message that message() made (0xfff0: not one).
std::uint32_t value_of(const std::vector<std::byte>& m) {
  std::uint32_t v = 0xfff0;
  if (m.size() == 8) std::memcpy(&v, m.data(), sizeof v);
  return v;
}

void run(const std::vector<instr>& code, world_pipes& w, outcome& regs) {
  using namespace std::chrono_literals;
  for (const instr& i : code) {
    if (memory_op(i, w, regs)) continue;
    world_pipes::end_t& end = w.e[static_cast<std::size_t>(i.obj)];
    switch (i.k) {
      case kind::p_send: {
        const std::array<std::byte, 8> m = message(i.value);
        regs.push_back(static_cast<std::uint32_t>(end.send(std::span<const std::byte>(m))));
        break;
      }
      case kind::p_recv:
      case kind::p_recv_for: {
        std::vector<std::byte> m;
        const weave::recv_result r = i.k == kind::p_recv ? end.recv(m) : end.recv_for(m, 1ms);
        regs.push_back(static_cast<std::uint32_t>(r.status));
        if (r) regs.push_back(value_of(m));
        break;
      }
      case kind::p_poll: regs.push_back(end.poll(1ms) ? 1 : 0); break;
      case kind::p_close: end.close(); break;
      default: break;
    }
  }
}

// What is left in a queue, in the order it comes out, then the status that
// ended the drain (empty, or closed) and the unfinished tasks.
template <class Queue>
void leftovers(Queue& q, outcome& o) {
  std::uint32_t v = 0;
  weave::queue_status st;
  while ((st = q.try_get(v)) == weave::queue_status::ok) o.push_back(v);
  o.push_back(static_cast<std::uint32_t>(st));
  o.push_back(static_cast<std::uint32_t>(q.unfinished_tasks()));
}

template <class Ring>
void leftovers_ring(Ring& r, outcome& o) {
  while (const std::optional<std::uint32_t> v = r.try_pop()) o.push_back(*v);
  o.push_back(0xfffeu);
}

/// What one way saw: its search's result, the outcomes of the executions
/// that ended, each with the fewest preemptions any of them took to end so,
/// and how many ended with each number of preemptions (a bounded search's
/// reference, in plain DFS's).
struct seen_by_way {
  weave::model::result result;
  std::map<outcome, int> outcomes;
  std::vector<std::uint64_t> ends;
  bool ends_are_steps = false;  // recorded by executions whose threads' ends are steps
};

// The check body reads its program from here and records each counted
// execution's outcome in *seen (record); explore() sets both.
const program* current = nullptr;
seen_by_way* seen = nullptr;

void record(const outcome& o) {
  if (!weave::model::counted()) return;
  const weave::model::detail::engine& e = *weave::model::detail::engine::current;
  // A search that meets a question whether a thread lives starts again with
  // threads' ends as steps (engine::asked_after_life): the executions before
  // were of a search it dropped, and the search it finishes must see every
  // outcome itself.
  if (e.ends_are_steps() && !seen->ends_are_steps) {
    seen->outcomes.clear();
    seen->ends.clear();
  }
  seen->ends_are_steps = e.ends_are_steps();
  const int p = e.preemptions();
  const auto [at, fresh] = seen->outcomes.emplace(o, p);
  if (!fresh) at->second = std::min(at->second, p);
  if (seen->ends.size() <= static_cast<std::size_t>(p)) seen->ends.resize(static_cast<std::size_t>(p) + 1);
  ++seen->ends[static_cast<std::size_t>(p)];
}

// Runs the program's threads on w; their registers, each thread's ended by 0xffffffff.
template <class World>
outcome run_threads(const program& p, World& w) {
  std::vector<outcome> regs(p.threads.size());
  std::vector<weave::model::thread> threads;
  first_thread_id = weave::model_sync::self() + 1;
  for (std::size_t t = 0; t < p.threads.size(); ++t)
    threads.emplace_back([&w, &regs, &p, t] { run(p.threads[t], w, regs[t]); });
  for (auto& t : threads) t.join();
  outcome o;
  for (const outcome& r : regs) {
    o.insert(o.end(), r.begin(), r.end());
    o.push_back(0xffffffffu);  // where a thread's registers end
  }
  // Relaxed: the joins order every store before these loads.
  for (auto& a : w.a) o.push_back(a.load(std::memory_order_relaxed));
  o.push_back(w.c.read());
  return o;
}

/// The program's outcome: its threads' registers and what is left in its world.
outcome outcome_of(const program& p) {
  if (p.pipes != pipe_mode::none) {
    world_pipes w(p.pipes);
    outcome o = run_threads(p, w);
    for (world_pipes::end_t& end : w.e) {  // whether each end is open; what it has left to receive, and how that ends
      o.push_back(end.is_open() ? 1 : 0);
      if (!end.is_open() || !end.readable()) continue;
      std::vector<std::byte> m;
      weave::recv_result r;
      while ((r = end.recv_for(m, std::chrono::nanoseconds(0)))) o.push_back(value_of(m));
      o.push_back(static_cast<std::uint32_t>(r.status));
    }
    return o;
  }
  if (p.queues) {
    world_queues w(p.permits, p.capacity);
    outcome o = run_threads(p, w);
    leftovers(w.lq, o);
    leftovers(w.pq, o);
    leftovers_ring(w.sr, o);
    leftovers_ring(w.mr, o);
    o.push_back(static_cast<std::uint32_t>(w.s.available()));
    return o;
  }
  if (p.more) {
    world_more w(p.permits);
    outcome o = run_threads(p, w);
    o.push_back(w.f.done() ? 1 : 0);
    const auto st = w.t.status();  // the timer's thread may still be on its way
    o.push_back(st ? static_cast<std::uint32_t>(*st) : 2);
    o.push_back(w.bar.broken() ? 1 : 0);
    o.push_back(static_cast<std::uint32_t>(w.b.available()));
    o.push_back(w.rb.is_locked() ? 1 : 0);
    return o;
  }
  world w(p.permits);
  outcome o = run_threads(p, w);
  o.push_back(w.e.is_set() ? 1 : 0);
  std::uint32_t left = 0;  // what is still in the queue (0xfffe: nothing)
  o.push_back(w.q.try_get(left) == weave::queue_status::ok ? left : 0xfffeu);
  o.push_back(w.rq.try_get(left) == weave::queue_status::ok ? left : 0xfffeu);
  return o;
}

// The check body. It records once the world is gone (a timer's thread
// joined), so that no thread runs after: the preemptions it records are its
// execution's.
void interpret() { record(outcome_of(*current)); }

/// slices > 1: the search split as --shard K/N splits it (and --jobs, which
/// make check-models uses), the slices' outcomes joined and the first
/// failure among them the verdict.
struct way {
  const char* name;
  memory_model memory;
  primitive_mode primitives;
  bool reduction;
  int slices = 1;
  const char* forward = nullptr;  // WEAVE_FAST_FORWARD for this way (nullptr: as the environment says)
  int preemptions = -1;  // a bounded search's bound (--preemptions)
  std::uint64_t cap = 0;  // a lower cap than the test's (0: none), unless the test's is raised
  weave::model::strategy search = weave::model::strategy::dfs;  // random, pct: kSample executions
};

// A random or PCT search's executions (--strategy): a sample of plain DFS's.
constexpr std::uint64_t kSample = 200;

constexpr way kWays[] = {
    {"sc opaque plain", memory_model::sc, primitive_mode::opaque, false},
    {"sc opaque dpor", memory_model::sc, primitive_mode::opaque, true},
    {"sc transparent dpor", memory_model::sc, primitive_mode::transparent, true},
    {"rc11 opaque plain", memory_model::rc11, primitive_mode::opaque, false},
    {"rc11 opaque dpor", memory_model::rc11, primitive_mode::opaque, true},
    {"rc11 transparent dpor", memory_model::rc11, primitive_mode::transparent, true},
    {"sc opaque dpor in 3 slices", memory_model::sc, primitive_mode::opaque, true, 3},
    {"rc11 opaque dpor in 3 slices", memory_model::rc11, primitive_mode::opaque, true, 3},
    {"sc transparent dpor, fast-forward verified", memory_model::sc, primitive_mode::transparent, true, 1, "verify"},
    {"rc11 opaque dpor, fast-forward verified", memory_model::rc11, primitive_mode::opaque, true, 1, "verify"},
    {"sc opaque within 0 preemptions", memory_model::sc, primitive_mode::opaque, false, 1, nullptr, 0},
    {"sc opaque within 1 preemption", memory_model::sc, primitive_mode::opaque, false, 1, nullptr, 1},
    {"rc11 opaque within 0 preemptions", memory_model::rc11, primitive_mode::opaque, false, 1, nullptr, 0},
    {"rc11 opaque within 1 preemption", memory_model::rc11, primitive_mode::opaque, false, 1, nullptr, 1},
    {"sc transparent plain", memory_model::sc, primitive_mode::transparent, false},
    {"sc transparent within 0 preemptions", memory_model::sc, primitive_mode::transparent, false, 1, nullptr, 0},
    {"sc transparent within 1 preemption", memory_model::sc, primitive_mode::transparent, false, 1, nullptr, 1},
    {"sc transparent within 2 preemptions", memory_model::sc, primitive_mode::transparent, false, 1, nullptr, 2},
    {"rc11 transparent plain", memory_model::rc11, primitive_mode::transparent, false, 1, nullptr, -1, 4000},
    {"rc11 transparent within 0 preemptions", memory_model::rc11, primitive_mode::transparent, false, 1, nullptr, 0, 4000},
    {"rc11 transparent within 1 preemption", memory_model::rc11, primitive_mode::transparent, false, 1, nullptr, 1, 4000},
    {"sc opaque random", memory_model::sc, primitive_mode::opaque, false, 1, nullptr, -1, 0, weave::model::strategy::random},
    {"sc opaque pct", memory_model::sc, primitive_mode::opaque, false, 1, nullptr, -1, 0, weave::model::strategy::pct},
    {"rc11 opaque random", memory_model::rc11, primitive_mode::opaque, false, 1, nullptr, -1, 0, weave::model::strategy::random},
    {"rc11 opaque pct", memory_model::rc11, primitive_mode::opaque, false, 1, nullptr, -1, 0, weave::model::strategy::pct},
    {"sc transparent random", memory_model::sc, primitive_mode::transparent, false, 1, nullptr, -1, 0, weave::model::strategy::random},
    {"rc11 transparent pct", memory_model::rc11, primitive_mode::transparent, false, 1, nullptr, -1, 0, weave::model::strategy::pct},
};

/// The cap way w keeps to in a test whose cap is `cap`.
std::uint64_t cap_of(const way& w, std::uint64_t cap) { return w.cap != 0 && cap <= kCap ? std::min(w.cap, cap) : cap; }

/// Whether code, or a body inside it, has an instruction of a kind `of` picks.
template <class Pick>
bool has(const std::vector<instr>& code, Pick of) {
  return std::any_of(code.begin(), code.end(), [&](const instr& i) { return of(i.k) || has(i.body, of); });
}

/// Whether code may misuse a primitive (a bounded semaphore's over-release,
/// set_running after set_value, a task_done more than were put: a
/// usage_error). Such a program may deadlock
/// in other executions, and which failure a search meets first, the one it
/// reports, depends on the order it explores in.
bool may_misuse(const std::vector<instr>& code) {
  return has(code, [](kind k) { return k == kind::b_release || k == kind::set_running || k == kind::q_task_done; });
}

// Whether code polls (kind::poll_*). The poll grammars' loops each end, or
// wait for a write that no thread makes: a deadlock. None is a livelock,
// under any way (the await rule sees each call as one step, engine::call_end).
bool polls(const std::vector<instr>& code) {
  return has(code, [](kind k) {
    return k == kind::poll_get || k == kind::poll_is_set || k == kind::poll_lock || k == kind::poll_acquire ||
           k == kind::poll_load;
  });
}

seen_by_way explore(const program& p, const way& w, std::uint64_t cap) {
  const scoped_env f("WEAVE_FAST_FORWARD", w.forward);
  seen_by_way s;
  current = &p;
  seen = &s;
  weave::model::options o;
  o.shard_count = w.slices;
  o.memory = w.memory;
  o.primitives = w.primitives;
  o.reduction = w.reduction;
  // Opaque: on past a failure, for every execution's outcome. Transparent
  // stops at the first: going on past a deadlock inside the primitives'
  // internals is millions of executions.
  o.outcomes = w.primitives == primitive_mode::opaque;
  o.minimize = false;
  // Every schedule, however late a thread (no fairness cut): these programs
  // have no loops, so no schedule times out for ever, and a search that cut
  // some would be bounded, not the whole that the ways must agree on.
  o.late_time_outs = 254;
  if (const char* env = std::getenv("WEAVE_DIFFERENTIAL_LATE")) o.late_time_outs = std::atoi(env);
  o.max_executions = cap;
  // A program that polls ends each poll loop in a few rounds (an idle one
  // sleeps until another thread writes), or never (a deadlock): its
  // executions are short (the poll grammar's took at most 100 steps, on the
  // 12 programs of `make check` and 200 of a soak), and a poll still going
  // at kPollSteps is a livelock. A checker that loses the await rule for
  // calls (engine::call_end) then fails here in seconds, compare's rule for
  // polls naming the programs. At max_steps' 10,000 (and as many run on
  // silently, in every execution of a search that goes on past failures)
  // the poll grammar did not finish in 5 minutes.
  if (std::any_of(p.threads.begin(), p.threads.end(), polls)) o.max_steps = kPollSteps;
  o.preemptions = w.preemptions;
  o.search = w.search;
  o.iterations = kSample;
  o.seed = std::hash<std::string>{}(p.name);  // (a sample of its own for each program)
  for (int k = 0; k < w.slices; ++k) {
    o.shard_index = k;
    const weave::model::result r = weave::model::check(o, interpret);
    s.result.executions += r.executions;
    s.result.unfair += r.unfair;
    s.result.blocked += r.blocked;
    if (s.result.found == verdict::pass) s.result.found = r.found;
  }
  current = nullptr;
  seen = nullptr;
  return s;
}

std::string outcome_text(const outcome& o) {
  std::string s;
  for (std::uint32_t v : o) s += v == 0xffffffffu ? std::string(" |") : " " + std::to_string(v);
  return s;
}

// The pairs of ways compared (indices into kWays); subset: a's outcomes are
// among b's, and b may fail where a does not; same: the same search, to the
// execution (fast-forwarding, forward.cpp, changes nothing it explores);
// within: b is a's search bounded to b's preemptions: it runs the executions
// of a that take at most that many (the count and the preemptions both as
// engine::switch_preempts says), so it ends as often (or covers what does
// not end, compare's differ_within), with the outcomes that a
// reaches within the bound, and may pass where a fails. sample: a is a
// random or PCT search, a sample of b's executions (b plain DFS or, with
// transparent primitives, reduction): a's outcomes are among b's, a may pass
// where b fails, and where a fails, b fails the same way. least: the
// percentage of programs the pair must be compared on (plain DFS with
// transparent primitives is over the cap on a third of the second and third
// families' programs; under rc11, at its lower cap, on about half).
struct pair_of_ways {
  std::size_t a, b;
  bool subset;
  bool same = false;
  bool within = false;
  int least = 75;
  bool sample = false;
};
constexpr pair_of_ways kPairs[] = {
    {0, 1, false}, {0, 2, false}, {3, 4, false}, {3, 5, false},
    {1, 2, false}, {4, 5, false},  // opaque and transparent where plain DFS is over the cap
    {0, 3, true},   // every sc outcome is an rc11 outcome
    {1, 6, false},  // the slices together are the whole search
    {4, 7, false},
    {2, 8, false, true}, {4, 9, false, true},
    {0, 10, false, false, true}, {0, 11, false, false, true},
    {3, 12, false, false, true}, {3, 13, false, false, true},
    {14, 2, false, false, false, 50},  // reduction, transparent
    {14, 15, false, false, true, 50}, {14, 16, false, false, true, 50}, {14, 17, false, false, true, 50},
    {18, 5, false, false, false, 40},  // reduction, transparent, rc11
    {18, 19, false, false, true, 40}, {18, 20, false, false, true, 40},
    {21, 0, false, false, false, 75, true}, {22, 0, false, false, false, 75, true},  // random and pct
    {23, 3, false, false, false, 75, true}, {24, 3, false, false, false, 75, true},
    {25, 2, false, false, false, 75, true}, {26, 5, false, false, false, 75, true},
};

/// How many programs had some way over the cap, and how many each pair of ways was compared on.
struct tally {
  int cut = 0;
  std::array<int, std::size(kPairs)> compared{};
};

/// Whether pair k of ways compares a transparent way (left out by compare's opaque_only).
bool transparent_pair(std::size_t k) {
  return kWays[kPairs[k].a].primitives == primitive_mode::transparent ||
         kWays[kPairs[k].b].primitives == primitive_mode::transparent;
}

/// What differs between the ways on p (empty: nothing), counted in *counts;
/// opaque_only: the ways with transparent primitives are left out; a way over
/// cap executions is left out too.
std::string compare(const program& p, tally* counts, bool opaque_only, std::uint64_t cap = kCap) {
  std::vector<seen_by_way> by;
  for (const way& w : kWays)
    by.push_back(opaque_only && w.primitives == primitive_mode::transparent ? seen_by_way{} : explore(p, w, cap_of(w, cap)));
  // A way cut short at the cap has not seen every outcome: it is left out,
  // and the other ways are still compared with each other. So is a search
  // split in slices that the fairness rule cut (WEAVE_DIFFERENTIAL_LATE): a
  // slice's sleep sets count on the other slices' subtrees being explored in
  // full, and a cut one was not (engine::cut_unfair; --jobs runs such a
  // search again whole, jobs.cpp's explore).
  std::vector<bool> cut;
  for (std::size_t k = 0; k < by.size(); ++k)
    cut.push_back(by[k].result.executions >= cap_of(kWays[k], cap) ||
                  (kWays[k].slices > 1 && by[k].result.unfair > 0));
  if (std::find(cut.begin(), cut.end(), true) != cut.end()) {
    ++counts->cut;
    if (std::getenv("WEAVE_DIFFERENTIAL_VERBOSE") != nullptr) {
      std::string ways;
      for (std::size_t k = 0; k < cut.size(); ++k)
        if (cut[k]) ways += std::string(ways.empty() ? "" : ", ") + kWays[k].name;
      std::printf("  over the cap, left out: %s\n", ways.c_str());
    }
  }
  bool misuse = false, poll = false;
  for (const auto& t : p.threads) {
    misuse = misuse || may_misuse(t);
    poll = poll || polls(t);
  }
  auto either_failure = [&](verdict a, verdict b) {  // a misuse and a deadlock: both are there
    return misuse && ((a == verdict::usage_error && b == verdict::deadlock) ||
                      (a == verdict::deadlock && b == verdict::usage_error));
  };
  std::string d;
  auto name = [](std::size_t i) { return std::string(kWays[i].name); };
  // b runs a's executions within its bound (pair_of_ways::within).
  auto differ_within = [&](std::size_t a, std::size_t b) {
    const seen_by_way &x = by[a], &y = by[b];
    const int bound = kWays[b].preemptions;
    std::string why;
    if (y.result.found != verdict::pass && x.result.found == verdict::pass)
      why += "      verdict pass (" + name(a) + ") vs " + to_string(y.result.found) + " (" + name(b) + ")\n";
    // A transparent search stops at its first failure: then it has not seen
    // every execution, and only the verdicts are compared.
    const bool all_seen = kWays[b].primitives == primitive_mode::opaque ||
                          (x.result.found == verdict::pass && y.result.found == verdict::pass);
    std::uint64_t ends = 0, want = 0;
    for (const std::uint64_t n : y.ends) ends += n;
    for (std::size_t k = 0; k < x.ends.size() && k <= static_cast<std::size_t>(bound); ++k) want += x.ends[k];
    // Where a search covered an execution (result::blocked: neither way
    // reduces, so each is a loop's give-up that its site was found to wait,
    // engine::covered_by_park), which ones it covered depends on what it ran
    // before: a site a plain search finds to wait in an execution over the
    // bound covers give-ups that the bounded search runs to their end
    // (program poll 2654 of the poll grammar: 12 end within 0 preemptions,
    // 18 bounded). Then each of a's executions within the bound ends or is
    // covered in b.
    const bool covers = x.result.blocked != 0 || y.result.blocked != 0;
    if (all_seen && (covers ? want > ends + y.result.blocked : ends != want))
      why += "      " + std::to_string(want) + " executions end within the bound (" + name(a) + ") vs " +
             std::to_string(ends) + (covers ? " and " + std::to_string(y.result.blocked) + " covered" : "") + " (" +
             name(b) + ")\n";
    for (const auto& [o, fewest] : x.outcomes)
      if (all_seen && fewest <= bound && !y.outcomes.count(o))
        why += "      only " + name(a) + " (" + std::to_string(fewest) + " preemptions):" + outcome_text(o) + "\n";
    for (const auto& [o, unused] : y.outcomes)
      if (const auto at = x.outcomes.find(o); all_seen && (at == x.outcomes.end() || at->second > bound))
        why += "      only " + name(b) + ":" + outcome_text(o) + "\n";
    if (!why.empty()) d += "    " + name(a) + " vs " + name(b) + ":\n" + why;
  };
  auto differ = [&](std::size_t a, std::size_t b, bool subset, bool same, bool sample) {
    const seen_by_way &x = by[a], &y = by[b];
    std::string why;
    if (same && (x.result.executions != y.result.executions || x.result.found != y.result.found))
      why += "      " + std::to_string(x.result.executions) + " executions, " + to_string(x.result.found) + " (" +
             name(a) + ") vs " + std::to_string(y.result.executions) + ", " + to_string(y.result.found) + " (" +
             name(b) + ")\n";
    // A search that stopped at a failure saw only some outcomes: then only the verdicts are compared.
    const bool all_seen = kWays[b].primitives == primitive_mode::opaque || y.result.found == verdict::pass;
    for (const auto& [o, unused] : x.outcomes)
      if (all_seen && !y.outcomes.count(o))
        why += "      only " + name(a) + ":" + outcome_text(o) + "\n";
    if (!subset && !sample && all_seen)
      for (const auto& [o, unused] : y.outcomes)
        if (!x.outcomes.count(o)) why += "      only " + name(b) + ":" + outcome_text(o) + "\n";
    // As a subset (sc within rc11): the larger may fail where the smaller does not.
    const bool fx = x.result.found != verdict::pass, fy = y.result.found != verdict::pass;
    const bool same_failure = x.result.found == y.result.found || either_failure(x.result.found, y.result.found);
    if (subset ? fx && !fy : sample ? fx && !same_failure : !same_failure)
      why += "      verdict " + std::string(to_string(x.result.found)) + " (" + name(a) + ") vs " +
             to_string(y.result.found) + " (" + name(b) + ")\n";
    if (!why.empty()) d += "    " + name(a) + " vs " + name(b) + ":\n" + why;
  };
  for (std::size_t k = 0; k < std::size(kPairs); ++k) {
    const pair_of_ways& w = kPairs[k];
    if (cut[w.a] || cut[w.b] || (opaque_only && transparent_pair(k))) continue;
    ++counts->compared[k];
    if (w.within) differ_within(w.a, w.b);
    else differ(w.a, w.b, w.subset, w.same, w.sample);
  }
  for (std::size_t k = 0; k < by.size() && poll; ++k)  // every way, cut or not (polls)
    if (by[k].result.found == verdict::livelock)
      d += "    " + name(k) + ": a livelock, where a poll loop either ends or waits for a write no thread makes\n";
  return d.empty() ? d : "  " + to_text(p) + d;
}

template <class Generator>
std::vector<program> programs(std::uint32_t seed, int count) {
  Generator g(seed);
  std::vector<program> out;
  for (int id = 0; id < count; ++id) out.push_back(g.make(id));
  return out;
}

}  // namespace

class differential_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(differential_test);
  CPPUNIT_TEST(every_way_sees_the_same_outcomes);
  CPPUNIT_TEST(the_other_primitives_too);
  CPPUNIT_TEST(the_queues_and_rings_too);
  CPPUNIT_TEST(every_small_timer_program);
  CPPUNIT_TEST(timer_and_future_programs);
  CPPUNIT_TEST(programs_of_small_grammars);
  CPPUNIT_TEST(programs_soaks_found);
  CPPUNIT_TEST(pipes_keep_one_order_under_rc11);
  CPPUNIT_TEST(a_duplex_close_is_one_step);
  CPPUNIT_TEST_SUITE_END();

 public:
  void every_way_sees_the_same_outcomes() { compare_all<generator>(20240521, 150); }
  void the_other_primitives_too() { compare_all<generator_more>(20261202, 100); }
  void the_queues_and_rings_too() { compare_all<generator_queues>(20261203, 80); }
  // The opaque ways only: the timer's transparent searches are mostly over the cap.
  void every_small_timer_program() { compare_programs(every(small_timer_grammar(), 1), "every one of a grammar", true); }
  // Every eighth program of the timer with the future, the opaque ways only.
  void timer_and_future_programs() {
    compare_programs(every(timer_and_future_grammar(), 8), "every eighth of a grammar", true);
  }
  // Every grammar's programs spread evenly, 12 of each; WEAVE_DIFFERENTIAL_SOAK=SEED:COUNT:
  // slice SEED (modulo how many there are) of COUNT programs of each, in a fixed
  // shuffled order, so that seeds in a row cover the whole grammar.
  // WEAVE_GRAMMAR=NAME: that grammar only; WEAVE_GRAMMAR_CALLS=2: a second call a thread;
  // WEAVE_GRAMMAR_PROGRAM=ID: program ID of each grammar only (as a difference names it).
  void programs_of_small_grammars() {
    const char* only = std::getenv("WEAVE_GRAMMAR");
    const char* soak = std::getenv("WEAVE_DIFFERENTIAL_SOAK");
    auto [seed, count] = soak_or(0, 12);
    bool any = false;
    const std::string calls = std::getenv("WEAVE_GRAMMAR_CALLS") ? std::getenv("WEAVE_GRAMMAR_CALLS") : "1";
    CPPUNIT_ASSERT_MESSAGE("WEAVE_GRAMMAR_CALLS=" + calls + ": want 1 or 2", calls == "1" || calls == "2");
    for (grammar g : grammars()) {
      if (only != nullptr && g.name != std::string(only)) continue;
      g.second_call = calls == "2";
      // Plain DFS, the reference, grows fastest with a second call: at 20,000
      // it finishes on few programs, at 100,000 on most but the robust mutex's.
      if (g.second_call) g.cap = std::max<std::uint64_t>(g.cap, 100000);
      any = true;
      std::vector<int> order(static_cast<std::size_t>(g.size()));
      for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<int>(k);
      std::shuffle(order.begin(), order.end(), std::mt19937(20261203));
      const int slices = (g.size() + count - 1) / count;
      const std::size_t from = soak != nullptr ? static_cast<std::size_t>(seed % static_cast<std::uint32_t>(slices)) *
                                                     static_cast<std::size_t>(count)
                                               : 0;
      const std::size_t stride = soak != nullptr ? 1 : order.size() / static_cast<std::size_t>(count);
      std::vector<program> all;
      for (std::size_t k = from; k < order.size() && all.size() < static_cast<std::size_t>(count); k += stride)
        if (std::optional<program> p = g.make(order[k])) all.push_back(std::move(*p));
      if (const char* id = std::getenv("WEAVE_GRAMMAR_PROGRAM")) {  // that program of the grammar only
        all.clear();
        if (std::optional<program> p = g.make(std::atoi(id))) all.push_back(std::move(*p));
      }
      // Not the poll grammars' programs: polled, a call of a lock-based
      // primitive, transparent, can starve a thread blocked on that lock for
      // ever (each time it wakes, the poller holds the lock again), and the
      // step bound calls it a livelock, which opaque calls cannot have.
      const bool transparent =
          g.pipes != pipe_mode::none ||  // no other test compares opaque pipes with transparent ones
          (std::getenv("WEAVE_GRAMMAR_TRANSPARENT") != nullptr &&
           std::none_of(all.begin(), all.end(),
                        [](const program& p) { return std::any_of(p.threads.begin(), p.threads.end(), polls); }));
      compare_programs(all, std::string("grammar ") + g.name + " of " + std::to_string(g.size()) + ", from " +
                                std::to_string(from) + (stride > 1 ? " every " + std::to_string(stride) : ""),
                       !transparent, 25, g.cap);
    }
    CPPUNIT_ASSERT_MESSAGE(std::string("WEAVE_GRAMMAR=") + (only ? only : "") + ": no such grammar", any);
  }

  // Programs of the grammars on which a soak found the ways to differ, kept
  // so that every run compares them: poll 2654 and 734, where plain DFS,
  // having found the poll's site to wait in an execution over the bound,
  // covered give-ups that the bounded search ran to their end (12 end within
  // 0 preemptions under rc11, 18 bounded; 8 and 11), which compare's
  // differ_within once counted as a difference.
  // Pipes keep Python's order across primitives under rc11 (pipe.hpp, P8).
  // When their deciding reads were acquire loads, the duplex pipe grammar's
  // program 3229 had an outcome no order of whole calls gives: T0 closes its
  // end of p0, then its recv_for on p2 times out; T2 closes p2, then its
  // recv_for on p1 times out though T1 sent there; T1 sends on p1, then its
  // send on p0 says ok though T0 closed it. Each thread missed what the next
  // did, through send_until's and recv_until's acquire loads; transparent
  // rc11 found it and opaque rc11 did not. Now the ways agree. (Opaque plain
  // DFS is over the cap here under rc11, its calls' reads taking every value
  // RC11 allows: opaque with reduction stands in, kPairs' {4, 5}.)
  void pipes_keep_one_order_under_rc11() { duplex_pipe_program(3229); }

  // A duplex end's close() shuts its receiving side, then its sending side
  // (pipe.hpp, P5). The duplex pipe grammar's soak found, in program 355, a
  // peer between the two, under sc: T1 closes its end of p0; T0's send on p0
  // is refused (closed), and then its recv_for on p0 timed out instead of
  // reporting the end of the stream, which opaque ways, running close() as
  // one step, did not find. Now the peer's recv reads the bit the first
  // shut sets, and the close is one step for it: the ways agree.
  void a_duplex_close_is_one_step() { duplex_pipe_program(355); }

  /// Program id of the duplex pipe grammar, every way, transparent ones too:
  /// the same outcomes and verdicts in every pair (compare), each pair as far
  /// as its ways finish within the cap.
  static void duplex_pipe_program(int id) {
    const grammar g = duplex_pipe_grammar();
    const std::optional<program> p = g.make(id);
    CPPUNIT_ASSERT(p.has_value());
    compare_programs({*p}, "duplex pipe " + std::to_string(id) + ", found by a soak", false, 0, g.cap);
  }

  void programs_soaks_found() {
    const std::pair<const char*, int> found[] = {{"poll", 2654}, {"poll", 734}};
    std::vector<program> all;
    std::uint64_t cap = kCap;
    for (const auto& [name, id] : found)
      for (const grammar& g : grammars())
        if (g.name == std::string(name)) {
          std::optional<program> p = g.make(id);
          CPPUNIT_ASSERT_MESSAGE(std::string(name) + " " + std::to_string(id) + ": no such program", p.has_value());
          all.push_back(std::move(*p));
          cap = std::max(cap, g.cap);
        }
    CPPUNIT_ASSERT_EQUAL(std::size(found), all.size());
    compare_programs(all, "found by soaks", true, 75, cap);
  }

 private:
  /// Every stride-th program of g (from its first), those that keep its `once`.
  static std::vector<program> every(const grammar& g, int stride) {
    std::vector<program> all;
    for (int id = 0; id < g.size(); id += stride)
      if (std::optional<program> p = g.make(id)) all.push_back(std::move(*p));
    return all;
  }

  /// Compares every way on `count` programs of Generator from `seed` (fixed:
  /// the same programs every run), or as WEAVE_DIFFERENTIAL_SOAK says.
  template <class Generator>
  static void compare_all(std::uint32_t seed, int count) {
    std::tie(seed, count) = soak_or(seed, count);
    compare_programs(programs<Generator>(seed, count), "seed " + std::to_string(seed), false);
  }

  /// The seed and count WEAVE_DIFFERENTIAL_SOAK says, or these.
  static std::pair<std::uint32_t, int> soak_or(std::uint32_t seed, int count) {
    if (const char* env = std::getenv("WEAVE_DIFFERENTIAL_SOAK")) {
      unsigned long s = 0;
      int n = 0;
      if (std::sscanf(env, "%lu:%d", &s, &n) == 2 && n > 0) return {static_cast<std::uint32_t>(s), n};
    }
    return {seed, count};
  }

  /// Compares the ways on each of the programs `all` (`which`: the programs,
  /// for the summary line; opaque_only and cap: as compare's), each pair of
  /// ways on more than min_percent of them. A soak's slice may have fewer
  /// within the cap (most of some grammars' programs are over it for plain
  /// DFS): it says so and fails only where the ways differ.
  // min_percent: of the programs, each pair of ways is compared on at least
  // that share (0: any, for one program kept for what a soak found).
  static void compare_programs(const std::vector<program>& all, const std::string& which, bool opaque_only,
                               int min_percent = 75, std::uint64_t cap = kCap) {
    std::string failures, names;
    int failed = 0;
    tally t;
    if (const char* env = std::getenv("WEAVE_DIFFERENTIAL_CAP"))
      cap = std::max<std::uint64_t>(cap, std::strtoull(env, nullptr, 10));
    const bool verbose = std::getenv("WEAVE_DIFFERENTIAL_VERBOSE") != nullptr;  // every program, as it runs
    for (const program& p : all) {
      if (verbose) std::fputs(to_text(p).c_str(), stdout);
      const std::string d = compare(p, &t, opaque_only, cap);
      if (d.empty()) continue;
      ++failed;
      failures += d;
      names += " " + p.name;
    }
    std::fputs(failures.c_str(), stdout);
    std::printf("differential: %zu programs (%s), %d too large for some way (the other ways compared), "
                "%d differ\n",
                all.size(), which.c_str(), t.cut, failed);
    std::fflush(stdout);
    CPPUNIT_ASSERT_MESSAGE(std::to_string(failed) + " programs differ between the ways (details on stdout):" + names,
                           failed == 0);
    const bool soak = std::getenv("WEAVE_DIFFERENTIAL_SOAK") != nullptr || std::getenv("WEAVE_GRAMMAR_PROGRAM") != nullptr;
    for (std::size_t k = 0; k < std::size(kPairs); ++k) {  // each comparison is made on most programs
      if (opaque_only && transparent_pair(k)) continue;
      const std::string what = std::string(kWays[kPairs[k].a].name) + " vs " + kWays[kPairs[k].b].name + ": " +
                               std::to_string(t.compared[k]) + " programs compared of " + std::to_string(all.size());
      const bool enough = min_percent == 0 ||
                          t.compared[k] * 100 > static_cast<int>(all.size()) * std::min(min_percent, kPairs[k].least);
      if (soak && !enough) std::printf("differential: only %s (a soak's slice: said, not failed)\n", what.c_str());
      CPPUNIT_ASSERT_MESSAGE(what, soak || enough);
    }
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(differential_test);
