// A two-slot single-producer single-consumer ring, written once against a
// weave sync policy: weave::real_sync on hardware, weave::model_sync under the
// model checker. Publish is the order of the producer's store of tail; the
// correct ring releases it, the buggy twin leaves it relaxed.
#pragma once

#include <atomic>

#include <weave/sync.hpp>

template <weave::sync_policy S, std::memory_order Publish = std::memory_order_release>
class two_slot_ring {
 public:
  // Producer only.
  bool try_push(int v) {
    const unsigned t = tail_.load(std::memory_order_relaxed);  // relaxed: only the producer writes tail
    if (t - head_.load(std::memory_order_acquire) == 2) return false;  // acquire: pairs with try_pop's release
    slots_[t % 2].write() = v;
    tail_.store(t + 1, Publish);  // release: pairs with try_pop's acquire of tail
    return true;
  }
  // Consumer only.
  bool try_pop(int& v) {
    const unsigned h = head_.load(std::memory_order_relaxed);  // relaxed: only the consumer writes head
    if (tail_.load(std::memory_order_acquire) == h) return false;  // acquire: pairs with try_push's Publish
    v = slots_[h % 2].read();
    head_.store(h + 1, std::memory_order_release);  // release: pairs with try_push's acquire of head
    return true;
  }

 private:
  typename S::template atomic<unsigned> head_{0};
  typename S::template atomic<unsigned> tail_{0};
  typename S::template cell<int> slots_[2];
};
