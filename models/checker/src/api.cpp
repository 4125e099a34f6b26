// The public face (weave/model.hpp) on top of the engine.
#include <cstdio>

#include "engine.hpp"

namespace weave::model {
using detail::where;

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

const char* to_string(memory_model m) noexcept { return m == memory_model::sc ? "sc" : "rc11"; }

result check(const options& o, const std::function<void()>& body) {
  detail::engine e(o);
  return e.explore(body);
}

bool counted() noexcept {
  const detail::engine* e = detail::engine::current;
  return e == nullptr || e->counted();
}

result replay(const options& o, const std::function<void()>& body, std::string_view token) {
  detail::engine e(o);
  return e.replay(body, token);
}

namespace {
// The engine of the running check, if the caller is one of its model threads.
// A call from another OS thread (a std::thread started in the body) is
// recorded as misuse and otherwise runs unchecked.
detail::engine* live() noexcept {
  detail::engine* e = detail::engine::current;
  if (e == nullptr || !e->active()) return nullptr;
  if (!e->on_scheduler_thread()) {
    e->used_from_foreign_thread();
    return nullptr;
  }
  return e;
}

// call_begin under opaque primitives.
[[gnu::noinline]] bool opaque_call_begin(detail::prim_id id, const char* what, source_location loc) noexcept {
  detail::engine* e = live();
  return e != nullptr && e->call_begin(e->index_of(id), what, loc);
}
}  // namespace

void check_that(bool cond, const char* what, source_location loc) {
  if (cond) return;
  detail::engine* e = live();
  if (e == nullptr && detail::engine::current != nullptr) return;  // an execution being unwound
  if (e == nullptr) {
    std::fprintf(stderr, "WEAVE_CHECK(%s) failed at %s:%u outside a model check\n", what, loc.file_name(),
                 static_cast<unsigned>(loc.line()));
    std::abort();
  }
  e->fail(verdict::check_failed,
          std::string("WEAVE_CHECK(") + what + ") failed in T" + std::to_string(e->self() - 1) + " at " +
              where(loc));
  e->visible(0, detail::op::fence, loc);  // stops this thread: the execution is over
}

namespace detail {

object_id new_object(void* addr, object_kind kind, source_location made, std::uint64_t initial, std::size_t size) {
  engine* e = live();
  return e ? e->new_object(kind, made, initial, addr, size) : object_id{kOutside};
}
void forget_object(object_id id) noexcept {
  if (engine* e = live()) e->forget_object(e->index_of(id));
}
void visible(object_id obj, op kind, source_location loc) {
  if (engine* e = live()) e->visible(e->index_of(obj), kind, loc);
}
bool atomic_load(object_id obj, std::memory_order o, source_location loc, std::uint64_t& value) {
  engine* e = live();
  return e != nullptr && e->atomic_load(e->index_of(obj), o, loc, value);
}
bool atomic_store(object_id obj, std::memory_order o, std::uint64_t value, source_location loc) {
  engine* e = live();
  return e != nullptr && e->atomic_store(e->index_of(obj), o, value, loc);
}
bool atomic_rmw(object_id obj, std::memory_order o, source_location loc, std::uint64_t& old_value, rmw_next next,
                const void* ctx) {
  engine* e = live();
  return e != nullptr && e->atomic_rmw(e->index_of(obj), o, loc, old_value, next, ctx);
}
int atomic_cas(object_id obj, std::memory_order success, std::memory_order failure, bool weak, std::uint64_t expected,
               std::uint64_t desired, source_location loc, std::uint64_t& old_value) {
  engine* e = live();
  return e == nullptr ? -1 : e->atomic_cas(e->index_of(obj), success, failure, weak, expected, desired, loc, old_value);
}
void cell_access(object_id obj, bool write, source_location loc) {
  if (engine* e = live()) e->cell_access(e->index_of(obj), write, loc);
}
wait_result futex_wait(object_id obj, const void*, std::uint32_t expected, std::int64_t deadline,
                       std::int64_t holder, source_location loc) {
  if (engine* e = live()) return e->futex_wait(e->index_of(obj), expected, deadline, holder, loc);
  return wait_result::woken;
}
bool alive(std::uint32_t id, source_location loc) {
  if (engine* e = live()) return e->alive(id, loc);
  return true;
}
void futex_wake(object_id obj, bool all, source_location loc, bool may_have_ended) {
  if (engine* e = live()) e->futex_wake(e->index_of(obj), all, loc, may_have_ended);
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
  return e ? e->now_ns() : 0;
}
void invariant(bool cond, const char* msg, source_location loc) {
  if (cond) return;
  engine* e = live();
  if (e == nullptr && engine::current != nullptr) return;  // an execution being unwound
  if (e == nullptr) {
    std::fprintf(stderr, "weave: invariant violated: %s (%s:%u)\n", msg, loc.file_name(),
                 static_cast<unsigned>(loc.line()));
    std::abort();
  }
  e->fail(verdict::check_failed, std::string("invariant violated in T") + std::to_string(e->self() - 1) + ": " +
                                     msg + " at " + where(loc));
  e->visible(0, op::fence, loc);  // stops this thread
}
void lock_hook(const void* lock, int what, unsigned flags) noexcept {
  const engine* running = engine::current;
  if (running == nullptr || !running->tracing()) return;  // holders are for a traced replay's report only
  if (engine* e = live()) e->lock_hook(lock, what, flags);
}
prim_id new_primitive(const void* self, const char* kind, const char* name, bool stepwise) noexcept {
  engine* e = live();
  return e ? e->new_primitive(self, kind, name, stepwise) : prim_id{kOutside};
}
void forget_primitive(prim_id id) noexcept {
  if (engine* e = live()) e->forget_primitive(e->index_of(id));
}
bool call_begin(prim_id id, const char* what, source_location loc) noexcept {
  // Transparent primitives open no calls: asked first, and the rest out of
  // line (every public operation of a primitive asks, about 50 times an
  // execution of the heaviest checks of models/checks/; with the rest inline
  // each saved and restored the registers it uses).
  const engine* running = engine::current;
  if (running == nullptr || !running->opaque_primitives()) return false;
  return opaque_call_begin(id, what, loc);
}
void call_end() noexcept {
  if (engine* e = live()) e->call_end();
}
void call_arg(const std::string& text) noexcept {
  if (engine* e = live()) e->call_arg(text);
}
bool tracing() noexcept {
  const engine* e = live();
  return e != nullptr && e->tracing();
}
void call_result(const std::string& text) noexcept {
  if (engine* e = live()) e->call_result(text);
}
void call_note(const char* text) noexcept {
  if (engine* e = live()) e->call_note(text);
}
void call_reads_decide() noexcept {
  if (engine* e = live()) e->call_reads_decide();
}
void user_code(bool enter) noexcept {
  if (engine* e = live()) e->user_code(enter);
}
void name_object(object_id id, const char* name) noexcept {
  if (engine* e = live()) e->name_object(e->index_of(id), name);
}
std::uint32_t spawn(std::function<void()>&& fn, source_location loc, const char* name) {
  engine* e = live();
  if (e == nullptr && engine::current != nullptr) return 0;  // an execution being unwound: it never runs
  if (e == nullptr) throw weave::usage_error("weave::model::thread: created outside a model check");
  return e->spawn(std::move(fn), loc, name);
}
void join(std::uint32_t tid, source_location loc) {
  if (engine* e = live()) e->join(tid, loc);
}
void unjoined(std::uint32_t tid) noexcept {
  if (engine* e = live()) e->unjoined(tid);
}

}  // namespace detail
}  // namespace weave::model
