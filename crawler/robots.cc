// robots.txt parsing and matching (RFC 9309), tolerant the way Google's
// open-source parser (github.com/google/robotstxt) is.
//
// Choices, and where they come from:
//  - Lines end at LF, CR or CRLF; a UTF-8 BOM (whole or partial) at the start
//    is skipped; '#' starts a comment; lines are cut at kMaxLineBytes
//    (Google's 2083 * 8). Only the first kMaxRobotsBytes are read (RFC 2.5).
//  - "key: value"; a missing colon is accepted when the line is exactly two
//    whitespace-separated words (Google). Keys are case-insensitive and
//    matched by prefix, with Google's accepted typos ("useragent",
//    "disalow", "site-map", ...).
//  - A group is one or more user-agent lines followed by rules; a
//    user-agent line after a rule starts a new group. Rules before the first
//    user-agent line are ignored. Sitemap and unknown lines do not end a
//    run of user-agent lines (Google); Crawl-delay, a group member, does. All groups naming the agent are merged (RFC 2.2.1);
//    '*' groups apply only when no group names it. The user-agent value is
//    reduced to its product token ([A-Za-z_-]+) and compared
//    case-insensitively with the whole agent string we are given.
//  - Matching: the longest matching pattern wins, Allow wins ties (RFC
//    2.2.2); an empty pattern matches nothing. '*' matches any run, a final
//    '$' anchors the end (RFC 2.2.3).
//  - Percent-encoding (RFC 2.2.2, where Google's matcher differs; see the
//    google_diverges cases of the shared conformance data): patterns and
//    paths are compared in one canonical form: non-ASCII bytes of patterns
//    encoded as UTF-8 %XX (URLs must come encoded, as Google requires), escapes upper-cased, escapes of unreserved characters
//    decoded ("%62%61%7A" equals "baz"), a literal '*' or '$' in a path
//    written %2A / %24 (so a pattern can name them as "%2A" / "%24"), and in
//    the query part ':', '/' and '@' compared decoded (RFC Figure 4 row 2).
//    "%2F" in the path stays distinct from '/'.
//  - Google extensions kept on purpose: "allow: /dir/index.html" also
//    allows "/dir/" exactly; an empty URL means "/".
//  - "/robots.txt" itself is always allowed (RFC 2.2.2).
#include "crawler/robots.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.h"

namespace jikji::crawler {
namespace {

// Longest line considered; the rest of a longer line is dropped (Google's
// kMaxLineLen minus the terminator).
constexpr size_t kMaxLineBytes = 2083 * 8 - 1;
// Crawl-delay values above this are clamped (a day).
constexpr double kMaxCrawlDelaySeconds = 86400;

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (AsciiLower(c) >= 'a' && AsciiLower(c) <= 'f');
}
int HexVal(char c) { return (c >= '0' && c <= '9') ? c - '0' : AsciiLower(c) - 'a' + 10; }
constexpr char kHex[] = "0123456789ABCDEF";

bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (AsciiLower(s[i]) != prefix[i]) return false;
  }
  return true;
}


void AppendEscape(unsigned char c, std::string* out) {
  out->push_back('%');
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 15]);
}

