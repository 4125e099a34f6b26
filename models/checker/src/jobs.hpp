// --jobs N: one check split across N local worker processes.
#pragma once

#include "weave/model.hpp"

namespace weave::model::detail {

/// Explores body with o.jobs forked workers (each a slice of o's shard, or
/// claiming subtrees from a shared table when unsharded) and adds up their results.
result run_jobs(void (*body)(), const options& o);

}  // namespace weave::model::detail
