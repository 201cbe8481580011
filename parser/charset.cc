// Charset sniffing and decoding. The label table is the one of the WHATWG
// Encoding Standard (https://encoding.spec.whatwg.org/#names-and-labels),
// plus "cp949" (common on Korean sites, not a WHATWG label). The prescan is
// the HTML Standard's "prescan a byte stream to determine its encoding".
#include "parser/charset.h"

#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucsdet.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "parser/internal/text.h"

namespace jikji::parser {
namespace {

// The prescan looks at this many bytes, as the HTML Standard suggests.
constexpr size_t kPrescanBytes = 1024;
// Statistical detection looks at this many bytes at most.
constexpr size_t kDetectBytes = 64 * 1024;
// ICU detector answers below this confidence (0..100) are ignored.
constexpr int32_t kMinDetectConfidence = 30;
// Input is converted in chunks of this many bytes (bounds temporary buffers).
constexpr size_t kDecodeChunk = 16 * 1024;

struct Label {
  std::string_view label;
  std::string_view encoding;
};

// Sorted by label for binary search (checked on first use in debug builds).
constexpr Label kLabels[] = {
    {"866", "IBM866"},
    {"ansi_x3.4-1968", "windows-1252"},
    {"arabic", "ISO-8859-6"},
    {"ascii", "windows-1252"},
    {"asmo-708", "ISO-8859-6"},
    {"big5", "Big5"},
    {"big5-hkscs", "Big5"},
    {"chinese", "GBK"},
    {"cn-big5", "Big5"},
    {"cp1250", "windows-1250"},
    {"cp1251", "windows-1251"},
    {"cp1252", "windows-1252"},
    {"cp1253", "windows-1253"},
    {"cp1254", "windows-1254"},
    {"cp1255", "windows-1255"},
    {"cp1256", "windows-1256"},
    {"cp1257", "windows-1257"},
    {"cp1258", "windows-1258"},
    {"cp819", "windows-1252"},
    {"cp866", "IBM866"},
    {"cp949", "EUC-KR"},  // not WHATWG; common on Korean sites
    {"csbig5", "Big5"},
    {"cseuckr", "EUC-KR"},
    {"cseucpkdfmtjapanese", "EUC-JP"},
    {"csgb2312", "GBK"},
    {"csibm866", "IBM866"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"csiso2022kr", "replacement"},
    {"csiso58gb231280", "GBK"},
    {"csiso88596e", "ISO-8859-6"},
    {"csiso88596i", "ISO-8859-6"},
    {"csiso88598e", "ISO-8859-8"},
    {"csiso88598i", "ISO-8859-8-I"},
    {"csisolatin1", "windows-1252"},
    {"csisolatin2", "ISO-8859-2"},
    {"csisolatin3", "ISO-8859-3"},
    {"csisolatin4", "ISO-8859-4"},
    {"csisolatin5", "windows-1254"},
    {"csisolatin6", "ISO-8859-10"},
    {"csisolatin9", "ISO-8859-15"},
    {"csisolatinarabic", "ISO-8859-6"},
    {"csisolatincyrillic", "ISO-8859-5"},
    {"csisolatingreek", "ISO-8859-7"},
    {"csisolatinhebrew", "ISO-8859-8"},
    {"cskoi8r", "KOI8-R"},
    {"csksc56011987", "EUC-KR"},
    {"csmacintosh", "macintosh"},
    {"csshiftjis", "Shift_JIS"},
    {"csunicode", "UTF-16LE"},
    {"cyrillic", "ISO-8859-5"},
    {"dos-874", "windows-874"},
    {"ecma-114", "ISO-8859-6"},
    {"ecma-118", "ISO-8859-7"},
    {"elot_928", "ISO-8859-7"},
    {"euc-jp", "EUC-JP"},
    {"euc-kr", "EUC-KR"},
    {"gb18030", "gb18030"},
    {"gb2312", "GBK"},
    {"gb_2312", "GBK"},
    {"gb_2312-80", "GBK"},
    {"gbk", "GBK"},
    {"greek", "ISO-8859-7"},
    {"greek8", "ISO-8859-7"},
    {"hebrew", "ISO-8859-8"},
    {"hz-gb-2312", "replacement"},
    {"ibm819", "windows-1252"},
    {"ibm866", "IBM866"},
    {"iso-10646-ucs-2", "UTF-16LE"},
    {"iso-2022-cn", "replacement"},
    {"iso-2022-cn-ext", "replacement"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"iso-2022-kr", "replacement"},
    {"iso-8859-1", "windows-1252"},
    {"iso-8859-10", "ISO-8859-10"},
    {"iso-8859-11", "windows-874"},
    {"iso-8859-13", "ISO-8859-13"},
    {"iso-8859-14", "ISO-8859-14"},
    {"iso-8859-15", "ISO-8859-15"},
    {"iso-8859-16", "ISO-8859-16"},
    {"iso-8859-2", "ISO-8859-2"},
    {"iso-8859-3", "ISO-8859-3"},
    {"iso-8859-4", "ISO-8859-4"},
    {"iso-8859-5", "ISO-8859-5"},
    {"iso-8859-6", "ISO-8859-6"},
    {"iso-8859-6-e", "ISO-8859-6"},
    {"iso-8859-6-i", "ISO-8859-6"},
    {"iso-8859-7", "ISO-8859-7"},
    {"iso-8859-8", "ISO-8859-8"},
    {"iso-8859-8-e", "ISO-8859-8"},
    {"iso-8859-8-i", "ISO-8859-8-I"},
    {"iso-8859-9", "windows-1254"},
    {"iso-ir-100", "windows-1252"},
    {"iso-ir-101", "ISO-8859-2"},
    {"iso-ir-109", "ISO-8859-3"},
    {"iso-ir-110", "ISO-8859-4"},
    {"iso-ir-126", "ISO-8859-7"},
    {"iso-ir-127", "ISO-8859-6"},
    {"iso-ir-138", "ISO-8859-8"},
    {"iso-ir-144", "ISO-8859-5"},
    {"iso-ir-148", "windows-1254"},
    {"iso-ir-149", "EUC-KR"},
    {"iso-ir-157", "ISO-8859-10"},
    {"iso-ir-58", "GBK"},
    {"iso8859-1", "windows-1252"},
    {"iso8859-10", "ISO-8859-10"},
    {"iso8859-11", "windows-874"},
    {"iso8859-13", "ISO-8859-13"},
    {"iso8859-14", "ISO-8859-14"},
    {"iso8859-15", "ISO-8859-15"},
    {"iso8859-2", "ISO-8859-2"},
    {"iso8859-3", "ISO-8859-3"},
    {"iso8859-4", "ISO-8859-4"},
    {"iso8859-5", "ISO-8859-5"},
    {"iso8859-6", "ISO-8859-6"},
    {"iso8859-7", "ISO-8859-7"},
    {"iso8859-8", "ISO-8859-8"},
    {"iso8859-9", "windows-1254"},
    {"iso88591", "windows-1252"},
    {"iso885910", "ISO-8859-10"},
    {"iso885911", "windows-874"},
    {"iso885913", "ISO-8859-13"},
    {"iso885914", "ISO-8859-14"},
    {"iso885915", "ISO-8859-15"},
    {"iso88592", "ISO-8859-2"},
    {"iso88593", "ISO-8859-3"},
    {"iso88594", "ISO-8859-4"},
    {"iso88595", "ISO-8859-5"},
    {"iso88596", "ISO-8859-6"},
    {"iso88597", "ISO-8859-7"},
    {"iso88598", "ISO-8859-8"},
    {"iso88599", "windows-1254"},
    {"iso_8859-1", "windows-1252"},
    {"iso_8859-15", "ISO-8859-15"},
    {"iso_8859-1:1987", "windows-1252"},
    {"iso_8859-2", "ISO-8859-2"},
    {"iso_8859-2:1987", "ISO-8859-2"},
    {"iso_8859-3", "ISO-8859-3"},
    {"iso_8859-3:1988", "ISO-8859-3"},
    {"iso_8859-4", "ISO-8859-4"},
    {"iso_8859-4:1988", "ISO-8859-4"},
    {"iso_8859-5", "ISO-8859-5"},
    {"iso_8859-5:1988", "ISO-8859-5"},
    {"iso_8859-6", "ISO-8859-6"},
    {"iso_8859-6:1987", "ISO-8859-6"},
    {"iso_8859-7", "ISO-8859-7"},
    {"iso_8859-7:1987", "ISO-8859-7"},
    {"iso_8859-8", "ISO-8859-8"},
    {"iso_8859-8:1988", "ISO-8859-8"},
    {"iso_8859-9", "windows-1254"},
    {"iso_8859-9:1989", "windows-1254"},
    {"koi", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"koi8-r", "KOI8-R"},
    {"koi8-ru", "KOI8-U"},
    {"koi8-u", "KOI8-U"},
    {"koi8_r", "KOI8-R"},
    {"korean", "EUC-KR"},
    {"ks_c_5601-1987", "EUC-KR"},
    {"ks_c_5601-1989", "EUC-KR"},
    {"ksc5601", "EUC-KR"},
    {"ksc_5601", "EUC-KR"},
    {"l1", "windows-1252"},
    {"l2", "ISO-8859-2"},
    {"l3", "ISO-8859-3"},
    {"l4", "ISO-8859-4"},
    {"l5", "windows-1254"},
    {"l6", "ISO-8859-10"},
    {"l9", "ISO-8859-15"},
    {"latin1", "windows-1252"},
    {"latin2", "ISO-8859-2"},
    {"latin3", "ISO-8859-3"},
    {"latin4", "ISO-8859-4"},
    {"latin5", "windows-1254"},
    {"latin6", "ISO-8859-10"},
    {"logical", "ISO-8859-8-I"},
    {"mac", "macintosh"},
    {"macintosh", "macintosh"},
    {"ms932", "Shift_JIS"},
    {"ms_kanji", "Shift_JIS"},
    {"replacement", "replacement"},
    {"shift-jis", "Shift_JIS"},
    {"shift_jis", "Shift_JIS"},
    {"sjis", "Shift_JIS"},
    {"sun_eu_greek", "ISO-8859-7"},
    {"tis-620", "windows-874"},
    {"ucs-2", "UTF-16LE"},
    {"unicode", "UTF-16LE"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"unicode11utf8", "UTF-8"},
    {"unicode20utf8", "UTF-8"},
    {"unicodefeff", "UTF-16LE"},
    {"unicodefffe", "UTF-16BE"},
    {"us-ascii", "windows-1252"},
    {"utf-16", "UTF-16LE"},
    {"utf-16be", "UTF-16BE"},
    {"utf-16le", "UTF-16LE"},
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"visual", "ISO-8859-8"},
    {"windows-1250", "windows-1250"},
    {"windows-1251", "windows-1251"},
    {"windows-1252", "windows-1252"},
    {"windows-1253", "windows-1253"},
    {"windows-1254", "windows-1254"},
    {"windows-1255", "windows-1255"},
    {"windows-1256", "windows-1256"},
    {"windows-1257", "windows-1257"},
    {"windows-1258", "windows-1258"},
    {"windows-31j", "Shift_JIS"},
    {"windows-874", "windows-874"},
    {"windows-949", "EUC-KR"},
    {"x-cp1250", "windows-1250"},
    {"x-cp1251", "windows-1251"},
    {"x-cp1252", "windows-1252"},
    {"x-cp1253", "windows-1253"},
    {"x-cp1254", "windows-1254"},
    {"x-cp1255", "windows-1255"},
    {"x-cp1256", "windows-1256"},
    {"x-cp1257", "windows-1257"},
    {"x-cp1258", "windows-1258"},
    {"x-euc-jp", "EUC-JP"},
    {"x-gbk", "GBK"},
    {"x-mac-cyrillic", "x-mac-cyrillic"},
    {"x-mac-roman", "macintosh"},
    {"x-mac-ukrainian", "x-mac-cyrillic"},
    {"x-sjis", "Shift_JIS"},
    {"x-unicode20utf8", "UTF-8"},
    {"x-user-defined", "x-user-defined"},
    {"x-x-big5", "Big5"},
};

// The ICU converter that decodes a WHATWG encoding. EUC-KR is decoded as
// windows-949 (UHC) so that syllables outside KS X 1001 (똠, 햏) survive, as
// browsers do. GBK is decoded with the gb18030 decoder, as the standard says.
std::string_view IcuNameFor(std::string_view encoding) {
  struct Pair {
    std::string_view whatwg, icu;
  };
  static constexpr Pair kIcu[] = {
      {"EUC-KR", "windows-949"},    {"GBK", "gb18030"},
      {"Big5", "Big5-HKSCS"},       {"Shift_JIS", "windows-31j"},
      {"IBM866", "ibm-866"},        {"ISO-8859-8-I", "ISO-8859-8"},
      {"x-mac-cyrillic", "x-mac-cyrillic"},
  };
  for (const Pair& p : kIcu) {
    if (p.whatwg == encoding) return p.icu;
  }
  return encoding;
}

bool IsHtmlSpace(unsigned char c) {
  return c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x20;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool StartsWithNoCase(std::string_view s, size_t pos, std::string_view prefix) {
  if (s.size() - pos < prefix.size() || pos > s.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (AsciiLower(s[pos + i]) != prefix[i]) return false;
  }
  return true;
}

// The prescan's "get an attribute". Returns false when there is no attribute
// (the tag ended) and sets *eof when the input ran out, which aborts the
// prescan.
bool GetAttribute(std::string_view s, size_t& pos, std::string& name, std::string& value,
                  bool* eof) {
  name.clear();
  value.clear();
  auto at_end = [&]() {
    if (pos >= s.size()) {
      *eof = true;
      return true;
    }
    return false;
  };
  while (true) {
    if (at_end()) return false;
    unsigned char c = s[pos];
    if (IsHtmlSpace(c) || c == '/') {
      ++pos;
      continue;
    }
    break;
  }
  if (s[pos] == '>') return false;
  // Name.
  while (true) {
    if (at_end()) return false;
    char c = s[pos];
    if (c == '=' && !name.empty()) {
      ++pos;
      goto value_start;
    }
    if (IsHtmlSpace(c)) break;
    if (c == '/' || c == '>') return true;
    name.push_back(AsciiLower(c));
    ++pos;
  }
  // Spaces after the name.
  while (true) {
    if (at_end()) return false;
    if (!IsHtmlSpace(s[pos])) break;
    ++pos;
  }
  if (s[pos] != '=') return true;
  ++pos;
value_start:
  while (true) {
    if (at_end()) return false;
    if (!IsHtmlSpace(s[pos])) break;
    ++pos;
  }
  {
    char c = s[pos];
    if (c == '"' || c == '\'') {
      char quote = c;
      while (true) {
        ++pos;
        if (at_end()) return false;
        if (s[pos] == quote) {
          ++pos;
          return true;
        }
        value.push_back(AsciiLower(s[pos]));
      }
    }
    if (c == '>') return true;
    value.push_back(AsciiLower(c));
    ++pos;
  }
  while (true) {
    if (at_end()) return false;
    char c = s[pos];
    if (IsHtmlSpace(c) || c == '>') return true;
    value.push_back(AsciiLower(c));
    ++pos;
  }
}

// "Extracting a character encoding from a meta element" (HTML Standard).
std::string CharsetFromMetaContent(std::string_view s) {
  size_t pos = 0;
  while (true) {
    size_t found = std::string_view::npos;
    for (size_t i = pos; i + 7 <= s.size(); ++i) {
      if (StartsWithNoCase(s, i, "charset")) {
        found = i;
        break;
      }
    }
    if (found == std::string_view::npos) return "";
    pos = found + 7;
    while (pos < s.size() && IsHtmlSpace(s[pos])) ++pos;
    if (pos >= s.size()) return "";
    if (s[pos] != '=') continue;
    ++pos;
    while (pos < s.size() && IsHtmlSpace(s[pos])) ++pos;
    if (pos >= s.size()) return "";
    char c = s[pos];
    if (c == '"' || c == '\'') {
      size_t end = s.find(c, pos + 1);
      if (end == std::string_view::npos) return "";
      return std::string(s.substr(pos + 1, end - pos - 1));
    }
    size_t end = pos;
    while (end < s.size() && !IsHtmlSpace(s[end]) && s[end] != ';') ++end;
    return std::string(s.substr(pos, end - pos));
  }
}

bool IsAsciiAlpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

// Windows-1252 bytes 0x80..0x9F; the rest map to the same code point.
constexpr char16_t kWin1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void DecodeWindows1252(std::string_view bytes, std::string* out) {
  out->reserve(bytes.size() + bytes.size() / 8);
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if (c < 0xA0) {
      text::AppendUtf8(kWin1252High[c - 0x80], out);
    } else {
      text::AppendUtf8(c, out);
    }
  }
}

void DecodeUserDefined(std::string_view bytes, std::string* out) {
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else {
      text::AppendUtf8(0xF780 + c - 0x80, out);
    }
  }
}

