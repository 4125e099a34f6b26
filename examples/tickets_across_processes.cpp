// examples/tickets_across_processes.cpp — the lesson "tickets sold twice",
// across real processes.
//
// A box office has T tickets and N sellers, each a forked process. The count
// of tickets left lives in shared memory, and every seller sells until none
// are left, one ticket at a time:
//
//     lock; if (tickets > 0) { sell ticket number `tickets`; --tickets; } unlock
//
// The check (tickets > 0) and the act (--tickets) must be one step. Without
// the lock (--unlocked) two sellers can both see ticket 17 unsold, both sell
// it and both store 16: ticket 17 is sold twice (a lost update). With a
// weave::robust_mutex around them every ticket is sold exactly once, even when
// a seller is SIGKILLed while it holds the lock (--kill-one): the next seller
// to lock gets owner_dead instead of waiting forever, repairs the count and
// calls consistent(). Each seller reports how many it sold through its own
// weave::pipe; a killed seller's pipe reports peer_gone, so the parent never
// waits for a report that cannot come.
//
// The Python it mirrors (multiprocessing):
//
//     tickets = Value('i', T, lock=False); lock = Lock()
//     def seller(conn):
//         sold = 0
//         while True:
//             with lock:
//                 if tickets.value == 0: break
//                 tickets.value -= 1
//             sold += 1
//         conn.send(sold)
//     pipes = [Pipe(duplex=False) for _ in range(N)]   # (receive end, send end)
//     for r, w in pipes: Process(target=seller, args=(w,)).start()
//     print(sum(r.recv() for r, w in pipes))
//
// Python's Lock has no owner_dead: a seller killed holding it hangs the others.
//
// Run it (from the dev build):
//
//     build/dev/examples/tickets_across_processes              # 4 sellers, 1000 tickets
//     build/dev/examples/tickets_across_processes --unlocked   # the buggy twin
//     build/dev/examples/tickets_across_processes --kill-one   # a seller dies holding the lock
//     build/dev/examples/tickets_across_processes --sellers 8 --tickets 5000
//
// Exit status: 0 if everything adds up (with --unlocked: if the counts agree
// with each other, whether or not the race showed this time), 1 if not, 2 for
// bad arguments.
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "weave/pipe.hpp"
#include "weave/robust_mutex.hpp"

