// Keys, hashes and MessagePack records of the archive (storage/README.md).
#include "storage/internal/records.h"

// Inlined: SimHash hashes every shingle of every stored text (~600 short
// inputs each), and the library call cost as much as the hashing.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "url/url.h"

namespace jikji::storage::internal {
namespace {

using json = nlohmann::json;

// ---- writing: a MessagePack map, fields equal to their default left out.
// The bytes are those nlohmann::json::to_msgpack writes for the same
// object (keys in sorted order, each value in its smallest encoding, as
// the records have always been written), without building the json value:
// encoding was ~10% of Store(). tests/storage/records_test.cc compares the
// two on random records.
class MapWriter {
 public:
  void Str(const char* key, std::string_view v) {
    if (v.empty()) return;
    Begin(key);
    String(v);
  }
  void Int(const char* key, int64_t v) {
    if (v == 0) return;
    Begin(key);
    Integer(v);
  }
  void UInt(const char* key, uint64_t v) {
    if (v == 0) return;
    Begin(key);
    Unsigned(v);
  }
  void Bin(const char* key, std::string_view v) {
    if (v.empty()) return;
    Begin(key);
    Header(v.size(), kBin);
    buf_.append(v);
  }
  void List(const char* key, const std::vector<std::string>& v) {
    if (v.empty()) return;
    Begin(key);
    Header(v.size(), kArray);
    for (const std::string& s : v) String(s);
  }
  void Pairs(const char* key, const std::vector<std::pair<std::string, std::string>>& v) {
    if (v.empty()) return;
    Begin(key);
    Header(v.size(), kArray);
    for (const auto& [a, b] : v) {
      Header(2, kArray);
      String(a);
      String(b);
    }
  }
  void Float(const char* key, double v) {
    if (v == 0) return;
    Begin(key);
    // float32 when it holds the value exactly (nlohmann's compact floats).
    if (v >= static_cast<double>(std::numeric_limits<float>::lowest()) &&
        v <= static_cast<double>(std::numeric_limits<float>::max()) &&
        static_cast<double>(static_cast<float>(v)) == v) {
      buf_.push_back(static_cast<char>(0xCA));
      BigEndian(std::bit_cast<uint32_t>(static_cast<float>(v)), 4);
    } else {
      buf_.push_back(static_cast<char>(0xCB));
      BigEndian(std::bit_cast<uint64_t>(v), 8);
    }
  }
  void True(const char* key) {
    Begin(key);
    buf_.push_back(static_cast<char>(0xC3));
  }

  std::string Finish() {
    if (!fields_.empty()) fields_.back().end = buf_.size();
    std::sort(fields_.begin(), fields_.end(),
              [](const Field& a, const Field& b) { return a.key < b.key; });
    std::string values = std::move(buf_);
    buf_.clear();
    buf_.reserve(values.size() + 8 + 4 * fields_.size());
    Header(fields_.size(), kMap);
    for (const Field& f : fields_) {
      String(f.key);
      buf_.append(values, f.begin, f.end - f.begin);
    }
    return std::move(buf_);
  }

 private:
  struct Field {
    std::string_view key;
    size_t begin = 0;
    size_t end = 0;
  };

  void Begin(const char* key) {
    if (!fields_.empty()) fields_.back().end = buf_.size();
    fields_.push_back({key, buf_.size(), 0});
  }
  void BigEndian(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) buf_.push_back(static_cast<char>(v >> (8 * i)));
  }
  // The length headers of one MessagePack family: `fix | n` for n <=
  // fix_max (fix_max < 0: no such form), then 8-bit (len8 0: none), 16-bit
  // and 32-bit lengths.
  struct Codes {
    int fix_max;
    uint8_t fix, len8, len16, len32;
  };
  static constexpr Codes kStr{31, 0xA0, 0xD9, 0xDA, 0xDB};
  static constexpr Codes kBin{-1, 0, 0xC4, 0xC5, 0xC6};
  static constexpr Codes kArray{15, 0x90, 0, 0xDC, 0xDD};
  static constexpr Codes kMap{15, 0x80, 0, 0xDE, 0xDF};

