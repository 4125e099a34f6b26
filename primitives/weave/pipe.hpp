// weave/pipe.hpp — weave::pipe, a message channel between processes in shared
// memory.
//
// Mirrors Python's multiprocessing.Pipe()/Connection (there is no std item):
//
//   auto [a, b] = weave::make_pipe();          // duplex; before fork()
//   auto [r, w] = weave::make_pipe({.duplex = false});   // r receives, w sends
//   weave::pipe_end e = weave::pipe_create("/name", opts);  // named, exclusive, 0600
//   weave::pipe_end f = weave::pipe_open("/name");          // the other end
//
//   send(bytes)            -> pipe_status::ok | closed | peer_gone
//   send_for(bytes, t)     -> ... | timeout
//   recv_into(span)        -> {ok, size} | {too_small, needed size} | closed | peer_gone
//   recv(vector&)          -> the whole next message
//   recv()                 -> std::vector<std::byte>; throws weave::pipe_closed at
//                             end of stream (Python's EOFError) or peer gone
//   poll(t)                -> true if recv would not block (a message, end of
//                             stream or a gone peer), as Connection.poll
//   close()
//
// Outcomes, decided once for every call:
//   * A timeout is a status (pipe_status::timeout), never an exception.
//   * closed: on recv, the peer closed its sending side and every message it sent
//     has been received (end of stream); on send, the peer closed its receiving
//     side. A distinct status, as Python's EOFError/BrokenPipeError are distinct
//     exceptions.
//   * peer_gone: the peer's process died without closing (even SIGKILL). A recv
//     first drains every complete message the peer published. A blocked call
//     notices within one liveness slice (100 ms; the contract is one second).
//   * too_small (recv_into): the buffer is shorter than the next message; the
//     size it needs is reported and the message stays in the pipe (Python's
//     BufferTooShort loses nothing either).
//   * weave::usage_error: send on a receive-only end, recv on a send-only end,
//     any call on a closed end, a message larger than max_message, bad options.
//   * weave::pipe_error (std::runtime_error): the OS refused (name exists,
//     permission denied, no such name), or the shared region is corrupted: every
//     index, length and state word read from shared memory is validated before
//     use, because the peer is not trusted.
//
// Differences from Python, and why:
//   - Messages are bytes, not pickled objects: the caller serialises (a pipe
//     between processes that do not trust each other must not unpickle), and a
//     message is at most max_message bytes (an option; the ring lives in a
//     fixed shared region).
//   - Outcomes are statuses (closed, peer_gone, timeout, too_small) where
//     Python raises EOFError, BrokenPipeError or BufferTooShort; only the
//     convenience recv() throws (weave::pipe_closed, as EOFError).
//   - send and recv have timed forms (send_for, recv_for); Python has only
//     poll(timeout). A timeout too large to represent waits forever
//     (saturating), a negative one is one try.
//   - A peer end whose last user dies is reported (peer_gone), even if
//     another process still holds a handle to it; an OS pipe (Python's
//     Connection) reports end of file only once every holder has closed it.
//
// Ownership across fork(): an end is held by every process that has a handle
// to it, as a file descriptor is (a child inherits its parent's handles), and
// used by the process that last sent, received or polled on it (or called
// claim()). The shared header records both per end (weave/detail/holders.hpp):
// a table of holders, kept right across fork() by pthread_atfork handlers,
// and the last user's pid and start time (one word). The peer is gone when the last user
// of its end died; or, if nobody used that end yet, when every holder of it
// died. close() (and the destructor) shut the end for the peer if this process
// used it or if no other live process holds it; otherwise they only drop this
// process's handle, as closing an inherited file descriptor does not close the
// pipe for the other holders. So the usual pattern works: make the pipe, fork,
// each side closes the end it does not use; a child that dies before it ever
// touched its end is then noticed like one that died mid-message. A process
// that keeps a handle to its peer's end (never closed, never used) is itself a
// live holder of it, and waits like a reader of a pipe(2) whose write end it
// still holds. One thread at a time per end and direction (as a Connection).
//
// Algorithm: per direction a single-producer single-consumer byte ring
// (Lamport's ring with free-running 32-bit head/tail counters, capacity a power
// of two, as in Vyukov's and the Linux kernel's kfifo), carrying records
// [u32 length][payload] that may wrap around the end of the ring. Parking is an
// event count (Vyukov's eventcount idea) per direction: a waiter announces
// itself in a parked flag, re-checks, and futex-waits on an epoch word that the
// other side bumps only when it sees the flag (the Dekker pattern below, all
// four accesses seq_cst).
//
// Shared state of one direction (one writer end, one reader end):
//
//   word           written by            meaning
//   head           writer (release)      bytes ever published (mod 2^32)
//   tail           reader (release)      bytes ever consumed (mod 2^32)
//   state          either (fetch_or)     bit 0 writer closed, bit 1 reader closed
//   reader_parked  reader                1 while the reader may sleep on data_epoch
//   writer_parked  writer                1 while the writer may sleep on space_epoch
//   data_epoch     writer, closers       futex word the reader parks on
//   space_epoch    reader, closers       futex word the writer parks on
//
// Invariants (cited in the code as P1..P8):
//   P1  Each end keeps private copies of its own index (head_ for the writer,
//       tail_ for the reader) and of the geometry (capacity, max_message, ring
//       addresses); it never re-reads them from shared memory after attaching.
//   P2  A peer's index is used only if 0 <= head - tail <= capacity (with the
//       private copy on one side); otherwise pipe_error (corrupted).
//   P3  A record is published (head stored, release) only after all its bytes
//       are written, so a reader that sees head has whole records; a length
//       that is larger than max_message or than the published bytes is
//       corruption. The length is read once into a private variable.
//   P4  No lost wake-up: the waiter does parked=1; e=epoch; re-check; wait(epoch,
//       e). The other side does publish; if (parked) { ++epoch; wake }. All four
//       of parked-store, index-load, index-store, parked-load are seq_cst, so
//       either the waiter's re-check sees the publish or the publisher sees the
//       flag and bumps the epoch (then the futex's value check or the wake
//       catches the waiter).
//   P5  close() sets its state bit after its last publish, then bumps both
//       epochs and wakes all: a reader that sees the writer-closed bit and then
//       re-reads head has every message (end of stream only when drained). A
//       duplex end's close() is two shuts, its receiving direction first; it
//       takes effect at that first one. From then on the peer's send says
//       closed, and the peer's recv, with nothing left to drain, says end of
//       stream: it reads the reader-closed bit on its own sending direction
//       as well as the writer-closed bit on its receiving one. So a duplex
//       close is one step for the peer: never "send closed, recv waits".
//   P6  On hardware a blocked wait sleeps at most one liveness slice at a time
//       and then asks whether the peer end is still in use (P7); so a dead
//       peer is noticed within a slice, never a hang. Under the model there
//       are no processes and waits are not sliced.
//   P7  Liveness is asked only of a pipe in shared memory (made by make_pipe,
//       pipe_create or pipe_open): its ends are in the holder tables of H1..H6
//       in weave/detail/holders.hpp. A pipe in private memory (make_local,
//       attach) has one process by construction; its peer is never gone.
//   P8  Python's order (sync.hpp): a call takes effect at a seq_cst access (a
//       send at its head store, a recv at its tail store, a close at its
//       first fetch_or), and every read that may decide what a call returns
//       ("closed", "empty", "full") is seq_cst, so the calls of every pipe
//       and of the other primitives keep one order on weak hardware too.
//       send, recv and poll say call.reads_decide(), so an opaque check lets
//       those reads take every value RC11 allows. A reader that saw the
//       close by such a read re-reads head acquire: the close synchronized
//       with it, and head has no later value.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weave/detail/holders.hpp"
#include "weave/detail/process.hpp"
#include "weave/error.hpp"
#include "weave/sync.hpp"

