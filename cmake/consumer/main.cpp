// The consumer on hardware: weave's primitives and its own ring on weave::real_sync.
#include <weave/weave.hpp>

#include <mutex>

#include "two_slot_ring.hpp"

int main() {
  weave::mutex m;
  { std::lock_guard g(m); }
  weave::counting_semaphore s(1);
  s.acquire();
  s.release();
  two_slot_ring<weave::real_sync> ring;
  int a = 0, b = 0;
  const bool ok = ring.try_push(1) && ring.try_push(2) && !ring.try_push(3) && ring.try_pop(a) && ring.try_pop(b) &&
                  !ring.try_pop(a) && b == 2;
  return !ok || m.is_locked() ? 1 : 0;
}
