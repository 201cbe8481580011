// Feed and sitemap parsing with libxml2 (tree API), zlib and ICU (through
// parser/charset.h).
//
// Pipeline: gunzip (bounded) -> pick the character encoding -> decode to
// UTF-8 -> libxml2 in recover mode -> walk the tree by local element names.
//
// Encoding order (feedparser's, RFC 3023 style): a byte-order mark, then the
// HTTP charset, then the XML declaration, then UTF-16/32 byte patterns, then
// UTF-8 when the bytes are valid UTF-8, else statistical detection (with a
// warning). The document is handed to libxml2 as UTF-8 with its own
// encoding declaration ignored.
//
// Security: external entities and DTDs are never loaded (no XML_PARSE_NOENT,
// no XML_PARSE_DTDLOAD, XML_PARSE_NONET), XInclude is never processed, and
// text is collected by our own walker, which only expands internal entities.
//
// Warnings are prefixed by their kind: "xml:" (not well-formed),
// "encoding:" (charset trouble), "gzip:", "limit:", "content-type:",
// "format:", "entry:", "entity:". The first three and "content-type:" are what
// feedparser calls "bozo".
#include "parser/feeds.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/charset.h"
#include "parser/internal/text.h"
#include "url/url.h"

namespace jikji::parser {
namespace {

// Named limits.
constexpr size_t kMaxWarnings = 64;          // further warnings are counted, not kept
constexpr size_t kMaxTextBytes = 64 * 1024;  // per title / link / date field
constexpr size_t kSniffBytes = 1024;         // bytes LooksLikeFeed and the XML declaration look at
constexpr int kMaxXmlDepth = 256;            // deeper subtrees are not walked

void Warn(FeedResult* result, std::string message) {
  if (result->warnings.size() < kMaxWarnings) {
    result->warnings.push_back(std::move(message));
  } else if (result->warnings.size() == kMaxWarnings) {
    result->warnings.push_back("limit: more warnings dropped");
  }
}

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Strips ASCII whitespace and the Unicode spaces that show up around URLs
// in the wild (NBSP, U+2000..U+200B, U+3000, U+FEFF).
std::string_view TrimUnicode(std::string_view s) {
  auto space_prefix = [](std::string_view v) -> size_t {
    if (v.empty()) return 0;
    unsigned char c = static_cast<unsigned char>(v[0]);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') return 1;
    if (v.size() >= 2 && c == 0xC2 && static_cast<unsigned char>(v[1]) == 0xA0) return 2;
    if (v.size() >= 3 && c == 0xE2 && static_cast<unsigned char>(v[1]) == 0x80 &&
        static_cast<unsigned char>(v[2]) <= 0x8B) {
      return 3;
    }
    if (v.size() >= 3 && c == 0xE3 && static_cast<unsigned char>(v[1]) == 0x80 &&
        static_cast<unsigned char>(v[2]) == 0x80) {
      return 3;
    }
    if (v.size() >= 3 && c == 0xEF && static_cast<unsigned char>(v[1]) == 0xBB &&
        static_cast<unsigned char>(v[2]) == 0xBF) {
      return 3;
    }
    return 0;
  };
  auto space_suffix = [](std::string_view v) -> size_t {
    if (v.empty()) return 0;
    unsigned char c = static_cast<unsigned char>(v.back());
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') return 1;
    size_t n = v.size();
    if (n >= 2 && static_cast<unsigned char>(v[n - 2]) == 0xC2 && c == 0xA0) return 2;
    if (n >= 3) {
      unsigned char a = static_cast<unsigned char>(v[n - 3]);
      unsigned char b = static_cast<unsigned char>(v[n - 2]);
      if (a == 0xE2 && b == 0x80 && c <= 0x8B) return 3;
      if (a == 0xE3 && b == 0x80 && c == 0x80) return 3;
      if (a == 0xEF && b == 0xBB && c == 0xBF) return 3;
    }
    return 0;
  };
  while (size_t n = space_prefix(s)) s.remove_prefix(n);
  while (size_t n = space_suffix(s)) s.remove_suffix(n);
  return s;
}

// ---------------------------------------------------------------------------
// gzip.

bool IsGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1F &&
         static_cast<unsigned char>(bytes[1]) == 0x8B;
}

// Inflates gzip data, stopping at `limit` output bytes. Returns what could
// be inflated; warnings say why it stopped early.
std::string Gunzip(std::string_view in, size_t limit, FeedResult* result) {
  std::string out;
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    Warn(result, "gzip: cannot initialise zlib");
    return out;
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  char buf[64 * 1024];
  int rc = Z_OK;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = sizeof(buf) - zs.avail_out;
    if (out.size() + produced > limit) {
      out.append(buf, limit - out.size());
      Warn(result, "limit: decompressed size exceeds " + std::to_string(limit) +
                       " bytes; truncated");
      break;
    }
    out.append(buf, produced);
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members: keep going while input remains.
      if (zs.avail_in > 0 && IsGzip(std::string_view(reinterpret_cast<char*>(zs.next_in),
                                                     zs.avail_in))) {
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (rc != Z_OK) {
      Warn(result, std::string("gzip: corrupt or truncated stream (") +
                       (zs.msg ? zs.msg : "no more data") + ")");
      break;
    }
    if (produced == 0 && zs.avail_in == 0) {
      Warn(result, "gzip: truncated stream");
      break;
    }
  }
  inflateEnd(&zs);
  return out;
}

// ---------------------------------------------------------------------------
// Encodings.

// "encoding" pseudo-attribute of a leading XML declaration (ASCII view).
std::string XmlDeclaredEncoding(std::string_view bytes) {
  std::string_view head = bytes.substr(0, kSniffBytes);
  size_t start = 0;
  while (start < head.size() && IsXmlSpace(head[start])) ++start;
  if (head.substr(start, 5) != "<?xml") return "";
  size_t end = head.find("?>", start);
  std::string_view decl = head.substr(start, end == std::string_view::npos ? head.size() - start
                                                                           : end - start);
  size_t pos = decl.find("encoding");
  if (pos == std::string_view::npos) return "";
  pos += 8;
  while (pos < decl.size() && IsXmlSpace(decl[pos])) ++pos;
  if (pos >= decl.size() || decl[pos] != '=') return "";
  ++pos;
  while (pos < decl.size() && IsXmlSpace(decl[pos])) ++pos;
  if (pos >= decl.size() || (decl[pos] != '"' && decl[pos] != '\'')) return "";
  char quote = decl[pos++];
  size_t close = decl.find(quote, pos);
  if (close == std::string_view::npos) return "";
  return std::string(decl.substr(pos, close - pos));
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n;
    uint32_t min;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      min = 0x10000;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // sequence cut short
    uint32_t cp = c & (0x3F >> n);
    for (int k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// UTF-32 is not a WHATWG encoding, so it is decoded here.
std::string DecodeUtf32(std::string_view bytes, bool big_endian, size_t* replaced) {
  std::string out;
  size_t i = 0;
  if (bytes.size() >= 4) {
    uint32_t first = big_endian ? (uint32_t{static_cast<unsigned char>(bytes[0])} << 24 |
                                   uint32_t{static_cast<unsigned char>(bytes[1])} << 16 |
                                   uint32_t{static_cast<unsigned char>(bytes[2])} << 8 |
                                   static_cast<unsigned char>(bytes[3]))
                                : (uint32_t{static_cast<unsigned char>(bytes[3])} << 24 |
                                   uint32_t{static_cast<unsigned char>(bytes[2])} << 16 |
                                   uint32_t{static_cast<unsigned char>(bytes[1])} << 8 |
                                   static_cast<unsigned char>(bytes[0]));
    if (first == 0xFEFF) i = 4;
  }
  for (; i + 4 <= bytes.size(); i += 4) {
    const auto* b = reinterpret_cast<const unsigned char*>(bytes.data() + i);
    uint32_t cp = big_endian ? (uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3])
                             : (uint32_t{b[3]} << 24 | uint32_t{b[2]} << 16 | uint32_t{b[1]} << 8 | b[0]);
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) ++*replaced;
    text::AppendUtf8(cp, &out);
  }
  if (i != bytes.size()) ++*replaced;
  return out;
}

std::string MediaType(std::string_view content_type) {
  size_t semi = content_type.find(';');
  std::string_view media = content_type.substr(0, semi);
  while (!media.empty() && IsXmlSpace(media.front())) media.remove_prefix(1);
  while (!media.empty() && IsXmlSpace(media.back())) media.remove_suffix(1);
  return AsciiLower(media);
}

// Decodes `bytes` to UTF-8 following the order at the top of the file.
std::string ToUtf8(std::string_view bytes, std::string_view content_type, FeedResult* result) {
  auto b = [&](size_t i) { return i < bytes.size() ? static_cast<unsigned char>(bytes[i]) : 0x100; };
  std::string encoding;
  std::string source;
  // 1. Byte-order marks (UTF-32 before UTF-16: FF FE 00 00 starts both).
  if (b(0) == 0xFF && b(1) == 0xFE && b(2) == 0 && b(3) == 0) {
    encoding = "UTF-32LE";
  } else if (b(0) == 0 && b(1) == 0 && b(2) == 0xFE && b(3) == 0xFF) {
    encoding = "UTF-32BE";
  } else if (b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF) {
    encoding = "UTF-8";
  } else if (b(0) == 0xFF && b(1) == 0xFE) {
    encoding = "UTF-16LE";
  } else if (b(0) == 0xFE && b(1) == 0xFF) {
    encoding = "UTF-16BE";
  }
  if (!encoding.empty()) source = "bom";
  // 2. HTTP charset.
  if (encoding.empty()) {
    std::string label = CharsetFromContentType(content_type);
    if (!label.empty()) {
      encoding = EncodingForLabel(label);
      if (encoding.empty()) {
        Warn(result, "encoding: unknown charset '" + label + "' in Content-Type");
      } else {
        source = "http";
      }
    }
  }
  // 3. UTF-16/32 without a BOM, recognised by "<" or "<?" patterns.
  std::string pattern;
  if (b(0) == '<' && b(1) == 0 && b(2) == 0 && b(3) == 0) pattern = "UTF-32LE";
  else if (b(0) == 0 && b(1) == 0 && b(2) == 0 && b(3) == '<') pattern = "UTF-32BE";
  else if (b(0) == '<' && b(1) == 0) pattern = "UTF-16LE";
  else if (b(0) == 0 && b(1) == '<') pattern = "UTF-16BE";
  // 4. The XML declaration (read in ASCII; UTF-16/32 declarations are
  // covered by the pattern).
  if (encoding.empty() && pattern.empty()) {
    std::string label = XmlDeclaredEncoding(bytes);
    if (!label.empty()) {
      encoding = EncodingForLabel(label);
      std::string lower = AsciiLower(label);
      if (encoding.empty() && (lower == "utf-32" || lower == "ucs-4")) encoding = "UTF-32BE";
      if (encoding.empty()) {
        Warn(result, "encoding: unknown encoding '" + label + "' in the XML declaration");
      } else if (encoding == "UTF-16LE" || encoding == "UTF-16BE") {
        // Declared UTF-16 in an ASCII-compatible document: a lie.
        Warn(result, "encoding: declared " + label + " but the bytes are ASCII-compatible");
        encoding.clear();
      } else {
        source = "declaration";
      }
    }
  }
  if (encoding.empty() && !pattern.empty()) {
    encoding = pattern;
    source = "pattern";
  }
  if (encoding.empty()) {
    if (IsValidUtf8(bytes)) {
      encoding = "UTF-8";
    } else {
      SniffResult sniff = SniffEncoding(bytes, "");
      encoding = sniff.encoding.empty() ? "windows-1252" : sniff.encoding;
      Warn(result, "encoding: no charset declared and not UTF-8; decoded as " + encoding);
    }
    source = "default";
  }

  std::string out;
  size_t replaced = 0;
  if (encoding == "UTF-32LE" || encoding == "UTF-32BE") {
    out = DecodeUtf32(bytes, encoding == "UTF-32BE", &replaced);
  } else if (!DecodeToUtf8(bytes, encoding, &out, &replaced)) {
    Warn(result, "encoding: cannot decode " + encoding + "; read as UTF-8");
    DecodeToUtf8(bytes, "UTF-8", &out, &replaced);
  }
  if (source == "http" || source == "declaration") {
    std::string why;
    std::string kept = OverrideContradictedCharset(bytes, encoding, source, &out, &replaced, &why);
    if (kept != encoding) {
      Warn(result, "encoding: " + why);
      encoding = kept;
      source = "bytes";
    }
  }
  if (replaced > 0) {
    Warn(result, "encoding: " + std::to_string(replaced) + " invalid byte sequence(s) for " +
                     encoding + " (from " + source + ")");
  }
  // A UTF-8 BOM left over (e.g. after a UTF-16 declaration) is dropped.
  if (out.size() >= 3 && out.compare(0, 3, "\xEF\xBB\xBF") == 0) out.erase(0, 3);
  return out;
}

// ---------------------------------------------------------------------------
// Dates.

// RFC 822 / 2822 date (as in RSS pubDate) to ISO 8601 UTC, or nullopt.
// Accepts a missing weekday, 2-digit years, missing seconds, named and
// numeric zones (KST included). A date without a zone is rejected.
std::optional<std::string> Rfc822ToIso(std::string_view s) {
  std::string text(TrimUnicode(s));
  // Drop a leading weekday ("Thu,").
  size_t comma = text.find(',');
  if (comma != std::string::npos && comma <= 10) text = text.substr(comma + 1);
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  char month_name[16] = {0}, zone[16] = {0};
  int consumed = 0;
  int n = std::sscanf(text.c_str(), " %d %15s %d %d:%d%n", &day, month_name, &year, &hour,
                      &minute, &consumed);
  if (n < 5) return std::nullopt;
  std::string_view rest = std::string_view(text).substr(consumed);
  if (!rest.empty() && rest[0] == ':') {
    int used = 0;
    std::string tmp(rest);
    if (std::sscanf(tmp.c_str(), ":%d%n", &second, &used) != 1) return std::nullopt;
    rest.remove_prefix(used);
  }
  {
    std::string tmp(rest);
    if (std::sscanf(tmp.c_str(), " %15s", zone) != 1) return std::nullopt;
  }
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
  int month = 0;
  std::string mon = AsciiLower(std::string_view(month_name).substr(0, 3));
  for (int i = 0; i < 12; ++i) {
    if (mon == kMonths[i]) month = i + 1;
  }
  if (month == 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  if (year < 100) year += year < 50 ? 2000 : 1900;
  int offset_minutes = 0;
  std::string z = AsciiLower(zone);
  if (z[0] == '+' || z[0] == '-') {
    std::string digits;
    for (char c : z.substr(1)) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    if (digits.size() != 4) return std::nullopt;
    int v = std::stoi(digits);
    offset_minutes = (v / 100) * 60 + v % 100;
    if (z[0] == '-') offset_minutes = -offset_minutes;
  } else {
    struct NamedZone {
      const char* name;
      int hours;
    };
    static const NamedZone kZones[] = {{"gmt", 0},  {"ut", 0},   {"utc", 0},  {"z", 0},
                                       {"est", -5}, {"edt", -4}, {"cst", -6}, {"cdt", -5},
                                       {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7},
                                       {"kst", 9},  {"jst", 9}};
    bool found = false;
    for (const auto& nz : kZones) {
      if (z == nz.name) {
        offset_minutes = nz.hours * 60;
        found = true;
      }
    }
    if (!found) return std::nullopt;
  }
  // Days from civil (Howard Hinnant's algorithm), then subtract the offset.
  int y = year - (month <= 2 ? 1 : 0);
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = int64_t{era} * 146097 + doe - 719468;
  int64_t epoch = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[80];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(buf);
}

// RSS dates are converted when they parse; otherwise kept as given.
std::string NormalizeDate(std::string_view raw) {
  std::string_view trimmed = TrimUnicode(raw);
  if (trimmed.empty()) return "";
  if (auto iso = Rfc822ToIso(trimmed)) return *iso;
  return std::string(trimmed);
}

// ---------------------------------------------------------------------------
// libxml2 tree helpers.

std::string_view LocalName(const xmlNode* node) {
  return node->name ? reinterpret_cast<const char*>(node->name) : "";
}

std::string_view NamespaceUri(const xmlNode* node) {
  return (node->ns && node->ns->href) ? reinterpret_cast<const char*>(node->ns->href) : "";
}

bool IsElement(const xmlNode* node, std::string_view name) {
  return node->type == XML_ELEMENT_NODE && LocalName(node) == name;
}

// Text of an element: text and CDATA of all descendants, internal entities
// expanded, external entities never loaded.
void CollectText(const xmlNode* node, std::string* out, int depth) {
  if (depth > kMaxXmlDepth) return;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (out->size() >= kMaxTextBytes) return;
    switch (c->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        if (c->content) out->append(reinterpret_cast<const char*>(c->content));
        break;
      case XML_ENTITY_REF_NODE: {
        // Only internal general entities, by their literal value.
        const xmlEntity* ent = xmlGetDocEntity(c->doc, c->name);
        if (ent != nullptr && ent->etype == XML_INTERNAL_GENERAL_ENTITY && ent->content) {
          out->append(reinterpret_cast<const char*>(ent->content));
        }
        break;
      }
      case XML_ELEMENT_NODE:
        CollectText(c, out, depth + 1);
        break;
      default:
        break;
    }
  }
  if (out->size() > kMaxTextBytes) out->resize(kMaxTextBytes);
}

std::string Text(const xmlNode* node) {
  std::string out;
  CollectText(node, &out, 0);
  return out;
}

std::string Attr(const xmlNode* node, const char* name) {
  xmlChar* v = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

// xml:base of the node itself, if any.
std::string XmlBase(const xmlNode* node) {
  xmlChar* v = xmlGetNsProp(node, reinterpret_cast<const xmlChar*>("base"), XML_XML_NAMESPACE);
  if (v == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

const xmlNode* FirstChild(const xmlNode* node, std::string_view name) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (IsElement(c, name)) return c;
  }
  return nullptr;
}

std::string ChildText(const xmlNode* node, std::string_view name) {
  const xmlNode* c = FirstChild(node, name);
  return c ? std::string(TrimUnicode(Text(c))) : "";
}

constexpr std::string_view kAtomNs = "http://www.w3.org/2005/Atom";

std::string Base64Decode(std::string_view in) {
  std::string out;
  int val = 0, bits = -8;
  for (char c : in) {
    int d;
    if (c >= 'A' && c <= 'Z') d = c - 'A';
    else if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
    else if (c >= '0' && c <= '9') d = c - '0' + 52;
    else if (c == '+') d = 62;
    else if (c == '/') d = 63;
    else continue;  // whitespace, padding
    val = ((val << 6) | d) & 0xFFFFFF;
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

// Plain text of an HTML fragment (an escaped Atom type="html" title): tags
// dropped, character references decoded.
std::string HtmlToText(std::string_view html) {
  struct Named {
    const char* name;
    uint32_t cp;
  };
  static const Named kNamed[] = {
      {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},
      {"apos", '\''},    {"nbsp", 0xA0},    {"hellip", 0x2026}, {"middot", 0xB7},
      {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
      {"mdash", 0x2014}, {"ndash", 0x2013}, {"copy", 0xA9},    {"reg", 0xAE},
      {"trade", 0x2122}, {"laquo", 0xAB},   {"raquo", 0xBB},   {"bull", 0x2022}};
  std::string out;
  for (size_t i = 0; i < html.size(); ++i) {
    char c = html[i];
    if (c == '<') {
      // Skip the tag; a '>' inside a quoted attribute value does not end it.
      char quote = 0;
      size_t j = i + 1;
      for (; j < html.size(); ++j) {
        if (quote != 0) {
          if (html[j] == quote) quote = 0;
        } else if ((html[j] == '"' || html[j] == '\'') && html[j - 1] == '=') {
          quote = html[j];  // only a value that starts quoted is quoted
        } else if (html[j] == '>') {
          break;
        }
      }
      if (j >= html.size()) break;
      i = j;
      continue;
    }
    if (c == '&') {
      size_t semi = html.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        std::string_view ref = html.substr(i + 1, semi - i - 1);
        std::optional<uint32_t> cp;
        if (!ref.empty() && ref[0] == '#') {
          bool hex = ref.size() > 1 && (ref[1] == 'x' || ref[1] == 'X');
          std::string digits(ref.substr(hex ? 2 : 1));
          if (!digits.empty() && digits.find_first_not_of(hex ? "0123456789abcdefABCDEF"
                                                              : "0123456789") == std::string::npos) {
            cp = static_cast<uint32_t>(std::stoul(digits, nullptr, hex ? 16 : 10));
          }
        } else {
          for (const auto& n : kNamed) {
            if (ref == n.name) cp = n.cp;
          }
        }
        if (cp) {
          text::AppendUtf8(*cp, &out);
          i = semi;
          continue;
        }
      }
    }
    out.push_back(c);
  }
  return out;
}

// An Atom text construct (title): base64 mode decoded (Atom 0.3), HTML
// reduced to its text, XHTML by its text nodes.
std::string AtomText(const xmlNode* node) {
  std::string text = Text(node);
  std::string type = AsciiLower(Attr(node, "type"));
  // Atom 0.3 mode="base64"; Atom 1.0: a non-text, non-XML media type means
  // base64 (RFC 4287 section 4.1.3.3).
  bool binary_type = type.find('/') != std::string::npos && type.rfind("text/", 0) != 0 &&
                     type.find("xml") == std::string::npos;
  if (Attr(node, "mode") == "base64" || binary_type) text = Base64Decode(text);
  if (type == "html" || type == "text/html") text = HtmlToText(text);
  return std::string(TrimUnicode(text));
}

// Resolution context: the feed URL with xml:base applied down the tree.
class BaseResolver {
 public:
  explicit BaseResolver(std::string_view feed_url) {
    auto parsed = url::Parse(feed_url);
    if (parsed.ok()) base_ = *parsed;
  }

  // The base in effect at `node` (xml:base of its ancestors and itself).
  std::optional<url::Url> BaseAt(const xmlNode* node) const {
    std::vector<std::string> chain;
    for (const xmlNode* n = node; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
      std::string b = XmlBase(n);
      if (!b.empty()) chain.push_back(b);
    }
    std::optional<url::Url> base = base_;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      auto next = base ? url::Resolve(*base, *it) : url::Parse(*it);
      if (next.ok()) base = *next;
    }
    return base;
  }

  // Absolute URL for `ref` found at `node`, or "".
  std::string Resolve(const xmlNode* node, std::string_view ref) const {
    std::string_view trimmed = TrimUnicode(ref);
    if (trimmed.empty()) return "";
    std::optional<url::Url> base = BaseAt(node);
    auto resolved = base ? url::Resolve(*base, trimmed) : url::Parse(trimmed);
    return resolved.ok() ? resolved->Serialize() : "";
  }

 private:
  std::optional<url::Url> base_;
};

bool LooksLikeAbsoluteHttp(std::string_view s) {
  auto parsed = url::Parse(TrimUnicode(s));
  return parsed.ok() && parsed->IsHttp();
}

// ---------------------------------------------------------------------------
// Format walkers.

struct Walker {
  FeedResult* result;
  const FeedOptions& options;
  const BaseResolver& resolver;
  bool truncated = false;

  bool Full() {
    if (result->entries.size() + result->sitemaps.size() < options.max_entries) return false;
    if (!truncated) {
      Warn(result, "limit: more than " + std::to_string(options.max_entries) +
                       " entries; the rest is ignored");
      truncated = true;
    }
    return true;
  }

  // <link> of an Atom entry (or an atom:link inside RSS): rel="alternate"
  // or no rel first, else the first link with an href.
  std::string AtomLink(const xmlNode* entry) {
    const xmlNode* first = nullptr;
    for (const xmlNode* c = entry->children; c != nullptr; c = c->next) {
      if (!IsElement(c, "link")) continue;
      std::string href = Attr(c, "href");
      if (href.empty()) continue;
      std::string rel = Attr(c, "rel");
      if (rel.empty() || rel == "alternate") return resolver.Resolve(c, href);
      if (first == nullptr) first = c;
    }
    return first ? resolver.Resolve(first, Attr(first, "href")) : "";
  }

  void RssItem(const xmlNode* item) {
    FeedEntry entry;
    std::string link;
    for (const xmlNode* c = item->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      std::string_view name = LocalName(c);
      std::string_view ns = NamespaceUri(c);
      if (name == "link" && ns != kAtomNs && link.empty()) {
        link = resolver.Resolve(c, Text(c));
      } else if (name == "title" && entry.title.empty()) {
        entry.title = std::string(TrimUnicode(Text(c)));
      } else if ((name == "pubDate" || name == "date" || name == "published" ||
                  name == "issued") &&
                 entry.published.empty()) {
        entry.published = NormalizeDate(Text(c));
      } else if ((name == "updated" || name == "modified") && entry.modified.empty()) {
        entry.modified = NormalizeDate(Text(c));
      }
    }
    if (link.empty()) link = AtomLink(item);
    if (link.empty()) {
      // A guid that is an absolute http(s) URL stands in for a missing link
      // (even with isPermaLink="false": it is the only address there is).
      if (const xmlNode* guid = FirstChild(item, "guid")) {
        std::string text(TrimUnicode(Text(guid)));
        if (LooksLikeAbsoluteHttp(text)) {
          link = resolver.Resolve(guid, text);
        }
      }
    }
    if (link.empty()) {
      std::string about = Attr(item, "about");  // RDF items name themselves
      if (!about.empty()) link = resolver.Resolve(item, about);
    }
    entry.url = std::move(link);
    if (entry.url.empty()) Warn(result, "entry: item " + std::to_string(result->entries.size()) +
                                            " has no usable link");
    result->entries.push_back(std::move(entry));
  }

  void AtomEntry(const xmlNode* node) {
    FeedEntry entry;
    entry.url = AtomLink(node);
    if (const xmlNode* title = FirstChild(node, "title")) entry.title = AtomText(title);
    entry.published = ChildText(node, "published");
    if (entry.published.empty()) entry.published = ChildText(node, "issued");
    entry.modified = ChildText(node, "updated");
    if (entry.modified.empty()) entry.modified = ChildText(node, "modified");
    if (entry.url.empty()) Warn(result, "entry: entry " + std::to_string(result->entries.size()) +
                                            " has no usable link");
    result->entries.push_back(std::move(entry));
  }

  void Rss(const xmlNode* root) {
    result->kind = LocalName(root) == "RDF" ? FeedKind::kRdf : FeedKind::kRss;
    const xmlNode* channel = FirstChild(root, "channel");
    if (LocalName(root) == "channel") channel = root;
    if (channel) result->title = ChildText(channel, "title");
    // Items under the channel (RSS 2.0) and under the root (RSS 0.9x, RDF).
    for (const xmlNode* parent : {channel, root}) {
      if (parent == nullptr || (parent == root && channel == root)) continue;
      for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
        if (IsElement(c, "item")) {
          if (Full()) return;
          RssItem(c);
        }
      }
    }
  }

  void Atom(const xmlNode* root) {
    result->kind = FeedKind::kAtom;
    if (const xmlNode* title = FirstChild(root, "title")) result->title = AtomText(title);
    for (const xmlNode* c = root->children; c != nullptr; c = c->next) {
      if (IsElement(c, "entry")) {
        if (Full()) return;
        AtomEntry(c);
      }
    }
  }

  // urlset and sitemapindex are walked in document order so that recovered
  // (badly nested or unclosed) documents still give every <loc>: a <url> or
  // <sitemap> start, or a second <loc>, begins a new record.
  struct Record {
    const xmlNode* loc_node = nullptr;
    std::string loc, lastmod, published, title;
  };

  void Flush(Record* rec, bool index) {
    if (rec->loc_node != nullptr) {
      std::string resolved = resolver.Resolve(rec->loc_node, rec->loc);
      if (resolved.empty() || !LooksLikeAbsoluteHttp(resolved)) {
        Warn(result, "entry: invalid <loc> '" + rec->loc.substr(0, 200) + "' skipped");
      } else if (!Full()) {
        if (index) {
          result->sitemaps.push_back(std::move(resolved));
        } else {
          FeedEntry entry;
          entry.url = std::move(resolved);
          entry.title = std::move(rec->title);
          entry.published = std::move(rec->published);
          entry.modified = std::move(rec->lastmod);
          result->entries.push_back(std::move(entry));
        }
      }
    }
    *rec = Record();
  }

  // Direct text children of `node` (a <url>/<sitemap> holding a bare URL).
  static std::string OwnText(const xmlNode* node) {
    std::string out;
    for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
      if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
        out.append(reinterpret_cast<const char*>(c->content));
      }
    }
    return std::string(TrimUnicode(out));
  }

