// The project's fixture site (tests/fixtures/site) on a loopback server,
// and small helpers for tests that drive the `jikji` binary.
#ifndef JIKJI_TESTS_TESTING_FIXTURE_SITE_H_
#define JIKJI_TESTS_TESTING_FIXTURE_SITE_H_

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/testing/http_server.h"
#include "tests/testing/paths.h"
#include "tests/testing/process.h"

namespace jikji::testing {

// Serves tests/fixtures/site/<host>/<path>, with "{{PORT}}" replaced by the
// server's port. Only "/path" decides the file; the query is ignored.
class FixtureSite {
 public:
  FixtureSite()
      : expected_(nlohmann::json::parse(ReadFile(FixturePath("site/expected.json")))),
        server_([this](const HttpRequest& r) { return Serve(r); }) {}

  int port() const { return server_.port(); }
  const nlohmann::json& expected() const { return expected_; }
  std::vector<HttpRequest> Requests() const { return server_.Requests(); }

  // Expected URLs use "{{PORT}}".
  std::string Url(const std::string& templated) const {
    std::string s = templated;
    auto pos = s.find("{{PORT}}");
    if (pos != std::string::npos) s.replace(pos, 8, std::to_string(port()));
    return s;
  }

 private:
  HttpReply Serve(const HttpRequest& r) {
    std::string path = r.target.substr(0, r.target.find('?'));
    if (path.empty() || path.back() == '/') path += "index.html";
    std::filesystem::path file = FixturePath("site/" + r.host + path);
    if (path.find("..") != std::string::npos || !std::filesystem::is_regular_file(file)) {
      return HttpReply::Text(404, "<html><body>없는 페이지</body></html>");
    }
    std::string body = ReadFile(file);
    for (size_t pos; (pos = body.find("{{PORT}}")) != std::string::npos;) {
      body.replace(pos, 8, std::to_string(port()));
    }
    std::string type = "text/html";  // no charset: pages must be sniffed
    if (path.ends_with(".txt")) type = "text/plain";
    if (path.ends_with(".xml")) type = "application/xml";
    const nlohmann::json& charsets = expected_["content_type_charset"];
    if (charsets.contains(path)) type += "; charset=" + charsets[path].get<std::string>();
    return HttpReply::Text(200, std::move(body), type);
  }

  nlohmann::json expected_;
  TestHttpServer server_;
};

// Runs the jikji binary with `args` (120 s limit).
inline CommandResult Jikji(std::vector<std::string> args) {
  args.insert(args.begin(), JikjiBinary().string());
  return RunCommand(args, 120);
}

// One JSON value per non-empty line.
inline std::vector<nlohmann::json> ParseLines(const std::string& text) {
  std::vector<nlohmann::json> rows;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) rows.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return rows;
}


}  // namespace jikji::testing

#endif  // JIKJI_TESTS_TESTING_FIXTURE_SITE_H_
