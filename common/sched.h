// CPU scheduling policy of a long crawl.
//
// A crawl is a throughput job: a fetch loop and extraction workers that
// wake each other thousands of times a second (a response to extract, a
// result to queue). Under the default policy each wakeup may preempt the
// thread running on that core; SCHED_BATCH (Linux, sched(7)) tells the
// scheduler the threads are CPU-bound and noninteractive, so a woken thread
// waits for its turn instead of preempting. Fewer context switches, larger
// batches of events per wakeup: on the bench site (bench/README.md) the same
// crawl takes 3-5% less wall and CPU time. Nice values and priorities are
// unchanged, so the crawl does not take CPU from other work on the machine.
//
// Thread safety: acts on the calling thread only; call it before the
// threads that should inherit the policy are created.
#ifndef JIKJI_COMMON_SCHED_H_
#define JIKJI_COMMON_SCHED_H_

#include "common/status.h"

namespace jikji {

// Sets SCHED_BATCH for the calling thread, which the threads it creates
// afterwards inherit. kFailedPrecondition where the system has no such
// policy (not Linux); the thread's policy is then unchanged.
Status UseBatchScheduling();

// True if the calling thread runs under SCHED_BATCH.
bool UsesBatchScheduling();

}  // namespace jikji

#endif  // JIKJI_COMMON_SCHED_H_
