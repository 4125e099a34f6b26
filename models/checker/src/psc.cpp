// RC11's SC condition: the partial SC order psc over an execution's memory
// events stays acyclic (Lahav, Vafeiadis, Kang, Hur, Dreyer, "Repairing
// Sequential Consistency in C/C++11", PLDI 2017, section 3):
//
//   psc      = psc_base ∪ psc_F, acyclic
//   psc_base = ([E_sc] ∪ [F_sc];hb?) ; scb ; ([E_sc] ∪ hb?;[F_sc])
//   psc_F    = [F_sc] ; (hb ∪ hb;eco;hb) ; [F_sc]
//   scb      = po ∪ po|≠loc;hb;po|≠loc ∪ hb|loc ∪ mo ∪ fr
//
// Cell accesses are not events here: po|≠loc's first and last steps are taken
// between atomic accesses and fences. A barrier (a system call,
// memory.cpp's life_event) is its access with a seq_cst fence on each side: a
// fence for psc, whose own access is in its hb ; eco ; hb.
//
// Who asks: list_choices, of each older store a seq_cst access could read or
// each earlier place in mo a seq_cst store could take (tentative_ok applies
// the choice as the execution's last event, asks, and takes it back). Every
// execution so far is consistent (memory.cpp: reading the latest store, or
// storing last, never closes a cycle), so the question is whether the last
// event closes one.
//
// Worked out over every event at each question, that costs about k²·n for k
// seq_cst events among n (k² pairs, each edge of a fence a search of the
// events), and a long execution of seq_cst accesses asked it at every step:
// minutes a step at a few thousand events. So the graph of psc over the
// events before the last is kept as the execution grows (psc_graph, a bit
// matrix over its seq_cst events), and a question adds the last event's edges
// and searches for a cycle through them: about k pairs and a search of the
// graph, where a fence adds a search of the events per fence.
//
// Why a new last event e adds no edge between two earlier events except
// through an earlier seq_cst fence (so the graph kept stays right): nothing
// happens after e yet (hb(e, x) for no earlier x: e's epoch is new, and no
// earlier event's clock holds it), and a new store takes a place in mo without
// reordering the others. So scb and eco between earlier events are as they
// were: po and hb are; mo and fr between earlier messages are; and where e
// is now the first event of its thread at another location after some x
// (po|≠loc), the edge from x would need e to happen before something. What e
// adds between earlier events is psc_base's and psc_F's step from a fence a
// to an event that a happens before: e itself, when hb(a, e). Those edges are
// added with e's own. Where an event is recorded with another thread's clock
// (an end recorded late, life_event) an earlier event may have seen its epoch:
// the graph is then worked out over every event, as before, for the rest of
// the execution.
//
// Kept from one execution to the next, too: a DFS execution takes the same
// steps as the one before it below the node that backtracking changed, so
// its first question cuts the graph back to the events of those steps
// (psc_graph::truncate, undoing what the later ones added; verify checks the
// cut graph against the one its events build). The graph is that of the
// last execution that asked a question: after executions that asked none,
// the steps kept are those below every node changed since (reset_execution).
//
// WEAVE_PSC=full works psc out over every event at each question (the
// definition, for comparing); WEAVE_PSC=verify does both and stops the
// process where they differ (psc_test).
#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

#include "engine.hpp"

namespace weave::model::detail {

psc_mode psc_setting() {
  return static_cast<psc_mode>(three_way_setting("WEAVE_PSC", {"incremental", "full", "verify"}));
}

namespace {

// Two events of one thread at different locations, for po|≠loc (a fence is at none).
bool differ(const mem_event& a, const mem_event& b) { return a.fence_like() || b.fence_like() || a.obj != b.obj; }

// The relations of the definition over the events ev[0, n), with each
// event's next and previous event of its thread at another location.
struct relations {
  const std::vector<mem_event>& ev;
  const std::vector<message>& msgs;
  const po_diff& diff;
  std::uint32_t n;