  static bool HasElementChild(const xmlNode* node) {
    for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) return true;
    }
    return false;
  }

  // `ns` is the root's namespace: <loc> of image:, video: and other
  // extensions must not be taken for page URLs.
  void SitemapWalk(const xmlNode* node, bool index, std::string_view ns, Record* rec,
                   int depth) {
    if (depth > kMaxXmlDepth) return;
    for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      std::string_view name = LocalName(c);
      bool own = NamespaceUri(c) == ns;
      if (own && name == (index ? "sitemap" : "url")) {
        Flush(rec, index);
        SitemapWalk(c, index, ns, rec, depth + 1);
        if (rec->loc_node == nullptr) {
          // crawler-commons accepts a bare URL as the element's text.
          std::string bare = OwnText(c);
          if (!bare.empty()) {
            rec->loc_node = c;
            rec->loc = bare;
          }
        }
        Flush(rec, index);
      } else if (own && name == "loc") {
        if (rec->loc_node != nullptr) Flush(rec, index);
        rec->loc_node = c;
        // Markup inside <loc> is garbage, not a URL.
        rec->loc = HasElementChild(c) ? "" : std::string(TrimUnicode(Text(c)));
      } else if (own && name == "lastmod") {
        if (rec->lastmod.empty()) rec->lastmod = std::string(TrimUnicode(Text(c)));
      } else if (name == "publication_date") {
        if (rec->published.empty()) rec->published = std::string(TrimUnicode(Text(c)));
      } else if (name == "title" && c->parent && IsElement(c->parent, "news")) {
        if (rec->title.empty()) rec->title = std::string(TrimUnicode(Text(c)));
      } else if (own || name == "news" || name == "publication") {
        SitemapWalk(c, index, ns, rec, depth + 1);
      }
    }
  }

  void Sitemap(const xmlNode* root, bool index) {
    result->kind = index ? FeedKind::kSitemapIndex : FeedKind::kUrlset;
    Record rec;
    SitemapWalk(root, index, NamespaceUri(root), &rec, 0);
    Flush(&rec, index);
  }
};

