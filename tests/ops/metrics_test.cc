#include "ops/metrics.h"

#include "ops/daemon_metrics.h"
#include "tests/testing/paths.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace jikji::ops {
namespace {

// ---- A strict parser for the Prometheus text format 0.0.4, written from
// the format's description: lines are "# HELP name text", "# TYPE name
// type", other "#" comments, blank lines, or samples
// "name[{l="v",...}] value [timestamp]". Every error fails the test.

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Family {
  std::string help;
  std::string type;
  std::vector<Sample> samples;
};

struct Exposition {
  std::map<std::string, Family> families;
  std::vector<std::string> order;
};

bool IsNameChar(char c, bool first, bool colon_ok) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon_ok && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

// Reads a name at *pos; empty on failure.
std::string ReadName(const std::string& line, size_t* pos, bool colon_ok) {
  size_t start = *pos;
  while (*pos < line.size() && IsNameChar(line[*pos], *pos == start, colon_ok)) ++*pos;
  return line.substr(start, *pos - start);
}

std::optional<double> ParseValue(const std::string& text) {
  if (text == "+Inf" || text == "Inf") return INFINITY;
  if (text == "-Inf") return -INFINITY;
  if (text == "NaN") return NAN;
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

// Unescapes HELP text (\\ and \n only).
std::optional<std::string> UnescapeHelp(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') { out.push_back(s[i]); continue; }
    if (++i >= s.size()) return std::nullopt;
    if (s[i] == '\\') out.push_back('\\');
    else if (s[i] == 'n') out.push_back('\n');
    else return std::nullopt;
  }
  return out;
}

// The family a sample belongs to: histogram samples carry a suffix.
std::string FamilyOf(const Exposition& e, const std::string& sample_name) {
  if (e.families.count(sample_name)) return sample_name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s(suffix);
    if (sample_name.size() > s.size() && sample_name.compare(sample_name.size() - s.size(), s.size(), s) == 0) {
      std::string base = sample_name.substr(0, sample_name.size() - s.size());
      auto it = e.families.find(base);
      if (it != e.families.end() && it->second.type == "histogram") return base;
    }
  }
  return "";
}