// The canonical form described at the top. `is_pattern` keeps '*' and a
// final '$' as operators.
std::string Canonicalize(std::string_view s, bool is_pattern) {
  std::string out;
  out.reserve(s.size());
  bool in_query = false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && IsHex(s[i + 1]) && IsHex(s[i + 2])) {
      unsigned char decoded = static_cast<unsigned char>(HexVal(s[i + 1]) * 16 + HexVal(s[i + 2]));
      i += 2;
      if (IsUnreserved(decoded) ||
          (in_query && (decoded == ':' || decoded == '/' || decoded == '@'))) {
        out.push_back(static_cast<char>(decoded));
      } else {
        AppendEscape(decoded, &out);
      }
      continue;
    }
    if (c == '?') in_query = true;
    if (c >= 0x80 && is_pattern) {
      AppendEscape(c, &out);  // the caller encodes URLs; raw UTF-8 stays raw
    } else if (c == '*' && !is_pattern) {
      AppendEscape(c, &out);
    } else if (c == '$' && !(is_pattern && i + 1 == s.size())) {
      AppendEscape(c, &out);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// Google's wildcard matcher: does `pattern` match a prefix of `path`?
bool Matches(std::string_view path, std::string_view pattern) {
  const size_t path_len = path.size();
  // pos[0..num) are the path offsets reachable after the pattern so far.
  std::vector<size_t> pos(path_len + 1);
  size_t num = 1;
  pos[0] = 0;
  for (size_t p = 0; p < pattern.size(); ++p) {
    char pc = pattern[p];
    if (pc == '$' && p + 1 == pattern.size()) return pos[num - 1] == path_len;
    if (pc == '*') {
      num = path_len - pos[0] + 1;
      for (size_t i = 1; i < num; ++i) pos[i] = pos[i - 1] + 1;
    } else {
      size_t next = 0;
      for (size_t i = 0; i < num; ++i) {
        if (pos[i] < path_len && path[pos[i]] == pc) pos[next++] = pos[i] + 1;
      }
      num = next;
      if (num == 0) return false;
    }
  }
  return true;
}

// The part of a URL that rules match: path, params and query, fragment
// dropped, "/" when empty (Google's GetPathParamsQuery).
std::string PathParamsQuery(std::string_view url) {
  size_t search_start = 0;
  if (url.size() >= 2 && url[0] == '/' && url[1] == '/') search_start = 2;
  size_t early_path = url.find_first_of("/?;", search_start);
  size_t protocol_end = url.find("://", search_start);
  if (early_path < protocol_end) protocol_end = std::string_view::npos;
  protocol_end = protocol_end == std::string_view::npos ? search_start : protocol_end + 3;
  size_t path_start = url.find_first_of("/?;", protocol_end);
  if (path_start == std::string_view::npos) return "/";
  size_t hash = url.find('#', search_start);
  if (hash < path_start) return "/";
  size_t path_end = hash == std::string_view::npos ? url.size() : hash;
  std::string out;
  if (url[path_start] != '/') out.push_back('/');
  out += url.substr(path_start, path_end - path_start);
  return out;
}

// The product token of a user-agent value: leading [A-Za-z_-] characters.
std::string_view ProductToken(std::string_view value) {
  size_t n = 0;
  while (n < value.size() && ((AsciiLower(value[n]) >= 'a' && AsciiLower(value[n]) <= 'z') ||
                              value[n] == '_' || value[n] == '-')) {
    ++n;
  }
  return value.substr(0, n);
}

enum class Key { kUserAgent, kAllow, kDisallow, kSitemap, kCrawlDelay, kUnknown };

Key ClassifyKey(std::string_view key) {
  if (StartsWithIgnoreCase(key, "user-agent") || StartsWithIgnoreCase(key, "useragent") ||
      StartsWithIgnoreCase(key, "user agent")) {
    return Key::kUserAgent;
  }
  if (StartsWithIgnoreCase(key, "allow")) return Key::kAllow;
  for (std::string_view d : {"disallow", "dissallow", "dissalow", "disalow", "diasllow",
                             "disallaw"}) {
    if (StartsWithIgnoreCase(key, d)) return Key::kDisallow;
  }
  if (StartsWithIgnoreCase(key, "sitemap") || StartsWithIgnoreCase(key, "site-map")) {
    return Key::kSitemap;
  }
  if (StartsWithIgnoreCase(key, "crawl-delay") || StartsWithIgnoreCase(key, "crawldelay")) {
    return Key::kCrawlDelay;
  }
  return Key::kUnknown;
}

// Splits a comment-free, trimmed line into key and value. False for lines
// that are not a directive.
bool SplitKeyValue(std::string_view line, std::string_view* key, std::string_view* value) {
  size_t sep = line.find(':');
  size_t value_start;
  if (sep == std::string_view::npos) {
    // Google: a missing colon is tolerated when whitespace separates exactly
    // two words ("disallow /x").
    sep = line.find_first_of(" \t");
    if (sep == std::string_view::npos) return false;
    value_start = line.find_first_not_of(" \t", sep);
    if (value_start == std::string_view::npos) return false;
    if (line.find_first_of(" \t", value_start) != std::string_view::npos) return false;
  } else {
    value_start = sep + 1;
  }
  *key = Trim(line.substr(0, sep));
  *value = Trim(line.substr(value_start));
  return !key->empty();
}

}  // namespace

