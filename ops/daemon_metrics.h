// DaemonMetrics: every metric `jikji daemon` exports, registered in one
// place so the names, help texts, labels and buckets match
// docs/operations.md and deploy/prometheus/jikji-alerts.yml.
//
// Label values the daemon is expected to use (docs/operations.md):
//   jikji_fetches_total{host,status}: status is the HTTP code ("200",
//     "304", "404", "503") or, with no HTTP response, one of "timeout",
//     "unavailable" (connect/DNS/reset), "too_large", "invalid", "error".
//   jikji_duplicates_total{kind}: "not_modified" (304), "unchanged" (same
//     content as the latest capture), "seen" (URL already queued/fetched).
//   jikji_last_success_timestamp_seconds{source}: site profile name.
//   jikji_crawl_runs_total{result}, jikji_config_reloads_total{result}:
//     "ok" or "error".
//
// Thread safety: as MetricsRegistry; the handles are safe to use from any
// thread. The registry must outlive this object.
#ifndef JIKJI_OPS_DAEMON_METRICS_H_
#define JIKJI_OPS_DAEMON_METRICS_H_

#include <string>

#include "common/status.h"
#include "ops/metrics.h"

namespace jikji::ops {

struct DaemonMetrics {
  // Labelled families: resolve a handle once per label set (Labels()).
  CounterFamily* fetches = nullptr;            // jikji_fetches_total{host,status}
  CounterFamily* duplicates = nullptr;         // jikji_duplicates_total{kind}
  GaugeFamily* last_success = nullptr;         // jikji_last_success_timestamp_seconds{source}
  CounterFamily* crawl_runs = nullptr;         // jikji_crawl_runs_total{result}
  CounterFamily* config_reloads = nullptr;     // jikji_config_reloads_total{result}

  // Unlabelled series.
  Gauge up;                    // jikji_up: 1 while the daemon runs
  Gauge start_time;            // jikji_start_time_seconds
  Counter fetch_bytes;         // jikji_fetch_bytes_total
  Histogram fetch_duration;    // jikji_fetch_duration_seconds
  Gauge queue_depth;           // jikji_queue_depth
  Counter robots_denied;       // jikji_robots_denied_total
  Counter extraction_failures; // jikji_extraction_failures_total
  Counter versions_stored;     // jikji_versions_stored_total
  Gauge disk_available;        // jikji_archive_disk_available_bytes
  Gauge disk_size;             // jikji_archive_disk_size_bytes

  // Registers every family in registry (which must be fresh of these
  // names: AlreadyExists otherwise) and sets jikji_build_info{version}
  // to 1. With archive_dir not empty, adds a collect hook that sets the
  // two disk gauges from statvfs(archive_dir) at each scrape (left as they
  // were when statvfs fails).
  static Result<DaemonMetrics> Register(MetricsRegistry* registry, const std::string& version,
                                        const std::string& archive_dir);
};

}  // namespace jikji::ops

#endif  // JIKJI_OPS_DAEMON_METRICS_H_
