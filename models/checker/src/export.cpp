// A counterexample to look at, from the replayed failing schedule:
//   trace_json  Chrome Trace Event JSON (Perfetto UI, chrome://tracing): a
//               track per thread, a slice per row of the table (a row that
//               another thread's row came before says why, as the table's "↳"
//               line: args.switch), flow arrows for the happens-before edges
//               that matter (release -> acquire, spawn, join, wake), the
//               verdict marked where it happened;
//   html        one self-contained page: swimlanes in SVG (a row's tooltip and
//               the slider say why its thread runs), a step slider, the
//               printed counterexample below (no network, no library);
//   dot         Graphviz: the wait-for graph of a deadlock (threads and the
//               locks they hold and want), otherwise the happens-before graph
//               of the rows (program order, synchronisation, a race in red).
#include <algorithm>
#include <sstream>

#include "engine.hpp"
#include "json.hpp"

namespace weave::model::detail {
namespace {

// A row's text without its file:line (the table's last two-space field).
std::pair<std::string, std::string> split_location(const std::string& text) {
  const auto at = text.rfind("  ");
  if (at == std::string::npos) return {text, {}};
  return {text.substr(0, at), text.substr(at + 2)};
}

std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

struct flow {
  std::size_t from_row, to_row;
  const char* kind;
};

}  // namespace

namespace {
// Which row each step is in, and the arrows between rows.
struct export_view {
  std::vector<trace_row> rows;
  std::vector<std::size_t> row_of;  // by step
  std::vector<flow> flows;
};
}  // namespace

static export_view view_of(const std::vector<trace_row>& rows, const std::vector<step_rec>& steps) {
  export_view v;
  v.rows = rows;
  v.row_of.assign(steps.size(), 0);
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t k = rows[r].first; k <= rows[r].last; ++k) v.row_of[k] = r;
  tmask stepped = 0;  // threads that took a step before k: a thread's first step comes from its spawn
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const step_rec& s = steps[k];
    const bool first = (stepped & bit(s.tid)) == 0;
    stepped |= bit(s.tid);
    if (s.sync_from < 0 || static_cast<std::size_t>(s.sync_from) >= steps.size()) continue;
    const char* kind = s.act == action::wake_return ? "wake"
                       : s.kind == op::join          ? "join"
                       : first                       ? "spawn"
                                                     : "release → acquire";
    const std::size_t a = v.row_of[static_cast<std::size_t>(s.sync_from)], b = v.row_of[k];
    if (a != b) v.flows.push_back(flow{a, b, kind});
  }
  return v;
}

