// The RocksDB archive. Format: storage/README.md.
#include "storage/archive.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <xxhash.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <cctype>
#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "storage/info_log.h"
#include "storage/internal/records.h"

namespace jikji::storage {
namespace {

using internal::CaptureRecord;
using internal::ContentRecord;
using internal::UrlRecord;
using internal::VersionRecord;

// Column family names, in the order of the handles_ array.
enum Cf { kMeta, kCaptures, kRaw, kVersions, kUrls, kContent, kSimhash, kByTime, kChanges, kNumCfs };
constexpr const char* kCfNames[kNumCfs] = {"meta",    "captures", "raw",     "versions", "urls",
                                           "content", "simhash",  "by_time", "changes"};

constexpr size_t kLockStripes = 64;
constexpr int kMaxCaptureKeyProbes = 1024;
// Bodies below this stay in SST blocks, where zstd with a trained
// dictionary and large blocks removes the chrome pages share; larger ones go
// to blob files.
constexpr uint64_t kMinBlobBytes = 512 << 10;
constexpr size_t kRawBlockBytes = 256 << 10;
constexpr size_t kRawWriteBufferBytes = 16 << 20;
constexpr int kRawL0CompactionTrigger = 8;
// zstd level of flushes and upper levels, and of the bottommost level that
// compactions write (RocksDB's usual split: a flush is on the write path,
// a bottommost compaction is not). Measured on the bench site (4,489 pages,
// flush jobs' seconds from the RocksDB LOG, archive size after the crawl):
// level 9: 1.53 s, 8.7 MB; level 6: 1.16 s, 9.3 MB; level 3: 0.87 s,
// 10.2 MB. Level 3 since the small column families are compressed with
// zstd too and the frontier is flushed when a crawl ends (4,533 pages:
// archive 9.57 MB at level 3 instead of 9.74 MB at level 6 with lz4 and
// the frontier's WAL; crawl CPU -6%).
constexpr int kZstdFlushLevel = 3;
constexpr int kZstdBottomLevel = 9;
constexpr uint32_t kZstdDictBytes = 112 << 10;
// Data sampled per SST file for its dictionary. 16x the dictionary instead
// of 100x: peak RSS of a crawl of the bench site 232 MB -> 135 MB (with
// kRawWriteBufferBytes), archive 3% bigger, same crawl time. The table
// builder buffers no more than the sample (max_dict_buffer_bytes; without it
// a flush holds the whole file's blocks until it ends): the same crawl's
// page faults 62,000 -> 38,000, peak RSS 135 MB -> 123 MB, same archive size.
constexpr uint32_t kZstdTrainBytes = 16 * kZstdDictBytes;
// false: the dictionary is the sampled data itself, finalized
// (ZDICT_finalizeDictionary) instead of trained (ZDICT_trainFromBuffer).
// Measured on the bench site (bench/crawl-bench.sh): training took ~10% of
// a crawl's CPU, for an archive ~10% smaller.
constexpr bool kZstdDictTrainer = false;
constexpr int kBloomBitsPerKey = 10;
constexpr size_t kSimhashPrefixBytes = 3;
// Store()'s WriteBatch beyond the body and the text: keys, records, counters.
constexpr size_t kBatchOverheadBytes = 4096;
// Of a 64 MB memtable: 5 Mbit, ~50 bits per key for the 100,000 keys such a
// memtable of URL states or hashes holds (0.05 cost ~10 MB of RSS).
constexpr double kMemtablePrefixBloomRatio = 0.01;
constexpr size_t kMaxWriteBufferBytesTotal = 128 << 20;
constexpr int kMaxBackgroundFlushes = 2;
// How long Flush() waits for flushes it did not start (a memtable full).
constexpr int kMaxFlushWaitMs = 60'000;
constexpr int kMaxBackgroundCompactions = 2;
constexpr int64_t kMaxRawBodyBytes = int64_t{1} << 30;  // 1 GiB: a RocksDB value bound

constexpr const char kSchemaKey[] = "schema";
constexpr const char kNamedPrefix[] = "x/";
// meta counters (storage/README.md "meta"). Schema 4: one packed value for
// the archive and one per site, so that a Store() adds two merge operands
// instead of up to nine (each one a memtable insert).
constexpr const char kCountersKey[] = "counters";
constexpr const char kSiteCountersPrefix[] = "counters/";
enum GlobalCounter {
  kUrlsCount, kCapturesCount, kRawBodiesCount, kArticlesCount, kVersionsCount, kDuplicatesCount,
  kNumGlobalCounters
};
enum SiteCounter { kSiteUrlsCount, kSiteArticlesCount, kSiteVersionsCount, kNumSiteCounters };
constexpr const char* kGlobalCounterNames[kNumGlobalCounters] = {
    "urls", "captures", "raw_bodies", "articles", "versions", "duplicates"};
constexpr const char* kSiteCounterNames[kNumSiteCounters] = {"urls", "articles", "versions"};
// Schema 3's keys, one per counter: n/<name>, s/<site>/<name>.
constexpr const char kOldCounterPrefix[] = "n/";
constexpr const char kOldSitePrefix[] = "s/";

using GlobalCounts = std::array<int64_t, kNumGlobalCounters>;
using SiteCounts = std::array<int64_t, kNumSiteCounters>;
struct CounterTotals {
  GlobalCounts global{};
  std::map<std::string, SiteCounts> sites;
};

template <size_t N>
int IndexOf(const char* const (&names)[N], std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<int>(i);
  }
  return -1;
}

// Adds one meta entry to `totals` if it is a counter, in either layout
// (a schema-3 archive opened read-only keeps its old keys). Returns whether
// it was one; DataLoss for an undecodable value.
Result<bool> AddCounterEntry(std::string_view key, std::string_view value, CounterTotals* totals) {
  auto add_packed = [&](int64_t* counts, size_t n) -> Status {
    Result<std::vector<int64_t>> v = internal::DecodeCounters(value);
    if (!v.ok()) return v.status().WithContext(std::string(key));
    for (size_t i = 0; i < n && i < v->size(); ++i) counts[i] += (*v)[i];
    return Status::Ok();
  };
  if (key == kCountersKey) {
    Status st = add_packed(totals->global.data(), kNumGlobalCounters);
    if (!st.ok()) return st;
    return true;
  }
  if (key.starts_with(kSiteCountersPrefix)) {
    SiteCounts& site = totals->sites[std::string(key.substr(sizeof(kSiteCountersPrefix) - 1))];
    Status st = add_packed(site.data(), kNumSiteCounters);
    if (!st.ok()) return st;
    return true;
  }
  auto one = [&]() -> Result<int64_t> {
    Result<int64_t> v = internal::DecodeCounter(value);
    if (!v.ok()) return v.status().WithContext(std::string(key));
    return v;
  };
  if (key.starts_with(kOldCounterPrefix)) {
    const int i = IndexOf(kGlobalCounterNames, key.substr(sizeof(kOldCounterPrefix) - 1));
    if (i < 0) return false;
    Result<int64_t> v = one();
    if (!v.ok()) return v.status();
    totals->global[static_cast<size_t>(i)] += *v;
    return true;
  }
  if (key.starts_with(kOldSitePrefix)) {
    std::string_view rest = key.substr(sizeof(kOldSitePrefix) - 1);
    const size_t slash = rest.rfind('/');
    if (slash == std::string_view::npos) return false;
    const int i = IndexOf(kSiteCounterNames, rest.substr(slash + 1));
    if (i < 0) return false;
    Result<int64_t> v = one();
    if (!v.ok()) return v.status();
    totals->sites[std::string(rest.substr(0, slash))][static_cast<size_t>(i)] += *v;
    return true;
  }
  return false;
}

Status ToStatus(const rocksdb::Status& s, std::string_view context);

// Every counter of the meta column family `it` walks.
Result<CounterTotals> ReadCounters(rocksdb::Iterator* it) {
  CounterTotals totals;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Result<bool> counted =
        AddCounterEntry(it->key().ToStringView(), it->value().ToStringView(), &totals);
    if (!counted.ok()) return counted.status();
  }
  if (!it->status().ok()) return ToStatus(it->status(), "scan meta");
  return totals;
}

// Adds the operands of the meta counters: little-endian int64s, element by
// element (internal::AddCounters); a schema-3 counter is one of them.
class Int64AddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    Result<std::string> sum = internal::AddCounters(
        existing != nullptr ? existing->ToStringView() : std::string_view(), value.ToStringView());
    if (!sum.ok()) return false;
    *new_value = std::move(sum).value();
    return true;
  }
  const char* Name() const override { return "jikji.Int64Add"; }
};

// True when RocksDB could not take the DB's LOCK: another process or
// another instance in this one has it open.
bool IsLockError(const rocksdb::Status& s) {
  if (!s.IsIOError()) return false;
  // RocksDB 7.8 says "While lock file: DIR/LOCK: Resource temporarily
  // unavailable" (another process) or "lock hold by current process ...
  // DIR/LOCK: No locks available" (this one). Plain "lock" would also
  // match "block".
  const std::string text = s.ToString();
  return text.find("/LOCK") != std::string::npos || text.find("lock file") != std::string::npos ||
         text.find("lock hold") != std::string::npos;
}

// Discards RocksDB's info log. BackupArchive's open attempt uses it: DB::Open
// creates the info log (renaming the holder's LOG to LOG.old.*) before it
// finds the lock taken.
class NullLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

Status ToStatus(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(context) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::DataLoss(msg);
  if (s.IsNoSpace()) return Status::ResourceExhausted(msg);
  if (s.IsIOError()) {
    if (IsLockError(s)) {
      return Status::FailedPrecondition(msg + " (another process or instance holds the archive)");
    }
    return Status::IOError(msg);
  }
  if (s.IsInvalidArgument()) {
    if (s.ToString().find("does not exist") != std::string::npos) return Status::NotFound(msg);
    return Status::InvalidArgument(msg);
  }
  if (s.IsNotSupported()) return Status::FailedPrecondition(msg);
  return Status::Internal(msg);
}

rocksdb::CompressionType Pick(const std::vector<rocksdb::CompressionType>& supported,
                              std::initializer_list<rocksdb::CompressionType> wanted) {
  for (rocksdb::CompressionType c : wanted) {
    if (std::find(supported.begin(), supported.end(), c) != supported.end()) return c;
  }
  return rocksdb::kNoCompression;
}

// meta/schema's value. Errors: DataLoss when malformed; FailedPrecondition
// when newer than this build's schema.
Result<int> ParseSchemaVersion(const std::string& value) {
  int version = 0;
  for (char c : value) {
    if (c < '0' || c > '9' || version > 1'000'000) {
      return Status::DataLoss("bad schema version '" + value + "'");
    }
    version = version * 10 + (c - '0');
  }
  if (value.empty()) return Status::DataLoss("empty schema version");
  if (version > internal::kSchemaVersion) {
    return Status::FailedPrecondition("archive schema " + std::to_string(version) +
                                      " is newer than this build's " +
                                      std::to_string(internal::kSchemaVersion));
  }
  return version;
}

// Sets the compression `picked` (zstd when this RocksDB has it). zstd gets a
// dictionary per SST file, kZstdFlushLevel for flushes and kZstdBottomLevel
// for the bottommost level.
void SetZstd(rocksdb::CompressionType picked, rocksdb::ColumnFamilyOptions* o) {
  o->compression = picked;
  if (picked != rocksdb::kZSTD) return;
  rocksdb::CompressionOptions c;
  c.max_dict_bytes = kZstdDictBytes;
  c.zstd_max_train_bytes = kZstdTrainBytes;
  c.max_dict_buffer_bytes = kZstdTrainBytes;
  c.use_zstd_dict_trainer = kZstdDictTrainer;
  c.enabled = true;
  c.level = kZstdFlushLevel;
  o->compression_opts = c;
  c.level = kZstdBottomLevel;
  o->bottommost_compression = rocksdb::kZSTD;
  o->bottommost_compression_opts = c;
}

// zstd without a dictionary for the small column families of hashes, URLs
// and keys (a dictionary is ~100 KB per file, more than many of their
// files): a fifth smaller than lz4 on the bench site (simhash 1.16 -> 0.90
// MB, urls 0.44 -> 0.34 MB), for no CPU that a crawl shows.
constexpr int kZstdSmallLevel = 3;

void SetZstdSmall(rocksdb::CompressionType picked, rocksdb::ColumnFamilyOptions* o) {
  o->compression = picked;
  if (picked == rocksdb::kZSTD) o->compression_opts.level = kZstdSmallLevel;
}

