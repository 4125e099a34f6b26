// WEAVE_FAST_FORWARD (forward.cpp: on, off or verify) for the checks made in
// a scope: each engine reads it when it is made. As it was afterwards.
#pragma once

#include <cstdlib>
#include <string>

class forwarding {
 public:
  /// mode nullptr: as the environment says.
  explicit forwarding(const char* mode) : set_(mode != nullptr) {
    if (!set_) return;
    if (const char* v = std::getenv("WEAVE_FAST_FORWARD")) saved_ = v, had_ = true;
    ::setenv("WEAVE_FAST_FORWARD", mode, 1);
  }
  ~forwarding() {
    if (!set_) return;
    if (had_) ::setenv("WEAVE_FAST_FORWARD", saved_.c_str(), 1);
    else ::unsetenv("WEAVE_FAST_FORWARD");
  }
  forwarding(const forwarding&) = delete;
  forwarding& operator=(const forwarding&) = delete;

 private:
  bool set_;
  std::string saved_;
  bool had_ = false;
};
