// Metrics: a small registry of counters, gauges and histograms rendered in
// the Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// A metric family has a name, a help text, a type and a fixed list of label
// names. Each combination of label values is a series; Labels() resolves
// the combination once (a map lookup under the family's mutex) and returns
// a small handle whose Inc/Set/Observe is a single relaxed atomic
// operation: keep the handle on the hot path, never look labels up there.
//
//   MetricsRegistry registry;
//   auto* fetches = registry.AddCounter("jikji_fetches_total", "Fetches.", {"host", "status"}).value();
//   Counter ok = fetches->Labels({"example.com", "200"}).value();
//   ok.Inc();
//   std::string text = registry.Render();
//
// Thread safety: everything here is safe for concurrent use. A family and
// its handles live as long as the registry (handles hold raw pointers into
// it: the registry must outlive them). Render() reads every series with
// relaxed loads: a scrape that races increments sees some of them; a
// histogram's _count always equals its +Inf bucket, and its _sum may lag or
// lead the buckets by the observations in flight.
#ifndef JIKJI_OPS_METRICS_H_
#define JIKJI_OPS_METRICS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace jikji::ops {

// Series per family; Labels() beyond it fails with ResourceExhausted, so a
// label fed from the network (a host name) cannot grow memory without bound.
inline constexpr size_t kMaxSeriesPerFamily = 10'000;
// Buckets per histogram (the +Inf bucket not counted).
inline constexpr size_t kMaxHistogramBuckets = 64;

// Fetch latency buckets, in seconds: 50 ms .. 60 s.
std::vector<double> DefaultLatencyBuckets();

namespace internal {
struct HistogramCell {
  explicit HistogramCell(size_t buckets) : counts(buckets + 1) {}
  std::vector<std::atomic<uint64_t>> counts;  // per bucket, not cumulative; last = +Inf
  std::atomic<double> sum{0.0};
};
}  // namespace internal

// A counter series: only goes up. A default-constructed handle is inert
// (its operations do nothing); handles from Labels() are live.
class Counter {
 public:
  Counter() = default;
  void Inc(uint64_t n = 1) const {
    if (cell_ != nullptr) cell_->fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Value() const { return cell_ == nullptr ? 0 : cell_->load(std::memory_order_relaxed); }

 private:
  friend class CounterFamily;
  explicit Counter(std::atomic<uint64_t>* cell) : cell_(cell) {}
  std::atomic<uint64_t>* cell_ = nullptr;
};

// A gauge series: any value, up or down.
class Gauge {
 public:
  Gauge() = default;
  void Set(double v) const {
    if (cell_ != nullptr) cell_->store(v, std::memory_order_relaxed);
  }
  void Add(double v) const {
    if (cell_ != nullptr) cell_->fetch_add(v, std::memory_order_relaxed);
  }
  void Inc() const { Add(1.0); }
  void Dec() const { Add(-1.0); }
  double Value() const { return cell_ == nullptr ? 0.0 : cell_->load(std::memory_order_relaxed); }

 private:
  friend class GaugeFamily;
  explicit Gauge(std::atomic<double>* cell) : cell_(cell) {}
  std::atomic<double>* cell_ = nullptr;
};

// A histogram series with the family's fixed buckets.
class Histogram {
 public:
  Histogram() = default;
  // Counts v in the first bucket whose upper bound is >= v (Prometheus'
  // `le`), or +Inf. NaN is dropped (it would poison _sum).
  void Observe(double v) const;
  uint64_t Count() const;
  double Sum() const;

 private:
  friend class HistogramFamily;
  Histogram(internal::HistogramCell* cell, const std::vector<double>* bounds)
      : cell_(cell), bounds_(bounds) {}
  internal::HistogramCell* cell_ = nullptr;
  const std::vector<double>* bounds_ = nullptr;
};

class MetricFamily {
 public:
  enum class Type { kCounter, kGauge, kHistogram };
  virtual ~MetricFamily() = default;
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  virtual Type type() const = 0;
  // Appends this family (HELP, TYPE, one line per series; series in label
  // value order) to out.
  virtual void Render(std::string* out) const = 0;

