// CurlFetcher over HTTPS against a real nginx on 127.0.0.1 with a
// certificate made for the test: HTTP/2 is negotiated (ALPN) when the server
// offers it, HTTP/1.1 when the fetcher is told so, and the certificate is
// verified (an unknown CA fails the fetch).
//
// Needs nginx and openssl (deploy/install-deps.sh installs both); skips,
// saying why, when either is missing.
#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "crawler/fetcher.h"
#include "tests/testing/paths.h"
#include "tests/testing/process.h"

namespace jikji::crawler {
namespace {

namespace asio = boost::asio;
using ::jikji::testing::CommandResult;
using ::jikji::testing::FreeLoopbackPort;
using ::jikji::testing::RunCommand;
using ::jikji::testing::SpawnCommand;
using ::jikji::testing::TempDir;
using ::jikji::testing::WaitCommand;

constexpr const char* kBody = "<html><body><p>HTTP/2 테스트</p></body></html>\n";

bool Have(const std::string& tool) {
  return RunCommand({"sh", "-c", "command -v " + tool + " || test -x /usr/sbin/" + tool}, 10).exit_code == 0;
}

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// nginx with TLS and HTTP/2 on 127.0.0.1:port for host "h2.test", serving
// kBody at /a.html; stopped when destroyed.
class TlsNginx {
 public:
  explicit TlsNginx(const TempDir& tmp) : dir_(tmp.Sub("nginx")) {
    std::filesystem::create_directories(dir_ + "/www");
    std::filesystem::create_directories(dir_ + "/tmp");
    std::ofstream(dir_ + "/www/a.html") << kBody;
    cert_ = dir_ + "/cert.pem";
    CommandResult made = RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                     dir_ + "/key.pem", "-out", cert_, "-days", "2", "-subj", "/CN=h2.test",
                                     "-addext", "subjectAltName=DNS:h2.test"},
                                    60);
    if (made.exit_code != 0) {
      error_ = "openssl req failed: " + made.err;
      return;
    }
    port_ = FreeLoopbackPort();
    const std::string t = dir_ + "/tmp";
    std::ofstream(dir_ + "/nginx.conf")
        << "daemon off;\nworker_processes 1;\npid " << dir_ << "/nginx.pid;\nerror_log " << dir_
        << "/error.log;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n"
        << "  client_body_temp_path " << t << "/body;\n  proxy_temp_path " << t << "/proxy;\n"
        << "  fastcgi_temp_path " << t << "/fastcgi;\n  uwsgi_temp_path " << t << "/uwsgi;\n"
        << "  scgi_temp_path " << t << "/scgi;\n  types { text/html html; }\n"
        << "  server {\n    listen 127.0.0.1:" << port_ << " ssl http2;\n    server_name h2.test;\n"
        << "    ssl_certificate " << cert_ << ";\n    ssl_certificate_key " << dir_ << "/key.pem;\n"
        << "    root " << dir_ << "/www;\n  }\n}\n";
    std::string nginx = RunCommand({"sh", "-c", "command -v nginx"}, 10).exit_code == 0 ? "nginx" : "/usr/sbin/nginx";
    pid_ = SpawnCommand({nginx, "-p", dir_, "-c", dir_ + "/nginx.conf"}, dir_ + "/stderr.log");
    for (int i = 0; i < 100 && !Accepts(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!Accepts(port_)) {
      error_ = "nginx did not start: " + ::jikji::testing::ReadFile(dir_ + "/stderr.log") +
               ::jikji::testing::ReadFile(dir_ + "/error.log");
    }
  }
  ~TlsNginx() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      if (WaitCommand(pid_, 10) == -1) kill(pid_, SIGKILL);
    }
  }

  const std::string& error() const { return error_; }
  int port() const { return port_; }
  const std::string& cert() const { return cert_; }
  std::string Url() const { return "https://h2.test:" + std::to_string(port_) + "/a.html"; }
  std::string Resolve() const { return "h2.test:" + std::to_string(port_) + ":127.0.0.1"; }

 private:
  std::string dir_, cert_, error_;
  int port_ = -1;
  int pid_ = -1;
};

FetchResponse FetchOnce(const FetcherOptions& options, const std::string& url) {
  asio::io_context io;
  auto fetcher = NewCurlFetcher(io, options);
  EXPECT_TRUE(fetcher.ok()) << fetcher.status().ToString();
  std::optional<FetchResponse> got;
  FetchRequest request;
  request.url = url;
  (*fetcher)->Fetch(std::move(request), [&](FetchResponse r) { got = std::move(r); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!got && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(got.has_value()) << "no answer within 20 s";
  return got ? std::move(*got) : FetchResponse{};
}

class FetcherTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Have("nginx")) GTEST_SKIP() << "nginx is not installed (deploy/install-deps.sh installs it)";
    if (!Have("openssl")) GTEST_SKIP() << "openssl is not installed (deploy/install-deps.sh installs it)";
    nginx_.emplace(tmp_);
    ASSERT_TRUE(nginx_->error().empty()) << nginx_->error();
  }
  FetcherOptions Options() const {
    FetcherOptions o;
    o.ca_file = nginx_->cert();
    o.resolve = {nginx_->Resolve()};
    return o;
  }

  TempDir tmp_;
  std::optional<TlsNginx> nginx_;
};

TEST_F(FetcherTlsTest, NegotiatesHttp2WhenTheServerOffersIt) {
  FetchResponse r = FetchOnce(Options(), nginx_->Url());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.http_version, "2");
  EXPECT_EQ(r.body, kBody);
}

TEST_F(FetcherTlsTest, Http11WhenHttp2IsOff) {
  FetcherOptions o = Options();
  o.http2 = false;
  FetchResponse r = FetchOnce(o, nginx_->Url());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.http_version, "1.1");
  EXPECT_EQ(r.body, kBody);
}

TEST_F(FetcherTlsTest, UnknownCertificateAuthorityFailsTheFetch) {
  FetcherOptions o = Options();
  o.ca_file.clear();  // the system store does not know the test's certificate
  FetchResponse r = FetchOnce(o, nginx_->Url());
  EXPECT_FALSE(r.status.ok()) << "a self-signed certificate was accepted";
  EXPECT_TRUE(r.body.empty());
}

}  // namespace
}  // namespace jikji::crawler
