// The shapes of CDSChecker's benchmark suite, under weave's checker.
//   checker_cds_suite [--memory-model rc11|sc] [--verbose] [NAME...]
//     runs each program with model::check (exhaustive dfs, reduction on) and
//     prints one row per program: name, expected verdict, verdict found,
//     executions, exhaustive, seconds. Exit status 1 if any verdict differs
//     from the one declared for the memory model explored.
//
// The programs follow the benchmarks of Norris and Demsky, "CDSChecker:
// Checking Concurrent Data Structures Written with C/C++ Atomics" (OOPSLA
// 2013): Dekker with fences, the MCS lock, Vyukov's bounded MPMC queue, the
// Michael-Scott queue, the Linux reader/writer spinlock, the Chase-Lev deque
// and an eventcount. Each is written here from its paper's description, kept
// small (2-3 threads, 1-2 operations each, capacities 1-2) so it finishes
// exhaustively. Plain shared data is a model cell, so a missing
// release/acquire shows up as a data race.
//
// Every memory order names its partner. The orders that make the program
// correct (the ones a weak-memory checker must get right) are marked
// "KEY ORDER"; the buggy twins (programs 7 and 9) weaken exactly one of them.
//
// Each program declares its verdict twice: under RC11 (the default, what the
// suite is about) and under sc (interleavings only). The two differ only where
// the bug needs weak memory: the eventcount's lost wake-up is a store-buffering
// outcome that no interleaving produces.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "weave/model.hpp"

namespace {
using weave::model::thread;
using weave::model::verdict;
using S = weave::model_sync;
template <class T>
using atomic = S::atomic<T>;
template <class T>
using cell = S::cell<T>;
constexpr auto rlx = std::memory_order_relaxed;
constexpr auto acq = std::memory_order_acquire;
constexpr auto rel = std::memory_order_release;
constexpr auto acq_rel = std::memory_order_acq_rel;
constexpr auto sc = std::memory_order_seq_cst;

// ---------------------------------------------------------------------------
// 1. Dekker's mutual exclusion with seq_cst fences (Dijkstra, 1965; in C11
//    form as CDSChecker's dekker-fences). Each thread raises its flag, then
//    reads the other's: a store then a load of another location, which only a
//    seq_cst fence between them keeps from being reordered (store buffering).
// ---------------------------------------------------------------------------
struct dekker_lock {
  atomic<int> wants[2] = {atomic<int>(0), atomic<int>(0)};
  atomic<int> turn{0};

  void lock(int me) {
    const int other = 1 - me;
    wants[me].store(1, rlx);  // relaxed: ordered by the fence below
    S::fence(sc);  // KEY ORDER: pairs with the other's seq_cst fence; one of us sees the other's flag
    while (wants[other].load(rlx) == 1) {  // relaxed: the fences order it
      if (turn.load(rlx) == me) {  // relaxed: turn only breaks ties, it publishes nothing
        S::spin();
        continue;
      }
      wants[me].store(0, rlx);  // back off until it is my turn; relaxed: the other's loads need no data from us
      while (turn.load(rlx) != me) S::spin();  // relaxed: as above
      wants[me].store(1, rlx);  // relaxed: ordered by the fence below
      S::fence(sc);  // KEY ORDER: as above
    }
    S::fence(acq);  // KEY ORDER: pairs with the release fence in unlock: its critical section happened before
  }
  void unlock(int me) {
    turn.store(1 - me, rlx);  // relaxed: a hint to the other, published by the fence below
    S::fence(rel);  // KEY ORDER: pairs with the acquire fence at the end of the other's lock
    wants[me].store(0, rlx);  // relaxed: the fence above releases it
  }
};

// ---------------------------------------------------------------------------
// 2. MCS queue lock (Mellor-Crummey and Scott, "Algorithms for scalable
//    synchronization on shared-memory multiprocessors", TOCS 1991): waiters
//    queue up through an exchange on the tail; each spins on its own node and
//    its predecessor hands the lock over by clearing that node's flag.
// ---------------------------------------------------------------------------
struct mcs_lock {
  struct qnode {
    atomic<qnode*> next{nullptr};
    atomic<int> must_wait{0};
  };
  atomic<qnode*> tail{nullptr};
  qnode nodes[2];

