// weave/weave.hpp — the umbrella header: every primitive of the kit.
#pragma once

#include "weave/error.hpp"
#include "weave/sync.hpp"
#include "weave/mutex.hpp"
#include "weave/robust_mutex.hpp"
#include "weave/semaphore.hpp"
#include "weave/pipe.hpp"
