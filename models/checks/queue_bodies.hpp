// Model-check bodies every bounded FIFO queue must pass, written once and run
// on weave::model::fifo_queue (queue.cpp) and weave::model::ring_queue
// (ring_queue.cpp). Each takes a fresh queue of capacity 1 or 2.
#pragma once

#include <chrono>
#include <vector>

#include "weave/model.hpp"
#include "weave/queue.hpp"

namespace weave::model_bodies {

// One producer puts 1, 2 through the queue, then closes; the consumer gets
// until closed: exactly 1 then 2 (order kept, nothing lost or doubled, and
// close drains before it reports closed).
template <class Q>
void order_and_drain(Q& q) {
  std::vector<int> got;
  weave::model::thread consumer([&] {
    while (auto v = q.get()) got.push_back(*v);
  });
  WEAVE_CHECK(q.put(1) == queue_status::ok);
  WEAVE_CHECK(q.put(2) == queue_status::ok);
  q.close();
  consumer.join();
  WEAVE_CHECK((got == std::vector<int>{1, 2}));
}

// Two consumers wait on an empty queue; close wakes both (a missed one is a
// deadlock).
template <class Q>
void close_wakes_every_consumer(Q& q) {
  auto consumer = [&] {
    int v = 0;
    WEAVE_CHECK(q.get(v) == queue_status::closed);
  };
  weave::model::thread a(consumer), b(consumer);
  q.close();
  a.join();
  b.join();
}

// join returns exactly when every task is done: the worker records its work
// in a plain cell before task_done(); join's return must see it (a data race
// if join returned early).
template <class Q>
void join_waits_for_task_done(Q& q) {
  weave::model_sync::cell<int> processed(0);
  weave::model::thread worker([&] {
    for (int i = 0; i < 2; ++i) {
      int v = 0;
      WEAVE_CHECK(q.get(v) == queue_status::ok);
      processed.write() += v;
      q.task_done();
    }
  });
  WEAVE_CHECK(q.put(1) == queue_status::ok);
  WEAVE_CHECK(q.put(2) == queue_status::ok);
  q.join();
  WEAVE_CHECK(processed.read() == 3);
  worker.join();
}

// A timed get racing a put: it takes the item, or times out and the item
// stays in the queue — never both, never neither.
template <class Q>
void timed_get_keeps_or_takes(Q& q) {
  int v = 0;
  queue_status s = queue_status::ok;
  weave::model::thread c([&] { s = q.get_for(v, std::chrono::milliseconds(5)); });
  WEAVE_CHECK(q.put(7) == queue_status::ok);
  c.join();
  if (s == queue_status::ok) {
    WEAVE_CHECK(v == 7 && q.try_get(v) == queue_status::empty);
  } else {
    WEAVE_CHECK(s == queue_status::timeout && q.try_get(v) == queue_status::ok && v == 7);
  }
}

}  // namespace weave::model_bodies