  bool fence(std::uint32_t a) const { return ev[a].fence_like(); }
  bool hb(std::uint32_t a, std::uint32_t b) const { return a != b && ev[b].clk.c[ev[a].tid] >= ev[a].epoch; }
  bool mo_lt(std::uint32_t m1, std::uint32_t m2) const {
    if (m1 == kNoMsg || m2 == kNoMsg) return false;
    if (m1 >= kLifeEnd || m2 >= kLifeEnd) return m1 == kLifeStart && m2 == kLifeEnd;  // (callers ask of one location)
    return msgs[m1].obj == msgs[m2].obj && msgs[m1].pos < msgs[m2].pos;
  }
  bool same_loc(std::uint32_t a, std::uint32_t b) const {
    return !ev[a].fence && !ev[b].fence && ev[a].obj == ev[b].obj;
  }
  bool scb(std::uint32_t a, std::uint32_t b) const {
    if (a == b) return false;
    const mem_event &x = ev[a], &y = ev[b];
    if (x.tid == y.tid) return x.epoch < y.epoch;  // po
    if (same_loc(a, b)) return hb(a, b) || mo_lt(x.wr, y.wr) || mo_lt(x.rf, y.wr);  // hb|loc, mo, fr
    const std::uint32_t c = diff.next[a], d = diff.prev[b];  // po|≠loc ; hb ; po|≠loc
    return c != po_diff::kNone && d != po_diff::kNone && hb(c, d);
  }
  bool eco(std::uint32_t a, std::uint32_t b) const {
    if (a == b || !same_loc(a, b)) return false;
    const mem_event &x = ev[a], &y = ev[b];
    const bool w2w = mo_lt(x.wr, y.wr), w2r = x.wr != kNoMsg && (x.wr == y.rf || mo_lt(x.wr, y.rf));
    return w2w || w2r || mo_lt(x.rf, y.wr) || mo_lt(x.rf, y.rf);
  }
  // x ; scb ; y for some y that is b or, b a fence, happens before b (and,
  // a and b both fences, x ; eco ; y: psc_F): psc(a, b) through x.
  bool through(std::uint32_t x, std::uint32_t a, std::uint32_t b) const {
    if (scb(x, b)) return true;
    if (!fence(b)) return false;
    const bool f = fence(a);
    if (f && eco(x, b)) return true;
    for (std::uint32_t y = 0; y < n; ++y)
      if (hb(y, b) && (scb(x, y) || (f && eco(x, y)))) return true;
    return false;
  }
  // psc(a, b): through a itself or, a a fence, an event a happens before.
  bool psc(std::uint32_t a, std::uint32_t b) const {
    if (through(a, a, b)) return true;
    if (!fence(a)) return false;
    if (fence(b) && hb(a, b)) return true;  // psc_F's hb (implied for acyclicity: mutants.txt's psc_fences_no_hb)
    for (std::uint32_t x = 0; x < n; ++x)
      if (hb(a, x) && through(x, a, b)) return true;
    return false;
  }
};

}  // namespace

// ---------------------------------------------------------------------------
// po|≠loc's ends, as events are added
// ---------------------------------------------------------------------------

void po_diff::clear() {
  next.clear();
  prev.clear();
  before.clear();
  last = kNoChains;
}

void po_diff::room_for(std::uint32_t i) {
  if (next.size() > i) return;
  next.resize(i + 1);
  prev.resize(i + 1);
  before.resize(i + 1);
}

// Event i's previous event of its thread at another location (the last one
// before it if that one differs, else that one's) and no next yet, the
// events before it left as they are (a tentative last event: add links it).
void po_diff::peek(const std::vector<mem_event>& ev, std::uint32_t i) {
  room_for(i);
  const std::uint32_t p = last[ev[i].tid];
  prev[i] = p == kNone ? kNone : differ(ev[p], ev[i]) ? p : prev[p];
  next[i] = kNone;
}

// Event i, after the events before it: it is the next event at another
// location of its thread's last events that have none yet (all at one
// location, or a fence followed by nothing yet), if it differs from them.
// Each event's next is set once: amortized, a step per event.
void po_diff::add(const std::vector<mem_event>& ev, std::uint32_t i) {
  const std::uint8_t t = ev[i].tid;
  peek(ev, i);
  before[i] = last[t];
  if (last[t] != kNone && differ(ev[last[t]], ev[i]))
    for (std::uint32_t x = last[t]; x != kNone && next[x] == kNone; x = before[x]) next[x] = i;
  last[t] = i;
}

// ---------------------------------------------------------------------------
// The graph kept (psc_graph)
// ---------------------------------------------------------------------------

void psc_graph::clear() {
  off = false;
  if (ev.empty()) return;  // nothing kept (a question about the first event keeps nothing)
  diff.clear();
  ev.clear();
  seen = vclock{};
  sc.clear();
  fences.clear();  // (a node's row is cleared when it is added: adj keeps its room)
  derived.clear();
}

// Back to the first `cut` events: what the later ones added is taken away
// (their nodes, the edges they added between earlier nodes, newest first,
// and the earlier events' next at another location that they were).
void psc_graph::truncate(std::uint32_t cut) {
  off = false;  // (the event it stopped at is the new execution's to judge)
  if (cut >= size()) return;
  if (cut == 0) return clear();
  while (!derived.empty() && derived.back()[0] >= cut) {
    const auto [e, a, b] = derived.back();
    row(a)[b / 64] &= ~(std::uint64_t{1} << (b % 64));
    derived.pop_back();
  }
  std::size_t k = sc.size();
  while (k > 0 && sc[k - 1] >= cut) --k;
  // No edge into the nodes taken away: a row's bits from k on. None where k
  // fills its rows' words (64 * words nodes kept): the word k / 64 is then
  // past the row, the next row's first word, or past adj for the last row
  // (soundness_test::sc_order_cut_back_to_whole_words).
  if (k < 64 * words)
    for (std::size_t j = 0; j < k; ++j) {
      std::uint64_t* r = row(j);
      r[k / 64] &= (std::uint64_t{1} << (k % 64)) - 1;
      std::fill(r + k / 64 + 1, r + words, 0);
    }
  sc.resize(k);
  while (!fences.empty() && fences.back() >= k) fences.pop_back();
  diff.last = kNoChains;
  seen = vclock{};
  for (std::uint32_t x = 0; x < cut; ++x) {
    if (diff.next[x] != po_diff::kNone && diff.next[x] >= cut) diff.next[x] = po_diff::kNone;
    diff.last[ev[x].tid] = x;
    seen.join(ev[x].clk);
  }
  ev.resize(cut);
}

// Room for node k: rows of words() words, k < 64 * words.
void psc_graph::room_for(std::size_t k) {
  if (k < words * 64) return;
  const std::size_t w = std::max<std::size_t>(2 * words, 1);
  std::vector<std::uint64_t> grown(w * w * 64, 0);
  for (std::size_t i = 0; i < sc.size(); ++i)
    std::copy_n(adj.begin() + static_cast<std::ptrdiff_t>(i * words), words, grown.begin() + static_cast<std::ptrdiff_t>(i * w));
  adj.swap(grown);
  words = w;
}

// Whether node `to` is reachable from the nodes of row `from`'s edges (a
// path of one or more edges from `from`).
bool psc_graph::reaches(std::size_t from, std::size_t to) {
  reached.assign(words, 0);
  stack.clear();
  stack.push_back(static_cast<std::uint32_t>(from));
  while (!stack.empty()) {
    const std::uint32_t v = stack.back();
    stack.pop_back();
    const std::uint64_t* r = row(v);
    for (std::size_t w = 0; w < words; ++w) {
      std::uint64_t unseen = r[w] & ~reached[w];
      reached[w] |= unseen;
      while (unseen != 0) {
        const auto u = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(unseen)));
        unseen &= unseen - 1;
        if (u == to) return true;
        stack.push_back(u);
      }
    }
  }
  return false;
}

