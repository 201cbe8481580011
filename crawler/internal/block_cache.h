// BlockCache: the boilerplate blocks (parser::ExtractOptions::known_block)
// whose links this crawl has already taken, so that a site's menus and
// footers are parsed once, not once per page.
//
// Each fingerprint keeps the shallowest link depth its block was parsed at:
// a page whose links would go at least that deep may leave the block out (its
// links were vetted from a depth as shallow, so none of them was too deep
// then and would be now); a shallower page parses it again, since a link
// refused as too deep then may be in reach now. Like LinkCache, it only
// saves work: a block it does not know is parsed, and a remembered block's
// links are queued with the page that showed them (in one frontier batch
// with its Done mark), so a crawl killed before that page's batch fetches
// the page again and loses no link.
//
// A block the parser could not leave out where it stood (Forbid()) is
// parsed on every page from then on: a site template that puts its menu
// inside a link would otherwise cost two parses per page.
//
// Bounded: at most kMaxEntries fingerprints (~5 MB); a full cache is
// emptied and fills again.
//
// Thread safety: all methods may be called concurrently.
#ifndef JIKJI_CRAWLER_INTERNAL_BLOCK_CACHE_H_
#define JIKJI_CRAWLER_INTERNAL_BLOCK_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace jikji::crawler::internal {

class BlockCache {
 public:
  static constexpr size_t kMaxEntries = size_t{1} << 16;

  // Whether the block `fp` was parsed on a page whose links went to
  // `link_depth` or shallower.
  bool Known(uint64_t fp, int link_depth) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = depth_.find(fp);
    return it != depth_.end() && it->second != kNever && it->second <= link_depth;
  }

  // Block `fp` was parsed on a page whose links go to `link_depth`, and
  // those links are on their way to the frontier.
  void Remember(uint64_t fp, int link_depth) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = depth_.find(fp);
    if (it != depth_.end()) {
      if (it->second != kNever && link_depth < it->second) it->second = link_depth;
      return;
    }
    MakeRoom();
    depth_.emplace(fp, link_depth);
  }

  // Block `fp` stood where it could not be left out (parser::Page::
  // unskippable_blocks): it is parsed on every page from now on.
  void Forbid(uint64_t fp) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = depth_.find(fp);
    if (it != depth_.end()) {
      it->second = kNever;
      return;
    }
    MakeRoom();
    depth_.emplace(fp, kNever);
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return depth_.size();
  }

 private:
  static constexpr int kNever = -1;  // link depths are >= 0

  // A full cache starts over (mu_ held): a daemon meets new blocks for
  // months (a "most read" box changes every hour), and forgetting costs one
  // full parse per block.
  void MakeRoom() {
    if (depth_.size() >= kMaxEntries) depth_.clear();
  }

  mutable std::mutex mu_;
  std::unordered_map<uint64_t, int> depth_;
};

}  // namespace jikji::crawler::internal

#endif  // JIKJI_CRAWLER_INTERNAL_BLOCK_CACHE_H_
