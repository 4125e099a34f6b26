// The pipe-end holder protocol under the checker (weave/detail/holders.hpp):
// basic_end_record<model_sync>, with model threads standing for processes
// (holder_identity: a thread's id is S::self(), and it is dead once it has
// returned). Checked here, against the liveness question a pipe asks of its
// peer's end (in_use):
//   * a holder attaching (hold) while another thread asks: never "not in use"
//     while the holder lives (H5);
//   * the owner handed over from one thread to another while a third asks,
//     the first owner living on, or dying once it handed over: never "not in
//     use" while an owner lives (H6);
//   * and, so that those could fail, "not in use" once the holder or the
//     owner died.
// Twins: hold() that marks the end attached before it takes its slot; the
// owner kept as two words (start time, then pid) read one at a time; and one
// owner word read once, without the re-read after a "dead" answer.
#include <cstdint>

#include "weave/detail/holders.hpp"
#include "weave/model.hpp"

namespace {

using S = weave::model_sync;
using weave::model::thread;
using weave::detail::process_identity;
using record = weave::detail::basic_end_record<S>;
using identity = weave::detail::holder_identity<S>;
using u32 = std::uint32_t;
using u64 = std::uint64_t;

// Parks (a model spin) until flag is set.
void await(const S::atomic<u32>& flag) {
  while (flag.load(std::memory_order_acquire) == 0) S::spin();  // pairs with the release store that sets it
}
void set(S::atomic<u32>& flag) { flag.store(1, std::memory_order_release); }  // pairs with await()

// A holder attaches to a fresh end while the body asks whether the end is in
// use; the holder lives until the answer is in, then leaves and returns.
// Before the hold nobody held the end yet (in use: its peer waits for it),
// after it a live thread holds it: the answer must be "in use".
template <class Record>
void attach_races_in_use() {
  Record rec;
  S::atomic<u32> asked(0);
  thread holder([&] {
    const u64 mine = Record::encode(identity::self(), false);
    const int slot = rec.hold(mine);
    await(asked);
    rec.release(slot, mine);
  });
  WEAVE_CHECK(rec.in_use(identity::id()));
  set(asked);
  holder.join();
}

// The end's owner hands it over: `first` claims it; `second` claims it once
// first has; first lives until the answer is in, or (first_dies) only until
// second's claim, then returns. The body asks meanwhile: an owner lives at
// every instant (first until second's claim, second after), so the answer
// must be "in use".
template <class Record>
void handover_races_in_use(bool first_dies) {
  Record rec;
  S::atomic<u32> first_claimed(0), handed(0), asked(0);
  thread first([&] {
    rec.claim(identity::self());
    set(first_claimed);
    await(first_dies ? handed : asked);
  });
  thread second([&] {
    await(first_claimed);
    rec.claim(identity::self());
    set(handed);
    await(asked);
  });
  WEAVE_CHECK(rec.in_use(identity::id()));
  set(asked);
  first.join();
  second.join();
}

// The other side of the answer: an end whose every holder died (without
// leaving) is not in use, and neither is one whose owner died; so the checks
// above could fail.
void dead_holder_and_dead_owner_not_in_use() {
  record held, used;
  thread holder([&] { (void)held.hold(record::encode(identity::self(), false)); });
  thread owner([&] { used.claim(identity::self()); });
  holder.join();
  owner.join();
  WEAVE_CHECK(!held.in_use(identity::id()));
  WEAVE_CHECK(!used.in_use(identity::id()));
}

// Twin: hold() marks the end attached before it takes its slot. An asker that
// reads attached == 1 and scans the table before the slot CAS finds no holder.
struct attached_first_record : record {
  int hold(u64 v) {
    attached.store(1, std::memory_order_seq_cst);  // seq_cst: as hold()'s; the bug is the order (H5)
    return take(v);
  }
};

// Twin: the owner as two 32-bit words, claim() writing the start time, then
// the pid, in_use() reading the pid, then the start time. Read between the two
// stores of second's claim, the words pair first's pid with second's start
// time: a reused pid, dead, though first lives.
struct two_word_owner_record : record {
  S::atomic<u32> owner_pid{0}, owner_start{0};
  void claim(process_identity who) {
    owner_start.store(who.start, std::memory_order_relaxed);  // relaxed: the words were advisory
    owner_pid.store(who.id, std::memory_order_relaxed);       // relaxed: the words were advisory
  }
  bool in_use(u32 me) const {
    const process_identity who{owner_pid.load(std::memory_order_relaxed),     // relaxed: advisory
                               owner_start.load(std::memory_order_relaxed)};  // relaxed: advisory
    if (who.id != 0) return who.id == me || identity::alive(who);
    if (attached.load(std::memory_order_seq_cst) == 0) return true;  // seq_cst: as in_use()'s (H5)
    return any_live(me);
  }
};

// Twin: one owner word, read once: the owner read just before it handed over
// and died is answered dead, though the end's new owner lives.
struct owner_read_once_record : record {
  bool in_use(u32 me) const {
    const u64 seen = owner.load(std::memory_order_seq_cst);  // seq_cst: pairs with claim() (H6)
    if (seen != 0) {
      const process_identity who = decode(seen);
      return who.id == me || identity::alive(who);
    }
    if (attached.load(std::memory_order_seq_cst) == 0) return true;  // seq_cst: as in_use()'s (H5)
    return any_live(me);
  }
};

}  // namespace

WEAVE_MODEL_CHECK(holders_attach_races_in_use, pass, .primitives = weave::model::transparent) { attach_races_in_use<record>(); }

WEAVE_MODEL_CHECK(holders_handover_between_live_owners, pass, .primitives = weave::model::transparent) { handover_races_in_use<record>(false); }

WEAVE_MODEL_CHECK(holders_handover_then_first_owner_dies, pass, .primitives = weave::model::transparent) { handover_races_in_use<record>(true); }

WEAVE_MODEL_CHECK(holders_dead_ends_not_in_use, pass, .primitives = weave::model::transparent) { dead_holder_and_dead_owner_not_in_use(); }

WEAVE_MODEL_CHECK(holders_twin_attached_before_slot, check_failed, .primitives = weave::model::transparent) { attach_races_in_use<attached_first_record>(); }

WEAVE_MODEL_CHECK(holders_twin_owner_in_two_words, check_failed, .primitives = weave::model::transparent) { handover_races_in_use<two_word_owner_record>(false); }

WEAVE_MODEL_CHECK(holders_twin_owner_read_once, check_failed, .primitives = weave::model::transparent) { handover_races_in_use<owner_read_once_record>(true); }