RobotsRules RobotsRules::Parse(std::string_view body) {
  RobotsRules rules;
  if (body.size() > kMaxRobotsBytes) body = body.substr(0, kMaxRobotsBytes);
  // A whole or partial UTF-8 BOM at the start is skipped.
  static constexpr unsigned char kBom[] = {0xEF, 0xBB, 0xBF};
  size_t bom = 0;
  while (bom < 3 && bom < body.size() && static_cast<unsigned char>(body[bom]) == kBom[bom]) ++bom;
  body.remove_prefix(bom);

  Group* current = nullptr;    // group receiving rules, or none yet
  bool group_has_rules = false;  // a rule was seen: next user-agent starts a group

  auto handle_line = [&](std::string_view line) {
    size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    line = Trim(line);
    if (line.empty()) return;
    std::string_view key, value;
    if (!SplitKeyValue(line, &key, &value)) return;
    switch (ClassifyKey(key)) {
      case Key::kUserAgent: {
        if (current == nullptr || group_has_rules) {
          rules.groups_.emplace_back();
          current = &rules.groups_.back();
          group_has_rules = false;
        }
        // Google: '*' followed by whitespace (or nothing) is the wildcard.
        if (!value.empty() && value[0] == '*' && (value.size() == 1 || IsSpace(value[1]))) {
          current->agents.push_back("*");
        } else {
          current->agents.push_back(AsciiLower(ProductToken(value)));
        }
        break;
      }
      case Key::kAllow:
      case Key::kDisallow: {
        if (current == nullptr) return;  // rule outside any group
        group_has_rules = true;
        bool allow = ClassifyKey(key) == Key::kAllow;
        if (value.empty()) return;  // matches nothing
        current->rules.push_back({allow, Canonicalize(value, /*is_pattern=*/true)});
        if (allow) {
          // Google: "/dir/index.htm[l]" also allows "/dir/" exactly.
          size_t slash = value.rfind('/');
          if (slash != std::string_view::npos &&
              value.substr(slash).substr(0, 10) == "/index.htm") {
            std::string dir(value.substr(0, slash + 1));
            dir.push_back('$');
            current->rules.push_back({true, Canonicalize(dir, /*is_pattern=*/true)});
          }
        }
        break;
      }
      case Key::kSitemap:
        if (!value.empty()) rules.sitemaps_.emplace_back(value);
        break;
      case Key::kCrawlDelay: {
        if (current == nullptr) return;
        group_has_rules = true;  // a group member: the next user-agent starts a group
        double seconds = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        (void)end;
        if (ec == std::errc() && seconds >= 0) {
          current->crawl_delay = std::min(seconds, kMaxCrawlDelaySeconds);
        }
        break;
      }
      case Key::kUnknown:
        break;  // tolerated, and does not end a group
    }
  };

  std::string_view rest = body;
  while (true) {
    size_t eol = rest.find_first_of("\r\n");
    std::string_view line = rest.substr(0, eol);
    if (line.size() > kMaxLineBytes) line = line.substr(0, kMaxLineBytes);
    handle_line(line);
    if (eol == std::string_view::npos) break;
    size_t skip = (rest[eol] == '\r' && eol + 1 < rest.size() && rest[eol + 1] == '\n') ? 2 : 1;
    rest.remove_prefix(eol + skip);
  }
  return rules;
}

RobotsRules RobotsRules::AllowAll() { return RobotsRules(); }

RobotsRules RobotsRules::DisallowAll() {
  RobotsRules rules;
  rules.disallow_all_ = true;
  return rules;
}

std::vector<const RobotsRules::Group*> RobotsRules::GroupsFor(std::string_view agent) const {
  std::vector<const Group*> specific, global;
  std::string wanted = AsciiLower(agent);
  for (const Group& group : groups_) {
    bool named = false, star = false;
    for (const std::string& a : group.agents) {
      if (a == "*") {
        star = true;
      } else if (!a.empty() && a == wanted) {
        named = true;
      }
    }
    if (named) specific.push_back(&group);
    if (star) global.push_back(&group);
  }
  return specific.empty() ? global : specific;
}

const RobotsRules::Group* RobotsRules::GroupFor(std::string_view agent) const {
  auto groups = GroupsFor(agent);
  return groups.empty() ? nullptr : groups.front();
}

bool RobotsRules::IsAllowed(std::string_view agent, std::string_view path_and_query) const {
  std::string path = PathParamsQuery(path_and_query);
  if (path == "/robots.txt") return true;  // RFC 9309 2.2.2: always fetchable
  if (disallow_all_) return false;
  std::string canonical = Canonicalize(path, /*is_pattern=*/false);
  int best_allow = -1, best_disallow = -1;
  for (const Group* group : GroupsFor(agent)) {
    for (const Rule& rule : group->rules) {
      int length = static_cast<int>(rule.pattern.size());
      int& best = rule.allow ? best_allow : best_disallow;
      if (length > best && Matches(canonical, rule.pattern)) best = length;
    }
  }
  return best_disallow <= best_allow;  // allow wins ties; no match: allowed
}

std::optional<double> RobotsRules::CrawlDelay(std::string_view agent) const {
  for (const Group* group : GroupsFor(agent)) {
    if (group->crawl_delay) return group->crawl_delay;
  }
  return std::nullopt;
}

}  // namespace jikji::crawler
