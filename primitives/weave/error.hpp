// weave/error.hpp — the errors and statuses every primitive shares.
//
// Misuse of a primitive (unlocking a mutex that is not locked, over-releasing a
// bounded semaphore, ...) throws weave::usage_error, a std::logic_error whose
// message names the primitive and the rule that was broken, in the form
//     "weave::mutex: unlock of a mutex that is not locked"
// Python's threading module raises RuntimeError/ValueError in the same places.
//
// Timeouts are never exceptions: timed operations return a status.
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

}  // namespace weave