  void Header(size_t n, const Codes& c) {
    if (c.fix_max >= 0 && n <= static_cast<size_t>(c.fix_max)) {
      buf_.push_back(static_cast<char>(c.fix | n));
    } else if (c.len8 != 0 && n <= 0xFF) {
      buf_.push_back(static_cast<char>(c.len8));
      BigEndian(n, 1);
    } else if (n <= 0xFFFF) {
      buf_.push_back(static_cast<char>(c.len16));
      BigEndian(n, 2);
    } else {
      buf_.push_back(static_cast<char>(c.len32));
      BigEndian(n, 4);
    }
  }
  void String(std::string_view s) {
    Header(s.size(), kStr);
    buf_.append(s);
  }
  void Unsigned(uint64_t v) {
    if (v < 128) {
      buf_.push_back(static_cast<char>(v));
    } else if (v <= 0xFF) {
      buf_.push_back(static_cast<char>(0xCC));
      BigEndian(v, 1);
    } else if (v <= 0xFFFF) {
      buf_.push_back(static_cast<char>(0xCD));
      BigEndian(v, 2);
    } else if (v <= 0xFFFFFFFF) {
      buf_.push_back(static_cast<char>(0xCE));
      BigEndian(v, 4);
    } else {
      buf_.push_back(static_cast<char>(0xCF));
      BigEndian(v, 8);
    }
  }
  void Integer(int64_t v) {
    if (v >= 0) return Unsigned(static_cast<uint64_t>(v));
    const auto u = static_cast<uint64_t>(v);
    if (v >= -32) {
      buf_.push_back(static_cast<char>(v));
    } else if (v >= INT8_MIN) {
      buf_.push_back(static_cast<char>(0xD0));
      BigEndian(u, 1);
    } else if (v >= INT16_MIN) {
      buf_.push_back(static_cast<char>(0xD1));
      BigEndian(u, 2);
    } else if (v >= INT32_MIN) {
      buf_.push_back(static_cast<char>(0xD2));
      BigEndian(u, 4);
    } else {
      buf_.push_back(static_cast<char>(0xD3));
      BigEndian(u, 8);
    }
  }

  std::string buf_;
  std::vector<Field> fields_;
};

// ---- reading: missing fields read as defaults; a known key of the wrong
// type marks the record corrupt.
class MapReader {
 public:
  explicit MapReader(const json& j) : j_(j) {}

  bool corrupt() const { return corrupt_; }

