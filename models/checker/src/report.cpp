// Counterexamples a student can read: the banner, one column per thread, the
// reason for every switch, and a footer per verdict.
#include <algorithm>
#include <cstring>
#include <sstream>

#include "engine.hpp"

namespace weave::model::detail {
namespace {

// Where a thread was made, for the Threads list. A model::thread that the
// standard library constructs (std::vector::emplace_back does, in
// std::construct_at) gets that header's line as its source_location: say so,
// and how the user's own line is seen (a thread constructed in the user's
// code, then moved in). Headers of libstdc++ and libc++ are under a c++/ folder.
std::string spawn_site(source_location l) {
  if (std::strstr(l.file_name(), "/c++/") == nullptr) return where(l);
  return where(l) +
         " (in the standard library, e.g. vector::emplace_back; v.push_back(weave::model::thread(f)) shows your own "
         "line here)";
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
  if (id >= kLifeBase && id < kLifeBase + kMaxThreads) return "\"" + thread_name(static_cast<int>(id - kLifeBase)) + " is alive\"";
  if (id < nobj_ && !objects_[id].name.empty()) return objects_[id].name;
  if (id < nobj_ && objects_[id].is_cell) return "c" + std::to_string(id - 1);
  return "a" + std::to_string(id - 1);
}

// A message named for a student: "the initial value" or "the store of 1 by T2 at step 3".
std::string engine::message_text(std::uint32_t id) const {
  const message& m = msgs_[id];
  if (m.step < 0) return "the initial value";
  return "the store of " + value_text(m.value) + " by " + thread_name(m.tid) + " at step " + std::to_string(m.step + 1);
}

// A store to a primitive's own word, in the user's calls (opaque
// primitives): "T1's m.unlock() at step 2", the row of the call that made it.
std::string engine::call_message_text(std::uint32_t id) const {
  const message& m = msgs_[id];
  if (m.step < 0 || static_cast<std::size_t>(m.step) >= steps_.size()) return message_text(id);
  const step_rec& w = steps_[static_cast<std::size_t>(m.step)];
  if (w.call < 0) return message_text(id);
  return thread_name(w.tid) + "'s " + call_text(w.call) + " at step " + std::to_string(w.seg + 1);
}

// Why the thread of step p, the last of a row, did not take step s, the
// first of the next row: the switch's reason (the table's "↳" line, and the
// exports' slices).
std::string engine::switch_reason(const step_rec& p, const step_rec& s) const {
  const std::string pn = thread_name(p.tid), sn = thread_name(s.tid);
  std::string why;
  if (s.preempted) why = pn + " preempted";
  else if (s.fair) why = pn + " would let time pass with " + sn + " late (a fair scheduler runs it)";
  else if (p.after == tstate::blocked) why = pn + " blocked";
  else if (p.after == tstate::finished) why = pn + " finished";
  else if (p.after == tstate::aborted) why = pn + " stopped";
  else if (p.after_kind == op::join) why = pn + " waits to join " + thread_name(static_cast<int>(p.after_target));
  else if (p.after_kind == op::spin) why = pn + " spins until another thread writes";
  else why = pn + " cannot go on";
  if (s.act == action::wake_return) why += "; " + sn + " woke";
  else if (s.act == action::timeout) why += "; " + sn + "'s wait timed out";
  else if (s.act == action::spurious) why += "; " + sn + " woke spuriously";
  else why += "; " + sn + " runs";
  return why;
}

// Weak memory, said in the trace under the step: a read of a store other than
// the latest, and a store placed before a store already made. A call that
// decides at a read (call.reads_decide()) may read a primitive's word late:
// that is said in calls, since the word is not the user's.
std::string engine::weak_note(const step_rec& s) const {
  const std::string who = thread_name(s.tid);
  if (s.kind != op::store && s.rf != kNoMsg && s.newer != kNoMsg && s.rf < msgs_.size() && s.newer < msgs_.size()) {
    if (opaque_primitives() && s.call >= 0 && !user_object(s.obj)) {
      const std::string was = msgs_[s.rf].step < 0 ? "as it was made" : "as " + call_message_text(s.rf) + " left it";
      return who + "'s " + call_text(s.call) + " sees " + prim_name(calls_[static_cast<std::size_t>(s.call)].prim) +
             " " + was + "; " + call_message_text(s.newer) + " is not visible to it (weak memory)";
    }
    return who + " reads " + message_text(s.rf) + " of " + obj_name(s.obj) + "; " + message_text(s.newer) +
           " is not visible to it (weak memory)";
  }
  if (s.kind == op::store && s.newer != kNoMsg && s.newer < msgs_.size())
    return who + "'s store goes before " + message_text(s.newer) + " in " + obj_name(s.obj) +
           "'s modification order (weak memory)";
  return {};
}

// A store nobody else read before another thread's store replaced it: in a
// failing check, that is how an update gets lost.
std::string engine::lost_note(const step_rec& s) const {
  if (s.act != action::step || s.kind != op::store || s.wr == kNoMsg || s.wr >= msgs_.size()) return {};
  const message& m = msgs_[s.wr];
  const object_rec& o = objects_[m.obj];
  if (!user_object(m.obj) || m.pos + 1 >= o.mo.size()) return {};
  const message& next = msgs_[o.mo[m.pos + 1]];
  if (next.tid == m.tid || next.step < 0) return {};
  for (const step_rec& r : steps_)
    if (r.rf == s.wr && r.tid != s.tid) return {};
  return thread_name(s.tid) + "'s store of " + value_text(m.value) + " to " + obj_name(m.obj) + " is overwritten by " +
         thread_name(next.tid) + " at step " + std::to_string(next.step + 1) +
         " before any other thread read it: a lost update";
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
    case action::spin_return:
      text = s.aux == 1 ? "spin: time passes (nothing new to read)" : "spin (until a write)";
      break;
    case action::step:
      switch (s.kind) {
        case op::load: text = "load " + o + " → " + value_text(s.value) + " " + mo(s.mo); break;
        case op::store: text = "store " + o + " ← " + value_text(s.value) + " " + mo(s.mo); break;
        case op::rmw: text = "rmw " + o + " " + value_text(s.old) + "→" + value_text(s.value) + " " + mo(s.mo); break;
        case op::cas_fail:
          text = "cas " + o + (s.aux == 1 ? " fails spuriously, sees " : " fails, sees ") + value_text(s.value) + " " + mo(s.mo);
          break;
        case op::wait:
          if (s.aux == 100) text = "wait " + o + " (=" + value_text(s.value) + "): sleeps";
          else if (s.aux == static_cast<std::uint32_t>(wait_result::timed_out)) text = "wait " + o + ": deadline passed";
          else text = "wait " + o + ": " + value_text(s.value) + "≠" + value_text(s.old) + ", returns";
          break;
        case op::wake_one: text = "wake_one " + o + " → " + threads_text(s.aux); break;
        case op::wake_all: text = "wake_all " + o + " → " + threads_text(s.aux); break;
        case op::spawn: text = "spawn " + thread_name(static_cast<int>(s.aux)); break;
        case op::join: text = "join " + thread_name(static_cast<int>(s.aux)); break;
        case op::fence: text = std::string("fence ") + mo(s.mo); break;
        case op::spin: text = "spin"; break;
        case op::alive: text = "alive(T" + std::to_string(s.aux - 1) + ") → " + (s.value ? "yes" : "no, it died"); break;
        case op::end: text = "ends"; break;
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
    const std::string who = thread_name(static_cast<int>(i));
    if (t.call >= 0 && (t.st == tstate::blocked || (t.act == action::step && t.pend.kind == op::spin))) {
      // In the user's terms: the call it is blocked in, why, and what it holds.
      const call_rec& c = calls_[static_cast<std::size_t>(t.call)];
      os << "  " << who << " is blocked in " << call_text(t.call) << " at " << where(c.loc);
      std::string held;
      for (const void* l : t.holding) held += (held.empty() ? "" : ", ") + lock_name(l);
      if (!held.empty()) os << " and holds " << held;
      const auto idx = std::find(locks_.begin(), locks_.end(), t.acquiring) - locks_.begin();
      const int h = t.acquiring != nullptr && static_cast<std::size_t>(idx) < lock_holder_.size() ? lock_holder_[idx] - 1 : -1;
      if (h >= 0) os << "; " << lock_name(t.acquiring) << " is held by " << thread_name(h);
      else if (c.note != nullptr) os << ": " << c.note;
      os << ".\n";
      continue;
    }
    os << "  " << who << ": ";
    if (t.st == tstate::blocked) {
      os << "waits on " << obj_name(t.wait_obj) << " (made at " << where(objects_[t.wait_obj].made) << ") at "
         << where(t.pend.loc);
      if (t.holder >= 1) os << ", or until " << thread_name(static_cast<int>(t.holder - 1)) << " dies";
    } else if (t.act == action::step && t.pend.kind == op::join) {
      os << "joins " << thread_name(static_cast<int>(t.join_target)) << " at " << where(t.pend.loc) << ", which has not finished";
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
      if (const int past = idle_rounds(t) - model_sync::spin_budget; past > 0)  // engine::giving_up
        os << "; it went round " << past << " times past its idle budget and did not leave its loop";
    } else {
      os << state_text(t.st);
    }
    os << "\n";
    for (const void* l : t.holding) os << "      holds lock " << lock_name(l) << "\n";
    if (t.acquiring != nullptr) {
      const auto idx = std::find(locks_.begin(), locks_.end(), t.acquiring) - locks_.begin();
      const int h = static_cast<std::size_t>(idx) < lock_holder_.size() ? lock_holder_[idx] - 1 : -1;
      os << "      wants lock " << lock_name(t.acquiring);
      if (h >= 0) os << ", held by " << thread_name(h);
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
      for (int p : path) os << thread_name(p) << " waits for " << lock_name(threads_[p].acquiring) << " held by ";
      os << thread_name(static_cast<int>(start)) << ".\n";
      break;
    }
  }
  return os.str();
}

std::string engine::segment_text(std::size_t a, std::size_t b, const std::vector<std::size_t>& last_step) const {
  const step_rec& s = steps_[a];
  if (!opaque_primitives() || s.call < 0) return describe(s);
  const call_rec& c = calls_[static_cast<std::size_t>(s.call)];
  std::string text = call_text(s.call);
  if (s.act == action::wake_return) text += " ← woken";
  if (s.act == action::timeout)
    text += s.aux != 0 ? " → timed out: its holder " + thread_name(static_cast<int>(s.aux - 1)) + " died"
                       : " → timed out";
  const step_rec& e = steps_[b];
  bool ended = threads_[e.tid].call != e.call;  // the call returned within this segment
  if (e.call >= 0 && static_cast<std::size_t>(e.call) < last_step.size()) ended = ended && last_step[static_cast<std::size_t>(e.call)] <= b;
  else
    for (std::size_t k = b + 1; k < steps_.size() && ended; ++k)
      if (steps_[k].tid == e.tid && steps_[k].call == e.call) ended = false;
  if (ended && !c.result.empty()) text += " → " + c.result;
  if (e.after == tstate::blocked) {
    text += " → blocks";
    if (e.note != nullptr) text += std::string(": ") + e.note;
  } else if (e.after == tstate::runnable && e.after_kind == op::spin && threads_[e.tid].call == e.call &&
             b + 1 < steps_.size() && steps_[b + 1].tid != e.tid) {
    text += " → waits";
    if (e.note != nullptr) text += std::string(": ") + e.note;
  }
  return text + "  " + where(c.loc);
}

// Rows: a step, or (opaque primitives) a whole segment of a call.
std::vector<trace_row> engine::trace_rows() const {
  std::vector<trace_row> rows;
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    if (!rows.empty() && steps_[i].forced) {
      rows.back().last = i;
      continue;
    }
    rows.push_back(trace_row{i, i, {}, {}});
  }
  // Each call's last step (its thread's), for whether a segment ends it:
  // looked up, not searched for from each segment (a livelock's trace has
  // thousands).
  std::vector<std::size_t> last_step(calls_.size(), 0);
  for (std::size_t k = 0; k < steps_.size(); ++k) {
    const std::int32_t c = steps_[k].call;
    if (c >= 0 && static_cast<std::size_t>(c) < calls_.size() && steps_[k].tid == calls_[static_cast<std::size_t>(c)].tid)
      last_step[static_cast<std::size_t>(c)] = k;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    trace_row& r = rows[i];
    r.text = segment_text(r.first, r.last, last_step);
    if (i > 0 && steps_[r.first].tid != steps_[rows[i - 1].first].tid)
      r.why = switch_reason(steps_[rows[i - 1].last], steps_[r.first]);
  }
  return rows;
}

std::string banner(verdict v) {
  static const char* names[] = {"PASS", "DEADLOCK", "CHECK FAILED", "EXCEPTION", "USAGE ERROR",
                                "DATA RACE", "LIVELOCK", "UNJOINED THREAD", "NONDETERMINISM"};
  return std::string("══════ weave model check: ") + names[static_cast<int>(v)] + " ══════\n";
}

std::string engine::render(const failure& f) const {
  const bool opaque_view = opaque_primitives();
  const std::size_t kMaxCol = opaque_view ? 60 : 46;
  using row_rec = trace_row;
  std::vector<row_rec> rows = trace_rows();
  for (row_rec& r : rows) r.text = clip(r.text, kMaxCol);

  std::ostringstream os;
  os << banner(f.v);
  os << f.message << "\n";
  os << "Schedule: " << steps_.size() << (steps_.size() == 1 ? " step" : " steps");
  if (rows.size() != steps_.size()) os << " in " << rows.size() << " rows (a call of a weave primitive is one row)";
  os << ", " << preemptions_ << " preemption" << (preemptions_ == 1 ? "" : "s") << ".\n\n";
  os << "Threads:\n  " << thread_name(0) << (threads_[0].name.empty() ? "  the check body" : "") << "\n";
  for (std::size_t t = 1; t < threads_.size(); ++t)
    os << "  " << thread_name(static_cast<int>(t)) << "  spawned at " << spawn_site(threads_[t].spawned_at) << "\n";
  os << "Objects:\n";
  if (opaque_view) {
    std::vector<bool> shown(nprim_, false);
    for (const call_rec& c : calls_) {
      if (c.prim >= nprim_ || shown[c.prim]) continue;
      shown[c.prim] = true;
      os << "  " << prim_name(c.prim) << "  " << prims_[c.prim].kind << "\n";
    }
  }
  for (std::size_t i = 2; i < nobj_; ++i) {
    if (opaque_view && !user_object(static_cast<std::uint32_t>(i))) continue;  // a primitive's own: shown as the primitive
    os << "  " << obj_name(static_cast<std::uint32_t>(i)) << (objects_[i].is_cell ? "  cell" : "  atomic")
       << " made at " << where(objects_[i].made) << "\n";
  }
  os << "\n";
  const std::size_t nt = threads_.size();
  std::vector<std::size_t> w(nt, 4);
  for (std::size_t t = 0; t < nt; ++t) w[t] = std::max(w[t], width(thread_name(static_cast<int>(t))));
  for (const row_rec& r : rows) w[steps_[r.first].tid] = std::max(w[steps_[r.first].tid], width(r.text));
  for (const note& nn : notes_)
    if (nn.tid < nt) w[nn.tid] = std::max(w[nn.tid], width("  · " + clip(nn.text, kMaxCol - 4)));
  auto line = [&](const std::string& first, std::size_t col, const std::string& text) {
    std::string l = pad(first, 5) + " │";
    for (std::size_t t = 0; t < nt; ++t) l += " " + pad(t == col ? text : "", w[t]) + " │";
    while (!l.empty() && (l.back() == ' ')) l.pop_back();
    return l + "\n";
  };
  std::string header = pad(" step", 5) + " │";
  for (std::size_t t = 0; t < nt; ++t) header += " " + pad(thread_name(static_cast<int>(t)), w[t]) + " │";
  os << header << "\n";
  std::string rule;
  for (std::size_t i = 0; i < width(header); ++i) rule += "─";
  os << rule << "\n";
  for (const note& nn : notes_)
    if (nn.pos == 0) os << line("", nn.tid, "  · " + clip(nn.text, kMaxCol - 4));
  auto has_notes = [&](const row_rec& r) {
    for (const note& nn : notes_)
      if (nn.pos > r.first && nn.pos <= r.last + 1) return true;
    return false;
  };
  // Fold a thread's repeated rounds (a spin loop) into one line.
  auto same = [&](std::size_t a, std::size_t b) {
    const step_rec& x = steps_[rows[a].first];
    const step_rec& y = steps_[rows[b].first];
    return x.tid == y.tid && rows[a].text == rows[b].text && x.act == y.act;
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    bool folded = false;
    const int tid = steps_[rows[i].first].tid;
    for (std::size_t period = 1; period <= 2 && !folded; ++period) {
      std::size_t k = i;
      while (k + 2 * period <= rows.size()) {
        bool eq = true;
        for (std::size_t q = 0; q < period && eq; ++q)
          eq = same(k + q, k + period + q) && steps_[rows[k + q].first].tid == tid && !has_notes(rows[k + q]) &&
               !steps_[rows[k + period + q].first].preempted;
        if (!eq) break;
        k += period;
      }
      const std::size_t rounds = (k - i) / period;
      if (rounds >= 2 && (i == 0 || steps_[rows[i - 1].first].tid == tid)) {
        os << "      ┆ … " << thread_name(tid) << " repeats the next " << period << " row"
           << (period == 1 ? "" : "s") << " " << rounds + 1 << " times (steps " << rows[i].first + 1 << "–"
           << rows[k + period - 1].last + 1 << "), shown once\n";
        i = k;
        folded = true;
      }
    }
    const row_rec& r = rows[i];
    const step_rec& s = steps_[r.first];
    if (!r.why.empty()) os << "      ┆ ↳ " << r.why << "\n";
    os << line(std::string(4 - std::min<std::size_t>(4, std::to_string(r.first + 1).size()), ' ') +
                   std::to_string(r.first + 1),
               s.tid, r.text);
    for (std::size_t k = r.first; k <= r.last; ++k)
      if (const std::string weak = weak_note(steps_[k]); !weak.empty()) os << "      ┆   " << weak << "\n";
    for (std::size_t k = r.first; k <= r.last; ++k)
      if (const std::string lost = lost_note(steps_[k]); !lost.empty()) os << "      ┆   ↯ " << lost << "\n";
    for (const note& nn : notes_)
      if (nn.pos > r.first && nn.pos <= r.last + 1) os << line("", nn.tid, "  · " + clip(nn.text, kMaxCol - 4));
  }
  os << "\n";
  if (!f.footer.empty()) os << f.footer << (f.footer.back() == '\n' ? "" : "\n");
  return os.str();
}

}  // namespace weave::model::detail
