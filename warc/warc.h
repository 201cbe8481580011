// WARC/1.1 writing (ISO 28500:2017) and CDXJ index lines, for `jikji export
// --format warc`. Each record is its own gzip member, so a CDXJ line's
// offset and length address one record for random access.
//
// Thread safety: WarcWriter is not thread-safe (one per output stream);
// the free functions are.
#ifndef JIKJI_WARC_WARC_H_
#define JIKJI_WARC_WARC_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace jikji::warc {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Where a record landed in the output: its gzip member.
struct RecordLocation {
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string record_id;  // "<urn:uuid:...>"
};

// Largest block one record may hold (a RocksDB value is bounded below it).
inline constexpr size_t kMaxBlockBytes = size_t{1} << 31;

class WarcWriter {
 public:
  // `out` must outlive the writer; nothing is written until Write().
  explicit WarcWriter(std::ostream* out) : out_(out) {}

  // Writes one record: "WARC/1.1", then WARC-Type, WARC-Record-ID (derived
  // from the record's content, so output is reproducible), WARC-Date,
  // `fields` in order, Content-Type (when non-empty), WARC-Block-Digest
  // (sha1, base32), Content-Length; the block; "\r\n\r\n". gzip'd as one
  // member. Errors: InvalidArgument for a block over kMaxBlockBytes or a
  // field containing CR/LF; IOError when the stream fails.
  Result<RecordLocation> Write(std::string_view type, int64_t date_micros, const Fields& fields,
                               std::string_view content_type, std::string_view block);

  uint64_t offset() const { return offset_; }

 private:
  std::ostream* out_;
  uint64_t offset_ = 0;
  uint64_t count_ = 0;
};

// "sha1:" + RFC 4648 base32 of the SHA-1 of `data` (the WARC digest form).
std::string Sha1Digest(std::string_view data);
// Raw 20-byte SHA-1.
std::string Sha1(std::string_view data);
// W3C-DTF with microseconds, UTC: 2024-05-01T09:30:00.123456Z.
std::string WarcDate(int64_t micros);
// 14-digit CDX timestamp: 20240501093000.
std::string CdxTimestamp(int64_t micros);
// One gzip member holding `data`.
std::string GzipMember(std::string_view data);

// An HTTP/1.1 message block as it goes into a response record: status
// line, `headers` minus Content-Encoding / Transfer-Encoding /
// Content-Length (the payload is stored decoded), a Content-Length for
// `body`, CRLF, body.
std::string HttpResponseBlock(int status, const Fields& headers, std::string_view body);
// The header part only (for revisit records).
std::string HttpResponseHead(int status, const Fields& headers, uint64_t body_size);
// "GET <path> HTTP/1.1" with Host, for a request record. Empty when the
// URL has no http(s) authority.
std::string HttpRequestBlock(std::string_view url, std::string_view user_agent);

// One CDXJ line (pywb form): "<surt> <timestamp14> <json>\n". The JSON
// object holds url, mime, status, digest, length, offset, filename, in
// that order.
std::string CdxjLine(std::string_view surt, int64_t micros, std::string_view url,
                     std::string_view mime, int status, std::string_view payload_digest,
                     const RecordLocation& location, std::string_view filename);

}  // namespace jikji::warc

#endif  // JIKJI_WARC_WARC_H_