// Adds event i (the last of mev_[0, i + 1)) to the graph: its edges, and the
// edges it adds between earlier seq_cst events (from a fence that happens
// before it). With check, reports whether they close a cycle, and the graph
// is left as it was (a question about a tentative last event).
bool engine::psc_add(std::uint32_t i, bool check) {
  psc_graph& g = psc_;
  const mem_event& e = mev_[i];
  // A question leaves the earlier events' next at another location: e there
  // counts only through hb(e, x), which no earlier x has.
  if (check) g.diff.peek(mev_, i);
  else g.diff.add(mev_, i);
  const relations rel{mev_, msgs_, g.diff, i + 1};
  bool cycle = false;
  g.added.clear();
  // Edges between earlier events through e: from a fence a with hb(a, e).
  for (const std::uint32_t fa : g.fences) {
    const std::uint32_t a = g.sc[fa];
    if (!rel.hb(a, i)) continue;
    std::uint64_t* r = g.row(fa);
    for (std::size_t b = 0; b < g.sc.size(); ++b)
      if ((r[b / 64] >> (b % 64) & 1) == 0 && rel.through(i, a, g.sc[b])) {
        r[b / 64] |= std::uint64_t{1} << (b % 64);
        g.added.emplace_back(fa, static_cast<std::uint32_t>(b));
        if (!check) g.derived.push_back({i, fa, static_cast<std::uint32_t>(b)});
      }
  }
  if (check)
    for (const auto& [a, b] : g.added) cycle = cycle || a == b || g.reaches(b, a);
  // e's own edges.
  if (e.sc) {
    const std::size_t k = g.sc.size();
    g.room_for(k);
    std::uint64_t* mine = g.row(k);
    std::fill_n(mine, g.words, 0);
    for (std::size_t j = 0; j < k; ++j) {
      if (rel.psc(g.sc[j], i)) g.row(j)[k / 64] |= std::uint64_t{1} << (k % 64);
      if (rel.psc(i, g.sc[j])) mine[j / 64] |= std::uint64_t{1} << (j % 64);
    }
    g.sc.push_back(i);
    if (check) {
      cycle = cycle || rel.psc(i, i) || g.reaches(k, k);
      for (std::size_t j = 0; j < k; ++j) g.row(j)[k / 64] &= ~(std::uint64_t{1} << (k % 64));
      g.sc.pop_back();
    } else {
      if (rel.psc(i, i)) mine[k / 64] |= std::uint64_t{1} << (k % 64);
      if (e.fence_like()) g.fences.push_back(static_cast<std::uint32_t>(k));
    }
  }
  if (check)
    for (const auto& [a, b] : g.added) g.row(a)[b / 64] &= ~(std::uint64_t{1} << (b % 64));
  return !cycle;
}