  std::string Str(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return {};
    if (!v->is_string()) return Bad<std::string>();
    return v->get<std::string>();
  }
  int64_t Int(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return 0;
    if (!v->is_number_integer()) return Bad<int64_t>();
    return v->get<int64_t>();
  }
  uint64_t UInt(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return 0;
    if (!v->is_number_unsigned()) return Bad<uint64_t>();
    return v->get<uint64_t>();
  }
  double Float(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return 0;
    if (!v->is_number()) return Bad<double>();
    return v->get<double>();
  }
  bool Bool(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) return Bad<bool>();
    return v->get<bool>();
  }
  std::string Bin(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return {};
    if (!v->is_binary()) return Bad<std::string>();
    const auto& bytes = v->get_binary();
    return std::string(bytes.begin(), bytes.end());
  }
  std::vector<std::string> List(const char* key) {
    std::vector<std::string> out;
    const json* v = Find(key);
    if (v == nullptr) return out;
    if (!v->is_array()) return Bad<std::vector<std::string>>();
    for (const json& item : *v) {
      if (!item.is_string()) return Bad<std::vector<std::string>>();
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  std::vector<std::pair<std::string, std::string>> Pairs(const char* key) {
    std::vector<std::pair<std::string, std::string>> out;
    const json* v = Find(key);
    if (v == nullptr) return out;
    if (!v->is_array()) return Bad<decltype(out)>();
    for (const json& item : *v) {
      if (!item.is_array() || item.size() != 2 || !item[0].is_string() ||
          !item[1].is_string()) {
        return Bad<decltype(out)>();
      }
      out.emplace_back(item[0].get<std::string>(), item[1].get<std::string>());
    }
    return out;
  }

 private:
  const json* Find(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  template <typename T>
  T Bad() {
    corrupt_ = true;
    return T();
  }

  const json& j_;
  bool corrupt_ = false;
};

// Parses a MessagePack map. Errors: DataLoss naming `what`.
Result<json> FromMsgpack(std::string_view data, const char* what) {
  json j = json::from_msgpack(data.begin(), data.end(), /*strict=*/true,
                              /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::DataLoss(std::string(what) + " record is not a MessagePack map");
  }
  return j;
}

Status Corrupt(const char* what) {
  return Status::DataLoss(std::string(what) + " record has a field of the wrong type");
}

std::string Canonical128(XXH128_hash_t h) {
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, h);
  return std::string(reinterpret_cast<const char*>(c.digest), sizeof(c.digest));
}

// Length in bytes of a whitespace sequence starting at s[i], or 0.
size_t WhitespaceAt(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') return 1;
  if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) {
    return 2;  // U+00A0
  }
  if (c == 0xE3 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
      static_cast<unsigned char>(s[i + 2]) == 0x80) {
    return 3;  // U+3000 ideographic space
  }
  return 0;
}

// The first bytes of the sequences WhitespaceAt() recognises.
constexpr std::array<bool, 256> kMayStartSpace = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {' ', '\t', '\r', '\f', '\v'}) t[c] = true;
  t[0xC2] = t[0xE3] = true;
  return t;
}();

// kMayStartSpace and '\n'.
constexpr std::array<bool, 256> kMayStartSpaceOrLine = [] {
  std::array<bool, 256> t = kMayStartSpace;
  t['\n'] = true;
  return t;
}();

void PutLengthPrefixed(std::string* out, std::string_view s) {
  PutBigEndian32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

}  // namespace

// ---------------------------------------------------------------- keys

Result<UrlKey> MakeUrlKey(std::string_view url) {
  if (url.empty()) return Status::InvalidArgument("empty URL");
  if (url.size() > kMaxUrlBytes) {
    return Status::InvalidArgument("URL longer than kMaxUrlBytes (" +
                                   std::to_string(kMaxUrlBytes) + ")");
  }
  if (url.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("URL contains a NUL byte");
  }
  UrlKey out;
  Result<url::Url> parsed = url::Parse(url);
  if (parsed.ok() && parsed->IsHttp() && !parsed->host.empty()) {
    out.key = url::SurtKey(*parsed);
    out.site = url::SiteOfHost(parsed->host);
  }
  // Fallback (documented): unparseable or non-http URLs, or a SURT key that
  // would break the 0x00 separator.
  if (out.key.empty() || out.key.find('\0') != std::string::npos ||
      out.key[0] == kFallbackKeyPrefix) {
    out.key.assign(1, kFallbackKeyPrefix);
    out.key.append(url);
    out.site.clear();
  }
  return out;
}

void PutBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void PutBigEndian32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

std::string CaptureKey(std::string_view urlkey, uint64_t fetched_micros) {
  std::string key(urlkey);
  key.push_back('\0');
  PutBigEndian64(&key, fetched_micros);
  return key;
}

std::string VersionKey(std::string_view urlkey, uint32_t version) {
  std::string key(urlkey);
  key.push_back('\0');
  PutBigEndian32(&key, version);
  return key;
}

std::string UrlRangeStart(std::string_view urlkey) {
  std::string key(urlkey);
  key.push_back('\0');
  return key;
}

std::string UrlRangeLimit(std::string_view urlkey) {
  std::string key(urlkey);
  key.push_back('\x01');
  return key;
}

// ---------------------------------------------------------------- hashes

std::string RawHash(std::string_view body) {
  return Canonical128(XXH3_128bits(body.data(), body.size()));
}