  void lock(int me) {
    qnode& mine = nodes[me];
    mine.next.store(nullptr, rlx);  // relaxed: published by the exchange's release
    // KEY ORDER: acquire pairs with the releasing CAS in unlock (the lock was
    // free: the last holder's critical section happened before); release
    // publishes mine.next = nullptr to the successor that links after us.
    qnode* pred = tail.exchange(&mine, acq_rel);
    if (pred == nullptr) return;
    mine.must_wait.store(1, rlx);  // relaxed: published by the release store of pred->next
    pred->next.store(&mine, rel);  // KEY ORDER: pairs with the acquire loads of next in unlock
    while (mine.must_wait.load(acq) != 0) S::spin();  // KEY ORDER: pairs with the hand-over in unlock
  }
  void unlock(int me) {
    qnode& mine = nodes[me];
    qnode* succ = mine.next.load(acq);  // pairs with the successor's release store of next
    if (succ == nullptr) {
      qnode* expected = &mine;
      // KEY ORDER: release pairs with the next locker's acquiring exchange.
      if (tail.compare_exchange_strong(expected, nullptr, rel, rlx)) return;  // relaxed on failure: we read nothing through it
      while ((succ = mine.next.load(acq)) == nullptr) S::spin();  // a successor is linking itself in
    }
    succ->must_wait.store(0, rel);  // KEY ORDER: pairs with the successor's acquire spin
  }
};

// Two threads take `lock` once each and increment a plain cell inside.
template <class Lock>
void two_lockers() {
  Lock lock;
  cell<int> count(0);
  auto enter = [&](int me) {
    lock.lock(me);
    count.write() += 1;  // the critical section: a race if mutual exclusion or ordering fails
    lock.unlock(me);
  };
  thread t([&] { enter(1); });
  enter(0);
  t.join();
  WEAVE_CHECK(count.read() == 2);
}

void dekker_fences() { two_lockers<dekker_lock>(); }
void mcs_two() { two_lockers<mcs_lock>(); }

// ---------------------------------------------------------------------------
// 3. Vyukov's bounded MPMC queue (D. Vyukov, "Bounded MPMC queue",
//    1024cores.net, 2010): a ring of slots, each with a sequence number that
//    says whose turn the slot is. A producer claims position p when the slot's
//    sequence is p, a consumer when it is p + 1; both claim with a CAS on
//    their position counter and hand the slot on by a release of the sequence.
// ---------------------------------------------------------------------------
struct mpmc_queue {
  static constexpr std::size_t capacity = 2;  // a power of two
  struct slot {
    atomic<std::size_t> seq;
    cell<int> item;
  };
  slot slots[capacity] = {{atomic<std::size_t>(0), cell<int>(0)}, {atomic<std::size_t>(1), cell<int>(0)}};
  atomic<std::size_t> enqueue_pos{0};
  atomic<std::size_t> dequeue_pos{0};

