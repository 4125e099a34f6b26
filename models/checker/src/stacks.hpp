// Fiber stacks: a pool of mmap'd stacks, each with a PROT_NONE guard page below
// it, reused across executions so memory stays flat. A fiber that overflows its
// stack faults in the guard page; a SIGSEGV handler on an alternate signal stack
// recognises the guard page and reports the overflow instead of a bare crash.
#pragma once

#include <cstddef>
#include <vector>

#include <boost/context/stack_context.hpp>

namespace weave::model::detail {

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
  std::size_t size_;    // usable bytes
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

void install_overflow_handler();

/// The process-wide pool for stacks of `size` bytes: stacks outlive one check,
/// so a runner that checks many bodies maps each stack once.
stack_pool& shared_stack_pool(std::size_t size);

}  // namespace weave::model::detail
