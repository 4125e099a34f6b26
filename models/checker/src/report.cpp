// Counterexamples a student can read: the banner, one column per thread, the
// reason for every switch, and a footer per verdict.
#include <algorithm>
#include <cstring>
#include <sstream>

#include "engine.hpp"

namespace weave::model::detail {
namespace {

const char* base_name(const char* path) {
  const char* s = std::strrchr(path, '/');
  return s ? s + 1 : path;
}
std::string where(source_location l) {
  return std::string(base_name(l.file_name())) + ":" + std::to_string(l.line());
}
std::string num(std::uint64_t v) {
  if (v >= 0xffffffff00000000ull) return std::to_string(static_cast<std::int64_t>(v));
  if (v > 999999) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
  }
  return std::to_string(v);
}
const char* mo(std::memory_order o) {
  switch (o) {
    case std::memory_order_relaxed: return "rlx";
    case std::memory_order_consume: return "con";
    case std::memory_order_acquire: return "acq";
    case std::memory_order_release: return "rel";
    case std::memory_order_acq_rel: return "acq_rel";
    default: return "sc";
  }
}
std::string threads_text(std::uint32_t mask) {
  std::string s;
  for (int t = 0; t < 32; ++t)
    if (mask & (1u << t)) s += (s.empty() ? "T" : ", T") + std::to_string(t);
  return s.empty() ? "nobody" : s;
}
// Display width of UTF-8 text (counts code points).
std::size_t width(const std::string& s) {
  std::size_t w = 0;
  for (unsigned char c : s)
    if ((c & 0xc0) != 0x80) ++w;
  return w;
}
std::string pad(const std::string& s, std::size_t w) {
  const std::size_t n = width(s);
  return n >= w ? s : s + std::string(w - n, ' ');
}
std::string clip(const std::string& s, std::size_t w) {
  if (width(s) <= w) return s;
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xc0) != 0x80) {
      if (n + 1 >= w) break;
      ++n;
    }
    out += s[i];
  }
  return out + "…";
}

}  // namespace

const char* state_text(tstate s) {
  switch (s) {
    case tstate::blocked: return "blocked";
    case tstate::spinning: return "spinning";
    case tstate::joining: return "joining";
    case tstate::finished: return "finished";
    case tstate::aborted: return "stopped";
    default: return "runnable";
  }
}

std::string engine::obj_name(std::uint32_t id) const {
  if (id == 1) return "sc-fence order";
  if (id >= kLifeBase && id < kLifeBase + kMaxThreads) return "\"T" + std::to_string(id - kLifeBase) + " is alive\"";
  if (id < nobj_ && objects_[id].is_cell) return "c" + std::to_string(id - 1);
  return "a" + std::to_string(id - 1);
}

// A message named for a student: "the initial value" or "the store of 1 by T2 at step 3".
std::string engine::message_text(std::uint32_t id) const {
  const message& m = msgs_[id];
  if (m.step < 0) return "the initial value";
  return "the store of " + num(m.value) + " by T" + std::to_string(m.tid) + " at step " + std::to_string(m.step + 1);
}

// Weak memory, said in the trace under the step: a read of a store other than
// the latest, and a store placed before a store already made.
std::string engine::weak_note(const step_rec& s) const {
  const std::string who = "T" + std::to_string(s.tid);
  if (s.kind != op::store && s.rf != kNoMsg && s.newer != kNoMsg && s.rf < msgs_.size() && s.newer < msgs_.size())
    return who + " reads " + message_text(s.rf) + " of " + obj_name(s.obj) + "; " + message_text(s.newer) +
           " is not visible to it (weak memory)";
  if (s.kind == op::store && s.newer != kNoMsg && s.newer < msgs_.size())
    return who + "'s store goes before " + message_text(s.newer) + " in " + obj_name(s.obj) +
           "'s modification order (weak memory)";
  return {};
}

std::string engine::describe(const step_rec& s) const {
  std::string o = obj_name(s.obj);
  std::string text;
  switch (s.act) {
    case action::timeout:
      text = s.aux != 0 ? "wait " + o + " → timed out: its holder T" + std::to_string(s.aux - 1) + " has died"
                        : "wait " + o + " → timed out";
      break;
    case action::spurious: text = "wait " + o + " → spurious wake-up"; break;
    case action::wake_return: text = "wait " + o + " → woken"; break;
    case action::spin_return: text = "spin (until a write)"; break;
    case action::step:
      switch (s.kind) {
        case op::load: text = "load " + o + " → " + num(s.value) + " " + mo(s.mo); break;
        case op::store: text = "store " + o + " ← " + num(s.value) + " " + mo(s.mo); break;
        case op::rmw: text = "rmw " + o + " " + num(s.old) + "→" + num(s.value) + " " + mo(s.mo); break;
        case op::cas_fail:
          text = "cas " + o + (s.aux == 1 ? " fails spuriously, sees " : " fails, sees ") + num(s.value) + " " + mo(s.mo);
          break;
        case op::wait:
          if (s.aux == 100) text = "wait " + o + " (=" + num(s.value) + "): sleeps";
          else if (s.aux == static_cast<std::uint32_t>(wait_result::timed_out)) text = "wait " + o + ": deadline passed";
          else text = "wait " + o + ": " + num(s.value) + "≠" + num(s.old) + ", returns";
          break;
        case op::wake_one: text = "wake_one " + o + " → " + threads_text(s.aux); break;
        case op::wake_all: text = "wake_all " + o + " → " + threads_text(s.aux); break;
        case op::spawn: text = "spawn T" + std::to_string(s.aux); break;
        case op::join: text = "join T" + std::to_string(s.aux); break;
        case op::fence: text = std::string("fence ") + mo(s.mo); break;
        case op::spin: text = "spin"; break;
        case op::alive: text = "alive(T" + std::to_string(s.aux - 1) + ") → " + (s.value ? "yes" : "no, it died"); break;
        default: text = "?"; break;
      }
      break;
  }
  return text + "  " + where(s.loc);
}