std::string engine::trace_json(const failure& f) const {
  const export_view v = view_of(trace_rows(), steps_);
  constexpr int kSlot = 10;  // µs per row on the time line
  // Row r starts at (r + 1) slots: the time line starts one slot in, because
  // viewers start their range at the first non-zero time and drop events at 0.
  auto at_row = [](std::size_t r) { return (r + 1) * kSlot; };
  std::ostringstream os;
  os << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  os << "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":"
     << json_quote(std::string("weave model check: ") + to_string(f.v)) << "}}";
  for (std::size_t t = 0; t < threads_.size(); ++t)
    os << ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":" << t << ",\"args\":{\"name\":"
       << json_quote(thread_name(static_cast<int>(t))) << "}}";
  for (std::size_t r = 0; r < v.rows.size(); ++r) {
    const auto [what, at] = split_location(v.rows[r].text);
    os << ",\n{\"name\":" << json_quote(what) << ",\"cat\":\"step\",\"ph\":\"X\",\"ts\":" << at_row(r)
       << ",\"dur\":" << kSlot - 2 << ",\"pid\":1,\"tid\":" << int(steps_[v.rows[r].first].tid)
       << ",\"args\":{\"at\":" << json_quote(at) << ",\"steps\":" << json_quote(std::to_string(v.rows[r].first + 1) + "-" + std::to_string(v.rows[r].last + 1));
    if (!v.rows[r].why.empty()) os << ",\"switch\":" << json_quote(v.rows[r].why);
    os << "}}";
  }
  int id = 0;
  for (const flow& fl : v.flows) {
    ++id;
    os << ",\n{\"name\":" << json_quote(fl.kind) << ",\"cat\":\"happens-before\",\"ph\":\"s\",\"id\":" << id
       << ",\"ts\":" << at_row(fl.from_row) + 1 << ",\"pid\":1,\"tid\":" << int(steps_[v.rows[fl.from_row].first].tid) << "}";
    os << ",\n{\"name\":" << json_quote(fl.kind) << ",\"cat\":\"happens-before\",\"ph\":\"f\",\"bp\":\"e\",\"id\":" << id
       << ",\"ts\":" << at_row(fl.to_row) + 1 << ",\"pid\":1,\"tid\":" << int(steps_[v.rows[fl.to_row].first].tid) << "}";
  }
  // The verdict where it happened: the two racing rows, or each blocked thread at the end.
  const std::size_t end = at_row(v.rows.size());
  auto mark = [&](std::size_t ts, int tid, const std::string& text) {
    os << ",\n{\"name\":" << json_quote(text) << ",\"cat\":\"verdict\",\"ph\":\"i\",\"s\":\"t\",\"ts\":" << ts
       << ",\"pid\":1,\"tid\":" << tid << "}";
  };
  if (f.v == verdict::data_race) {
    for (const std::int32_t k : {f.race_a, f.race_b})
      if (k >= 0 && static_cast<std::size_t>(k) < steps_.size())
        mark(at_row(v.row_of[static_cast<std::size_t>(k)]) + kSlot / 2, steps_[static_cast<std::size_t>(k)].tid,
             "data race");
  } else if (f.v == verdict::deadlock) {
    for (std::size_t t = 0; t < threads_.size(); ++t)
      if (threads_[t].st == tstate::blocked || threads_[t].st == tstate::runnable)
        mark(end, static_cast<int>(t),
             threads_[t].call >= 0 ? "blocked in " + call_text(threads_[t].call) : std::string("cannot go on"));
  } else if (!v.rows.empty()) {
    mark(end, steps_.back().tid, to_string(f.v));
  }
  os << "\n],\"otherData\":{\"verdict\":" << json_quote(to_string(f.v)) << ",\"message\":" << json_quote(f.message)
     << "}}\n";
  return os.str();
}

