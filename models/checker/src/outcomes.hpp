// --outcomes: every final value of each named atomic, how many executions
// ended with it and a replay token of one. Filled by the search
// (engine::search), added up across --jobs workers (jobs.cpp) and --shard
// slices (merge.cpp), written to --json (results.cpp), said by outcomes_text
// (calls.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace weave::model::detail {

/// A row per named atomic, in the order first seen; in it each value, how
/// many explored executions ended with it, and the replay token of the first.
struct outcome_value {
  std::uint64_t value;
  std::uint64_t count;
  std::string token;
};
struct outcome_row {
  std::string name;
  std::vector<outcome_value> values;
};
using outcome_table = std::vector<outcome_row>;

/// Counts `count` more executions that ended with name = value; token() is
/// asked only for a value not seen before.
template <class Token>
void add_outcome(outcome_table& t, const std::string& name, std::uint64_t value, std::uint64_t count, Token&& token) {
  auto row = std::find_if(t.begin(), t.end(), [&](const outcome_row& r) { return r.name == name; });
  if (row == t.end()) row = t.insert(t.end(), outcome_row{name, {}});
  auto v = std::find_if(row->values.begin(), row->values.end(),
                        [&](const outcome_value& x) { return x.value == value; });
  if (v == row->values.end()) row->values.push_back(outcome_value{value, count, std::string(token())});
  else v->count += count;
}

/// The table as result::outcomes says it (calls.cpp).
std::string outcomes_text(const outcome_table& t);

/// Adds every count of from into into (the first token of a value stays).
inline void add_outcomes(outcome_table& into, const outcome_table& from) {
  for (const outcome_row& row : from)
    for (const outcome_value& v : row.values) add_outcome(into, row.name, v.value, v.count, [&] { return v.token; });
}

}  // namespace weave::model::detail
