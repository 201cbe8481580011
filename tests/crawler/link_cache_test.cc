// LinkCache: the crawl loop's lock-free set of vetted link fingerprints.
#include "crawler/internal/link_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace jikji::crawler::internal {
namespace {

TEST(LinkCacheTest, InsertAnswersWhetherAFingerprintIsNew) {
  LinkCache cache;
  EXPECT_FALSE(cache.Contains(42));
  EXPECT_TRUE(cache.Insert(42));
  EXPECT_TRUE(cache.Contains(42));
  EXPECT_FALSE(cache.Insert(42));
  EXPECT_EQ(cache.size(), 1u);
}

// Threads meeting the same links: each fingerprint is new to exactly one.
TEST(LinkCacheTest, OneThreadGetsEachNewFingerprint) {
  LinkCache cache;
  constexpr int kThreads = 4;
  constexpr uint64_t kLinks = 20'000;
  std::atomic<uint64_t> news{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int pass = 0; pass < 3; ++pass) {
        for (uint64_t i = 0; i < kLinks; ++i) {
          const uint64_t fp = (t % 2 == 0 ? i : kLinks - 1 - i) * 0x9E3779B97F4A7C15ULL + 1;
          if (cache.Insert(fp)) news.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(news.load(), kLinks);
  EXPECT_EQ(cache.size(), kLinks);
}

// A full cache stops remembering but never lies: a new fingerprint is new
// every time (the caller takes its exact path), a known one stays known.
TEST(LinkCacheTest, AFullCacheSaysNewForWhatItCannotHold) {
  LinkCache cache;
  uint64_t fp = 0;
  for (size_t i = 0; i < LinkCache::kMaxEntries; ++i) {
    fp = (i + 1) * 0x9E3779B97F4A7C15ULL;
    ASSERT_TRUE(cache.Insert(fp)) << i;
  }
  EXPECT_EQ(cache.size(), LinkCache::kMaxEntries);
  EXPECT_FALSE(cache.Insert(fp));
  const uint64_t extra = 12345;
  EXPECT_TRUE(cache.Insert(extra));
  EXPECT_TRUE(cache.Insert(extra));
  EXPECT_FALSE(cache.Contains(extra));
  EXPECT_EQ(cache.size(), LinkCache::kMaxEntries);
}

TEST(LinkCacheTest, HrefFingerprintsSeparateDepthScopeAndHref) {
  const uint64_t base = LinkCache::HrefFingerprint(2, "http://a.kr", "/x");
  EXPECT_EQ(base, LinkCache::HrefFingerprint(2, "http://a.kr", "/x"));
  EXPECT_NE(base, LinkCache::HrefFingerprint(3, "http://a.kr", "/x"));
  EXPECT_NE(base, LinkCache::HrefFingerprint(2, "http://b.kr", "/x"));
  EXPECT_NE(base, LinkCache::HrefFingerprint(2, "http://a.kr", "/y"));
  EXPECT_NE(base, LinkCache::HrefFingerprint(2, "", "/x"));
  EXPECT_NE(LinkCache::Fingerprint("http://a.kr/x", 1), LinkCache::HrefFingerprint(0, "", "http://a.kr/x"));
}

}  // namespace
}  // namespace jikji::crawler::internal
