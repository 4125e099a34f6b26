#include "stacks.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include <sys/mman.h>
#include <unistd.h>

#ifdef WEAVE_ASAN_FIBERS
#include <sanitizer/asan_interface.h>
#endif

namespace weave::model::detail {
namespace {

// Guard pages of every pool, for the overflow handler (no allocation there).
constexpr int kMaxGuards = 4096;
char* g_guards[kMaxGuards];
std::size_t g_guard_size = 0;
int g_guard_count = 0;
std::size_t g_stack_size = 0;

void on_segv(int sig, siginfo_t* info, void*) {
  char* addr = static_cast<char*>(info->si_addr);
  for (int i = 0; i < g_guard_count; ++i) {
    if (g_guards[i] != nullptr && addr >= g_guards[i] && addr < g_guards[i] + g_guard_size) {
      char msg[256];
      int n = std::snprintf(msg, sizeof msg,
                            "\nweave model checker: a model thread overflowed its stack (%zu KiB).\n"
                            "Raise options.stack_size (WEAVE_MODEL_CHECK(name, verdict, .stack_size = ...))\n"
                            "or keep large objects off the model threads' stacks.\n",
                            g_stack_size / 1024);
      if (n > 0) (void)!write(2, msg, static_cast<std::size_t>(n));
      _exit(3);
    }
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

// The alternate stack the handler runs on (the overflowed stack has no room
// for it). A signal stack is an OS thread's own, so each thread that makes
// an engine gets one, mapped then and taken down when the thread ends. Once
// per process, on the thread of the first check, left every later thread
// without one (a check on a std::thread: the overflow killed the process
// with SIGSEGV and no word), and under ASan replaced the sanitizer's own,
// which it then failed to unmap at that thread's exit (engine_test::
// stack_overflow_on_another_thread_is_reported). A thread that has one
// already (a sanitizer's) keeps it.
class signal_stack {
 public:
  signal_stack() {
    stack_t old{};
    if (sigaltstack(nullptr, &old) == 0 && (old.ss_flags & SS_DISABLE) == 0) return;  // one already
    void* p = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;  // no alternate stack: an overflow ends the process unexplained, as before
    stack_t ss{};
    ss.ss_sp = p;
    ss.ss_size = kSize;
    if (sigaltstack(&ss, nullptr) == 0) mem_ = p;
    else munmap(p, kSize);
  }
  ~signal_stack() {
    if (mem_ == nullptr) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
    munmap(mem_, kSize);
  }
  signal_stack(const signal_stack&) = delete;
  signal_stack& operator=(const signal_stack&) = delete;

 private:
  static constexpr std::size_t kSize = 64 * 1024;
  void* mem_ = nullptr;
};

void install_overflow_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, nullptr);
    sigaction(SIGBUS, &sa, nullptr);
  });
  thread_local const signal_stack mine;  // this thread's, made at its first engine
}

stack_pool::stack_pool(std::size_t size) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  size_ = (size * kStackScale + page - 1) / page * page;
  total_ = size_ + page;
  g_guard_size = page;
  g_stack_size = size;  // as the user asked for it
}

stack_pool::~stack_pool() {
  for (char* p : all_) {
    for (int i = 0; i < g_guard_count; ++i)
      if (g_guards[i] == p) g_guards[i] = nullptr;
    munmap(p, total_);
  }
}

boost::context::stack_context stack_pool::allocate() {
  char* base;
  if (!free_.empty()) {
    base = free_.back();
    free_.pop_back();
  } else {
    void* p = mmap(nullptr, total_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (p == MAP_FAILED) {
      std::perror("weave model checker: mmap of a fiber stack");
      std::abort();
    }
    base = static_cast<char*>(p);
    mprotect(base, total_ - size_, PROT_NONE);  // the guard page at the low end
    all_.push_back(base);
    int slot = -1;
    for (int i = 0; i < g_guard_count; ++i)
      if (g_guards[i] == nullptr) slot = i;
    if (slot < 0 && g_guard_count < kMaxGuards) slot = g_guard_count++;
    if (slot >= 0) g_guards[slot] = base;
  }
#ifdef WEAVE_ASAN_FIBERS
  // Frames a fiber left there (an abandoned one's, the redzones of frames it
  // switched away from) are dead: ASan must not see the next fiber's as theirs.
  __asan_unpoison_memory_region(base + (total_ - size_), size_);
#endif
  boost::context::stack_context sc;
  sc.size = size_;
  sc.sp = base + total_;  // stacks grow down
  return sc;
}

stack_pool& shared_stack_pool(std::size_t size) {
  static std::vector<std::unique_ptr<stack_pool>> pools;  // one per stack size
  static std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < sizes.size(); ++i)
    if (sizes[i] == size) return *pools[i];
  sizes.push_back(size);
  pools.push_back(std::make_unique<stack_pool>(size));
  return *pools.back();
}

void stack_pool::deallocate(boost::context::stack_context& sc) noexcept {
  free_.push_back(static_cast<char*>(sc.sp) - total_);
}

}  // namespace weave::model::detail