// Whether psc over mev_ is acyclic, the graph of all but the last event kept.
bool engine::psc_incremental() {
  psc_graph& g = psc_;
  const auto last = static_cast<std::uint32_t>(mev_.size() - 1);
  if (g.fresh) {  // this execution's first question: keep the events it shares with the last one
    g.fresh = false;
    std::uint32_t cut = 0;
    while (cut < g.size() && cut < last && g.ev[cut].step < g.keep_step && g.ev[cut] == mev_[cut]) ++cut;
    g.truncate(cut);
    if (psc_ways_ == psc_mode::verify && cut > 0) verify_cut();
  }
  if (g.size() > last) g.clear();
  psc_absorb(last);
  if (g.off || g.seen.c[mev_[last].tid] >= mev_[last].epoch) return psc_full();
  return psc_add(last, true);
}

// Adds mev_[size(), upto) to the graph, unless one happens before an earlier one.
void engine::psc_absorb(std::uint32_t upto) {
  psc_graph& g = psc_;
  while (!g.off && g.size() < upto) {
    const std::uint32_t i = g.size();
    const mem_event& e = mev_[i];
    // Something happens after e already (an end recorded late): from here on, in full.
    if (g.seen.c[e.tid] >= e.epoch) {
      g.off = true;
      break;
    }
    g.seen.join(e.clk);
    g.ev.push_back(e);
    psc_add(i, false);
  }
}

