// Fiber stacks: a pool of mmap'd stacks, each with a PROT_NONE guard page below
// it, reused across executions so memory stays flat. A fiber that overflows its
// stack faults in the guard page; a SIGSEGV handler on an alternate signal stack
// recognises the guard page and reports the overflow instead of a bare crash.
//
// Under AddressSanitizer (make asan builds the checker so), every switch
// between stacks says so (fiber_switch below), and a stack handed out again is
// unpoisoned: ASan keeps one stack per OS thread, and on fibers it would
// otherwise check the frames of one stack against another's bounds, and take
// a reused stack's dead frames for live ones.
#pragma once

#include <cstddef>
#include <vector>

#include <boost/context/stack_context.hpp>

#if defined(__SANITIZE_ADDRESS__)
#define WEAVE_ASAN_FIBERS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WEAVE_ASAN_FIBERS 1
#endif
#endif
#ifdef WEAVE_ASAN_FIBERS
#include <sanitizer/common_interface_defs.h>
#endif

namespace weave::model::detail {

/// How many times the room a frame takes: AddressSanitizer's redzones make
/// frames several times larger, so its builds give every stack (and the gap a
/// finished thread plans in: engine::kGapBytes) four times what is asked.
#ifdef WEAVE_ASAN_FIBERS
inline constexpr std::size_t kStackScale = 4;
#else
inline constexpr std::size_t kStackScale = 1;
#endif

class stack_pool {
 public:
  explicit stack_pool(std::size_t size);
  ~stack_pool();
  stack_pool(const stack_pool&) = delete;
  stack_pool& operator=(const stack_pool&) = delete;

  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& sc) noexcept;

 private:
  struct block {
    char* base;  // guard page starts here
  };
  std::size_t size_;    // usable bytes (the size asked, times kStackScale)
  std::size_t total_;   // with the guard page
  std::vector<char*> free_;
  std::vector<char*> all_;
};

/// The allocator Boost.Context calls (a reference to a pool); `given`, if
/// set, learns the stack it hands out (engine::abandon gives it back).
struct pooled_stack {
  stack_pool* pool;
  boost::context::stack_context* given = nullptr;
  boost::context::stack_context allocate() {
    boost::context::stack_context sc = pool->allocate();
    if (given != nullptr) *given = sc;
    return sc;
  }
  void deallocate(boost::context::stack_context& sc) noexcept { pool->deallocate(sc); }
};

/// The handler that reports a model thread's stack overflow (the guard
/// pages of every pool), and the calling OS thread's stack to run it on.
/// Each engine calls it (engine::engine): a signal stack is a thread's own.
void install_overflow_handler();

/// A stack's extent, as ASan's fiber interface takes it (lowest address, size).
struct stack_bounds {
  const void* bottom = nullptr;
  std::size_t size = 0;
};
inline stack_bounds bounds_of(const boost::context::stack_context& sc) noexcept {
  return {static_cast<const char*>(sc.sp) - sc.size, sc.size};
}

/// One switch of stacks, told to AddressSanitizer (compiled to nothing
/// without it): made just before the switch, naming the stack that runs next;
/// landed just after, on the switching context's stack again, learning the
/// stack that switched back. A forced unwind thrown out of the switch (the
/// fiber's handle destroyed while it waited) lands it on the way out.
class fiber_switch {
 public:
#ifdef WEAVE_ASAN_FIBERS
  explicit fiber_switch(stack_bounds to) noexcept { __sanitizer_start_switch_fiber(&fake_, to.bottom, to.size); }
  void land(stack_bounds* from) noexcept {
    landed_ = true;
    finish(fake_, from);
  }
  ~fiber_switch() {
    if (!landed_) finish(fake_, nullptr);
  }
  fiber_switch(const fiber_switch&) = delete;
  fiber_switch& operator=(const fiber_switch&) = delete;
  /// A fiber's first instructions: it has just arrived from `from` (no fake stack of its own yet).
  static void arrived(stack_bounds* from) noexcept { finish(nullptr, from); }
  /// A fiber's last: it leaves for `to` and never runs again.
  static void leaving(stack_bounds to) noexcept { __sanitizer_start_switch_fiber(nullptr, to.bottom, to.size); }

 private:
  static void finish(void* fake, stack_bounds* from) noexcept {
    stack_bounds b;
    __sanitizer_finish_switch_fiber(fake, &b.bottom, &b.size);
    if (from != nullptr) *from = b;
  }
  void* fake_ = nullptr;  // this context's fake stack (use-after-return detection), kept across the switch
  bool landed_ = false;
#else
  explicit fiber_switch(stack_bounds) noexcept {}
  void land(stack_bounds*) noexcept {}
  static void arrived(stack_bounds*) noexcept {}
  static void leaving(stack_bounds) noexcept {}
#endif
};

/// The process-wide pool for stacks of `size` bytes: stacks outlive one check,
/// so a runner that checks many bodies maps each stack once.
stack_pool& shared_stack_pool(std::size_t size);

}  // namespace weave::model::detail