::testing::AssertionResult ParseExposition(const std::string& text, Exposition* out) {
  if (!text.empty() && text.back() != '\n') return ::testing::AssertionFailure() << "no final newline";
  size_t start = 0;
  int line_no = 0;
  std::string current;  // family whose samples are being read
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    auto fail = [&](const std::string& why) {
      return ::testing::AssertionFailure() << "line " << line_no << " '" << line << "': " << why;
    };
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
        bool help = line[2] == 'H';
        size_t pos = 7;
        std::string name = ReadName(line, &pos, true);
        if (name.empty()) return fail("bad metric name");
        if (pos < line.size() && line[pos] != ' ') return fail("junk after name");
        std::string rest = pos < line.size() ? line.substr(pos + 1) : "";
        Family& f = out->families[name];
        if (help) {
          if (!f.help.empty()) return fail("second HELP");
          auto h = UnescapeHelp(rest);
          if (!h) return fail("bad HELP escape");
          f.help = *h;
        } else {
          if (!f.type.empty()) return fail("second TYPE");
          if (!f.samples.empty()) return fail("TYPE after samples");
          if (rest != "counter" && rest != "gauge" && rest != "histogram" && rest != "summary" &&
              rest != "untyped") {
            return fail("bad type");
          }
          f.type = rest;
        }
        if (current != name) {
          for (const auto& o : out->order) if (o == name) return fail("family interleaved");
          out->order.push_back(name);
          current = name;
        }
      }
      continue;  // other comments
    }
    Sample s;
    size_t pos = 0;
    s.name = ReadName(line, &pos, true);
    if (s.name.empty()) return fail("bad sample name");
    if (pos < line.size() && line[pos] == '{') {
      ++pos;
      while (true) {
        if (pos < line.size() && line[pos] == '}') { ++pos; break; }
        std::string lname = ReadName(line, &pos, false);
        if (lname.empty()) return fail("bad label name");
        if (pos + 1 >= line.size() || line[pos] != '=' || line[pos + 1] != '"') return fail("expected =\"");
        pos += 2;
        std::string value;
        while (true) {
          if (pos >= line.size()) return fail("unterminated label value");
          char c = line[pos++];
          if (c == '"') break;
          if (c == '\\') {
            if (pos >= line.size()) return fail("dangling escape");
            char e = line[pos++];
            if (e == '\\') value.push_back('\\');
            else if (e == '"') value.push_back('"');
            else if (e == 'n') value.push_back('\n');
            else return fail("bad escape in label value");
          } else {
            value.push_back(c);
          }
        }
        if (!s.labels.emplace(lname, value).second) return fail("repeated label");
        if (pos < line.size() && line[pos] == ',') { ++pos; continue; }
        if (pos < line.size() && line[pos] == '}') { ++pos; break; }
        return fail("expected , or }");
      }
    }
    if (pos >= line.size() || line[pos] != ' ') return fail("expected space before value");
    std::string rest = line.substr(pos + 1);
    std::string value_text = rest.substr(0, rest.find(' '));
    auto v = ParseValue(value_text);
    if (!v) return fail("bad value");
    if (rest.find(' ') != std::string::npos) {
      std::string ts = rest.substr(rest.find(' ') + 1);
      if (ts.empty() || ts.find_first_not_of("-0123456789") != std::string::npos) return fail("bad timestamp");
    }
    s.value = *v;
    std::string family = FamilyOf(*out, s.name);
    if (family.empty()) return fail("sample without HELP/TYPE");
    if (family != current) return fail("sample outside its family's block");
    out->families[family].samples.push_back(std::move(s));
  }
  // Per-type checks.
  for (const auto& [name, f] : out->families) {
    if (f.type.empty()) return ::testing::AssertionFailure() << name << " has no TYPE";
    if (f.type == "counter") {
      for (const auto& s : f.samples) {
        if (s.name != name) return ::testing::AssertionFailure() << "counter sample " << s.name;
        if (s.value < 0) return ::testing::AssertionFailure() << "negative counter " << name;
      }
    }
    if (f.type == "histogram") {
      // Group by labels without le.
      std::map<std::map<std::string, std::string>, std::vector<const Sample*>> series;
      for (const auto& s : f.samples) {
        auto key = s.labels;
        key.erase("le");
        series[key].push_back(&s);
      }
      for (const auto& [key, samples] : series) {
        double prev_le = -INFINITY, prev_count = 0, inf_count = -1, count = -1;
        bool has_sum = false;
        for (const Sample* s : samples) {
          if (s->name == name + "_bucket") {
            auto it = s->labels.find("le");
            if (it == s->labels.end()) return ::testing::AssertionFailure() << "bucket without le";
            auto le = ParseValue(it->second);
            if (!le || !(*le > prev_le)) return ::testing::AssertionFailure() << "le not increasing: " << it->second;
            if (s->value < prev_count) return ::testing::AssertionFailure() << "buckets not cumulative";
            prev_le = *le;
            prev_count = s->value;
            if (std::isinf(*le)) inf_count = s->value;
          } else if (s->name == name + "_sum") {
            has_sum = true;
          } else if (s->name == name + "_count") {
            count = s->value;
          } else {
            return ::testing::AssertionFailure() << "stray histogram sample " << s->name;
          }
        }
        if (inf_count < 0) return ::testing::AssertionFailure() << name << " has no +Inf bucket";
        if (!has_sum || count < 0) return ::testing::AssertionFailure() << name << " lacks _sum or _count";
        if (count != inf_count) return ::testing::AssertionFailure() << name << " _count != +Inf bucket";
      }
    }
  }
  return ::testing::AssertionSuccess();
}

const Sample* Find(const Exposition& e, const std::string& family, const std::string& sample,
                   const std::map<std::string, std::string>& labels) {
  auto it = e.families.find(family);
  if (it == e.families.end()) return nullptr;
  for (const auto& s : it->second.samples) {
    if (s.name == sample && s.labels == labels) return &s;
  }
  return nullptr;
}

// ---- tests

