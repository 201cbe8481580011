// Archive: the RocksDB store of raw captures and article versions.
// The key schema and record encodings are written down in storage/README.md.
//
// Thread safety: an Archive may be used from many threads at once; every
// write of one capture is one atomic WriteBatch. Iterators are not
// thread-safe; use one per thread.
#ifndef JIKJI_STORAGE_ARCHIVE_H_
#define JIKJI_STORAGE_ARCHIVE_H_

#include <cstdint>
#include <climits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "parser/article.h"

namespace rocksdb {
class Env;
}

namespace jikji::storage {

// One HTTP fetch as recorded.
struct Capture {
  std::string url;             // normalized URL that was requested
  std::string final_url;       // after redirects (== url when none)
  int64_t fetched_micros = 0;  // wall clock, UTC
  int http_status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // response headers
  std::string body;            // decoded body bytes, as received
  std::vector<std::string> redirect_chain;
  bool truncated = false;      // body cap hit
};

struct ArchiveOptions {
  bool create_if_missing = true;
  bool read_only = false;
  size_t block_cache_bytes = 64 << 20;
  // fsync the WAL on every Store(). Off: a Store() that returned OK survives
  // a process crash but not a power loss (see storage/README.md).
  bool sync = false;
  // Bound on the SST files RocksDB keeps open.
  int max_open_files = 512;
  // For fault-injection tests: an Env wrapping the default one. Not owned;
  // must outlive the Archive. nullptr means rocksdb::Env::Default().
  rocksdb::Env* env = nullptr;
};

// What Store() did.
struct StoreResult {
  enum class Outcome {
    kNewArticle,      // first version of this URL
    kNewVersion,      // body or key metadata changed: version N+1
    kUnchanged,       // same as the latest version: only last-seen bumped
    kExactDuplicate,  // same body as another URL's article: stored as alias
    kNotArticle,      // raw capture kept, no article version
  };
  Outcome outcome = Outcome::kNotArticle;
  uint32_t version = 0;        // the URL's latest version number (1-based), 0 if none
  std::string duplicate_of;    // for kExactDuplicate: the URL holding the text
  std::string near_duplicate_of;  // for a new version: a URL with a near-identical text
  bool raw_deduplicated = false;  // the same raw body was already stored
};

// The state of one URL, kept in the url index.
struct UrlState {
  std::string url;
  uint32_t latest_version = 0;
  int64_t first_fetched_micros = 0;
  int64_t last_fetched_micros = 0;
  int64_t last_changed_micros = 0;
  int last_http_status = 0;
  std::string etag;
  std::string last_modified;
  std::string content_hash;  // hex of the latest version's body hash
  std::string duplicate_of;
};

// One stored article version, as export and get read it.
struct ArticleRecord {
  std::string url;
  std::string site;
  uint32_t version = 0;
  int64_t fetched_micros = 0;
  int http_status = 0;
  std::string content_hash;
  std::string duplicate_of;
  std::string near_duplicate_of;
  int extractor_version = 0;
  double relevance = 0;
  uint64_t simhash = 0;      // 64-bit SimHash of the normalized text
  uint64_t sequence = 0;     // position in the change feed (0: before schema 2)
  Article article;
};

// Which article rows an ArticleIterator yields (see storage/README.md
// "Reading"). Rows failing a filter are skipped inside the iterator.
struct ArticleScan {
  // false: the latest version of each URL; true: every version.
  bool all_versions = false;
  // Also yield a row per exact-duplicate alias (the target's text, url =
  // the alias, duplicate_of set). URL-order latest scans only.
  bool include_aliases = false;
  // Fetch-time window [since, until) in UTC micros. When narrower than
  // everything, the scan is a range over the by_time index.
  int64_t since_fetched_micros = INT64_MIN;
  int64_t until_fetched_micros = INT64_MAX;
  // When set, the scan reads the change feed after this sequence number
  // (versions in the order they were written).
  bool changes = false;
  uint64_t after_sequence = 0;
  // Only URLs of this site (url::SiteOfHost); empty: all.
  std::string site;
};

// One stored capture, as rebuild and WARC export read it.
struct StoredCapture {
  std::string key;        // its key in `captures` (opaque; for StoreReextracted)
  std::string site;
  std::string raw_hash;   // hex, 32 digits
  Capture capture;        // body included
};

// A forward scan over captures in (URL key, fetch time) order.
// Usage as ArticleIterator. capture() is valid until Next().
class CaptureIterator {
 public:
  virtual ~CaptureIterator() = default;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual const StoredCapture& capture() const = 0;
  virtual Status status() const = 0;
};

struct ReextractResult {
  bool changed = false;   // a new version was written
  uint32_t version = 0;   // the new version, or the one in effect when unchanged
};

// Problems Verify() keeps in its report (all are counted).
inline constexpr size_t kMaxVerifyProblems = 1000;

// What Verify() found. Each problem is one line naming the CF and key.
struct VerifyReport {
  uint64_t records_checked = 0;
  std::vector<std::string> problems;  // at most kMaxVerifyProblems kept
  uint64_t problem_count = 0;         // all of them
  uint64_t repaired = 0;              // fixes written (repair mode)
};

// A forward scan. Usage: for (; it->Valid(); it->Next()) use it->record();
// then check it->status(). record() is valid until Next() or destruction.
class ArticleIterator {
 public:
  virtual ~ArticleIterator() = default;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual const ArticleRecord& record() const = 0;
  virtual Status status() const = 0;
};

struct SiteStats {
  uint64_t urls = 0;
  uint64_t articles = 0;
  uint64_t versions = 0;
};

struct ArchiveStats {
  uint64_t urls = 0;          // URLs with at least one capture
  uint64_t captures = 0;      // fetches recorded
  uint64_t raw_bodies = 0;    // distinct raw bodies stored
  uint64_t articles = 0;      // URLs with at least one article version (aliases excluded)
  uint64_t versions = 0;      // article versions
  uint64_t duplicates = 0;    // exact-duplicate aliases
  std::map<std::string, SiteStats> by_site;
};

class Archive {
 public:
  // Opens (or creates) the archive in `dir`. Only one process may open an
  // archive for writing (RocksDB's LOCK file).
  // Errors: FailedPrecondition if locked or of a newer schema; NotFound when
  // absent and !create_if_missing (or read_only); DataLoss on corruption;
  // IOError.
  static Result<std::unique_ptr<Archive>> Open(const std::string& dir,
                                               const ArchiveOptions& options = {});
  virtual ~Archive() = default;

