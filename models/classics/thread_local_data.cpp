// "Local" data that is shared:
//
//   count = 0                       |   local = threading.local()
//   def work():                     |   def work():
//       global count; count = 0     |       local.count = 0
//       for _ in range(2):          |       for _ in range(2):
//           count += 1              |           local.count += 1
//
// A counter each thread believes is its own but that every thread reaches (a
// module global in Python; in C++ a variable captured by reference) is shared:
// two threads resetting and counting it race. The fixed twin gives each
// thread its own counter (threading.local(), or a variable per thread), here
// a slot per thread that the main thread reads after the joins.
#include "weave/model.hpp"

namespace {
using weave::model::thread;
template <class T>
using cell = weave::model_sync::cell<T>;
}  // namespace

// Buggy: one counter captured by reference by both workers.
WEAVE_MODEL_CHECK(classic_local_counter_shared, data_race) {
  cell<int> count{0, "count"};
  auto work = [&] {
    count.write() = 0;  // BUG: "my" counter is everybody's
    for (int i = 0; i < 2; ++i) count.write() += 1;
    WEAVE_CHECK(count.read() == 2);
  };
  thread ann{"Ann", work}, bob{"Bob", work};
  ann.join();
  bob.join();
}

// Fixed: a counter per thread.
WEAVE_MODEL_CHECK(classic_local_counter_per_thread, pass) {
  cell<int> count_Ann{0, "count_Ann"}, count_Bob{0, "count_Bob"};
  auto work = [](cell<int>& mine) {
    mine.write() = 0;
    for (int i = 0; i < 2; ++i) mine.write() += 1;
    WEAVE_CHECK(mine.read() == 2);
  };
  thread ann{"Ann", [&] { work(count_Ann); }}, bob{"Bob", [&] { work(count_Bob); }};
  ann.join();
  bob.join();
  WEAVE_CHECK(count_Ann.read() + count_Bob.read() == 4);
}
