#include "parser/internal/arena.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>

namespace jikji::parser::internal {
namespace {

bool Aligned(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % alignof(std::max_align_t) == 0;
}

TEST(Arena, AllocationsAreAlignedDistinctAndWritable) {
  Arena arena(1024, 4096);
  std::set<char*> seen;
  for (size_t n : {0, 1, 7, 16, 100, 1000, 1024, 5000, 3}) {
    char* p = static_cast<char*>(arena.Allocate(n));
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(Aligned(p)) << n;
    EXPECT_TRUE(seen.insert(p).second) << n;
    std::memset(p, 0xAB, n);  // ASan flags an overlap or an overrun
  }
  EXPECT_GE(arena.used(), 0u + 1 + 7 + 16 + 100 + 1000 + 1024 + 5000 + 3);
  EXPECT_GE(arena.reserved(), arena.used());
}

TEST(Arena, ResetKeepsAtMostKeepBytesAndReusesThem) {
  Arena arena(1024, 2048);
  for (int i = 0; i < 20; ++i) arena.Allocate(1000);  // 20 blocks
  EXPECT_EQ(arena.reserved(), 20u * 1024);
  arena.Reset();
  EXPECT_EQ(arena.used(), 0u);
  EXPECT_EQ(arena.reserved(), 2048u);  // two blocks kept
  void* first = arena.Allocate(10);
  arena.Allocate(1000);  // into the second kept block
  EXPECT_EQ(arena.reserved(), 2048u);
  arena.Reset();
  EXPECT_EQ(arena.Allocate(10), first);  // the same memory again
}

TEST(Arena, OversizedRequestGetsItsOwnBlockAndIsNotKept) {
  Arena arena(1024, 2048);
  char* big = static_cast<char*>(arena.Allocate(100000));
  std::memset(big, 1, 100000);
  EXPECT_GE(arena.reserved(), 100000u);
  arena.Reset();
  EXPECT_EQ(arena.reserved(), 0u);
}

TEST(Arena, GumboCallbacks) {
  Arena arena;
  void* p = Arena::GumboAllocate(&arena, 64);
  ASSERT_NE(p, nullptr);
  Arena::GumboFree(&arena, p);  // a no-op: the memory stays until Reset()
  EXPECT_EQ(arena.used(), 64u);
}

}  // namespace
}  // namespace jikji::parser::internal
