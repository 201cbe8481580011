// A bump allocator for Gumbo's parse of one page.
//
// Gumbo 0.10.1 mallocs every token, string buffer, node and attribute and
// frees them one by one (gumbo_destroy_output walks the whole tree). On a
// news page that is a few thousand malloc/free pairs, about a fifth of
// Gumbo's time. With an Arena behind GumboOptions' allocator the
// allocations are pointer bumps, the frees do nothing, and the tree goes
// away at once with Reset(): no destroy walk.
//
// Nothing is reused before Reset(), so the arena holds every byte Gumbo
// ever asked for during the parse (temporaries included: 10 to 16 times
// the input on news pages), so callers use it for bounded inputs only (see
// kMaxArenaInputBytes in extractor.cc). Reset() keeps up to `keep_bytes` of
// blocks for the next page, so a worker's arena stays warm without pinning
// a big page's memory.
//
// Thread safety: none; one arena per thread.
#ifndef JIKJI_PARSER_INTERNAL_ARENA_H_
#define JIKJI_PARSER_INTERNAL_ARENA_H_

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

namespace jikji::parser::internal {

class Arena {
 public:
  explicit Arena(size_t block_bytes = 256 << 10, size_t keep_bytes = 1 << 20);
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // `n` bytes aligned to alignof(std::max_align_t); never null (throws
  // std::bad_alloc as operator new does).
  void* Allocate(size_t n) {
    n = RoundUp(std::max<size_t>(n, 1));
    if (static_cast<size_t>(end_ - next_) < n) return AllocateSlow(n);
    void* p = next_;
    next_ += n;
    used_ += n;
    return p;
  }
  // Forgets every allocation.
  void Reset();

  // Bytes handed out since the last Reset().
  size_t used() const { return used_; }
  // Bytes of blocks held.
  size_t reserved() const { return reserved_; }

  // For GumboOptions::allocator / deallocator (userdata = the Arena).
  // noexcept: Gumbo is C, so running out of memory inside it terminates
  // (as a failed malloc in Gumbo would crash) instead of unwinding through it.
  static void* GumboAllocate(void* arena, size_t n) noexcept;
  static void GumboFree(void* arena, void* ptr) noexcept;

 private:
  static constexpr size_t kAlign = alignof(std::max_align_t);
  static constexpr size_t RoundUp(size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }

  // Allocate() when the current block has less than `n` (rounded) left.
  void* AllocateSlow(size_t n);
  // Makes blocks_[i] the block being filled, from its start.
  void Enter(size_t i);

  struct Block {
    std::unique_ptr<char[]> data;
    size_t size;
  };

  size_t block_bytes_;
  size_t keep_bytes_;
  std::vector<Block> blocks_;
  size_t current_ = 0;      // index of the block being filled
  char* next_ = nullptr;    // its first free byte
  char* end_ = nullptr;     // its end
  size_t used_ = 0;
  size_t reserved_ = 0;
};

}  // namespace jikji::parser::internal

#endif  // JIKJI_PARSER_INTERNAL_ARENA_H_
