// URL parsing, resolution and the crawler's normalization policy.
//
// Parse() follows the WHATWG URL Standard for the "special" schemes (http,
// https, ws, wss, ftp, file) closely enough for crawling: host lower-cased
// and IDNA (punycode) encoded, default port dropped, dot segments removed,
// percent-encoding of path/query/fragment per the standard's encode sets.
// Non-special schemes (mailto:, javascript:, tel:, data:) parse but are
// "opaque" (has_authority() false) and are never fetched.
//
// Normalize() adds the crawler policy on top: fragment dropped, tracking
// parameters stripped (a configurable glob list such as "utm_*"), the
// percent-encoding of unreserved characters decoded and hex digits
// upper-cased, empty query "?" dropped. Two URLs that name the same
// resource under this policy normalize to the same string.
//
// Thread safety: free functions over values; safe from any thread.
#ifndef JIKJI_URL_URL_H_
#define JIKJI_URL_URL_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace jikji::url {

struct Url {
  std::string scheme;    // lower case, without ':'
  std::string username;
  std::string password;
  std::string host;      // lower case, punycode; IPv6 in brackets
  int port = -1;         // -1 when absent or the scheme's default
  std::string path;      // begins with '/' for special schemes
  std::string query;     // without '?'; has_query tells "?" from nothing
  std::string fragment;  // without '#'
  bool has_query = false;
  bool has_fragment = false;
  bool opaque = false;   // non-special scheme without authority (mailto:)

  // The full URL string (WHATWG serialization).
  std::string Serialize() const;
  // "host" or "host:port" (port only when not default).
  std::string HostPort() const;
  // "scheme://host[:port]".
  std::string Origin() const;
  // path plus "?query" when present: what robots.txt rules match.
  std::string PathAndQuery() const;
  // Port number with the scheme default filled in (80, 443, ...), or -1.
  int EffectivePort() const;
  bool IsHttp() const { return scheme == "http" || scheme == "https"; }
};

// Parses an absolute URL. Leading/trailing C0 control or space is trimmed,
// tab and newline removed, as the standard says.
// Errors: InvalidArgument naming what is wrong.
Result<Url> Parse(std::string_view input);

// Resolves `reference` (absolute or relative) against `base`.
Result<Url> Resolve(const Url& base, std::string_view reference);
// Resolve(base, reference)->Serialize(), with the common links (see
// internal/resolve.h) spliced as strings, without a Url in between.
Result<std::string> ResolveSerialized(const Url& base, std::string_view reference);

// The part of `serialized_base` (a Url's Serialize()) that resolving
// `reference` against it depends on, for callers that remember resolutions:
// empty for an absolute reference starting "http://" or "https://"; the
// scheme, credentials, host and port for a reference starting with a slash
// or backslash against an http(s) base; else the whole base. Resolving one
// reference against two bases of equal scope gives the same URL (or fails
// alike).
std::string_view ResolutionScope(std::string_view serialized_base, std::string_view reference);

struct NormalizeOptions {
  // Query parameter names to remove. A trailing '*' matches any suffix.
  std::vector<std::string> strip_params = {"utm_*", "fbclid", "gclid", "dclid", "msclkid",
                                           "mc_cid", "mc_eid", "_ga", "igshid", "yclid"};
  bool drop_fragment = true;
  // Sort query parameters by name (off by default: order can matter).
  bool sort_query = false;
};

// Applies the crawler normalization policy to a parsed URL.
Url Normalize(const Url& url, const NormalizeOptions& options = {});

// Parse + Normalize + Serialize.
Result<std::string> NormalizeString(std::string_view input, const NormalizeOptions& options = {});

// Sort-friendly key (SURT-like) of a normalized http(s) URL: reversed host
// labels joined by ',', then ')' and the path and query, e.g.
// "https://www.etoday.co.kr/news/view/1?x=1" -> "kr,co,etoday,www)/news/view/1?x=1".
// Scheme and "www." are kept apart so that no two URLs share a key:
// "http://" URLs get the prefix "http:" before the host part.
// Keys of one site share a prefix, so a site scan is a range scan.
std::string SurtKey(const Url& normalized);

// The registrable-ish site of a host for grouping: the host without a
// leading "www." or "m.".
std::string SiteOfHost(std::string_view host);

}  // namespace jikji::url

#endif  // JIKJI_URL_URL_H_
