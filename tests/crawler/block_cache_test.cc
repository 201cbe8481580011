// crawler/internal/block_cache.h: which boilerplate blocks a page may leave
// out, by the link depth they were parsed at.
#include "crawler/internal/block_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace jikji::crawler::internal {
namespace {

TEST(BlockCacheTest, KnownFromAsDeepOrDeeperOnly) {
  BlockCache cache;
  EXPECT_FALSE(cache.Known(7, 3));
  cache.Remember(7, 3);
  EXPECT_TRUE(cache.Known(7, 3));
  EXPECT_TRUE(cache.Known(7, 9));
  // From a shallower page its links may reach what was too deep before.
  EXPECT_FALSE(cache.Known(7, 2));
  cache.Remember(7, 2);
  EXPECT_TRUE(cache.Known(7, 2));
  cache.Remember(7, 5);  // a deeper sighting keeps the shallowest
  EXPECT_TRUE(cache.Known(7, 2));
  EXPECT_FALSE(cache.Known(8, 100));
}

TEST(BlockCacheTest, ForbiddenBlocksAreNeverKnownAgain) {
  BlockCache cache;
  cache.Remember(1, 1);
  cache.Forbid(1);
  EXPECT_FALSE(cache.Known(1, 1));
  cache.Remember(1, 0);
  EXPECT_FALSE(cache.Known(1, 5));
  cache.Forbid(2);
  cache.Remember(2, 0);
  EXPECT_FALSE(cache.Known(2, 0));
}

TEST(BlockCacheTest, BoundedAndSharedByThreads) {
  BlockCache cache;
  std::vector<std::thread> threads;
  for (uint64_t t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (uint64_t i = 0; i < BlockCache::kMaxEntries; ++i) cache.Remember(t * BlockCache::kMaxEntries + i, 1);
    });
  }
  for (auto& th : threads) th.join();
  // Full caches start over: never more than kMaxEntries, and what is in
  // it is known.
  EXPECT_LE(cache.size(), BlockCache::kMaxEntries);
  EXPECT_GT(cache.size(), 0u);
  size_t known = 0;
  for (uint64_t i = 0; i < 4 * BlockCache::kMaxEntries; ++i) known += cache.Known(i, 1) ? 1 : 0;
  EXPECT_EQ(known, cache.size());
  cache.Remember(1u << 30, 2);
  EXPECT_TRUE(cache.Known(1u << 30, 2));
}

}  // namespace
}  // namespace jikji::crawler::internal