namespace {

// What the sellers share: one anonymous shared mapping, made before fork().
struct box_office {
  weave::robust_mutex lock;         // guards tickets, repaired_by and half_sale
  int tickets = 0;                  // tickets left: numbers 1..tickets are unsold
  int repaired_by = -1;             // who got owner_dead (a seller, or `parent`)
  int half_sale = 0;                // the ticket whose sale the repair finished, if any
  std::atomic<int> in_sale_by{-1};  // who is selling now; only to aim --kill-one
};
constexpr int parent = -2;

// n objects of type T in memory shared with the children forked after it.
template <class T>
T* shared_new(std::size_t n) {
  void* p = ::mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
  T* first = static_cast<T*>(p);
  for (std::size_t i = 0; i < n; ++i) new (first + i) T();
  return first;
}

// A sale takes a moment (the ticket is printed). Under the lock it only costs
// time; without it, it is the window in which another seller checks too.
void print_ticket() { std::this_thread::sleep_for(std::chrono::microseconds(20)); }

// Between two sales the next customer steps up, outside the lock. Without this
// pause a seller would take the lock back at once after each sale, before the
// seller it just woke gets to run, and sell nearly every ticket itself.
void next_customer() { std::this_thread::sleep_for(std::chrono::microseconds(20)); }

// sales[k]: how many times ticket number k + 1 was sold. Atomic counters, so
// that even the unlocked twin counts its double sales exactly.
using sales_record = std::atomic<int>;

// Takes the lock; if its owner died holding it, repairs the count first.
//
// Why the repair is this small: a sale writes two things under the lock, in
// this order: the record (sales[number - 1]) and then the count (tickets =
// number - 1). A seller killed before the record sold nothing; one killed
// after the count finished its sale; one killed between them left ticket
// `tickets` recorded as sold but still counted as unsold. Finishing that sale
// makes the data consistent again, whoever died and wherever.
bool take_lock(box_office& o, sales_record* sales, int me) {
  switch (o.lock.lock()) {
    case weave::lock_status::acquired:
      return true;
    case weave::lock_status::owner_dead:
      if (o.tickets > 0 && sales[o.tickets - 1].load(std::memory_order_relaxed) > 0) o.half_sale = o.tickets--;
      o.repaired_by = me;
      o.lock.consistent();  // without it, the next lock() would say not_recoverable
      return true;
    default:  // not_recoverable (lock() never times out)
      return false;
  }
}

// One seller, the right way: check and act inside the lock. Returns how many
// tickets it sold, or -1 if the lock is unusable.
int sell_locked(box_office& o, sales_record* sales, int me) {
  int sold_by_me = 0;
  for (bool open = true; open;) {
    if (!take_lock(o, sales, me)) return -1;
    o.in_sale_by.store(me, std::memory_order_relaxed);
    open = o.tickets > 0;  // check ...
    if (open) {
      const int number = o.tickets;
      print_ticket();
      sales[number - 1].fetch_add(1, std::memory_order_relaxed);  // ... act: the record,
      // A SIGKILL stops a process between two instructions: keep the compiler
      // from swapping the two writes the repair in take_lock() relies on.
      std::atomic_signal_fence(std::memory_order_seq_cst);
      o.tickets = number - 1;  // then the count
      ++sold_by_me;
    }
    o.in_sale_by.store(-1, std::memory_order_relaxed);
    o.lock.unlock();
    next_customer();
  }
  return sold_by_me;
}

// The buggy twin: the same check and act, without the lock. Each read and
// write of the count is atomic on its own (like a multiprocessing.Value's
// .value), so this is a race of logic, not undefined behaviour; but nothing
// makes the check and the act one step.
int sell_unlocked(box_office& o, sales_record* sales) {
  std::atomic_ref<int> tickets(o.tickets);
  int sold_by_me = 0;
  for (;;) {
    const int number = tickets.load(std::memory_order_relaxed);  // check ...
    if (number == 0) return sold_by_me;
    print_ticket();  // another seller may check now, and see the same number
    sales[number - 1].fetch_add(1, std::memory_order_relaxed);
    tickets.store(number - 1, std::memory_order_relaxed);  // ... act, on what may be a stale check
    ++sold_by_me;
    next_customer();
  }
}

struct options {
  int sellers = 4;
  int tickets = 1000;
  bool unlocked = false;
  bool kill_one = false;
};

constexpr const char* usage_text =
    "usage: tickets_across_processes [--sellers N] [--tickets T] [--unlocked | --kill-one]\n"
    "  --sellers N   seller processes, 1..64 (default 4; --kill-one needs 2)\n"
    "  --tickets T   tickets to sell, 1..1000000 (default 1000)\n"
    "  --unlocked    the buggy twin: check and act without the lock\n"
    "  --kill-one    SIGKILL one seller while it is selling (it may hold the lock)\n";

bool parse_count(std::string_view s, int lo, int hi, int& out) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return false;
  out = v;
  return true;
}

// Returns 0, or 2 after printing what is wrong (1 for --help: print and stop).
int parse(int argc, char** argv, options& opt) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--sellers" && has_value && parse_count(argv[i + 1], 1, 64, opt.sellers)) {
      ++i;
    } else if (a == "--tickets" && has_value && parse_count(argv[i + 1], 1, 1000000, opt.tickets)) {
      ++i;
    } else if (a == "--unlocked") {
      opt.unlocked = true;
    } else if (a == "--kill-one") {
      opt.kill_one = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(usage_text, stdout);
      return 1;
    } else {
      std::fprintf(stderr, "tickets_across_processes: bad argument '%s'%s\n%s", argv[i],
                   a == "--sellers" || a == "--tickets" ? " (or its value)" : "", usage_text);
      return 2;
    }
  }
  if (opt.unlocked && opt.kill_one) {
    std::fprintf(stderr, "tickets_across_processes: --unlocked and --kill-one are separate lessons\n%s", usage_text);
    return 2;
  }
  if (opt.kill_one && opt.sellers < 2) {
    std::fprintf(stderr, "tickets_across_processes: --kill-one needs a second seller to take over\n%s", usage_text);
    return 2;
  }
  return 0;
}