std::string engine::deadlock_footer() const {
  std::ostringstream os;
  os << "Every thread that has not finished is blocked:\n";
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    const thread_rec& t = threads_[i];
    if (t.st == tstate::finished) continue;
    os << "  T" << i << ": ";
    if (t.st == tstate::blocked) {
      os << "waits on " << obj_name(t.wait_obj) << " (made at " << where(objects_[t.wait_obj].made) << ") at "
         << where(t.pend.loc);
      if (t.holder >= 1) os << ", or until T" << t.holder - 1 << " dies";
    } else if (t.act == action::step && t.pend.kind == op::join) {
      os << "joins T" << t.join_target << " at " << where(t.pend.loc) << ", which has not finished";
    } else if (t.act == action::step && t.pend.kind == op::spin) {
      os << "spins at " << where(t.pend.loc) << " waiting for a write that no thread can make";
      if (t.spin_reads.empty()) {
        os << " (it read nothing since its previous spin)";
      } else {
        os << " to what it read:";
        for (const spin_read& r : t.spin_reads)
          os << " " << obj_name(r.obj)
             << (r.obj < nobj_ ? " (made at " + where(objects_[r.obj].made) + ")" : std::string());
      }
    } else {
      os << state_text(t.st);
    }
    os << "\n";
    for (const void* l : t.holding) {
      const auto idx = std::find(locks_.begin(), locks_.end(), l) - locks_.begin();
      os << "      holds lock L" << idx + 1 << "\n";
    }
    if (t.acquiring != nullptr) {
      const auto idx = std::find(locks_.begin(), locks_.end(), t.acquiring) - locks_.begin();
      const int h = static_cast<std::size_t>(idx) < lock_holder_.size() ? lock_holder_[idx] - 1 : -1;
      os << "      wants lock L" << idx + 1;
      if (h >= 0) os << ", held by T" << h;
      os << "\n";
    }
  }
  // The wait-for cycle through lock holders, where there is one.
  for (std::size_t start = 0; start < threads_.size(); ++start) {
    std::vector<int> path;
    int t = static_cast<int>(start);
    while (t >= 0 && std::find(path.begin(), path.end(), t) == path.end()) {
      path.push_back(t);
      const void* want = threads_[t].acquiring;
      if (want == nullptr) {
        t = -1;
        break;
      }
      const auto idx = std::find(locks_.begin(), locks_.end(), want) - locks_.begin();
      t = static_cast<std::size_t>(idx) < lock_holder_.size() ? lock_holder_[idx] - 1 : -1;
    }
    if (t >= 0 && t == static_cast<int>(start)) {
      os << "Wait-for cycle: ";
      for (int p : path) {
        const auto idx = std::find(locks_.begin(), locks_.end(), threads_[p].acquiring) - locks_.begin();
        os << "T" << p << " waits for L" << idx + 1 << " held by ";
      }
      os << "T" << start << ".\n";
      break;
    }
  }
  return os.str();
}

namespace {
std::size_t nt_max(const note&) { return kMaxThreads; }
}  // namespace

