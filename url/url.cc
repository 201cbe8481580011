// WHATWG URL parsing (the "basic URL parser" without state overrides),
// serialization, and the crawler's normalization policy.
//
// The parser walks the input byte by byte. Non-ASCII bytes only ever reach
// two places: percent-encoding (encoding each UTF-8 byte is exactly the
// standard's "UTF-8 percent-encode" of the code point) and the host buffer
// (handed to ICU's UTS #46 mapping as UTF-8), so working on bytes gives the
// same result as working on code points.
#include "url/url.h"

#include <unicode/uidna.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "url/internal/resolve.h"

namespace jikji::url {
namespace {

// ---------------------------------------------------------------------------
// Limits.

// Inputs longer than this are rejected outright: no crawlable URL is this
// long, and it bounds the work done on hostile links.
constexpr size_t kMaxUrlBytes = 64 * 1024;
// Hosts are handed to ICU in a fixed buffer of this size (DNS allows 253).
constexpr int32_t kMaxHostBytes = 1024;

// ---------------------------------------------------------------------------
// Character classes.

bool IsAsciiAlpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool IsAsciiDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsAsciiHex(unsigned char c) {
  return IsAsciiDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}
bool IsAsciiAlnum(unsigned char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c); }
char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
int HexValue(unsigned char c) {
  if (IsAsciiDigit(c)) return c - '0';
  return (c | 0x20) - 'a' + 10;
}
constexpr char kHexUpper[] = "0123456789ABCDEF";

bool IsUnreserved(unsigned char c) {
  return IsAsciiAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// Percent-encode sets of the URL Standard, section 1.3.
enum class EncodeSet { kC0Control, kFragment, kQuery, kSpecialQuery, kPath, kUserinfo };

bool InEncodeSet(unsigned char c, EncodeSet set) {
  if (c < 0x20 || c > 0x7E) return true;  // C0 control percent-encode set
  switch (set) {
    case EncodeSet::kC0Control:
      return false;
    case EncodeSet::kFragment:
      return c == ' ' || c == '"' || c == '<' || c == '>' || c == '`';
    case EncodeSet::kQuery:
      return c == ' ' || c == '"' || c == '#' || c == '<' || c == '>';
    case EncodeSet::kSpecialQuery:
      return c == ' ' || c == '"' || c == '#' || c == '<' || c == '>' || c == '\'';
    case EncodeSet::kPath:
      return c == ' ' || c == '"' || c == '#' || c == '<' || c == '>' || c == '?' || c == '^' ||
             c == '`' || c == '{' || c == '}';
    case EncodeSet::kUserinfo:
      return c == ' ' || c == '"' || c == '#' || c == '<' || c == '>' || c == '?' || c == '^' ||
             c == '`' || c == '{' || c == '}' || c == '/' || c == ':' || c == ';' || c == '=' ||
             c == '@' || c == '[' || c == '\\' || c == ']' || c == '|';
  }
  return false;
}

void AppendEncoded(unsigned char c, EncodeSet set, std::string* out) {
  if (InEncodeSet(c, set)) {
    out->push_back('%');
    out->push_back(kHexUpper[c >> 4]);
    out->push_back(kHexUpper[c & 15]);
  } else {
    out->push_back(static_cast<char>(c));
  }
}

std::string PercentEncode(std::string_view s, EncodeSet set) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) AppendEncoded(c, set, &out);
  return out;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() &&
        IsAsciiHex(static_cast<unsigned char>(s[i + 1])) &&
        IsAsciiHex(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(HexValue(static_cast<unsigned char>(s[i + 1])) * 16 +
                                      HexValue(static_cast<unsigned char>(s[i + 2]))));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool IsSpecialScheme(std::string_view scheme) {
  return scheme == "http" || scheme == "https" || scheme == "ws" || scheme == "wss" ||
         scheme == "ftp" || scheme == "file";
}

int DefaultPort(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "ftp") return 21;
  return -1;
}

bool IsWindowsDriveLetter(std::string_view s) {
  return s.size() == 2 && IsAsciiAlpha(static_cast<unsigned char>(s[0])) &&
         (s[1] == ':' || s[1] == '|');
}
bool IsNormalizedWindowsDriveLetter(std::string_view s) {
  return s.size() == 2 && IsAsciiAlpha(static_cast<unsigned char>(s[0])) && s[1] == ':';
}
bool StartsWithWindowsDriveLetter(std::string_view s) {
  if (s.size() < 2 || !IsWindowsDriveLetter(s.substr(0, 2))) return false;
  if (s.size() == 2) return true;
  char c = s[2];
  return c == '/' || c == '\\' || c == '?' || c == '#';
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}
bool IsSingleDot(std::string_view s) { return s == "." || EqualsIgnoreCase(s, "%2e"); }
bool IsDoubleDot(std::string_view s) {
  return s == ".." || EqualsIgnoreCase(s, ".%2e") || EqualsIgnoreCase(s, "%2e.") ||
         EqualsIgnoreCase(s, "%2e%2e");
}

// ---------------------------------------------------------------------------
// Hosts.

bool IsForbiddenHostCodePoint(unsigned char c) {
  switch (c) {
    case 0x00: case '\t': case '\n': case '\r': case ' ': case '#': case '/': case ':':
    case '<': case '>': case '?': case '@': case '[': case '\\': case ']': case '^': case '|':
      return true;
    default:
      return false;
  }
}
bool IsForbiddenDomainCodePoint(unsigned char c) {
  return IsForbiddenHostCodePoint(c) || c < 0x20 || c == '%' || c == 0x7F;
}