// UTF-8 with invalid sequences replaced by U+FFFD (one per maximal subpart,
// as the Encoding Standard says; ICU's U8_NEXT follows the same rule).
void DecodeUtf8(std::string_view bytes, std::string* out, size_t* replaced) {
  if (text::IsValidUtf8(bytes)) {
    out->assign(bytes);
    return;
  }
  out->reserve(bytes.size());
  const uint8_t* s = reinterpret_cast<const uint8_t*>(bytes.data());
  int32_t length = static_cast<int32_t>(bytes.size());
  int32_t i = 0;
  while (i < length) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) {
      out->append("\xEF\xBF\xBD");
      if (replaced) ++*replaced;
    } else {
      out->append(bytes.substr(start, i - start));
    }
  }
}

struct CallbackContext {
  size_t replaced = 0;
};

// toUnicode callback: every illegal or unassigned byte sequence becomes one
// U+FFFD and is counted.
void CountingSubstitute(const void* context, UConverterToUnicodeArgs* args, const char*,
                        int32_t, UConverterCallbackReason reason, UErrorCode* err) {
  if (reason > UCNV_IRREGULAR) return;  // reset, close, clone
  auto* ctx = const_cast<CallbackContext*>(static_cast<const CallbackContext*>(context));
  ++ctx->replaced;
  static const UChar kReplacement[] = {0xFFFD};
  *err = U_ZERO_ERROR;
  ucnv_cbToUWriteUChars(args, kReplacement, 1, 0, err);
}

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};