void InitLibxml() {
  static const bool initialized = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialized;
}

void ParseXml(const std::string& text, std::string_view feed_url, std::string_view content_type,
              const FeedOptions& options, FeedResult* result) {
  InitLibxml();
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (ctxt == nullptr) {
    Warn(result, "xml: cannot allocate a parser");
    return;
  }
  // RECOVER: keep what can be read. NONET: no network. No NOENT and no
  // DTDLOAD: external entities and DTDs are never loaded. IGNORE_ENC: the
  // text is UTF-8 already, whatever the declaration says.
  const int flags = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                    XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC | XML_PARSE_NOCDATA;
  std::string url_copy(feed_url);
  // Read through a callback, not xmlCtxtReadMemory: libxml2 2.9 copies a
  // memory document whole into its input buffer, while a reader's buffer
  // only holds what the parser has not consumed yet (a 64 MB sitemap: one
  // copy fewer).
  struct Reader {
    const char* next;
    size_t left;
  } reader{text.data(), text.size()};
  auto read = +[](void* context, char* buffer, int len) -> int {
    auto* r = static_cast<Reader*>(context);
    const size_t n = std::min(r->left, static_cast<size_t>(std::max(len, 0)));
    std::memcpy(buffer, r->next, n);
    r->next += n;
    r->left -= n;
    return static_cast<int>(n);
  };
  xmlDocPtr doc = xmlCtxtReadIO(ctxt, read, nullptr, &reader,
                                url_copy.empty() ? nullptr : url_copy.c_str(), "UTF-8", flags);
  if (!ctxt->wellFormed || !ctxt->nsWellFormed) {
    const xmlError* err = &ctxt->lastError;
    std::string msg = err->message ? err->message : "not well-formed";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    Warn(result, "xml: not well-formed (line " + std::to_string(err->line) + "): " + msg);
  }
  xmlFreeParserCtxt(ctxt);
  const xmlNode* root = doc ? xmlDocGetRootElement(doc) : nullptr;
  if (root == nullptr) {
    Warn(result, "format: no root element");
    if (doc) xmlFreeDoc(doc);
    return;
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    for (const xmlNode* n = reinterpret_cast<const xmlNode*>(doc->intSubset ? doc->intSubset->children : nullptr);
         n != nullptr; n = n->next) {
      if (n->type == XML_ENTITY_DECL) {
        const auto* ent = reinterpret_cast<const xmlEntity*>(n);
        if (ent->etype == XML_EXTERNAL_GENERAL_PARSED_ENTITY ||
            ent->etype == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY) {
          Warn(result, "entity: external entity '" + std::string(LocalName(n)) + "' not loaded");
        }
      }
    }
  }
  BaseResolver resolver(feed_url);
  Walker walker{result, options, resolver};
  std::string_view name = LocalName(root);
  if (name == "rss" || name == "RDF" || name == "channel") {
    walker.Rss(root);
  } else if (name == "feed") {
    walker.Atom(root);
  } else if (name == "urlset") {
    walker.Sitemap(root, false);
  } else if (name == "sitemapindex") {
    walker.Sitemap(root, true);
  } else {
    Warn(result, "format: unknown root element <" + std::string(name) + ">");
  }
  std::string media = MediaType(content_type);
  if (result->kind != FeedKind::kUnknown && (media == "text/plain" || media == "text/html")) {
    Warn(result, "content-type: " + media + " is not an XML media type");
  }
  xmlFreeDoc(doc);
}

