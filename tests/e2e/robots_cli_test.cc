// `jikji robots FILE AGENT URL...` through the real binary.
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/testing/paths.h"
#include "tests/testing/process.h"

namespace jikji {
namespace {

using ::jikji::testing::CommandResult;
using ::jikji::testing::JikjiBinary;
using ::jikji::testing::RunCommand;
using ::jikji::testing::ShellQuote;
using ::jikji::testing::TempDir;

constexpr const char kRobots[] =
    "# news site\n"
    "User-agent: BadBot\n"
    "Disallow: /\n"
    "\n"
    "User-agent: *\n"
    "Disallow: /private/\n"
    "Disallow: /*.pdf$\n"
    "Allow: /private/public-note.html\n"
    "Crawl-delay: 10\n"
    "Sitemap: https://news.test/sitemap.xml\n";

class RobotsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream out(file_, std::ios::binary);
    out << kRobots;
  }

  CommandResult Robots(std::vector<std::string> args) {
    args.insert(args.begin(), {JikjiBinary().string(), "robots"});
    return RunCommand(args, 60);
  }

  TempDir tmp_;
  std::string file_ = tmp_.Sub("robots.txt");
};

TEST_F(RobotsCliTest, PrintsOneVerdictPerUrlInOrder) {
  CommandResult r = Robots({file_, "Jikji", "https://news.test/news/1.html", "https://news.test/private/draft.html",
                            "https://news.test/private/public-note.html", "https://news.test/files/report.pdf",
                            "https://news.test/files/report.pdf?download=1", "/private"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "allowed\thttps://news.test/news/1.html\n"
            "disallowed\thttps://news.test/private/draft.html\n"
            "allowed\thttps://news.test/private/public-note.html\n"
            "disallowed\thttps://news.test/files/report.pdf\n"
            "allowed\thttps://news.test/files/report.pdf?download=1\n"
            "allowed\t/private\n");
}

TEST_F(RobotsCliTest, AgentPicksItsOwnGroupCaseInsensitively) {
  CommandResult r = Robots({file_, "badbot", "https://news.test/news/1.html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "disallowed\thttps://news.test/news/1.html\n");
  // A full User-Agent string is cut to its product token.
  r = Robots({file_, "BadBot/2.0 (+https://bad.test)", "https://news.test/news/1.html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "disallowed\thttps://news.test/news/1.html\n");
}

TEST_F(RobotsCliTest, DashReadsStandardInput) {
  // RunCommand gives the child /dev/null as stdin; a shell redirects the file.
  std::string line = ShellQuote(JikjiBinary().string()) + " robots - Jikji https://news.test/private/x " +
                     "https://news.test/a < " + ShellQuote(file_);
  CommandResult r = RunCommand({"/bin/sh", "-c", line}, 60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "disallowed\thttps://news.test/private/x\nallowed\thttps://news.test/a\n");
}

TEST_F(RobotsCliTest, EmptyInputAllowsEverything) {
  CommandResult r = Robots({"-", "Jikji", "https://news.test/private/x"});  // stdin is /dev/null
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "allowed\thttps://news.test/private/x\n");
}

TEST_F(RobotsCliTest, UnreadableFileIsUsageErrorWithItsName) {
  std::string missing = tmp_.Sub("no-such-robots.txt");
  CommandResult r = Robots({missing, "Jikji", "https://news.test/a"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("cannot read"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;

  r = Robots({tmp_.path().string(), "Jikji", "https://news.test/a"});  // a directory
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read"), std::string::npos) << r.err;
}

TEST_F(RobotsCliTest, MissingUrlsIsUsageError) {
  CommandResult r = Robots({file_, "Jikji"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out.find("allowed"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace jikji
