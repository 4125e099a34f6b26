// A program outside the project that finds weave with find_package(weave).
#include <weave/weave.hpp>

#include <mutex>

int main() {
  weave::mutex m;
  { std::lock_guard g(m); }
  weave::counting_semaphore s(1);
  s.acquire();
  s.release();
  return m.is_locked() ? 1 : 0;
}
