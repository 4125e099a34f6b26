// What the runner reports about each check, and the files that carry it:
// --json (results.cpp, read back by --merge) and --junit (junit.cpp).
#pragma once

#include <string>
#include <vector>

#include "outcomes.hpp"
#include "weave/model.hpp"

namespace weave::model::detail {

/// One check's outcome.
struct record {
  std::string name;
  verdict expected = verdict::pass;
  result r;
  std::string memory_model = "rc11";  // the memory model explored: rc11 or sc
  bool partial = false;             // r covers one slice (--shard K/N, N > 1)
  outcome_table outcomes;           // --outcomes: the table r.outcomes says (read_json reads it back; merge says it)

  /// The verdict is the declared one; in one slice of a search, a bug the
  /// slice did not reach is no mismatch (--merge decides for the whole).
  bool as_declared() const { return r.found == expected || (partial && r.found == verdict::pass); }
};

/// One run of the runner: the slice it explored (--shard K/N, 0-based K) and
/// every check it ran, in order.
struct run_results {
  int shard_index = 0;
  int shard_count = 1;
  std::vector<record> checks;
};

/// Writes results as JSON; false (with errno set) if the file cannot be written.
bool write_json(const std::string& path, const run_results& results);
/// Reads a file write_json wrote; on failure returns false and says why.
bool read_json(const std::string& path, run_results& out, std::string& error);

/// Combines the shards of one search: every slice 1..N exactly once, the same
/// checks in each. Executions add up; a check is exhaustive only if every shard
/// was; the first counterexample (in shard order) is the merged one.
bool merge(std::vector<run_results> shards, run_results& out, std::string& error);

/// Writes JUnit XML: one testcase per check; a check whose verdict differs
/// from its declared one is a <failure> carrying the counterexample.
bool write_junit(const std::string& path, const std::vector<record>& checks);

/// The verdict named s (as to_string names it); false if there is none.
bool verdict_from_string(const std::string& s, verdict& v);

}  // namespace weave::model::detail
