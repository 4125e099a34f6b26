// weave/detail/process.hpp — the little process glue that process-shared
// primitives need (weave::pipe, weave::robust_mutex): "which process am I" and
// "is that process (or thread) still alive".
//
// Not part of the seam: nothing here touches atomics, futexes or clocks. It is
// used only on hardware: by real_sync (S::alive, S::wait_unless_dead) and by
// the pipe's holder tables (weave/detail/holders.hpp). Under the model checker
// there are no processes, and a thread is dead once it has finished.
//
// Liveness: a process killed by SIGKILL stays a zombie until its parent reaps
// it, and kill(pid, 0) succeeds on a zombie; a parent blocked on its child
// would never reap it. So liveness reads /proc/<id>/stat: absent, zombie ('Z')
// or dead ('X') means gone, and a start time (field 22) that differs from the
// one recorded when the id was claimed means the id was reused. /proc/<tid>
// also resolves thread ids, which is what the robust mutex records.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

namespace weave::detail {

/// Identity of a process or thread: its id and its start time in clock ticks
/// since boot (low 32 bits), which tells a live id from a reused one.
struct process_identity {
  std::uint32_t id = 0;
  std::uint32_t start = 0;  // 0 = unknown (not compared)
};

/// Reads state and start time of /proc/<id>/stat. Returns false if the entry
/// does not exist (the id is gone); true with state '?' if it cannot be read.
inline bool read_proc_stat(std::uint32_t id, char& state, std::uint32_t& start) noexcept {
  char path[48];
  std::snprintf(path, sizeof path, "/proc/%u/stat", static_cast<unsigned>(id));
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    state = '?';
    start = 0;
    return errno != ENOENT && errno != ESRCH;
  }
  char buf[1024];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf - 1);
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  state = '?';
  start = 0;
  if (n <= 0) return true;
  buf[n] = '\0';
  // The command name (field 2) may contain spaces and ')': fields resume after
  // the last ')'. Then: state(3) ppid pgrp session tty tpgid flags minflt
  // cminflt majflt cmajflt utime stime cutime cstime priority nice threads
  // itrealvalue starttime(22).
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr || p[1] != ' ') return true;
  p += 2;
  state = *p;
  int field = 3;
  while (*p != '\0' && field < 22) {
    if (*p == ' ') ++field;
    ++p;
  }
  if (field == 22) start = static_cast<std::uint32_t>(std::strtoull(p, nullptr, 10));
  return true;
}

/// The identity of an id as it is now (start 0 if /proc cannot tell).
inline process_identity identity_of(std::uint32_t id) noexcept {
  char state;
  std::uint32_t start;
  read_proc_stat(id, state, start);
  return {id, start};
}

/// True unless the process/thread is known to be gone: no such id, a zombie,
/// or an id whose start time differs from the recorded one (reused).
/// Ids 0 and above the kernel's maximum (2^22) count as gone: they are what a
/// corrupted or hostile shared word looks like, and no live task has them.
inline bool alive(process_identity who) noexcept {
  if (who.id == 0 || who.id > (1u << 22)) return false;
  char state;
  std::uint32_t start;
  if (!read_proc_stat(who.id, state, start)) return false;
  if (state == 'Z' || state == 'X' || state == 'x') return false;
  if (state == '?') {
    // /proc unreadable: fall back to kill(pid, 0) (blind to zombies).
    return ::kill(static_cast<pid_t>(who.id), 0) == 0 || errno != ESRCH;
  }
  if (who.start != 0 && start != 0 && who.start != start) return false;
  return true;
}

/// The process's pid, kept by a pthread_atfork child handler (glibc no longer
/// caches getpid(), and the pipe asks on every operation whether it now runs
/// in a forked child).
inline std::uint32_t& cached_pid() noexcept {
  static std::uint32_t pid = [] {
    pthread_atfork(nullptr, nullptr, [] { cached_pid() = static_cast<std::uint32_t>(::getpid()); });
    return static_cast<std::uint32_t>(::getpid());
  }();
  return pid;
}
inline std::uint32_t current_pid() noexcept { return cached_pid(); }

}  // namespace weave::detail
