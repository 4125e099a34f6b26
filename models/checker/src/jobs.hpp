// --jobs N: local worker processes, for several checks side by side or for
// one check split across them.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "outcomes.hpp"
#include "weave/model.hpp"

namespace weave::model::detail {

/// Explores body with o.jobs forked workers (each a slice of o's shard, or
/// claiming subtrees from a shared table when unsharded) and adds up their
/// results; with o.outcomes, their outcome tables into *outcomes if given.
result run_jobs(void (*body)(), const options& o, outcome_table* outcomes = nullptr);

/// One check as the runner explores it: in this process, or with o.jobs > 1
/// by run_jobs; with o.outcomes, *outcomes gets the table result::outcomes
/// says (--json keeps it for --merge).
result explore(void (*body)(), const options& o, outcome_table* outcomes);

/// One check to run whole in a process of its own.
struct job {
  void (*body)();
  options o;
  const char* name = nullptr;  // what a stall of it says (watchdog.hpp)
};

/// Runs each job in a forked process, at most n at once, starting them in the
/// order given; done(index, result, its --outcomes table) is called in the
/// order they finish.
void run_each(const std::vector<job>& jobs, int n,
              const std::function<void(std::size_t, result, outcome_table)>& done);

}  // namespace weave::model::detail