void ParseText(std::string_view text, FeedResult* result, const FeedOptions& options) {
  size_t invalid = 0;
  bool truncated = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find_first_of("\r\n", start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos
                                                                            : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    line = TrimUnicode(line);
    if (line.empty()) continue;
    auto parsed = url::Parse(line);
    if (!parsed.ok() || !parsed->IsHttp()) {
      ++invalid;
      continue;
    }
    if (result->entries.size() >= options.max_entries) {
      truncated = true;
      break;
    }
    FeedEntry entry;
    entry.url = parsed->Serialize();
    result->entries.push_back(std::move(entry));
  }
  if (truncated) {
    Warn(result, "limit: more than " + std::to_string(options.max_entries) +
                     " entries; the rest is ignored");
  }
  if (invalid > 0) {
    Warn(result, "entry: " + std::to_string(invalid) + " line(s) are not http(s) URLs");
  }
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && AsciiLower(s.substr(0, prefix.size())) == prefix;
}

// Skips whitespace, a BOM, comments, processing instructions and DOCTYPEs;
// returns what follows (the root element, if any).
std::string_view SkipProlog(std::string_view s) {
  while (true) {
    if (s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0) {
      s.remove_prefix(3);
      continue;
    }
    if (!s.empty() && IsXmlSpace(s[0])) {
      s.remove_prefix(1);
      continue;
    }
    if (s.substr(0, 9) == "<!DOCTYPE") {
      // A DOCTYPE may carry an internal subset "[ ... ]" holding '>'s.
      size_t gt = s.find('>');
      size_t bracket = s.find('[');
      if (bracket != std::string_view::npos && bracket < gt) {
        size_t close = s.find(']', bracket);
        if (close == std::string_view::npos) return std::string_view();
        gt = s.find('>', close);
      }
      if (gt == std::string_view::npos) return std::string_view();
      s.remove_prefix(gt + 1);
      continue;
    }
    std::string_view end_marker;
    if (s.substr(0, 4) == "<!--") {
      end_marker = "-->";
    } else if (s.substr(0, 2) == "<?") {
      end_marker = "?>";
    } else if (s.substr(0, 2) == "<!") {
      end_marker = ">";
    } else {
      return s;
    }
    size_t end = s.find(end_marker);
    if (end == std::string_view::npos) return std::string_view();
    s.remove_prefix(end + end_marker.size());
  }
}

}  // namespace