// True if NormalizeArticleText(body) is `body` itself: one space between
// words, none at either end of a line, no blank line, none of the other
// white space. The extractor's bodies nearly always are; this pass is a
// table lookup per byte, a third of the rewrite's cost.
bool IsNormalizedText(std::string_view body) {
  const auto* p = reinterpret_cast<const unsigned char*>(body.data());
  const size_t n = body.size();
  unsigned char prev = '\n';  // as if a line had just begun
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = p[i];
    if (!kMayStartSpaceOrLine[c]) {
      prev = c;
      continue;
    }
    if (c == '\n' || c == ' ') {
      // A blank line, a space before a line break, a leading or double space.
      if (prev == '\n' || prev == ' ') return false;
    } else if (WhitespaceAt(body, i) > 0) {
      return false;
    }
    prev = c;
  }
  return prev != ' ' && prev != '\n';  // also false for "", which normalizes to itself
}

std::string NormalizeArticleText(std::string_view body) {
  if (IsNormalizedText(body)) return std::string(body);
  std::string out;
  out.reserve(body.size());
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view line = body.substr(pos, end - pos);
    // The line goes straight into `out`, after a separator that is taken
    // back if the line turns out to be blank.
    const size_t mark = out.size();
    if (!out.empty()) out.push_back('\n');
    const size_t line_begin = out.size();
    bool pending_space = false;
    for (size_t i = 0; i < line.size();) {
      size_t ws = WhitespaceAt(line, i);
      if (ws > 0) {
        pending_space = out.size() > line_begin;
        i += ws;
        continue;
      }
      if (pending_space) out.push_back(' ');
      pending_space = false;
      // Up to the next byte that may start white space, in one piece.
      size_t j = i + 1;
      while (j < line.size() && !kMayStartSpace[static_cast<unsigned char>(line[j])]) ++j;
      out.append(line.substr(i, j - i));
      i = j;
    }
    if (out.size() == line_begin) out.resize(mark);
    pos = end + 1;
  }
  return out;
}

std::string ContentHash(std::string_view normalized) { return RawHash(normalized); }

uint64_t MetaHash(const Article& article) {
  std::string buf;
  PutLengthPrefixed(&buf, article.title);
  PutBigEndian32(&buf, static_cast<uint32_t>(article.authors.size()));
  for (const std::string& author : article.authors) PutLengthPrefixed(&buf, author);
  PutLengthPrefixed(&buf, article.published);
  PutLengthPrefixed(&buf, article.modified);
  return XXH3_64bits(buf.data(), buf.size());
}