  bool try_push(int v) {
    std::size_t pos = enqueue_pos.load(rlx);  // relaxed: the CAS below validates it
    for (;;) {
      slot& s = slots[pos % capacity];
      // KEY ORDER: pairs with the consumer's release of seq: its read of the item is done.
      const auto diff = static_cast<std::ptrdiff_t>(s.seq.load(acq) - pos);
      if (diff == 0) {
        // relaxed: the position only arbitrates between producers; seq publishes.
        if (enqueue_pos.compare_exchange_weak(pos, pos + 1, rlx, rlx)) {
          s.item.write() = v;
          s.seq.store(pos + 1, rel);  // KEY ORDER: pairs with the consumer's acquire of seq
          return true;
        }
      } else if (diff < 0) {
        return false;  // full: the slot still holds an item from a lap ago
      } else {
        pos = enqueue_pos.load(rlx);  // another producer took pos; relaxed: as above
      }
    }
  }
  bool try_pop(int& v) {
    std::size_t pos = dequeue_pos.load(rlx);  // relaxed: the CAS below validates it
    for (;;) {
      slot& s = slots[pos % capacity];
      // KEY ORDER: pairs with the producer's release of seq: the item is written.
      const auto diff = static_cast<std::ptrdiff_t>(s.seq.load(acq) - (pos + 1));
      if (diff == 0) {
        // relaxed: the position only arbitrates between consumers; seq publishes.
        if (dequeue_pos.compare_exchange_weak(pos, pos + 1, rlx, rlx)) {
          v = s.item.read();
          s.seq.store(pos + capacity, rel);  // KEY ORDER: pairs with the next lap's producer acquire
          return true;
        }
      } else if (diff < 0) {
        return false;  // empty
      } else {
        pos = dequeue_pos.load(rlx);  // another consumer took pos; relaxed: as above
      }
    }
  }
};

// Two producers push one item each; one consumer pops both. Every item
// arrives exactly once.
void mpmc_2p1c() {
  mpmc_queue q;
  thread p1([&] { WEAVE_CHECK(q.try_push(1)); });
  thread p2([&] { WEAVE_CHECK(q.try_push(2)); });
  int seen[3] = {0, 0, 0};
  for (int got = 0; got < 2;) {
    int v = 0;
    if (!q.try_pop(v)) {
      S::spin();  // empty: wait until a producer publishes
      continue;
    }
    WEAVE_CHECK(v == 1 || v == 2);
    if (v == 1 || v == 2) seen[v] += 1;
    ++got;
  }
  p1.join();
  p2.join();
  WEAVE_CHECK(seen[1] == 1 && seen[2] == 1);
}

// ---------------------------------------------------------------------------
// 4. Michael-Scott queue (Michael and Scott, "Simple, fast, and practical
//    non-blocking and blocking concurrent queue algorithms", PODC 1996): a
//    linked list with a dummy head; enqueue links at the tail with a CAS on
//    the last node's next and then swings the tail; anyone who finds the tail
//    lagging swings it forward. Nodes come from a preallocated array and are
//    never reused, so there is no ABA and no reclamation to model. Every
//    CAS's failure order is relaxed: a failed CAS only sends the loop round
//    again, nothing is read through its value.
// ---------------------------------------------------------------------------
struct ms_queue {
  struct qnode {
    atomic<qnode*> next{nullptr};
    cell<int> value;
  };
  qnode nodes[3];  // the dummy and one node per enqueue
  atomic<qnode*> head{&nodes[0]};
  atomic<qnode*> tail{&nodes[0]};

  void enqueue(qnode* n, int v) {
    n->value.write() = v;
    n->next.store(nullptr, rlx);  // relaxed: published by the release CAS that links n
    for (;;) {
      qnode* last = tail.load(acq);  // pairs with the release CASes on tail
      qnode* next = last->next.load(acq);  // pairs with the release CAS that linked next
      if (last != tail.load(rlx)) continue;  // relaxed: a consistency re-check only
      if (next != nullptr) {
        tail.compare_exchange_strong(last, next, rel, rlx);  // help the lagging tail; release: as below
        continue;
      }
      // KEY ORDER: release publishes n's value and next to whoever acquires last->next.
      if (last->next.compare_exchange_strong(next, n, rel, rlx)) {
        tail.compare_exchange_strong(last, n, rel, rlx);  // release: pairs with the acquire loads of tail
        return;
      }
    }
  }
  bool dequeue(int& v) {
    for (;;) {
      qnode* first = head.load(acq);  // pairs with the release CAS on head
      qnode* last = tail.load(acq);   // pairs with the release CASes on tail
      qnode* next = first->next.load(acq);  // KEY ORDER: pairs with the enqueuer's linking CAS
      if (first != head.load(rlx)) continue;  // relaxed: a consistency re-check only
      if (next == nullptr) return false;  // empty
      if (first == last) {
        tail.compare_exchange_strong(last, next, rel, rlx);  // the tail lags: help it; release: as in enqueue
        continue;
      }
      v = next->value.read();  // safe before the CAS: nodes are never freed or reused
      // release: pairs with the acquire loads of head (the next dequeuer starts from next)
      if (head.compare_exchange_strong(first, next, rel, rlx)) return true;
    }
  }
};

// Two threads each enqueue one item, then dequeue one: both dequeues find an
// item, and they are different items.
void ms_queue_two() {
  ms_queue q;
  int got[2] = {0, 0};
  auto worker = [&](int me) {
    q.enqueue(&q.nodes[1 + me], 10 + me);
    WEAVE_CHECK(q.dequeue(got[me]));  // our own item is in, so the queue is not empty
  };
  thread t([&] { worker(1); });
  worker(0);
  t.join();
  WEAVE_CHECK(got[0] != got[1] && got[0] + got[1] == 21);
}

// ---------------------------------------------------------------------------
// 5. Linux-style reader/writer spinlock (the kernel's pre-qrwlock x86
//    rwlock; CDSChecker's linuxrwlocks): one counter that starts at BIAS.
//    A reader takes 1, a writer takes BIAS; whoever sees the counter was not
//    free enough gives back what it took and waits until it looks free.
// ---------------------------------------------------------------------------
struct linux_rwlock {
  static constexpr int bias = 0x00100000;
  atomic<int> count{bias};

