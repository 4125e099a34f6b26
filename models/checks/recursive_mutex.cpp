// weave::recursive_mutex under the checker.
//
// Passing checks (exhaustive, time-outs and spurious wake-ups explored):
//   recursive_mutex_reentry               one thread locks twice ("RLock fixes
//                                         self-deadlock", the seeds' case) while a
//                                         second thread contends.
//   recursive_mutex_two_threads           2 threads each lock/lock/unlock/unlock
//                                         around a plain cell increment.
//   recursive_mutex_timed_lock            a timed lock against a holder at depth 2.
//   recursive_mutex_unlock_all_restore    unlock_all / lock_restore (what a condition
//                                         variable does) lets another thread in and
//                                         gives the depth back.
// Their buggy twins, each with the verdict it must produce and why:
//   recursive_mutex_twin_plain_mutex_self_deadlock   deadlock: the re-entry code on
//       weave::model::mutex; the second lock() waits for the thread itself.
//   recursive_mutex_twin_plain_owner                 data_race: the owner kept in a
//       plain cell that a contending thread reads while the holder writes it.
//   recursive_mutex_twin_unlocked_timed_path         check_failed: a timed lock that
//       forgets to record the owner when it succeeds, so its re-entry goes to the
//       inner mutex and times out against itself.
//   recursive_mutex_twin_restore_loses_depth         usage_error: lock_restore(1)
//       after unlock_all() returned 2; the caller's second unlock is then an unlock
//       of a mutex it no longer owns, which the primitive reports.
// Misuse: unlock by a non-owner and unlock of an unlocked mutex are usage_error.
#include <vector>

#include "weave/model.hpp"
#include "weave/mutex.hpp"
#include "weave/recursive_mutex.hpp"

namespace {

using weave::model::thread;
using S = weave::model_sync;
template <class T>
using atomic = S::atomic<T>;

// A helper that locks again while holding the lock: on a recursive mutex it
// re-enters, on a plain mutex it waits for itself.
template <class Lock>
void bump_reentering(Lock& m, S::cell<int>& count) {
  m.lock();
  count.write() += 1;
  m.lock();  // e.g. a helper called under the lock that takes it again
  count.write() += 1;
  m.unlock();
  m.unlock();
}

template <class Lock>
void reentry_body() {
  Lock m;
  S::cell<int> count(0);
  thread other([&] {
    m.lock();
    count.write() += 10;
    m.unlock();
  });
  bump_reentering(m, count);
  other.join();
  WEAVE_CHECK(count.read() == 12);
}

// The twin of recursive_mutex_two_threads: the owner kept in a plain cell. A
// thread that does not hold the lock reads it to decide "is it me?" while the
// holder writes it: a data race (on hardware, a torn or stale read could let a
// stranger re-enter).
struct plain_owner_recursive_mutex {
  weave::model::mutex m;
  S::cell<std::uint32_t> owner{0u};  // BUG: read without holding m
  S::cell<std::uint32_t> depth{0u};
  void lock() {
    const std::uint32_t me = S::self();
    if (owner.read() == me) {
      ++depth.write();
      return;
    }
    m.lock();
    owner.write() = me;
    depth.write() = 1;
  }
  void unlock() {
    if (--depth.write() == 0) {
      owner.write() = 0;
      m.unlock();
    }
  }
};

// The twin of recursive_mutex_timed_lock: the timed path takes the inner mutex
// but forgets to become the owner, so the same thread's next lock attempt is not
// seen as re-entry and waits for itself until it times out.
struct forgetful_timed_recursive_mutex {
  weave::model::mutex m;
  atomic<std::uint32_t> owner{0u};
  S::cell<std::uint32_t> depth{0u};
  bool try_lock_for_10ms() {
    const std::uint32_t me = S::self();
    if (owner.load(std::memory_order_relaxed) == me) {
      ++depth.write();
      return true;
    }
    if (!m.try_lock_for(std::chrono::milliseconds(10))) return false;
    depth.write() = 1;  // BUG: owner is not set
    return true;
  }
};

}  // namespace

WEAVE_MODEL_CHECK(recursive_mutex_reentry, pass, .primitives = weave::model::transparent) {
  reentry_body<weave::model::recursive_mutex>();
}

