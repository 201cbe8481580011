// End to end over the synthetic news web of ../shared/bench: make-site
// generates two sites, serve-site serves them with nginx on loopback,
// `jikji crawl` crawls them, and crawl-check scores the crawl from nginx's
// own access log. Label `shared`: skipped where ../shared is absent.

#include <chrono>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/paths.h"
#include "tests/testing/process.h"

namespace jikji {
namespace {

using ::jikji::testing::CommandResult;
using ::jikji::testing::FreeLoopbackPort;
using ::jikji::testing::JikjiBinary;
using ::jikji::testing::RunCommand;
using ::jikji::testing::TempDir;
using json = nlohmann::json;

bool HaveNginx() {
  CommandResult r = RunCommand({"sh", "-c", "command -v nginx || test -x /usr/sbin/nginx"}, 10);
  return r.exit_code == 0;
}

// Stops the site's nginx however the test ends.
struct ServeGuard {
  std::string script, site, run_dir;
  ~ServeGuard() { RunCommand({"python3", script, "stop", site, "--run-dir", run_dir}, 30); }
};

TEST(BenchSiteE2eTest, CrawlCoversGeneratedSiteAndAvoidsPrivate) {
  JIKJI_REQUIRE_SHARED(shared);
  if (!HaveNginx()) GTEST_SKIP() << "nginx is not installed (deploy/install-deps.sh installs it)";
  TempDir tmp;
  std::string site = tmp.Sub("news");
  std::string run_dir = tmp.Sub("run");
  std::string bench = (shared / "bench").string();
  const int free_port = FreeLoopbackPort();
  ASSERT_GT(free_port, 0);
  std::string port = std::to_string(free_port);

  CommandResult made = RunCommand({"python3", bench + "/make-site", site, "--sites", "2", "--pages", "60",
                                   "--port", port, "-q"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  CommandResult served = RunCommand({"python3", bench + "/serve-site", "start", site, "--run-dir", run_dir,
                                     "-q"});
  ASSERT_EQ(served.exit_code, 0) << served.out << served.err;
  ServeGuard guard{bench + "/serve-site", site, run_dir};

  std::vector<std::string> args = {JikjiBinary().string(), "crawl", "--archive", tmp.Sub("archive"),
                                   "--ignore-crawl-delay", "--per-host-delay", "0", "--concurrency", "16",
                                   "--per-host-connections", "8", "--max-depth", "50"};
  std::istringstream urls(served.out);
  int seeds = 0;
  for (std::string line; std::getline(urls, line);) {
    if (line.rfind("http://", 0) == 0) {
      args.push_back("--seed");
      args.push_back(line);
      ++seeds;
    }
  }
  ASSERT_EQ(seeds, 2) << served.out;
  CommandResult crawl = RunCommand(args, 600);
  ASSERT_EQ(crawl.exit_code, 0) << crawl.err;

  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // nginx flushes its log each second
  CommandResult check = RunCommand({"python3", bench + "/crawl-check", site, "--log", run_dir + "/access.log",
                                    "--json"});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  json res = json::parse(check.out);
  EXPECT_EQ(res["coverage"], 1.0) << "missing: " << res["missing_sample"].dump() << "\n" << crawl.err.substr(
      crawl.err.size() > 4000 ? crawl.err.size() - 4000 : 0);
  EXPECT_TRUE(res["private_avoided"].get<bool>()) << res["private_requests"];
  EXPECT_EQ(res["article_query_variant_requests"], 0) << "tracking variants must be normalized away";
  EXPECT_EQ(res["identical_url_repeats"], 0) << res["identical_url_repeat_sample"].dump();
  EXPECT_EQ(res["asset_requests"], 0);

  // Every exact duplicate the manifest lists was recognised as one.
  CommandResult stats = RunCommand({JikjiBinary().string(), "stats", "--json", "--archive", tmp.Sub("archive")});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  json s = json::parse(stats.out);
  EXPECT_EQ(s["duplicates"], res["exact_dup_fetched"]) << s.dump();
}

}  // namespace
}  // namespace jikji