  // Records one fetch. The raw capture is always kept (its body stored once
  // per distinct content). When `article` is given and is_article, an
  // article version is added if its normalized body or key metadata differ
  // from the URL's latest version. One atomic write.
  // Errors: InvalidArgument (empty/oversized URL, NUL byte, negative time);
  // FailedPrecondition when opened read_only; ResourceExhausted when the
  // disk is full or the body exceeds the archive's bound; IOError. After a
  // failed write RocksDB refuses further writes until the archive is
  // reopened; every Store() that returned OK is kept.
  virtual Result<StoreResult> Store(const Capture& capture, const Article* article,
                                    double relevance = 0) = 0;

  // The URL's state. Errors: NotFound when the URL was never stored.
  virtual Result<UrlState> GetUrlState(std::string_view url) = 0;

  // Version `version` (1-based) of the URL's article; 0 means the latest.
  // duplicate_of is filled from the URL's state.
  // Errors: NotFound when the URL or that version does not exist (an alias
  // without versions of its own has none).
  virtual Result<ArticleRecord> GetArticle(std::string_view url, uint32_t version = 0) = 0;

  // The newest capture of the URL (by fetch time), body included.
  // Errors: NotFound when the URL has no capture.
  virtual Result<Capture> GetLatestCapture(std::string_view url) = 0;

  // The latest version of every article URL, in key order, aliases left out.
  // Reads one consistent snapshot; memory is constant. The iterator must be
  // destroyed before the Archive.
  virtual std::unique_ptr<ArticleIterator> NewLatestArticleIterator() = 0;

  // Rows selected by `scan` (see ArticleScan). Snapshot-consistent,
  // constant memory; must be destroyed before the Archive.
  virtual std::unique_ptr<ArticleIterator> NewArticleIterator(const ArticleScan& scan) = 0;

  // The highest sequence number in the change feed (0 when empty): the
  // cursor to pass as after_sequence next time.
  virtual Result<uint64_t> LastSequence() = 0;

