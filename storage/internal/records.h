// Keys, hashes and record encodings of the archive, exactly as written down
// in storage/README.md. Private to storage/.
//
// Thread safety: free functions over values; safe from any thread.
#ifndef JIKJI_STORAGE_INTERNAL_RECORDS_H_
#define JIKJI_STORAGE_INTERNAL_RECORDS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parser/article.h"
#include "storage/archive.h"

namespace jikji::storage::internal {

inline constexpr int kSchemaVersion = 4;
inline constexpr size_t kMaxUrlBytes = 16 * 1024;
inline constexpr size_t kHashBytes = 16;
// First byte of a fallback urlkey (URL that does not parse).
inline constexpr char kFallbackKeyPrefix = '\x01';

// ---- keys
// The urlkey of `url` and the site it belongs to ("" for fallback keys).
// Errors: InvalidArgument for an empty or too long URL or one with a NUL.
struct UrlKey {
  std::string key;
  std::string site;
};
Result<UrlKey> MakeUrlKey(std::string_view url);

std::string CaptureKey(std::string_view urlkey, uint64_t fetched_micros);
std::string VersionKey(std::string_view urlkey, uint32_t version);
// [urlkey + 0x00, urlkey + 0x01): the captures / versions of one URL.
std::string UrlRangeStart(std::string_view urlkey);
std::string UrlRangeLimit(std::string_view urlkey);

void PutBigEndian64(std::string* out, uint64_t v);
void PutBigEndian32(std::string* out, uint32_t v);

// ---- hashes
std::string RawHash(std::string_view body);               // 16 bytes
std::string NormalizeArticleText(std::string_view body);  // see README
std::string ContentHash(std::string_view normalized);     // 16 bytes
uint64_t MetaHash(const Article& article);
std::string HexOf(std::string_view bytes);

// ---- near duplicates (README "simhash")
// Words per shingle of the SimHash features.
inline constexpr size_t kShingleWords = 3;
// Largest Hamming distance that makes two texts near duplicates.
inline constexpr int kNearDuplicateBits = 3;
// Permuted tables: 64 bits in kSimHashTables blocks of 16 bits.
inline constexpr int kSimHashTables = 4;
// SimHash (Charikar) of the normalized text: every shingle of kShingleWords
// consecutive words, hashed with XXH3-64, votes +1/-1 per bit, weighted by
// its count. 0 for an empty text.
uint64_t SimHash(std::string_view normalized);
// Table t's permutation: block t (bits 63-16t .. 48-16t) moved to the top,
// the other blocks after it in their order. PermuteFor(t, x) and
// UnpermuteFor(t, ...) are inverse.
uint64_t PermuteFor(int table, uint64_t fingerprint);
uint64_t UnpermuteFor(int table, uint64_t permuted);
// simhash CF key: table (1 byte) + be64(permuted) + urlkey + 0x00 + be32(version).
std::string SimHashKey(int table, uint64_t fingerprint, std::string_view urlkey, uint32_t version);

// ---- paragraph sketch (README "simhash", key space kSketchSpace)
// Second candidate source for near duplicates: a small min-hash sketch of
// the text's paragraph segments, indexed as exact keys.
// A paragraph with at least this many words closes a segment; shorter
// paragraphs join the next such paragraph (trailing ones the last segment).
inline constexpr size_t kSegmentMinWords = 16;
// Segment hashes kept per text: the kSketchSize smallest (min-hash).
inline constexpr size_t kSketchSize = 4;
// First byte of sketch keys in the simhash CF (tables use 0..3).
inline constexpr int kSketchSpace = 4;
// Confirmation: a candidate is a near duplicate when the Jaccard similarity
// of the two texts' word-shingle sets (ShingleSet) is at least this. Chosen
// from the bench data (README "simhash").
inline constexpr double kNearDuplicateMinJaccard = 0.6;
// The segments of a normalized text (views into it), in order; empty text:
// none. Deciding a boundary looks only at the paragraph itself, so an edit
// changes at most the segment it is in and, when it moves the paragraph
// across kSegmentMinWords, one neighbour.
std::vector<std::string_view> TextSegments(std::string_view normalized);
// The sketch: XXH3-64 of each segment, deduplicated, the kSketchSize
// smallest, ascending.
std::vector<uint64_t> ParagraphSketch(std::string_view normalized);
// simhash CF key: kSketchSpace (1 byte) + be64(segment hash) + urlkey + 0x00
// + be32(version).
std::string SketchKey(uint64_t segment_hash, std::string_view urlkey, uint32_t version);
// XXH3-64 of every shingle of kShingleWords words (the SimHash features),
// sorted, deduplicated. Empty text: empty.
std::vector<uint64_t> ShingleSet(std::string_view normalized);
// |a ∩ b| / |a ∪ b| of two ShingleSet results; 0 when both are empty.
double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

// by_time CF key: be64(fetch micros) + urlkey + 0x00 + be32(version).
std::string ByTimeKey(int64_t fetched_micros, std::string_view urlkey, uint32_t version);
// changes CF key: be64(sequence).
std::string ChangeKey(uint64_t sequence);
// Version ref (changes value, and the tail of simhash/by_time keys):
// urlkey + 0x00 + be32(version).
std::string VersionRef(std::string_view urlkey, uint32_t version);
// Splits a version ref; false when malformed.
bool ParseVersionRef(std::string_view ref, std::string* urlkey, uint32_t* version);
uint64_t GetBigEndian64(std::string_view bytes);  // REQUIRES: size >= 8
uint32_t GetBigEndian32(std::string_view bytes);  // REQUIRES: size >= 4

// ---- records
// UrlState plus the private fields kept beside it.
struct UrlRecord {
  UrlState state;            // state.content_hash is hex
  std::string content_hash;  // 16 bytes or empty
  uint64_t meta_hash = 0;
  std::string raw_hash;      // 16 bytes or empty
  uint32_t max_version = 0;  // highest version number written (>= latest)
};
std::string EncodeUrlRecord(const UrlRecord& record);
Result<UrlRecord> DecodeUrlRecord(std::string_view data);

struct CaptureRecord {
  Capture capture;        // body left empty
  std::string raw_hash;   // 16 bytes
  uint64_t body_size = 0;
};
std::string EncodeCaptureRecord(const CaptureRecord& record);
// The same for `capture` (its body is not read) without copying it into a
// CaptureRecord.
std::string EncodeCaptureRecord(const Capture& capture, std::string_view raw_hash,
                                uint64_t body_size);
Result<CaptureRecord> DecodeCaptureRecord(std::string_view data);

struct VersionRecord {
  uint32_t version = 0;
  int64_t fetched_micros = 0;
  int http_status = 0;
  std::string content_hash;  // 16 bytes
  int extractor_version = 0;
  double relevance = 0;
  std::string capture_key;
  uint64_t simhash = 0;
  std::string near_duplicate_of;  // URL whose text is within kNearDuplicateBits
  uint64_t sequence = 0;          // its key in `changes`, 0 when not recorded
  Article article;           // is_article true on decode
};
std::string EncodeVersionRecord(const VersionRecord& record);
Result<VersionRecord> DecodeVersionRecord(std::string_view data);

struct ContentRecord {
  std::string url;
  uint32_t version = 0;
};
std::string EncodeContentRecord(const ContentRecord& record);
Result<ContentRecord> DecodeContentRecord(std::string_view data);

// meta counters: 8-byte little-endian int64.
std::string EncodeCounter(int64_t v);
// Errors: DataLoss unless exactly 8 bytes.
Result<int64_t> DecodeCounter(std::string_view data);
// Packed meta counters (schema 4): consecutive 8-byte little-endian int64s.
std::string EncodeCounters(const int64_t* v, size_t n);
// Errors: DataLoss unless a multiple of 8 bytes.
Result<std::vector<int64_t>> DecodeCounters(std::string_view data);
// a + b element by element (wrapping), the shorter one read as zeros past
// its end: what the meta merge operator does to two operands. Errors as
// DecodeCounters.
Result<std::string> AddCounters(std::string_view a, std::string_view b);

}  // namespace jikji::storage::internal

#endif  // JIKJI_STORAGE_INTERNAL_RECORDS_H_
