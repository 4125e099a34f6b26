// Helpers for the fixtures that fork: run a body in a child process and wait for
// it with a deadline, so a hung child fails the test instead of hanging it.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace weave::test {

// Waits for a child up to `seconds`; kills it if it is still running. Returns
// its exit status (128 + signal if it died of one, -1 on timeout).
inline int wait_child(pid_t pid, double seconds) {
  using clk = std::chrono::steady_clock;
  const auto end = clk::now() + std::chrono::duration<double>(seconds);
  int st = 0;
  for (;;) {
    const pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (clk::now() > end) {
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// Forks; the child runs body() and exits with its result (98 if it threw).
template <class F>
pid_t fork_child(F&& body) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    int code = 99;
    try {
      code = body();
    } catch (...) {
      code = 98;
    }
    _exit(code);
  }
  return pid;
}

}  // namespace weave::test
