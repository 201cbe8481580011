// The persistent frontier: a RocksDB of its own with two column families.
//
//   queue: key   = host bytes, 0x00, (255 - priority), seq (8 bytes, big-endian)
//          value = kind (1) | depth (4) | attempts (4) | enqueued_micros (8) | url
//          (fixed-width fields little-endian). Keys of one host are
//          contiguous and come out highest priority first, then in
//          arrival order.
//   seen:  key   = XXH3-64 of the normalized URL (8 bytes, big-endian), empty value.
//
// Memory: per host, a count and at most a few hundred read-ahead items; an
// in-memory Bloom filter over the seen set (10 bits a URL: 6 MB for 5
// million), so that the common case of a new URL costs no disk lookup;
// everything else stays on disk behind a bounded block cache. Universal
// compaction: the queue is written once and deleted once, so level
// compaction's repeated rewrites (which made a 5-million-URL queue crawl)
// buy nothing.
#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <xxhash.h>

#include "crawler/frontier.h"
#include "storage/info_log.h"

namespace jikji::crawler {
namespace {

constexpr const char* kQueueCf = "queue";
constexpr const char* kSeenCf = "seen";
constexpr size_t kValueFixed = 1 + 4 + 4 + 8;

void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetFixed(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

std::string HostPrefix(std::string_view host) {
  std::string p(host);
  p.push_back('\0');
  return p;
}

std::string QueueKey(const FrontierItem& item) {
  std::string key = HostPrefix(item.host);
  key.push_back(static_cast<char>(255 - item.priority));
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((item.seq >> (8 * i)) & 0xff));
  return key;
}

std::string SeenKeyOf(uint64_t h) {
  std::string key(8, '\0');
  for (int i = 0; i < 8; ++i) key[i] = static_cast<char>((h >> (8 * (7 - i))) & 0xff);
  return key;
}

// The inverse of SeenKeyOf; `key` has 8 bytes.
uint64_t HashOfSeenKey(std::string_view key) {
  uint64_t h = 0;
  for (int i = 0; i < 8; ++i) h = (h << 8) | static_cast<unsigned char>(key[i]);
  return h;
}

std::string EncodeValue(const FrontierItem& item) {
  std::string v;
  v.reserve(kValueFixed + item.url.size());
  v.push_back(static_cast<char>(item.kind));
  PutFixed(&v, static_cast<uint32_t>(item.depth), 4);
  PutFixed(&v, static_cast<uint32_t>(item.attempts), 4);
  PutFixed(&v, static_cast<uint64_t>(item.enqueued_micros), 8);
  v.append(item.url);
  return v;
}

// Parses a queue entry; false for a malformed one (skipped, never fatal).
bool DecodeEntry(const rocksdb::Slice& key, const rocksdb::Slice& value, FrontierItem* item) {
  const char* k = key.data();
  size_t n = key.size();
  const void* zero = std::memchr(k, 0, n);
  if (!zero) return false;
  size_t host_len = static_cast<const char*>(zero) - k;
  if (n != host_len + 1 + 1 + 8 || value.size() < kValueFixed) return false;
  item->host.assign(k, host_len);
  item->priority = static_cast<uint8_t>(255 - static_cast<unsigned char>(k[host_len + 1]));
  uint64_t seq = 0;
  for (int i = 0; i < 8; ++i) seq = (seq << 8) | static_cast<unsigned char>(k[host_len + 2 + i]);
  item->seq = seq;
  const char* v = value.data();
  item->kind = static_cast<UrlKind>(v[0]);
  item->depth = static_cast<int>(GetFixed(v + 1, 4));
  item->attempts = static_cast<int>(GetFixed(v + 5, 4));
  item->enqueued_micros = static_cast<int64_t>(GetFixed(v + 9, 8));
  item->url.assign(v + kValueFixed, value.size() - kValueFixed);
  item->site = -1;
  return true;
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  std::string msg = what + ": " + s.ToString();
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return Status::FailedPrecondition(msg + " (is another jikji using this archive?)");
  }
  if (s.IsNoSpace()) return Status::ResourceExhausted(msg);
  if (s.IsCorruption()) return Status::DataLoss(msg);
  return Status::IOError(msg);
}

// A scalable Bloom filter over 64-bit hashes: a chain of fixed-size filters,
// a new one when the last is full, so memory grows with the number of keys
// (10 bits each, about 1% false positives per filter) and never needs a
// rebuild.
class SeenFilter {
 public:
  static constexpr size_t kKeysPerFilter = 1 << 20;
  static constexpr size_t kBitsPerKey = 10;
  static constexpr int kProbes = 7;

