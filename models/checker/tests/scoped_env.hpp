// An environment variable set for the checks made in a scope (each engine
// reads WEAVE_FAST_FORWARD, forward.cpp, and WEAVE_PSC, psc.cpp, when it is
// made). As it was afterwards.
#pragma once

#include <cstdlib>
#include <string>

class scoped_env {
 public:
  /// value nullptr: as the environment says.
  scoped_env(const char* name, const char* value) : name_(name), set_(value != nullptr) {
    if (!set_) return;
    if (const char* v = std::getenv(name)) saved_ = v, had_ = true;
    ::setenv(name, value, 1);
  }
  ~scoped_env() {
    if (!set_) return;
    if (had_) ::setenv(name_.c_str(), saved_.c_str(), 1);
    else ::unsetenv(name_.c_str());
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  std::string name_;
  bool set_;
  std::string saved_;
  bool had_ = false;
};