// Parses one IPv4 part: decimal, 0x-hex or 0-octal. nullopt on failure.
std::optional<uint64_t> ParseIpv4Number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int radix = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    radix = 16;
  } else if (s.size() >= 2 && s[0] == '0') {
    s.remove_prefix(1);
    radix = 8;
  }
  if (s.empty()) return 0;
  uint64_t value = 0;
  for (unsigned char c : s) {
    int digit;
    if (radix == 16 && IsAsciiHex(c)) {
      digit = HexValue(c);
    } else if (radix == 10 && IsAsciiDigit(c)) {
      digit = c - '0';
    } else if (radix == 8 && c >= '0' && c <= '7') {
      digit = c - '0';
    } else {
      return std::nullopt;
    }
    value = value * radix + digit;
    if (value > (uint64_t{1} << 40)) value = uint64_t{1} << 40;  // saturate: already too big
  }
  return value;
}

// "Ends in a number" checker of the standard.
bool EndsInANumber(std::string_view host) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    parts.push_back(host.substr(start, dot == std::string_view::npos ? std::string_view::npos
                                                                     : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.back().empty()) {
    if (parts.size() == 1) return false;
    parts.pop_back();
  }
  // All digits (even a bad octal such as "09", which then fails), or what
  // the number parser accepts ("0x" plus hex digits).
  std::string_view last = parts.back();
  if (!last.empty() &&
      std::all_of(last.begin(), last.end(), [](unsigned char c) { return IsAsciiDigit(c); })) {
    return true;
  }
  return ParseIpv4Number(last).has_value();
}

std::optional<std::string> ParseIpv4(std::string_view host) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    parts.push_back(host.substr(start, dot == std::string_view::npos ? std::string_view::npos
                                                                     : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.back().empty() && parts.size() > 1) parts.pop_back();
  if (parts.size() > 4) return std::nullopt;
  std::vector<uint64_t> numbers;
  for (std::string_view part : parts) {
    auto n = ParseIpv4Number(part);
    if (!n) return std::nullopt;
    numbers.push_back(*n);
  }
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    if (numbers[i] > 255) return std::nullopt;
  }
  uint64_t limit = uint64_t{1} << (8 * (5 - numbers.size()));
  if (numbers.back() >= limit) return std::nullopt;
  uint64_t ipv4 = numbers.back();
  for (size_t i = 0; i + 1 < numbers.size(); ++i) ipv4 += numbers[i] << (8 * (3 - i));
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    if (!out.empty()) out.push_back('.');
    out += std::to_string((ipv4 >> shift) & 0xFF);
  }
  return out;
}

