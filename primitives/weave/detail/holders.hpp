// weave/detail/holders.hpp — which processes hold an end of a weave::pipe: the
// shared-memory analogue of a file descriptor's reference count.
//
// A pipe end made before fork() is inherited by the child, as a file descriptor
// is. pipe(2) knows how many processes hold each end (the descriptor's
// reference count), so a reader sees end of file once every holder of the
// write end closed or died. weave::pipe keeps the same knowledge in its shared
// header: per end, a table of holder slots, one per process that holds a
// handle to the end, and the end's owner (the process that last used it).
//
//   word           value                            meaning
//   holder[i]      0                                free
//                  pid | start << 32                process pid (start time `start`) holds the end
//                  (pid | pending) | start << 32    process pid is forking: its child holds the
//                                                   end but has not written its own identity yet
//   owner          0                                nobody used the end yet
//                  pid | start << 32                process pid last used the end (claim)
//   attached       1                                some process held the end (hold)
//   overflow       n                                holders not in the table (H3)
//
// Two layers, so that the shared-memory protocol can be model-checked:
//   basic_end_record<S>   the protocol (hold, release, claim, in_use, any_live),
//                         written once against the policy S: every word is an
//                         S::atomic, and "who am I / does that holder live" is
//                         asked of holder_identity<S>.
//   holder_identity<S>    what a holder is. On hardware (real_sync) a process:
//                         its pid and start time, and liveness from /proc
//                         (weave/detail/process.hpp). Under any other policy
//                         (the model) a thread stands for a process: its id is
//                         S::self(), its liveness S::alive(id) (a model thread
//                         that returned is dead), and since the checker never
//                         reuses an id its "start time" is the id itself, so
//                         an identity that pairs one thread's id with another's
//                         start reads as a reused id, dead, as on hardware.
//   holder_registry       hardware only: the ends this process holds, and the
//                         pthread_atfork handlers that keep their tables right
//                         across fork() (there is no fork in the model).
//
// The registry's handlers:
//   prepare (parent, before fork)  lock the registry; add one pending slot per
//                                  held end, for the child about to exist
//   child   (child, after fork)    turn each pending slot into the child's own
//                                  identity; unlock
//   parent  (parent, after fork)   forget the pending slots (the child's now);
//                                  unlock
// A pending slot counts as alive while its parent lives. So a child is a holder
// from the instant it exists: the parent may close its copy of the child's end
// right after fork() without the end looking abandoned. Caveat: if fork() fails,
// its pending slot stays and counts as held while the parent lives (as if the
// parent held one more copy); a child killed before its handler ran does too.
// And a parent that exits before its child ran the child handler (the first
// microseconds after fork()) leaves that child uncounted until it does: a peer
// asking at that instant may see the end abandoned (peer_gone).
// A child that calls exec() stays a holder until it exits, as a descriptor
// without O_CLOEXEC would (posix_spawn, system and popen run no fork handlers,
// so the programs they start never become holders).
//
// Invariants (cited as H1..H6):
//   H1  A process owns at most one non-pending slot per end, whatever the number
//       of its handles to that end (the registry counts them); it frees that
//       slot when its last handle goes.
//   H2  A slot is written only by a CAS from the value its writer last saw, so
//       two processes never both believe they own one slot.
//   H3  When every slot is taken (more than `slots` holders), a holder is
//       counted in `overflow`, which is never decremented: the end then counts
//       as held for good (liveness unknown; waits end at their deadline).
//   H4  Every value read from the record comes from an untrusted process: it is
//       used only as an identity to ask about (detail::alive rejects impossible
//       ids), never as an index or a size.
//   H5  hold() sets `attached` only after its slot CAS (or its overflow count)
//       succeeded, all seq_cst: whoever reads attached == 1 and then scans the
//       table finds that holder (or a later state in which it left). Before
//       attached is set the end counts as "not held yet", which is in use.
//   H6  The owner is one 64-bit word (the slot packing), written by one store and
//       read by one load: a reader never pairs one process's pid with another's
//       start time. A reader that finds the owner dead re-reads the word and
//       answers "not in use" only if it is unchanged (the owner it read may have
//       handed the end over, then died); if the word keeps changing, the end
//       counts as in use and is asked about again at the next liveness slice.
#pragma once

#include <cstdint>
#include <vector>

#include <pthread.h>

#include "weave/detail/lock.hpp"
#include "weave/detail/process.hpp"
#include "weave/mutex.hpp"
#include "weave/sync.hpp"