  // Every version of the URL, oldest first (version numbers ascending).
  // Errors: NotFound when the URL was never stored.
  virtual Result<std::vector<ArticleRecord>> GetVersions(std::string_view url) = 0;

  // Captures in key order, starting after `start_after` (a StoredCapture
  // key; empty: from the first). Snapshot-consistent, constant memory.
  virtual std::unique_ptr<CaptureIterator> NewCaptureIterator(std::string_view start_after = {}) = 0;

  // Records the output of a re-run extractor for the capture with `key`.
  // The version "in effect" for the capture is the URL's version with the
  // greatest (fetch time, number) not after the capture's fetch time. When
  // `article` is an article whose content hash or meta hash differs from
  // it (or there is none), a new version is written, tagged
  // `extractor_version`, with every index; it becomes the URL's latest
  // when not older than the current latest. Otherwise nothing is written.
  // One atomic write. Errors: NotFound for an unknown capture key; as Store().
  virtual Result<ReextractResult> StoreReextracted(std::string_view capture_key,
                                                   const Article& article,
                                                   int extractor_version) = 0;

  // Small named values in `meta` under "x/<name>" (e.g. the rebuild cursor).
  // GetMeta errors: NotFound when unset.
  virtual Result<std::string> GetMeta(std::string_view name) = 0;
  virtual Status PutMeta(std::string_view name, std::string_view value) = 0;
  virtual Status DeleteMeta(std::string_view name) = 0;

  // Checks every index (urls, content, simhash, by_time, changes, counters)
  // against the data (versions, captures, raw). With `repair`, adds missing
  // index entries, deletes dangling ones and rewrites counters.
  // Errors only when the check itself cannot run (I/O).
  virtual Result<VerifyReport> Verify(bool repair) = 0;

  // A consistent copy of the archive in `dir` (which must not exist), made
  // with a RocksDB checkpoint while writers keep going.
  // Errors: AlreadyExists when `dir` exists; IOError.
  virtual Status Backup(const std::string& dir) = 0;

  virtual Result<ArchiveStats> GetStats() = 0;

  // Flushes memtables to disk (the WAL already makes writes durable).
  virtual Status Flush() = 0;
};

// Bytes of key/value data buffered in one WriteBatch of a live copy.
inline constexpr size_t kBackupBatchBytes = 4 << 20;

// How BackupArchive() made its copy.
enum class BackupMethod {
  kCheckpoint,  // nobody held the archive: a RocksDB checkpoint (hard links)
  kLiveCopy,    // another process (or Archive) held it: a logical copy read
                // from a RocksDB secondary instance at one point in time
};

// What BackupArchive() did.
struct BackupStats {
  BackupMethod method = BackupMethod::kCheckpoint;
  uint64_t records = 0;     // key/value pairs copied, every CF (kLiveCopy only)
  uint64_t bytes = 0;       // their key + value bytes (kLiveCopy only)
  uint64_t captures = 0;    // captures in the copy (its counter)
  uint64_t disk_bytes = 0;  // size of the files in the copy (hard links counted)
};

// Writes a consistent copy of the archive in `archive_dir` to `dest`, which
// must not exist, whether or not another process has the archive open
// (storage/README.md "Backup"). When the archive can be opened, the copy is
// a RocksDB checkpoint (Archive::Backup). When it is locked, it is read
// through a RocksDB secondary instance caught up with the primary once (raw
// bodies by key through a read-only instance: RocksDB 7.8 secondaries cannot
// read blob files), and every key/value of every column family is written
// to a new archive in `dest` with the archive's own column family options;
// writers keep going and the copy holds exactly the captures stored before
// the catch-up.
// Memory is bounded (kBackupBatchBytes of pending writes, RocksDB's
// buffers); `stats` (may be nullptr) is filled on success. `dest` is a
// complete archive: Archive::Open and Verify read it.
// Errors: AlreadyExists when `dest` exists; NotFound when `archive_dir`
// holds no archive; FailedPrecondition when its schema is newer than this
// build's; IOError, DataLoss, ResourceExhausted from reading or writing.
// On error nothing is left at `dest`.
// Thread safety: callable from any thread, also while an Archive of the same
// directory is in use in this process (then the copy is a live one).
Status BackupArchive(const std::string& archive_dir, const std::string& dest,
                     BackupStats* stats);

}  // namespace jikji::storage

#endif  // JIKJI_STORAGE_ARCHIVE_H_