std::string HexOf(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    unsigned char b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

// ---------------------------------------------------------------- simhash

namespace {

// Words: maximal runs between single spaces / newlines (the text is
// normalized, so separators are exactly ' ' and '\n').
std::vector<std::string_view> Words(std::string_view normalized) {
  std::vector<std::string_view> words;
  words.reserve(normalized.size() / 6 + 1);
  const char* p = normalized.data();
  const size_t n = normalized.size();
  // Separators (' ', '\n') found eight bytes at a time (the first one is
  // the lowest set byte of a little-endian load).
  static_assert(std::endian::native == std::endian::little);
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto separators = [&](uint64_t w) {
    auto zero = [&](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
    return zero(w ^ (kOnes * ' ')) | zero(w ^ (kOnes * '\n'));
  };
  size_t pos = 0;
  while (pos < n) {
    size_t end = pos;
    for (;;) {
      if (end + 8 <= n) {
        uint64_t w;
        std::memcpy(&w, p + end, 8);
        if (uint64_t m = separators(w)) {
          end += static_cast<size_t>(std::countr_zero(m)) / 8;
          break;
        }
        end += 8;
        continue;
      }
      while (end < n && p[end] != ' ' && p[end] != '\n') ++end;
      break;
    }
    if (end > pos) words.push_back(normalized.substr(pos, end - pos));
    pos = end + 1;
  }
  return words;
}

// Calls fn(hash) for each shingle of kShingleWords consecutive words (one
// shingle of all words when there are fewer), in text order. A shingle is
// its words joined by single spaces; where the text already holds exactly
// that (no newline or run of separators between them), it is hashed in
// place instead of copied.
template <typename Fn>
void ForEachShingleHash(std::string_view normalized, Fn fn) {
  const std::vector<std::string_view> words = Words(normalized);
  if (words.empty()) return;
  const size_t n = words.size() < kShingleWords ? 1 : words.size() - kShingleWords + 1;
  // joined(j): words j and j + 1 are separated by one space in the text.
  auto joined = [&](size_t j) {
    const char* end = words[j].data() + words[j].size();
    return words[j + 1].data() == end + 1 && *end == ' ';
  };
  size_t breaks = 0;  // gaps inside the current shingle that are not one space
  const size_t width = std::min(kShingleWords, words.size());
  for (size_t j = 0; j + 1 < width; ++j) breaks += joined(j) ? 0 : 1;
  std::string shingle;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) {  // slide the window: gap (i-1, i) leaves, (i+w-2, i+w-1) enters
      breaks -= joined(i - 1) ? 0 : 1;
      breaks += joined(i + width - 2) ? 0 : 1;
    }
    if (breaks == 0) {
      const char* begin = words[i].data();
      const std::string_view last = words[i + width - 1];
      fn(XXH3_64bits(begin, static_cast<size_t>(last.data() + last.size() - begin)));
      continue;
    }
    shingle.clear();
    for (size_t k = 0; k < width; ++k) {
      if (k > 0) shingle.push_back(' ');
      shingle.append(words[i + k]);
    }
    fn(XXH3_64bits(shingle.data(), shingle.size()));
  }
}

size_t WordCount(std::string_view line) {
  size_t n = 0;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    if (end > pos) ++n;
    pos = end + 1;
  }
  return n;
}

// Bit b of a byte spread to byte b of a word: kSpread[x] adds bit counts of
// eight positions at once in byte lanes.
constexpr std::array<uint64_t, 256> MakeSpread() {
  std::array<uint64_t, 256> t{};
  for (int x = 0; x < 256; ++x) {
    for (int b = 0; b < 8; ++b) {
      if ((x >> b) & 1) t[x] |= uint64_t{1} << (8 * b);
    }
  }
  return t;
}
constexpr std::array<uint64_t, 256> kSpread = MakeSpread();

}  // namespace

uint64_t SimHash(std::string_view normalized) {
  // ones[b]: shingles whose hash has bit b set. Byte lanes count up to 255
  // shingles, then drain into ones.
  std::array<uint64_t, 64> ones{};
  std::array<uint64_t, 8> lanes{};
  uint64_t total = 0;
  auto drain = [&] {
    for (int w = 0; w < 8; ++w) {
      for (int j = 0; j < 8; ++j) ones[8 * w + j] += (lanes[w] >> (8 * j)) & 0xFF;
      lanes[w] = 0;
    }
  };
  ForEachShingleHash(normalized, [&](uint64_t h) {
    for (int w = 0; w < 8; ++w) lanes[w] += kSpread[(h >> (8 * w)) & 0xFF];
    if (++total % 255 == 0) drain();
  });
  if (total == 0) return 0;
  drain();
  // Bit b is set when more shingles vote for it than against it.
  uint64_t out = 0;
  for (int b = 0; b < 64; ++b) {
    if (2 * ones[b] > total) out |= uint64_t{1} << b;
  }
  return out;
}