  void read_lock() {
    // KEY ORDER: acquire pairs with the writer's releasing fetch_add in write_unlock.
    while (count.fetch_sub(1, acq) <= 0) {
      count.fetch_add(1, rlx);  // relaxed: an undo, it publishes nothing (and keeps the release sequence)
      while (count.load(rlx) <= 0) S::spin();  // relaxed: a hint; the fetch_sub acquires
    }
  }
  void read_unlock() { count.fetch_add(1, rel); }  // KEY ORDER: pairs with the writer's acquiring fetch_sub
  void write_lock() {
    // KEY ORDER: acquire pairs with the readers' and the last writer's releasing unlocks.
    while (count.fetch_sub(bias, acq) != bias) {
      count.fetch_add(bias, rlx);  // relaxed: an undo, as in read_lock
      while (count.load(rlx) != bias) S::spin();  // relaxed: a hint
    }
  }
  void write_unlock() { count.fetch_add(bias, rel); }  // KEY ORDER: pairs with every later acquiring fetch_sub
};

// One writer updates two cells together; two readers each check they see the
// pair consistent (the cells are guarded: an unguarded access is a race).
void rwlock_1w2r() {
  linux_rwlock lock;
  cell<int> a(0), b(0);
  auto reader = [&] {
    lock.read_lock();
    WEAVE_CHECK(a.read() == b.read());
    lock.read_unlock();
  };
  thread r1(reader);
  thread r2(reader);
  lock.write_lock();
  a.write() = 1;
  b.write() = 1;
  lock.write_unlock();
  r1.join();
  r2.join();
}

// ---------------------------------------------------------------------------
// 6, 7. Chase-Lev work-stealing deque (Chase and Lev, SPAA 2005) with the C11
//    orders of Lê, Pop, Cohen and Zappa Nardelli, "Correct and Efficient
//    Work-Stealing for Weak Memory Models" (PPoPP 2013), Fig. 1. The owner
//    pushes and takes at the bottom, thieves steal at the top; a full array is
//    grown by copying into a bigger one and publishing its pointer.
//    The twin publishes the grown array with a relaxed store. A thief that
//    read the old bottom can still load the new array pointer, and then reads
//    a copied slot with nothing ordering the owner's copy before its read: a
//    data race on the slot cell (with atomics for slots, a stale value). This
//    is the bug CDSChecker reports in the paper's published code; the fix is
//    a release store of the array, read by an acquire (the paper's consume).
//    Slots are cells here (the paper uses relaxed atomics), so the bug is
//    declared data_race.
// ---------------------------------------------------------------------------
struct ring {
  long size;
  cell<int> slots[2];
};

template <bool ReleasePublish>
struct chase_lev {
  static constexpr int empty = -1;
  static constexpr int abort = -2;
  ring rings[2] = {{1, {cell<int>(0), cell<int>(0)}}, {2, {cell<int>(0), cell<int>(0)}}};
  int grown = 0;  // the owner's own count of rings used (not shared)
  atomic<long> top{0};
  atomic<long> bottom{0};
  atomic<ring*> array{&rings[0]};

