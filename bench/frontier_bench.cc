// frontier_bench N [DIR]: queues N URLs (spread over 50 hosts) into the
// persistent frontier, then pops and completes them all, and prints the
// time taken and the peak RSS. Used to check that memory stays bounded
// whatever the frontier's size (issue target: 5 million queued URLs in
// ~300 MB of RSS).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "crawler/frontier.h"

namespace {

long PeakRssMb() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: frontier_bench N [DIR]\n");
    return 2;
  }
  long n = std::atol(argv[1]);
  std::string dir = argc > 2 ? argv[2] : (std::filesystem::temp_directory_path() / "jikji-frontier-bench").string();
  std::filesystem::remove_all(dir);
  auto frontier = jikji::crawler::NewRocksFrontier(dir);
  if (!frontier.ok()) {
    std::fprintf(stderr, "%s\n", frontier.status().ToString().c_str());
    return 1;
  }
  auto& f = **frontier;
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    jikji::crawler::FrontierItem item;
    item.host = "https://news" + std::to_string(i % 50) + ".example.co.kr";
    item.url = item.host + "/news/articleView.html?idxno=" + std::to_string(i) + "&sc_section_code=S1N" +
               std::to_string(i % 17);
    item.priority = static_cast<uint8_t>(i % 4);
    item.enqueued_micros = i;
    f.Push(std::move(item));
  }
  auto t1 = std::chrono::steady_clock::now();
  long queued = static_cast<long>(f.Queued());
  long peak_after_push = PeakRssMb();
  long popped = 0;
  for (const std::string& host : f.Hosts()) {
    while (auto item = f.Pop(host)) {
      f.Done(*item);
      ++popped;
    }
  }
  auto t2 = std::chrono::steady_clock::now();
  double push_s = std::chrono::duration<double>(t1 - t0).count();
  double pop_s = std::chrono::duration<double>(t2 - t1).count();
  std::printf("queued %ld URLs in %.1fs (%.0f/s), popped %ld in %.1fs (%.0f/s); "
              "peak RSS %ld MB after pushing, %ld MB at the end; status %s\n",
              queued, push_s, queued / push_s, popped, pop_s, popped / pop_s, peak_after_push, PeakRssMb(),
              f.status().ToString().c_str());
  frontier->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