// The options of column family `cf` (a Cf). The live backup opens both the
// secondary and the copy with these, so a copy has the archive's schema.
rocksdb::ColumnFamilyOptions MakeCfOptions(int cf,
                                           const std::vector<rocksdb::CompressionType>& supported,
                                           const std::shared_ptr<rocksdb::Cache>& cache,
                                           const std::shared_ptr<rocksdb::MergeOperator>& counter_op) {
  using rocksdb::kLZ4Compression;
  using rocksdb::kSnappyCompression;
  using rocksdb::kZSTD;
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  rocksdb::CompressionType zstd = Pick(supported, {kZSTD, kLZ4Compression, kSnappyCompression});
  rocksdb::CompressionType lz4 = Pick(supported, {kLZ4Compression, kSnappyCompression});
  switch (cf) {
    case kMeta:
      o.compression = lz4;
      o.merge_operator = counter_op;
      break;
    case kCaptures:
    case kVersions:
      SetZstd(zstd, &o);
      table.block_size = 64 << 10;
      break;
    case kSimhash:
      SetZstdSmall(zstd, &o);
      // Near-duplicate lookups seek 8 ranges per stored article (4 SimHash
      // buckets, 4 paragraph hashes), nearly all empty: prefix blooms in
      // the memtable and the SST files answer those without a seek
      // (FindNearDuplicate's cost -70%, Store's -7%, on the bench pages).
      // Every range is within one kSimhashPrefixBytes prefix (table byte +
      // 16 bucket bits; space byte + the first 2 bytes of a hash). Whole
      // scans set total_order_seek.
      o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kSimhashPrefixBytes));
      o.memtable_prefix_bloom_size_ratio = kMemtablePrefixBloomRatio;
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kBloomBitsPerKey));
      break;
    case kByTime:
    case kChanges:
      SetZstdSmall(zstd, &o);
      break;
    case kRaw:
      SetZstd(zstd, &o);
      table.block_size = kRawBlockBytes;
      // Bodies arrive at about 15 MB/s in a crawl. Smaller memtables hold
      // less memory and are flushed while the crawl runs, so the flush it
      // ends with is at most this big (a 64 MB one took ~0.7 s on one core
      // after the last page); the dictionaries of more files cost about
      // what that saves. More level-0 files before a compaction, so that a
      // crawl of a few thousand pages does not rewrite its bodies at
      // kZstdBottomLevel.
      o.write_buffer_size = kRawWriteBufferBytes;
      o.level0_file_num_compaction_trigger = kRawL0CompactionTrigger;
      o.enable_blob_files = true;
      o.min_blob_size = kMinBlobBytes;
      o.blob_compression_type = zstd;
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kBloomBitsPerKey));
      break;
    case kUrls:
    case kContent:
      SetZstdSmall(zstd, &o);
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kBloomBitsPerKey));
      // Store() looks up each URL and text hash, most of them new: a
      // memtable bloom answers those without a skiplist search (Store -1.4%).
      o.memtable_whole_key_filtering = true;
      o.memtable_prefix_bloom_size_ratio = kMemtablePrefixBloomRatio;
      break;
    default:
      break;
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return o;
}


std::string_view HeaderValue(const Capture& capture, std::string_view lower_name) {
  for (const auto& [name, value] : capture.headers) {
    if (name.size() != lower_name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(name[i])) == lower_name[i];
    }
    if (same) return value;
  }
  return {};
}

size_t StripeOf(std::string_view bytes) {
  return XXH3_64bits(bytes.data(), bytes.size()) % kLockStripes;
}

bool SameUrlKey(const std::string& url, const std::string& urlkey) {
  Result<internal::UrlKey> key = internal::MakeUrlKey(url);
  return key.ok() && key->key == urlkey;
}

// Bound on the entries one near-duplicate bucket scan reads (README
// "simhash": a bucket holds N / 2^16 entries on average).
constexpr size_t kMaxNearDupBucketScan = 1 << 16;
// Postings read per sketch segment hash; a segment held by this many
// versions is boilerplate and ignored (README "simhash").
constexpr size_t kMaxSketchPostings = 1024;
// Candidate versions read and compared per lookup.
constexpr size_t kMaxNearDupConfirmations = 16;
// Sketch entries written per migration batch (schema 2 -> 3).
constexpr size_t kMigrationBatchEntries = 4096;

ArticleRecord MakeRecord(const UrlState& state, const std::string& site, VersionRecord v) {
  ArticleRecord out;
  out.url = state.url;
  out.site = site;
  out.version = v.version;
  out.fetched_micros = v.fetched_micros;
  out.http_status = v.http_status;
  out.content_hash = internal::HexOf(v.content_hash);
  out.duplicate_of = state.duplicate_of;
  out.near_duplicate_of = std::move(v.near_duplicate_of);
  out.extractor_version = v.extractor_version;
  out.relevance = v.relevance;
  out.simhash = v.simhash;
  out.sequence = v.sequence;
  out.article = std::move(v.article);
  return out;
}

using CfArray = std::array<rocksdb::ColumnFamilyHandle*, kNumCfs>;

// Every article scan (README "Reading"): one snapshot, one underlying
// RocksDB iterator, point reads for the rest.
class ScanIterator : public ArticleIterator {
 public:
  ScanIterator(rocksdb::DB* db, const CfArray& cf, ArticleScan scan)
      : db_(db), cf_(cf), scan_(std::move(scan)), snapshot_(db->GetSnapshot()) {
    ro_.snapshot = snapshot_;
    ro_.fill_cache = false;  // a full scan should not evict the working set
    rocksdb::ReadOptions it_ro = ro_;
    const bool windowed =
        scan_.since_fetched_micros != INT64_MIN || scan_.until_fetched_micros != INT64_MAX;
    if (scan_.changes) {
      mode_ = kChangeFeed;
      it_.reset(db_->NewIterator(it_ro, cf_[kChanges]));
      it_->Seek(internal::ChangeKey(scan_.after_sequence + 1));
    } else if (windowed) {
      mode_ = kTimeRange;
      internal::PutBigEndian64(&lower_, static_cast<uint64_t>(std::max<int64_t>(
                                            scan_.since_fetched_micros, 0)));
      if (scan_.until_fetched_micros != INT64_MAX) {
        internal::PutBigEndian64(&upper_, static_cast<uint64_t>(std::max<int64_t>(
                                              scan_.until_fetched_micros, 0)));
        upper_slice_ = rocksdb::Slice(upper_);
        it_ro.iterate_upper_bound = &upper_slice_;
      }
      it_.reset(db_->NewIterator(it_ro, cf_[kByTime]));
      it_->Seek(lower_);
    } else if (scan_.all_versions) {
      mode_ = kAllVersions;
      it_.reset(db_->NewIterator(it_ro, cf_[kVersions]));
      it_->SeekToFirst();
    } else {
      mode_ = kLatest;
      it_.reset(db_->NewIterator(it_ro, cf_[kUrls]));
      it_->SeekToFirst();
    }
    Settle();
  }
  ~ScanIterator() override {
    it_.reset();
    db_->ReleaseSnapshot(snapshot_);
  }

  bool Valid() const override { return valid_; }
  void Next() override {
    if (!valid_) return;
    it_->Next();
    Settle();
  }
  const ArticleRecord& record() const override { return record_; }
  Status status() const override { return status_; }

 private:
  enum Mode { kLatest, kAllVersions, kTimeRange, kChangeFeed };

  void Settle() {
    valid_ = false;
    for (; it_->Valid(); it_->Next()) {
      bool row = false;
      Status s = Load(&row);
      if (!s.ok()) {
        status_ = s;
        return;
      }
      if (row && Passes()) {
        valid_ = true;
        return;
      }
    }
    if (!it_->status().ok()) status_ = ToStatus(it_->status(), "scan");
  }

  bool Passes() const {
    if (record_.fetched_micros < scan_.since_fetched_micros ||
        record_.fetched_micros >= scan_.until_fetched_micros) {
      return false;
    }
    return scan_.site.empty() || record_.site == scan_.site;
  }

  // Reads urls[urlkey] (cached for runs of one URL).
  Status Url(const std::string& urlkey, const UrlRecord** out) {
    if (!cached_key_.empty() && cached_key_ == urlkey) {
      *out = &cached_url_;
      return Status::Ok();
    }
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(ro_, cf_[kUrls], urlkey, &value);
    if (!s.ok()) {
      return s.IsNotFound() ? Status::DataLoss("version without URL state") : ToStatus(s, "read url");
    }
    Result<UrlRecord> r = internal::DecodeUrlRecord(value.ToStringView());
    if (!r.ok()) return r.status();
    cached_url_ = std::move(r).value();
    cached_key_ = urlkey;
    Result<internal::UrlKey> k = internal::MakeUrlKey(cached_url_.state.url);
    cached_site_ = k.ok() ? k->site : std::string();
    *out = &cached_url_;
    return Status::Ok();
  }

  Result<VersionRecord> Version(const std::string& urlkey, uint32_t version) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(ro_, cf_[kVersions], internal::VersionKey(urlkey, version), &value);
    if (s.IsNotFound()) return Status::DataLoss("version record missing");
    if (!s.ok()) return ToStatus(s, "read version");
    return internal::DecodeVersionRecord(value.ToStringView());
  }

  // Fills record_ from the entry under it_; *row false when it yields none.
  Status Load(bool* row) {
    std::string urlkey;
    uint32_t version = 0;
    const UrlRecord* url = nullptr;
    switch (mode_) {
      case kLatest: {
        Result<UrlRecord> r = internal::DecodeUrlRecord(it_->value().ToStringView());
        if (!r.ok()) return r.status().WithContext("urls/" + it_->key().ToString());
        cached_url_ = std::move(r).value();
        cached_key_ = it_->key().ToString();
        Result<internal::UrlKey> k = internal::MakeUrlKey(cached_url_.state.url);
        cached_site_ = k.ok() ? k->site : std::string();
        url = &cached_url_;
        if (!scan_.site.empty() && cached_site_ != scan_.site) return Status::Ok();
        if (!url->state.duplicate_of.empty()) {
          if (!scan_.include_aliases || url->content_hash.empty()) return Status::Ok();
          return LoadAlias(row);
        }
        if (url->state.latest_version == 0) return Status::Ok();
        urlkey = cached_key_;
        version = url->state.latest_version;
        break;
      }
      case kAllVersions: {
        std::string_view key = it_->key().ToStringView();
        if (!internal::ParseVersionRef(key, &urlkey, &version)) {
          return Status::DataLoss("bad key in versions");
        }
        Status s = Url(urlkey, &url);
        if (!s.ok()) return s;
        Result<VersionRecord> v = internal::DecodeVersionRecord(it_->value().ToStringView());
        if (!v.ok()) return v.status();
        record_ = MakeRecord(url->state, cached_site_, std::move(v).value());
        *row = true;
        return Status::Ok();
      }
      case kTimeRange:
      case kChangeFeed: {
        std::string_view ref = mode_ == kTimeRange ? it_->key().ToStringView().substr(8)
                                                   : it_->value().ToStringView();
        if (it_->key().size() < 8 || !internal::ParseVersionRef(ref, &urlkey, &version)) {
          return Status::DataLoss("bad entry in by_time/changes");
        }
        Status s = Url(urlkey, &url);
        if (!s.ok()) return s;
        if (!scan_.all_versions &&
            (version != url->state.latest_version || !url->state.duplicate_of.empty())) {
          return Status::Ok();
        }
        break;
      }
    }
    Result<VersionRecord> v = Version(urlkey, version);
    if (!v.ok()) return v.status().WithContext(url->state.url);
    record_ = MakeRecord(url->state, cached_site_, std::move(v).value());
    *row = true;
    return Status::Ok();
  }

  // An alias row: the text of the version holding the alias's content hash.
  Status LoadAlias(bool* row) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(ro_, cf_[kContent], cached_url_.content_hash, &value);
    if (s.IsNotFound()) return Status::Ok();  // verify reports it
    if (!s.ok()) return ToStatus(s, "read content index");
    Result<ContentRecord> c = internal::DecodeContentRecord(value.ToStringView());
    if (!c.ok()) return c.status();
    Result<internal::UrlKey> owner_key = internal::MakeUrlKey(c->url);
    if (!owner_key.ok()) return Status::Ok();
    Result<VersionRecord> v = Version(owner_key->key, c->version);
    if (!v.ok()) return v.status().WithContext(c->url);
    record_ = MakeRecord(cached_url_.state, cached_site_, std::move(v).value());
    record_.near_duplicate_of.clear();
    *row = true;
    return Status::Ok();
  }

  rocksdb::DB* db_;
  CfArray cf_;
  const ArticleScan scan_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions ro_;
  Mode mode_ = kLatest;
  std::string lower_, upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string cached_key_;
  UrlRecord cached_url_;
  std::string cached_site_;
  ArticleRecord record_;
  bool valid_ = false;
  Status status_;
};