namespace weave::detail {

/// What a holder is under policy S (see the top of this file): a model thread
/// standing for a process. id() is the caller's id, as in_use() takes it;
/// self() its identity with a start time, as a slot or the owner records it.
template <class S>
struct holder_identity {
  static std::uint32_t id() { return static_cast<std::uint32_t>(S::self()); }
  static process_identity self() { return {id(), id()}; }
  static bool alive(process_identity who) {
    if (who.start != 0 && who.start != who.id) return false;  // another thread's start: a reused id
    return S::alive(who.id);
  }
};

/// On hardware a holder is a process: pid, start time, /proc.
template <>
struct holder_identity<real_sync> {
  static std::uint32_t id() noexcept { return current_pid(); }
  static process_identity self() noexcept { return identity_of(current_pid()); }
  static bool alive(process_identity who) noexcept { return detail::alive(who); }
};

/// The shared record of one pipe end (lives in the pipe's header).
template <sync_policy S = real_sync>
struct basic_end_record {
  using u32 = std::uint32_t;
  using u64 = std::uint64_t;
  using identity = holder_identity<S>;
  static constexpr int slots = 16;
  static constexpr u32 pending = 0x80000000u;  // above any pid (pid_max <= 2^22)
  static constexpr int owner_looks = 4;        // in_use(): owner reads before "it keeps changing" (H6)

  typename S::template atomic<u64> owner{0};     // the process that last used the end; 0: none yet (H6)
  typename S::template atomic<u32> attached{0};  // 1 once any process held the end (H5)
  typename S::template atomic<u32> overflow{0};  // holders not in the table (H3)
  typename S::template atomic<u64> holder[slots];  // the table above; zero-initialized

  static u64 encode(process_identity who, bool is_pending) noexcept {
    return (who.id | (is_pending ? pending : 0u)) | (u64{who.start} << 32);
  }
  static process_identity decode(u64 v) noexcept {
    return {static_cast<u32>(v) & ~pending, static_cast<u32>(v >> 32)};
  }

  // Memory orders: every slot, overflow, attached and owner access is seq_cst,
  // so hold()/replace()/claim() and a reader's in_use()/any_live() are in one
  // total order (H5; a closer that dropped its slot and then scans sees every
  // holder that existed before it: pipe.hpp P7). On hardware a seq_cst store
  // is also a full barrier: a claim is visible to every later load before its
  // process goes on (and may die), which H6's re-read relies on.

  /// Takes a slot for `v` (a free one, or one whose process is gone) and only
  /// then marks the end attached (H5). Returns the slot, or -1 if the table is
  /// full and the holder is counted in overflow (H3).
  int hold(u64 v) {
    const int i = take(v);
    attached.store(1, std::memory_order_seq_cst);  // seq_cst: after take()'s CAS or add, before in_use()'s load (H5)
    return i;
  }

  /// The table half of hold(): the slot it took, or -1 (counted in overflow).
  /// It does not mark the end attached; hold() does, afterwards (H5).
  int take(u64 v) {
    for (int pass = 0; pass < 2; ++pass) {
      for (int i = 0; i < slots; ++i) {
        const u64 cur = holder[i].load(std::memory_order_relaxed);  // relaxed: a candidate; replace() decides (H2)
        const bool take_it = pass == 0 ? cur == 0 : !identity::alive(decode(cur));  // pass 1: reclaim the dead (H4)
        if (take_it && replace(i, cur, v)) return i;
      }
    }
    overflow.fetch_add(1, std::memory_order_seq_cst);  // seq_cst: before hold()'s attached store (H3, H5)
    return -1;
  }

  /// Slot i from `from` to `to` if it still holds `from` (a hostile peer may
  /// have rewritten it: H2).
  bool replace(int i, u64 from, u64 to) {
    if (i < 0 || i >= slots) return false;
    // seq_cst: in the one order with hold()'s attached store and the readers' scans (H5, P7).
    return holder[i].compare_exchange_strong(from, to, std::memory_order_seq_cst,
                                             std::memory_order_relaxed);  // relaxed: failure changes nothing
  }

  /// The holder of slot i (value v, from hold()) leaves (H1).
  void release(int i, u64 v) { (void)replace(i, v, 0); }

  /// `who` now owns the end (it used it): one store of the whole identity (H6).
  void claim(process_identity who) {
    owner.store(encode(who, false), std::memory_order_seq_cst);  // seq_cst: pairs with in_use()'s loads (H6)
  }

