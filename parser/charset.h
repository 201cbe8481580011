// Character encoding: sniffing (WHATWG order) and conversion to UTF-8.
//
// Thread safety: free functions; safe from any thread (ICU converters are
// opened per call).
#ifndef JIKJI_PARSER_CHARSET_H_
#define JIKJI_PARSER_CHARSET_H_

#include <string>
#include <string_view>

namespace jikji::parser {

struct SniffResult {
  // WHATWG encoding name, e.g. "UTF-8", "EUC-KR" (decoded as windows-949),
  // "windows-1252", "Shift_JIS", "UTF-16LE".
  std::string encoding;
  // Where the answer came from: "bom", "http", "meta", "detected", "default".
  std::string source;
};

// Maps a label ("euc-kr", "ks_c_5601-1987", "cp949", "utf8", " latin1 ") to
// its WHATWG encoding name; empty when the label is unknown.
std::string EncodingForLabel(std::string_view label);

// Extracts the charset parameter of a Content-Type header value, or "".
std::string CharsetFromContentType(std::string_view content_type);

// The <meta> prescan of the HTML standard over the first 1024 bytes.
// Returns the encoding name or "" when none is declared. A declared UTF-16
// becomes UTF-8, "x-user-defined" becomes windows-1252, as the standard says.
std::string PrescanMeta(std::string_view bytes);

// Sniffs in the WHATWG order: BOM, HTTP charset, <meta> prescan, then
// statistical detection (ICU), then UTF-8 when the bytes are valid UTF-8,
// else windows-1252.
SniffResult SniffEncoding(std::string_view bytes, std::string_view content_type);

// Decodes `bytes` from `encoding` (a WHATWG name or any label) to UTF-8.
// Invalid sequences become U+FFFD; never fails for a known encoding.
// A BOM matching the encoding is removed. `replaced`, when given, receives
// the number of U+FFFD substitutions made.
// Returns false (and leaves *out empty) only for an unknown encoding.
bool DecodeToUtf8(std::string_view bytes, std::string_view encoding, std::string* out,
                  size_t* replaced = nullptr);

}  // namespace jikji::parser

#endif  // JIKJI_PARSER_CHARSET_H_