// Captures in key order with their bodies, under one snapshot.
class CaptureScan : public CaptureIterator {
 public:
  CaptureScan(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* captures,
              rocksdb::ColumnFamilyHandle* raw, std::string_view start_after)
      : db_(db), raw_(raw), snapshot_(db->GetSnapshot()) {
    ro_.snapshot = snapshot_;
    ro_.fill_cache = false;
    it_.reset(db_->NewIterator(ro_, captures));
    if (start_after.empty()) {
      it_->SeekToFirst();
    } else {
      it_->Seek(rocksdb::Slice(start_after.data(), start_after.size()));
      if (it_->Valid() && it_->key().ToStringView() == start_after) it_->Next();
    }
    Load();
  }
  ~CaptureScan() override {
    it_.reset();
    db_->ReleaseSnapshot(snapshot_);
  }
  bool Valid() const override { return valid_; }
  void Next() override {
    if (!valid_) return;
    it_->Next();
    Load();
  }
  const StoredCapture& capture() const override { return current_; }
  Status status() const override { return status_; }

 private:
  void Load() {
    valid_ = false;
    if (!it_->Valid()) {
      if (!it_->status().ok()) status_ = ToStatus(it_->status(), "scan captures");
      return;
    }
    Result<CaptureRecord> c = internal::DecodeCaptureRecord(it_->value().ToStringView());
    if (!c.ok()) {
      status_ = c.status().WithContext("captures");
      return;
    }
    rocksdb::PinnableSlice body;
    rocksdb::Status s = db_->Get(ro_, raw_, c->raw_hash, &body);
    if (!s.ok()) {
      status_ = s.IsNotFound() ? Status::DataLoss("raw body missing for " + c->capture.url)
                               : ToStatus(s, "read raw body");
      return;
    }
    current_.key = it_->key().ToString();
    Result<internal::UrlKey> k = internal::MakeUrlKey(c->capture.url);
    current_.site = k.ok() ? k->site : std::string();
    current_.raw_hash = internal::HexOf(c->raw_hash);
    current_.capture = std::move(c->capture);
    current_.capture.body.assign(body.data(), body.size());
    valid_ = true;
  }

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* raw_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions ro_;
  std::unique_ptr<rocksdb::Iterator> it_;
  StoredCapture current_;
  bool valid_ = false;
  Status status_;
};

class ArchiveImpl : public Archive {
 public:
  ArchiveImpl(const ArchiveOptions& options, std::shared_ptr<rocksdb::Cache> cache)
      : options_(options), cache_(std::move(cache)) {}

  ~ArchiveImpl() override {
    if (db_ == nullptr) return;
    // Best effort: a clean close leaves an empty WAL, so tools that open the
    // directory without our merge operator still see every record (README
    // "meta"). After a write error this fails fast and is ignored: the WAL
    // still holds every acknowledged batch.
    if (!options_.read_only) static_cast<void>(Flush());
    for (rocksdb::ColumnFamilyHandle* h : all_handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close().PermitUncheckedError();
    delete db_;
  }

  Status OpenDb(const std::string& dir);
  // After a failed OpenDb(): whether it failed because the DB is locked.
  bool lock_conflict() const { return lock_conflict_; }
  // Before OpenDb(): RocksDB's info log goes to `logger` instead of DIR/LOG.
  void set_info_log(std::shared_ptr<rocksdb::Logger> logger) { info_log_ = std::move(logger); }

  Result<StoreResult> Store(const Capture& capture, const Article* article,
                            double relevance) override;
  Result<UrlState> GetUrlState(std::string_view url) override;
  Result<ArticleRecord> GetArticle(std::string_view url, uint32_t version) override;
  Result<Capture> GetLatestCapture(std::string_view url) override;
  std::unique_ptr<ArticleIterator> NewLatestArticleIterator() override {
    return NewArticleIterator(ArticleScan());
  }
  std::unique_ptr<ArticleIterator> NewArticleIterator(const ArticleScan& scan) override;
  Result<uint64_t> LastSequence() override;
  Result<std::vector<ArticleRecord>> GetVersions(std::string_view url) override;
  std::unique_ptr<CaptureIterator> NewCaptureIterator(std::string_view start_after) override;
  Result<ReextractResult> StoreReextracted(std::string_view capture_key, const Article& article,
                                           int extractor_version) override;
  Result<std::string> GetMeta(std::string_view name) override;
  Status PutMeta(std::string_view name, std::string_view value) override;
  Status DeleteMeta(std::string_view name) override;
  Result<VerifyReport> Verify(bool repair) override;
  Status Backup(const std::string& dir) override;
  Result<ArchiveStats> GetStats() override;
  Status Flush() override;

 private:
  rocksdb::ColumnFamilyOptions CfOptions(int cf) const;
  Status CheckSchema();
  // Reads urls[urlkey]; nullopt when absent.
  Result<std::optional<UrlRecord>> ReadUrl(const std::string& urlkey);
  // Near-duplicate lookup (README "simhash"): candidates from the SimHash
  // tables (within kNearDuplicateBits of `fp`) and the paragraph sketch,
  // other than urlkey's own, confirmed by shingle Jaccard >=
  // kNearDuplicateMinJaccard; the URL of the most similar, "" if none.
  // REQUIRES: version_mu_ held (check-then-insert with AddVersion).
  Result<std::string> FindNearDuplicate(std::string_view normalized, uint64_t fp,
                                        const std::vector<uint64_t>& sketch,
                                        std::string_view urlkey);
  // Puts the version record and its simhash (tables and sketch), by_time and
  // changes entries into `batch`; assigns v->sequence. REQUIRES: version_mu_
  // held.
  void AddVersion(rocksdb::WriteBatch* batch, std::string_view urlkey, const std::string& url,
                  bool index_simhash, const std::vector<uint64_t>& sketch, VersionRecord* v);
  // Schema 2 -> 3: adds the sketch entries of every stored version.
  Status MigrateSketches();
  Status MigrateCounters();
  // Counter merges for one URL's transition `before` (nullptr: new URL) ->
  // `after`.
  Status AddCounters(rocksdb::WriteBatch* batch, const std::string& site, const UrlRecord* before,
                     const UrlRecord& after, int64_t captures, int64_t raw_bodies,
                     int64_t versions);
  Status VerifyImpl(bool repair, VerifyReport* report);
  std::mutex version_mu_;        // near-dup check-then-insert, change sequence
  uint64_t next_seq_ = 1;        // GUARDED_BY(version_mu_)
  const ArchiveOptions options_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::MergeOperator> counter_op_ = std::make_shared<Int64AddOperator>();
  rocksdb::DB* db_ = nullptr;
  std::array<rocksdb::ColumnFamilyHandle*, kNumCfs> cf_{};
  std::vector<rocksdb::ColumnFamilyHandle*> all_handles_;  // owned, incl. unknown CFs
  std::vector<rocksdb::CompressionType> supported_;
  bool lock_conflict_ = false;
  std::shared_ptr<rocksdb::Logger> info_log_;  // nullptr: DIR/LOG (storage/info_log.h)

  // Striped locks (README "Concurrency"): order url -> content -> raw.
  std::array<std::mutex, kLockStripes> url_mu_;
  std::array<std::mutex, kLockStripes> content_mu_;
  std::array<std::mutex, kLockStripes> raw_mu_;
};

rocksdb::ColumnFamilyOptions ArchiveImpl::CfOptions(int cf) const {
  return MakeCfOptions(cf, supported_, cache_, counter_op_);
}

Status ArchiveImpl::OpenDb(const std::string& dir) {
  supported_ = rocksdb::GetSupportedCompressions();
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options_.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_open_files = options_.max_open_files;
  db_options.db_write_buffer_size = kMaxWriteBufferBytesTotal;
  // Two flushes at once: the flush of every column family when a crawl
  // ends (Flush()) runs on both cores instead of one.
  db_options.max_background_flushes = kMaxBackgroundFlushes;
  db_options.max_background_compactions = kMaxBackgroundCompactions;
  if (options_.env != nullptr) db_options.env = options_.env;
  // A read-only open leaves the directory as it is: no info log lines.
  if (info_log_ != nullptr) {
    db_options.info_log = info_log_;
  } else if (options_.read_only) {
    db_options.info_log = std::make_shared<NullLogger>();
  } else {
    db_options.info_log = NewInfoLog(dir);
  }

  // Open every CF on disk (unknown ones with default options) so that a
  // newer archive is diagnosed by its schema, not by RocksDB.
  std::vector<std::string> existing;
  rocksdb::Status list = rocksdb::DB::ListColumnFamilies(db_options, dir, &existing);
  if (!list.ok()) {
    if (!options_.create_if_missing || options_.read_only) {
      return Status::NotFound("no archive in " + dir + ": " + list.ToString());
    }
    existing.clear();
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  descs.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  std::array<int, kNumCfs> index{};
  for (int cf = 0; cf < kNumCfs; ++cf) {
    index[cf] = static_cast<int>(descs.size());
    descs.emplace_back(kCfNames[cf], CfOptions(cf));
  }
  for (const std::string& name : existing) {
    bool known = name == rocksdb::kDefaultColumnFamilyName ||
                 std::find_if(std::begin(kCfNames), std::end(kCfNames),
                              [&](const char* n) { return name == n; }) != std::end(kCfNames);
    if (!known) descs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  // The column families not on disk yet (all of them for a new archive)
  // are created after the open, in one call: RocksDB's open creates them
  // one by one, each with a synced MANIFEST record and OPTIONS file.
  std::vector<rocksdb::ColumnFamilyDescriptor> on_disk;
  std::vector<rocksdb::ColumnFamilyDescriptor> missing;
  std::vector<size_t> on_disk_at, missing_at;  // their places in descs
  for (size_t i = 0; i < descs.size(); ++i) {
    const bool present = descs[i].name == rocksdb::kDefaultColumnFamilyName ||
                         std::find(existing.begin(), existing.end(), descs[i].name) != existing.end();
    (present ? on_disk : missing).push_back(descs[i]);
    (present ? on_disk_at : missing_at).push_back(i);
  }
  // A read-only open cannot create them.
  if (options_.read_only && !missing.empty()) {
    return Status::DataLoss("archive in " + dir + " lacks column families");
  }
  std::vector<rocksdb::ColumnFamilyHandle*> opened, created;
  rocksdb::Status s =
      options_.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, dir, on_disk, &opened, &db_)
          : rocksdb::DB::Open(db_options, dir, on_disk, &opened, &db_);
  if (s.ok() && !missing.empty()) s = db_->CreateColumnFamilies(missing, &created);
  if (!s.ok()) {
    for (rocksdb::ColumnFamilyHandle* h : opened) db_->DestroyColumnFamilyHandle(h);
    for (rocksdb::ColumnFamilyHandle* h : created) db_->DestroyColumnFamilyHandle(h);
    delete db_;
    db_ = nullptr;
    all_handles_.clear();
    lock_conflict_ = IsLockError(s);
    return ToStatus(s, "open archive " + dir);
  }
  all_handles_.assign(descs.size(), nullptr);
  for (size_t i = 0; i < opened.size(); ++i) all_handles_[on_disk_at[i]] = opened[i];
  for (size_t i = 0; i < created.size(); ++i) all_handles_[missing_at[i]] = created[i];
  for (int cf = 0; cf < kNumCfs; ++cf) cf_[cf] = all_handles_[index[cf]];
  Status schema = CheckSchema();
  if (!schema.ok()) return schema;
  Result<uint64_t> last = LastSequence();
  if (!last.ok()) return last.status();
  next_seq_ = *last + 1;
  return Status::Ok();
}

Status ArchiveImpl::CheckSchema() {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kMeta], kSchemaKey, &value);
  if (s.IsNotFound()) {
    if (options_.read_only) return Status::DataLoss("archive has no schema version");
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return ToStatus(db_->Put(wo, cf_[kMeta], kSchemaKey, std::to_string(internal::kSchemaVersion)),
                    "write schema version");
  }
  if (!s.ok()) return ToStatus(s, "read schema version");
  Result<int> parsed = ParseSchemaVersion(value);
  if (!parsed.ok()) return parsed.status();
  const int version = *parsed;
  if (version < internal::kSchemaVersion && !options_.read_only) {
    // Schema 1 -> 2 adds column families only (created on open); their
    // entries for old versions are added by Verify(repair=true). 2 -> 3 adds
    // the sketch entries, 3 -> 4 folds the counters into packed values,
    // both here, before the new version is recorded, so a crash during a
    // migration repeats it on the next open (each is idempotent).
    if (version < 3) {
      Status migrated = MigrateSketches();
      if (!migrated.ok()) return migrated;
    }
    Status migrated = MigrateCounters();
    if (!migrated.ok()) return migrated;
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return ToStatus(db_->Put(wo, cf_[kMeta], kSchemaKey, std::to_string(internal::kSchemaVersion)),
                    "upgrade schema version");
  }
  return Status::Ok();
}

