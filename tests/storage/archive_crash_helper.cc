// archive_crash_helper DIR ACKFILE SEED: stores captures (articles, near
// duplicates, exact duplicates, refetches) into the archive in DIR in an
// endless loop; after each acknowledged Store() it replaces ACKFILE with the
// number of captures acknowledged so far (written to ACKFILE.tmp, then
// renamed: a reader never sees a partial file, even when this process is
// descheduled or killed mid-write). The crash test SIGKILLs it.
#include <cstdio>
#include <random>
#include <string>

#include "storage/archive.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DIR ACKFILE SEED\n", argv[0]);
    return 2;
  }
  auto archive = jikji::storage::Archive::Open(argv[1]);
  if (!archive.ok()) {
    std::fprintf(stderr, "%s\n", archive.status().ToString().c_str());
    return 1;
  }
  std::mt19937_64 rng(std::stoull(argv[3]));
  uint64_t acked = 0;
  const std::string tmp = std::string(argv[2]) + ".tmp";
  for (int64_t i = 0;; ++i) {
    const int n = static_cast<int>(rng() % 50);
    jikji::storage::Capture c;
    c.url = "https://news" + std::to_string(n % 3) + ".example.kr/a/" + std::to_string(n);
    c.final_url = c.url;
    c.fetched_micros = 1'700'000'000'000'000 + i * 1000;
    c.http_status = 200;
    std::string text;
    for (int w = 0; w < 300; ++w) text += "낱말" + std::to_string((w * 7 + n / 5) % 211) + " ";
    text += "변경" + std::to_string(rng() % 4);
    c.body = "<html><body><p>" + text + "</p></body></html>";
    jikji::Article a;
    a.url = c.url;
    a.is_article = rng() % 5 != 0;
    a.title = "제목 " + std::to_string(n);
    a.body = text;
    auto r = (*archive)->Store(c, &a, 0.5);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 1;
    }
    ++acked;
    if (FILE* f = std::fopen(tmp.c_str(), "w")) {
      std::fprintf(f, "%llu\n", static_cast<unsigned long long>(acked));
      if (std::fclose(f) == 0) std::rename(tmp.c_str(), argv[2]);
    }
  }
}