std::string engine::render(const failure& f) const {
  static const char* names[] = {"PASS", "DEADLOCK", "CHECK FAILED", "EXCEPTION", "USAGE ERROR",
                                "DATA RACE", "LIVELOCK", "UNJOINED THREAD", "NONDETERMINISM"};
  std::ostringstream os;
  os << "══════ weave model check: " << names[static_cast<int>(f.v)] << " ══════\n";
  os << f.message << "\n";
  os << "Schedule: " << steps_.size() << " steps, " << preemptions_ << " preemption"
     << (preemptions_ == 1 ? "" : "s") << ".\n\n";
  os << "Threads:\n  T0  the check body\n";
  for (std::size_t t = 1; t < threads_.size(); ++t)
    os << "  T" << t << "  spawned at " << where(threads_[t].spawned_at) << "\n";
  os << "Objects:\n";
  for (std::size_t i = 2; i < nobj_; ++i)
    os << "  " << obj_name(static_cast<std::uint32_t>(i)) << (objects_[i].is_cell ? "  cell" : "  atomic")
       << " made at " << where(objects_[i].made) << "\n";
  os << "\n";
  const std::size_t nt = threads_.size();
  constexpr std::size_t kMaxCol = 46;
  std::vector<std::size_t> w(nt, 4);
  std::vector<std::string> cells(steps_.size());
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    cells[i] = clip(describe(steps_[i]), kMaxCol);
    w[steps_[i].tid] = std::max(w[steps_[i].tid], width(cells[i]));
  }
  for (const note& nn : notes_)
    if (nn.tid < nt_max(nn)) w[nn.tid] = std::max(w[nn.tid], width("  · " + clip(nn.text, kMaxCol - 4)));
  auto row = [&](const std::string& first, std::size_t col, const std::string& text) {
    std::string line = pad(first, 5) + " │";
    for (std::size_t t = 0; t < nt; ++t) line += " " + pad(t == col ? text : "", w[t]) + " │";
    while (!line.empty() && (line.back() == ' ')) line.pop_back();
    return line + "\n";
  };
  std::string header = pad(" step", 5) + " │";
  for (std::size_t t = 0; t < nt; ++t) header += " " + pad("T" + std::to_string(t), w[t]) + " │";
  os << header << "\n";
  std::string rule;
  for (std::size_t i = 0; i < width(header); ++i) rule += "─";
  os << rule << "\n";
  for (const note& nn : notes_)
    if (nn.pos == 0) os << row("", nn.tid, "  · " + clip(nn.text, kMaxCol - 4));
  // Fold a thread's repeated rounds (a spin loop) into one line.
  auto same = [&](std::size_t a, std::size_t b) {
    return steps_[a].tid == steps_[b].tid && cells[a] == cells[b] && steps_[a].act == steps_[b].act;
  };
  auto has_notes = [&](std::size_t i) {
    for (const note& nn : notes_)
      if (nn.pos == i + 1) return true;
    return false;
  };
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    bool folded = false;
    for (std::size_t period = 1; period <= 2 && !folded; ++period) {
      std::size_t k = i;
      while (k + 2 * period <= steps_.size()) {
        bool eq = true;
        for (std::size_t q = 0; q < period && eq; ++q)
          eq = same(k + q, k + period + q) && steps_[k + q].tid == steps_[i].tid && !has_notes(k + q) &&
               !steps_[k + period + q].preempted;
        if (!eq) break;
        k += period;
      }
      const std::size_t rounds = (k - i) / period;
      if (rounds >= 2 && (i == 0 || steps_[i - 1].tid == steps_[i].tid)) {
        os << "      ┆ … T" << int(steps_[i].tid) << " repeats the next " << period << " step"
           << (period == 1 ? "" : "s") << " " << rounds + 1 << " times (steps " << i + 1 << "–" << k + period
           << "), shown once\n";
        i = k;
        folded = true;
      }
    }
    const step_rec& s = steps_[i];
    if (i > 0 && steps_[i - 1].tid != s.tid) {
      const step_rec& p = steps_[i - 1];
      std::string why;
      if (s.preempted) why = "T" + std::to_string(p.tid) + " preempted";
      else if (p.after == tstate::blocked) why = "T" + std::to_string(p.tid) + " blocked";
      else if (p.after == tstate::finished) why = "T" + std::to_string(p.tid) + " finished";
      else if (p.after == tstate::aborted) why = "T" + std::to_string(p.tid) + " stopped";
      else if (p.after_kind == op::join) why = "T" + std::to_string(p.tid) + " waits to join T" + std::to_string(p.after_target);
      else if (p.after_kind == op::spin) why = "T" + std::to_string(p.tid) + " spins until another thread writes";
      else why = "T" + std::to_string(p.tid) + " cannot go on";
      if (s.act == action::wake_return) why += "; T" + std::to_string(s.tid) + " woke";
      else if (s.act == action::timeout) why += "; T" + std::to_string(s.tid) + "'s wait timed out";
      else if (s.act == action::spurious) why += "; T" + std::to_string(s.tid) + " woke spuriously";
      else why += "; T" + std::to_string(s.tid) + " runs";
      os << "      ┆ ↳ " << why << "\n";
    }
    os << row(std::string(4 - std::min<std::size_t>(4, std::to_string(i + 1).size()), ' ') + std::to_string(i + 1), s.tid, cells[i]);
    if (const std::string weak = weak_note(s); !weak.empty()) os << "      ┆   " << weak << "\n";
    for (const note& nn : notes_)
      if (nn.pos == i + 1) os << row("", nn.tid, "  · " + clip(nn.text, kMaxCol - 4));
  }
  os << "\n";
  if (!f.footer.empty()) os << f.footer << (f.footer.back() == '\n' ? "" : "\n");
  return os.str();
}

}  // namespace weave::model::detail