Status ArchiveImpl::MigrateCounters() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kMeta]));
  CounterTotals old;
  rocksdb::WriteBatch batch;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key == kCountersKey || key.starts_with(kSiteCountersPrefix)) continue;
    // An undecodable old counter stays for Verify to report and recompute.
    Result<bool> counted = AddCounterEntry(key, it->value().ToStringView(), &old);
    if (counted.ok() && *counted) batch.Delete(cf_[kMeta], it->key());
  }
  if (!it->status().ok()) return ToStatus(it->status(), "scan meta");
  if (batch.Count() == 0) return Status::Ok();
  rocksdb::Status s =
      batch.Merge(cf_[kMeta], kCountersKey, internal::EncodeCounters(old.global.data(), old.global.size()));
  for (const auto& [site, counts] : old.sites) {
    if (!s.ok()) break;
    s = batch.Merge(cf_[kMeta], kSiteCountersPrefix + site,
                    internal::EncodeCounters(counts.data(), counts.size()));
  }
  if (!s.ok()) return ToStatus(s, "build counter migration");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return ToStatus(db_->Write(wo, &batch), "migrate counters");
}

Status ArchiveImpl::MigrateSketches() {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kVersions]));
  rocksdb::WriteBatch batch;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string urlkey;
    uint32_t number = 0;
    if (!internal::ParseVersionRef(it->key().ToStringView(), &urlkey, &number)) continue;
    Result<VersionRecord> v = internal::DecodeVersionRecord(it->value().ToStringView());
    if (!v.ok()) continue;  // Verify reports undecodable records
    for (uint64_t h : internal::ParagraphSketch(internal::NormalizeArticleText(v->article.body))) {
      rocksdb::Status s =
          batch.Put(cf_[kSimhash], internal::SketchKey(h, urlkey, number), rocksdb::Slice());
      if (!s.ok()) return ToStatus(s, "migrate sketches");
    }
    if (static_cast<size_t>(batch.Count()) >= kMigrationBatchEntries) {
      rocksdb::Status s = db_->Write(wo, &batch);
      if (!s.ok()) return ToStatus(s, "migrate sketches");
      batch.Clear();
    }
  }
  if (!it->status().ok()) return ToStatus(it->status(), "migrate sketches: scan versions");
  if (batch.Count() == 0) return Status::Ok();
  return ToStatus(db_->Write(wo, &batch), "migrate sketches");
}

Result<std::optional<UrlRecord>> ArchiveImpl::ReadUrl(const std::string& urlkey) {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kUrls], urlkey, &value);
  if (s.IsNotFound()) return std::optional<UrlRecord>();
  if (!s.ok()) return ToStatus(s, "read url state");
  Result<UrlRecord> r = internal::DecodeUrlRecord(value.ToStringView());
  if (!r.ok()) return r.status();
  return std::optional<UrlRecord>(std::move(r).value());
}

Result<StoreResult> ArchiveImpl::Store(const Capture& capture, const Article* article,
                                       double relevance) {
  if (options_.read_only) return Status::FailedPrecondition("archive opened read-only");
  if (capture.fetched_micros < 0) return Status::InvalidArgument("negative fetched_micros");
  if (capture.body.size() > static_cast<size_t>(kMaxRawBodyBytes)) {
    return Status::ResourceExhausted("body larger than kMaxRawBodyBytes");
  }
  Result<internal::UrlKey> key = internal::MakeUrlKey(capture.url);
  if (!key.ok()) return key.status();
  const std::string& urlkey = key->key;
  const std::string& site = key->site;
  const std::string raw_hash = internal::RawHash(capture.body);
  const bool is_article = article != nullptr && article->is_article;
  std::string content_hash;
  uint64_t meta_hash = 0;
  bool index_content = false;  // empty texts are never duplicates of each other
  std::string normalized;
  if (is_article) {
    normalized = internal::NormalizeArticleText(article->body);
    content_hash = internal::ContentHash(normalized);
    meta_hash = internal::MetaHash(*article);
    index_content = !normalized.empty();
  }

  std::lock_guard<std::mutex> url_lock(url_mu_[StripeOf(urlkey)]);
  Result<std::optional<UrlRecord>> old = ReadUrl(urlkey);
  if (!old.ok()) return old.status();
  const bool existed = old->has_value();
  UrlRecord url = existed ? **old : UrlRecord();
  const UrlRecord before = url;

  // Capture key: the next free microsecond when a capture of this URL at
  // this time exists already (only possible when not newer than all).
  uint64_t key_micros = static_cast<uint64_t>(capture.fetched_micros);
  if (existed && capture.fetched_micros <= url.state.last_fetched_micros) {
    int probes = 0;
    for (;; ++probes, ++key_micros) {
      if (probes == kMaxCaptureKeyProbes) {
        return Status::AlreadyExists("too many captures of " + capture.url + " at one time");
      }
      rocksdb::PinnableSlice ignored;
      rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kCaptures],
                                   internal::CaptureKey(urlkey, key_micros), &ignored);
      if (s.IsNotFound()) break;
      if (!s.ok()) return ToStatus(s, "read capture");
    }
  }
  const std::string capture_key = internal::CaptureKey(urlkey, key_micros);

  // Room for the body, the version record (its text and metadata: twice
  // the body text is ample) and the keys and small records: one allocation
  // instead of a string that grows by doubling while the batch is built.
  rocksdb::WriteBatch batch(capture.body.size() + 2 * (article ? article->body.size() : 0) +
                            kBatchOverheadBytes);
  StoreResult result;
  bool new_version = false;
  std::unique_lock<std::mutex> version_lock;

  // Content index (article text dedup).
  std::unique_lock<std::mutex> content_lock;
  std::optional<ContentRecord> owner;
  if (index_content) {
    content_lock = std::unique_lock<std::mutex>(content_mu_[StripeOf(content_hash)]);
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kContent], content_hash, &value);
    if (s.ok()) {
      Result<ContentRecord> c = internal::DecodeContentRecord(value.ToStringView());
      if (!c.ok()) return c.status();
      owner = std::move(c).value();
    } else if (!s.IsNotFound()) {
      return ToStatus(s, "read content index");
    }
  }

  if (!is_article) {
    result.outcome = StoreResult::Outcome::kNotArticle;
  } else if (url.state.latest_version > 0 && url.state.duplicate_of.empty() &&
             url.content_hash == content_hash && url.meta_hash == meta_hash) {
    result.outcome = StoreResult::Outcome::kUnchanged;
  } else if (owner.has_value() && !SameUrlKey(owner->url, urlkey)) {
    result.outcome = StoreResult::Outcome::kExactDuplicate;
    result.duplicate_of = owner->url;
    if (url.state.duplicate_of != owner->url || url.content_hash != content_hash) {
      url.state.last_changed_micros = capture.fetched_micros;
    }
    url.state.duplicate_of = owner->url;
    url.content_hash = content_hash;
    url.meta_hash = meta_hash;
  } else {
    new_version = true;
    result.outcome = url.state.latest_version == 0 ? StoreResult::Outcome::kNewArticle
                                                   : StoreResult::Outcome::kNewVersion;
    url.state.duplicate_of.clear();
    url.state.last_changed_micros = capture.fetched_micros;
    url.content_hash = content_hash;
    url.meta_hash = meta_hash;
    url.state.latest_version = url.max_version + 1;
    url.max_version = url.state.latest_version;
    VersionRecord v;
    v.version = url.state.latest_version;
    v.fetched_micros = capture.fetched_micros;
    v.http_status = capture.http_status;
    v.content_hash = content_hash;
    v.extractor_version = kExtractorVersion;
    v.relevance = relevance;
    v.capture_key = capture_key;
    v.article = *article;
    std::vector<uint64_t> sketch;
    if (index_content) {
      v.simhash = internal::SimHash(normalized);
      sketch = internal::ParagraphSketch(normalized);
    }
    version_lock = std::unique_lock<std::mutex>(version_mu_);
    if (index_content) {
      Result<std::string> near = FindNearDuplicate(normalized, v.simhash, sketch, urlkey);
      if (!near.ok()) return near.status();
      v.near_duplicate_of = std::move(near).value();
      result.near_duplicate_of = v.near_duplicate_of;
    }
    AddVersion(&batch, urlkey, capture.url, index_content, sketch, &v);
    if (index_content && !owner.has_value()) {
      batch.Put(cf_[kContent], content_hash,
                internal::EncodeContentRecord({capture.url, v.version}));
    }
  }
  result.version = url.state.latest_version;

  // Raw body, stored once per distinct content.
  std::lock_guard<std::mutex> raw_lock(raw_mu_[StripeOf(raw_hash)]);
  bool raw_present = existed && url.raw_hash == raw_hash;
  if (!raw_present) {
    std::string ignored;
    if (db_->KeyMayExist(rocksdb::ReadOptions(), cf_[kRaw], raw_hash, &ignored)) {
      rocksdb::PinnableSlice value;
      rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kRaw], raw_hash, &value);
      if (s.ok()) {
        raw_present = true;
      } else if (!s.IsNotFound()) {
        return ToStatus(s, "read raw body");
      }
    }
  }
  result.raw_deduplicated = raw_present;
  if (!raw_present) batch.Put(cf_[kRaw], raw_hash, capture.body);

  batch.Put(cf_[kCaptures], capture_key,
            internal::EncodeCaptureRecord(capture, raw_hash, capture.body.size()));

  // URL state.
  UrlState& st = url.state;
  if (!existed) {
    st.url = capture.url;
    st.first_fetched_micros = capture.fetched_micros;
    st.last_fetched_micros = capture.fetched_micros;
  }
  st.first_fetched_micros = std::min(st.first_fetched_micros, capture.fetched_micros);
  if (!existed || capture.fetched_micros >= st.last_fetched_micros) {
    st.last_fetched_micros = capture.fetched_micros;
    st.last_http_status = capture.http_status;
    std::string_view etag = HeaderValue(capture, "etag");
    std::string_view last_modified = HeaderValue(capture, "last-modified");
    if (capture.http_status != 304 || !etag.empty()) st.etag = std::string(etag);
    if (capture.http_status != 304 || !last_modified.empty()) {
      st.last_modified = std::string(last_modified);
    }
    url.raw_hash = raw_hash;
  }
  batch.Put(cf_[kUrls], urlkey, internal::EncodeUrlRecord(url));

  // Counters (README "meta").
  Status counted = AddCounters(&batch, site, existed ? &before : nullptr, url, /*captures=*/1,
                               raw_present ? 0 : 1, new_version ? 1 : 0);
  if (!counted.ok()) return counted;

  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) return ToStatus(s, "store " + capture.url);
  return result;
}

// ---------------------------------------------------------------- versions

