// The runner's JSON result file (--json), written here and read back by
// --merge. One object: {"format": "weave_models-results", "version": 1,
// "shard": {"index": K, "count": N}, "checks": [record, ...]}, K 1-based.
#include "results.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "json.hpp"

namespace weave::model::detail {
namespace {

constexpr const char* kFormat = "weave_models-results";

std::string record_json(const record& c) {
  const result& r = c.r;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.6f", r.seconds);
  std::string s = "    {\"name\": " + json_quote(c.name);
  s += ", \"expected\": " + json_quote(to_string(c.expected));
  s += ", \"found\": " + json_quote(to_string(r.found));
  s += std::string(", \"as_declared\": ") + (c.as_declared() ? "true" : "false");
  s += ", \"executions\": " + std::to_string(r.executions);
  s += ", \"blocked\": " + std::to_string(r.blocked);
  s += ", \"unfair\": " + std::to_string(r.unfair);
  s += std::string(", \"exhaustive\": ") + (r.exhaustive ? "true" : "false");
  s += std::string(", \"seconds\": ") + seconds;
  s += ", \"memory_model\": " + json_quote(c.memory_model);
  s += std::string(", \"saw_nothing\": ") + (r.saw_nothing ? "true" : "false");
  if (r.preemption_bound >= 0) s += ", \"preemption_bound\": " + std::to_string(r.preemption_bound);
  if (r.found != verdict::pass) {
    s += ", \"preemptions\": " + std::to_string(r.preemptions);
    s += ", \"replay\": " + json_quote(c.name + ":" + r.replay);
    s += ", \"report\": " + json_quote(r.report);
  }
  if (!c.outcomes.empty()) {  // --outcomes: [{"name", "values": [{"value", "count", "replay"}]}]
    s += ", \"outcomes\": [";
    for (std::size_t i = 0; i < c.outcomes.size(); ++i) {
      const outcome_row& row = c.outcomes[i];
      s += std::string(i ? ", " : "") + "{\"name\": " + json_quote(row.name) + ", \"values\": [";
      for (std::size_t k = 0; k < row.values.size(); ++k) {
        const outcome_value& v = row.values[k];
        s += std::string(k ? ", " : "") + "{\"value\": " + std::to_string(v.value) +
             ", \"count\": " + std::to_string(v.count) + ", \"replay\": " + json_quote(c.name + ":" + v.token) + "}";
      }
      s += "]}";
    }
    s += "]";
  }
  return s + "}";
}

// Field readers: each returns false if the member is missing or mistyped.
bool get(const json_value& o, const char* key, std::string& out) {
  const json_value* v = o.find(key);
  if (v == nullptr || v->type != json_value::kind::string) return false;
  out = v->text;
  return true;
}
bool get(const json_value& o, const char* key, bool& out) {
  const json_value* v = o.find(key);
  if (v == nullptr || v->type != json_value::kind::boolean) return false;
  out = v->boolean;
  return true;
}
template <class Number, class Convert>
bool get_number(const json_value& o, const char* key, Number& out, Convert convert) {
  const json_value* v = o.find(key);
  if (v == nullptr || v->type != json_value::kind::number) return false;
  try {
    out = static_cast<Number>(convert(v->text));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}
auto to_u64 = [](const std::string& t) { return std::stoull(t); };
auto to_int = [](const std::string& t) { return std::stoi(t); };
auto to_double = [](const std::string& t) { return std::stod(t); };

// A record's --outcomes table, if it has one; false if it is malformed.
bool read_outcomes(const json_value& o, record& c) {
  const json_value* rows = o.find("outcomes");
  if (rows == nullptr) return true;
  if (rows->type != json_value::kind::array) return false;
  for (const json_value& row : rows->items) {
    std::string name;
    const json_value* values = row.find("values");
    if (!get(row, "name", name) || values == nullptr || values->type != json_value::kind::array) return false;
    for (const json_value& v : values->items) {
      std::uint64_t value = 0, count = 0;
      std::string replay;
      if (!get_number(v, "value", value, to_u64) || !get_number(v, "count", count, to_u64) ||
          !get(v, "replay", replay) || replay.compare(0, c.name.size() + 1, c.name + ":") != 0)
        return false;
      add_outcome(c.outcomes, name, value, count, [&] { return replay.substr(c.name.size() + 1); });
    }
  }
  return true;
}

bool read_record(const json_value& o, record& c) {
  std::string expected, found;
  result& r = c.r;
  if (!get(o, "name", c.name) || !get(o, "expected", expected) || !get(o, "found", found) ||
      !verdict_from_string(expected, c.expected) || !verdict_from_string(found, r.found) ||
      !get_number(o, "executions", r.executions, to_u64) || !get_number(o, "blocked", r.blocked, to_u64) ||
      !get(o, "exhaustive", r.exhaustive) || !get_number(o, "seconds", r.seconds, to_double) ||
      !get(o, "memory_model", c.memory_model) || !get(o, "saw_nothing", r.saw_nothing) || !read_outcomes(o, c))
    return false;
  if (o.find("unfair") != nullptr && !get_number(o, "unfair", r.unfair, to_u64)) return false;  // older files: none
  if (o.find("preemption_bound") != nullptr &&  // a search bounded by --preemptions (the summary says its bound)
      (!get_number(o, "preemption_bound", r.preemption_bound, to_int) || r.preemption_bound < 0))
    return false;
  if (r.found == verdict::pass) return true;
  std::string replay;
  if (!get_number(o, "preemptions", r.preemptions, to_int) || !get(o, "replay", replay) ||
      !get(o, "report", r.report) || replay.compare(0, c.name.size() + 1, c.name + ":") != 0)
    return false;
  r.replay = replay.substr(c.name.size() + 1);
  return true;
}

bool read_document(const json_value& doc, run_results& out) {
  std::string format;
  int version = 0;
  const json_value* shard = doc.find("shard");
  const json_value* checks = doc.find("checks");
  if (!get(doc, "format", format) || format != kFormat || !get_number(doc, "version", version, to_int) ||
      version != 1 || shard == nullptr || checks == nullptr || checks->type != json_value::kind::array ||
      !get_number(*shard, "index", out.shard_index, to_int) || !get_number(*shard, "count", out.shard_count, to_int))
    return false;
  out.shard_index -= 1;
  for (const json_value& item : checks->items) {
    record c;
    c.partial = out.shard_count > 1;
    if (!read_record(item, c)) return false;
    out.checks.push_back(std::move(c));
  }
  return out.shard_count >= 1 && out.shard_index >= 0 && out.shard_index < out.shard_count;
}

}  // namespace

bool verdict_from_string(const std::string& s, verdict& v) {
  for (int i = 0; i <= static_cast<int>(verdict::nondeterminism); ++i) {
    if (s == to_string(static_cast<verdict>(i))) {
      v = static_cast<verdict>(i);
      return true;
    }
  }
  return false;
}

bool write_json(const std::string& path, const run_results& results) {
  std::string s = std::string("{\"format\": \"") + kFormat + "\", \"version\": 1,\n";
  s += " \"shard\": {\"index\": " + std::to_string(results.shard_index + 1) +
       ", \"count\": " + std::to_string(results.shard_count) + "},\n";
  s += " \"checks\": [";
  for (std::size_t i = 0; i < results.checks.size(); ++i) s += (i == 0 ? "\n" : ",\n") + record_json(results.checks[i]);
  s += "\n ]}\n";
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << s;
  f.close();
  return static_cast<bool>(f);
}

bool read_json(const std::string& path, run_results& out, std::string& error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    error = path + ": cannot be read";
    return false;
  }
  std::stringstream text;
  text << f.rdbuf();
  json_value doc;
  if (!parse_json(text.str(), doc, error)) {
    error = path + ": " + error;
    return false;
  }
  out = run_results{};
  if (!read_document(doc, out)) {
    error = path + ": not a weave_models --json result file";
    return false;
  }
  return true;
}

}  // namespace weave::model::detail
