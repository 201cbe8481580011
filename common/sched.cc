#include "common/sched.h"

#include <cerrno>
#include <cstring>
#include <string>

#include <pthread.h>
#include <sched.h>

namespace jikji {

Status UseBatchScheduling() {
#ifdef SCHED_BATCH
  sched_param param{};
  param.sched_priority = 0;  // the only priority SCHED_BATCH takes
  int rc = pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
  if (rc != 0) return Status::Internal(std::string("SCHED_BATCH: ") + std::strerror(rc));
  return Status::Ok();
#else
  return Status::FailedPrecondition("SCHED_BATCH: not available on this system");
#endif
}

bool UsesBatchScheduling() {
#ifdef SCHED_BATCH
  int policy = 0;
  sched_param param{};
  return pthread_getschedparam(pthread_self(), &policy, &param) == 0 && policy == SCHED_BATCH;
#else
  return false;
#endif
}

}  // namespace jikji
