// jikji robots FILE AGENT URL...: what a robots.txt file says about URLs,
// with the crawler's own matcher (crawler/robots.h), one verdict a line:
//   allowed<TAB>https://example.test/a
//   disallowed<TAB>https://example.test/private/x
// FILE '-' reads standard input. Exit 0 when every verdict was printed,
// 2 when FILE cannot be read (or bad usage).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "crawler/robots.h"

namespace jikji::cli {
namespace {

struct RobotsFlags {
  std::string file;
  std::string agent;
  std::vector<std::string> urls;
};

// Reads at most kMaxRobotsBytes (RFC 9309 2.5: the rest is ignored anyway);
// the stream is not drained past that.
Result<std::string> ReadRobots(std::istream& in, const std::string& name) {
  std::string body(crawler::kMaxRobotsBytes, '\0');
  in.read(body.data(), static_cast<std::streamsize>(body.size()));
  if (in.bad()) return Status::IOError("cannot read " + name);
  body.resize(static_cast<size_t>(in.gcount()));
  return body;
}

// The product token of an agent: "Jikji/0.1 (+https://...)" becomes "Jikji".
std::string ProductToken(const std::string& agent) {
  size_t end = agent.find_first_of("/ \t");
  return agent.substr(0, end);
}

int RunRobots(const RobotsFlags& flags) {
  Result<std::string> body = Status::Internal("unread");
  if (flags.file == "-") {
    body = ReadRobots(std::cin, "standard input");
  } else {
    std::error_code ec;
    std::ifstream in;
    // A directory opens as a stream that reads nothing: refuse it here.
    if (!std::filesystem::is_directory(flags.file, ec)) in.open(flags.file, std::ios::binary);
    if (!in.is_open()) {
      std::fprintf(stderr, "jikji robots: cannot read %s\n", flags.file.c_str());
      return 2;
    }
    body = ReadRobots(in, flags.file);
  }
  if (!body.ok()) {
    std::fprintf(stderr, "jikji robots: %s\n", body.status().ToString().c_str());
    return 2;
  }
  std::string agent = ProductToken(flags.agent);
  if (agent.empty()) {
    std::fprintf(stderr, "jikji robots: AGENT is empty (give a product token, e.g. Jikji)\n");
    return 2;
  }
  crawler::RobotsRules rules = crawler::RobotsRules::Parse(*body);
  for (const std::string& url : flags.urls) {
    std::cout << (rules.IsAllowed(agent, url) ? "allowed" : "disallowed") << '\t' << url << '\n';
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

}  // namespace

void RegisterRobots(CLI::App& app, CommandContext ctx) {
  auto flags = std::make_shared<RobotsFlags>();
  CLI::App* cmd = app.add_subcommand(
      "robots", "Check URLs against a robots.txt file (RFC 9309): prints 'allowed' or 'disallowed' "
                "and the URL, one per line");
  cmd->add_option("file", flags->file, "The robots.txt file; '-' reads standard input")->required();
  cmd->add_option("agent", flags->agent,
                  "The crawler's product token, e.g. Jikji (a full User-Agent is cut at '/' or space)")
      ->required();
  cmd->add_option("urls", flags->urls, "URLs (or paths with query) to check")->required();
  cmd->callback([ctx, flags] { *ctx.exit_code = RunRobots(*flags); });
}

}  // namespace jikji::cli