  ring* grow(ring* old, long t, long b) {
    ring* bigger = &rings[++grown];
    for (long i = t; i < b; ++i) bigger->slots[i % bigger->size].write() = old->slots[i % old->size].read();
    // KEY ORDER (the twin's bug): release pairs with the thief's acquire load
    // of array, so the copies above happen before its read of a slot.
    array.store(bigger, ReleasePublish ? rel : rlx);
    return bigger;
  }
  void push(int x) {
    const long b = bottom.load(rlx);  // relaxed: only the owner writes bottom
    const long t = top.load(acq);  // pairs with the thieves' CAS: a slot they read may be reused
    ring* a = array.load(rlx);  // relaxed: only the owner writes array
    if (b - t > a->size - 1) a = grow(a, t, b);
    a->slots[b % a->size].write() = x;
    S::fence(rel);  // KEY ORDER: pairs with the thief's acquire load of bottom
    bottom.store(b + 1, rlx);  // relaxed: the fence above releases it
  }
  int take() {
    const long b = bottom.load(rlx) - 1;  // relaxed: only the owner writes bottom
    ring* a = array.load(rlx);  // relaxed: only the owner writes array
    bottom.store(b, rlx);  // relaxed: the fence below orders it before the read of top
    S::fence(sc);  // KEY ORDER: pairs with the thief's seq_cst fence: we cannot both take the last item
    long t = top.load(rlx);  // relaxed: ordered by the fence
    if (t > b) {  // empty
      bottom.store(b + 1, rlx);  // relaxed: restores the owner's own index
      return empty;
    }
    int x = a->slots[b % a->size].read();
    if (t == b) {  // the last item: race the thieves for it
      // seq_cst: pairs with the thief's CAS on top (one of the two wins)
      if (!top.compare_exchange_strong(t, t + 1, sc, rlx)) x = empty;  // relaxed on failure: nothing read through it
      bottom.store(b + 1, rlx);  // relaxed: as above
    }
    return x;
  }
  int steal() {
    long t = top.load(acq);  // pairs with the other CASes on top
    S::fence(sc);  // KEY ORDER: pairs with take's seq_cst fence
    const long b = bottom.load(acq);  // KEY ORDER: pairs with push's release fence
    if (t >= b) return empty;
    ring* a = array.load(acq);  // KEY ORDER: pairs with grow's release store (the paper: consume)
    const int x = a->slots[t % a->size].read();
    // seq_cst: pairs with take's CAS on top; relaxed on failure: the item is dropped
    if (!top.compare_exchange_strong(t, t + 1, sc, rlx)) return abort;
    return x;
  }
};

// The owner pushes 1 and 2 (the second push grows the array from 1 slot to 2)
// and takes twice; one thief steals once. The second take can race the thief
// for the last item, the case take's and steal's seq_cst fences and CASes on
// top exist for. Then the owner drains the rest: every item comes out exactly
// once.
template <bool ReleasePublish>
void chase_lev_push_push_take_steal() {
  chase_lev<ReleasePublish> d;
  int stolen = d.empty;
  thread thief([&] { stolen = d.steal(); });
  d.push(1);
  d.push(2);
  std::vector<int> out = {d.take()};
  out.push_back(d.take());
  thief.join();
  out.push_back(stolen);
  for (int x = d.take(); x != d.empty; x = d.take()) out.push_back(x);
  int seen[3] = {0, 0, 0};
  for (int x : out) {
    WEAVE_CHECK(x == d.empty || x == d.abort || x == 1 || x == 2);
    if (x == 1 || x == 2) seen[x] += 1;
  }
  WEAVE_CHECK(seen[1] == 1 && seen[2] == 1);
}

void chase_lev_ok() { chase_lev_push_push_take_steal<true>(); }
void chase_lev_relaxed_publish() { chase_lev_push_push_take_steal<false>(); }

// ---------------------------------------------------------------------------
// 8, 9. An SPSC ring whose consumer blocks through an eventcount (Vyukov's
//    eventcount, 1024cores.net; CDSChecker's spsc-queue benchmark). The
//    consumer registers as a waiter, re-checks the ring, and only then sleeps
//    on the epoch word; the producer publishes, then wakes if anyone is
//    registered. Publish-then-check against register-then-check is the
//    store-buffering shape: only a seq_cst fence on both sides (Dekker's
//    argument again) guarantees that one of the two sees the other.
//    The twin drops those fences and leans on release/acquire, which RC11
//    allows to miss in both directions: the producer reads no waiter, the
//    consumer reads an empty ring and sleeps forever. Only weak memory shows
//    it: every interleaving has one of the two sides see the other.
// ---------------------------------------------------------------------------
template <bool Fenced>
struct eventcount {
  atomic<std::uint32_t> waiters{0};
  atomic<std::uint32_t> epoch{0};  // the futex word: bumped by every wake-up

