#include "parser/internal/arena.h"

#include <algorithm>
#include <cstddef>

namespace jikji::parser::internal {
namespace {

constexpr size_t kAlign = alignof(std::max_align_t);

size_t RoundUp(size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }

}  // namespace

Arena::Arena(size_t block_bytes, size_t keep_bytes)
    : block_bytes_(std::max(RoundUp(block_bytes), kAlign)), keep_bytes_(keep_bytes) {}

void* Arena::Allocate(size_t n) {
  n = RoundUp(std::max<size_t>(n, 1));
  used_ += n;
  while (current_ < blocks_.size()) {
    Block& b = blocks_[current_];
    if (b.size - offset_ >= n) {
      char* p = b.data.get() + offset_;
      offset_ += n;
      return p;
    }
    // The rest of this block is wasted; try the next kept one.
    ++current_;
    offset_ = 0;
  }
  // A request bigger than a block gets a block of its own size.
  size_t size = std::max(n, block_bytes_);
  blocks_.push_back(Block{std::make_unique_for_overwrite<char[]>(size), size});
  reserved_ += size;
  current_ = blocks_.size() - 1;
  offset_ = n;
  return blocks_.back().data.get();
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
  current_ = 0;
  offset_ = 0;
  used_ = 0;
}

void* Arena::GumboAllocate(void* arena, size_t n) noexcept {
  return static_cast<Arena*>(arena)->Allocate(n);
}

void Arena::GumboFree(void*, void*) noexcept {}

}  // namespace jikji::parser::internal
