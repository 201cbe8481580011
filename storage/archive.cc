// The RocksDB archive. Format: storage/README.md.
#include "storage/archive.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <optional>

#include "storage/internal/records.h"

namespace jikji::storage {
namespace {

using internal::CaptureRecord;
using internal::ContentRecord;
using internal::UrlRecord;
using internal::VersionRecord;

// Column family names, in the order of the handles_ array.
enum Cf { kMeta, kCaptures, kRaw, kVersions, kUrls, kContent, kNumCfs };
constexpr const char* kCfNames[kNumCfs] = {"meta", "captures", "raw", "versions", "urls",
                                           "content"};

constexpr size_t kLockStripes = 64;
constexpr int kMaxCaptureKeyProbes = 1024;
constexpr uint64_t kMinBlobBytes = 4096;
constexpr int kBloomBitsPerKey = 10;
constexpr size_t kMaxWriteBufferBytesTotal = 128 << 20;
constexpr int64_t kMaxRawBodyBytes = int64_t{1} << 30;  // 1 GiB: a RocksDB value bound

constexpr const char kSchemaKey[] = "schema";
constexpr const char kCounterPrefix[] = "n/";
constexpr const char kSitePrefix[] = "s/";

// Adds 8-byte little-endian int64 operands (meta counters).
class Int64AddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    int64_t sum = 0;
    if (existing != nullptr) {
      Result<int64_t> v = internal::DecodeCounter(existing->ToStringView());
      if (!v.ok()) return false;
      sum = *v;
    }
    Result<int64_t> add = internal::DecodeCounter(value.ToStringView());
    if (!add.ok()) return false;
    // Wrapping add: counters never come near 2^63 in practice.
    sum = static_cast<int64_t>(static_cast<uint64_t>(sum) + static_cast<uint64_t>(*add));
    *new_value = internal::EncodeCounter(sum);
    return true;
  }
  const char* Name() const override { return "jikji.Int64Add"; }
};

