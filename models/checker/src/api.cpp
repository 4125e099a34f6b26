// The public face (weave/model.hpp) on top of the engine.
#include <cstdio>
#include <cstring>

#include "engine.hpp"

namespace weave::model {
namespace {
const char* short_file(const char* path) {
  const char* s = std::strrchr(path, '/');
  return s ? s + 1 : path;
}
}  // namespace

const char* to_string(verdict v) noexcept {
  switch (v) {
    case verdict::pass: return "pass";
    case verdict::deadlock: return "deadlock";
    case verdict::check_failed: return "check_failed";
    case verdict::exception: return "exception";
    case verdict::usage_error: return "usage_error";
    case verdict::data_race: return "data_race";
    case verdict::livelock: return "livelock";
    case verdict::unjoined_thread: return "unjoined_thread";
    case verdict::nondeterminism: return "nondeterminism";
  }
  return "?";
}

result check(const options& o, const std::function<void()>& body) {
  detail::engine e(o);
  return e.explore(body);
}

result replay(const options& o, const std::function<void()>& body, std::string_view token) {
  detail::engine e(o);
  return e.replay(body, token);
}

namespace {
detail::engine* live() noexcept {
  detail::engine* e = detail::engine::current;
  return (e != nullptr && e->active()) ? e : nullptr;
}
}  // namespace

void check_that(bool cond, const char* what, source_location loc) {
  if (cond) return;
  detail::engine* e = live();
  if (e == nullptr) {
    std::fprintf(stderr, "WEAVE_CHECK(%s) failed at %s:%u outside a model check\n", what, loc.file_name(),
                 static_cast<unsigned>(loc.line()));
    std::abort();
  }
  e->fail(verdict::check_failed,
          std::string("WEAVE_CHECK(") + what + ") failed in T" + std::to_string(e->self() - 1) + " at " +
              short_file(loc.file_name()) + ":" + std::to_string(loc.line()));
  e->visible(0, detail::op::fence, loc);  // stops this thread: the execution is over
}

namespace detail {

std::uint32_t new_object(const void*, bool is_cell, source_location made) {
  engine* e = live();
  return e ? e->new_object(is_cell, made) : 0xffffffffu;
}
void forget_object(std::uint32_t id) noexcept {
  if (engine* e = live()) e->forget_object(id);
}
void visible(std::uint32_t obj, op kind, source_location loc) {
  if (engine* e = live()) e->visible(obj, kind, loc);
}
void load_done(std::uint32_t obj, std::memory_order o, std::uint64_t v) {
  if (engine* e = live()) e->load_done(obj, o, v);
}
void store_done(std::uint32_t obj, std::memory_order o, std::uint64_t v) {
  if (engine* e = live()) e->store_done(obj, o, v);
}
void rmw_done(std::uint32_t obj, std::memory_order o, std::uint64_t old_value, std::uint64_t new_value) {
  if (engine* e = live()) e->rmw_done(obj, o, old_value, new_value);
}
void cell_access(std::uint32_t obj, bool write, source_location loc) {
  if (engine* e = live()) e->cell_access(obj, write, loc);
}
wait_result futex_wait(std::uint32_t obj, const void* word, std::uint32_t expected, std::int64_t deadline,
                       std::int64_t holder, source_location loc) {
  if (engine* e = live()) return e->futex_wait(obj, word, expected, deadline, holder, loc);
  return wait_result::woken;
}
bool alive(std::uint32_t id, source_location loc) {
  if (engine* e = live()) return e->alive(id, loc);
  return true;
}
void futex_wake(std::uint32_t obj, bool all, source_location loc) {
  if (engine* e = live()) e->futex_wake(obj, all, loc);
}
void spin(source_location loc) {
  if (engine* e = live()) e->spin(loc);
}
void fence(std::memory_order o, source_location loc) {
  if (engine* e = live()) e->fence(o, loc);
}
std::uint32_t self() noexcept {
  engine* e = live();
  return e ? e->self() : 0;
}
std::int64_t now_ns() noexcept {
  engine* e = live();
  return e ? e->now() : 0;
}
void invariant(bool cond, const char* msg, source_location loc) {
  if (cond) return;
  engine* e = live();
  if (e == nullptr) {
    std::fprintf(stderr, "weave: invariant violated: %s (%s:%u)\n", msg, loc.file_name(),
                 static_cast<unsigned>(loc.line()));
    std::abort();
  }
  e->fail(verdict::check_failed, std::string("invariant violated in T") + std::to_string(e->self() - 1) + ": " +
                                     msg + " at " + short_file(loc.file_name()) + ":" + std::to_string(loc.line()));
  e->visible(0, op::fence, loc);  // stops this thread
}
void lock_hook(const void* lock, int what, unsigned flags) noexcept {
  if (engine* e = live()) e->lock_hook(lock, what, flags);
}
std::uint32_t spawn(std::function<void()> fn, source_location loc) {
  engine* e = live();
  if (e == nullptr) throw weave::usage_error("weave::model::thread: created outside a model check");
  return e->spawn(std::move(fn), loc);
}
void join(std::uint32_t tid, source_location loc) {
  if (engine* e = live()) e->join(tid, loc);
}
void unjoined(std::uint32_t tid) noexcept {
  if (engine* e = live()) e->unjoined(tid);
}

}  // namespace detail
}  // namespace weave::model