bool DecodeWithIcu(std::string_view bytes, std::string_view icu_name, std::string* out,
                   size_t* replaced) {
  UErrorCode status = U_ZERO_ERROR;
  std::string name(icu_name);
  std::unique_ptr<UConverter, ConverterCloser> conv(ucnv_open(name.c_str(), &status));
  if (U_FAILURE(status) || !conv) return false;
  CallbackContext ctx;
  ucnv_setToUCallBack(conv.get(), CountingSubstitute, &ctx, nullptr, nullptr, &status);
  if (U_FAILURE(status)) return false;
  std::vector<UChar> buf(kDecodeChunk);
  const char* src = bytes.data();
  const char* src_end = bytes.data() + bytes.size();
  out->reserve(bytes.size() * 3 / 2);
  int32_t carried = 0;  // a lead surrogate held back from the previous chunk
  while (true) {
    UChar* target = buf.data() + carried;
    status = U_ZERO_ERROR;
    ucnv_toUnicode(conv.get(), &target, buf.data() + buf.size(), &src, src_end, nullptr,
                   /*flush=*/true, &status);
    bool more = status == U_BUFFER_OVERFLOW_ERROR;
    int32_t n = static_cast<int32_t>(target - buf.data());
    carried = 0;
    if (more && n > 0 && U16_IS_LEAD(buf[n - 1])) {
      carried = 1;
      --n;
    }
    // At most three UTF-8 bytes per UTF-16 unit (a pair makes four).
    const size_t base = out->size();
    out->resize(base + 3 * static_cast<size_t>(n));
    char* w = out->data() + base;
    int32_t i = 0;
    while (i < n) {
      UChar32 c;
      U16_NEXT(buf.data(), i, n, c);
      if (U_IS_SURROGATE(c)) c = 0xFFFD;
      w = text::WriteUtf8(static_cast<uint32_t>(c), w);
    }
    out->resize(static_cast<size_t>(w - out->data()));
    if (carried) buf[0] = buf[n];
    if (!more) break;
  }
  if (replaced) *replaced += ctx.replaced;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (IsHtmlSpace(s.front()) || s.front() == '"' || s.front() == '\'')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (IsHtmlSpace(s.back()) || s.back() == '"' || s.back() == '\'')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string BomEncoding(std::string_view bytes) {
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") return "UTF-8";
  if (bytes.size() >= 2 && bytes.substr(0, 2) == "\xFE\xFF") return "UTF-16BE";
  if (bytes.size() >= 2 && bytes.substr(0, 2) == "\xFF\xFE") return "UTF-16LE";
  return "";
}

}  // namespace