  /// Does any live process hold the end? Pending slots count while their parent
  /// lives; overflow counts as held (H3); `me` always counts as alive.
  bool any_live(u32 me) const {
    if (overflow.load(std::memory_order_seq_cst) != 0) return true;  // seq_cst: after take()'s add (H3)
    for (int i = 0; i < slots; ++i) {
      const u64 v = holder[i].load(std::memory_order_seq_cst);  // seq_cst: after hold()'s CAS (H5)
      if (v == 0) continue;
      const process_identity who = decode(v);
      if (who.id == me || identity::alive(who)) return true;  // H4: alive() validates the id
    }
    return false;
  }

  /// Is the end (still) in use by some live process? The owner decides once the
  /// end was used; before that, its holders; an end nobody held yet (a named
  /// pipe not opened yet) counts as in use, so its peer waits for it.
  bool in_use(u32 me) const {
    u64 seen = owner.load(std::memory_order_seq_cst);  // seq_cst: pairs with claim() (H6)
    for (int look = 1; seen != 0; ++look) {
      const process_identity who = decode(seen);
      if (who.id == me || identity::alive(who)) return true;  // H4: alive() validates the id
      const u64 again = owner.load(std::memory_order_seq_cst);  // seq_cst: pairs with claim() (H6)
      if (again == seen) return false;  // the owner found dead still owns the end
      if (look == owner_looks) return true;  // hand-overs under way: ask again later (H6)
      seen = again;
    }
    if (attached.load(std::memory_order_seq_cst) == 0) return true;  // seq_cst: after hold()'s slot (H5)
    return any_live(me);
  }
};

/// The record of a pipe end on hardware.
using end_record = basic_end_record<>;
static_assert(sizeof(real_sync::atomic<std::uint64_t>) == 8, "the owner is one 64-bit word (H6)");

/// The ends this process holds, and the fork handlers that keep their tables
/// right (see the top of this file).
class holder_registry {
 public:
  static holder_registry& get() {
    static holder_registry* r = [] {
      auto* reg = new holder_registry;  // never destroyed: handles may outlive statics
      pthread_atfork([] { get().prepare(); }, [] { get().parent(); }, [] { get().child(); });
      return reg;
    }();
    return *r;
  }

  /// This process now has one more handle to the end behind rec.
  void attach(end_record* rec) {
    const unique_hold<weave::mutex> g(m_);
    for (entry& e : entries_)
      if (e.rec == rec) {
        ++e.handles;  // H1
        return;
      }
    if (mine_ == 0) mine_ = end_record::encode(holder_identity<real_sync>::self(), false);
    entries_.push_back(entry{rec, 1, rec->hold(mine_), -1});
  }

  /// One handle fewer; at the last one the process's slot is freed (H1).
  void detach(end_record* rec) noexcept {
    const unique_hold<weave::mutex> g(m_);
    for (std::size_t k = 0; k < entries_.size(); ++k) {
      entry& e = entries_[k];
      if (e.rec != rec) continue;
      if (--e.handles == 0) {
        rec->release(e.slot, mine_);
        entries_[k] = entries_.back();
        entries_.pop_back();
      }
      return;
    }
  }

 private:
  struct entry {
    end_record* rec;
    int handles;       // this process's handles to the end (H1)
    int slot;          // its slot (holding mine_), -1 if counted in overflow
    int pending_slot;  // during fork(): the child's slot (holding pending_)
  };

  // The handlers do nothing (no /proc read) in a process that holds no end.
  void prepare() {
    m_.lock();  // held across fork(); parent() and child() unlock
    if (entries_.empty()) return;
    pending_ = end_record::encode(holder_identity<real_sync>::self(), true);
    for (entry& e : entries_) e.pending_slot = e.rec->hold(pending_);
  }
  void parent() {
    for (entry& e : entries_) e.pending_slot = -1;  // the child's now
    m_.unlock();
  }
  void child() {
    mine_ = 0;  // the parent's; attach() computes it again when needed
    if (!entries_.empty()) {
      // process.hpp's handler may not have run yet: ask the kernel.
      mine_ = end_record::encode(identity_of(static_cast<std::uint32_t>(::getpid())), false);
      for (entry& e : entries_) {
        if (e.pending_slot < 0) e.slot = -1;  // counted in overflow (H3)
        else if (e.rec->replace(e.pending_slot, pending_, mine_)) e.slot = e.pending_slot;
        else e.slot = e.rec->hold(mine_);  // the pending slot was overwritten (H2)
        e.pending_slot = -1;
      }
    }
    m_.unlock();
  }

  std::uint64_t mine_ = 0;     // this process's slot value (H1)
  std::uint64_t pending_ = 0;  // during fork(): the child's pending slot value
  weave::mutex m_;
  std::vector<entry> entries_;
};

}  // namespace weave::detail