Status ToStatus(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(context) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::DataLoss(msg);
  if (s.IsNoSpace()) return Status::ResourceExhausted(msg);
  if (s.IsIOError()) {
    // RocksDB 7.8 says "While lock file: DIR/LOCK: Resource temporarily
    // unavailable" (another process) or "lock hold by current process ...
    // DIR/LOCK: No locks available" (this one). Plain "lock" would also
    // match "block".
    const std::string text = s.ToString();
    if (text.find("/LOCK") != std::string::npos || text.find("lock file") != std::string::npos ||
        text.find("lock hold") != std::string::npos) {
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

// Latest-version scan over `urls` under one snapshot.
class LatestArticleIterator : public ArticleIterator {
 public:
  LatestArticleIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* urls,
                        rocksdb::ColumnFamilyHandle* versions)
      : db_(db), versions_(versions), snapshot_(db->GetSnapshot()) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    ro.fill_cache = false;  // a full scan should not evict the working set
    it_.reset(db_->NewIterator(ro, urls));
    it_->SeekToFirst();
    Settle();
  }
  ~LatestArticleIterator() override {
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
  // Moves to the first URL at or after the cursor that has a latest version
  // and is not an alias, and loads it.
  void Settle() {
    valid_ = false;
    for (; it_->Valid(); it_->Next()) {
      Result<UrlRecord> url = internal::DecodeUrlRecord(it_->value().ToStringView());
      if (!url.ok()) {
        status_ = url.status().WithContext("urls/" + it_->key().ToString());
        return;
      }
      const UrlState& state = url->state;
      if (state.latest_version == 0 || !state.duplicate_of.empty()) continue;
      rocksdb::ReadOptions ro;
      ro.snapshot = snapshot_;
      ro.fill_cache = false;
      rocksdb::PinnableSlice value;
      std::string key = internal::VersionKey(it_->key().ToStringView(), state.latest_version);
      rocksdb::Status s = db_->Get(ro, versions_, key, &value);
      if (!s.ok()) {
        status_ = s.IsNotFound()
                      ? Status::DataLoss("latest version missing for " + state.url)
                      : ToStatus(s, "read version");
        return;
      }
      Result<VersionRecord> version = internal::DecodeVersionRecord(value.ToStringView());
      if (!version.ok()) {
        status_ = version.status().WithContext(state.url);
        return;
      }
      Fill(state, std::move(version).value());
      valid_ = true;
      return;
    }
    if (!it_->status().ok()) status_ = ToStatus(it_->status(), "scan urls");
  }

  void Fill(const UrlState& state, VersionRecord version) {
    record_ = ArticleRecord();
    record_.url = state.url;
    Result<internal::UrlKey> key = internal::MakeUrlKey(state.url);
    if (key.ok()) record_.site = key->site;
    record_.version = version.version;
    record_.fetched_micros = version.fetched_micros;
    record_.http_status = version.http_status;
    record_.content_hash = internal::HexOf(version.content_hash);
    record_.extractor_version = version.extractor_version;
    record_.relevance = version.relevance;
    record_.article = std::move(version.article);
  }

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* versions_;
  const rocksdb::Snapshot* snapshot_;
  std::unique_ptr<rocksdb::Iterator> it_;
  ArticleRecord record_;
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

  Result<StoreResult> Store(const Capture& capture, const Article* article,
                            double relevance) override;
  Result<UrlState> GetUrlState(std::string_view url) override;
  Result<ArticleRecord> GetArticle(std::string_view url, uint32_t version) override;
  Result<Capture> GetLatestCapture(std::string_view url) override;
  std::unique_ptr<ArticleIterator> NewLatestArticleIterator() override {
    return std::make_unique<LatestArticleIterator>(db_, cf_[kUrls], cf_[kVersions]);
  }
  Result<ArchiveStats> GetStats() override;
  Status Flush() override;

 private:
  rocksdb::ColumnFamilyOptions CfOptions(int cf) const;
  Status CheckSchema();
  // Reads urls[urlkey]; nullopt when absent.
  Result<std::optional<UrlRecord>> ReadUrl(const std::string& urlkey);
  const ArchiveOptions options_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::MergeOperator> counter_op_ = std::make_shared<Int64AddOperator>();
  rocksdb::DB* db_ = nullptr;
  std::array<rocksdb::ColumnFamilyHandle*, kNumCfs> cf_{};
  std::vector<rocksdb::ColumnFamilyHandle*> all_handles_;  // owned, incl. unknown CFs
  std::vector<rocksdb::CompressionType> supported_;

  // Striped locks (README "Concurrency"): order url -> content -> raw.
  std::array<std::mutex, kLockStripes> url_mu_;
  std::array<std::mutex, kLockStripes> content_mu_;
  std::array<std::mutex, kLockStripes> raw_mu_;
};

rocksdb::ColumnFamilyOptions ArchiveImpl::CfOptions(int cf) const {
  using rocksdb::kLZ4Compression;
  using rocksdb::kSnappyCompression;
  using rocksdb::kZSTD;
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache_;
  rocksdb::CompressionType zstd = Pick(supported_, {kZSTD, kLZ4Compression, kSnappyCompression});
  rocksdb::CompressionType lz4 = Pick(supported_, {kLZ4Compression, kSnappyCompression});
  switch (cf) {
    case kMeta:
      o.compression = lz4;
      o.merge_operator = counter_op_;
      break;
    case kCaptures:
    case kVersions:
      o.compression = zstd;
      break;
    case kRaw:
      o.compression = zstd;
      o.enable_blob_files = true;
      o.min_blob_size = kMinBlobBytes;
      o.blob_compression_type = zstd;
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kBloomBitsPerKey));
      break;
    case kUrls:
    case kContent:
      o.compression = lz4;
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kBloomBitsPerKey));
      break;
    default:
      break;
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return o;
}

