// Archive: the RocksDB store of raw captures and article versions.
// The key schema and record encodings are written down in storage/README.md.
//
// Thread safety: an Archive may be used from many threads at once; every
// write of one capture is one atomic WriteBatch. Iterators are not
// thread-safe; use one per thread.
#ifndef JIKJI_STORAGE_ARCHIVE_H_
#define JIKJI_STORAGE_ARCHIVE_H_

#include <cstdint>
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
  Article article;
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

  virtual Result<ArchiveStats> GetStats() = 0;

  // Flushes memtables to disk (the WAL already makes writes durable).
  virtual Status Flush() = 0;
};

}  // namespace jikji::storage

#endif  // JIKJI_STORAGE_ARCHIVE_H_
