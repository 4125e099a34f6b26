// The primitives' checks that explore interleavings only (memory_model::sc).
//
// Under RC11 (the default) a check explores, on top of the interleavings,
// every store each read may read and every place each store may take in
// modification order. The checks marked `.memory = interleavings_only` are the
// larger ones — three threads through barrier phases, queues closing under
// blocked producers and consumers, pools shutting down — which run to
// hundreds of thousands of interleavings already; under RC11 they do not
// finish within `make check`'s time budget (measured: none of them exhaustive
// in 5 s). They stay exhaustive (or bounded, as they were) over
// interleavings, and every primitive keeps smaller checks that run
// exhaustively under RC11: the memory column of `make check-models` says
// which is which.
#pragma once

#include "weave/model.hpp"

namespace weave::model_checks {
inline constexpr auto interleavings_only = weave::model::memory_model::sc;
}  // namespace weave::model_checks