Status ArchiveImpl::OpenDb(const std::string& dir) {
  supported_ = rocksdb::GetSupportedCompressions();
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options_.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_open_files = options_.max_open_files;
  db_options.db_write_buffer_size = kMaxWriteBufferBytesTotal;
  if (options_.env != nullptr) db_options.env = options_.env;

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
  if (options_.read_only) {
    // A read-only open cannot create CFs: keep only the ones on disk.
    std::vector<rocksdb::ColumnFamilyDescriptor> present;
    for (auto& d : descs) {
      if (std::find(existing.begin(), existing.end(), d.name) != existing.end()) {
        present.push_back(d);
      }
    }
    if (present.size() != descs.size()) {
      return Status::DataLoss("archive in " + dir + " lacks column families");
    }
  }

  rocksdb::Status s =
      options_.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, dir, descs, &all_handles_, &db_)
          : rocksdb::DB::Open(db_options, dir, descs, &all_handles_, &db_);
  if (!s.ok()) {
    db_ = nullptr;
    all_handles_.clear();
    return ToStatus(s, "open archive " + dir);
  }
  for (int cf = 0; cf < kNumCfs; ++cf) cf_[cf] = all_handles_[index[cf]];
  return CheckSchema();
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
  return Status::Ok();
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
  if (is_article) {
    const std::string normalized = internal::NormalizeArticleText(article->body);
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

  rocksdb::WriteBatch batch;
  StoreResult result;
  bool new_version = false;

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
    url.state.latest_version += 1;
    url.state.duplicate_of.clear();
    url.state.last_changed_micros = capture.fetched_micros;
    url.content_hash = content_hash;
    url.meta_hash = meta_hash;
    VersionRecord v;
    v.version = url.state.latest_version;
    v.fetched_micros = capture.fetched_micros;
    v.http_status = capture.http_status;
    v.content_hash = content_hash;
    v.extractor_version = kExtractorVersion;
    v.relevance = relevance;
    v.capture_key = capture_key;
    v.article = *article;
    batch.Put(cf_[kVersions], internal::VersionKey(urlkey, v.version),
              internal::EncodeVersionRecord(v));
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

  CaptureRecord cr;
  cr.capture = capture;
  cr.capture.body.clear();
  cr.raw_hash = raw_hash;
  cr.body_size = capture.body.size();
  batch.Put(cf_[kCaptures], capture_key, internal::EncodeCaptureRecord(cr));

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
  auto is_article_url = [](const UrlRecord& r) {
    return r.state.latest_version > 0 && r.state.duplicate_of.empty();
  };
  auto is_alias = [](const UrlRecord& r) { return !r.state.duplicate_of.empty(); };
  const int64_t d_articles = (is_article_url(url) ? 1 : 0) -
                             (existed && is_article_url(before) ? 1 : 0);
  const int64_t d_aliases = (is_alias(url) ? 1 : 0) - (existed && is_alias(before) ? 1 : 0);
  rocksdb::Status batch_status;
  auto count = [&](const std::string& key, int64_t delta) {
    if (delta == 0 || !batch_status.ok()) return;
    batch_status = batch.Merge(cf_[kMeta], key, internal::EncodeCounter(delta));
  };
  const std::string site_prefix = kSitePrefix + site + "/";
  count(std::string(kCounterPrefix) + "captures", 1);
  count(std::string(kCounterPrefix) + "urls", existed ? 0 : 1);
  count(std::string(kCounterPrefix) + "raw_bodies", raw_present ? 0 : 1);
  count(std::string(kCounterPrefix) + "articles", d_articles);
  count(std::string(kCounterPrefix) + "versions", new_version ? 1 : 0);
  count(std::string(kCounterPrefix) + "duplicates", d_aliases);
  count(site_prefix + "urls", existed ? 0 : 1);
  count(site_prefix + "articles", d_articles);
  count(site_prefix + "versions", new_version ? 1 : 0);
  if (!batch_status.ok()) return ToStatus(batch_status, "build batch");

  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) return ToStatus(s, "store " + capture.url);
  return result;
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
  ArticleRecord out;
  out.url = state.url;
  out.site = key->site;
  out.version = v->version;
  out.fetched_micros = v->fetched_micros;
  out.http_status = v->http_status;
  out.content_hash = internal::HexOf(v->content_hash);
  out.duplicate_of = state.duplicate_of;
  out.extractor_version = v->extractor_version;
  out.relevance = v->relevance;
  out.article = std::move(v->article);
  return out;
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
  ArchiveStats stats;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kMeta]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    const bool global = key.starts_with(kCounterPrefix);
    const bool per_site = key.starts_with(kSitePrefix);
    if (!global && !per_site) continue;
    Result<int64_t> v = internal::DecodeCounter(it->value().ToStringView());
    if (!v.ok()) return v.status().WithContext(std::string(key));
    const uint64_t n = static_cast<uint64_t>(std::max<int64_t>(*v, 0));
    if (global) {
      std::string_view name = key.substr(sizeof(kCounterPrefix) - 1);
      if (name == "urls") stats.urls = n;
      else if (name == "captures") stats.captures = n;
      else if (name == "raw_bodies") stats.raw_bodies = n;
      else if (name == "articles") stats.articles = n;
      else if (name == "versions") stats.versions = n;
      else if (name == "duplicates") stats.duplicates = n;
      continue;
    }
    std::string_view rest = key.substr(sizeof(kSitePrefix) - 1);
    size_t slash = rest.rfind('/');
    if (slash == std::string_view::npos) continue;
    SiteStats& site = stats.by_site[std::string(rest.substr(0, slash))];
    std::string_view name = rest.substr(slash + 1);
    if (name == "urls") site.urls = n;
    else if (name == "articles") site.articles = n;
    else if (name == "versions") site.versions = n;
  }
  if (!it->status().ok()) return ToStatus(it->status(), "scan meta");
  return stats;
}

Status ArchiveImpl::Flush() {
  if (options_.read_only) return Status::Ok();
  rocksdb::FlushOptions fo;
  fo.wait = true;
  std::vector<rocksdb::ColumnFamilyHandle*> handles(cf_.begin(), cf_.end());
  return ToStatus(db_->Flush(fo, handles), "flush");
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

}  // namespace jikji::storage