FeedResult ParseFeed(std::string_view bytes, std::string_view url, std::string_view content_type,
                     const FeedOptions& options) {
  FeedResult result;
  std::string inflated;
  if (IsGzip(bytes)) {
    inflated = Gunzip(bytes, options.max_decompressed_bytes, &result);
    bytes = inflated;
  }
  if (bytes.size() > options.max_decompressed_bytes) {
    Warn(&result, "limit: document larger than " + std::to_string(options.max_decompressed_bytes) +
                      " bytes; truncated");
    bytes = bytes.substr(0, options.max_decompressed_bytes);
  }
  std::string text = ToUtf8(bytes, content_type, &result);
  std::string().swap(inflated);  // `text` is all that is read from here on
  size_t first_char = text.find_first_not_of(" \t\r\n");
  if (first_char != std::string::npos && text[first_char] == '<') {
    // Leading whitespace before "<?xml" is tolerated: drop it.
    size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && first > 0) text.erase(0, first);
    ParseXml(text, url, content_type, options, &result);
    return result;
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    Warn(&result, "format: empty document");
    return result;
  }
  ParseText(text, &result, options);
  if (!result.entries.empty()) {
    result.kind = FeedKind::kText;
  } else {
    Warn(&result, "format: neither XML nor a list of URLs");
  }
  return result;
}

bool LooksLikeFeed(std::string_view bytes, std::string_view content_type) {
  std::string media = MediaType(content_type);
  if (media == "text/html" || media == "application/xhtml+xml") {
    // Some servers mislabel feeds as HTML: still look at the bytes below.
  } else if (media.find("rss") != std::string::npos || media.find("atom") != std::string::npos ||
             media == "application/rdf+xml") {
    return true;
  }
  if (IsGzip(bytes)) return true;  // sitemap.xml.gz
  std::string_view head = bytes.substr(0, kSniffBytes * 4);
  std::string_view root = SkipProlog(head);
  if (root.empty() || root[0] != '<') {
    if (media == "text/plain") {
      std::string_view t = TrimUnicode(head);
      return StartsWithNoCase(t, "http://") || StartsWithNoCase(t, "https://");
    }
    return false;
  }
  root.remove_prefix(1);
  size_t end = root.find_first_of(" \t\r\n>/");
  std::string_view name = root.substr(0, end);
  size_t colon = name.find(':');
  if (colon != std::string_view::npos) name = name.substr(colon + 1);
  return name == "rss" || name == "feed" || name == "RDF" || name == "urlset" ||
         name == "sitemapindex" || name == "channel";
}

}  // namespace jikji::parser