std::string EncodingForLabel(std::string_view label) {
  // Labels match after stripping ASCII whitespace, case-insensitively.
  while (!label.empty() && IsHtmlSpace(label.front())) label.remove_prefix(1);
  while (!label.empty() && IsHtmlSpace(label.back())) label.remove_suffix(1);
  if (label.empty() || label.size() > 32) return "";
  char lower[32];
  for (size_t i = 0; i < label.size(); ++i) lower[i] = AsciiLower(label[i]);
  std::string_view key(lower, label.size());
  const Label* begin = std::begin(kLabels);
  const Label* end = std::end(kLabels);
  const Label* it =
      std::lower_bound(begin, end, key, [](const Label& l, std::string_view k) { return l.label < k; });
  if (it == end || it->label != key) return "";
  return std::string(it->encoding);
}

std::string CharsetFromContentType(std::string_view content_type) {
  // Parameters are ';'-separated name=value pairs; the name is
  // case-insensitive and the value may be quoted.
  size_t pos = content_type.find(';');
  while (pos != std::string_view::npos) {
    size_t next = content_type.find(';', pos + 1);
    std::string_view param = content_type.substr(
        pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
    size_t eq = param.find('=');
    if (eq != std::string_view::npos) {
      std::string_view name = Trim(param.substr(0, eq));
      if (name.size() == 7 && StartsWithNoCase(name, 0, "charset")) {
        return std::string(Trim(param.substr(eq + 1)));
      }
    }
    pos = next;
  }
  return "";
}

std::string PrescanMeta(std::string_view bytes) {
  std::string_view s = bytes.substr(0, std::min(bytes.size(), kPrescanBytes));
  size_t pos = 0;
  std::string name, value;
  while (pos < s.size()) {
    if (s.compare(pos, 4, "<!--") == 0) {
      // The '>' of "-->" may share dashes with "<!--" ("<!-->").
      size_t end = s.find("-->", pos + 2);
      if (end == std::string_view::npos) return "";
      pos = end + 3;
      continue;
    }
    if (StartsWithNoCase(s, pos, "<meta") && pos + 5 < s.size() &&
        (IsHtmlSpace(s[pos + 5]) || s[pos + 5] == '/')) {
      pos += 6;
      std::vector<std::string> seen;
      bool got_pragma = false;
      int need_pragma = -1;  // -1 null, 0 false, 1 true
      bool charset_set = false;
      std::string charset;   // "" once set means failure
      bool eof = false;
      while (GetAttribute(s, pos, name, value, &eof)) {
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
        seen.push_back(name);
        if (name == "http-equiv") {
          if (value == "content-type") got_pragma = true;
        } else if (name == "content") {
          std::string enc = EncodingForLabel(CharsetFromMetaContent(value));
          if (!enc.empty() && !charset_set) {
            charset = enc;
            charset_set = true;
            need_pragma = 1;
          }
        } else if (name == "charset") {
          if (!charset_set) {
            charset = EncodingForLabel(value);
            charset_set = true;
            need_pragma = 0;
          }
        }
      }
      if (eof) return "";
      if (need_pragma == -1) continue;
      if (need_pragma == 1 && !got_pragma) continue;
      if (charset.empty() || charset == "replacement") continue;
      if (charset == "UTF-16LE" || charset == "UTF-16BE") return "UTF-8";
      if (charset == "x-user-defined") return "windows-1252";
      return charset;
    }
    if (s[pos] == '<' && pos + 1 < s.size() &&
        (IsAsciiAlpha(s[pos + 1]) ||
         (s[pos + 1] == '/' && pos + 2 < s.size() && IsAsciiAlpha(s[pos + 2])))) {
      // Skip the tag name, then its attributes.
      while (pos < s.size() && !IsHtmlSpace(s[pos]) && s[pos] != '>') ++pos;
      bool eof = false;
      while (GetAttribute(s, pos, name, value, &eof)) {
      }
      if (eof) return "";
      ++pos;
      continue;
    }
    if (s.compare(pos, 2, "<!") == 0 || s.compare(pos, 2, "</") == 0 ||
        s.compare(pos, 2, "<?") == 0) {
      size_t end = s.find('>', pos + 2);
      if (end == std::string_view::npos) return "";
      pos = end + 1;
      continue;
    }
    ++pos;
  }
  return "";
}

SniffResult SniffEncoding(std::string_view bytes, std::string_view content_type) {
  if (std::string bom = BomEncoding(bytes); !bom.empty()) return {bom, "bom"};
  if (!content_type.empty()) {
    std::string enc = EncodingForLabel(CharsetFromContentType(content_type));
    if (!enc.empty() && enc != "replacement") return {enc, "http"};
  }
  if (std::string meta = PrescanMeta(bytes); !meta.empty()) return {meta, "meta"};
  std::string_view head = bytes.substr(0, std::min(bytes.size(), kDetectBytes));
  // Valid UTF-8 with non-ASCII content is UTF-8: no legacy encoding produces
  // long valid UTF-8 sequences by chance, and ICU's detector sometimes
  // prefers a legacy answer on short texts.
  bool valid_utf8 = text::IsValidUtf8Prefix(head, head.size() < bytes.size());
  bool ascii_only = text::IsAscii(head);
  if (valid_utf8 && !ascii_only) return {"UTF-8", "detected"};
  if (!ascii_only) {
    UErrorCode status = U_ZERO_ERROR;
    UCharsetDetector* det = ucsdet_open(&status);
    if (U_SUCCESS(status)) {
      ucsdet_enableInputFilter(det, true);  // ignore markup
      ucsdet_setText(det, head.data(), static_cast<int32_t>(head.size()), &status);
      const UCharsetMatch* match = ucsdet_detect(det, &status);
      std::string enc;
      if (U_SUCCESS(status) && match) {
        int32_t confidence = ucsdet_getConfidence(match, &status);
        const char* name = ucsdet_getName(match, &status);
        if (U_SUCCESS(status) && name && confidence >= kMinDetectConfidence) {
          enc = EncodingForLabel(name);
        }
      }
      ucsdet_close(det);
      // UTF-16/32 guesses without a BOM are almost always wrong for HTML.
      if (!enc.empty() && enc != "UTF-16LE" && enc != "UTF-16BE" && enc != "replacement") {
        return {enc, "detected"};
      }
    }
  }
  if (valid_utf8) return {"UTF-8", "default"};
  return {"windows-1252", "default"};
}

bool DecodeToUtf8(std::string_view bytes, std::string_view encoding, std::string* out,
                  size_t* replaced) {
  out->clear();
  std::string enc = EncodingForLabel(encoding);
  if (enc.empty()) return false;
  if (enc == "UTF-8") {
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    DecodeUtf8(bytes, out, replaced);
    return true;
  }
  if (enc == "UTF-16LE" && bytes.size() >= 2 && bytes.substr(0, 2) == "\xFF\xFE") {
    bytes.remove_prefix(2);
  } else if (enc == "UTF-16BE" && bytes.size() >= 2 && bytes.substr(0, 2) == "\xFE\xFF") {
    bytes.remove_prefix(2);
  }
  if (enc == "windows-1252") {
    DecodeWindows1252(bytes, out);
    return true;
  }
  if (enc == "x-user-defined") {
    DecodeUserDefined(bytes, out);
    return true;
  }
  if (enc == "replacement") {
    // The replacement encoding decodes any non-empty input to one U+FFFD.
    if (!bytes.empty()) {
      out->assign("\xEF\xBF\xBD");
      if (replaced) ++*replaced;
    }
    return true;
  }
  if (!DecodeWithIcu(bytes, IcuNameFor(enc), out, replaced)) {
    // The ICU data lacks this converter: degrade to windows-1252 rather
    // than fail, so the caller always gets text for a known encoding.
    out->clear();
    DecodeWindows1252(bytes, out);
  }
  return true;
}

namespace {

// What a decode produced: code points beyond ASCII, U+FFFD among them, and
// Hangul syllables among them.
struct Fit {
  size_t non_ascii = 0;
  size_t replaced = 0;
  size_t hangul = 0;
  size_t clean() const { return non_ascii - std::min(non_ascii, replaced); }
};

Fit Measure(std::string_view utf8, size_t replaced) {
  Fit f;
  f.replaced = replaced;
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    if (b < 0xC0) continue;  // ASCII or a continuation byte
    ++f.non_ascii;
    // U+AC00..U+D7A3 are EA B0 80 .. ED 9E A3.
    if (i + 2 < utf8.size() && b >= 0xEA && b <= 0xED) {
      const uint32_t cp = ((b & 0x0Fu) << 12) |
                          ((static_cast<unsigned char>(utf8[i + 1]) & 0x3Fu) << 6) |
                          (static_cast<unsigned char>(utf8[i + 2]) & 0x3Fu);
      if (cp >= 0xAC00 && cp <= 0xD7A3) ++f.hangul;
    }
  }
  return f;
}

// Encodings whose decoders can reject bytes; the rest map every byte to a
// character, so a wrong one shows as mojibake, not as U+FFFD.
bool IsMultiByte(std::string_view enc) {
  for (std::string_view m : {"UTF-8", "UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE", "EUC-KR",
                             "EUC-JP", "Shift_JIS", "ISO-2022-JP", "GBK", "gb18030", "Big5"}) {
    if (enc == m) return true;
  }
  return false;
}

// Whether `cand`'s decode beats the declared one's. The candidate must
// decode at least kMinChars characters beyond ASCII with at most one
// U+FFFD per kCleanPerBad of them, and then either the declared decode
// garbled ten times more, or the candidate is UTF-8 without a single error
// (legacy text essentially never forms valid multi-byte UTF-8), or it is
// EUC-KR without errors, nine tenths Hangul, where the declared decode
// found not half as much Hangul.
bool FitsBetter(std::string_view cand, const Fit& c, const Fit& declared) {
  constexpr size_t kMinChars = 8;
  constexpr size_t kCleanPerBad = 50;
  if (c.clean() < kMinChars || c.replaced * kCleanPerBad > c.clean()) return false;
  if (declared.replaced >= kMinChars && c.replaced * 10 < declared.replaced) return true;
  if (c.replaced > 0) return false;
  if (cand == "UTF-8") return true;
  return cand == "EUC-KR" && c.hangul * 10 >= c.non_ascii * 9 && declared.hangul * 2 < c.hangul;
}

}  // namespace

