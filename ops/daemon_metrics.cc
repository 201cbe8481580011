#include "ops/daemon_metrics.h"

#include <sys/statvfs.h>

namespace jikji::ops {

Result<DaemonMetrics> DaemonMetrics::Register(MetricsRegistry* registry, const std::string& version,
                                              const std::string& archive_dir) {
  DaemonMetrics m;
  Status error;
  auto counter = [&](const char* name, const char* help, std::vector<std::string> labels) -> CounterFamily* {
    auto f = registry->AddCounter(name, help, labels);
    if (!f.ok()) { if (error.ok()) error = f.status(); return nullptr; }
    return *f;
  };
  auto gauge = [&](const char* name, const char* help, std::vector<std::string> labels) -> GaugeFamily* {
    auto f = registry->AddGauge(name, help, labels);
    if (!f.ok()) { if (error.ok()) error = f.status(); return nullptr; }
    return *f;
  };

  GaugeFamily* up = gauge("jikji_up", "1 while the jikji daemon is running.", {});
  GaugeFamily* build = gauge("jikji_build_info", "Always 1; the version is in the label.", {"version"});
  GaugeFamily* start = gauge("jikji_start_time_seconds", "Unix time the daemon started.", {});
  m.fetches = counter("jikji_fetches_total",
                      "HTTP fetches by host and outcome (HTTP status code, or timeout, unavailable, too_large, "
                      "invalid, error when no response arrived).",
                      {"host", "status"});
  CounterFamily* bytes = counter("jikji_fetch_bytes_total", "Bytes received on the wire (headers and bodies).", {});
  HistogramFamily* duration = nullptr;
  if (error.ok()) {
    auto h = registry->AddHistogram("jikji_fetch_duration_seconds",
                                    "Time from request start to the last byte of the response, redirects included.",
                                    DefaultLatencyBuckets());
    if (h.ok()) duration = *h; else error = h.status();
  }
  GaugeFamily* queue = gauge("jikji_queue_depth", "URLs waiting in the crawl frontier.", {});
  CounterFamily* robots = counter("jikji_robots_denied_total", "URLs skipped because robots.txt disallows them.", {});
  CounterFamily* extraction =
      counter("jikji_extraction_failures_total", "Fetched pages whose article extraction failed.", {});
  CounterFamily* versions =
      counter("jikji_versions_stored_total", "New article versions written to the archive.", {});
  m.duplicates = counter("jikji_duplicates_total",
                         "Fetches or URLs that produced nothing new, by kind (not_modified, unchanged, seen).",
                         {"kind"});
  m.last_success = gauge("jikji_last_success_timestamp_seconds",
                         "Unix time of the last successful crawl of each source.", {"source"});
  m.crawl_runs = counter("jikji_crawl_runs_total", "Crawl rounds finished, by result (ok, error).", {"result"});
  m.config_reloads =
      counter("jikji_config_reloads_total", "Configuration reloads on SIGHUP, by result (ok, error).", {"result"});
  GaugeFamily* avail =
      gauge("jikji_archive_disk_available_bytes", "Bytes available to the daemon on the archive's file system.", {});
  GaugeFamily* size = gauge("jikji_archive_disk_size_bytes", "Size of the archive's file system in bytes.", {});
  if (!error.ok()) return error;

  m.up = up->Get();
  build->Labels({version})->Set(1);
  m.start_time = start->Get();
  m.fetch_bytes = bytes->Get();
  m.fetch_duration = duration->Get();
  m.queue_depth = queue->Get();
  m.robots_denied = robots->Get();
  m.extraction_failures = extraction->Get();
  m.versions_stored = versions->Get();
  m.disk_available = avail->Get();
  m.disk_size = size->Get();
  // Make the outcome series exist at zero, so rate() and alerts see them
  // before the first event.
  for (const char* r : {"ok", "error"}) {
    (void)m.crawl_runs->Labels({r});
    (void)m.config_reloads->Labels({r});
  }
  for (const char* k : {"not_modified", "unchanged", "seen"}) (void)m.duplicates->Labels({k});

  if (!archive_dir.empty()) {
    Gauge a = m.disk_available;
    Gauge s = m.disk_size;
    registry->AddCollectHook([a, s, archive_dir] {
      struct statvfs st;
      if (::statvfs(archive_dir.c_str(), &st) != 0) return;
      a.Set(static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize));
      s.Set(static_cast<double>(st.f_blocks) * static_cast<double>(st.f_frsize));
    });
  }
  return m;
}

}  // namespace jikji::ops
