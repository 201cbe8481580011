// LinkCache: which link strings the crawl loop has already vetted in this
// run, so that the menus, lists and footers every page repeats are
// normalized, scoped and looked up in the frontier once, not once per page.
//
// A fixed-size open-addressing set of 64-bit fingerprints: of links as
// found, already absolute (Fingerprint()), and of links as written, before
// the parser resolves them (HrefFingerprint()). Insert() is lock-free, so
// worker threads share one cache. It is a pure accelerator: a link it
// forgets (the cache is full) takes the slow path, which is exact (the
// frontier's seen set). A fingerprint collision makes a new link look
// vetted; at 64 bits and the capacity below that is a chance of about
// n^2 / 2^65 (n = links in one run: 1e-8 for a million links), accepted as
// the price of not storing the strings.
//
// Memory: kSlots * 8 bytes (16 MiB) of anonymous memory, committed as slots
// are used, in 2 MiB pages where the kernel allows (MADV_HUGEPAGE): with 4 KiB
// pages, the first lookup in a page mapped the shared zero page and the
// first insert then replaced it, a second fault and a TLB shootdown across
// cores for each of 4,096 pages (2% of a crawl's CPU on the bench site).
//
// Thread safety: Insert() and Contains() may be called concurrently.
#ifndef JIKJI_CRAWLER_INTERNAL_LINK_CACHE_H_
#define JIKJI_CRAWLER_INTERNAL_LINK_CACHE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include <sys/mman.h>
#include <xxhash.h>

namespace jikji::crawler::internal {

class LinkCache {
 public:
  // 2^21 slots; the cache stops accepting new entries at 3/4 of that.
  static constexpr size_t kSlots = size_t{1} << 21;
  static constexpr size_t kMaxEntries = kSlots / 4 * 3;
  // Linear probing gives up after this many slots (treated as "full").
  static constexpr size_t kMaxProbe = 64;

  LinkCache() {
    void* p = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;  // no cache: every link takes the exact path
    static_cast<void>(madvise(p, kBytes, MADV_HUGEPAGE));  // best effort
    slots_.reset(static_cast<uint64_t*>(p));
  }

  // `seed` separates name spaces (the crawler passes the link's kind).
  static uint64_t Fingerprint(std::string_view link, uint64_t seed = 0) {
    uint64_t fp = XXH3_64bits_withSeed(link.data(), link.size(), seed);
    return fp == 0 ? 1 : fp;  // 0 marks an empty slot
  }

  // A link as written on a page: its href, url::ResolutionScope() of the
  // base it resolves against (equal scopes resolve an href alike) and the
  // depth it would be queued at (whether it is too deep depends on that).
  static uint64_t HrefFingerprint(int depth, std::string_view scope, std::string_view href) {
    constexpr uint64_t kHrefSpace = 0x9E3779B97F4A7C15ULL;  // apart from Fingerprint()'s seeds
    const uint64_t seed = XXH3_64bits_withSeed(scope.data(), scope.size(),
                                               kHrefSpace + static_cast<uint64_t>(depth));
    uint64_t fp = XXH3_64bits_withSeed(href.data(), href.size(), seed);
    return fp == 0 ? 1 : fp;
  }

  // Adds fp; false if it was already there (another thread may have added
  // it first). When the cache is full, returns true without adding, so the
  // caller takes the slow path.
  bool Insert(uint64_t fp) {
    if (slots_ == nullptr) return true;
    if (entries_.load(std::memory_order_relaxed) >= kMaxEntries) return !Contains(fp);
    size_t i = fp & (kSlots - 1);
    for (size_t probe = 0; probe < kMaxProbe; ++probe, i = (i + 1) & (kSlots - 1)) {
      std::atomic_ref<uint64_t> slot(slots_.get()[i]);
      uint64_t seen = slot.load(std::memory_order_relaxed);
      if (seen == fp) return false;
      if (seen != 0) continue;
      if (slot.compare_exchange_strong(seen, fp, std::memory_order_relaxed)) {
        entries_.fetch_add(1, std::memory_order_relaxed);
        return true;
      }
      if (seen == fp) return false;  // lost the race to the same link
    }
    return true;
  }

  bool Contains(uint64_t fp) const {
    if (slots_ == nullptr) return false;
    size_t i = fp & (kSlots - 1);
    for (size_t probe = 0; probe < kMaxProbe; ++probe, i = (i + 1) & (kSlots - 1)) {
      uint64_t seen = std::atomic_ref<uint64_t>(slots_.get()[i]).load(std::memory_order_relaxed);
      if (seen == fp) return true;
      if (seen == 0) return false;
    }
    return false;
  }

  size_t size() const { return entries_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kBytes = kSlots * sizeof(uint64_t);
  struct Free {
    void operator()(uint64_t* p) const { munmap(p, kBytes); }
  };
  std::unique_ptr<uint64_t, Free> slots_;
  std::atomic<size_t> entries_{0};
};

}  // namespace jikji::crawler::internal

#endif  // JIKJI_CRAWLER_INTERNAL_LINK_CACHE_H_
