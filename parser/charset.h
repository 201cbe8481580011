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
  // Where the answer came from: "bom", "http", "meta", "detected", "default"
  // (SniffEncoding), or "bytes" (DecodeHtml overrode a declaration).
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

// `out` holds `bytes` decoded as `declared` (an encoding a document declared,
// by `declared_by`, e.g. "http"; with `*replaced` U+FFFD in it). When the
// bytes contradict the declaration
// (valid UTF-8 declared EUC-KR or Latin-1, EUC-KR declared UTF-8 or
// Latin-1), replaces `out` (and `*replaced`) with the decode that fits and
// returns that encoding, with `note` saying why; else returns `declared`
// and leaves `note` empty. The override needs clear evidence (FitsBetter in
// charset.cc). Labels of migrated Korean sites and feeds often lie so.
std::string OverrideContradictedCharset(std::string_view bytes, std::string_view declared,
                                       std::string_view declared_by, std::string* out,
                                       size_t* replaced, std::string* note = nullptr);

// Sniffs (SniffEncoding) and decodes an HTML page to UTF-8; a declared
// encoding (HTTP or <meta>) the bytes contradict is overridden
// (OverrideContradictedCharset): the SniffResult source is then "bytes" and
// `note` says what was declared and why it lost (empty otherwise).
// Undecodable labels fall back to windows-1252. `replaced` receives the
// U+FFFD count of the decode kept. `out` is always well-formed UTF-8, whatever
// the bytes (the extractor's prefilter relies on it).
SniffResult DecodeHtml(std::string_view bytes, std::string_view content_type, std::string* out,
                       size_t* replaced = nullptr, std::string* note = nullptr);

}  // namespace jikji::parser

#endif  // JIKJI_PARSER_CHARSET_H_
