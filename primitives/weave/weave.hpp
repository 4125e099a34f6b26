// weave/weave.hpp — the umbrella header: every primitive of the kit.
#pragma once

#include "weave/error.hpp"
#include "weave/sync.hpp"
#include "weave/mutex.hpp"
#include "weave/recursive_mutex.hpp"
#include "weave/robust_mutex.hpp"
#include "weave/semaphore.hpp"
#include "weave/event.hpp"
#include "weave/condition.hpp"
#include "weave/barrier.hpp"
#include "weave/queue.hpp"
#include "weave/pipe.hpp"
#include "weave/spsc_ring.hpp"
#include "weave/mpmc_ring.hpp"
#include "weave/ring_queue.hpp"