namespace weave {

/// What a pipe operation reports (see the table at the top of this file).
enum class pipe_status : std::uint8_t { ok, timeout, closed, peer_gone, too_small };

inline const char* to_string(pipe_status s) noexcept {
  switch (s) {
    case pipe_status::ok: return "ok";
    case pipe_status::timeout: return "timeout";
    case pipe_status::closed: return "closed";
    case pipe_status::peer_gone: return "peer_gone";
    case pipe_status::too_small: return "too_small";
  }
  return "?";
}

/// A receive's status and size (the message's size; for too_small the size the
/// buffer would need).
struct recv_result {
  pipe_status status = pipe_status::ok;
  std::size_t size = 0;
  explicit operator bool() const noexcept { return status == pipe_status::ok; }
};

/// The OS refused, or the shared region is corrupted.
class pipe_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thrown only by the convenience recv() (Python's EOFError): the stream ended
/// (status closed) or the peer died (status peer_gone).
class pipe_closed : public std::runtime_error {
 public:
  explicit pipe_closed(pipe_status s)
      : std::runtime_error(std::string("weave::pipe: ") +
                           (s == pipe_status::closed ? "end of stream (the peer closed)" : "the peer process is gone")),
        status_(s) {}
  pipe_status status() const noexcept { return status_; }

 private:
  pipe_status status_;
};

/// How a pipe is made.
struct pipe_options {
  bool duplex = true;              // false: end 0 receives only, end 1 sends only
  std::size_t capacity = 1 << 16;  // ring bytes per direction: a power of two, 16 .. 2^30
  std::size_t max_message = 0;     // largest payload; 0 = capacity - 4 (the most a ring holds)
};

namespace detail {
struct pipe_access;  // tests, model checks and the fuzzer reach the raw region through it
inline constexpr std::uint32_t pipe_magic = 0x77617665;  // "wave"
inline constexpr std::uint32_t pipe_version = 3;  // 2: holder tables (P7); 3: one owner word (H6)
inline constexpr std::uint32_t pipe_writer_closed = 1, pipe_reader_closed = 2;
inline constexpr std::size_t pipe_record_header = 4;  // the u32 length prefix
}  // namespace detail

template <class S = real_sync>
class basic_pipe_end {
  static_assert(sync_policy<S>);
  using u32 = std::uint32_t;
  using atomic_u32 = typename S::template atomic<u32>;
  using cell_t = typename S::template cell<unsigned char>;
  // Processes exist only on hardware: liveness and ownership use them (P6).
  static constexpr bool hardware = std::is_same_v<S, real_sync>;

  struct alignas(64) direction {
    alignas(64) atomic_u32 head{0};  // written per message by the writer
    alignas(64) atomic_u32 tail{0};  // written per message by the reader
    // Read per message, written only when parking or closing.
    alignas(64) atomic_u32 state{0};
    atomic_u32 reader_parked{0};
    atomic_u32 writer_parked{0};
    atomic_u32 data_epoch{0};
    atomic_u32 space_epoch{0};
  };

  // Who holds and who last used each end: processes exist only on hardware
  // (the record's protocol is model-checked on its own: models/checks/holders.cpp).
  struct no_record {};
  using end_record = std::conditional_t<hardware, detail::end_record, no_record>;

  struct control {
    atomic_u32 magic{0};  // stored last (release) when the region is ready
    atomic_u32 version{0};
    atomic_u32 capacity{0};
    atomic_u32 max_message{0};
    atomic_u32 duplex{0};
    end_record ends[2];  // of end 0 and end 1 (weave/detail/holders.hpp)
    direction dirs[2];
  };

 public:
  /// The region's layout: control block, then the rings (one per direction).
  static constexpr std::size_t ring_offset = (sizeof(control) + 63) / 64 * 64;
  /// The options with max_message filled in; usage_error if they are invalid.
  static pipe_options validated(const pipe_options& o) { return validated_(o); }
  static std::size_t region_size(const pipe_options& o) {
    return ring_offset + (o.duplex ? 2 : 1) * o.capacity * sizeof(cell_t);
  }

  // An empty (closed) handle. A handle is moved about (attach, make_local), so
  // it has no name: the checker's traces call it pipe1, pipe2...
  basic_pipe_end() noexcept : obj_{this, "pipe", nullptr} {}
  basic_pipe_end(basic_pipe_end&& o) noexcept : obj_{this, "pipe", nullptr} { *this = std::move(o); }
  basic_pipe_end& operator=(basic_pipe_end&& o) noexcept {
    if (this != &o) {
      release();
      region_ = std::move(o.region_);
      ctl_ = std::exchange(o.ctl_, nullptr);
      end_ = o.end_;
      send_dir_ = o.send_dir_;
      recv_dir_ = o.recv_dir_;
      cap_ = o.cap_;
      mask_ = o.mask_;
      max_ = o.max_;
      head_ = o.head_;
      tail_ = o.tail_;
      seen_tail_ = o.seen_tail_;
      seen_head_ = o.seen_head_;
      send_ring_ = o.send_ring_;
      recv_ring_ = o.recv_ring_;
      claimed_pid_ = o.claimed_pid_;
      tracked_ = std::exchange(o.tracked_, false);
      peer_gone_ = o.peer_gone_;
    }
    return *this;
  }
  basic_pipe_end(const basic_pipe_end&) = delete;
  basic_pipe_end& operator=(const basic_pipe_end&) = delete;
  ~basic_pipe_end() { close(); }

  // ---- construction -------------------------------------------------------

  /// Lays out a fresh pipe in memory [base, base + size) (shared memory, or a
  /// plain buffer for in-process use and the model); attach() its ends.
  static void initialize(void* base, std::size_t size, const pipe_options& o) {
    const pipe_options v = validated(o);
    if (size < region_size(v)) throw_usage_error("weave::pipe", "region smaller than region_size(options)");
    auto* c = new (base) control();
    const std::size_t ndirs = v.duplex ? 2 : 1;
    auto* ring = reinterpret_cast<cell_t*>(static_cast<unsigned char*>(base) + ring_offset);
    for (std::size_t i = 0; i < ndirs * v.capacity; ++i) new (ring + i) cell_t(static_cast<unsigned char>(0));
    // relaxed: published by the release store of magic below.
    c->version.store(detail::pipe_version, std::memory_order_relaxed);            // relaxed: magic's release publishes it
    c->capacity.store(static_cast<u32>(v.capacity), std::memory_order_relaxed);     // relaxed: as above
    c->max_message.store(static_cast<u32>(v.max_message), std::memory_order_relaxed);  // relaxed: as above
    c->duplex.store(v.duplex ? 1 : 0, std::memory_order_relaxed);                  // relaxed: as above
    // release: pairs with the acquire load of magic in attach().
    c->magic.store(detail::pipe_magic, std::memory_order_release);
  }

  /// initialize() and attach both ends, which share `keep` (it releases the
  /// memory when both handles are gone).
  static std::pair<basic_pipe_end, basic_pipe_end> create_in(void* base, std::size_t size,
                                                             const pipe_options& o,
                                                             std::shared_ptr<void> keep) {
    initialize(base, size, o);
    basic_pipe_end a = attach(base, size, 0, keep);
    basic_pipe_end b = attach(base, size, 1, std::move(keep));
    return {std::move(a), std::move(b)};
  }

  /// A pipe in process-private heap memory (threads of one process; the model).
  static std::pair<basic_pipe_end, basic_pipe_end> make_local(const pipe_options& o = {}) {
    const pipe_options v = validated(o);
    const std::size_t size = region_size(v);
    const std::size_t ndirs = v.duplex ? 2 : 1;
    const std::size_t cells = ndirs * v.capacity;
    void* base = ::operator new(size, std::align_val_t(64));
    std::shared_ptr<void> keep(base, [cells](void* p) {
      reinterpret_cast<control*>(p)->~control();
      auto* ring = reinterpret_cast<cell_t*>(static_cast<unsigned char*>(p) + ring_offset);
      for (std::size_t i = 0; i < cells; ++i) ring[i].~cell_t();
      ::operator delete(p, std::align_val_t(64));
    });
    return create_in(base, size, v, std::move(keep));
  }

  /// Attaches end `end` (0 or 1) of the pipe laid out at [base, base + size),
  /// validating the header against the region (it may come from an untrusted
  /// process): wrong magic/version, impossible geometry or indices -> pipe_error.
  static basic_pipe_end attach(void* base, std::size_t size, int end, std::shared_ptr<void> keep = {}) {
    if (end != 0 && end != 1) throw_usage_error("weave::pipe", "an end is 0 or 1");
    if (base == nullptr || size < ring_offset || reinterpret_cast<std::uintptr_t>(base) % 64 != 0)
      corrupted("region too small or misaligned for a pipe header");
    auto* c = static_cast<control*>(base);
    // acquire: pairs with the release store of magic in create_in().
    if (c->magic.load(std::memory_order_acquire) != detail::pipe_magic) corrupted("bad magic");
    // relaxed (all four): ordered by the acquire load of magic; validated below (P1).
    if (c->version.load(std::memory_order_relaxed) != detail::pipe_version) corrupted("unknown version");  // relaxed: after magic's acquire
    const u32 cap = c->capacity.load(std::memory_order_relaxed);        // relaxed: after magic's acquire
    const u32 max = c->max_message.load(std::memory_order_relaxed);     // relaxed: after magic's acquire
    const u32 duplex = c->duplex.load(std::memory_order_relaxed);       // relaxed: after magic's acquire
    if (cap < 16 || cap > (1u << 30) || (cap & (cap - 1)) != 0) corrupted("capacity not a power of two in 16..2^30");
    if (max == 0 || max > cap - detail::pipe_record_header) corrupted("max_message does not fit the ring");
    if (duplex > 1) corrupted("bad duplex word");
    const std::size_t ndirs = duplex ? 2 : 1;
    if ((size - ring_offset) / sizeof(cell_t) / ndirs < cap) corrupted("rings do not fit the region");

    basic_pipe_end p;
    p.region_ = std::move(keep);
    p.ctl_ = c;
    p.end_ = end;
    p.cap_ = cap;
    p.mask_ = cap - 1;
    p.max_ = max;
    auto* ring = reinterpret_cast<cell_t*>(static_cast<unsigned char*>(base) + ring_offset);
    if (duplex) {
      p.send_dir_ = end;  // end 0 sends on direction 0, end 1 on direction 1
      p.recv_dir_ = 1 - end;
    } else {
      p.send_dir_ = end == 1 ? 0 : -1;  // Python's Pipe(duplex=False): (receiver, sender)
      p.recv_dir_ = end == 0 ? 0 : -1;
    }
    if (p.send_dir_ >= 0) p.send_ring_ = ring + static_cast<std::size_t>(p.send_dir_) * cap;
    if (p.recv_dir_ >= 0) p.recv_ring_ = ring + static_cast<std::size_t>(p.recv_dir_) * cap;
    // Private copies of our own indices (P1), validated against the peer's (P2).
    // acquire: pairs with the release stores of head/tail by whoever used them last.
    if (p.send_dir_ >= 0) {
      direction& d = c->dirs[p.send_dir_];
      p.head_ = d.head.load(std::memory_order_acquire);       // pairs with the last sender's release of head
      p.seen_tail_ = d.tail.load(std::memory_order_acquire);  // pairs with the reader's release of tail
      if (p.head_ - p.seen_tail_ > cap) corrupted("send ring indices out of range");
    }
    if (p.recv_dir_ >= 0) {
      direction& d = c->dirs[p.recv_dir_];
      p.tail_ = d.tail.load(std::memory_order_acquire);       // pairs with the last reader's release of tail
      p.seen_head_ = d.head.load(std::memory_order_acquire);  // pairs with the sender's release of head
      if (p.seen_head_ - p.tail_ > cap) corrupted("receive ring indices out of range");
    }
    return p;
  }

  // ---- properties -----------------------------------------------------------

  bool is_open() const noexcept { return ctl_ != nullptr; }
  bool readable() const noexcept { return recv_dir_ >= 0; }
  bool writable() const noexcept { return send_dir_ >= 0; }
  std::size_t max_message() const noexcept { return max_; }
  std::size_t capacity() const noexcept { return cap_; }
  int end_index() const noexcept { return end_; }

  /// Takes this end over for the calling process (see "Ownership across fork").
  void claim(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("claim", loc);
    require_open();
    if constexpr (hardware) {
      const std::uint32_t pid = detail::current_pid();
      ctl_->ends[end_].claim(detail::identity_of(pid));  // pid and start time in one word (H6)
      claimed_pid_ = pid;
    }
  }

  // ---- send -----------------------------------------------------------------

  pipe_status send(std::span<const std::byte> msg, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("send", loc);
    return send_until(msg, S::forever, call);
  }
  pipe_status send(std::string_view msg, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("send", loc);
    call.arg(msg);
    return send_until(std::as_bytes(std::span(msg.data(), msg.size())), S::forever, call);
  }
  template <class Rep, class Period>
  pipe_status send_for(std::span<const std::byte> msg, const std::chrono::duration<Rep, Period>& t,
                       source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("send_for", loc);
    return send_until(msg, deadline_after<S>(t), call);
  }

  // ---- receive --------------------------------------------------------------

  recv_result recv_into(std::span<std::byte> buf, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("recv_into", loc);
    return recv_until(&buf, nullptr, S::forever, call);
  }
  template <class Rep, class Period>
  recv_result recv_into_for(std::span<std::byte> buf, const std::chrono::duration<Rep, Period>& t,
                            source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("recv_into_for", loc);
    return recv_until(&buf, nullptr, deadline_after<S>(t), call);
  }
  recv_result recv(std::vector<std::byte>& out, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("recv", loc);
    return recv_until(nullptr, &out, S::forever, call);
  }
  template <class Rep, class Period>
  recv_result recv_for(std::vector<std::byte>& out, const std::chrono::duration<Rep, Period>& t,
                       source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("recv_for", loc);
    return recv_until(nullptr, &out, deadline_after<S>(t), call);
  }
  /// The next whole message; throws weave::pipe_closed at end of stream or when
  /// the peer is gone (Python's Connection.recv raises EOFError).
  std::vector<std::byte> recv(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("recv", loc);
    std::vector<std::byte> out;
    const recv_result r = recv_until(nullptr, &out, S::forever, call);
    if (r.status != pipe_status::ok) throw pipe_closed(r.status);
    return out;
  }

  /// True if a recv would not block: a message is waiting, the stream ended or
  /// the peer is gone. Waits up to t (zero: just look).
  template <class Rep, class Period>
  bool poll(const std::chrono::duration<Rep, Period>& t, source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("poll", loc);
    return recv_until(nullptr, nullptr, deadline_after<S>(t), call).status != pipe_status::timeout;
  }
  bool poll(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("poll", loc);
    return recv_until(nullptr, nullptr, deadline_after<S>(std::chrono::nanoseconds(0)), call).status !=
           pipe_status::timeout;
  }

  // ---- close ----------------------------------------------------------------

  /// Closes this end: the peer's recv gets end of stream after draining, its
  /// send gets closed; blocked peers wake (P5). Closing a closed end is a no-op.
  /// In shared memory the end is shut only if this process used it or no other
  /// live process holds it; otherwise the handle is just dropped (see
  /// "Ownership across fork").
  void close(source_location loc = source_location::current()) {
    [[maybe_unused]] const auto call = obj_.enter("close", loc);
    if (ctl_ == nullptr) return;
    bool shut_it = true;
    if constexpr (hardware) {
      if (tracked_) {
        // Drop our holder slot first, then look for other holders: of two
        // processes closing at once, the later scan sees neither (H1, P7).
        detail::end_record& rec = ctl_->ends[end_];
        detail::holder_registry::get().detach(&rec);
        tracked_ = false;
        const std::uint32_t me = detail::current_pid();
        shut_it = claimed_pid_ == me || !rec.any_live(0);
      }
    }
    if (shut_it) {
      // The receiving direction first: the close takes effect there, for the
      // peer's send and its recv alike (P5); the second shut wakes a peer
      // parked on its receiving direction.
      if (recv_dir_ >= 0) shut(ctl_->dirs[recv_dir_], detail::pipe_reader_closed);
      if (send_dir_ >= 0) shut(ctl_->dirs[send_dir_], detail::pipe_writer_closed);
    }
    release();
  }

 private:
  friend struct detail::pipe_access;
  using time_point = typename S::clock::time_point;

  [[noreturn]] static void corrupted(const char* what) {
    throw pipe_error(std::string("weave::pipe: corrupted shared region: ") + what);
  }

  static pipe_options validated_(pipe_options o) {
    if (o.capacity < 16 || o.capacity > (std::size_t{1} << 30) || (o.capacity & (o.capacity - 1)) != 0)
      throw_usage_error("weave::pipe", "capacity must be a power of two between 16 and 2^30");
    if (o.max_message == 0) o.max_message = o.capacity - detail::pipe_record_header;
    if (o.max_message > o.capacity - detail::pipe_record_header)
      throw_usage_error("weave::pipe", "max_message must be at most capacity - 4 (one record must fit)");
    return o;
  }

  void release() noexcept {
    if constexpr (hardware) {
      if (tracked_) detail::holder_registry::get().detach(&ctl_->ends[end_]);
      tracked_ = false;
    }
    ctl_ = nullptr;
    region_.reset();
    send_dir_ = recv_dir_ = -1;
  }

  void require_open() const {
    if (ctl_ == nullptr) throw_usage_error("weave::pipe", "operation on a closed end");
  }

  // Every operation starts here: after fork() the child takes the end over.
  void enter() {
    require_open();
    if constexpr (hardware) {
      if (claimed_pid_ != detail::current_pid()) claim();
    }
  }

  static void shut(direction& d, u32 bit) {
    // seq_cst: after our last publish (P5) and in the single order with the
    // waiter's parked/state re-check (P4).
    d.state.fetch_or(bit, std::memory_order_seq_cst);
    // seq_cst: a bump the parked side's futex value check will see (P4).
    d.data_epoch.fetch_add(1, std::memory_order_seq_cst);
    d.space_epoch.fetch_add(1, std::memory_order_seq_cst);
    S::wake_all(d.data_epoch, scope::process_shared);
    S::wake_all(d.space_epoch, scope::process_shared);
  }

  // Is the other end still in use by a live process? (P6, P7; always true on
  // the model and for a pipe in private memory.)
  bool peer_alive() {
    if constexpr (hardware) {
      if (!tracked_) return true;
      if (!peer_gone_ && !ctl_->ends[1 - end_].in_use(detail::current_pid())) peer_gone_ = true;
      return !peer_gone_;
    } else {
      return true;
    }
  }

  // Registers this process as a holder of the end (shared memory only), so the
  // peer can tell an abandoned end from a held one across fork() (P7).
  void track() {
    if constexpr (hardware) {
      if (tracked_ || ctl_ == nullptr) return;
      detail::holder_registry::get().attach(&ctl_->ends[end_]);
      tracked_ = true;
    }
  }

  // Sleeps on epoch (expected e) until woken, the caller's deadline, or the end
  // of a liveness slice (P6).
  enum class parked : std::uint8_t { woken, slice_over, deadline };
  parked park(atomic_u32& epoch, u32 e, time_point deadline) {
    if constexpr (hardware) {
      const time_point slice = S::clock::now() + real_sync::liveness_slice;
      const bool sliced = slice < deadline;
      if (S::wait(epoch, e, sliced ? slice : deadline, scope::process_shared) != wait_result::timed_out)
        return parked::woken;
      return sliced ? parked::slice_over : parked::deadline;
    } else {
      return S::wait(epoch, e, deadline, scope::process_shared) == wait_result::timed_out ? parked::deadline
                                                                                         : parked::woken;
    }
  }

  // The ring's bytes: memcpy on hardware (a real_sync cell is its byte), one
  // checked cell access per byte under the model.
  static_assert(!hardware || sizeof(cell_t) == 1, "a hardware cell<unsigned char> is one byte");
  void put(cell_t* ring, u32 pos, const unsigned char* src, u32 n) {
    if (n == 0) return;  // src may be null (an empty message)
    const u32 off = pos & mask_;
    const u32 first = std::min(n, cap_ - off);
    if constexpr (hardware) {
      auto* raw = reinterpret_cast<unsigned char*>(ring);
      std::memcpy(raw + off, src, first);
      std::memcpy(raw, src + first, n - first);
    } else {
      for (u32 i = 0; i < n; ++i) ring[(pos + i) & mask_].write() = src[i];
    }
  }
  void get(const cell_t* ring, u32 pos, unsigned char* dst, u32 n) const {
    if (n == 0) return;  // dst may be null (an empty vector)
    const u32 off = pos & mask_;
    const u32 first = std::min(n, cap_ - off);
    if constexpr (hardware) {
      const auto* raw = reinterpret_cast<const unsigned char*>(ring);
      std::memcpy(dst, raw + off, first);
      std::memcpy(dst + first, raw, n - first);
    } else {
      for (u32 i = 0; i < n; ++i) dst[i] = ring[(pos + i) & mask_].read();
    }
  }

  pipe_status send_until(std::span<const std::byte> msg, time_point deadline, const typename S::object::call& call) {
    enter();
    if (send_dir_ < 0) throw_usage_error("weave::pipe", "send on a receive-only end");
    if (msg.size() > max_) throw_usage_error("weave::pipe", "message larger than max_message");
    direction& d = ctl_->dirs[send_dir_];
    const u32 n = static_cast<u32>(msg.size());
    const u32 need = n + static_cast<u32>(detail::pipe_record_header);
    call.reads_decide();  // "closed" and "full" are what reads saw (P8)
    for (;;) {
      // seq_cst: it decides "closed" (P8); as acquire it pairs with the
      // seq_cst fetch_or in shut() (the reader closed).
      if (d.state.load(std::memory_order_seq_cst) & detail::pipe_reader_closed) return pipe_status::closed;
      if (cap_ - (head_ - seen_tail_) < need) {
        // seq_cst: it decides "full" (P8); as acquire it pairs with the
        // reader's tail store: the bytes it freed are no longer read.
        seen_tail_ = d.tail.load(std::memory_order_seq_cst);
        if (head_ - seen_tail_ > cap_) corrupted("tail ahead of head");  // P2
      }
      if (cap_ - (head_ - seen_tail_) >= need) {
        const u32 len = n;
        put(send_ring_, head_, reinterpret_cast<const unsigned char*>(&len), 4);
        put(send_ring_, head_ + 4, reinterpret_cast<const unsigned char*>(msg.data()), n);
        head_ += need;
        // seq_cst: release publishes the record (P3, pairs with the reader's
        // head load); seq_cst for the Dekker pair with reader_parked (P4).
        d.head.store(head_, std::memory_order_seq_cst);
        // seq_cst: P4, pairs with the reader's parked store.
        if (d.reader_parked.load(std::memory_order_seq_cst) != 0) {
          // seq_cst: P4; the parked reader's futex compares this word.
          d.data_epoch.fetch_add(1, std::memory_order_seq_cst);
          S::wake_one(d.data_epoch, scope::process_shared);
        }
        return pipe_status::ok;
      }
      // Full: park on space_epoch (P4).
      if (S::clock::now() >= deadline) return pipe_status::timeout;
      // seq_cst (all three): P4, the waiter's half of the Dekker pair.
      d.writer_parked.store(1, std::memory_order_seq_cst);
      const u32 e = d.space_epoch.load(std::memory_order_seq_cst);
      seen_tail_ = d.tail.load(std::memory_order_seq_cst);
      if (head_ - seen_tail_ > cap_) corrupted("tail ahead of head");  // P2
      const bool room = cap_ - (head_ - seen_tail_) >= need;
      const bool shut_down = (d.state.load(std::memory_order_seq_cst) & detail::pipe_reader_closed) != 0;
      parked how = parked::woken;
      if (!room && !shut_down) {
        call.note("the pipe is full");
        how = park(d.space_epoch, e, deadline);
      }
      // relaxed: a hint; a stale 1 costs the reader one spare wake.
      d.writer_parked.store(0, std::memory_order_relaxed);
      if (how != parked::woken && !peer_alive()) return pipe_status::peer_gone;  // P6
      if (how == parked::deadline) return pipe_status::timeout;
    }
  }

  // buf: recv_into; out: recv into a vector; neither: poll (only look).
  recv_result recv_until(std::span<std::byte>* buf, std::vector<std::byte>* out, time_point deadline,
                         const typename S::object::call& call) {
    enter();
    if (recv_dir_ < 0) throw_usage_error("weave::pipe", "recv on a send-only end");
    direction& d = ctl_->dirs[recv_dir_];
    call.reads_decide();  // "empty" and "closed" are what reads saw (P8)
    for (;;) {
      if (seen_head_ == tail_) {
        // seq_cst: it decides "empty" (P8); as acquire it pairs with the
        // writer's head store (P3).
        seen_head_ = d.head.load(std::memory_order_seq_cst);
        if (seen_head_ - tail_ > cap_) corrupted("head beyond capacity");  // P2
      }
      if (seen_head_ != tail_) return take(d, buf, out);
      if (peer_closed(d)) {
        // acquire: the writer's last publish precedes its close (P5), which
        // peer_closed's load synchronized with: this reads the last head.
        seen_head_ = d.head.load(std::memory_order_acquire);
        if (seen_head_ - tail_ > cap_) corrupted("head beyond capacity");  // P2
        if (seen_head_ != tail_) return take(d, buf, out);
        return {pipe_status::closed, 0};
      }
      if (peer_gone_) return {pipe_status::peer_gone, 0};
      if (S::clock::now() >= deadline) return {pipe_status::timeout, 0};
      if constexpr (hardware) {
        // Spin briefly before parking: a reply usually arrives within
        // microseconds, and a futex park/wake pair costs two system calls and
        // a reschedule (the round-trip latency). Not in the model: the
        // protocol is the same with or without the spin.
        // acquire: pairs with the writer's head store (P3).
        if (spin_for_handoff<S>([&] { return d.head.load(std::memory_order_acquire) != tail_; }, deadline)) continue;
      }
      // Empty: park on data_epoch (P4).
      // seq_cst (all three): P4, the waiter's half of the Dekker pair.
      d.reader_parked.store(1, std::memory_order_seq_cst);
      const u32 e = d.data_epoch.load(std::memory_order_seq_cst);
      seen_head_ = d.head.load(std::memory_order_seq_cst);
      if (seen_head_ - tail_ > cap_) corrupted("head beyond capacity");  // P2
      const bool data = seen_head_ != tail_;
      const bool shut_down = peer_closed(d);
      parked how = parked::woken;
      if (!data && !shut_down) {
        call.note("no message has come");
        how = park(d.data_epoch, e, deadline);
      }
      // relaxed: a hint; a stale 1 costs the writer one spare wake.
      d.reader_parked.store(0, std::memory_order_relaxed);
      if (how != parked::woken && !peer_alive()) continue;  // P6: drain, then peer_gone
      if (how == parked::deadline) return {pipe_status::timeout, 0};
    }
  }

  // Has the peer closed d, the direction we receive on? Its writer-closed bit;
  // or, for a duplex end, the reader-closed bit on our sending direction,
  // which the peer's close() sets first (P5).
  bool peer_closed(direction& d) const {
    // seq_cst (both): they decide "closed" (P8), and P4's re-check; as acquire
    // they pair with the seq_cst fetch_ors in shut().
    if ((d.state.load(std::memory_order_seq_cst) & detail::pipe_writer_closed) != 0) return true;
    return send_dir_ >= 0 &&
           (ctl_->dirs[send_dir_].state.load(std::memory_order_seq_cst) & detail::pipe_reader_closed) != 0;
  }

  // Consumes (or, for poll, only reports) the record at tail_; seen_head_ != tail_.
  recv_result take(direction& d, std::span<std::byte>* buf, std::vector<std::byte>* out) {
    const u32 avail = seen_head_ - tail_;  // 1..cap_ (P2 checked by the caller)
    if (avail < detail::pipe_record_header) corrupted("partial record header");  // P3
    u32 len = 0;
    get(recv_ring_, tail_, reinterpret_cast<unsigned char*>(&len), 4);  // read once (P3)
    if (len > max_) corrupted("record length exceeds max_message");
    if (len > avail - detail::pipe_record_header) corrupted("record length exceeds the published bytes");
    if (buf == nullptr && out == nullptr) return {pipe_status::ok, len};  // poll
    unsigned char* dst;
    if (buf != nullptr) {
      if (buf->size() < len) return {pipe_status::too_small, len};  // the message stays
      dst = reinterpret_cast<unsigned char*>(buf->data());
    } else {
      out->resize(len);
      dst = reinterpret_cast<unsigned char*>(out->data());
    }
    get(recv_ring_, tail_ + 4, dst, len);
    tail_ += len + static_cast<u32>(detail::pipe_record_header);
    // seq_cst: release frees the bytes for the writer (pairs with its tail
    // load); seq_cst for the Dekker pair with writer_parked (P4).
    d.tail.store(tail_, std::memory_order_seq_cst);
    // seq_cst: P4, pairs with the writer's parked store.
    if (d.writer_parked.load(std::memory_order_seq_cst) != 0) {
      // seq_cst: P4; the parked writer's futex compares this word.
      d.space_epoch.fetch_add(1, std::memory_order_seq_cst);
      S::wake_one(d.space_epoch, scope::process_shared);
    }
    return {pipe_status::ok, len};
  }

  std::shared_ptr<void> region_;  // keeps the memory mapped while a handle lives
  control* ctl_ = nullptr;
  int end_ = 0;
  int send_dir_ = -1, recv_dir_ = -1;
  u32 cap_ = 0, mask_ = 0, max_ = 0;  // private geometry (P1)
  u32 head_ = 0;       // writer: bytes published (P1)
  u32 tail_ = 0;       // reader: bytes consumed (P1)
  u32 seen_tail_ = 0;  // writer: last validated tail of the peer
  u32 seen_head_ = 0;  // reader: last validated head of the peer
  cell_t* send_ring_ = nullptr;
  cell_t* recv_ring_ = nullptr;
  std::uint32_t claimed_pid_ = 0;  // the process that last used this handle
  bool tracked_ = false;           // counted in the end's holder table (P7)
  bool peer_gone_ = false;
  [[no_unique_address]] typename S::object obj_;
};

namespace detail {
/// The raw shared region behind an end, for tests, model checks and the fuzzer
/// (which play a hostile or broken peer). Not for production use.
struct pipe_access {
  template <class S>
  static auto* control(basic_pipe_end<S>& e) noexcept { return e.ctl_; }
  template <class S>
  static auto& send_direction(basic_pipe_end<S>& e) noexcept { return e.ctl_->dirs[e.send_dir_]; }
  template <class S>
  static auto& recv_direction(basic_pipe_end<S>& e) noexcept { return e.ctl_->dirs[e.recv_dir_]; }
  template <class S>
  static auto* send_ring(basic_pipe_end<S>& e) noexcept { return e.send_ring_; }
  template <class S>
  static auto* recv_ring(basic_pipe_end<S>& e) noexcept { return e.recv_ring_; }
  /// Counts the process as a holder of the end (the shared-memory constructors).
  template <class S>
  static void track(basic_pipe_end<S>& e) { e.track(); }
  /// The shutdown half of close() without the wake-up: a broken close.
  template <class S>
  static void close_without_wake(basic_pipe_end<S>& e) {
    if (e.send_dir_ >= 0)
      e.ctl_->dirs[e.send_dir_].state.fetch_or(pipe_writer_closed, std::memory_order_seq_cst);  // seq_cst: as shut()'s (P4, P5)
    if (e.recv_dir_ >= 0)
      e.ctl_->dirs[e.recv_dir_].state.fetch_or(pipe_reader_closed, std::memory_order_seq_cst);  // seq_cst: as shut()'s (P4, P5)
    e.release();
  }
};
}  // namespace detail

using pipe_end = basic_pipe_end<>;
namespace model {
using pipe_end = basic_pipe_end<model_sync>;
}

// ---- shared memory (hardware) -------------------------------------------------

namespace detail {
inline void throw_os(const std::string& what, int err) {
  throw pipe_error("weave::pipe: " + what + ": " + std::strerror(err));
}
inline std::shared_ptr<void> map_shared(int fd, std::size_t size) {
  const int flags = fd < 0 ? MAP_SHARED | MAP_ANONYMOUS : MAP_SHARED;
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, flags, fd, 0);
  if (p == MAP_FAILED) throw_os("mmap", errno);
  return std::shared_ptr<void>(p, [size](void* q) { ::munmap(q, size); });
}
inline void check_name(std::string_view name) {
  if (name.size() < 2 || name.front() != '/' || name.find('/', 1) != std::string_view::npos || name.size() > 250)
    throw_usage_error("weave::pipe", "a name is '/' followed by 1..249 characters without '/'");
}
}  // namespace detail

/// An anonymous pipe in MAP_SHARED|MAP_ANONYMOUS memory: make it before fork();
/// parent and child each use one end (and may close the other).
inline std::pair<pipe_end, pipe_end> make_pipe(const pipe_options& o = {}) {
  const pipe_options v = pipe_end::validated(o);
  const std::size_t size = pipe_end::region_size(v);
  std::shared_ptr<void> keep = detail::map_shared(-1, size);
  void* base = keep.get();
  auto ends = pipe_end::create_in(base, size, v, std::move(keep));
  detail::pipe_access::track(ends.first);
  detail::pipe_access::track(ends.second);
  return ends;
}

/// Creates the named pipe `name` (shm_open: O_CREAT|O_EXCL, mode 0600) and
/// returns end 0. Fails with pipe_error if the name exists. The name is
/// unlinked when this handle is destroyed or closed; open the other end before.
inline pipe_end pipe_create(std::string_view name, const pipe_options& o = {}) {
  detail::check_name(name);
  const pipe_options v = pipe_end::validated(o);
  const std::string n(name);
  const int fd = ::shm_open(n.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) throw pipe_error("weave::pipe: cannot create '" + n + "': the name already exists");
    detail::throw_os("cannot create '" + n + "'", errno);
  }
  const std::size_t size = pipe_end::region_size(v);
  std::shared_ptr<void> map;
  try {
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) detail::throw_os("ftruncate", errno);
    map = detail::map_shared(fd, size);
  } catch (...) {
    ::close(fd);
    ::shm_unlink(n.c_str());
    throw;
  }
  ::close(fd);
  void* base = map.get();
  // The handle owns the name: unlink when the last reference to the mapping goes.
  std::shared_ptr<void> keep(base, [map, n](void*) { ::shm_unlink(n.c_str()); });
  pipe_end::initialize(base, size, v);
  pipe_end e = pipe_end::attach(base, size, 0, std::move(keep));
  detail::pipe_access::track(e);
  e.claim();
  return e;
}

/// Opens end 1 of the named pipe `name`. pipe_error if it does not exist, if
/// permissions deny access, or if its contents are not a valid pipe.
inline pipe_end pipe_open(std::string_view name) {
  detail::check_name(name);
  const std::string n(name);
  const int fd = ::shm_open(n.c_str(), O_RDWR | O_CLOEXEC, 0);
  if (fd < 0) {
    if (errno == ENOENT) throw pipe_error("weave::pipe: cannot open '" + n + "': no such pipe");
    if (errno == EACCES) throw pipe_error("weave::pipe: cannot open '" + n + "': permission denied");
    detail::throw_os("cannot open '" + n + "'", errno);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    detail::throw_os("fstat", err);
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size < pipe_end::ring_offset) {
    ::close(fd);
    throw pipe_error("weave::pipe: cannot open '" + n + "': not a pipe (too small)");
  }
  std::shared_ptr<void> map;
  try {
    map = detail::map_shared(fd, size);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  void* base = map.get();
  pipe_end e = pipe_end::attach(base, size, 1, std::move(map));
  detail::pipe_access::track(e);
  e.claim();
  return e;
}

}  // namespace weave
