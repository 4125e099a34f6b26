// Model checks of the consumer's own ring: three items through two slots, in
// order, and the buggy twin whose relaxed publication is a data race.
#include <weave/model.hpp>

#include "two_slot_ring.hpp"

namespace {

template <class Ring>
void hand_over_three() {
  Ring ring;
  weave::model::thread producer([&] {
    for (int i = 1; i <= 3; ++i)
      while (!ring.try_push(i)) weave::model_sync::spin();
  });
  for (int want = 1; want <= 3; ++want) {
    int got = 0;
    while (!ring.try_pop(got)) weave::model_sync::spin();
    WEAVE_CHECK(got == want);
  }
  producer.join();
}

}  // namespace

WEAVE_MODEL_CHECK(ring_hands_over_in_order, pass) { hand_over_three<two_slot_ring<weave::model_sync>>(); }

WEAVE_MODEL_CHECK(ring_twin_relaxed_publish, data_race) {
  hand_over_three<two_slot_ring<weave::model_sync, std::memory_order_relaxed>>();
}
