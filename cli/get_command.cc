// jikji get URL: a URL's version history, with a unified-style line diff
// of the body between consecutive versions.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/archive_util.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "storage/archive.h"
#include "url/url.h"

namespace jikji::cli {
namespace {

// Bodies longer than this (in lines, either side) are not diffed: the
// LCS table is lines_a x lines_b.
constexpr size_t kMaxDiffLines = 4000;
constexpr size_t kDiffContext = 2;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

// Unified-style diff of a -> b: "@@ -l,n +l,n @@" hunks with kDiffContext
// lines of context. Empty when equal.
std::string Diff(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() > kMaxDiffLines || b.size() > kMaxDiffLines) {
    return "(bodies of " + std::to_string(a.size()) + " and " + std::to_string(b.size()) +
           " lines: too long to diff)\n";
  }
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  struct Op {
    char kind;  // ' ', '-', '+'
    size_t ai, bi;
  };
  std::vector<Op> ops;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      ops.push_back({' ', i++, j++});
    } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      ops.push_back({'+', i, j++});
    } else {
      ops.push_back({'-', i++, j});
    }
  }
  std::string out;
  size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    size_t start = k >= kDiffContext ? k - kDiffContext : 0;
    size_t end = k;
    // Extend while changes are within 2*context of each other.
    while (end < ops.size()) {
      if (ops[end].kind != ' ') {
        ++end;
        continue;
      }
      size_t run = end;
      while (run < ops.size() && ops[run].kind == ' ') ++run;
      if (run == ops.size() || run - end > 2 * kDiffContext) {
        end = std::min(ops.size(), end + kDiffContext);
        break;
      }
      end = run;
    }
    size_t a_count = 0, b_count = 0;
    for (size_t x = start; x < end; ++x) {
      if (ops[x].kind != '+') ++a_count;
      if (ops[x].kind != '-') ++b_count;
    }
    out += "@@ -" + std::to_string(ops[start].ai + 1) + "," + std::to_string(a_count) + " +" +
           std::to_string(ops[start].bi + 1) + "," + std::to_string(b_count) + " @@\n";
    for (size_t x = start; x < end; ++x) {
      const std::string& line = ops[x].kind == '+' ? b[ops[x].bi] : a[ops[x].ai];
      out += ops[x].kind;
      out += line;
      out += '\n';
    }
    k = end;
  }
  return out;
}

int RunGet(const GlobalOptions& global, const std::string& url) {
  auto cfg = LoadConfigAndLogging(global, /*use_file=*/true);
  if (!cfg.ok()) {
    std::fprintf(stderr, "jikji get: %s\n", cfg.status().ToString().c_str());
    return 2;
  }
  auto archive = OpenExistingArchive(cfg->archive_dir, /*read_only=*/true);
  if (!archive.ok()) {
    std::fprintf(stderr, "jikji get: %s\n", archive.status().ToString().c_str());
    return 1;
  }
  std::string key_url = url;
  auto state = (*archive)->GetUrlState(key_url);
  if (!state.ok() && state.status().code() == Status::Code::kNotFound) {
    auto normalized = url::NormalizeString(url);
    if (normalized.ok()) {
      key_url = *normalized;
      state = (*archive)->GetUrlState(key_url);
    }
  }
  if (!state.ok()) {
    std::fprintf(stderr, "jikji get: %s\n", state.status().ToString().c_str());
    return 1;
  }
  auto versions = (*archive)->GetVersions(key_url);
  if (!versions.ok()) {
    std::fprintf(stderr, "jikji get: %s\n", versions.status().ToString().c_str());
    return 1;
  }
  const storage::UrlState& s = *state;
  std::printf("url           %s\n", s.url.c_str());
  std::printf("first fetched %s\n", FormatIsoUtc(s.first_fetched_micros).c_str());
  std::printf("last fetched  %s (HTTP %d)\n", FormatIsoUtc(s.last_fetched_micros).c_str(),
              s.last_http_status);
  if (!s.etag.empty()) std::printf("etag          %s\n", s.etag.c_str());
  if (!s.last_modified.empty()) std::printf("last-modified %s\n", s.last_modified.c_str());
  if (!s.duplicate_of.empty()) std::printf("duplicate of  %s\n", s.duplicate_of.c_str());
  std::printf("versions      %zu (latest %u)\n", versions->size(), s.latest_version);
  const storage::ArticleRecord* prev = nullptr;
  for (const storage::ArticleRecord& v : *versions) {
    std::printf("\n=== version %u  fetched %s  HTTP %d  extractor v%d  content %s\n", v.version,
                FormatIsoUtc(v.fetched_micros).c_str(), v.http_status, v.extractor_version,
                v.content_hash.c_str());
    std::printf("title: %s\n", v.article.title.c_str());
    if (!v.near_duplicate_of.empty()) {
      std::printf("near duplicate of: %s\n", v.near_duplicate_of.c_str());
    }
    if (prev == nullptr) {
      std::printf("%zu body lines\n", Lines(v.article.body).size());
    } else {
      if (prev->article.title != v.article.title) {
        std::printf("--- title v%u\n+++ title v%u\n-%s\n+%s\n", prev->version, v.version,
                    prev->article.title.c_str(), v.article.title.c_str());
      }
      std::string d = Diff(Lines(prev->article.body), Lines(v.article.body));
      if (d.empty()) {
        std::printf("body unchanged (metadata changed)\n");
      } else {
        std::printf("--- body v%u\n+++ body v%u\n%s", prev->version, v.version, d.c_str());
      }
    }
    prev = &v;
  }
  return 0;
}

}  // namespace

void RegisterGet(CLI::App& app, CommandContext ctx) {
  auto url = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("get", "Show a URL's version history with body diffs");
  AddGlobalOptions(cmd, ctx.global);
  cmd->add_option("url", *url, "The URL")->required();
  cmd->callback([ctx, url] { *ctx.exit_code = RunGet(*ctx.global, *url); });
}

}  // namespace jikji::cli