  std::uint32_t prepare_wait() {
    waiters.fetch_add(1, acq_rel);  // acq_rel: the twin's only order on this side (not enough)
    if (Fenced) S::fence(sc);  // KEY ORDER: pairs with notify's seq_cst fence
    return epoch.load(acq);  // pairs with notify's release bump of epoch
  }
  void cancel_wait() { waiters.fetch_sub(1, rlx); }  // relaxed: only a hint to notify
  void wait(std::uint32_t key) {
    while (epoch.load(acq) == key) S::wait(epoch, key);  // acquire: pairs with notify's bump; re-check: spurious returns
    waiters.fetch_sub(1, rlx);  // relaxed: only a hint to notify
  }
  void notify() {
    if (Fenced) S::fence(sc);  // KEY ORDER: pairs with prepare_wait's seq_cst fence
    if (waiters.load(acq) == 0) return;  // acquire: the twin's only order on this side (not enough)
    epoch.fetch_add(1, rel);  // release: pairs with the waiter's acquire loads of epoch
    S::wake_all(epoch);
  }
};

struct spsc_ring {
  atomic<std::uint32_t> head{0};  // written by the consumer only
  atomic<std::uint32_t> tail{0};  // written by the producer only
  cell<int> slots[2];

  bool try_push(int v) {
    const std::uint32_t t = tail.load(rlx);  // relaxed: our own index
    if (t - head.load(acq) == 2) return false;  // acquire: pairs with pop's release of head (slot free)
    slots[t % 2].write() = v;
    tail.store(t + 1, rel);  // pairs with pop's acquire load of tail
    return true;
  }
  bool try_pop(int& v) {
    const std::uint32_t h = head.load(rlx);  // relaxed: our own index
    if (tail.load(acq) == h) return false;  // acquire: pairs with push's release of tail (item written)
    v = slots[h % 2].read();
    head.store(h + 1, rel);  // pairs with push's acquire load of head
    return true;
  }
};

// The producer pushes 1 and 2, notifying after each; the consumer pops two
// items, sleeping on the eventcount whenever the ring is empty.
template <bool Fenced>
void spsc_eventcount() {
  spsc_ring q;
  eventcount<Fenced> ec;
  thread producer([&] {
    for (int i = 1; i <= 2; ++i) {
      WEAVE_CHECK(q.try_push(i));
      ec.notify();
    }
  });
  for (int want = 1; want <= 2; ++want) {
    int v = 0;
    for (;;) {
      if (q.try_pop(v)) break;
      const std::uint32_t key = ec.prepare_wait();
      if (q.try_pop(v)) {  // the re-check after registering
        ec.cancel_wait();
        break;
      }
      ec.wait(key);
    }
    WEAVE_CHECK(v == want);
  }
  producer.join();
}

void spsc_eventcount_ok() { spsc_eventcount<true>(); }
void spsc_eventcount_lost_wakeup() { spsc_eventcount<false>(); }

// ---------------------------------------------------------------------------
// The table.
// ---------------------------------------------------------------------------
struct program {
  const char* name;
  verdict under_rc11;  // what exhaustive search under RC11 must find
  verdict under_sc;    // ... and under sequential consistency
  void (*body)();
};

const program programs[] = {
    {"dekker_fences", verdict::pass, verdict::pass, dekker_fences},
    {"mcs_lock", verdict::pass, verdict::pass, mcs_two},
    {"mpmc_queue_2p1c", verdict::pass, verdict::pass, mpmc_2p1c},
    {"ms_queue", verdict::pass, verdict::pass, ms_queue_two},
    {"linux_rwlock_1w2r", verdict::pass, verdict::pass, rwlock_1w2r},
    {"chase_lev", verdict::pass, verdict::pass, chase_lev_ok},
    // The race needs no weak load: hb is computed from the declared orders
    // even when every load reads the latest store.
    {"chase_lev_relaxed_publish", verdict::data_race, verdict::data_race, chase_lev_relaxed_publish},
    {"spsc_eventcount", verdict::pass, verdict::pass, spsc_eventcount_ok},
    // Store buffering: no interleaving loses the wake-up.
    {"spsc_eventcount_lost_wakeup", verdict::deadlock, verdict::pass, spsc_eventcount_lost_wakeup},
};

bool selected(const char* name, const std::vector<std::string>& only) {
  if (only.empty()) return true;
  for (const auto& s : only)
    if (s == name) return true;
  return false;
}
}  // namespace

