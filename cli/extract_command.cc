#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <zlib.h>

#include "cli/article_json.h"
#include "cli/commands.h"
#include "parser/extractor.h"

namespace jikji::cli {
namespace {

// The most a saved page may decompress to; a bigger one is cut (the
// extractor has its own, smaller input cap).
constexpr size_t kMaxInputBytes = 64 << 20;

Result<std::string> ReadInput(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bool gzipped = raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x1f &&
                 static_cast<unsigned char>(raw[1]) == 0x8b;
  if (!gzipped) return raw;
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Status::Internal("zlib init failed");
  zs.next_in = reinterpret_cast<Bytef*>(raw.data());
  zs.avail_in = static_cast<uInt>(raw.size());
  std::string out;
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END && out.size() < kMaxInputBytes) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (zs.avail_in == 0 && rc != Z_STREAM_END) break;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END && out.empty()) return Status::DataLoss("corrupt gzip: " + path.string());
  return out;
}

struct ExtractFlags {
  std::vector<std::string> inputs;
  std::string url;
  std::string content_type;
  std::string format = "json";  // json, jsonl, text
};

int RunExtract(const GlobalOptions& global, const ExtractFlags& flags) {
  auto cfg = LoadConfigAndLogging(global, /*use_file=*/false);
  if (!cfg.ok()) {
    std::fprintf(stderr, "jikji extract: %s\n", cfg.status().ToString().c_str());
    return 2;
  }
  std::vector<std::filesystem::path> files;
  for (const std::string& input : flags.inputs) {
    std::error_code ec;
    if (std::filesystem::is_directory(input, ec)) {
      std::vector<std::filesystem::path> in_dir;
      for (const auto& e : std::filesystem::directory_iterator(input, ec)) {
        if (e.is_regular_file()) in_dir.push_back(e.path());
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.emplace_back(input);
    }
  }
  bool lines = flags.format == "jsonl" || (flags.format == "json" && files.size() > 1);
  int failures = 0;
  parser::ExtractOptions options;
  options.collect_links = false;
  for (const auto& file : files) {
    auto bytes = ReadInput(file);
    if (!bytes.ok()) {
      std::fprintf(stderr, "jikji extract: %s\n", bytes.status().ToString().c_str());
      ++failures;
      continue;
    }
    parser::Page page = parser::ExtractPage(*bytes, flags.url, flags.content_type, options);
    if (flags.format == "text") {
      std::cout << page.article.body << "\n";
      continue;
    }
    nlohmann::ordered_json j = ArticleToJson(page.article);
    if (lines) j["file"] = file.string();
    if (lines) std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    else std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return failures > 0 ? 1 : 0;
}

}  // namespace

void RegisterExtract(CLI::App& app, CommandContext ctx) {
  auto flags = std::make_shared<ExtractFlags>();
  CLI::App* cmd = app.add_subcommand(
      "extract", "Extract the article from saved pages (files or directories; .gz read transparently)");
  AddGlobalOptions(cmd, ctx.global);
  cmd->add_option("inputs", flags->inputs, "Files or directories")->required();
  cmd->add_option("--url", flags->url, "The page's URL (for relative links and metadata)");
  cmd->add_option("--content-type", flags->content_type, "The HTTP Content-Type (for its charset)");
  cmd->add_option("--format", flags->format, "json (default), jsonl or text (body only)")
      ->check(CLI::IsMember({"json", "jsonl", "text"}));
  cmd->callback([ctx, flags] { *ctx.exit_code = RunExtract(*ctx.global, *flags); });
}

}  // namespace jikji::cli