std::vector<uint64_t> ShingleSet(std::string_view normalized) {
  std::vector<uint64_t> out;
  ForEachShingleHash(normalized, [&](uint64_t h) { out.push_back(h); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  if (a.empty() && b.empty()) return 0;
  size_t common = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++common;
      ++i;
      ++j;
    }
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

std::vector<std::string_view> TextSegments(std::string_view normalized) {
  std::vector<std::string_view> out;
  size_t seg_start = 0;  // start of the segment being built
  size_t pos = 0;
  while (pos < normalized.size()) {
    size_t end = normalized.find('\n', pos);
    if (end == std::string_view::npos) end = normalized.size();
    if (WordCount(normalized.substr(pos, end - pos)) >= kSegmentMinWords) {
      out.push_back(normalized.substr(seg_start, end - seg_start));
      seg_start = end + 1;
    }
    pos = end + 1;
  }
  if (seg_start < normalized.size()) {
    // Short paragraphs after the last long one (a footer, a credit line)
    // belong to the last segment, so a line every page repeats does not
    // become a segment of its own.
    if (out.empty()) {
      out.push_back(normalized);
    } else {
      const size_t last_start = static_cast<size_t>(out.back().data() - normalized.data());
      out.back() = normalized.substr(last_start);
    }
  }
  return out;
}

std::vector<uint64_t> ParagraphSketch(std::string_view normalized) {
  std::vector<uint64_t> out;
  for (std::string_view segment : TextSegments(normalized)) {
    out.push_back(XXH3_64bits(segment.data(), segment.size()));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > kSketchSize) out.resize(kSketchSize);
  return out;
}

namespace {
uint64_t Block(uint64_t x, int i) { return (x >> (48 - 16 * i)) & 0xFFFF; }
}  // namespace

uint64_t PermuteFor(int table, uint64_t fingerprint) {
  uint64_t out = Block(fingerprint, table);
  for (int i = 0; i < kSimHashTables; ++i) {
    if (i != table) out = (out << 16) | Block(fingerprint, i);
  }
  return out;
}

uint64_t UnpermuteFor(int table, uint64_t permuted) {
  uint64_t blocks[kSimHashTables];
  blocks[table] = Block(permuted, 0);
  int j = 1;
  for (int i = 0; i < kSimHashTables; ++i) {
    if (i != table) blocks[i] = Block(permuted, j++);
  }
  uint64_t out = 0;
  for (int i = 0; i < kSimHashTables; ++i) out = (out << 16) | blocks[i];
  return out;
}

std::string VersionRef(std::string_view urlkey, uint32_t version) {
  return VersionKey(urlkey, version);
}

bool ParseVersionRef(std::string_view ref, std::string* urlkey, uint32_t* version) {
  if (ref.size() < 5 || ref[ref.size() - 5] != '\0') return false;
  urlkey->assign(ref.substr(0, ref.size() - 5));
  if (urlkey->empty() || urlkey->find('\0') != std::string::npos) return false;
  *version = GetBigEndian32(ref.substr(ref.size() - 4));
  return true;
}

std::string SimHashKey(int table, uint64_t fingerprint, std::string_view urlkey,
                       uint32_t version) {
  std::string key(1, static_cast<char>(table));
  PutBigEndian64(&key, PermuteFor(table, fingerprint));
  key.append(VersionRef(urlkey, version));
  return key;
}

std::string SketchKey(uint64_t segment_hash, std::string_view urlkey, uint32_t version) {
  std::string key(1, static_cast<char>(kSketchSpace));
  PutBigEndian64(&key, segment_hash);
  key.append(VersionRef(urlkey, version));
  return key;
}

std::string ByTimeKey(int64_t fetched_micros, std::string_view urlkey, uint32_t version) {
  std::string key;
  PutBigEndian64(&key, static_cast<uint64_t>(fetched_micros));
  key.append(VersionRef(urlkey, version));
  return key;
}

std::string ChangeKey(uint64_t sequence) {
  std::string key;
  PutBigEndian64(&key, sequence);
  return key;
}

uint64_t GetBigEndian64(std::string_view b) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(b[i]);
  return v;
}

uint32_t GetBigEndian32(std::string_view b) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(b[i]);
  return v;
}

// ---------------------------------------------------------------- records