Result<std::string> ArchiveImpl::FindNearDuplicate(std::string_view normalized, uint64_t fp,
                                                   const std::vector<uint64_t>& sketch,
                                                   std::string_view urlkey) {
  // Candidates by version ref (urlkey + 0x00 + be32(version)).
  struct Candidate {
    std::string url;     // from a simhash entry; empty: read from urls
    bool simhash = false;
    int shared = 0;      // sketch entries shared
  };
  std::map<std::string, Candidate> candidates;
  // One iterator for every bucket and posting list below (each range is
  // bounded by hand): an iterator per range cost more to make than to seek.
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;  // each range below is within one prefix
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kSimhash]));

  // (a) Whole-text SimHash within kNearDuplicateBits: one bucket per table.
  for (int t = 0; t < internal::kSimHashTables; ++t) {
    // The bucket: table byte + the top 16 bits of the permuted query. A
    // stored fingerprint within 3 bits of the query agrees with it on at
    // least one of the 4 blocks, so it sits in that block's table bucket.
    const uint64_t permuted = internal::PermuteFor(t, fp);
    const uint32_t bucket = (static_cast<uint32_t>(t) << 16) | static_cast<uint32_t>(permuted >> 48);
    auto three_bytes = [](uint32_t n) {
      std::string out;
      out.push_back(static_cast<char>(n >> 16));
      out.push_back(static_cast<char>(n >> 8));
      out.push_back(static_cast<char>(n));
      return out;
    };
    const std::string start = three_bytes(bucket);
    const std::string limit = three_bytes(bucket + 1);
    size_t scanned = 0;
    for (it->Seek(start); it->Valid() && scanned < kMaxNearDupBucketScan; it->Next(), ++scanned) {
      std::string_view key = it->key().ToStringView();
      if (key >= limit) break;
      if (key.size() < 1 + 8 + 6) continue;
      const uint64_t other = internal::UnpermuteFor(t, internal::GetBigEndian64(key.substr(1)));
      if (std::popcount(fp ^ other) > internal::kNearDuplicateBits) continue;
      std::string other_key;
      uint32_t version = 0;
      if (!internal::ParseVersionRef(key.substr(9), &other_key, &version)) continue;
      if (other_key == urlkey) continue;
      Candidate& c = candidates[std::string(key.substr(9))];
      c.simhash = true;
      c.url = it->value().ToString();
    }
    if (!it->status().ok()) return ToStatus(it->status(), "scan simhash");
  }

  // (b) Paragraph sketch: exact lookups of each segment hash. A segment
  // shared by kMaxSketchPostings versions or more is boilerplate and counts
  // for nothing.
  size_t usable = 0;
  std::map<std::string, int> shared;
  for (uint64_t h : sketch) {
    std::string prefix(1, static_cast<char>(internal::kSketchSpace));
    internal::PutBigEndian64(&prefix, h);
    std::vector<std::string> refs;
    for (it->Seek(prefix); it->Valid() && refs.size() < kMaxSketchPostings; it->Next()) {
      std::string_view key = it->key().ToStringView();
      if (!key.starts_with(prefix)) break;
      std::string_view ref = key.substr(prefix.size());
      std::string other_key;
      uint32_t version = 0;
      if (!internal::ParseVersionRef(ref, &other_key, &version) || other_key == urlkey) continue;
      refs.emplace_back(ref);
    }
    if (!it->status().ok()) return ToStatus(it->status(), "scan sketch");
    if (refs.size() >= kMaxSketchPostings) continue;
    ++usable;
    for (std::string& ref : refs) ++shared[std::move(ref)];
  }
  // Two shared segments, so that one common paragraph cannot link two
  // articles; one when the text has only one or two segments (an edit then
  // leaves at most one of them).
  const int need = usable >= 3 ? 2 : 1;
  for (auto& [ref, n] : shared) {
    if (n >= need) candidates[ref].shared = n;
  }

  // Confirmation in order: most shared segments first, then SimHash hits.
  std::vector<std::pair<std::string, Candidate*>> order;
  for (auto& [ref, c] : candidates) {
    if (c.simhash || c.shared > 0) order.emplace_back(ref, &c);
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return std::pair(a.second->shared, a.second->simhash) >
           std::pair(b.second->shared, b.second->simhash);
  });
  if (order.size() > kMaxNearDupConfirmations) order.resize(kMaxNearDupConfirmations);
  if (order.empty()) return std::string();
  const std::vector<uint64_t> mine = internal::ShingleSet(normalized);
  std::string best;
  double best_similarity = 0;
  for (auto& [ref, c] : order) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kVersions], ref, &value);
    if (s.IsNotFound()) continue;  // dangling entry: verify reports it
    if (!s.ok()) return ToStatus(s, "read near-duplicate candidate");
    Result<VersionRecord> v = internal::DecodeVersionRecord(value.ToStringView());
    if (!v.ok()) continue;  // verify reports it
    const double similarity = internal::Jaccard(
        mine, internal::ShingleSet(internal::NormalizeArticleText(v->article.body)));
    if (similarity < internal::kNearDuplicateMinJaccard) continue;
    std::string url = c->url;
    if (url.empty()) {
      std::string other_key;
      uint32_t version = 0;
      internal::ParseVersionRef(ref, &other_key, &version);
      Result<std::optional<UrlRecord>> state = ReadUrl(other_key);
      if (!state.ok()) return state.status();
      if (!state->has_value()) continue;
      url = (*state)->state.url;
    }
    if (best.empty() || similarity > best_similarity ||
        (similarity == best_similarity && url < best)) {
      best_similarity = similarity;
      best = std::move(url);
    }
  }
  return best;
}

void ArchiveImpl::AddVersion(rocksdb::WriteBatch* batch, std::string_view urlkey,
                             const std::string& url, bool index_simhash,
                             const std::vector<uint64_t>& sketch, VersionRecord* v) {
  v->sequence = next_seq_++;
  batch->Put(cf_[kVersions], internal::VersionKey(urlkey, v->version),
             internal::EncodeVersionRecord(*v));
  batch->Put(cf_[kByTime], internal::ByTimeKey(v->fetched_micros, urlkey, v->version),
             rocksdb::Slice());
  batch->Put(cf_[kChanges], internal::ChangeKey(v->sequence),
             internal::VersionRef(urlkey, v->version));
  if (index_simhash) {
    for (int t = 0; t < internal::kSimHashTables; ++t) {
      batch->Put(cf_[kSimhash], internal::SimHashKey(t, v->simhash, urlkey, v->version), url);
    }
    for (uint64_t h : sketch) {
      batch->Put(cf_[kSimhash], internal::SketchKey(h, urlkey, v->version), rocksdb::Slice());
    }
  }
}

Status ArchiveImpl::AddCounters(rocksdb::WriteBatch* batch, const std::string& site,
                                const UrlRecord* before, const UrlRecord& after,
                                int64_t captures, int64_t raw_bodies, int64_t versions) {
  auto is_article_url = [](const UrlRecord& r) {
    return r.state.latest_version > 0 && r.state.duplicate_of.empty();
  };
  auto is_alias = [](const UrlRecord& r) { return !r.state.duplicate_of.empty(); };
  const int64_t d_articles =
      (is_article_url(after) ? 1 : 0) - (before != nullptr && is_article_url(*before) ? 1 : 0);
  const int64_t d_aliases =
      (is_alias(after) ? 1 : 0) - (before != nullptr && is_alias(*before) ? 1 : 0);
  const int64_t new_url = before == nullptr ? 1 : 0;
  GlobalCounts global{};
  global[kCapturesCount] = captures;
  global[kUrlsCount] = new_url;
  global[kRawBodiesCount] = raw_bodies;
  global[kArticlesCount] = d_articles;
  global[kVersionsCount] = versions;
  global[kDuplicatesCount] = d_aliases;
  SiteCounts per_site{};
  per_site[kSiteUrlsCount] = new_url;
  per_site[kSiteArticlesCount] = d_articles;
  per_site[kSiteVersionsCount] = versions;
  auto any = [](const auto& counts) {
    return std::any_of(counts.begin(), counts.end(), [](int64_t v) { return v != 0; });
  };
  rocksdb::Status status;
  if (any(global)) {
    status = batch->Merge(cf_[kMeta], kCountersKey,
                          internal::EncodeCounters(global.data(), global.size()));
  }
  if (status.ok() && any(per_site)) {
    status = batch->Merge(cf_[kMeta], kSiteCountersPrefix + site,
                          internal::EncodeCounters(per_site.data(), per_site.size()));
  }
  return ToStatus(status, "build batch");
}

Result<uint64_t> ArchiveImpl::LastSequence() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kChanges]));
  it->SeekToLast();
  if (!it->Valid()) {
    if (!it->status().ok()) return ToStatus(it->status(), "scan changes");
    return uint64_t{0};
  }
  if (it->key().size() != 8) return Status::DataLoss("bad key in changes");
  return internal::GetBigEndian64(it->key().ToStringView());
}

Result<std::vector<ArticleRecord>> ArchiveImpl::GetVersions(std::string_view url) {
  Result<internal::UrlKey> key = internal::MakeUrlKey(url);
  if (!key.ok()) return key.status();
  Result<std::optional<UrlRecord>> r = ReadUrl(key->key);
  if (!r.ok()) return r.status();
  if (!r->has_value()) return Status::NotFound("URL not in archive: " + std::string(url));
  const std::string start = internal::UrlRangeStart(key->key);
  const std::string limit = internal::UrlRangeLimit(key->key);
  rocksdb::Slice upper(limit);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kVersions]));
  std::vector<ArticleRecord> out;
  for (it->Seek(start); it->Valid(); it->Next()) {
    Result<VersionRecord> v = internal::DecodeVersionRecord(it->value().ToStringView());
    if (!v.ok()) return v.status().WithContext(std::string(url));
    out.push_back(MakeRecord((*r)->state, key->site, std::move(v).value()));
  }
  if (!it->status().ok()) return ToStatus(it->status(), "scan versions");
  return out;
}

std::unique_ptr<ArticleIterator> ArchiveImpl::NewArticleIterator(const ArticleScan& scan) {
  return std::make_unique<ScanIterator>(db_, cf_, scan);
}

std::unique_ptr<CaptureIterator> ArchiveImpl::NewCaptureIterator(std::string_view start_after) {
  return std::make_unique<CaptureScan>(db_, cf_[kCaptures], cf_[kRaw], start_after);
}

Result<ReextractResult> ArchiveImpl::StoreReextracted(std::string_view capture_key,
                                                      const Article& article,
                                                      int extractor_version) {
  if (options_.read_only) return Status::FailedPrecondition("archive opened read-only");
  if (capture_key.size() < 10 || capture_key[capture_key.size() - 9] != '\0') {
    return Status::InvalidArgument("not a capture key");
  }
  const std::string urlkey(capture_key.substr(0, capture_key.size() - 9));
  std::lock_guard<std::mutex> url_lock(url_mu_[StripeOf(urlkey)]);
  rocksdb::PinnableSlice cvalue;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kCaptures], capture_key, &cvalue);
  if (s.IsNotFound()) return Status::NotFound("no such capture");
  if (!s.ok()) return ToStatus(s, "read capture");
  Result<CaptureRecord> capture = internal::DecodeCaptureRecord(cvalue.ToStringView());
  if (!capture.ok()) return capture.status();
  Result<std::optional<UrlRecord>> old = ReadUrl(urlkey);
  if (!old.ok()) return old.status();
  if (!old->has_value()) return Status::DataLoss("capture without URL state: " + capture->capture.url);
  const int64_t t = capture->capture.fetched_micros;

  // The version in effect at the capture's time, and the latest's time.
  std::optional<VersionRecord> in_effect;
  int64_t latest_t = INT64_MIN;
  {
    const std::string start = internal::UrlRangeStart(urlkey);
    const std::string limit = internal::UrlRangeLimit(urlkey);
    rocksdb::Slice upper(limit);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kVersions]));
    for (it->Seek(start); it->Valid(); it->Next()) {
      Result<VersionRecord> v = internal::DecodeVersionRecord(it->value().ToStringView());
      if (!v.ok()) return v.status();
      if (v->version == (*old)->state.latest_version) latest_t = v->fetched_micros;
      if (v->fetched_micros <= t &&
          (!in_effect || std::pair(v->fetched_micros, v->version) >
                             std::pair(in_effect->fetched_micros, in_effect->version))) {
        in_effect = std::move(v).value();
      }
    }
    if (!it->status().ok()) return ToStatus(it->status(), "scan versions");
  }
  ReextractResult result;
  result.version = in_effect ? in_effect->version : 0;
  if (!article.is_article) return result;  // rebuild never removes versions
  const std::string normalized = internal::NormalizeArticleText(article.body);
  const std::string content_hash = internal::ContentHash(normalized);
  const uint64_t meta_hash = internal::MetaHash(article);
  if (in_effect && in_effect->content_hash == content_hash &&
      internal::MetaHash(in_effect->article) == meta_hash) {
    return result;
  }
  // An exact-duplicate alias holds no version of its own: unchanged while
  // the text is still the aliased one.
  if (!in_effect && !(*old)->state.duplicate_of.empty() && (*old)->content_hash == content_hash &&
      (*old)->meta_hash == meta_hash) {
    return result;
  }
  const bool index_content = !normalized.empty();
  std::unique_lock<std::mutex> content_lock;
  std::optional<ContentRecord> owner;
  if (index_content) {
    content_lock = std::unique_lock<std::mutex>(content_mu_[StripeOf(content_hash)]);
    rocksdb::PinnableSlice value;
    s = db_->Get(rocksdb::ReadOptions(), cf_[kContent], content_hash, &value);
    if (s.ok()) {
      Result<ContentRecord> c = internal::DecodeContentRecord(value.ToStringView());
      if (!c.ok()) return c.status();
      owner = std::move(c).value();
    } else if (!s.IsNotFound()) {
      return ToStatus(s, "read content index");
    }
  }
  std::lock_guard<std::mutex> version_lock(version_mu_);
  UrlRecord url = **old;
  const UrlRecord before = url;
  rocksdb::WriteBatch batch;
  VersionRecord v;
  v.version = url.max_version + 1;
  url.max_version = v.version;
  v.fetched_micros = t;
  v.http_status = capture->capture.http_status;
  v.content_hash = content_hash;
  v.extractor_version = extractor_version;
  v.relevance = in_effect ? in_effect->relevance : 0;
  v.capture_key = std::string(capture_key);
  v.article = article;
  std::vector<uint64_t> sketch;
  if (index_content) {
    v.simhash = internal::SimHash(normalized);
    sketch = internal::ParagraphSketch(normalized);
    Result<std::string> near = FindNearDuplicate(normalized, v.simhash, sketch, urlkey);
    if (!near.ok()) return near.status();
    v.near_duplicate_of = std::move(near).value();
  }
  AddVersion(&batch, urlkey, url.state.url, index_content, sketch, &v);
  if (index_content && !owner) {
    batch.Put(cf_[kContent], content_hash, internal::EncodeContentRecord({url.state.url, v.version}));
  }
  if (url.state.latest_version == 0 || t >= latest_t) {
    url.state.latest_version = v.version;
    url.state.last_changed_micros = std::max(url.state.last_changed_micros, t);
    url.content_hash = content_hash;
    url.meta_hash = meta_hash;
    url.state.content_hash = internal::HexOf(content_hash);
    if (owner && !SameUrlKey(owner->url, urlkey)) {
      url.state.duplicate_of = owner->url;
    } else {
      url.state.duplicate_of.clear();
    }
  }
  batch.Put(cf_[kUrls], urlkey, internal::EncodeUrlRecord(url));
  Result<internal::UrlKey> key = internal::MakeUrlKey(url.state.url);
  Status counted = AddCounters(&batch, key.ok() ? key->site : std::string(), &before, url, 0, 0, 1);
  if (!counted.ok()) return counted;
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  s = db_->Write(wo, &batch);
  if (!s.ok()) return ToStatus(s, "store re-extracted " + url.state.url);
  result.changed = true;
  result.version = v.version;
  return result;
}