 protected:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  // InvalidArgument when the count of values differs from label_names().
  Status CheckLabelCount(const std::vector<std::string>& values) const;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
};

class CounterFamily final : public MetricFamily {
 public:
  Type type() const override { return Type::kCounter; }
  // The series for these label values (in label_names() order), created at
  // zero on first use. InvalidArgument on a wrong count of values,
  // ResourceExhausted past kMaxSeriesPerFamily.
  Result<Counter> Labels(const std::vector<std::string>& values);
  // The unlabelled series. REQUIRES: label_names() is empty (otherwise an
  // inert handle is returned).
  Counter Get();
  void Render(std::string* out) const override;

 private:
  friend class MetricsRegistry;
  using MetricFamily::MetricFamily;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<std::atomic<uint64_t>>> series_;  // GUARDED_BY(mu_)
};

class GaugeFamily final : public MetricFamily {
 public:
  Type type() const override { return Type::kGauge; }
  Result<Gauge> Labels(const std::vector<std::string>& values);  // as CounterFamily::Labels
  Gauge Get();  // as CounterFamily::Get
  void Render(std::string* out) const override;

 private:
  friend class MetricsRegistry;
  using MetricFamily::MetricFamily;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<std::atomic<double>>> series_;  // GUARDED_BY(mu_)
};

class HistogramFamily final : public MetricFamily {
 public:
  Type type() const override { return Type::kHistogram; }
  Result<Histogram> Labels(const std::vector<std::string>& values);  // as CounterFamily::Labels
  Histogram Get();  // as CounterFamily::Get
  const std::vector<double>& bounds() const { return bounds_; }
  void Render(std::string* out) const override;

 private:
  friend class MetricsRegistry;
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds)
      : MetricFamily(std::move(name), std::move(help), std::move(label_names)), bounds_(std::move(bounds)) {}
  const std::vector<double> bounds_;  // strictly increasing, finite
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<internal::HistogramCell>> series_;  // GUARDED_BY(mu_)
};

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registers a family. The returned pointer is owned by the registry and
  // valid for its life. Errors: InvalidArgument for a name that is not
  // [a-zA-Z_:][a-zA-Z0-9_:]*, a label name that is not [a-zA-Z_][a-zA-Z0-9_]*
  // or starts with "__", a repeated label name, "le" on a histogram,
  // histogram bounds that are empty, not finite or not strictly increasing
  // (or more than kMaxHistogramBuckets); AlreadyExists for a name taken.
  Result<CounterFamily*> AddCounter(const std::string& name, const std::string& help,
                                    const std::vector<std::string>& label_names = {});
  Result<GaugeFamily*> AddGauge(const std::string& name, const std::string& help,
                                const std::vector<std::string>& label_names = {});
  Result<HistogramFamily*> AddHistogram(const std::string& name, const std::string& help,
                                        const std::vector<double>& bounds,
                                        const std::vector<std::string>& label_names = {});

  // A hook run at the start of every Render(), e.g. to set gauges that are
  // cheaper to read at scrape time (queue depth, disk use). Hooks run on the
  // rendering thread, in the order added, with no registry lock held.
  void AddCollectHook(std::function<void()> hook);

  // The whole registry in the text format 0.0.4, families in registration
  // order. Serve it as "text/plain; version=0.0.4; charset=utf-8".
  std::string Render() const;

 private:
  Status CheckNew(const std::string& name, const std::vector<std::string>& label_names) const;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<MetricFamily>> families_;  // GUARDED_BY(mu_)
  std::vector<std::function<void()>> hooks_;             // GUARDED_BY(mu_)
};

// The content type of Render()'s output.
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// Text-format helpers, exposed for tests and other renderers.
// A label value with \ " and newline escaped as \\ \" \n.
std::string EscapeLabelValue(std::string_view value);
// A HELP text with \ and newline escaped as \\ \n.
std::string EscapeHelp(std::string_view help);
// A sample value: shortest round-trip decimal, or NaN, +Inf, -Inf.
std::string FormatSampleValue(double v);

}  // namespace jikji::ops

#endif  // JIKJI_OPS_METRICS_H_
