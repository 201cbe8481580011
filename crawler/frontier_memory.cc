#include <deque>
#include <unordered_map>
#include <unordered_set>

#include <xxhash.h>

#include "crawler/frontier.h"

namespace jikji::crawler {
namespace {

class MemoryFrontier : public Frontier {
 public:
  explicit MemoryFrontier(size_t max_queued) : max_queued_(max_queued) {}

  bool Push(FrontierItem item) override {
    uint64_t h = Hash(item.url);
    if (seen_.count(h)) return false;
    if (queued_ >= max_queued_) {
      ++dropped_;
      return false;
    }
    seen_.insert(h);
    Enqueue(std::move(item));
    return true;
  }

  void Retry(FrontierItem item) override { Enqueue(std::move(item)); }

  bool Seen(std::string_view url) const override { return seen_.count(Hash(url)) > 0; }

  void MarkSeen(std::string_view url) override { seen_.insert(Hash(url)); }

  std::optional<FrontierItem> Pop(std::string_view host) override {
    auto it = queues_.find(std::string(host));
    if (it == queues_.end() || it->second.empty()) return std::nullopt;
    FrontierItem item = std::move(it->second.front());
    it->second.pop_front();
    if (it->second.empty()) queues_.erase(it);
    --queued_;
    return item;
  }

  size_t QueuedFor(std::string_view host) const override {
    auto it = queues_.find(std::string(host));
    return it == queues_.end() ? 0 : it->second.size();
  }

  size_t Queued() const override { return queued_; }
  uint64_t dropped() const override { return dropped_; }

 private:
  static uint64_t Hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

  void Enqueue(FrontierItem item) {
    std::string host = item.host;
    queues_[host].push_back(std::move(item));
    ++queued_;
  }

  size_t max_queued_;
  size_t queued_ = 0;
  uint64_t dropped_ = 0;
  std::unordered_set<uint64_t> seen_;
  std::unordered_map<std::string, std::deque<FrontierItem>> queues_;
};

}  // namespace

std::unique_ptr<Frontier> NewMemoryFrontier(size_t max_queued) {
  return std::make_unique<MemoryFrontier>(max_queued);
}

}  // namespace jikji::crawler