// IPv6 parser of the standard; returns the serialized form with brackets.
std::optional<std::string> ParseIpv6(std::string_view input) {
  std::array<uint16_t, 8> address{};
  int piece_index = 0;
  int compress = -1;
  size_t p = 0;
  auto at = [&](size_t i) -> int {
    return i < input.size() ? static_cast<unsigned char>(input[i]) : -1;
  };
  if (at(p) == ':') {
    if (at(p + 1) != ':') return std::nullopt;
    p += 2;
    ++piece_index;
    compress = piece_index;
  }
  while (at(p) != -1) {
    if (piece_index == 8) return std::nullopt;
    if (at(p) == ':') {
      if (compress != -1) return std::nullopt;
      ++p;
      ++piece_index;
      compress = piece_index;
      continue;
    }
    int value = 0;
    int length = 0;
    while (length < 4 && at(p) != -1 && IsAsciiHex(static_cast<unsigned char>(at(p)))) {
      value = value * 16 + HexValue(static_cast<unsigned char>(at(p)));
      ++p;
      ++length;
    }
    if (at(p) == '.') {
      if (length == 0) return std::nullopt;
      p -= length;
      if (piece_index > 6) return std::nullopt;
      int numbers_seen = 0;
      while (at(p) != -1) {
        int ipv4_piece = -1;
        if (numbers_seen > 0) {
          if (at(p) == '.' && numbers_seen < 4) {
            ++p;
          } else {
            return std::nullopt;
          }
        }
        if (at(p) == -1 || !IsAsciiDigit(static_cast<unsigned char>(at(p)))) return std::nullopt;
        while (at(p) != -1 && IsAsciiDigit(static_cast<unsigned char>(at(p)))) {
          int number = at(p) - '0';
          if (ipv4_piece == -1) {
            ipv4_piece = number;
          } else if (ipv4_piece == 0) {
            return std::nullopt;
          } else {
            ipv4_piece = ipv4_piece * 10 + number;
          }
          if (ipv4_piece > 255) return std::nullopt;
          ++p;
        }
        address[piece_index] = static_cast<uint16_t>(address[piece_index] * 0x100 + ipv4_piece);
        ++numbers_seen;
        if (numbers_seen == 2 || numbers_seen == 4) ++piece_index;
      }
      if (numbers_seen != 4) return std::nullopt;
      break;
    } else if (at(p) == ':') {
      ++p;
      if (at(p) == -1) return std::nullopt;
    } else if (at(p) != -1) {
      return std::nullopt;
    }
    address[piece_index] = static_cast<uint16_t>(value);
    ++piece_index;
  }
  if (compress != -1) {
    int swaps = piece_index - compress;
    piece_index = 7;
    while (piece_index != 0 && swaps > 0) {
      std::swap(address[piece_index], address[compress + swaps - 1]);
      --piece_index;
      --swaps;
    }
  } else if (piece_index != 8) {
    return std::nullopt;
  }
  // Serialize: compress the first longest run of two or more zero pieces.
  int best_start = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    if (address[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && address[j] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out = "[";
  bool ignore0 = false;
  for (int i = 0; i < 8; ++i) {
    if (ignore0 && address[i] == 0) continue;
    ignore0 = false;
    if (best_start == i) {
      out += (i == 0) ? "::" : ":";
      ignore0 = true;
      continue;
    }
    char buf[8];
    int n = 0;
    uint16_t v = address[i];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      int d = (v >> shift) & 15;
      if (d != 0 || started || shift == 0) {
        buf[n++] = "0123456789abcdef"[d];
        started = true;
      }
    }
    out.append(buf, n);
    if (i != 7) out.push_back(':');
  }
  out.push_back(']');
  return out;
}

const UIDNA* Uts46() {
  // UIDNA objects are immutable after creation and documented thread-safe.
  static const UIDNA* idna = [] {
    UErrorCode status = U_ZERO_ERROR;
    // CheckBidi, CheckJoiners, nontransitional; no STD3 rules, no hyphen or
    // DNS-length checks (the URL Standard's beStrict=false).
    UIDNA* p = uidna_openUTS46(UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ |
                                   UIDNA_NONTRANSITIONAL_TO_ASCII |
                                   UIDNA_NONTRANSITIONAL_TO_UNICODE,
                               &status);
    return U_SUCCESS(status) ? p : nullptr;
  }();
  return idna;
}

// "domain to ASCII" with beStrict = false. An all-ASCII domain is only
// lower-cased: the standard (and its tests: "xn--a" and "xn--1ug.example"
// stay as they are) does not validate Punycode that is already ASCII.
std::optional<std::string> DomainToAscii(const std::string& domain) {
  bool ascii = std::all_of(domain.begin(), domain.end(),
                           [](unsigned char c) { return c < 0x80; });
  if (ascii) {
    std::string out = domain;
    for (char& c : out) c = ToLower(c);
    return out;
  }
  const UIDNA* idna = Uts46();
  if (idna == nullptr || domain.size() > static_cast<size_t>(kMaxHostBytes)) return std::nullopt;
  char buf[kMaxHostBytes];
  UIDNAInfo info = UIDNA_INFO_INITIALIZER;
  UErrorCode status = U_ZERO_ERROR;
  int32_t n = uidna_nameToASCII_UTF8(idna, domain.data(), static_cast<int32_t>(domain.size()),
                                     buf, kMaxHostBytes, &info, &status);
  if (U_FAILURE(status)) return std::nullopt;
  constexpr uint32_t kIgnored = UIDNA_ERROR_EMPTY_LABEL | UIDNA_ERROR_LABEL_TOO_LONG |
                                UIDNA_ERROR_DOMAIN_NAME_TOO_LONG | UIDNA_ERROR_LEADING_HYPHEN |
                                UIDNA_ERROR_TRAILING_HYPHEN | UIDNA_ERROR_HYPHEN_3_4;
  if ((info.errors & ~kIgnored) != 0) return std::nullopt;
  if (n == 0) return std::nullopt;
  return std::string(buf, n);
}

// Host parser. `not_special` selects the opaque-host parser. Returns the
// serialized host, or nullopt with `error` set.
std::optional<std::string> ParseHost(std::string_view input, bool not_special,
                                     std::string* error) {
  if (!input.empty() && input[0] == '[') {
    if (input.back() != ']') {
      *error = "unterminated IPv6 address";
      return std::nullopt;
    }
    auto v6 = ParseIpv6(input.substr(1, input.size() - 2));
    if (!v6) *error = "invalid IPv6 address";
    return v6;
  }
  if (not_special) {
    for (unsigned char c : input) {
      if (IsForbiddenHostCodePoint(c)) {
        *error = "forbidden host code point";
        return std::nullopt;
      }
    }
    return PercentEncode(input, EncodeSet::kC0Control);
  }
  std::string domain = PercentDecode(input);
  auto ascii = DomainToAscii(domain);
  if (!ascii) {
    *error = "IDNA processing failed for host";
    return std::nullopt;
  }
  for (unsigned char c : *ascii) {
    if (IsForbiddenDomainCodePoint(c)) {
      *error = "forbidden domain code point in host";
      return std::nullopt;
    }
  }
  if (EndsInANumber(*ascii)) {
    auto v4 = ParseIpv4(*ascii);
    if (!v4) *error = "invalid IPv4 address";
    return v4;
  }
  return ascii;
}

// ---------------------------------------------------------------------------
// The URL record of the standard, as the parser manipulates it.

struct Record {
  std::string scheme;
  std::string username;
  std::string password;
  std::optional<std::string> host;
  std::optional<int> port;
  bool has_opaque_path = false;
  std::string opaque_path;
  std::vector<std::string> path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;

  bool special() const { return IsSpecialScheme(scheme); }

  void ShortenPath() {
    if (scheme == "file" && path.size() == 1 && IsNormalizedWindowsDriveLetter(path[0])) return;
    if (!path.empty()) path.pop_back();
  }
};

Record ToRecord(const Url& url) {
  Record r;
  r.scheme = url.scheme;
  r.username = url.username;
  r.password = url.password;
  if (!url.opaque) r.host = url.host;
  if (url.port >= 0) r.port = url.port;
  if (url.opaque && (url.path.empty() || url.path[0] != '/')) {
    r.has_opaque_path = true;
    r.opaque_path = url.path;
  } else if (!url.path.empty()) {
    size_t start = 1;
    while (true) {
      size_t slash = url.path.find('/', start);
      if (slash == std::string::npos) {
        r.path.push_back(url.path.substr(start));
        break;
      }
      r.path.push_back(url.path.substr(start, slash - start));
      start = slash + 1;
    }
  }
  if (url.has_query) r.query = url.query;
  if (url.has_fragment) r.fragment = url.fragment;
  return r;
}

Url FromRecord(Record r) {
  Url url;
  url.scheme = std::move(r.scheme);
  url.username = std::move(r.username);
  url.password = std::move(r.password);
  url.opaque = !r.host.has_value();
  if (r.host) url.host = std::move(*r.host);
  url.port = r.port.value_or(-1);
  if (r.has_opaque_path) {
    url.path = std::move(r.opaque_path);
  } else {
    for (const std::string& segment : r.path) {
      url.path.push_back('/');
      url.path += segment;
    }
  }
  url.has_query = r.query.has_value();
  if (r.query) url.query = std::move(*r.query);
  url.has_fragment = r.fragment.has_value();
  if (r.fragment) url.fragment = std::move(*r.fragment);
  return url;
}

enum class State {
  kSchemeStart, kScheme, kNoScheme, kSpecialRelativeOrAuthority, kPathOrAuthority, kRelative,
  kRelativeSlash, kSpecialAuthoritySlashes, kSpecialAuthorityIgnoreSlashes, kAuthority, kHost,
  kPort, kFile, kFileSlash, kFileHost, kPathStart, kPath, kOpaquePath, kQuery, kFragment,
};

// The basic URL parser (no encoding override: queries are UTF-8; no state
// override). Returns nullopt with `error` set on failure.
std::optional<Record> BasicParse(std::string_view raw, const Record* base, std::string* error) {
  if (raw.size() > kMaxUrlBytes) {
    *error = "URL longer than " + std::to_string(kMaxUrlBytes) + " bytes";
    return std::nullopt;
  }
  // Trim leading/trailing C0 control or space; remove tab and newline.
  while (!raw.empty() && static_cast<unsigned char>(raw.front()) <= 0x20) raw.remove_prefix(1);
  while (!raw.empty() && static_cast<unsigned char>(raw.back()) <= 0x20) raw.remove_suffix(1);
  std::string input;
  input.reserve(raw.size());
  for (char c : raw) {
    if (c != '\t' && c != '\n' && c != '\r') input.push_back(c);
  }

  Record url;
  State state = State::kSchemeStart;
  std::string buffer;
  bool at_sign_seen = false, inside_brackets = false, password_token_seen = false;
  const int64_t size = static_cast<int64_t>(input.size());
  auto fail = [&](const char* why) {
    *error = why;
    return std::nullopt;
  };

  for (int64_t pointer = 0;; ++pointer) {
    const int c = pointer < size ? static_cast<unsigned char>(input[pointer]) : -1;  // -1: EOF
    auto remaining = [&]() -> std::string_view {
      return pointer + 1 < size ? std::string_view(input).substr(pointer + 1) : std::string_view();
    };
    switch (state) {
      case State::kSchemeStart:
        if (c != -1 && IsAsciiAlpha(static_cast<unsigned char>(c))) {
          buffer.push_back(ToLower(static_cast<char>(c)));
          state = State::kScheme;
        } else {
          state = State::kNoScheme;
          --pointer;
        }
        break;

      case State::kScheme:
        if (c != -1 && (IsAsciiAlnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' ||
                        c == '.')) {
          buffer.push_back(ToLower(static_cast<char>(c)));
        } else if (c == ':') {
          url.scheme = buffer;
          buffer.clear();
          if (url.scheme == "file") {
            state = State::kFile;
          } else if (url.special() && base != nullptr && base->scheme == url.scheme) {
            state = State::kSpecialRelativeOrAuthority;
          } else if (url.special()) {
            state = State::kSpecialAuthoritySlashes;
          } else if (!remaining().empty() && remaining()[0] == '/') {
            state = State::kPathOrAuthority;
            ++pointer;
          } else {
            url.has_opaque_path = true;
            state = State::kOpaquePath;
          }
        } else {
          buffer.clear();
          url.scheme.clear();
          state = State::kNoScheme;
          pointer = -1;
        }
        break;

      case State::kNoScheme:
        if (base == nullptr || (base->has_opaque_path && c != '#')) {
          return fail("relative URL without a usable base");
        } else if (base->has_opaque_path && c == '#') {
          url.scheme = base->scheme;
          url.has_opaque_path = true;
          url.opaque_path = base->opaque_path;
          url.query = base->query;
          url.fragment = "";
          state = State::kFragment;
        } else if (base->scheme != "file") {
          state = State::kRelative;
          --pointer;
        } else {
          state = State::kFile;
          --pointer;
        }
        break;

      case State::kSpecialRelativeOrAuthority:
        if (c == '/' && !remaining().empty() && remaining()[0] == '/') {
          state = State::kSpecialAuthorityIgnoreSlashes;
          ++pointer;
        } else {
          state = State::kRelative;
          --pointer;
        }
        break;

      case State::kPathOrAuthority:
        if (c == '/') {
          state = State::kAuthority;
        } else {
          state = State::kPath;
          --pointer;
        }
        break;

      case State::kRelative:
        url.scheme = base->scheme;
        if (c == '/' || (url.special() && c == '\\')) {
          state = State::kRelativeSlash;
        } else {
          url.username = base->username;
          url.password = base->password;
          url.host = base->host;
          url.port = base->port;
          url.path = base->path;
          url.query = base->query;
          if (c == '?') {
            url.query = "";
            state = State::kQuery;
          } else if (c == '#') {
            url.fragment = "";
            state = State::kFragment;
          } else if (c != -1) {
            url.query.reset();
            url.ShortenPath();
            state = State::kPath;
            --pointer;
          }
        }
        break;

      case State::kRelativeSlash:
        if (url.special() && (c == '/' || c == '\\')) {
          state = State::kSpecialAuthorityIgnoreSlashes;
        } else if (c == '/') {
          state = State::kAuthority;
        } else {
          url.username = base->username;
          url.password = base->password;
          url.host = base->host;
          url.port = base->port;
          state = State::kPath;
          --pointer;
        }
        break;

      case State::kSpecialAuthoritySlashes:
        state = State::kSpecialAuthorityIgnoreSlashes;
        if (c == '/' && !remaining().empty() && remaining()[0] == '/') {
          ++pointer;
        } else {
          --pointer;
        }
        break;

      case State::kSpecialAuthorityIgnoreSlashes:
        if (c != '/' && c != '\\') {
          state = State::kAuthority;
          --pointer;
        }
        break;

      case State::kAuthority:
        if (c == '@') {
          if (at_sign_seen) buffer.insert(0, "%40");
          at_sign_seen = true;
          for (unsigned char b : buffer) {
            if (b == ':' && !password_token_seen) {
              password_token_seen = true;
              continue;
            }
            AppendEncoded(b, EncodeSet::kUserinfo,
                          password_token_seen ? &url.password : &url.username);
          }
          buffer.clear();
        } else if (c == -1 || c == '/' || c == '?' || c == '#' ||
                   (url.special() && c == '\\')) {
          if (at_sign_seen && buffer.empty()) return fail("credentials without a host");
          pointer -= static_cast<int64_t>(buffer.size()) + 1;
          buffer.clear();
          state = State::kHost;
        } else {
          buffer.push_back(static_cast<char>(c));
        }
        break;

      case State::kHost:
        if (c == ':' && !inside_brackets) {
          if (buffer.empty()) return fail("empty host");
          auto host = ParseHost(buffer, !url.special(), error);
          if (!host) return std::nullopt;
          url.host = std::move(*host);
          buffer.clear();
          state = State::kPort;
        } else if (c == -1 || c == '/' || c == '?' || c == '#' ||
                   (url.special() && c == '\\')) {
          --pointer;
          if (url.special() && buffer.empty()) return fail("empty host");
          auto host = ParseHost(buffer, !url.special(), error);
          if (!host) return std::nullopt;
          url.host = std::move(*host);
          buffer.clear();
          state = State::kPathStart;
        } else {
          if (c == '[') inside_brackets = true;
          if (c == ']') inside_brackets = false;
          buffer.push_back(static_cast<char>(c));
        }
        break;

      case State::kPort:
        if (c != -1 && IsAsciiDigit(static_cast<unsigned char>(c))) {
          buffer.push_back(static_cast<char>(c));
        } else if (c == -1 || c == '/' || c == '?' || c == '#' ||
                   (url.special() && c == '\\')) {
          if (!buffer.empty()) {
            long port = 0;
            for (char d : buffer) {
              port = port * 10 + (d - '0');
              if (port > 65535) return fail("port out of range");
            }
            if (port == DefaultPort(url.scheme)) {
              url.port.reset();
            } else {
              url.port = static_cast<int>(port);
            }
            buffer.clear();
          }
          state = State::kPathStart;
          --pointer;
        } else {
          return fail("invalid port");
        }
        break;

      case State::kFile:
        url.scheme = "file";
        url.host = "";
        if (c == '/' || c == '\\') {
          state = State::kFileSlash;
        } else if (base != nullptr && base->scheme == "file") {
          url.host = base->host;
          url.path = base->path;
          url.query = base->query;
          if (c == '?') {
            url.query = "";
            state = State::kQuery;
          } else if (c == '#') {
            url.fragment = "";
            state = State::kFragment;
          } else if (c != -1) {
            url.query.reset();
            if (!StartsWithWindowsDriveLetter(std::string_view(input).substr(pointer))) {
              url.ShortenPath();
            } else {
              url.path.clear();
            }
            state = State::kPath;
            --pointer;
          }
        } else {
          state = State::kPath;
          --pointer;
        }
        break;

      case State::kFileSlash:
        if (c == '/' || c == '\\') {
          state = State::kFileHost;
        } else {
          if (base != nullptr && base->scheme == "file") {
            url.host = base->host;
            if (!StartsWithWindowsDriveLetter(
                    pointer < size ? std::string_view(input).substr(pointer) : std::string_view()) &&
                !base->path.empty() && IsNormalizedWindowsDriveLetter(base->path[0])) {
              url.path.push_back(base->path[0]);
            }
          }
          state = State::kPath;
          --pointer;
        }
        break;

      case State::kFileHost:
        if (c == -1 || c == '/' || c == '\\' || c == '?' || c == '#') {
          --pointer;
          if (IsWindowsDriveLetter(buffer)) {
            state = State::kPath;  // buffer is kept and used by the path state
          } else if (buffer.empty()) {
            url.host = "";
            state = State::kPathStart;
          } else {
            auto host = ParseHost(buffer, !url.special(), error);
            if (!host) return std::nullopt;
            if (*host == "localhost") host->clear();
            url.host = std::move(*host);
            buffer.clear();
            state = State::kPathStart;
          }
        } else {
          buffer.push_back(static_cast<char>(c));
        }
        break;

      case State::kPathStart:
        if (url.special()) {
          state = State::kPath;
          if (c != '/' && c != '\\') --pointer;
        } else if (c == '?') {
          url.query = "";
          state = State::kQuery;
        } else if (c == '#') {
          url.fragment = "";
          state = State::kFragment;
        } else if (c != -1) {
          state = State::kPath;
          if (c != '/') --pointer;
        }
        break;

      case State::kPath:
        if (c == -1 || c == '/' || (url.special() && c == '\\') || c == '?' || c == '#') {
          const bool slash = c == '/' || (url.special() && c == '\\');
          if (IsDoubleDot(buffer)) {
            url.ShortenPath();
            if (!slash) url.path.emplace_back();
          } else if (IsSingleDot(buffer) && !slash) {
            url.path.emplace_back();
          } else if (!IsSingleDot(buffer)) {
            if (url.scheme == "file" && url.path.empty() && IsWindowsDriveLetter(buffer)) {
              buffer[1] = ':';
            }
            url.path.push_back(buffer);
          }
          buffer.clear();
          if (c == '?') {
            url.query = "";
            state = State::kQuery;
          } else if (c == '#') {
            url.fragment = "";
            state = State::kFragment;
          }
        } else {
          AppendEncoded(static_cast<unsigned char>(c), EncodeSet::kPath, &buffer);
        }
        break;

      case State::kOpaquePath:
        if (c == '?') {
          url.query = "";
          state = State::kQuery;
        } else if (c == '#') {
          url.fragment = "";
          state = State::kFragment;
        } else if (c == ' ') {
          std::string_view rest = remaining();
          if (!rest.empty() && (rest[0] == '?' || rest[0] == '#')) {
            url.opaque_path += "%20";
          } else {
            url.opaque_path.push_back(' ');
          }
        } else if (c != -1) {
          AppendEncoded(static_cast<unsigned char>(c), EncodeSet::kC0Control, &url.opaque_path);
        }
        break;

      case State::kQuery:
        if (c == '#' || c == -1) {
          *url.query += PercentEncode(
              buffer, url.special() ? EncodeSet::kSpecialQuery : EncodeSet::kQuery);
          buffer.clear();
          if (c == '#') {
            url.fragment = "";
            state = State::kFragment;
          }
        } else {
          buffer.push_back(static_cast<char>(c));
        }
        break;

      case State::kFragment:
        if (c != -1) AppendEncoded(static_cast<unsigned char>(c), EncodeSet::kFragment,
                                   &*url.fragment);
        break;
    }
    if (c == -1 && pointer >= size) break;
  }
  return url;
}

Result<Url> ParseWithBase(std::string_view input, const Record* base) {
  std::string error;
  auto record = BasicParse(input, base, &error);
  if (!record) {
    return Status::InvalidArgument("cannot parse URL '" +
                                   std::string(input.substr(0, std::min<size_t>(input.size(), 200))) +
                                   "': " + error);
  }
  return FromRecord(std::move(*record));
}

// Normalization helpers --------------------------------------------------

// Decodes %XX escapes of unreserved characters and upper-cases the hex of
// the others. A '%' not followed by two hex digits is encoded as "%25".
std::string NormalizeEscapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 < s.size() && IsAsciiHex(static_cast<unsigned char>(s[i + 1])) &&
        IsAsciiHex(static_cast<unsigned char>(s[i + 2]))) {
      unsigned char decoded = static_cast<unsigned char>(
          HexValue(static_cast<unsigned char>(s[i + 1])) * 16 +
          HexValue(static_cast<unsigned char>(s[i + 2])));
      if (IsUnreserved(decoded)) {
        out.push_back(static_cast<char>(decoded));
      } else {
        out.push_back('%');
        out.push_back(kHexUpper[decoded >> 4]);
        out.push_back(kHexUpper[decoded & 15]);
      }
      i += 2;
    } else {
      out += "%25";
    }
  }
  return out;
}