// WEAVE_PSC=verify: the graph cut back (psc_graph::truncate) is the one its
// events build. Stops the process where they differ.
void engine::verify_cut() {
  psc_graph cut = std::move(psc_);
  psc_ = psc_graph{};
  psc_absorb(cut.size());
  const psc_graph& built = psc_;
  bool same = built.size() == cut.size() && built.off == cut.off && built.sc == cut.sc && built.fences == cut.fences &&
              built.seen == cut.seen && built.diff.last == cut.diff.last && built.derived == cut.derived;
  for (std::uint32_t x = 0; same && x < cut.size(); ++x)
    same = built.diff.next[x] == cut.diff.next[x] && built.diff.prev[x] == cut.diff.prev[x] &&
           built.diff.before[x] == cut.diff.before[x];
  const auto bit = [](const psc_graph& g, std::size_t a, std::size_t b) {
    return (g.adj[a * g.words + b / 64] >> (b % 64) & 1) != 0;
  };
  for (std::size_t a = 0; same && a < cut.sc.size(); ++a)
    for (std::size_t b = 0; same && b < cut.sc.size(); ++b) same = bit(built, a, b) == bit(cut, a, b);
  if (!same) {
    std::fprintf(stderr, "weave model checker: internal error: RC11's SC order cut back to %u events is not the "
                         "graph they build\n", cut.size());
    std::abort();
  }
  psc_ = std::move(cut);
}

// Whether psc over mev_ is acyclic, worked out from the definition.
bool engine::psc_full() const {
  const auto n = static_cast<std::uint32_t>(mev_.size());
  std::vector<std::uint32_t> sc;
  for (std::uint32_t i = 0; i < n; ++i)
    if (mev_[i].sc) sc.push_back(i);
  if (sc.size() < 2) return true;
  // po|≠loc's ends by search, each thread's events in turn (not po_diff's
  // way: verify compares two workings-out).
  po_diff diff;
  diff.next.assign(n, po_diff::kNone);
  diff.prev.assign(n, po_diff::kNone);
  std::array<std::vector<std::uint32_t>, kMaxThreads> per;
  for (std::uint32_t i = 0; i < n; ++i) per[mev_[i].tid].push_back(i);
  for (const auto& list : per)
    for (std::size_t x = 0; x < list.size(); ++x) {
      for (std::size_t y = x + 1; y < list.size() && diff.next[list[x]] == po_diff::kNone; ++y)
        if (differ(mev_[list[x]], mev_[list[y]])) diff.next[list[x]] = list[y];
      for (std::size_t y = x; y-- > 0 && diff.prev[list[x]] == po_diff::kNone;)
        if (differ(mev_[list[x]], mev_[list[y]])) diff.prev[list[x]] = list[y];
    }
  const relations rel{mev_, msgs_, diff, n};
  const std::size_t k = sc.size();
  std::vector<std::uint8_t> edge(k * k, 0);
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < k; ++j) edge[i * k + j] = rel.psc(sc[i], sc[j]) ? 1 : 0;
  // acyclic: repeatedly remove nodes without incoming edges (Kahn)
  std::vector<int> indeg(k, 0);
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < k; ++j) indeg[j] += edge[i * k + j];
  std::vector<std::size_t> ready;
  for (std::size_t j = 0; j < k; ++j)
    if (indeg[j] == 0) ready.push_back(j);
  std::size_t removed = 0;
  while (!ready.empty()) {
    const std::size_t i = ready.back();
    ready.pop_back();
    ++removed;
    for (std::size_t j = 0; j < k; ++j)
      if (edge[i * k + j] && --indeg[j] == 0) ready.push_back(j);
  }
  return removed == k;
}

bool engine::psc_consistent() {
  if (psc_ways_ == psc_mode::full) return psc_full();
  const bool kept = psc_incremental();
  if (psc_ways_ == psc_mode::verify && kept != psc_full()) {
    std::fprintf(stderr, "weave model checker: internal error: RC11's SC order over %zu events: %s worked out "
                         "in full, %s from the graph kept\n", mev_.size(), kept ? "cyclic" : "acyclic",
                 kept ? "acyclic" : "cyclic");
    std::abort();
  }
  return kept;
}

}  // namespace weave::model::detail