std::string engine::html(const failure& f, const std::string& report) const {
  const export_view v = view_of(trace_rows(), steps_);
  std::ostringstream data;
  data << "{\"verdict\":" << json_quote(to_string(f.v)) << ",\"message\":" << json_quote(f.message) << ",\"threads\":[";
  for (std::size_t t = 0; t < threads_.size(); ++t)
    data << (t ? "," : "") << json_quote(thread_name(static_cast<int>(t)));
  data << "],\"rows\":[";
  for (std::size_t r = 0; r < v.rows.size(); ++r) {
    const auto [what, at] = split_location(v.rows[r].text);
    data << (r ? "," : "") << "{\"t\":" << int(steps_[v.rows[r].first].tid) << ",\"step\":" << v.rows[r].first + 1
         << ",\"text\":" << json_quote(what) << ",\"at\":" << json_quote(at) << ",\"why\":" << json_quote(v.rows[r].why)
         << "}";
  }
  data << "],\"flows\":[";
  for (std::size_t i = 0; i < v.flows.size(); ++i)
    data << (i ? "," : "") << "[" << v.flows[i].from_row << "," << v.flows[i].to_row << "," << json_quote(v.flows[i].kind) << "]";
  data << "],\"race\":[";
  bool first = true;
  for (const std::int32_t k : {f.race_a, f.race_b})
    if (f.v == verdict::data_race && k >= 0 && static_cast<std::size_t>(k) < steps_.size()) {
      data << (first ? "" : ",") << v.row_of[static_cast<std::size_t>(k)];
      first = false;
    }
  data << "]}";
  std::string json = data.str();
  // Inside <script>, "</" would end it early.
  for (std::size_t at = 0; (at = json.find("</", at)) != std::string::npos; at += 3) json.replace(at, 2, "<\\/");
  std::string escaped;
  for (char c : report) {
    if (c == '<') escaped += "&lt;";
    else if (c == '>') escaped += "&gt;";
    else if (c == '&') escaped += "&amp;";
    else escaped += c;
  }
  std::ostringstream os;
  os << R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>weave: )" << to_string(f.v) << R"(</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } .verdict { color: #b00; }
svg text { font: 12px ui-monospace, monospace; }
.lane { fill: #f4f4f8; } .name { font-weight: bold; }
.row rect { fill: #dde8ff; stroke: #7a9cd6; } .row.race rect { fill: #ffd6d6; stroke: #cc3333; }
.row.later { opacity: 0.15; } .flow { stroke: #22aa77; stroke-width: 1.5; fill: none; marker-end: url(#arrow); }
.flow.later { opacity: 0.1; } pre { background: #f7f7f7; padding: 1em; overflow-x: auto; font-size: 12px; }
</style></head><body>
<h1>weave model check: <span class="verdict" id="verdict"></span></h1>
<p id="message"></p>
<p><label>step <input type="range" id="slider" min="1" value="1"> <span id="shown"></span></label></p>
<svg id="lanes" xmlns="http://www.w3.org/2000/svg"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#22aa77"/></marker></defs></svg>
<pre id="report">)" << escaped << R"(</pre>
<script id="data" type="application/json">)" << json << R"(</script>
<script>
(() => {
const d = JSON.parse(document.getElementById('data').textContent);
document.getElementById('verdict').textContent = d.verdict.toUpperCase().replace('_', ' ');
document.getElementById('message').textContent = d.message;
const W = 330, H = 26, Y0 = 34, svg = document.getElementById('lanes'), ns = 'http://www.w3.org/2000/svg';
svg.setAttribute('width', d.threads.length * W + 20);
svg.setAttribute('height', Y0 + d.rows.length * H + 20);
function el(tag, attrs, parent) {
  const e = document.createElementNS(ns, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  (parent || svg).appendChild(e);
  return e;
}
d.threads.forEach((name, t) => {
  el('rect', {class: 'lane', x: 10 + t * W, y: 0, width: W - 10, height: Y0 + d.rows.length * H + 10});
  el('text', {class: 'name', x: 18 + t * W, y: 20}).textContent = name;
});
const rows = d.rows.map((r, i) => {
  const g = el('g', {class: 'row' + (d.race.includes(i) ? ' race' : '')});
  const x = 14 + r.t * W, y = Y0 + i * H;
  el('rect', {x: x, y: y, width: W - 18, height: H - 4, rx: 3}, g);
  const label = el('text', {x: x + 6, y: y + 16}, g);
  label.textContent = r.step + '  ' + r.text;
  el('title', {}, g).textContent = r.text + '  ' + r.at + (r.why ? '\n↳ ' + r.why : '');
  return g;
});
const flows = d.flows.map(([a, b, kind]) => {
  const ra = d.rows[a], rb = d.rows[b];
  const p = el('path', {class: 'flow', d: 'M' + (14 + ra.t * W + W / 2) + ',' + (Y0 + a * H + H - 4) +
                        ' L' + (14 + rb.t * W + W / 2) + ',' + (Y0 + b * H)});
  el('title', {}, p).textContent = kind;
  return [p, b];
});
const slider = document.getElementById('slider');
slider.max = d.rows.length;
slider.value = d.rows.length;
function show() {
  const k = Number(slider.value);
  rows.forEach((g, i) => g.classList.toggle('later', i >= k));
  flows.forEach(([p, b]) => p.classList.toggle('later', b >= k));
  const why = k > 0 ? d.rows[k - 1].why : '';
  document.getElementById('shown').textContent = k + ' of ' + d.rows.length + ' rows' + (why ? ' (↳ ' + why + ')' : '');
}
slider.addEventListener('input', show);
show();
})();
</script></body></html>
)";
  return os.str();
}

std::string engine::dot(const failure& f) const {
  std::ostringstream os;
  if (f.v == verdict::deadlock) {  // who waits for what
    os << "digraph wait_for {\n  rankdir=LR;\n  label=" << dot_quote("deadlock: " + f.message) << ";\n"
       << "  node [fontname=\"monospace\"];\n";
    for (std::size_t t = 0; t < threads_.size(); ++t) {
      const thread_rec& r = threads_[t];
      if (r.st == tstate::finished) continue;
      std::string label = thread_name(static_cast<int>(t));
      if (r.call >= 0) label += "\nblocked in " + call_text(r.call);
      os << "  t" << t << " [shape=box, style=filled, fillcolor=\"#dde8ff\", label=" << dot_quote(label) << "];\n";
      for (const void* l : r.holding)
        os << "  " << dot_quote(lock_name(l)) << " -> t" << t << " [label=\"held by\"];\n";
      if (r.acquiring != nullptr)
        os << "  t" << t << " -> " << dot_quote(lock_name(r.acquiring)) << " [label=\"wants\", color=\"#cc3333\"];\n";
      if (r.st == tstate::runnable && r.act == action::step && r.pend.kind == op::join)
        os << "  t" << t << " -> t" << r.join_target << " [label=\"joins\", style=dashed];\n";
    }
    for (const void* l : locks_)
      if (l != nullptr) os << "  " << dot_quote(lock_name(l)) << " [shape=ellipse];\n";
    os << "}\n";
    return os.str();
  }
  // The happens-before graph of the rows: program order, synchronisation, the race.
  const export_view v = view_of(trace_rows(), steps_);
  os << "digraph happens_before {\n  label=" << dot_quote(std::string(to_string(f.v)) + ": " + f.message)
     << ";\n  node [shape=box, fontname=\"monospace\"];\n";
  for (std::size_t t = 0; t < threads_.size(); ++t) {
    os << "  subgraph cluster_t" << t << " {\n    label=" << dot_quote(thread_name(static_cast<int>(t))) << ";\n";
    std::int64_t prev = -1;
    for (std::size_t r = 0; r < v.rows.size(); ++r) {
      if (steps_[v.rows[r].first].tid != t) continue;
      os << "    r" << r << " [label=" << dot_quote(std::to_string(v.rows[r].first + 1) + "  " + v.rows[r].text) << "];\n";
      if (prev >= 0) os << "    r" << prev << " -> r" << r << ";\n";
      prev = static_cast<std::int64_t>(r);
    }
    os << "  }\n";
  }
  for (const flow& fl : v.flows)
    os << "  r" << fl.from_row << " -> r" << fl.to_row << " [color=\"#22aa77\", penwidth=2, label=" << dot_quote(fl.kind)
       << "];\n";
  if (f.v == verdict::data_race && f.race_a >= 0 && f.race_b >= 0) {
    const std::size_t a = v.row_of[static_cast<std::size_t>(f.race_a)], b = v.row_of[static_cast<std::size_t>(f.race_b)];
    os << "  r" << a << " [color=\"#cc3333\", penwidth=2];\n  r" << b << " [color=\"#cc3333\", penwidth=2];\n"
       << "  r" << a << " -> r" << b << " [dir=none, style=dashed, color=\"#cc3333\", label=\"data race\", constraint=false];\n";
  }
  os << "}\n";
  return os.str();
}

}  // namespace weave::model::detail