WEAVE_MODEL_CHECK(recursive_mutex_twin_plain_mutex_self_deadlock, deadlock, .primitives = weave::model::transparent) {
  reentry_body<weave::model::mutex>();
}

WEAVE_MODEL_CHECK(recursive_mutex_two_threads, pass, .primitives = weave::model::transparent) {
  weave::model::recursive_mutex m;
  S::cell<int> count(0);
  auto worker = [&] { bump_reentering(m, count); };
  thread a(worker), b(worker);
  a.join();
  b.join();
  WEAVE_CHECK(count.read() == 4);
  WEAVE_CHECK(!m.is_locked());
}

WEAVE_MODEL_CHECK(recursive_mutex_twin_plain_owner, data_race, .primitives = weave::model::transparent) {
  plain_owner_recursive_mutex m;
  S::cell<int> count(0);
  auto worker = [&] { bump_reentering(m, count); };
  thread a(worker), b(worker);
  a.join();
  b.join();
  WEAVE_CHECK(count.read() == 4);
}

// A timed lock against a holder at depth 2: it either gets the mutex (and can
// re-enter it with a timed lock that does not wait) or times out; either way the
// mutex is free and usable at the end.
WEAVE_MODEL_CHECK(recursive_mutex_timed_lock, pass, .primitives = weave::model::transparent) {
  weave::model::recursive_mutex m;
  S::cell<int> count(0);
  thread holder([&] { bump_reentering(m, count); });
  thread timed([&] {
    if (m.try_lock_for(std::chrono::milliseconds(10))) {
      WEAVE_CHECK(m.try_lock_for(std::chrono::milliseconds(10)));  // re-entry never times out
      WEAVE_CHECK(m.depth() == 2);
      count.write() += 10;
      m.unlock();
      m.unlock();
    }
  });
  holder.join();
  timed.join();
  WEAVE_CHECK(!m.is_locked());
  WEAVE_CHECK(count.read() == 2 || count.read() == 12);
}

WEAVE_MODEL_CHECK(recursive_mutex_twin_unlocked_timed_path, check_failed, .primitives = weave::model::transparent) {
  forgetful_timed_recursive_mutex m;
  if (m.try_lock_for_10ms()) {
    WEAVE_CHECK(m.try_lock_for_10ms());  // fails: it waits for itself and times out
  }
}

// What a condition variable does with a recursive mutex: release it completely
// (remembering the depth), let another thread in, take it back at that depth.
WEAVE_MODEL_CHECK(recursive_mutex_unlock_all_restore, pass, .primitives = weave::model::transparent) {
  weave::model::recursive_mutex m;
  S::cell<int> count(0);
  m.lock();
  m.lock();
  thread other([&] {
    m.lock();
    count.write() += 10;
    m.unlock();
  });
  const std::uint32_t d = m.unlock_all();
  WEAVE_CHECK(d == 2);
  WEAVE_CHECK(!m.is_owned());
  m.lock_restore(d);
  WEAVE_CHECK(m.depth() == 2);
  count.write() += 1;
  m.unlock();
  m.unlock();
  other.join();
  WEAVE_CHECK(count.read() == 11);
  WEAVE_CHECK(!m.is_locked());
}

WEAVE_MODEL_CHECK(recursive_mutex_twin_restore_loses_depth, usage_error, .primitives = weave::model::transparent) {
  weave::model::recursive_mutex m;
  m.lock();
  m.lock();
  const std::uint32_t d = m.unlock_all();
  (void)d;
  m.lock_restore(1);  // BUG: the depth unlock_all returned is dropped
  m.unlock();
  m.unlock();  // the caller believes it still holds one level
}

WEAVE_MODEL_CHECK(recursive_mutex_unlock_by_non_owner_is_usage_error, usage_error, .primitives = weave::model::transparent) {
  weave::model::recursive_mutex m;
  m.lock();
  thread other([&] { m.unlock(); });
  other.join();
  m.unlock();
}

WEAVE_MODEL_CHECK(recursive_mutex_unlock_unlocked_is_usage_error, usage_error, .primitives = weave::model::transparent) {
  weave::model::recursive_mutex m;
  m.lock();
  m.unlock();
  m.unlock();
}