Result<std::string> ArchiveImpl::GetMeta(std::string_view name) {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf_[kMeta], kNamedPrefix + std::string(name), &value);
  if (s.IsNotFound()) return Status::NotFound("meta " + std::string(name) + " unset");
  if (!s.ok()) return ToStatus(s, "read meta");
  return value;
}

Status ArchiveImpl::PutMeta(std::string_view name, std::string_view value) {
  if (options_.read_only) return Status::FailedPrecondition("archive opened read-only");
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return ToStatus(db_->Put(wo, cf_[kMeta], kNamedPrefix + std::string(name), value), "write meta");
}

Status ArchiveImpl::DeleteMeta(std::string_view name) {
  if (options_.read_only) return Status::FailedPrecondition("archive opened read-only");
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return ToStatus(db_->Delete(wo, cf_[kMeta], kNamedPrefix + std::string(name)), "delete meta");
}

Status ArchiveImpl::Backup(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) return Status::AlreadyExists(dir + " exists");
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_, &raw);
  if (!s.ok()) return ToStatus(s, "checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush = 0: memtables are flushed first, so the copy needs
  // no WAL replay (and no merge operator to read it).
  return ToStatus(checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0), "backup to " + dir);
}

// ---------------------------------------------------------------- verify

Result<VerifyReport> ArchiveImpl::Verify(bool repair) {
  if (repair && options_.read_only) return Status::FailedPrecondition("archive opened read-only");
  VerifyReport report;
  Status s = VerifyImpl(repair, &report);
  if (!s.ok()) return s;
  return report;
}