std::string EncodeUrlRecord(const UrlRecord& r) {
  MapWriter j;
  j.Str("u", r.state.url);
  j.UInt("lv", r.state.latest_version);
  j.Int("ff", r.state.first_fetched_micros);
  j.Int("lf", r.state.last_fetched_micros);
  j.Int("lc", r.state.last_changed_micros);
  j.Int("ls", r.state.last_http_status);
  j.Str("et", r.state.etag);
  j.Str("lm", r.state.last_modified);
  j.Bin("ch", r.content_hash);
  j.UInt("mh", r.meta_hash);
  j.Str("do", r.state.duplicate_of);
  j.Bin("rh", r.raw_hash);
  if (r.max_version != r.state.latest_version) j.UInt("nv", r.max_version);
  return j.Finish();
}

Result<UrlRecord> DecodeUrlRecord(std::string_view data) {
  Result<json> j = FromMsgpack(data, "UrlState");
  if (!j.ok()) return j.status();
  MapReader m(*j);
  UrlRecord r;
  r.state.url = m.Str("u");
  r.state.latest_version = static_cast<uint32_t>(m.UInt("lv"));
  r.state.first_fetched_micros = m.Int("ff");
  r.state.last_fetched_micros = m.Int("lf");
  r.state.last_changed_micros = m.Int("lc");
  r.state.last_http_status = static_cast<int>(m.Int("ls"));
  r.state.etag = m.Str("et");
  r.state.last_modified = m.Str("lm");
  r.content_hash = m.Bin("ch");
  r.meta_hash = m.UInt("mh");
  r.state.duplicate_of = m.Str("do");
  r.raw_hash = m.Bin("rh");
  r.max_version = static_cast<uint32_t>(m.UInt("nv"));
  if (r.max_version < r.state.latest_version) r.max_version = r.state.latest_version;
  if (m.corrupt()) return Corrupt("UrlState");
  r.state.content_hash = HexOf(r.content_hash);
  return r;
}

std::string EncodeCaptureRecord(const CaptureRecord& r) {
  return EncodeCaptureRecord(r.capture, r.raw_hash, r.body_size);
}

std::string EncodeCaptureRecord(const Capture& c, std::string_view raw_hash, uint64_t body_size) {
  MapWriter j;
  j.Str("u", c.url);
  if (c.final_url != c.url) j.Str("f", c.final_url);
  j.Int("t", c.fetched_micros);
  j.Int("s", c.http_status);
  j.Pairs("h", c.headers);
  j.List("r", c.redirect_chain);
  j.Bin("b", raw_hash);
  j.UInt("n", body_size);
  if (c.truncated) j.True("x");
  return j.Finish();
}

Result<CaptureRecord> DecodeCaptureRecord(std::string_view data) {
  Result<json> j = FromMsgpack(data, "capture");
  if (!j.ok()) return j.status();
  MapReader m(*j);
  CaptureRecord r;
  Capture& c = r.capture;
  c.url = m.Str("u");
  c.final_url = m.Str("f");
  if (c.final_url.empty()) c.final_url = c.url;
  c.fetched_micros = m.Int("t");
  c.http_status = static_cast<int>(m.Int("s"));
  c.headers = m.Pairs("h");
  c.redirect_chain = m.List("r");
  r.raw_hash = m.Bin("b");
  r.body_size = m.UInt("n");
  c.truncated = m.Bool("x");
  if (m.corrupt()) return Corrupt("capture");
  return r;
}

std::string EncodeVersionRecord(const VersionRecord& r) {
  const Article& a = r.article;
  MapWriter j;
  j.UInt("v", r.version);
  j.Int("t", r.fetched_micros);
  j.Int("s", r.http_status);
  j.Bin("ch", r.content_hash);
  j.Int("xv", r.extractor_version);
  j.Float("rl", r.relevance);
  j.Bin("ck", r.capture_key);
  j.UInt("sh", r.simhash);
  j.Str("nd", r.near_duplicate_of);
  j.UInt("sq", r.sequence);
  j.Str("u", a.url);
  j.Str("ti", a.title);
  j.List("au", a.authors);
  j.Str("pu", a.published);
  j.Str("mo", a.modified);
  j.Str("sn", a.site_name);
  j.Str("se", a.section);
  j.Str("cu", a.canonical_url);
  j.Str("la", a.language);
  j.Str("de", a.description);
  j.Str("li", a.lead_image);
  j.Str("bo", a.body);
  j.List("ca", a.captions);
  j.Str("cs", a.charset);
  j.List("dg", a.diagnostics);
  return j.Finish();
}

