// --merge: the shards of one search (--shard K/N --json, one file each)
// combined into the result the whole search would have given.
#include "results.hpp"

#include <algorithm>
#include <map>

namespace weave::model::detail {
namespace {

// Every slice 1..N exactly once (shards sorted by index).
bool check_slices(const std::vector<run_results>& shards, std::string& error) {
  const int n = shards.front().shard_count;
  auto slice = [n](int k) { return std::to_string(k + 1) + "/" + std::to_string(n); };
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const int k = shards[i].shard_index;
    if (shards[i].shard_count != n) {
      error = "shards of different splits (" + std::to_string(shards[i].shard_count) + " and " + std::to_string(n) +
              " slices)";
      return false;
    }
    if (k != static_cast<int>(i)) {
      error = "shard " + (k < static_cast<int>(i) ? slice(k) + " appears twice" : slice(static_cast<int>(i)) + " is missing");
      return false;
    }
  }
  if (shards.size() != static_cast<std::size_t>(n)) {
    error = "shard " + slice(static_cast<int>(shards.size())) + " is missing";
    return false;
  }
  return true;
}

// Folds one shard's outcome of a check into the merged one.
void fold(record& total, const record& part) {
  result& t = total.r;
  const result& r = part.r;
  t.executions += r.executions;
  t.blocked += r.blocked;
  t.unfair += r.unfair;
  t.seconds = std::max(t.seconds, r.seconds);  // shards run side by side
  t.exhaustive = t.exhaustive && r.exhaustive;
  t.saw_nothing = t.saw_nothing && r.saw_nothing;
  if (t.found == verdict::pass && r.found != verdict::pass) {
    t.found = r.found;
    t.report = r.report;
    t.replay = r.replay;
    t.preemptions = r.preemptions;
  }
  if (t.found != verdict::pass) t.exhaustive = false;
  add_outcomes(total.outcomes, part.outcomes);
}

}  // namespace

bool merge(std::vector<run_results> shards, run_results& out, std::string& error) {
  if (shards.empty()) {
    error = "nothing to merge";
    return false;
  }
  std::sort(shards.begin(), shards.end(),
            [](const run_results& a, const run_results& b) { return a.shard_index < b.shard_index; });
  if (!check_slices(shards, error)) return false;
  out = run_results{};
  out.checks = shards.front().checks;
  for (record& c : out.checks) c.partial = false;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < out.checks.size(); ++i) seen[out.checks[i].name] = i;
  for (std::size_t s = 1; s < shards.size(); ++s) {
    if (shards[s].checks.size() != out.checks.size()) {
      error = "shard " + std::to_string(s + 1) + " ran a different set of checks";
      return false;
    }
    for (const record& part : shards[s].checks) {
      const auto it = seen.find(part.name);
      if (it == seen.end() || out.checks[it->second].expected != part.expected ||
          out.checks[it->second].memory_model != part.memory_model ||
          out.checks[it->second].r.preemption_bound != part.r.preemption_bound) {
        error = "shard " + std::to_string(s + 1) + ": check " + part.name + " differs from shard 1's";
        return false;
      }
      fold(out.checks[it->second], part);
    }
  }
  for (record& c : out.checks)
    if (!c.outcomes.empty()) c.r.outcomes = outcomes_text(c.outcomes);  // the slices' tables added up
  return true;
}

}  // namespace weave::model::detail