Status ArchiveImpl::VerifyImpl(bool repair, VerifyReport* report) {
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* snap;
    ~Release() { db->ReleaseSnapshot(snap); }
  } release{db_, snapshot};
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.fill_cache = false;
  ro.total_order_seek = true;  // whole column families, simhash's prefix bloom notwithstanding

  rocksdb::WriteBatch fixes;
  rocksdb::Status ws;
  auto problem = [&](std::string what) {
    ++report->problem_count;
    if (report->problems.size() < kMaxVerifyProblems) report->problems.push_back(std::move(what));
  };
  auto flush_fixes = [&]() -> Status {
    if (!repair || fixes.Count() == 0) return Status::Ok();
    rocksdb::WriteOptions wo;
    wo.sync = true;
    Status st = ToStatus(db_->Write(wo, &fixes), "write repairs");
    fixes.Clear();
    return st;
  };
  auto fix_put = [&](int cf, const std::string& key, const std::string& value) {
    if (!repair) return;
    ws = fixes.Put(cf_[cf], key, value);
    ++report->repaired;
  };
  auto fix_delete = [&](int cf, std::string_view key) {
    if (!repair) return;
    ws = fixes.Delete(cf_[cf], rocksdb::Slice(key.data(), key.size()));
    ++report->repaired;
  };
  auto exists = [&](int cf, std::string_view key, std::string* value) -> Result<bool> {
    rocksdb::PinnableSlice v;
    rocksdb::Status st = db_->Get(ro, cf_[cf], rocksdb::Slice(key.data(), key.size()), &v);
    if (st.IsNotFound()) return false;
    if (!st.ok()) return ToStatus(st, "verify read");
    if (value != nullptr) value->assign(v.data(), v.size());
    return true;
  };
  auto scan = [&](int cf, const std::function<Status(std::string_view, std::string_view)>& fn)
      -> Status {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[cf]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++report->records_checked;
      Status st = fn(it->key().ToStringView(), it->value().ToStringView());
      if (!st.ok()) return st;
      if (fixes.Count() >= 1000) {
        st = flush_fixes();
        if (!st.ok()) return st;
      }
    }
    return ToStatus(it->status(), std::string("scan ") + kCfNames[cf]);
  };
  auto readable = [](std::string_view key) {
    std::string out;
    for (char c : key) out += (c == '\0') ? '|' : (static_cast<unsigned char>(c) < 0x20 ? '?' : c);
    return out;
  };

  // Expected counters, recomputed from the data.
  CounterTotals expected;
  auto expect = [&](GlobalCounter c) { ++expected.global[c]; };
  auto expect_site = [&](const std::string& site, SiteCounter c) { ++expected.sites[site][c]; };

  // urls: latest version present; counters.
  Status st = scan(kUrls, [&](std::string_view key, std::string_view value) -> Status {
    Result<UrlRecord> r = internal::DecodeUrlRecord(value);
    if (!r.ok()) {
      problem("urls/" + readable(key) + ": undecodable record");
      return Status::Ok();
    }
    Result<internal::UrlKey> k = internal::MakeUrlKey(r->state.url);
    if (!k.ok() || k->key != key) problem("urls/" + readable(key) + ": key does not match its URL");
    const std::string site = k.ok() ? k->site : std::string();
    expect(kUrlsCount);
    expect_site(site, kSiteUrlsCount);
    const bool alias = !r->state.duplicate_of.empty();
    if (alias) expect(kDuplicatesCount);
    if (r->state.latest_version > 0) {
      Result<bool> has =
          exists(kVersions, internal::VersionKey(key, r->state.latest_version), nullptr);
      if (!has.ok()) return has.status();
      if (!*has) problem("urls/" + readable(key) + ": latest version missing");
      if (!alias) {
        expect(kArticlesCount);
        expect_site(site, kSiteArticlesCount);
      }
    }
    std::unique_ptr<rocksdb::Iterator> caps(db_->NewIterator(ro, cf_[kCaptures]));
    const std::string start = internal::UrlRangeStart(key);
    caps->Seek(start);
    if (!caps->Valid() || !caps->key().starts_with(start)) {
      problem("urls/" + readable(key) + ": no capture");
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;

  // captures: raw body present, right size, URL state present.
  st = scan(kCaptures, [&](std::string_view key, std::string_view value) -> Status {
    expect(kCapturesCount);
    Result<CaptureRecord> c = internal::DecodeCaptureRecord(value);
    if (!c.ok()) {
      problem("captures/" + readable(key) + ": undecodable record");
      return Status::Ok();
    }
    std::string body;
    Result<bool> has = exists(kRaw, c->raw_hash, &body);
    if (!has.ok()) return has.status();
    if (!*has) {
      problem("captures/" + readable(key) + ": raw body missing");
    } else if (body.size() != c->body_size) {
      problem("captures/" + readable(key) + ": raw body size differs");
    }
    if (key.size() < 10) {
      problem("captures/" + readable(key) + ": bad key");
      return Status::Ok();
    }
    Result<bool> url = exists(kUrls, key.substr(0, key.size() - 9), nullptr);
    if (!url.ok()) return url.status();
    if (!*url) problem("captures/" + readable(key) + ": no URL state");
    return Status::Ok();
  });
  if (!st.ok()) return st;

  st = scan(kRaw, [&](std::string_view, std::string_view) -> Status {
    expect(kRawBodiesCount);
    return Status::Ok();
  });
  if (!st.ok()) return st;

  // versions: every index entry present.
  st = scan(kVersions, [&](std::string_view key, std::string_view value) -> Status {
    std::string urlkey;
    uint32_t number = 0;
    if (!internal::ParseVersionRef(key, &urlkey, &number)) {
      problem("versions/" + readable(key) + ": bad key");
      return Status::Ok();
    }
    Result<VersionRecord> v = internal::DecodeVersionRecord(value);
    if (!v.ok()) {
      problem("versions/" + readable(key) + ": undecodable record");
      return Status::Ok();
    }
    std::string url_value;
    Result<bool> has = exists(kUrls, urlkey, &url_value);
    if (!has.ok()) return has.status();
    if (!*has) {
      problem("versions/" + readable(key) + ": no URL state");
      return Status::Ok();
    }
    Result<UrlRecord> url = internal::DecodeUrlRecord(url_value);
    if (!url.ok()) return Status::Ok();  // reported above
    Result<internal::UrlKey> k = internal::MakeUrlKey(url->state.url);
    expect(kVersionsCount);
    expect_site(k.ok() ? k->site : std::string(), kSiteVersionsCount);
    if (number > url->max_version) problem("versions/" + readable(key) + ": beyond max version");
    has = exists(kCaptures, v->capture_key, nullptr);
    if (!has.ok()) return has.status();
    if (!*has) problem("versions/" + readable(key) + ": its capture is missing");
    const std::string by_time = internal::ByTimeKey(v->fetched_micros, urlkey, number);
    has = exists(kByTime, by_time, nullptr);
    if (!has.ok()) return has.status();
    if (!*has) {
      problem("by_time: entry missing for versions/" + readable(key));
      fix_put(kByTime, by_time, "");
    }
    const std::string normalized = internal::NormalizeArticleText(v->article.body);
    if (!normalized.empty()) {
      const uint64_t fp = internal::SimHash(normalized);
      if (v->simhash != fp && v->simhash != 0) {
        problem("versions/" + readable(key) + ": stored SimHash differs from its text");
      }
      for (int t = 0; t < internal::kSimHashTables; ++t) {
        const std::string sk = internal::SimHashKey(t, fp, urlkey, number);
        has = exists(kSimhash, sk, nullptr);
        if (!has.ok()) return has.status();
        if (!*has) {
          problem("simhash: table " + std::to_string(t) + " entry missing for versions/" +
                  readable(key));
          fix_put(kSimhash, sk, url->state.url);
        }
      }
      for (uint64_t h : internal::ParagraphSketch(normalized)) {
        const std::string sk = internal::SketchKey(h, urlkey, number);
        has = exists(kSimhash, sk, nullptr);
        if (!has.ok()) return has.status();
        if (!*has) {
          problem("simhash: sketch entry missing for versions/" + readable(key));
          fix_put(kSimhash, sk, "");
        }
      }
      std::string content;
      has = exists(kContent, v->content_hash, &content);
      if (!has.ok()) return has.status();
      if (!*has) {
        problem("content: no entry for the text of versions/" + readable(key));
        fix_put(kContent, v->content_hash, internal::EncodeContentRecord({url->state.url, number}));
      }
    }
    if (v->sequence != 0) {
      std::string ref;
      has = exists(kChanges, internal::ChangeKey(v->sequence), &ref);
      if (!has.ok()) return has.status();
      if (!*has || ref != key) {
        problem("changes: entry " + std::to_string(v->sequence) + " missing for versions/" +
                readable(key));
        fix_put(kChanges, internal::ChangeKey(v->sequence), std::string(key));
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;

  // Index entries pointing at nothing.
  auto version_of = [&](std::string_view ref, VersionRecord* out) -> Result<bool> {
    std::string value;
    Result<bool> has = exists(kVersions, ref, &value);
    if (!has.ok() || !*has) return has;
    Result<VersionRecord> v = internal::DecodeVersionRecord(value);
    if (!v.ok()) return false;
    *out = std::move(v).value();
    return true;
  };
  st = scan(kByTime, [&](std::string_view key, std::string_view) -> Status {
    VersionRecord v;
    Result<bool> has = key.size() > 8 ? version_of(key.substr(8), &v) : Result<bool>(false);
    if (!has.ok()) return has.status();
    if (!*has || v.fetched_micros != static_cast<int64_t>(internal::GetBigEndian64(key))) {
      problem("by_time/" + readable(key) + ": dangling");
      fix_delete(kByTime, key);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  st = scan(kSimhash, [&](std::string_view key, std::string_view) -> Status {
    VersionRecord v;
    Result<bool> has = key.size() > 9 ? version_of(key.substr(9), &v) : Result<bool>(false);
    if (!has.ok()) return has.status();
    const int table = key.empty() ? -1 : static_cast<unsigned char>(key[0]);
    bool agrees = false;
    if (*has && table < internal::kSimHashTables) {
      agrees = internal::SimHash(internal::NormalizeArticleText(v.article.body)) ==
               internal::UnpermuteFor(table, internal::GetBigEndian64(key.substr(1)));
    } else if (*has && table == internal::kSketchSpace) {
      const std::vector<uint64_t> sketch =
          internal::ParagraphSketch(internal::NormalizeArticleText(v.article.body));
      agrees = std::find(sketch.begin(), sketch.end(), internal::GetBigEndian64(key.substr(1))) !=
               sketch.end();
    }
    if (!agrees) {
      problem("simhash/" + readable(key) + ": dangling");
      fix_delete(kSimhash, key);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  st = scan(kChanges, [&](std::string_view key, std::string_view value) -> Status {
    VersionRecord v;
    Result<bool> has = version_of(value, &v);
    if (!has.ok()) return has.status();
    if (!*has || key.size() != 8 || v.sequence != internal::GetBigEndian64(key)) {
      problem("changes/" + std::to_string(key.size() == 8 ? internal::GetBigEndian64(key) : 0) +
              ": dangling");
      fix_delete(kChanges, key);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  st = scan(kContent, [&](std::string_view key, std::string_view value) -> Status {
    Result<ContentRecord> c = internal::DecodeContentRecord(value);
    VersionRecord v;
    bool ok = false;
    if (c.ok()) {
      Result<internal::UrlKey> k = internal::MakeUrlKey(c->url);
      if (k.ok()) {
        Result<bool> has = version_of(internal::VersionKey(k->key, c->version), &v);
        if (!has.ok()) return has.status();
        ok = *has && v.content_hash == key;
      }
    }
    if (!ok) {
      problem("content/" + internal::HexOf(key) + ": dangling");
      fix_delete(kContent, key);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;

  // Counters: the packed values (and, in a schema-3 archive opened
  // read-only, the old per-counter keys) against the counts from the data.
  CounterTotals stored;
  std::vector<std::string> old_keys;  // schema-3 keys: a repair folds them in
  bool rewrite_all = false;           // an undecodable counter: rewrite them all
  st = scan(kMeta, [&](std::string_view key, std::string_view value) -> Status {
    Result<bool> counted = AddCounterEntry(key, value, &stored);
    if (!counted.ok()) {
      problem("meta/" + readable(key) + ": undecodable counter");
      fix_delete(kMeta, key);
      rewrite_all = true;
    } else if (*counted && !key.starts_with(kSiteCountersPrefix) && key != kCountersKey) {
      old_keys.emplace_back(key);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  auto compare = [&](const std::string& key, const int64_t* have, const int64_t* want, size_t n,
                     const char* const* names) {
    bool differ = rewrite_all || !old_keys.empty();
    for (size_t i = 0; i < n; ++i) {
      if (have[i] == want[i]) continue;
      problem("meta/" + key + ": " + names[i] + " is " + std::to_string(have[i]) +
              ", data says " + std::to_string(want[i]));
      differ = true;
    }
    if (differ) fix_put(kMeta, key, internal::EncodeCounters(want, n));
  };
  compare(kCountersKey, stored.global.data(), expected.global.data(), kNumGlobalCounters,
          kGlobalCounterNames);
  for (const auto& [site, counts] : stored.sites) expected.sites.try_emplace(site);
  for (const auto& [site, want] : expected.sites) {
    const SiteCounts have = stored.sites.contains(site) ? stored.sites[site] : SiteCounts{};
    compare(kSiteCountersPrefix + site, have.data(), want.data(), kNumSiteCounters,
            kSiteCounterNames);
  }
  for (const std::string& key : old_keys) fix_delete(kMeta, key);
  if (!ws.ok()) return ToStatus(ws, "build repairs");
  return flush_fixes();
}

Result<UrlState> ArchiveImpl::GetUrlState(std::string_view url) {
  Result<internal::UrlKey> key = internal::MakeUrlKey(url);
  if (!key.ok()) return key.status();
  Result<std::optional<UrlRecord>> r = ReadUrl(key->key);
  if (!r.ok()) return r.status();
  if (!r->has_value()) return Status::NotFound("URL not in archive: " + std::string(url));
  return (*r)->state;
}

Result<ArticleRecord> ArchiveImpl::GetArticle(std::string_view url, uint32_t version) {
  Result<internal::UrlKey> key = internal::MakeUrlKey(url);
  if (!key.ok()) return key.status();
  Result<std::optional<UrlRecord>> r = ReadUrl(key->key);
  if (!r.ok()) return r.status();
  if (!r->has_value()) return Status::NotFound("URL not in archive: " + std::string(url));
  const UrlState& state = (*r)->state;
  if (version == 0) version = state.latest_version;
  if (version == 0 || version > state.latest_version) {
    return Status::NotFound("no version " + std::to_string(version) + " of " + std::string(url));
  }
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kVersions],
                               internal::VersionKey(key->key, version), &value);
  if (s.IsNotFound()) return Status::DataLoss("version record missing for " + std::string(url));
  if (!s.ok()) return ToStatus(s, "read version");
  Result<VersionRecord> v = internal::DecodeVersionRecord(value.ToStringView());
  if (!v.ok()) return v.status();
  return MakeRecord(state, key->site, std::move(v).value());
}

Result<Capture> ArchiveImpl::GetLatestCapture(std::string_view url) {
  Result<internal::UrlKey> key = internal::MakeUrlKey(url);
  if (!key.ok()) return key.status();
  const std::string start = internal::UrlRangeStart(key->key);
  const std::string limit = internal::UrlRangeLimit(key->key);
  rocksdb::Slice lower(start);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kCaptures]));
  it->SeekForPrev(limit);
  if (!it->Valid()) {
    if (!it->status().ok()) return ToStatus(it->status(), "scan captures");
    return Status::NotFound("no capture of " + std::string(url));
  }
  Result<CaptureRecord> c = internal::DecodeCaptureRecord(it->value().ToStringView());
  if (!c.ok()) return c.status();
  rocksdb::PinnableSlice body;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kRaw], c->raw_hash, &body);
  if (s.IsNotFound()) return Status::DataLoss("raw body missing for " + std::string(url));
  if (!s.ok()) return ToStatus(s, "read raw body");
  if (body.size() != c->body_size) {
    return Status::DataLoss("raw body length differs from the capture's for " + std::string(url));
  }
  Capture out = std::move(c->capture);
  out.body.assign(body.data(), body.size());
  return out;
}

Result<ArchiveStats> ArchiveImpl::GetStats() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kMeta]));
  Result<CounterTotals> totals = ReadCounters(it.get());
  if (!totals.ok()) return totals.status();
  auto count = [](int64_t v) { return static_cast<uint64_t>(std::max<int64_t>(v, 0)); };
  ArchiveStats stats;
  stats.urls = count(totals->global[kUrlsCount]);
  stats.captures = count(totals->global[kCapturesCount]);
  stats.raw_bodies = count(totals->global[kRawBodiesCount]);
  stats.articles = count(totals->global[kArticlesCount]);
  stats.versions = count(totals->global[kVersionsCount]);
  stats.duplicates = count(totals->global[kDuplicatesCount]);
  for (const auto& [name, counts] : totals->sites) {
    SiteStats& site = stats.by_site[name];
    site.urls = count(counts[kSiteUrlsCount]);
    site.articles = count(counts[kSiteArticlesCount]);
    site.versions = count(counts[kSiteVersionsCount]);
  }
  return stats;
}

Status ArchiveImpl::Flush() {
  if (options_.read_only) return Status::Ok();
  // Flush(wait=true) flushes one column family after the other, each
  // waiting for its own. Two threads take the column families largest
  // memtable first, so that both flush threads work until the end (at the
  // end of a crawl of the bench site: ~150 ms of flushes, versions alone
  // ~55 ms). The smallest goes last and alone: each flush records the
  // oldest WAL still needed, computed from the other column families, and
  // two flushes that finish together can each count the other as not yet
  // flushed; the WAL files would then stay until the next open (~100 MB
  // after a crawl of the bench site). (Scheduling every flush with
  // wait=false and then calling a waiting Flush() did not wait: a column
  // family whose memtable was already switched out returned at once.)
  std::vector<std::pair<uint64_t, rocksdb::ColumnFamilyHandle*>> order;
  for (rocksdb::ColumnFamilyHandle* h : cf_) {
    uint64_t entries = 0;
    db_->GetIntProperty(h, rocksdb::DB::Properties::kNumEntriesActiveMemTable, &entries);
    if (entries == 0) continue;
    uint64_t bytes = 0;
    db_->GetIntProperty(h, rocksdb::DB::Properties::kCurSizeActiveMemTable, &bytes);
    order.emplace_back(bytes, h);
  }
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  rocksdb::FlushOptions fo;
  fo.wait = true;
  std::atomic<size_t> next{0};
  std::mutex mu;
  rocksdb::Status first_error;
  auto flush_some = [&] {
    for (size_t i; (i = next.fetch_add(1)) + 1 < order.size();) {
      rocksdb::Status s = db_->Flush(fo, order[i].second);
      std::lock_guard<std::mutex> lock(mu);
      if (!s.ok() && first_error.ok()) first_error = s;
    }
  };
  if (order.size() > 1) {
    std::thread helper(flush_some);
    flush_some();
    helper.join();
    if (!first_error.ok()) return ToStatus(first_error, "flush");
  }
  // A flush started on its own (a memtable full) may still be running for a
  // column family whose active memtable was empty, which Flush() does not
  // wait for: wait for it before the last flush counts the WALs still
  // needed (bounded: a failed flush leaves a background error).
  for (int waited_ms = 0; waited_ms < kMaxFlushWaitMs; ++waited_ms) {
    uint64_t pending = 0;
    for (rocksdb::ColumnFamilyHandle* h : cf_) {
      uint64_t n = 0;
      db_->GetIntProperty(h, rocksdb::DB::Properties::kNumImmutableMemTable, &n);
      pending += n;
    }
    uint64_t errors = 0;
    db_->GetIntProperty(rocksdb::DB::Properties::kBackgroundErrors, &errors);
    if (pending == 0 || errors > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (order.empty()) return Status::Ok();
  return ToStatus(db_->Flush(fo, order.back().second), "flush");
}

// ---------------------------------------------------------------- live backup

// Attempts at opening the secondary and catching up: the primary may delete
// a file (a compaction's input, an old WAL) between the secondary reading
// the MANIFEST and opening the file.
constexpr int kMaxSecondaryOpenAttempts = 3;
// Block cache shared by the secondary and the copy (scans do not fill it).
constexpr size_t kBackupCacheBytes = 8 << 20;
constexpr size_t kBackupReadaheadBytes = 2 << 20;
// Files the copy keeps open while it is written.
constexpr int kBackupMaxOpenFiles = 512;
// Memtables of the copy, all column families together (a quarter of the
// archive's own kMaxWriteBufferBytesTotal: the copy is written once, in key
// order, so smaller flushes cost little).
constexpr size_t kBackupWriteBufferBytes = 32 << 20;

// A RocksDB DB and its column family handles (in descriptor order); closed
// on destruction.
struct DbHandles {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;

  DbHandles() = default;
  DbHandles(const DbHandles&) = delete;
  DbHandles& operator=(const DbHandles&) = delete;
  ~DbHandles() { Close().PermitUncheckedError(); }

  rocksdb::Status Close() {
    if (db == nullptr) {
      handles.clear();
      return rocksdb::Status::OK();
    }
    for (rocksdb::ColumnFamilyHandle* h : handles) db->DestroyColumnFamilyHandle(h);
    handles.clear();
    rocksdb::Status s = db->Close();
    delete db;
    db = nullptr;
    return s;
  }
};

// A private directory under $TMPDIR (or /tmp), removed with its contents on
// destruction: the secondary instance's own files (its info log).
class ScratchDir {
 public:
  ScratchDir() = default;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }

  Status Create() {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string name = (base / "jikji-backup-XXXXXX").string();
    if (mkdtemp(name.data()) == nullptr) {
      return Status::IOError("create a scratch directory in " + base.string() + ": " +
                             std::strerror(errno));
    }
    path_ = name;
    return Status::Ok();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// fsyncs a directory, so the entries in it (the copy's name in its parent)
// survive a power loss.
Status SyncDir(const std::filesystem::path& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("open " + dir.string() + ": " + std::strerror(errno));
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return Status::IOError("fsync " + dir.string() + ": " + std::strerror(err));
  return Status::Ok();
}

// Apparent size of the regular files under `dir` (hard links counted).
uint64_t DiskBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code fec;
    if (!it->is_regular_file(fec)) continue;
    const uintmax_t n = it->file_size(fec);
    if (!fec) total += n;
  }
  return total;
}

// Reads `raw` bodies by key through a read-only instance of the live
// archive. RocksDB 7.8 secondaries cannot read blob files (BlobDB is not
// supported with secondary instances: a blob read crashes), so the live
// copy takes `raw` from here. Bodies are immutable and never deleted, so any
// instance that has a key has its one value; one opened after the
// secondary's catch-up has every body the secondary's captures refer to,
// unless its open raced with the primary deleting a WAL: a miss reopens it.
class RawReader {
 public:
  RawReader(std::string dir, rocksdb::ColumnFamilyOptions raw_options)
      : dir_(std::move(dir)), raw_options_(std::move(raw_options)) {}

  // Opens (again).
  rocksdb::Status Open() {
    db_.Close().PermitUncheckedError();
    rocksdb::DBOptions options;
    options.max_open_files = -1;  // table files stay open (see LiveCopy)
    options.info_log = std::make_shared<NullLogger>();
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    descs.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
    descs.emplace_back(kCfNames[kRaw], raw_options_);
    rocksdb::Status s = rocksdb::DB::OpenForReadOnly(options, dir_, descs, &db_.handles, &db_.db);
    if (!s.ok()) {
      db_.db = nullptr;
      db_.handles.clear();
    }
    return s;
  }

  // The body under `raw_hash`; a miss or a failed read reopens the instance
  // and tries again, kMaxSecondaryOpenAttempts times in all.
  rocksdb::Status Get(const std::string& raw_hash, rocksdb::PinnableSlice* body) {
    rocksdb::Status s;
    for (int attempt = 1;; ++attempt) {
      body->Reset();
      s = db_.db == nullptr ? Open() : rocksdb::Status::OK();
      if (s.ok()) s = db_.db->Get(ReadOptions(), db_.handles[1], raw_hash, body);
      if (s.ok() || attempt == kMaxSecondaryOpenAttempts) return s;
      db_.Close().PermitUncheckedError();
    }
  }

 private:
  static rocksdb::ReadOptions ReadOptions() {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    return ro;
  }

  const std::string dir_;
  const rocksdb::ColumnFamilyOptions raw_options_;
  DbHandles db_;
};

// The live copy (README "Backup"): every key/value of every column family
// of the archive in `src` at one point in time, written to a new DB in
// `dest` (an existing empty directory) with the same column families and
// options. Everything but `raw` is read through a secondary instance caught
// up once; `raw` holds exactly the bodies the copied captures refer to
// (Store writes a body in the same batch as its first capture), read
// through a RawReader. Fills records, bytes and captures.
Status LiveCopy(const std::string& src, const std::string& dest, BackupStats* stats) {
  const std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(kBackupCacheBytes);
  std::shared_ptr<rocksdb::MergeOperator> counter_op = std::make_shared<Int64AddOperator>();

  rocksdb::DBOptions src_options;
  // Required of a secondary: every table file it uses stays open, so the
  // primary deleting one after a compaction does not pull it away mid-scan.
  src_options.max_open_files = -1;
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(src_options, src, &names);
  if (!s.ok()) return Status::NotFound("no archive in " + src + ": " + s.ToString());
  // Every CF on disk, ours with the archive's options, unknown ones (a
  // newer build's) with RocksDB's defaults: the copy's CFs. The secondary
  // opens all but `raw` (index in `secondary` descriptors, -1 for raw).
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  std::vector<rocksdb::ColumnFamilyDescriptor> secondary_descs;
  std::vector<int> secondary_index;
  int meta = -1, captures = -1, raw = -1;
  for (const std::string& name : names) {
    auto known = std::find_if(std::begin(kCfNames), std::end(kCfNames),
                              [&](const char* n) { return name == n; });
    const int at = static_cast<int>(descs.size());
    if (known == std::end(kCfNames)) {
      descs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    } else {
      const int cf = static_cast<int>(known - std::begin(kCfNames));
      if (cf == kMeta) meta = at;
      if (cf == kCaptures) captures = at;
      if (cf == kRaw) raw = at;
      descs.emplace_back(name, MakeCfOptions(cf, supported, cache, counter_op));
    }
    if (at == raw) {
      secondary_index.push_back(-1);
    } else {
      secondary_index.push_back(static_cast<int>(secondary_descs.size()));
      secondary_descs.push_back(descs.back());
    }
  }
  if (meta < 0 || captures < 0 || raw < 0) {
    return Status::DataLoss("archive in " + src + " lacks column families");
  }

  ScratchDir scratch;
  Status st = scratch.Create();
  if (!st.ok()) return st;
  DbHandles source;
  for (int attempt = 1;; ++attempt) {
    s = rocksdb::DB::OpenAsSecondary(src_options, src, scratch.path(), secondary_descs,
                                     &source.handles, &source.db);
    if (s.ok()) {
      // The one catch-up: the copy is the primary's state at this moment.
      // It is never repeated, so every scan below reads the same state.
      s = source.db->TryCatchUpWithPrimary();
    } else {
      source.db = nullptr;
      source.handles.clear();
    }
    if (s.ok() || attempt == kMaxSecondaryOpenAttempts) break;
    source.Close().PermitUncheckedError();
  }
  if (!s.ok()) return ToStatus(s, "open " + src + " as a secondary instance");
  rocksdb::ColumnFamilyHandle* source_meta = source.handles[secondary_index[meta]];

  std::string schema;
  s = source.db->Get(rocksdb::ReadOptions(), source_meta, kSchemaKey, &schema);
  if (s.IsNotFound()) return Status::DataLoss("archive in " + src + " has no schema version");
  if (!s.ok()) return ToStatus(s, "read schema version");
  // An older schema is copied as it is (opening the copy read-write
  // migrates it); a newer one is refused, as Archive::Open does.
  Result<int> version = ParseSchemaVersion(schema);
  if (!version.ok()) return version.status();

  // Opened after the catch-up, so it holds every body the captures read
  // below refer to.
  RawReader raw_reader(src, descs[raw].options);
  s = raw_reader.Open();
  if (!s.ok()) return ToStatus(s, "open " + src + " read-only for raw bodies");

  rocksdb::DBOptions dest_options;
  dest_options.create_if_missing = true;
  dest_options.error_if_exists = true;
  dest_options.create_missing_column_families = true;
  dest_options.max_open_files = kBackupMaxOpenFiles;
  dest_options.db_write_buffer_size = kBackupWriteBufferBytes;
  DbHandles copy;
  s = rocksdb::DB::Open(dest_options, dest, descs, &copy.handles, &copy.db);
  if (!s.ok()) {
    copy.db = nullptr;
    copy.handles.clear();
    return ToStatus(s, "create the copy in " + dest);
  }

  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.readahead_size = kBackupReadaheadBytes;
  ro.total_order_seek = true;  // whole column families, simhash's prefix bloom notwithstanding
  rocksdb::WriteOptions wo;
  // No WAL: the copy is flushed (SST files and MANIFEST synced) before it
  // is reported done, and a failed copy is removed.
  wo.disableWAL = true;
  rocksdb::WriteBatch batch;
  std::set<std::string> raw_in_batch;  // bodies put in `batch`
  auto put = [&](int cf, const rocksdb::Slice& key, const rocksdb::Slice& value) -> Status {
    rocksdb::Status ps = batch.Put(copy.handles[cf], key, value);
    if (!ps.ok()) return ToStatus(ps, "copy " + descs[cf].name);
    ++stats->records;
    stats->bytes += key.size() + value.size();
    if (batch.GetDataSize() < kBackupBatchBytes) return Status::Ok();
    ps = copy.db->Write(wo, &batch);
    if (!ps.ok()) return ToStatus(ps, "write the copy");
    batch.Clear();
    raw_in_batch.clear();
    return Status::Ok();
  };
  // The body a capture refers to, once.
  std::string last_raw_hash;
  auto copy_body = [&](std::string_view capture_key, std::string_view capture) -> Status {
    Result<CaptureRecord> c = internal::DecodeCaptureRecord(capture);
    if (!c.ok()) {
      return Status::DataLoss("captures/" + internal::HexOf(capture_key) +
                              ": undecodable record (run jikji verify)");
    }
    if (c->raw_hash == last_raw_hash || raw_in_batch.count(c->raw_hash) != 0) return Status::Ok();
    last_raw_hash = c->raw_hash;
    rocksdb::PinnableSlice body;
    rocksdb::Status gs = copy.db->Get(rocksdb::ReadOptions(), copy.handles[raw], c->raw_hash, &body);
    if (gs.ok()) return Status::Ok();  // already copied
    if (!gs.IsNotFound()) return ToStatus(gs, "read the copy");
    gs = raw_reader.Get(c->raw_hash, &body);
    if (gs.IsNotFound()) {
      return Status::DataLoss("captures/" + internal::HexOf(capture_key) +
                              ": raw body missing in the archive (run jikji verify)");
    }
    if (!gs.ok()) return ToStatus(gs, "read raw body");
    raw_in_batch.insert(c->raw_hash);
    return put(raw, c->raw_hash, body);
  };

  for (size_t i = 0; i < descs.size(); ++i) {
    if (secondary_index[i] < 0) continue;  // raw: with the captures
    const int cf = static_cast<int>(i);
    std::unique_ptr<rocksdb::Iterator> it(
        source.db->NewIterator(ro, source.handles[secondary_index[i]]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      // value() resolves merge operands (the counters).
      st = put(cf, it->key(), it->value());
      if (st.ok() && cf == captures) st = copy_body(it->key().ToStringView(), it->value().ToStringView());
      if (!st.ok()) return st;
    }
    if (!it->status().ok()) return ToStatus(it->status(), "read " + descs[i].name);
  }
  if (batch.Count() > 0) {
    s = copy.db->Write(wo, &batch);
    if (!s.ok()) return ToStatus(s, "write the copy");
  }
  rocksdb::FlushOptions fo;
  fo.wait = true;
  s = copy.db->Flush(fo, copy.handles);
  if (!s.ok()) return ToStatus(s, "flush the copy");

  {
    std::unique_ptr<rocksdb::Iterator> it(copy.db->NewIterator(rocksdb::ReadOptions(), copy.handles[meta]));
    Result<CounterTotals> totals = ReadCounters(it.get());
    if (!totals.ok()) return totals.status().WithContext("the copy's counters");
    stats->captures = static_cast<uint64_t>(std::max<int64_t>(totals->global[kCapturesCount], 0));
  }
  s = copy.Close();
  if (!s.ok()) return ToStatus(s, "close the copy");
  return SyncDir(std::filesystem::absolute(dest).parent_path());
}

}  // namespace

Result<std::unique_ptr<Archive>> Archive::Open(const std::string& dir,
                                               const ArchiveOptions& options) {
  auto archive = std::make_unique<ArchiveImpl>(
      options, rocksdb::NewLRUCache(std::max<size_t>(options.block_cache_bytes, 1 << 20)));
  Status s = archive->OpenDb(dir);
  if (!s.ok()) return s;
  return std::unique_ptr<Archive>(std::move(archive));
}

Status BackupArchive(const std::string& archive_dir, const std::string& dest,
                     BackupStats* stats) {
  std::error_code ec;
  if (std::filesystem::exists(dest, ec)) return Status::AlreadyExists(dest + " exists");
  BackupStats done;
  ArchiveOptions options;
  options.create_if_missing = false;
  auto archive = std::make_unique<ArchiveImpl>(
      options, rocksdb::NewLRUCache(std::max<size_t>(options.block_cache_bytes, 1 << 20)));
  // Not DIR/LOG: a holder's LOG would be rotated before the lock is found.
  archive->set_info_log(std::make_shared<NullLogger>());
  Status s = archive->OpenDb(archive_dir);
  if (s.ok()) {
    // Nobody else has the archive: a checkpoint, and nobody writes during it.
    done.method = BackupMethod::kCheckpoint;
    Result<ArchiveStats> counts = archive->GetStats();
    if (!counts.ok()) return counts.status();
    done.captures = counts->captures;
    s = archive->Backup(dest);  // a failed checkpoint removes its own files
    if (!s.ok()) return s;
  } else if (archive->lock_conflict()) {
    archive.reset();
    done.method = BackupMethod::kLiveCopy;
    // Created here, so that on failure only what this call made is removed.
    if (!std::filesystem::create_directory(dest, ec)) {
      if (ec) return Status::IOError("create " + dest + ": " + ec.message());
      return Status::AlreadyExists(dest + " exists");
    }
    s = LiveCopy(archive_dir, dest, &done);
    if (!s.ok()) {
      std::filesystem::remove_all(dest, ec);
      return s.WithContext("live backup of " + archive_dir);
    }
  } else {
    return s;
  }
  done.disk_bytes = DiskBytes(dest);
  if (stats != nullptr) *stats = done;
  return Status::Ok();
}

}  // namespace jikji::storage
