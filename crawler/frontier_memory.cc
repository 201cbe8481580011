#include <map>
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
    item.seq = next_seq_++;
    ++queued_;
    Enqueue(std::move(item));
    return true;
  }

  bool Requeue(FrontierItem item) override {
    if (queued_ >= max_queued_) {
      ++dropped_;
      return false;
    }
    seen_.insert(Hash(item.url));
    item.seq = next_seq_++;
    ++queued_;
    Enqueue(std::move(item));
    return true;
  }

  void Retry(FrontierItem item) override { Enqueue(std::move(item)); }

  void Done(const FrontierItem&) override { --queued_; }

  bool Seen(std::string_view url) const override { return seen_.count(Hash(url)) > 0; }

  void MarkSeen(std::string_view url) override { seen_.insert(Hash(url)); }

  std::optional<FrontierItem> Pop(std::string_view host) override {
    auto it = queues_.find(std::string(host));
    if (it == queues_.end() || it->second.empty()) return std::nullopt;
    auto first = it->second.begin();
    FrontierItem item = std::move(first->second);
    it->second.erase(first);
    if (it->second.empty()) queues_.erase(it);
    return item;
  }

  size_t QueuedFor(std::string_view host) const override {
    auto it = queues_.find(std::string(host));
    return it == queues_.end() ? 0 : it->second.size();
  }

  size_t Queued() const override { return queued_; }

  std::vector<std::string> Hosts() const override {
    std::vector<std::string> hosts;
    for (const auto& [host, q] : queues_) hosts.push_back(host);
    return hosts;
  }

  void ClearSeen() override { seen_.clear(); }
  uint64_t dropped() const override { return dropped_; }

 private:
  // Order within a host: priority descending, then arrival.
  using Key = std::pair<int, uint64_t>;

  static uint64_t Hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

  void Enqueue(FrontierItem item) {
    Key key{-static_cast<int>(item.priority), item.seq};
    std::string host = item.host;
    queues_[host].emplace(key, std::move(item));
  }

  size_t max_queued_;
  size_t queued_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t dropped_ = 0;
  std::unordered_set<uint64_t> seen_;
  std::unordered_map<std::string, std::map<Key, FrontierItem>> queues_;
};

}  // namespace

std::unique_ptr<Frontier> NewMemoryFrontier(size_t max_queued) {
  return std::make_unique<MemoryFrontier>(max_queued);
}

}  // namespace jikji::crawler