bool NameMatchesGlob(std::string_view name, std::string_view glob) {
  if (!glob.empty() && glob.back() == '*') {
    glob.remove_suffix(1);
    return name.size() >= glob.size() && EqualsIgnoreCase(name.substr(0, glob.size()), glob);
  }
  return EqualsIgnoreCase(name, glob);
}

}  // namespace

// ---------------------------------------------------------------------------
// Url members.

std::string Url::HostPort() const {
  if (port < 0 || port == DefaultPort(scheme)) return host;
  return host + ":" + std::to_string(port);
}

std::string Url::Origin() const { return scheme + "://" + HostPort(); }

std::string Url::PathAndQuery() const {
  std::string out = path;
  if (out.empty() && !opaque) out = "/";
  if (has_query) {
    out.push_back('?');
    out += query;
  }
  return out;
}

int Url::EffectivePort() const { return port >= 0 ? port : DefaultPort(scheme); }

std::string Url::Serialize() const {
  std::string out = scheme;
  out.push_back(':');
  if (!opaque) {
    out += "//";
    if (!username.empty() || !password.empty()) {
      out += username;
      if (!password.empty()) {
        out.push_back(':');
        out += password;
      }
      out.push_back('@');
    }
    out += HostPort();
  } else if (path.size() > 1 && path[0] == '/' && path[1] == '/') {
    out += "/.";  // keeps "web+demo:/.//not-a-host/" from reparsing as a host
  }
  out += path;
  if (has_query) {
    out.push_back('?');
    out += query;
  }
  if (has_fragment) {
    out.push_back('#');
    out += fragment;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Free functions.

Result<Url> Parse(std::string_view input) { return ParseWithBase(input, nullptr); }

Result<Url> Resolve(const Url& base, std::string_view reference) {
  Url simple;
  if (internal::ResolveSimple(base, reference, &simple)) return simple;
  return internal::ResolveFull(base, reference);
}

Result<std::string> ResolveSerialized(const Url& base, std::string_view reference) {
  std::string out;
  if (internal::ResolveSimpleSerialized(base, reference, &out)) return out;
  Result<Url> full = internal::ResolveFull(base, reference);
  if (!full.ok()) return full.status();
  return full->Serialize();
}

std::string_view ResolutionScope(std::string_view serialized_base, std::string_view reference) {
  auto starts = [](std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
  };
  // Two slashes after a scheme: the reference names its own authority
  // (however the base's scheme compares), so nothing of the base is used.
  if (starts(reference, "http://") || starts(reference, "https://")) return {};
  size_t authority = starts(serialized_base, "http://")    ? 7
                     : starts(serialized_base, "https://") ? 8
                                                           : std::string_view::npos;
  // From the root, or from a second slash on (which keeps only the scheme):
  // the base's path, query and fragment are not read. (Leading spaces or
  // controls, which the parser trims, keep the whole base.)
  if (authority != std::string_view::npos && !reference.empty() &&
      (reference[0] == '/' || reference[0] == '\\')) {
    // A serialized http(s) URL always has a path after its authority.
    size_t path = serialized_base.find('/', authority);
    if (path != std::string_view::npos) return serialized_base.substr(0, path);
  }
  return serialized_base;
}

namespace internal {
namespace {

// Bytes the parser copies unchanged into a special URL's path, query and
// fragment alike: ASCII letters and digits, "-._~!$&()*+,;=:@/?#%".
// Everything else (controls, space, quotes, <>`{}|^[]\, non-ASCII) is
// percent-encoded, trimmed or reinterpreted somewhere, so it is left to the
// parser.
bool IsCopiedAsIs(unsigned char c) {
  if (IsAsciiAlnum(c)) return true;
  switch (c) {
    case '-': case '.': case '_': case '~': case '!': case '$': case '&': case '(':
    case ')': case '*': case '+': case ',': case ';': case '=': case ':': case '@':
    case '/': case '?': case '#': case '%':
      return true;
    default:
      return false;
  }
}

// True when no segment of `path` is "." or ".." (which the parser removes)
// and no "%2e" hides one.
bool HasNoDotSegments(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view seg = path.substr(start, slash == std::string_view::npos ? path.npos
                                                                              : slash - start);
    if (seg == "." || seg == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  for (size_t i = 0; i + 2 < path.size(); ++i) {
    if (path[i] == '%' && path[i + 1] == '2' && (path[i + 2] == 'e' || path[i + 2] == 'E')) {
      return false;
    }
  }
  return true;
}

// Sets out's path, query and fragment from `tail` ("path?query#fragment",
// any part may be absent). `path_prefix` is prepended to the path part.
// False when the path part has a dot segment.
bool SpliceTail(std::string_view path_prefix, std::string_view tail, Url* out) {
  size_t hash = tail.find('#');
  std::string_view before = tail.substr(0, hash);
  size_t question = before.find('?');
  std::string_view path = before.substr(0, question);
  if (!HasNoDotSegments(path)) return false;
  out->path.reserve(path_prefix.size() + path.size());
  out->path.assign(path_prefix);
  out->path.append(path);
  if (out->path.empty()) out->path = "/";
  out->has_query = question != std::string_view::npos;
  out->query = out->has_query ? std::string(before.substr(question + 1)) : std::string();
  out->has_fragment = hash != std::string_view::npos;
  out->fragment = out->has_fragment ? std::string(tail.substr(hash + 1)) : std::string();
  return true;
}

// True when `ref` begins with base's serialized origin ("http://host:port")
// followed by the end, '/', '?' or '#'; *rest is what follows the origin.
bool StartsWithOrigin(const Url& base, std::string_view ref, std::string_view* rest) {
  std::string_view s = ref;
  if (s.substr(0, base.scheme.size()) != base.scheme) return false;
  s.remove_prefix(base.scheme.size());
  if (s.substr(0, 3) != "://") return false;
  s.remove_prefix(3);
  if (s.substr(0, base.host.size()) != base.host) return false;
  s.remove_prefix(base.host.size());
  if (base.port >= 0 && base.port != DefaultPort(base.scheme)) {
    char digits[16];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, base.port);
    if (ec != std::errc()) return false;
    std::string_view port(digits, static_cast<size_t>(end - digits));
    if (s.empty() || s[0] != ':' || s.substr(1, port.size()) != port) return false;
    s.remove_prefix(1 + port.size());
  }
  if (!s.empty() && s[0] != '/' && s[0] != '?' && s[0] != '#') return false;
  *rest = s;
  return true;
}

}  // namespace

namespace {

// A simple resolution as pieces: the result is base's origin, then
// `path_prefix`, then `tail` ("path?query#fragment", parts may be absent),
// with "/" for an empty path; `base_query` (a "#fragment" reference) keeps
// the base's query before the tail.
struct SimplePlan {
  std::string_view path_prefix;
  std::string_view tail;
  bool base_query = false;
};

bool PlanSimple(const Url& base, std::string_view ref, SimplePlan* plan) {
  if (ref.empty() || base.opaque || !base.IsHttp() || base.host.empty() ||
      !base.username.empty() || !base.password.empty() || base.path.empty() ||
      base.path[0] != '/') {
    return false;
  }
  for (char c : ref) {
    if (!IsCopiedAsIs(static_cast<unsigned char>(c))) return false;
  }
  *plan = SimplePlan();
  plan->tail = ref;
  if (ref[0] == '/') {
    return ref.size() == 1 || ref[1] != '/';  // "//host/...": another authority
  }
  if (ref[0] == '?') {
    plan->path_prefix = base.path;
    return true;
  }
  if (ref[0] == '#') {
    plan->path_prefix = base.path;
    plan->base_query = true;
    return true;
  }
  std::string_view rest;
  if (StartsWithOrigin(base, ref, &rest)) {
    plan->tail = rest;
    return true;
  }
  // A relative path, unless what precedes its first '/', '?' or '#' holds a
  // ':' (then it may be a scheme: "mailto:x", "http:g").
  size_t first_delim = ref.find_first_of("/?#");
  if (ref.substr(0, first_delim).find(':') != std::string_view::npos) return false;
  std::string_view dir(base.path);
  plan->path_prefix = dir.substr(0, dir.rfind('/') + 1);
  return true;
}

// The path part of a plan's tail: before its first '?' or '#'.
std::string_view TailPath(std::string_view tail) { return tail.substr(0, tail.find_first_of("?#")); }

}  // namespace

bool ResolveSimple(const Url& base, std::string_view ref, Url* out) {
  SimplePlan plan;
  if (!PlanSimple(base, ref, &plan)) return false;
  out->scheme = base.scheme;
  out->username.clear();
  out->password.clear();
  out->host = base.host;
  out->port = base.port;
  out->opaque = false;
  if (plan.base_query) {
    out->path = base.path;
    out->has_query = base.has_query;
    out->query = base.query;
    out->has_fragment = true;
    out->fragment = std::string(ref.substr(1));
    return true;
  }
  return SpliceTail(plan.path_prefix, plan.tail, out);
}

bool ResolveSimpleSerialized(const Url& base, std::string_view ref, std::string* out) {
  SimplePlan plan;
  if (!PlanSimple(base, ref, &plan)) return false;
  const std::string_view path = TailPath(plan.tail);
  if (!plan.base_query && !HasNoDotSegments(path)) return false;
  const std::string host_port = base.HostPort();
  out->clear();
  out->reserve(base.scheme.size() + 3 + host_port.size() + plan.path_prefix.size() +
               plan.tail.size() + 1 + (plan.base_query ? base.query.size() + 1 : 0));
  out->append(base.scheme).append("://").append(host_port).append(plan.path_prefix);
  if (plan.path_prefix.empty() && path.empty()) out->push_back('/');
  if (plan.base_query && base.has_query) out->append("?").append(base.query);
  out->append(plan.tail);
  return true;
}

Result<Url> ResolveFull(const Url& base, std::string_view ref) {
  Record base_record = ToRecord(base);
  return ParseWithBase(ref, &base_record);
}

}  // namespace internal

Url Normalize(const Url& url, const NormalizeOptions& options) {
  Url out = url;
  if (options.drop_fragment) {
    out.fragment.clear();
    out.has_fragment = false;
  } else if (out.has_fragment) {
    out.fragment = NormalizeEscapes(out.fragment);
  }
  if (!out.opaque || (!out.path.empty() && out.path[0] == '/')) {
    out.path = NormalizeEscapes(out.path);
    if (out.path.empty() && IsSpecialScheme(out.scheme)) out.path = "/";
  }
  if (out.has_query) {
    // Split on '&', drop empty and stripped parameters, keep order.
    std::vector<std::string> params;
    std::string_view q = out.query;
    size_t start = 0;
    while (start <= q.size()) {
      size_t amp = q.find('&', start);
      std::string_view param =
          q.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
      if (!param.empty()) {
        std::string_view name = param.substr(0, param.find('='));
        bool strip = false;
        for (const std::string& glob : options.strip_params) {
          if (NameMatchesGlob(name, glob)) {
            strip = true;
            break;
          }
        }
        if (!strip) params.push_back(NormalizeEscapes(param));
      }
      if (amp == std::string_view::npos) break;
      start = amp + 1;
    }
    if (options.sort_query) {
      std::stable_sort(params.begin(), params.end(), [](const std::string& a,
                                                        const std::string& b) {
        return std::string_view(a).substr(0, a.find('=')) <
               std::string_view(b).substr(0, b.find('='));
      });
    }
    out.query.clear();
    for (const std::string& p : params) {
      if (!out.query.empty()) out.query.push_back('&');
      out.query += p;
    }
    out.has_query = !out.query.empty();
  }
  return out;
}

Result<std::string> NormalizeString(std::string_view input, const NormalizeOptions& options) {
  auto parsed = Parse(input);
  if (!parsed.ok()) return parsed.status();
  return Normalize(*parsed, options).Serialize();
}

std::string SurtKey(const Url& normalized) {
  std::string key;
  if (normalized.scheme != "https") {
    key = normalized.scheme;
    key.push_back(':');
  }
  std::string_view host = normalized.host;
  if (!host.empty() && host.front() == '[') {
    key += host;  // IPv6 literal: no labels to reverse
  } else {
    bool ipv4 = !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) {
      return IsAsciiDigit(c) || c == '.';
    });
    if (ipv4) {
      key += host;
    } else {
      if (!host.empty() && host.back() == '.') host.remove_suffix(1);
      std::vector<std::string_view> labels;
      size_t start = 0;
      while (true) {
        size_t dot = host.find('.', start);
        labels.push_back(host.substr(start, dot == std::string_view::npos
                                                ? std::string_view::npos
                                                : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
      }
      for (size_t i = labels.size(); i-- > 0;) {
        key += labels[i];
        if (i != 0) key.push_back(',');
      }
    }
  }
  if (normalized.port >= 0 && normalized.port != DefaultPort(normalized.scheme)) {
    key.push_back(':');
    key += std::to_string(normalized.port);
  }
  key.push_back(')');
  key += normalized.PathAndQuery();
  return key;
}

std::string SiteOfHost(std::string_view host) {
  std::string out(host);
  for (char& c : out) c = ToLower(c);
  if (!out.empty() && out.back() == '.') out.pop_back();
  for (std::string_view prefix : {"www.", "m."}) {
    if (out.size() > prefix.size() && out.compare(0, prefix.size(), prefix) == 0 &&
        out.find('.', prefix.size()) != std::string::npos) {
      return out.substr(prefix.size());
    }
  }
  return out;
}

}  // namespace jikji::url