Result<VersionRecord> DecodeVersionRecord(std::string_view data) {
  Result<json> j = FromMsgpack(data, "version");
  if (!j.ok()) return j.status();
  MapReader m(*j);
  VersionRecord r;
  r.version = static_cast<uint32_t>(m.UInt("v"));
  r.fetched_micros = m.Int("t");
  r.http_status = static_cast<int>(m.Int("s"));
  r.content_hash = m.Bin("ch");
  r.extractor_version = static_cast<int>(m.Int("xv"));
  r.relevance = m.Float("rl");
  r.capture_key = m.Bin("ck");
  r.simhash = m.UInt("sh");
  r.near_duplicate_of = m.Str("nd");
  r.sequence = m.UInt("sq");
  Article& a = r.article;
  a.is_article = true;
  a.url = m.Str("u");
  a.title = m.Str("ti");
  a.authors = m.List("au");
  a.published = m.Str("pu");
  a.modified = m.Str("mo");
  a.site_name = m.Str("sn");
  a.section = m.Str("se");
  a.canonical_url = m.Str("cu");
  a.language = m.Str("la");
  a.description = m.Str("de");
  a.lead_image = m.Str("li");
  a.body = m.Str("bo");
  a.captions = m.List("ca");
  a.charset = m.Str("cs");
  a.diagnostics = m.List("dg");
  if (m.corrupt()) return Corrupt("version");
  return r;
}

std::string EncodeContentRecord(const ContentRecord& r) {
  MapWriter j;
  j.Str("u", r.url);
  j.UInt("v", r.version);
  return j.Finish();
}

Result<ContentRecord> DecodeContentRecord(std::string_view data) {
  Result<json> j = FromMsgpack(data, "content");
  if (!j.ok()) return j.status();
  MapReader m(*j);
  ContentRecord r;
  r.url = m.Str("u");
  r.version = static_cast<uint32_t>(m.UInt("v"));
  if (m.corrupt()) return Corrupt("content");
  return r;
}

std::string EncodeCounter(int64_t v) {
  uint64_t u = static_cast<uint64_t>(v);
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(u >> (8 * i));
  return out;
}

Result<int64_t> DecodeCounter(std::string_view data) {
  if (data.size() != 8) return Status::DataLoss("meta counter is not 8 bytes");
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u |= static_cast<uint64_t>(static_cast<unsigned char>(data[i])) << (8 * i);
  return static_cast<int64_t>(u);
}

std::string EncodeCounters(const int64_t* v, size_t n) {
  std::string out;
  out.reserve(8 * n);
  for (size_t i = 0; i < n; ++i) out += EncodeCounter(v[i]);
  return out;
}

Result<std::vector<int64_t>> DecodeCounters(std::string_view data) {
  if (data.size() % 8 != 0) return Status::DataLoss("meta counters are not a multiple of 8 bytes");
  std::vector<int64_t> out;
  out.reserve(data.size() / 8);
  for (size_t i = 0; i < data.size(); i += 8) out.push_back(*DecodeCounter(data.substr(i, 8)));
  return out;
}

Result<std::string> AddCounters(std::string_view a, std::string_view b) {
  Result<std::vector<int64_t>> x = DecodeCounters(a);
  if (!x.ok()) return x.status();
  Result<std::vector<int64_t>> y = DecodeCounters(b);
  if (!y.ok()) return y.status();
  if (x->size() < y->size()) std::swap(*x, *y);
  for (size_t i = 0; i < y->size(); ++i) {
    (*x)[i] = static_cast<int64_t>(static_cast<uint64_t>((*x)[i]) + static_cast<uint64_t>((*y)[i]));
  }
  return EncodeCounters(x->data(), x->size());
}

}  // namespace jikji::storage::internal
