// weave/detail/holders.hpp — which processes hold an end of a weave::pipe: the
// shared-memory analogue of a file descriptor's reference count (hardware only).
//
// A pipe end made before fork() is inherited by the child, as a file descriptor
// is. pipe(2) knows how many processes hold each end (the descriptor's
// reference count), so a reader sees end of file once every holder of the
// write end closed or died. weave::pipe keeps the same knowledge in its shared
// header: per end, a table of holder slots, one per process that holds a
// handle to the end.
//
//   slot value                      meaning
//   0                               free
//   pid | start << 32               process pid (start time `start`) holds the end
//   (pid | pending) | start << 32   process pid is forking: its child holds the
//                                   end but has not written its own identity yet
//
// The process-wide registry below knows every end this process holds, and
// pthread_atfork handlers keep the tables right across fork():
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
// A child that calls exec() stays a holder until it exits, as a descriptor
// without O_CLOEXEC would (posix_spawn, system and popen run no fork handlers,
// so the programs they start never become holders).
//
// Invariants (cited as H1..H4):
//   H1  A process owns at most one non-pending slot per end, whatever the number
//       of its handles to that end (the registry counts them); it frees that
//       slot when its last handle goes.
//   H2  A slot is written only by a CAS from the value its writer last saw, so
//       two processes never both believe they own one slot.
//   H3  When every slot is taken (more than `slots` holders), a holder is
//       counted in `overflow`, which is never decremented: the end then counts
//       as held for good (liveness unknown; waits end at their deadline).
//   H4  Every value read from the table comes from an untrusted process: it is
//       used only as an identity to ask /proc about (detail::alive rejects
//       impossible ids), never as an index or a size.
#pragma once

#include <cstdint>
#include <vector>

#include <pthread.h>

#include "weave/detail/lock.hpp"
#include "weave/detail/process.hpp"
#include "weave/mutex.hpp"
#include "weave/sync.hpp"

namespace weave::detail {

/// The shared record of one pipe end (lives in the pipe's header).
struct end_record {
  static constexpr int slots = 16;
  static constexpr std::uint32_t pending = 0x80000000u;  // above any pid (pid_max <= 2^22)

  real_sync::atomic<std::uint32_t> owner_pid{0};    // the process that last used the end; 0: none yet
  real_sync::atomic<std::uint32_t> owner_start{0};  // its start time
  real_sync::atomic<std::uint32_t> attached{0};     // 1 once any process held the end
  real_sync::atomic<std::uint32_t> overflow{0};     // holders not in the table (H3)
  real_sync::atomic<std::uint64_t> holder[slots];   // the table above; zero-initialized

  static std::uint64_t encode(process_identity who, bool is_pending) noexcept {
    return (who.id | (is_pending ? pending : 0u)) | (std::uint64_t{who.start} << 32);
  }
  static process_identity decode(std::uint64_t v) noexcept {
    return {static_cast<std::uint32_t>(v) & ~pending, static_cast<std::uint32_t>(v >> 32)};
  }

  // Memory orders: every slot, overflow and attached access is seq_cst, so
  // hold()/replace() and a closer's any_live() scan are in one total order (a
  // closer that dropped its slot and then scans sees every holder that existed
  // before it: pipe.hpp P7). The owner words are advisory (relaxed, H4).

  /// Takes a free slot (or one whose process is gone) for `v`; -1 if the table
  /// is full, in which case the holder is counted in overflow (H3).
  int hold(std::uint64_t v) noexcept {
    attached.store(1, std::memory_order_seq_cst);  // seq_cst: see above
    for (int pass = 0; pass < 2; ++pass) {
      for (int i = 0; i < slots; ++i) {
        const std::uint64_t cur = holder[i].load(std::memory_order_relaxed);  // relaxed: a candidate; replace() decides (H2)
        const bool take = pass == 0 ? cur == 0 : !alive(decode(cur));  // pass 1: reclaim the dead (H4)
        if (take && replace(i, cur, v)) return i;
      }
    }
    overflow.fetch_add(1, std::memory_order_seq_cst);  // seq_cst: see above (H3)
    return -1;
  }

  /// Slot i from `from` to `to` if it still holds `from` (a hostile peer may
  /// have rewritten it: H2). A holder leaves with replace(i, mine, 0).
  bool replace(int i, std::uint64_t from, std::uint64_t to) noexcept {
    if (i < 0 || i >= slots) return false;
    return holder[i].compare_exchange_strong(from, to, std::memory_order_seq_cst,  // seq_cst: see above
                                             std::memory_order_relaxed);          // relaxed: failure changes nothing
  }

  /// Does any live process hold the end? Pending slots count while their parent
  /// lives; overflow counts as held (H3); `me` always counts as alive.
  bool any_live(std::uint32_t me) const noexcept {
    if (overflow.load(std::memory_order_seq_cst) != 0) return true;  // seq_cst: see above
    for (int i = 0; i < slots; ++i) {
      const std::uint64_t v = holder[i].load(std::memory_order_seq_cst);  // seq_cst: see above
      if (v == 0) continue;
      const process_identity who = decode(v);
      if (who.id == me || alive(who)) return true;  // H4: alive() validates the id
    }
    return false;
  }

  /// Is the end (still) in use by some live process? The owner decides once the
  /// end was used; before that, its holders; an end nobody held yet (a named
  /// pipe not opened yet) counts as in use, so its peer waits for it.
  bool in_use(std::uint32_t me) const noexcept {
    const process_identity owner{owner_pid.load(std::memory_order_relaxed),     // relaxed: advisory (H4)
                                 owner_start.load(std::memory_order_relaxed)};  // relaxed: advisory (H4)
    if (owner.id != 0) return owner.id == me || alive(owner);
    if (attached.load(std::memory_order_seq_cst) == 0) return true;  // seq_cst: see above
    return any_live(me);
  }
};

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
    if (mine_ == 0) mine_ = end_record::encode(identity_of(current_pid()), false);
    entries_.push_back(entry{rec, 1, rec->hold(mine_), -1});
  }

  /// One handle fewer; at the last one the process's slot is freed (H1).
  void detach(end_record* rec) noexcept {
    const unique_hold<weave::mutex> g(m_);
    for (std::size_t k = 0; k < entries_.size(); ++k) {
      entry& e = entries_[k];
      if (e.rec != rec) continue;
      if (--e.handles == 0) {
        rec->replace(e.slot, mine_, 0);
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
    pending_ = end_record::encode(identity_of(current_pid()), true);
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
