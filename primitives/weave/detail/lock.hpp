// weave/detail/lock.hpp — unique_hold, the scoped lock primitives use inside.
//
// Mirrors std::unique_lock (lock, unlock, owns_lock, mutex, release), which a
// primitive cannot use: <mutex> stays out of primitives/ (see sync.hpp).
// weave::basic_condition accepts it like a std::unique_lock, including the
// release() it calls when a wait is abandoned by an exception (condition C6).
#pragma once

#include <utility>

namespace weave::detail {

template <class M>
class unique_hold {
 public:
  explicit unique_hold(M& m) : m_(&m) { lock(); }
  ~unique_hold() {
    if (owns_) m_->unlock();
  }
  unique_hold(const unique_hold&) = delete;
  unique_hold& operator=(const unique_hold&) = delete;

  void lock() {
    m_->lock();
    owns_ = true;
  }
  void unlock() {
    owns_ = false;
    m_->unlock();
  }
  bool owns_lock() const noexcept { return owns_; }
  M* mutex() const noexcept { return m_; }
  M* release() noexcept {
    owns_ = false;
    return m_;
  }

 private:
  M* m_;
  bool owns_ = false;
};

}  // namespace weave::detail