std::string OverrideContradictedCharset(std::string_view bytes, std::string_view declared,
                                       std::string_view declared_by, std::string* out,
                                       size_t* replaced, std::string* note) {
  if (note) note->clear();
  const std::string enc(declared);
  const size_t bad = replaced ? *replaced : 0;
  // A declaration that decoded cleanly in a multi-byte encoding fits.
  if (bad == 0 && IsMultiByte(enc)) return enc;
  const Fit fit_declared = Measure(*out, bad);
  if (fit_declared.non_ascii == 0) return enc;  // ASCII: every label fits
  for (std::string_view cand : {"UTF-8", "EUC-KR"}) {
    if (cand == enc) continue;
    std::string text;
    size_t cand_bad = 0;
    DecodeToUtf8(bytes, cand, &text, &cand_bad);
    const Fit fit = Measure(text, cand_bad);
    if (!FitsBetter(cand, fit, fit_declared)) continue;
    if (note) {
      *note = "declared " + enc + " (" + std::string(declared_by) + ") does not fit the bytes: " +
              std::to_string(bad) +
              " invalid sequences, " + std::to_string(fit_declared.hangul) + " Hangul; " +
              std::string(cand) + ": " + std::to_string(cand_bad) + " invalid, " +
              std::to_string(fit.hangul) + " Hangul";
    }
    out->swap(text);
    if (replaced) *replaced = cand_bad;
    return std::string(cand);
  }
  return enc;
}

SniffResult DecodeHtml(std::string_view bytes, std::string_view content_type, std::string* out,
                       size_t* replaced, std::string* note) {
  if (note) note->clear();
  SniffResult sniff = SniffEncoding(bytes, content_type);
  size_t bad = 0;
  if (!DecodeToUtf8(bytes, sniff.encoding, out, &bad)) {
    DecodeToUtf8(bytes, "windows-1252", out, &bad);
    sniff.encoding = "windows-1252";
  }
  if (sniff.source == "http" || sniff.source == "meta") {
    std::string kept =
        OverrideContradictedCharset(bytes, sniff.encoding, sniff.source, out, &bad, note);
    if (kept != sniff.encoding) sniff = {kept, "bytes"};
  }
  if (replaced) *replaced = bad;
  return sniff;
}

}  // namespace jikji::parser
