// weave/error.hpp — the errors and statuses every primitive shares.
//
// Misuse of a primitive (unlocking a mutex that is not locked, over-releasing a
// bounded semaphore, ...) throws weave::usage_error, a std::logic_error whose
// message names the primitive and the rule that was broken, in the form
//     "weave::mutex: unlock of a mutex that is not locked"
// Python's threading module raises RuntimeError/ValueError in the same places.
//
// Timeouts are never exceptions: timed operations return a status.
//
// weave::broken_pool (a std::runtime_error, not a usage_error: nobody misused
// anything) is what a weave::process_pool task's future holds when the worker
// process running it died (Python's concurrent.futures.process.BrokenProcessPool).
#pragma once

#include <stdexcept>
#include <string>

namespace weave {

/// Thrown when a primitive is used against its contract. Mirrors the role of
/// std::system_error(operation_not_permitted) for std::mutex, but names the rule.
class usage_error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Builds the message of a usage_error: "<primitive>: <rule>".
[[noreturn]] inline void throw_usage_error(const char* primitive, const char* rule) {
  throw usage_error(std::string(primitive) + ": " + rule);
}

/// A weave::process_pool worker process died (or exited) while it held a task,
/// or no worker could be started for it: that task's future fails with this
/// error. The message names the pool, the worker's pid and how it ended, e.g.
///     "weave::process_pool: worker 4242 was killed by signal 9 while running 'square'"
/// The pool itself keeps working (it starts a replacement worker).
class broken_pool : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace weave