int main(int argc, char** argv) {
  weave::model::options o;
  o.search = weave::model::strategy::dfs;
  o.memory = weave::model::memory_model::rc11;
  bool verbose = false;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--memory-model" && i + 1 < argc) {
      const std::string m = argv[++i];
      if (m != "rc11" && m != "sc") {
        std::fprintf(stderr, "checker_cds_suite: --memory-model takes rc11 or sc\n");
        return 2;
      }
      o.memory = m == "sc" ? weave::model::memory_model::sc : weave::model::memory_model::rc11;
    } else if (a == "--verbose") {
      verbose = true;
    } else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "usage: checker_cds_suite [--memory-model rc11|sc] [--verbose] [NAME...]\n");
      return 2;
    } else {
      only.push_back(a);
    }
  }
  const bool rc11 = o.memory == weave::model::memory_model::rc11;
  std::printf("CDSChecker-suite shapes, exhaustive dfs, memory model %s\n", weave::model::to_string(o.memory));
  std::printf("%-28s %-12s %-12s %12s %-10s %9s\n", "program", "expected", "found", "executions", "exhaustive",
              "seconds");
  int mismatches = 0;
  std::string reports;
  for (const program& p : programs) {
    if (!selected(p.name, only)) continue;
    const verdict expected = rc11 ? p.under_rc11 : p.under_sc;
    const weave::model::result r = weave::model::check(o, p.body);
    const bool ok = r.found == expected;
    if (!ok) ++mismatches;
    std::printf("%-28s %-12s %-12s %12llu %-10s %9.2f%s\n", p.name, weave::model::to_string(expected),
                weave::model::to_string(r.found), static_cast<unsigned long long>(r.executions),
                r.exhaustive ? "yes" : "no", r.seconds, ok ? "" : "   <-- MISMATCH");
    std::fflush(stdout);
    if (!ok && rc11 && r.found == p.under_sc && p.under_sc != p.under_rc11)
      reports += std::string("\n== ") + p.name + ": found what sequential consistency allows, not the" +
                 " weak-memory bug; is the engine exploring RC11?\n";
    if ((verbose || !ok) && !r.report.empty()) reports += std::string("\n== ") + p.name + "\n" + r.report;
  }
  if (!reports.empty()) std::printf("%s", reports.c_str());
  return mismatches == 0 ? 0 : 1;
}
