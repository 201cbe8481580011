#include "parser/internal/arena.h"

#include <algorithm>
#include <cstddef>

namespace jikji::parser::internal {
Arena::Arena(size_t block_bytes, size_t keep_bytes)
    : block_bytes_(std::max(RoundUp(block_bytes), kAlign)), keep_bytes_(keep_bytes) {}

void Arena::Enter(size_t i) {
  current_ = i;
  next_ = blocks_[i].data.get();
  end_ = next_ + blocks_[i].size;
}

void* Arena::AllocateSlow(size_t n) {
  // The rest of the current block is wasted; the next kept block that
  // holds `n` is filled next, else a new one.
  while (current_ + 1 < blocks_.size()) {
    Enter(current_ + 1);
    if (blocks_[current_].size >= n) return Allocate(n);
  }
  // A request bigger than a block gets a block of its own size.
  size_t size = std::max(n, block_bytes_);
  blocks_.push_back(Block{std::make_unique_for_overwrite<char[]>(size), size});
  reserved_ += size;
  Enter(blocks_.size() - 1);
  return Allocate(n);
}

void Arena::Reset() {
  // Keep the first blocks, up to keep_bytes_; free the rest.
  size_t kept = 0;
  size_t keep_count = 0;
  while (keep_count < blocks_.size() && kept + blocks_[keep_count].size <= keep_bytes_) {
    kept += blocks_[keep_count].size;
    ++keep_count;
  }
  blocks_.resize(keep_count);
  reserved_ = kept;
  used_ = 0;
  if (blocks_.empty()) {
    current_ = 0;
    next_ = end_ = nullptr;
  } else {
    Enter(0);
  }
}

void* Arena::GumboAllocate(void* arena, size_t n) noexcept {
  return static_cast<Arena*>(arena)->Allocate(n);
}

void Arena::GumboFree(void*, void*) noexcept {}

}  // namespace jikji::parser::internal