// A forked seller: sells, reports through its pipe, exits. Never returns.
[[noreturn]] void seller(const options& opt, box_office& o, sales_record* sales, int me, weave::pipe_end& report) {
  int code = 0;
  try {
    const int sold = opt.unlocked ? sell_unlocked(o, sales) : sell_locked(o, sales, me);
    if (sold < 0) {
      std::fprintf(stderr, "seller %d: the lock is not recoverable\n", me + 1);
      code = 1;
    } else if (const weave::pipe_status st = report.send(std::as_bytes(std::span(&sold, 1)));
               st != weave::pipe_status::ok) {
      std::fprintf(stderr, "seller %d: cannot report: %s\n", me + 1, weave::to_string(st));
      code = 1;
    }
    report.close();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "seller %d: %s\n", me + 1, e.what());
    code = 1;
  }
  _exit(code);  // not exit(): the parent's objects are the parent's to destroy
}

int run(const options& opt) {
  const int n = opt.sellers;
  box_office* o = shared_new<box_office>(1);
  sales_record* sales = shared_new<sales_record>(static_cast<std::size_t>(opt.tickets));
  o->tickets = opt.tickets;

  // One one-way pipe per seller (a pipe end is used by one process at a time).
  std::vector<weave::pipe_end> reports;  // the parent's receiving ends
  std::vector<pid_t> pids;
  for (int s = 0; s < n; ++s) {
    auto [r, w] = weave::make_pipe({.duplex = false});  // r receives, w sends
    std::fflush(nullptr);  // or the child would print the parent's buffered output again
    const pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
      for (auto& e : reports) e.close();  // ends this seller does not use
      r.close();
      seller(opt, *o, sales, s, w);
    }
    // Only the seller holds its sending end from now on (later sellers are
    // forked without it): if the seller dies, the parent's recv says peer_gone.
    w.close();
    reports.push_back(std::move(r));
    pids.push_back(pid);
  }

  // --kill-one: wait until the victim is in a sale (it holds the lock), then
  // SIGKILL it. If it is never seen selling within a second, kill it anyway.
  const int victim = opt.kill_one ? n / 2 : -1;
  if (opt.kill_one) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // let some tickets go first
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (o->in_sale_by.load(std::memory_order_relaxed) != victim && std::chrono::steady_clock::now() < give_up)
      std::this_thread::yield();
    ::kill(pids[static_cast<std::size_t>(victim)], SIGKILL);
  }

  // The reports. A seller that died has no report: recv says peer_gone.
  std::vector<int> reported(static_cast<std::size_t>(n), -1);
  std::vector<weave::pipe_status> why(static_cast<std::size_t>(n), weave::pipe_status::ok);
  for (std::size_t s = 0; s < reports.size(); ++s) {
    std::vector<std::byte> msg;
    why[s] = reports[s].recv(msg).status;
    if (why[s] == weave::pipe_status::ok && msg.size() == sizeof(int))
      std::memcpy(&reported[s], msg.data(), sizeof(int));
    else if (why[s] == weave::pipe_status::ok)
      std::printf("FAILED: seller %zu sent a report of %zu bytes\n", s + 1, msg.size());
    reports[s].close();
  }

  // Reap every seller.
  bool ok = true;
  std::vector<bool> killed(static_cast<std::size_t>(n), false);
  for (std::size_t s = 0; s < pids.size(); ++s) {
    int status = 0;
    if (::waitpid(pids[s], &status, 0) != pids[s]) throw std::system_error(errno, std::generic_category(), "waitpid");
    killed[s] = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && static_cast<int>(s) == victim;
    if (!killed[s] && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      std::printf("FAILED: seller %zu ended badly (status %d)\n", s + 1, status);
      ok = false;
    }
  }

  // The final count, under the lock like any other access to it (a victim
  // killed holding the lock after every other seller left is repaired here).
  if (!take_lock(*o, sales, parent)) {
    std::printf("FAILED: the lock is not recoverable\n");
    return 1;
  }
  const int left = o->tickets;
  const int repaired_by = o->repaired_by;
  const int half_sale = o->half_sale;
  o->lock.unlock();

  // What the shared record says.
  long sold = 0;
  int twice = 0, unsold = 0;
  for (int k = 0; k < opt.tickets; ++k) {
    const int times = sales[k].load(std::memory_order_relaxed);
    sold += times;
    if (times > 1) ++twice;
    if (times == 0) ++unsold;
  }
  long reported_sum = 0;
  int missing = 0;
  for (std::size_t s = 0; s < reported.size(); ++s) {
    if (reported[s] >= 0) reported_sum += reported[s];
    else ++missing;
    if (reported[s] < 0 && !killed[s]) {
      std::printf("FAILED: no report from seller %zu (%s)\n", s + 1, weave::to_string(why[s]));
      ok = false;
    }
  }
  const long unreported = sold - reported_sum;  // what the killed seller sold

  // The summary: "4 sellers sold 1000 tickets: 251 + 249 + 250 + 250; none twice".
  std::string parts;
  for (std::size_t s = 0; s < reported.size(); ++s) {
    if (s > 0) parts += " + ";
    parts += reported[s] >= 0 ? std::to_string(reported[s]) : "(killed: " + std::to_string(unreported) + ")";
  }
  std::printf("%d %s sold %ld %s%s: %s; ", n, n == 1 ? "seller" : "sellers", sold, sold == 1 ? "ticket" : "tickets",
              sold == opt.tickets ? "" : (" of " + std::to_string(opt.tickets)).c_str(), parts.c_str());
  if (twice == 0) std::printf("none twice");
  else std::printf("%d sold more than once", twice);
  if (unsold > 0) std::printf(", %d never sold", unsold);
  std::printf("\n");

  if (opt.kill_one) {
    if (killed[static_cast<std::size_t>(victim)]) {
      std::printf("seller %d was SIGKILLed; its pipe said %s, so its %ld tickets are counted from the shared record\n",
                  victim + 1, weave::to_string(why[static_cast<std::size_t>(victim)]), unreported);
      if (repaired_by == -1) {
        std::printf("it died between sales, not holding the lock: nobody got owner_dead\n");
      } else {
        const std::string who = repaired_by == parent ? "the parent" : "seller " + std::to_string(repaired_by + 1);
        const std::string repair = half_sale > 0 ? "finished its half-done sale of ticket " + std::to_string(half_sale)
                                                 : "found no half-done sale";
        std::printf("it died holding the lock: %s got owner_dead, %s, called consistent()\n", who.c_str(),
                    repair.c_str());
      }
    } else {
      std::printf("seller %d finished before it could be killed: nobody died\n", victim + 1);
    }
  }

  // Checks. The reports and the record must agree in every mode.
  if ((missing == 0 && unreported != 0) || unreported < 0) {
    std::printf("FAILED: the reports add up to %ld, the shared record to %ld\n", reported_sum, sold);
    ok = false;
  }
  if (left != 0) {
    std::printf("FAILED: %d tickets left at the end\n", left);
    ok = false;
  }
  if (opt.unlocked) {
    if (twice > 0 || sold != opt.tickets)
      std::printf("without the lock the check-then-act raced: sellers saw the same ticket unsold and both sold it\n");
    else
      std::printf("without the lock the race did not show this time (it may on the next run, or with more sellers)\n");
  } else if (sold != opt.tickets || twice != 0 || unsold != 0) {
    std::printf("FAILED: with the lock every ticket must be sold exactly once\n");
    ok = false;
  }
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  if (const int r = parse(argc, argv, opt); r != 0) return r == 1 ? 0 : r;
  try {
    return run(opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tickets_across_processes: %s\n", e.what());
    return 1;
  }
}
