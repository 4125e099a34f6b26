// Publishing data through a flag: the writer fills a plain cell, then raises a
// flag; the reader waits for the flag, then reads the cell. Only a release store
// (or a release fence before a relaxed store) paired with an acquire load (or a
// relaxed load followed by an acquire fence) makes the cell's write happen
// before its read. The relaxed twins are data races, even on x86 where the
// hardware would usually get away with it.
#include "weave/model.hpp"

namespace {
using weave::model::thread;
using S = weave::model_sync;
}  // namespace

WEAVE_MODEL_CHECK(publish_release_acquire, pass) {
  S::cell<int> data(0);
  S::atomic<int> ready(0);
  thread writer([&] {
    data.write() = 42;
    ready.store(1, std::memory_order_release);  // pairs with the acquire load below
  });
  thread reader([&] {
    while (ready.load(std::memory_order_acquire) == 0) S::spin();
    WEAVE_CHECK(data.read() == 42);
  });
  writer.join();
  reader.join();
}

WEAVE_MODEL_CHECK(publish_twin_relaxed_store, data_race) {
  S::cell<int> data(0);
  S::atomic<int> ready(0);
  thread writer([&] {
    data.write() = 42;
    ready.store(1, std::memory_order_relaxed);  // BUG: publishes nothing
  });
  thread reader([&] {
    while (ready.load(std::memory_order_acquire) == 0) S::spin();
    WEAVE_CHECK(data.read() == 42);
  });
  writer.join();
  reader.join();
}

WEAVE_MODEL_CHECK(publish_twin_relaxed_load, data_race) {
  S::cell<int> data(0);
  S::atomic<int> ready(0);
  thread writer([&] {
    data.write() = 42;
    ready.store(1, std::memory_order_release);
  });
  thread reader([&] {
    while (ready.load(std::memory_order_relaxed) == 0) S::spin();  // BUG: acquires nothing
    WEAVE_CHECK(data.read() == 42);
  });
  writer.join();
  reader.join();
}

// The writer touches the data again after raising the flag: the release
// publishes what came before it only, so the second write races with the
// reader's read (a buffer refilled while the reader may still use it).
WEAVE_MODEL_CHECK(publish_twin_writes_after_the_flag, data_race) {
  S::cell<int> data(0);
  S::atomic<int> ready(0);
  thread writer([&] {
    data.write() = 42;
    ready.store(1, std::memory_order_release);  // pairs with the acquire load below
    data.write() = 43;                          // BUG: after the release, unpublished
  });
  thread reader([&] {
    while (ready.load(std::memory_order_acquire) == 0) S::spin();
    WEAVE_CHECK(data.read() >= 42);
  });
  writer.join();
  reader.join();
}

WEAVE_MODEL_CHECK(publish_fences, pass) {
  S::cell<int> data(0);
  S::atomic<int> ready(0);
  thread writer([&] {
    data.write() = 42;
    S::fence(std::memory_order_release);         // pairs with the acquire fence below
    ready.store(1, std::memory_order_relaxed);
  });
  thread reader([&] {
    while (ready.load(std::memory_order_relaxed) == 0) S::spin();
    S::fence(std::memory_order_acquire);
    WEAVE_CHECK(data.read() == 42);
  });
  writer.join();
  reader.join();
}

// A relaxed RMW by a third thread continues the release sequence headed by the
// writer's release store, so the reader still synchronizes with the writer.
WEAVE_MODEL_CHECK(publish_release_sequence, pass) {
  S::cell<int> data(0);
  S::atomic<int> ready(0);
  thread writer([&] {
    data.write() = 42;
    ready.store(1, std::memory_order_release);
  });
  thread bumper([&] {
    while (ready.load(std::memory_order_relaxed) == 0) S::spin();
    ready.fetch_add(1, std::memory_order_relaxed);
  });
  thread reader([&] {
    while (ready.load(std::memory_order_acquire) != 2) S::spin();
    WEAVE_CHECK(data.read() == 42);
  });
  writer.join();
  bumper.join();
  reader.join();
}

// A consumer waiting on an empty queue that nobody fills: the consumer that
// never ends (a futex wait that no one will wake).
WEAVE_MODEL_CHECK(classic_consumer_never_fed, deadlock) {
  S::atomic<std::uint32_t> items(0);
  thread consumer([&] {
    while (items.load(std::memory_order_acquire) == 0) S::wait(items, 0);
    items.fetch_sub(1, std::memory_order_relaxed);
  });
  consumer.join();
}