  void Add(uint64_t h) {
    if (filters_.empty() || count_in_last_ >= kKeysPerFilter) {
      filters_.emplace_back(kKeysPerFilter * kBitsPerKey / 64, 0);
      count_in_last_ = 0;
    }
    std::vector<uint64_t>& bits = filters_.back();
    ForEachProbe(h, bits.size() * 64, [&](size_t bit) { bits[bit / 64] |= uint64_t{1} << (bit % 64); });
    ++count_in_last_;
  }

  bool MayContain(uint64_t h) const {
    for (const std::vector<uint64_t>& bits : filters_) {
      bool all = true;
      ForEachProbe(h, bits.size() * 64, [&](size_t bit) {
        all = all && (bits[bit / 64] >> (bit % 64) & 1);
      });
      if (all) return true;
    }
    return false;
  }

  void Clear() {
    filters_.clear();
    count_in_last_ = 0;
  }

 private:
  template <typename F>
  static void ForEachProbe(uint64_t h, size_t nbits, F f) {
    // Double hashing (Kirsch-Mitzenmacher) from the two halves of h.
    uint64_t a = h & 0xffffffff, b = (h >> 32) | 1;
    for (int i = 0; i < kProbes; ++i) f(static_cast<size_t>((a + i * b) % nbits));
  }

