#include "ops/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <utility>

namespace jikji::ops {
namespace {

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsLabelName(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__") return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void AppendHeader(const MetricFamily& f, std::string_view type, std::string* out) {
  out->append("# HELP ").append(f.name()).append(" ").append(EscapeHelp(f.help())).append("\n");
  out->append("# TYPE ").append(f.name()).append(" ").append(type).append("\n");
}

// name{a="x",b="y"[,le="0.5"]}
void AppendSeriesName(std::string_view name, const std::vector<std::string>& label_names,
                      const std::vector<std::string>& values, std::string_view le, std::string* out) {
  out->append(name);
  if (label_names.empty() && le.empty()) return;
  out->push_back('{');
  bool first = true;
  for (size_t i = 0; i < label_names.size(); ++i) {
    if (!first) out->push_back(',');
    first = false;
    out->append(label_names[i]).append("=\"").append(EscapeLabelValue(values[i])).append("\"");
  }
  if (!le.empty()) {
    if (!first) out->push_back(',');
    out->append("le=\"").append(le).append("\"");
  }
  out->push_back('}');
}

template <typename Cell, typename... Args>
Result<Cell*> FindOrAdd(std::map<std::vector<std::string>, std::unique_ptr<Cell>>* series,
                        const std::vector<std::string>& values, Args&&... args) {
  auto it = series->find(values);
  if (it != series->end()) return it->second.get();
  if (series->size() >= kMaxSeriesPerFamily) {
    return Status::ResourceExhausted("metric family has " + std::to_string(kMaxSeriesPerFamily) +
                                     " series (kMaxSeriesPerFamily)");
  }
  auto cell = std::make_unique<Cell>(std::forward<Args>(args)...);
  Cell* raw = cell.get();
  series->emplace(values, std::move(cell));
  return raw;
}

}  // namespace

std::vector<double> DefaultLatencyBuckets() {
  return {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string FormatSampleValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return "NaN";  // cannot happen for a finite double in 64 chars
  return std::string(buf, end);
}

// ---- Histogram

void Histogram::Observe(double v) const {
  if (cell_ == nullptr || std::isnan(v)) return;
  size_t i = static_cast<size_t>(std::lower_bound(bounds_->begin(), bounds_->end(), v) - bounds_->begin());
  cell_->counts[i].fetch_add(1, std::memory_order_relaxed);
  cell_->sum.fetch_add(v, std::memory_order_relaxed);
}

uint64_t Histogram::Count() const {
  if (cell_ == nullptr) return 0;
  uint64_t n = 0;
  for (const auto& c : cell_->counts) n += c.load(std::memory_order_relaxed);
  return n;
}

double Histogram::Sum() const { return cell_ == nullptr ? 0.0 : cell_->sum.load(std::memory_order_relaxed); }

// ---- families

Status MetricFamily::CheckLabelCount(const std::vector<std::string>& values) const {
  if (values.size() != label_names_.size()) {
    return Status::InvalidArgument("metric " + name_ + " takes " + std::to_string(label_names_.size()) +
                                   " label values, got " + std::to_string(values.size()));
  }
  return Status::Ok();
}

Result<Counter> CounterFamily::Labels(const std::vector<std::string>& values) {
  if (Status s = CheckLabelCount(values); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  auto cell = FindOrAdd(&series_, values, uint64_t{0});
  if (!cell.ok()) return cell.status().WithContext(name());
  return Counter(*cell);
}

Counter CounterFamily::Get() {
  auto c = Labels({});
  return c.ok() ? *c : Counter();
}

void CounterFamily::Render(std::string* out) const {
  AppendHeader(*this, "counter", out);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, cell] : series_) {
    AppendSeriesName(name(), label_names(), values, "", out);
    out->append(" ").append(std::to_string(cell->load(std::memory_order_relaxed))).append("\n");
  }
}

Result<Gauge> GaugeFamily::Labels(const std::vector<std::string>& values) {
  if (Status s = CheckLabelCount(values); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  auto cell = FindOrAdd(&series_, values, 0.0);
  if (!cell.ok()) return cell.status().WithContext(name());
  return Gauge(*cell);
}

Gauge GaugeFamily::Get() {
  auto g = Labels({});
  return g.ok() ? *g : Gauge();
}

void GaugeFamily::Render(std::string* out) const {
  AppendHeader(*this, "gauge", out);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, cell] : series_) {
    AppendSeriesName(name(), label_names(), values, "", out);
    out->append(" ").append(FormatSampleValue(cell->load(std::memory_order_relaxed))).append("\n");
  }
}