TEST(MetricsTest, CounterGaugeHistogramRenderAndParse) {
  MetricsRegistry registry;
  auto fetches = registry.AddCounter("jikji_fetches_total", "Fetches by host and status.", {"host", "status"});
  ASSERT_TRUE(fetches.ok()) << fetches.status().ToString();
  auto bytes = registry.AddCounter("jikji_fetch_bytes_total", "Bytes fetched.");
  ASSERT_TRUE(bytes.ok());
  auto depth = registry.AddGauge("jikji_queue_depth", "URLs waiting.");
  ASSERT_TRUE(depth.ok());
  auto latency = registry.AddHistogram("jikji_fetch_duration_seconds", "Fetch latency.", {0.1, 0.5, 1});
  ASSERT_TRUE(latency.ok());

  auto ok200 = (*fetches)->Labels({"a.example", "200"});
  ASSERT_TRUE(ok200.ok());
  ok200->Inc();
  ok200->Inc(4);
  (*fetches)->Labels({"b.example", "404"})->Inc();
  (*bytes)->Get().Inc(12345);
  (*depth)->Get().Set(17);
  (*depth)->Get().Dec();
  Histogram h = (*latency)->Get();
  for (double v : {0.05, 0.1, 0.3, 0.7, 2.0, 9.0}) h.Observe(v);

  std::string text = registry.Render();
  Exposition e;
  ASSERT_TRUE(ParseExposition(text, &e)) << text;
  EXPECT_EQ(e.order, (std::vector<std::string>{"jikji_fetches_total", "jikji_fetch_bytes_total",
                                               "jikji_queue_depth", "jikji_fetch_duration_seconds"}));
  EXPECT_EQ(e.families["jikji_fetches_total"].type, "counter");
  EXPECT_EQ(e.families["jikji_fetches_total"].help, "Fetches by host and status.");
  EXPECT_EQ(e.families["jikji_queue_depth"].type, "gauge");
  EXPECT_EQ(e.families["jikji_fetch_duration_seconds"].type, "histogram");

  const Sample* s = Find(e, "jikji_fetches_total", "jikji_fetches_total", {{"host", "a.example"}, {"status", "200"}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 5);
  s = Find(e, "jikji_fetches_total", "jikji_fetches_total", {{"host", "b.example"}, {"status", "404"}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 1);
  s = Find(e, "jikji_fetch_bytes_total", "jikji_fetch_bytes_total", {});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 12345);
  s = Find(e, "jikji_queue_depth", "jikji_queue_depth", {});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 16);

  // Buckets: le=0.1 holds 0.05 and 0.1 (le is inclusive), 0.5 adds 0.3,
  // 1 adds 0.7, +Inf adds 2 and 9.
  const std::map<std::string, double> want = {{"0.1", 2}, {"0.5", 3}, {"1", 4}, {"+Inf", 6}};
  for (const auto& [le, count] : want) {
    s = Find(e, "jikji_fetch_duration_seconds", "jikji_fetch_duration_seconds_bucket", {{"le", le}});
    ASSERT_NE(s, nullptr) << le;
    EXPECT_EQ(s->value, count) << le;
  }
  s = Find(e, "jikji_fetch_duration_seconds", "jikji_fetch_duration_seconds_count", {});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 6);
  s = Find(e, "jikji_fetch_duration_seconds", "jikji_fetch_duration_seconds_sum", {});
  ASSERT_NE(s, nullptr);
  EXPECT_NEAR(s->value, 0.05 + 0.1 + 0.3 + 0.7 + 2.0 + 9.0, 1e-9);
  EXPECT_EQ(h.Count(), 6u);
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  MetricsRegistry registry;
  auto f = registry.AddCounter("jikji_duplicates_total", "Line one\nback\\slash \"quoted\"", {"kind"});
  ASSERT_TRUE(f.ok());
  const std::string nasty = "a\"b\\c\nd}e,f=g 한국";
  (*f)->Labels({nasty})->Inc(3);
  (*f)->Labels({""})->Inc();
  std::string text = registry.Render();
  EXPECT_NE(text.find(R"(kind="a\"b\\c\nd}e,f=g 한국")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(# HELP jikji_duplicates_total Line one\nback\\slash "quoted")"), std::string::npos)
      << text;
  Exposition e;
  ASSERT_TRUE(ParseExposition(text, &e)) << text;
  EXPECT_EQ(e.families["jikji_duplicates_total"].help, "Line one\nback\\slash \"quoted\"");
  const Sample* s = Find(e, "jikji_duplicates_total", "jikji_duplicates_total", {{"kind", nasty}});
  ASSERT_NE(s, nullptr) << text;
  EXPECT_EQ(s->value, 3);
  s = Find(e, "jikji_duplicates_total", "jikji_duplicates_total", {{"kind", ""}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 1);
}

TEST(MetricsTest, HistogramWithLabelsHasOneSetOfBucketsPerSeries) {
  MetricsRegistry registry;
  auto f = registry.AddHistogram("jikji_fetch_duration_seconds", "Latency.", DefaultLatencyBuckets(), {"host"});
  ASSERT_TRUE(f.ok());
  (*f)->Labels({"x"})->Observe(0.2);
  (*f)->Labels({"y"})->Observe(100);
  (*f)->Labels({"y"})->Observe(NAN);  // dropped
  std::string text = registry.Render();
  Exposition e;
  ASSERT_TRUE(ParseExposition(text, &e)) << text;
  const Sample* s = Find(e, "jikji_fetch_duration_seconds", "jikji_fetch_duration_seconds_bucket",
                         {{"host", "x"}, {"le", "0.25"}});
  ASSERT_NE(s, nullptr) << text;
  EXPECT_EQ(s->value, 1);
  s = Find(e, "jikji_fetch_duration_seconds", "jikji_fetch_duration_seconds_bucket", {{"host", "y"}, {"le", "60"}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 0);
  s = Find(e, "jikji_fetch_duration_seconds", "jikji_fetch_duration_seconds_count", {{"host", "y"}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 1);
  // 10 bounds + +Inf per series.
  size_t buckets = 0;
  for (const auto& smp : e.families["jikji_fetch_duration_seconds"].samples) {
    if (smp.name.ends_with("_bucket")) ++buckets;
  }
  EXPECT_EQ(buckets, 2 * (DefaultLatencyBuckets().size() + 1));
}

TEST(MetricsTest, GaugeSpecialValues) {
  MetricsRegistry registry;
  auto g = registry.AddGauge("jikji_last_success_timestamp_seconds", "Last success.", {"source"});
  ASSERT_TRUE(g.ok());
  (*g)->Labels({"inf"})->Set(INFINITY);
  (*g)->Labels({"neg"})->Set(-INFINITY);
  (*g)->Labels({"nan"})->Set(NAN);
  (*g)->Labels({"ts"})->Set(1732364400.25);
  std::string text = registry.Render();
  EXPECT_NE(text.find("{source=\"inf\"} +Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("{source=\"neg\"} -Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("{source=\"nan\"} NaN\n"), std::string::npos) << text;
  EXPECT_NE(text.find("{source=\"ts\"} 1732364400.25\n"), std::string::npos) << text;
  Exposition e;
  EXPECT_TRUE(ParseExposition(text, &e)) << text;
}

TEST(MetricsTest, RegistrationErrors) {
  MetricsRegistry registry;
  EXPECT_TRUE(registry.AddCounter("jikji_up", "Up.").ok());
  EXPECT_EQ(registry.AddGauge("jikji_up", "Again.").status().code(), Status::Code::kAlreadyExists);
  EXPECT_TRUE(registry.AddCounter("1bad", "x").status().IsInvalidArgument());
  EXPECT_TRUE(registry.AddCounter("bad-name", "x").status().IsInvalidArgument());
  EXPECT_TRUE(registry.AddCounter("", "x").status().IsInvalidArgument());
  EXPECT_TRUE(registry.AddCounter("ok_name", "x", {"__reserved"}).status().IsInvalidArgument());
  EXPECT_TRUE(registry.AddCounter("ok_name", "x", {"a:b"}).status().IsInvalidArgument());
  EXPECT_TRUE(registry.AddCounter("ok_name", "x", {"a", "a"}).status().IsInvalidArgument());
  EXPECT_TRUE(registry.AddHistogram("h1", "x", {1, 2}, {"le"}).status().IsInvalidArgument());
  EXPECT_TRUE(registry.AddHistogram("h2", "x", {}).status().IsInvalidArgument());
  EXPECT_TRUE(registry.AddHistogram("h3", "x", {1, 1}).status().IsInvalidArgument());
  EXPECT_TRUE(registry.AddHistogram("h4", "x", {2, 1}).status().IsInvalidArgument());
  EXPECT_TRUE(registry.AddHistogram("h5", "x", {1, INFINITY}).status().IsInvalidArgument());
  std::vector<double> many(kMaxHistogramBuckets + 1);
  for (size_t i = 0; i < many.size(); ++i) many[i] = static_cast<double>(i);
  EXPECT_TRUE(registry.AddHistogram("h6", "x", many).status().IsInvalidArgument());
  // A failed registration leaves the name free.
  EXPECT_TRUE(registry.AddCounter("ok_name", "x", {"a"}).ok());
}

TEST(MetricsTest, WrongLabelCountAndSeriesCap) {
  MetricsRegistry registry;
  auto f = registry.AddCounter("c_total", "x", {"a", "b"});
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE((*f)->Labels({"only-one"}).status().IsInvalidArgument());
  EXPECT_TRUE((*f)->Labels({"1", "2", "3"}).status().IsInvalidArgument());
  Counter inert = (*f)->Get();  // family has labels: inert handle
  inert.Inc();
  EXPECT_EQ(inert.Value(), 0u);

  auto g = registry.AddGauge("g", "x", {"k"});
  ASSERT_TRUE(g.ok());
  for (size_t i = 0; i < kMaxSeriesPerFamily; ++i) {
    ASSERT_TRUE((*g)->Labels({std::to_string(i)}).ok()) << i;
  }
  EXPECT_TRUE((*g)->Labels({"one-more"}).status().IsResourceExhausted());
  EXPECT_TRUE((*g)->Labels({"7"}).ok());  // existing series still resolve
}

TEST(MetricsTest, SameLabelsGiveTheSameSeries) {
  MetricsRegistry registry;
  auto f = registry.AddCounter("c_total", "x", {"host"});
  ASSERT_TRUE(f.ok());
  Counter a = *(*f)->Labels({"h"});
  Counter b = *(*f)->Labels({"h"});
  a.Inc(2);
  b.Inc(3);
  EXPECT_EQ(a.Value(), 5u);
  EXPECT_EQ(b.Value(), 5u);
}

TEST(MetricsTest, CollectHooksRunBeforeRender) {
  MetricsRegistry registry;
  Gauge depth = (*registry.AddGauge("jikji_queue_depth", "x"))->Get();
  int calls = 0;
  registry.AddCollectHook([&] { depth.Set(++calls * 10); });
  std::string first = registry.Render();
  std::string second = registry.Render();
  EXPECT_NE(first.find("jikji_queue_depth 10\n"), std::string::npos) << first;
  EXPECT_NE(second.find("jikji_queue_depth 20\n"), std::string::npos) << second;
}

TEST(MetricsTest, ConcurrentIncrementsFromFourThreads) {
  MetricsRegistry registry;
  auto fetches = *registry.AddCounter("jikji_fetches_total", "x", {"host", "status"});
  auto depth = *registry.AddGauge("jikji_queue_depth", "x");
  auto latency = *registry.AddHistogram("jikji_fetch_duration_seconds", "x", {0.5, 1.5});
  constexpr int kThreads = 4;
  constexpr int kIters = 20000;
  std::vector<std::thread> threads;
  std::atomic<bool> stop_render{false};
  // A scraper renders and parses while the writers run.
  std::thread scraper([&] {
    while (!stop_render.load()) {
      Exposition e;
      std::string text = registry.Render();
      EXPECT_TRUE(ParseExposition(text, &e)) << text;
    }
  });
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread resolves its handles itself (concurrent Labels()).
      Counter mine = *fetches->Labels({"h" + std::to_string(t), "200"});
      Counter shared = *fetches->Labels({"shared", "200"});
      Gauge g = depth->Get();
      Histogram h = latency->Get();
      for (int i = 0; i < kIters; ++i) {
        mine.Inc();
        shared.Inc(2);
        g.Inc();
        h.Observe(i % 3);  // 0, 1, 2 -> buckets 0.5, 1.5, +Inf
      }
    });
  }
  for (auto& th : threads) th.join();
  stop_render = true;
  scraper.join();

  Exposition e;
  std::string text = registry.Render();
  ASSERT_TRUE(ParseExposition(text, &e)) << text;
  for (int t = 0; t < kThreads; ++t) {
    const Sample* s = Find(e, "jikji_fetches_total", "jikji_fetches_total",
                           {{"host", "h" + std::to_string(t)}, {"status", "200"}});
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->value, kIters);
  }
  const Sample* s = Find(e, "jikji_fetches_total", "jikji_fetches_total", {{"host", "shared"}, {"status", "200"}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 2.0 * kThreads * kIters);
  s = Find(e, "jikji_queue_depth", "jikji_queue_depth", {});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, kThreads * kIters);
  s = Find(e, "jikji_fetch_duration_seconds", "jikji_fetch_duration_seconds_count", {});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, kThreads * kIters);
  // i % 3 over 0..kIters-1: counts of 0, 1 and 2.
  const double zeros = (kIters + 2) / 3, ones = (kIters + 1) / 3;
  s = Find(e, "jikji_fetch_duration_seconds", "jikji_fetch_duration_seconds_bucket", {{"le", "0.5"}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, kThreads * zeros);
  s = Find(e, "jikji_fetch_duration_seconds", "jikji_fetch_duration_seconds_bucket", {{"le", "1.5"}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, kThreads * (zeros + ones));
  s = Find(e, "jikji_fetch_duration_seconds", "jikji_fetch_duration_seconds_sum", {});
  ASSERT_NE(s, nullptr);
  const double twos = kIters - zeros - ones;
  EXPECT_EQ(s->value, kThreads * (ones * 1 + twos * 2));
}

TEST(MetricsTest, ParserRejectsMalformedText) {
  // The test's own parser must be able to fail, or the checks above prove nothing.
  Exposition e;
  EXPECT_FALSE(ParseExposition("# TYPE a counter\na 1", &e));  // no final newline
  Exposition e2;
  EXPECT_FALSE(ParseExposition("a 1\n", &e2));  // no TYPE
  Exposition e3;
  EXPECT_FALSE(ParseExposition("# TYPE a counter\na{l=\"x\\q\"} 1\n", &e3));  // bad escape
  Exposition e4;
  EXPECT_FALSE(ParseExposition("# TYPE a counter\na{l=\"x\"} one\n", &e4));
  Exposition e5;
  EXPECT_FALSE(ParseExposition(
      "# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 3\n", &e5));
  Exposition e6;
  EXPECT_FALSE(ParseExposition("# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_sum 1\nh_count 5\n", &e6));
  Exposition e7;
  EXPECT_TRUE(ParseExposition("# HELP a x\n# TYPE a counter\na{l=\"x\\\"\"} 1 1700000000000\n", &e7));
}

TEST(DaemonMetricsTest, RegistersEveryDocumentedMetric) {
  MetricsRegistry registry;
  testing::TempDir dir;
  auto m = DaemonMetrics::Register(&registry, "0.1.0", dir.path().string());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  m->up.Set(1);
  m->fetches->Labels({"www.etnews.com", "200"})->Inc();
  m->fetch_duration.Observe(0.3);
  m->last_success->Labels({"etnews"})->Set(1732364400);
  std::string text = registry.Render();
  Exposition e;
  ASSERT_TRUE(ParseExposition(text, &e)) << text;
  const std::vector<std::string> want = {
      "jikji_up", "jikji_build_info", "jikji_start_time_seconds", "jikji_fetches_total",
      "jikji_fetch_bytes_total", "jikji_fetch_duration_seconds", "jikji_queue_depth", "jikji_robots_denied_total",
      "jikji_extraction_failures_total", "jikji_versions_stored_total", "jikji_duplicates_total",
      "jikji_last_success_timestamp_seconds", "jikji_crawl_runs_total", "jikji_config_reloads_total",
      "jikji_archive_disk_available_bytes", "jikji_archive_disk_size_bytes"};
  EXPECT_EQ(e.order, want);
  for (const auto& name : want) EXPECT_FALSE(e.families[name].help.empty()) << name;
  const Sample* s = Find(e, "jikji_build_info", "jikji_build_info", {{"version", "0.1.0"}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 1);
  s = Find(e, "jikji_crawl_runs_total", "jikji_crawl_runs_total", {{"result", "error"}});
  ASSERT_NE(s, nullptr);  // pre-created at zero
  EXPECT_EQ(s->value, 0);
  // The collect hook read the temp dir's file system.
  s = Find(e, "jikji_archive_disk_size_bytes", "jikji_archive_disk_size_bytes", {});
  ASSERT_NE(s, nullptr);
  EXPECT_GT(s->value, 0);
  s = Find(e, "jikji_archive_disk_available_bytes", "jikji_archive_disk_available_bytes", {});
  ASSERT_NE(s, nullptr);
  EXPECT_GT(s->value, 0);
  // A second registration in the same registry clashes.
  EXPECT_EQ(DaemonMetrics::Register(&registry, "0.1.0", "").status().code(), Status::Code::kAlreadyExists);
}

}  // namespace
}  // namespace jikji::ops