  std::vector<std::vector<uint64_t>> filters_;
  size_t count_in_last_ = 0;
};

uint64_t SeenHash(std::string_view url) { return XXH3_64bits(url.data(), url.size()); }

class RocksFrontier : public Frontier {
 public:
  RocksFrontier(const RocksFrontierOptions& options, rocksdb::DB* db,
                std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : options_(options), db_(db), handles_(std::move(handles)) {
    queue_ = handles_[1];
    seen_ = handles_[2];
  }

  ~RocksFrontier() override {
    // Best effort: a frontier closed with its memtables written leaves no
    // WAL to replay at the next start, and holds its pushed-then-popped
    // entries as a few tombstones instead of a log of every push (a crawl of
    // the bench site: 859 KB of WAL -> 108 KB of SST files). After an
    // error the WAL still holds every write.
    static_cast<void>(db_->Flush(rocksdb::FlushOptions(), handles_));
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    delete db_;
  }

  // Counts what a previous run left (every entry is waiting again) and
  // fills the seen filter.
  Status Load() {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), queue_));
    FrontierItem item;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!DecodeEntry(it->key(), it->value(), &item)) continue;
      ++hosts_[item.host].total;
      ++queued_;
      next_seq_ = std::max(next_seq_, item.seq + 1);
    }
    if (!it->status().ok()) return FromRocks(it->status(), "frontier load");
    std::unique_ptr<rocksdb::Iterator> seen(db_->NewIterator(rocksdb::ReadOptions(), seen_));
    for (seen->SeekToFirst(); seen->Valid(); seen->Next()) {
      if (seen->key().size() != 8) continue;
      filter_.Add(HashOfSeenKey(seen->key().ToStringView()));
    }
    return FromRocks(seen->status(), "frontier load");
  }

  bool Push(FrontierItem item) override {
    if (!status_.ok()) return false;
    const uint64_t h = SeenHash(item.url);
    if (SeenHashExists(h)) return false;
    return Add(std::move(item), h);
  }

  bool Requeue(FrontierItem item) override {
    if (!status_.ok()) return false;
    const uint64_t h = SeenHash(item.url);
    return Add(std::move(item), h);
  }

  // Queues without the seen check; marks the URL (SeenHash `h`) seen.
  bool Add(FrontierItem item, uint64_t h) {
    if (queued_ >= options_.max_queued) {
      ++dropped_;
      return false;
    }
    rocksdb::WriteBatch batch;
    std::string key = Stage(&item, h, &batch);
    if (!Write(&batch)) return false;
    Admit(std::move(key), std::move(item), h);
    return true;
  }

  size_t PushAllThenDone(std::vector<FrontierItem> items, const FrontierItem& done) override {
    rocksdb::WriteBatch batch;
    struct Staged {
      std::string key;
      FrontierItem item;
      uint64_t hash;
    };
    std::vector<Staged> staged;
    std::unordered_set<uint64_t> staged_hashes;  // two links of one page to one URL: queued once
    staged_hashes.reserve(items.size());
    for (FrontierItem& item : items) {
      if (!status_.ok()) break;
      const uint64_t h = SeenHash(item.url);
      if (SeenHashExists(h) || staged_hashes.contains(h)) continue;
      if (queued_ + staged.size() >= options_.max_queued) {
        ++dropped_;
        continue;
      }
      staged_hashes.insert(h);
      std::string key = Stage(&item, h, &batch);
      staged.push_back({std::move(key), std::move(item), h});
    }
    // The page last, in the same batch: a crash leaves both or neither.
    const std::string done_key = QueueKey(done);
    auto host = hosts_.find(done.host);
    const bool in_flight = host != hosts_.end() && host->second.in_flight.count(done_key) > 0;
    if (in_flight) batch.Delete(queue_, done_key);
    if (batch.Count() > 0 && !Write(&batch)) return 0;
    for (Staged& st : staged) Admit(std::move(st.key), std::move(st.item), st.hash);
    if (in_flight) Forget(done.host, done_key);
    return staged.size();
  }

  // Adds the writes that queue `item` (a new arrival number; `h` its
  // SeenHash) to `batch`; returns its queue key.
  std::string Stage(FrontierItem* item, uint64_t h, rocksdb::WriteBatch* batch) {
    item->seq = next_seq_++;
    std::string key = QueueKey(*item);
    batch->Put(seen_, SeenKeyOf(h), rocksdb::Slice());
    batch->Put(queue_, key, EncodeValue(*item));
    return key;
  }

  // The in-memory side of a queued item, once its writes are in.
  void Admit(std::string key, FrontierItem item, uint64_t h) {
    filter_.Add(h);
    HostQueue& q = hosts_[item.host];
    ++q.total;
    ++queued_;
    // An item that sorts before the read-ahead point would be missed by
    // the next refill: keep it in memory, or make the refill start over.
    if (!q.resume_key.empty() && key < q.resume_key) {
      if (q.buffer.size() < options_.host_buffer * 4) q.buffer.emplace(std::move(key), std::move(item));
      else q.resume_key.clear();
    }
  }

  void Retry(FrontierItem item) override {
    std::string key = QueueKey(item);
    rocksdb::WriteBatch batch;
    batch.Put(queue_, key, EncodeValue(item));
    Write(&batch);
    HostQueue& q = hosts_[item.host];
    if (q.in_flight.erase(key) == 0) return;  // not popped: nothing to put back
    q.buffer.emplace(std::move(key), std::move(item));
  }

  void Done(const FrontierItem& item) override {
    std::string key = QueueKey(item);
    auto it = hosts_.find(item.host);
    if (it == hosts_.end() || it->second.in_flight.count(key) == 0) return;
    rocksdb::WriteBatch batch;
    batch.Delete(queue_, key);
    Write(&batch);
    Forget(item.host, key);
  }

  // The in-memory side of Done() for a popped item.
  void Forget(const std::string& host, const std::string& key) {
    auto it = hosts_.find(host);
    if (it == hosts_.end() || it->second.in_flight.erase(key) == 0) return;
    --it->second.total;
    --queued_;
    if (it->second.total == 0) hosts_.erase(it);
  }

  bool Seen(std::string_view url) const override { return SeenHashExists(SeenHash(url)); }

  void MarkSeen(std::string_view url) override {
    const uint64_t h = SeenHash(url);
    rocksdb::WriteBatch batch;
    batch.Put(seen_, SeenKeyOf(h), rocksdb::Slice());
    if (Write(&batch)) filter_.Add(h);
  }

  std::optional<FrontierItem> Pop(std::string_view host) override {
    auto it = hosts_.find(std::string(host));
    if (it == hosts_.end()) return std::nullopt;
    HostQueue& q = it->second;
    if (q.buffer.empty() && q.Waiting() > 0) Refill(host, &q);
    if (q.buffer.empty()) return std::nullopt;
    auto first = q.buffer.begin();
    FrontierItem item = std::move(first->second);
    q.in_flight.insert(first->first);
    q.buffer.erase(first);
    return item;
  }

  size_t QueuedFor(std::string_view host) const override {
    auto it = hosts_.find(std::string(host));
    return it == hosts_.end() ? 0 : it->second.Waiting();
  }

  size_t Queued() const override { return queued_; }

  std::vector<std::string> Hosts() const override {
    std::vector<std::string> hosts;
    for (const auto& [host, q] : hosts_) {
      if (q.Waiting() > 0) hosts.push_back(host);
    }
    return hosts;
  }

  void ClearSeen() override {
    // Two sentinels bracket every 8-byte key.
    std::string begin(8, '\0'), end(9, '\xff');
    rocksdb::Status s = db_->DeleteRange(rocksdb::WriteOptions(), seen_, begin, end);
    if (!s.ok() && status_.ok()) status_ = FromRocks(s, "frontier clear");
    if (s.ok()) filter_.Clear();
  }

  uint64_t dropped() const override { return dropped_; }
  Status status() const override { return status_; }

 private:
  struct HostQueue {
    size_t total = 0;  // entries on disk: waiting + in flight
    std::map<std::string, FrontierItem> buffer;  // read ahead, waiting
    std::unordered_set<std::string> in_flight;   // popped, not Done
    std::string resume_key;  // refill continues here; empty: from the start
    size_t Waiting() const { return total - in_flight.size(); }
  };

  void Refill(std::string_view host, HostQueue* q) {
    std::string prefix = HostPrefix(host);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), queue_));
    FrontierItem item;
    std::string last;
    for (it->Seek(q->resume_key.empty() ? prefix : q->resume_key);
         it->Valid() && it->key().starts_with(prefix) && q->buffer.size() < options_.host_buffer; it->Next()) {
      std::string key = it->key().ToString();
      last = key;
      if (q->in_flight.count(key) || q->buffer.count(key)) continue;
      if (!DecodeEntry(it->key(), it->value(), &item)) continue;
      q->buffer.emplace(std::move(key), item);
    }
    if (!it->status().ok() && status_.ok()) status_ = FromRocks(it->status(), "frontier read");
    if (!last.empty()) q->resume_key = last + '\0';
  }

  bool SeenHashExists(uint64_t h) const {
    if (!filter_.MayContain(h)) return false;  // the common case: a new URL
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), seen_, SeenKeyOf(h), &value);
    return s.ok();
  }

  bool Write(rocksdb::WriteBatch* batch) {
    rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), batch);
    if (s.ok()) return true;
    if (status_.ok()) status_ = FromRocks(s, "frontier write");
    return false;
  }

  RocksFrontierOptions options_;
  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* queue_ = nullptr;
  rocksdb::ColumnFamilyHandle* seen_ = nullptr;
  std::unordered_map<std::string, HostQueue> hosts_;
  SeenFilter filter_;  // every key of the seen CF (and some false positives)
  size_t queued_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t dropped_ = 0;
  Status status_;
};

}  // namespace

Result<std::unique_ptr<Frontier>> NewRocksFrontier(const std::string& dir,
                                                   const RocksFrontierOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_open_files = 256;
  db_options.write_buffer_size = options.write_buffer_bytes;
  db_options.max_write_buffer_number = 2;
  db_options.compression = rocksdb::kLZ4Compression;
  db_options.info_log = storage::NewInfoLog(dir);

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.cache_index_and_filter_blocks = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf(db_options);
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.compaction_style = rocksdb::kCompactionStyleUniversal;

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, cf}, {kQueueCf, cf}, {kSeenCf, cf}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, cfs, &handles, &db);
  if (!s.ok()) return FromRocks(s, "cannot open frontier " + dir);
  auto frontier = std::make_unique<RocksFrontier>(options, db, std::move(handles));
  Status loaded = frontier->Load();
  if (!loaded.ok()) return loaded;
  return std::unique_ptr<Frontier>(std::move(frontier));
}

}  // namespace jikji::crawler