Result<Histogram> HistogramFamily::Labels(const std::vector<std::string>& values) {
  if (Status s = CheckLabelCount(values); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  auto cell = FindOrAdd(&series_, values, bounds_.size());
  if (!cell.ok()) return cell.status().WithContext(name());
  return Histogram(*cell, &bounds_);
}

Histogram HistogramFamily::Get() {
  auto h = Labels({});
  return h.ok() ? *h : Histogram();
}

void HistogramFamily::Render(std::string* out) const {
  AppendHeader(*this, "histogram", out);
  const std::string bucket_name = name() + "_bucket";
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, cell] : series_) {
    // Read each bucket once; cumulate; _count is the +Inf bucket so the two
    // always agree within one scrape.
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += cell->counts[i].load(std::memory_order_relaxed);
      std::string le = i < bounds_.size() ? FormatSampleValue(bounds_[i]) : "+Inf";
      AppendSeriesName(bucket_name, label_names(), values, le, out);
      out->append(" ").append(std::to_string(cumulative)).append("\n");
    }
    AppendSeriesName(name() + "_sum", label_names(), values, "", out);
    out->append(" ").append(FormatSampleValue(cell->sum.load(std::memory_order_relaxed))).append("\n");
    AppendSeriesName(name() + "_count", label_names(), values, "", out);
    out->append(" ").append(std::to_string(cumulative)).append("\n");
  }
}

// ---- registry

Status MetricsRegistry::CheckNew(const std::string& name, const std::vector<std::string>& label_names) const {
  if (!IsMetricName(name)) return Status::InvalidArgument("bad metric name '" + name + "'");
  std::set<std::string> seen;
  for (const auto& l : label_names) {
    if (!IsLabelName(l)) return Status::InvalidArgument("bad label name '" + l + "' on " + name);
    if (!seen.insert(l).second) return Status::InvalidArgument("repeated label '" + l + "' on " + name);
  }
  for (const auto& f : families_) {
    if (f->name() == name) return Status::AlreadyExists("metric " + name + " is already registered");
  }
  return Status::Ok();
}

Result<CounterFamily*> MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                                   const std::vector<std::string>& label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckNew(name, label_names); !s.ok()) return s;
  auto* f = new CounterFamily(name, help, label_names);
  families_.emplace_back(f);
  return f;
}

Result<GaugeFamily*> MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                               const std::vector<std::string>& label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckNew(name, label_names); !s.ok()) return s;
  auto* f = new GaugeFamily(name, help, label_names);
  families_.emplace_back(f);
  return f;
}

Result<HistogramFamily*> MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                                       const std::vector<double>& bounds,
                                                       const std::vector<std::string>& label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckNew(name, label_names); !s.ok()) return s;
  for (const auto& l : label_names) {
    if (l == "le") return Status::InvalidArgument("histogram " + name + " cannot have a label 'le'");
  }
  if (bounds.empty() || bounds.size() > kMaxHistogramBuckets) {
    return Status::InvalidArgument("histogram " + name + " needs 1.." + std::to_string(kMaxHistogramBuckets) +
                                   " bucket bounds");
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1]))) {
      return Status::InvalidArgument("histogram " + name + " bounds must be finite and strictly increasing");
    }
  }
  auto* f = new HistogramFamily(name, help, label_names, bounds);
  families_.emplace_back(f);
  return f;
}

void MetricsRegistry::AddCollectHook(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  hooks_.push_back(std::move(hook));
}

std::string MetricsRegistry::Render() const {
  std::vector<std::function<void()>> hooks;
  std::vector<const MetricFamily*> families;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hooks = hooks_;
    for (const auto& f : families_) families.push_back(f.get());
  }
  for (const auto& h : hooks) h();
  std::string out;
  for (const auto* f : families) f->Render(&out);
  return out;
}

}  // namespace jikji::ops
