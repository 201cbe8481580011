#include "parser/internal/prefilter.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include <gumbo.h>
#include <xxhash.h>

namespace jikji::parser::internal {
namespace {

// A closing tag matches an open element at most this far down the stack;
// beyond it the end tag is passed through untouched (Gumbo decides).
constexpr size_t kCloseSearchDepth = 32;
// Tag names longer than this are compared by their prefix only.
constexpr size_t kMaxTagName = 15;

bool IsAlpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// A tag name as the prefilter compares it: lower-cased, its first
// kMaxTagName bytes (zero padded), and its length up to that.
struct TagName {
  std::array<char, kMaxTagName + 1> s{};
  uint8_t len = 0;

  std::string_view view() const { return {s.data(), len}; }
  // First eight bytes as one little-endian word (see Word()).
  uint64_t Lo() const {
    uint64_t w;
    std::memcpy(&w, s.data(), 8);
    return w;
  }
  uint64_t Hi() const {
    uint64_t w;
    std::memcpy(&w, s.data() + 8, 8);
    return w;
  }
  bool operator==(const TagName& o) const { return len == o.len && Lo() == o.Lo() && Hi() == o.Hi(); }
};

// `n` (up to eight bytes) as TagName::Lo() reads it: little-endian.
static_assert(std::endian::native == std::endian::little, "TagName::Lo() is a little-endian load");
constexpr uint64_t Word(std::string_view n) {
  uint64_t w = 0;
  for (size_t i = 0; i < n.size() && i < 8; ++i) w |= uint64_t{static_cast<uint8_t>(n[i])} << (8 * i);
  return w;
}

// What the prefilter needs to know of a tag name (bit set).
enum TagKind : uint32_t {
  kDropContent = 1 << 0,  // script, style, svg, noscript, template: removed with their content
  kRawText = 1 << 1,      // xmp, iframe, noembed, noframes, plaintext: '&' is literal inside
  kVoid = 1 << 2,         // no end tag
  kClosesP = 1 << 3,      // a start tag that closes an open <p>
  kEndsItself = 1 << 4,   // li dt dd option td th tr a: a start tag closes an open one of its kind
  kCell = 1 << 5,         // td, th
  kCellOrRow = 1 << 6,    // td, th, tr: close an open td or th
  kDefinition = 1 << 7,   // dt, dd
  kP = 1 << 8,            // p itself
  kRcData = 1 << 9,       // title, textarea: markup inside is text
  kUnwrap = 1 << 10,      // span mark em i u small: unwrapped when bare around text alone
  kTableText = 1 << 11,   // table tbody thead tfoot tr: text right inside is moved out
  // Boilerplate blocks (prefilter.h):
  kFormatting = 1 << 12,  // a b big code em font i nobr s small strike strong tt u
  kBlockRoot = 1 << 13,   // nav footer aside menu: offered to known_block
  kNotInBlock = 1 << 14,  // read by the extractor, or parsed otherwise: no block holds one
  kTablePart = 1 << 15,   // only inside a table opened in the block
  kMustClose = 1 << 16,   // must be closed inside the block (the tree builder keeps it)
  kForm = 1 << 17,        // form (the tree builder's form pointer outlives the element)
  kOuterBlocker = 1 << 18,  // no block is offered inside one (until a td or th)
};

// The formatting elements kUnwrap names, as indexes of the prefilter's
// count of their start tags not yet matched by an end tag; -1 for others.
int FormattingIndex(std::string_view name) {
  if (name == "em") return 0;
  if (name == "i") return 1;
  if (name == "u") return 2;
  if (name == "small") return 3;
  return -1;
}
constexpr int kFormattingNames = 4;

uint32_t Classify(const TagName& n) {
  const uint64_t hi = n.Hi();
  auto only = [&](uint32_t kind, size_t len) { return hi == 0 && n.len == len ? kind : 0u; };
  switch (n.Lo()) {
    case Word("script"): return only(kDropContent, 6);
    case Word("style"): return only(kDropContent, 5);
    case Word("svg"): return only(kDropContent, 3);
    case Word("noscript"): return only(kDropContent, 8);
    case Word("template"): return only(kDropContent, 8);
    case Word("xmp"): return only(kRawText | kNotInBlock, 3);
    case Word("iframe"): return only(kRawText | kNotInBlock, 6);
    case Word("noembed"): return only(kRawText | kNotInBlock, 7);
    case Word("noframes"): return only(kRawText | kNotInBlock, 8);
    case Word("plaintex"): return hi == Word("t") && n.len == 9 ? kRawText | kNotInBlock : 0u;
    case Word("area"): return only(kVoid, 4);
    case Word("base"): return only(kVoid | kNotInBlock, 4);
    case Word("br"): return only(kVoid, 2);
    case Word("col"): return only(kVoid | kTablePart, 3);
    case Word("embed"): return only(kVoid, 5);
    case Word("hr"): return only(kVoid | kClosesP, 2);
    case Word("img"): return only(kVoid | kNotInBlock, 3);
    case Word("input"): return only(kVoid, 5);
    case Word("link"): return only(kVoid | kNotInBlock, 4);
    case Word("meta"): return only(kVoid | kNotInBlock, 4);
    case Word("param"): return only(kVoid, 5);
    case Word("source"): return only(kVoid, 6);
    case Word("track"): return only(kVoid, 5);
    case Word("wbr"): return only(kVoid, 3);
    case Word("keygen"): return only(kVoid, 6);
    case Word("frame"): return only(kVoid | kNotInBlock, 5);
    case Word("basefont"): return only(kVoid, 8);
    case Word("bgsound"): return only(kVoid, 7);
    case Word("address"): return only(kClosesP, 7);
    case Word("article"): return only(kClosesP, 7);
    case Word("aside"): return only(kClosesP | kBlockRoot, 5);
    case Word("blockquo"): return hi == Word("te") && n.len == 10 ? kClosesP : 0u;
    case Word("center"): return only(kClosesP, 6);
    case Word("details"): return only(kClosesP, 7);
    case Word("dialog"): return only(kClosesP, 6);
    case Word("dir"): return only(kClosesP, 3);
    case Word("div"): return only(kClosesP, 3);
    case Word("dl"): return only(kClosesP, 2);
    case Word("fieldset"): return only(kClosesP, 8);
    case Word("figcapti"): return hi == Word("on") && n.len == 10 ? kClosesP : 0u;
    case Word("figure"): return only(kClosesP, 6);
    case Word("footer"): return only(kClosesP | kBlockRoot, 6);
    case Word("form"): return only(kClosesP | kForm | kMustClose, 4);
    case Word("h1"): return only(kClosesP | kNotInBlock, 2);
    case Word("h2"): return only(kClosesP, 2);
    case Word("h3"): return only(kClosesP, 2);
    case Word("h4"): return only(kClosesP, 2);
    case Word("h5"): return only(kClosesP, 2);
    case Word("h6"): return only(kClosesP, 2);
    case Word("header"): return only(kClosesP, 6);
    case Word("hgroup"): return only(kClosesP, 6);
    case Word("main"): return only(kClosesP, 4);
    case Word("menu"): return only(kClosesP | kBlockRoot, 4);
    case Word("nav"): return only(kClosesP | kBlockRoot, 3);
    case Word("ol"): return only(kClosesP, 2);
    case Word("p"): return only(kClosesP | kP, 1);
    case Word("pre"): return only(kClosesP, 3);
    case Word("section"): return only(kClosesP, 7);
    case Word("summary"): return only(kClosesP, 7);
    case Word("table"): return only(kClosesP | kTableText | kMustClose | kOuterBlocker, 5);
    case Word("tbody"): return only(kTableText | kTablePart | kMustClose | kOuterBlocker, 5);
    case Word("thead"): return only(kTableText | kTablePart | kMustClose | kOuterBlocker, 5);
    case Word("tfoot"): return only(kTableText | kTablePart | kMustClose | kOuterBlocker, 5);
    case Word("ul"): return only(kClosesP, 2);
    case Word("li"): return only(kClosesP | kEndsItself, 2);
    case Word("dd"): return only(kClosesP | kEndsItself | kDefinition, 2);
    case Word("dt"): return only(kClosesP | kEndsItself | kDefinition, 2);
    case Word("option"): return only(kEndsItself, 6);
    case Word("td"): return only(kEndsItself | kCell | kCellOrRow | kTablePart | kMustClose, 2);
    case Word("th"): return only(kEndsItself | kCell | kCellOrRow | kTablePart | kMustClose, 2);
    case Word("tr"): return only(kEndsItself | kCellOrRow | kTableText | kTablePart | kMustClose | kOuterBlocker, 2);
    case Word("a"): return only(kEndsItself | kFormatting, 1);
    case Word("title"): return only(kRcData | kNotInBlock, 5);
    case Word("textarea"): return only(kRcData | kNotInBlock, 8);
    case Word("span"): return only(kUnwrap, 4);
    case Word("mark"): return only(kUnwrap, 4);
    case Word("em"): return only(kUnwrap | kFormatting, 2);
    case Word("i"): return only(kUnwrap | kFormatting, 1);
    case Word("u"): return only(kUnwrap | kFormatting, 1);
    case Word("small"): return only(kUnwrap | kFormatting, 5);
    case Word("b"): return only(kFormatting, 1);
    case Word("big"): return only(kFormatting, 3);
    case Word("code"): return only(kFormatting, 4);
    case Word("font"): return only(kFormatting, 4);
    case Word("nobr"): return only(kFormatting, 4);
    case Word("s"): return only(kFormatting, 1);
    case Word("strike"): return only(kFormatting, 6);
    case Word("strong"): return only(kFormatting, 6);
    case Word("tt"): return only(kFormatting, 2);
    case Word("time"): return only(kNotInBlock, 4);
    case Word("image"): return only(kNotInBlock, 5);
    case Word("html"): return only(kNotInBlock, 4);
    case Word("head"): return only(kNotInBlock, 4);
    case Word("body"): return only(kNotInBlock, 4);
    case Word("frameset"): return only(kNotInBlock, 8);
    case Word("isindex"): return only(kNotInBlock, 7);
    case Word("math"): return only(kNotInBlock | kOuterBlocker, 4);
    case Word("select"): return only(kNotInBlock | kOuterBlocker, 6);
    case Word("caption"): return only(kTablePart | kMustClose | kOuterBlocker, 7);
    case Word("colgroup"): return only(kTablePart | kMustClose | kOuterBlocker, 8);
    case Word("object"): return only(kMustClose | kOuterBlocker, 6);
    case Word("applet"): return only(kMustClose | kOuterBlocker, 6);
    case Word("marquee"): return only(kMustClose | kOuterBlocker, 7);
    case Word("button"): return only(kOuterBlocker, 6);
    default: return 0;
  }
}

// Reads a lower-cased tag name starting at s[i]; returns the index after it.
size_t ReadName(std::string_view s, size_t i, TagName* name) {
  *name = TagName();
  size_t n = 0;
  while (i < s.size() && !IsSpace(s[i]) && s[i] != '>' && s[i] != '/') {
    if (n < kMaxTagName) name->s[n++] = Lower(s[i]);
    ++i;
  }
  name->len = static_cast<uint8_t>(n);
  return i;
}

// Index just past the '>' ending the tag whose attributes start at s[i],
// honouring quoted attribute values; s.size() when the tag never ends.
size_t TagEnd(std::string_view s, size_t i) {
  char prev = 0;  // last non-space character seen
  while (i < s.size()) {
    char c = s[i];
    if (c == '>') return i + 1;
    if ((c == '"' || c == '\'') && prev == '=') {
      size_t close = s.find(c, i + 1);
      if (close == std::string_view::npos) {
        // Unterminated quote: end at the next '>' rather than swallow the page.
        size_t gt = s.find('>', i + 1);
        return gt == std::string_view::npos ? s.size() : gt + 1;
      }
      i = close + 1;
      prev = c;
      continue;
    }
    if (!IsSpace(c)) prev = c;
    ++i;
  }
  return s.size();
}

// Finds "</name" (case-insensitive) at or after `from`.
size_t FindEndTag(std::string_view s, size_t from, std::string_view name) {
  while (true) {
    size_t lt = s.find("</", from);
    if (lt == std::string_view::npos) return lt;
    size_t k = 0;
    while (k < name.size() && lt + 2 + k < s.size() && Lower(s[lt + 2 + k]) == name[k]) ++k;
    if (k == name.size()) {
      size_t after = lt + 2 + k;
      if (after >= s.size() || IsSpace(s[after]) || s[after] == '>' || s[after] == '/') return lt;
    }
    from = lt + 2;
  }
}

bool IsJsonLdScript(std::string_view tag) {
  // The type attribute holds "application/ld+json" (any case, maybe quoted).
  std::string lower(tag.substr(0, std::min<size_t>(tag.size(), 512)));
  for (char& c : lower) c = Lower(c);
  return lower.find("ld+json") != std::string::npos;
}

bool EqualsNoCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t k = 0; k < a.size(); ++k) {
    if (Lower(a[k]) != lower[k]) return false;
  }
  return true;
}

// One attribute of a start tag as Gumbo's tokenizer reads it: a name runs
// to space, '/', '>' or '='; a value is quoted or runs to space or '>'.
// `value` views the attribute part it was read from (empty without '=').
struct Attribute {
  std::string_view name;
  std::string_view value;
  bool quoted = false;
};

// Calls f(const Attribute&) for each attribute in the attributes part
// `attrs` of a start tag (from after its name to its end), in order; false
// when a quoted value is never closed (the rest is not read).
template <typename F>
bool ForEachAttribute(std::string_view attrs, F&& f) {
  size_t k = 0;
  const size_t n = attrs.size();
  while (k < n) {
    while (k < n && (IsSpace(attrs[k]) || attrs[k] == '/')) ++k;
    if (k >= n || attrs[k] == '>') break;
    Attribute a;
    const size_t name_start = k++;
    while (k < n && !IsSpace(attrs[k]) && attrs[k] != '/' && attrs[k] != '>' && attrs[k] != '=') ++k;
    a.name = attrs.substr(name_start, k - name_start);
    while (k < n && IsSpace(attrs[k])) ++k;
    if (k < n && attrs[k] == '=') {
      ++k;
      while (k < n && IsSpace(attrs[k])) ++k;
      if (k < n && (attrs[k] == '"' || attrs[k] == '\'')) {
        const size_t close = attrs.find(attrs[k], k + 1);
        if (close == std::string_view::npos) return false;
        a.value = attrs.substr(k + 1, close - k - 1);
        a.quoted = true;
        k = close + 1;
      } else {
        const size_t from = k;
        while (k < n && !IsSpace(attrs[k]) && attrs[k] != '>') ++k;
        a.value = attrs.substr(from, k - from);
      }
    }
    f(a);
  }
  return true;
}

// Appends the attributes part `attrs` of a start tag to `out`, with each
// quoted value offered to `runs` (an unterminated one and what follows stay
// as they are).
void AppendAttributes(std::string_view attrs, TextRuns* runs, std::string* out) {
  size_t copied = 0;
  ForEachAttribute(attrs, [&](const Attribute& a) {
    // The tree builder reads these two (textrun.h): they stay.
    if (!a.quoted || EqualsNoCase(a.name, "type") || EqualsNoCase(a.name, "encoding")) return;
    const size_t value = static_cast<size_t>(a.value.data() - attrs.data());
    out->append(attrs.data() + copied, value - copied);
    runs->AppendAttributeValue(a.value, out);
    copied = value + a.value.size();
  });
  out->append(attrs.data() + copied, attrs.size() - copied);
}

// What an href resolves against (prefilter.h, BlockScope), from its value
// as written: the classes only ever err towards a wider scope.
BlockScope HrefScope(std::string_view v) {
  size_t k = 0;
  while (k < v.size() && IsSpace(v[k])) ++k;
  v.remove_prefix(k);
  if (v.empty()) return BlockScope::kDocument;
  const char c = v[0];
  if (static_cast<unsigned char>(c) < 0x20 || c == '?' || c == '&') return BlockScope::kDocument;
  if (c == '#') return BlockScope::kNone;  // this page itself: never a new page
  if (c == '/' || c == '\\') return BlockScope::kOrigin;
  if (IsAlpha(c)) {
    size_t e = 1;
    while (e < v.size() && (IsAlpha(v[e]) || (v[e] >= '0' && v[e] <= '9') || v[e] == '+' ||
                            v[e] == '-' || v[e] == '.')) {
      ++e;
    }
    if (e < v.size() && v[e] == ':') {
      const std::string_view scheme = v.substr(0, e);
      const bool special = EqualsNoCase(scheme, "http") || EqualsNoCase(scheme, "https") ||
                           EqualsNoCase(scheme, "ftp") || EqualsNoCase(scheme, "ws") ||
                           EqualsNoCase(scheme, "wss") || EqualsNoCase(scheme, "file");
      if (!special) return BlockScope::kNone;  // javascript:, mailto:, tel:, ...
      // "http:x" and "http:/x" are relative to a base of the same scheme.
      auto slash = [](char ch) { return ch == '/' || ch == '\\'; };
      if (e + 2 < v.size() && slash(v[e + 1]) && slash(v[e + 2])) return BlockScope::kNone;
      return BlockScope::kDocument;
    }
  }
  return BlockScope::kDirectory;
}

// Reads the attributes of a start tag inside a block: false if one of them
// is read by the extractor (itemprop, the data-* times); widens *scope by
// each href.
bool ScanBlockAttributes(std::string_view attrs, BlockScope* scope) {
  bool allowed = true;
  const bool whole = ForEachAttribute(attrs, [&](const Attribute& a) {
    if (EqualsNoCase(a.name, "itemprop") || EqualsNoCase(a.name, "data-date-time") ||
        EqualsNoCase(a.name, "data-datetime") || EqualsNoCase(a.name, "data-published")) {
      allowed = false;
    }
    if (EqualsNoCase(a.name, "href")) *scope = std::max(*scope, HrefScope(a.value));
  });
  return whole && allowed;
}

struct Open {
  TagName name;
  uint32_t kind;
};

// Whether the start tag `name` (of `kind`) closes the open element `top`,
// as the tree builder does in the common cases: <p> by a block, <li> by
// <li>, a cell by a cell or row, <dt>/<dd> by either.
bool ClosesTop(const Open& top, const TagName& name, uint32_t kind) {
  return ((top.kind & kP) && (kind & kClosesP)) || ((kind & kEndsItself) && top.name == name) ||
         ((top.kind & kCell) && (kind & kCellOrRow)) ||
         ((top.kind & kDefinition) && (kind & kDefinition));
}

// Reads the block whose start tag `name` ends at s[from]: true if it may be
// left empty (prefilter.h), with *close at the '<' of its end tag and
// *scope the widest scope of its hrefs. Reads markup as Prefilter() does
// (comments, dropped elements, implied end tags) and as the tree builder
// does where the two differ (bogus comments). `room`: nesting the
// prefilter's stack has left below its depth limit; `form_open`: a form
// may be open before the block.
bool ScanBlock(std::string_view s, size_t from, const TagName& name, size_t room, bool form_open,
               size_t* close, BlockScope* scope) {
  std::array<Open, kMaxBlockNesting> open;
  size_t depth = 0;
  size_t tables = 0;      // open tables in `open`
  size_t formatting = 0;  // open formatting elements in `open`
  const size_t limit = std::min(s.size(), from + kMaxBlockBytes);
  *scope = BlockScope::kNone;
  size_t i = from;
  while (true) {
    const size_t lt = s.find('<', i);
    if (lt == std::string_view::npos || lt + 2 >= limit) return false;
    const char c = s[lt + 1];
    if (c == '!' && s.compare(lt, 4, "<!--") == 0) {
      const size_t end = s.find("-->", lt + 2);
      if (end == std::string_view::npos) return false;
      i = end + 3;
      continue;
    }
    if (c == '!' || c == '?' || (c == '/' && !IsAlpha(s[lt + 2]))) {
      // A bogus comment to the next '>' for the tree builder.
      // (Prefilter() reads any tag inside it as markup: not offered then.)
      const size_t gt = s.find('>', lt + 2);
      if (gt == std::string_view::npos || s.substr(lt + 1, gt - lt - 1).find('<') != std::string_view::npos) {
        return false;
      }
      i = gt + 1;
      continue;
    }
    if (!IsAlpha(c) && c != '/') {
      i = lt + 1;
      continue;
    }
    TagName tag;
    if (c == '/') {
      const size_t after = ReadName(s, lt + 2, &tag);
      const size_t end = TagEnd(s, after);
      if (end >= limit) return false;
      size_t k = depth;
      while (k > 0 && !(open[k - 1].name == tag)) --k;
      if (k == 0) {
        if (!(tag == name)) return false;  // closes what the block did not open
        for (size_t j = 0; j < depth; ++j) {
          if (open[j].kind & (kMustClose | kFormatting)) return false;
        }
        *close = lt;
        return true;
      }
      // A formatting element closes only itself; nothing else closes one,
      // nor a table, cell, form or object (scope boundaries to the tree
      // builder, which would ignore the end tag and keep the block open).
      if ((open[k - 1].kind & kFormatting) && k != depth) return false;
      for (size_t j = k; j < depth; ++j) {
        if (open[j].kind & (kFormatting | kMustClose)) return false;
      }
      for (size_t j = k - 1; j < depth; ++j) {
        if (open[j].kind & kFormatting) --formatting;
        if (open[j].name.view() == "table") --tables;
      }
      depth = k - 1;
      i = end;
      continue;
    }
    const size_t after = ReadName(s, lt + 1, &tag);
    const size_t end = TagEnd(s, after);
    if (end >= limit) return false;
    const uint32_t kind = Classify(tag);
    if (kind & (kNotInBlock | kRcData | kRawText)) return false;
    if ((kind & kTablePart) && tables == 0) return false;
    if ((kind & kForm) && form_open) return false;
    if (!ScanBlockAttributes(s.substr(after, end - after), scope)) return false;
    const bool self_closing = end >= 2 && s[end - 1] == '>' && s[end - 2] == '/';
    if (kind & kDropContent) {
      if (self_closing) {
        i = end;
        continue;
      }
      if (tag.view() == "script" && IsJsonLdScript(s.substr(after, end - after))) return false;
      const size_t drop_close = FindEndTag(s, end, tag.view());
      if (drop_close == std::string_view::npos) return false;
      i = TagEnd(s, drop_close + 2);
      continue;
    }
    if (kind & kVoid) {
      i = end;
      continue;
    }
    if (self_closing) return false;  // the tree builder opens it all the same
    if (depth > 0) {
      const Open& top = open[depth - 1];
      if (ClosesTop(top, tag, kind)) {
        if (top.kind & kFormatting) return false;  // <a> in <a>: the adoption agency
        if (top.name.view() == "table") --tables;
        --depth;
      }
    }
    if (kind & kFormatting) {
      // None inside one of its name (an <a> in an <a> runs the adoption
      // agency; the tree builder's list keeps at most three alike).
      if (++formatting > 3) return false;
      for (size_t j = 0; j < depth; ++j) {
        if ((open[j].kind & kFormatting) && open[j].name == tag) return false;
      }
    }
    if (depth + 1 >= std::min(room, kMaxBlockNesting)) return false;
    if (tag.view() == "table") ++tables;
    open[depth++] = {tag, kind};
    i = end;
  }
}

}  // namespace

void Prefilter(std::string_view s, const PrefilterOptions& options, PrefilterResult* out) {
  const size_t max_tags = options.max_tags;
  out->html.clear();
  out->json_ld.clear();
  out->runs.clear(options.valid_utf8);
  out->removed_bytes = 0;
  out->depth_capped_tags = 0;
  out->count_capped_tags = 0;
  out->unwrapped_tags = 0;
  out->skipped_at.clear();
  size_t tags = 0;  // start and end tags passed through
  out->html.reserve(s.size());
  std::vector<Open> stack;
  stack.reserve(64);
  size_t excess = 0;  // start tags dropped whose end tags are still to come
  size_t limit = static_cast<size_t>(std::max(1, options.max_depth));
  TagName name;
  size_t i = 0;
  size_t copy_from = 0;  // s[copy_from..) is not in out->html yet
  size_t text_from = 0;  // where the text run since the last markup starts
  size_t raw_until = 0;  // runs starting before this are in a RAWTEXT element
  bool placeholders = options.text_placeholders && !HasPlaceholderPlane(s);
  size_t text_until = 0;  // markup before this is text (title, textarea, raw text)
  std::array<size_t, kFormattingNames> formatting_open{};  // start tags minus end tags
  // Boilerplate blocks (prefilter.h).
  // (Not with NUL bytes: their removal below would move the stubs.)
  const bool blocks = options.known_block && std::memchr(s.data(), 0, s.size()) == nullptr;
  size_t block_scans = 0;
  size_t formatting_total = 0;  // formatting start tags (any) minus end tags
  size_t forms_open = 0;        // form start tags minus end tags
  int caps_possible = -1;       // whether max_tags can be reached (-1: not known yet)
  auto may_cap = [&] {
    if (caps_possible < 0) {
      caps_possible = s.size() / 3 >= max_tags &&
                      static_cast<size_t>(std::count(s.begin(), s.end(), '<')) >= max_tags;
    }
    return caps_possible != 0;
  };
  auto outer_allows = [&] {
    for (size_t k = stack.size(); k > 0; --k) {
      if (stack[k - 1].kind & kCell) return true;
      if (stack[k - 1].kind & kOuterBlocker) return false;
    }
    return true;
  };
  auto drop = [&](size_t from, size_t to) {
    out->html.append(s.data() + copy_from, from - copy_from);
    out->removed_bytes += to - from;
    copy_from = to;
    // A '<' or '&' just before the cut would join what follows it ("<" +
    // "b>" is a tag, "&" + "amp;" a reference): an empty comment keeps
    // them apart, as the markup removed did.
    if (!out->html.empty() && (out->html.back() == '<' || out->html.back() == '&')) {
      out->html.append("<!---->");
    }
  };
  // The start tag s[lt, end), name read up to `after`, is passed through.
  auto keep_start_tag = [&](size_t lt, size_t after, size_t end) {
    if (!placeholders || lt < raw_until || end - after < kMinRunBytes + 3) return;
    out->html.append(s.data() + copy_from, after - copy_from);
    AppendAttributes(s.substr(after, end - after), &out->runs, &out->html);
    copy_from = end;
  };
  // The text run [text_from, to) ends at markup starting at `to`.
  auto end_run = [&](size_t to) {
    if (!placeholders || to <= text_from || text_from < raw_until) return;
    out->html.append(s.data() + copy_from, text_from - copy_from);
    out->runs.Append(s.substr(text_from, to - text_from), &out->html);
    copy_from = to;
  };
  while (true) {
    size_t lt = s.find('<', i);
    if (lt == std::string_view::npos || lt + 1 >= s.size()) break;
    char c = s[lt + 1];
    if (c == '!' && s.compare(lt, 4, "<!--") == 0) {
      end_run(lt);
      size_t end = s.find("-->", lt + 2);
      size_t to = end == std::string_view::npos ? s.size() : end + 3;
      drop(lt, to);
      i = text_from = to;
      continue;
    }
    if (c == '/' && lt + 2 < s.size() && IsAlpha(s[lt + 2])) {
      end_run(lt);
      size_t after = ReadName(s, lt + 2, &name);
      size_t end = TagEnd(s, after);
      if (int f = FormattingIndex(name.view()); f >= 0 && formatting_open[f] > 0) --formatting_open[f];
      if (blocks) {
        const uint32_t end_kind = Classify(name);
        if ((end_kind & kFormatting) && formatting_total > 0) --formatting_total;
        if ((end_kind & kForm) && forms_open > 0) --forms_open;
      }
      if (tags >= max_tags) {
        drop(lt, end);
        ++out->count_capped_tags;
      } else if (excess > 0) {
        drop(lt, end);
        --excess;
      } else {
        size_t depth = std::min(stack.size(), kCloseSearchDepth);
        for (size_t k = 0; k < depth; ++k) {
          if (stack[stack.size() - 1 - k].name == name) {
            stack.resize(stack.size() - 1 - k);
            break;
          }
        }
        ++tags;
      }
      i = text_from = end;
      continue;
    }
    if (!IsAlpha(c)) {
      i = lt + 1;
      continue;
    }
    end_run(lt);
    size_t after = ReadName(s, lt + 1, &name);
    size_t end = TagEnd(s, after);
    i = text_from = end;
    bool self_closing = end >= 2 && end <= s.size() && s[end - 1] == '>' && s[end - 2] == '/';
    const uint32_t kind = Classify(name);
    const int f = FormattingIndex(name.view());
    if ((kind & kUnwrap) && options.unwrap_bare_inline && lt >= text_until && tags < max_tags &&
        (stack.empty() || !(stack.back().kind & kTableText))) {
      // Bare (nothing but white space after the name), closed by the next
      // markup, its own end tag, around text that neither starts nor ends
      // with white space, with no white space right before or after it:
      // both tags go, the text stays. Anything else and the element stays:
      // where the tree builder drops white space before the body, or moves
      // text out of a table, white space goes with the text or stays
      // behind depending on the tags around it. (Right after removed
      // markup, what came before it counts; right before a comment or
      // removed markup, the element stays.)
      size_t k = after;
      while (k + 1 < end && IsSpace(s[k])) ++k;
      const char before = lt > copy_from ? s[lt - 1] : (out->html.empty() ? '>' : out->html.back());
      const size_t close = s.find('<', end);
      if ((f < 0 || formatting_open[f] == 0) && k + 1 == end && s[k] == '>' && !IsSpace(before) &&
          close != std::string_view::npos && close > end && close + 2 < s.size() &&
          s[close + 1] == '/' && IsAlpha(s[close + 2]) && !IsSpace(s[end]) && !IsSpace(s[close - 1])) {
        TagName closing;
        const size_t close_after = ReadName(s, close + 2, &closing);
        const size_t close_end = TagEnd(s, close_after);
        bool next_ok = close_end >= s.size() || !IsSpace(s[close_end]);
        if (next_ok && close_end + 1 < s.size() && s[close_end] == '<') {
          if (IsAlpha(s[close_end + 1])) {
            TagName next;
            ReadName(s, close_end + 1, &next);
            next_ok = !(Classify(next) & kDropContent);
          } else {
            next_ok = s[close_end + 1] == '/';
          }
        }
        if (closing == name && next_ok) {
          drop(lt, end);
          end_run(close);  // the element's text: a run of its own
          drop(close, close_end);
          out->unwrapped_tags += 2;
          i = text_from = close_end;
          continue;
        }
      }
    }
    if (f >= 0) ++formatting_open[f];
    if (blocks && (kind & kFormatting)) ++formatting_total;
    if (kind & kDropContent) {
      if (self_closing) {
        drop(lt, end);
        continue;
      }
      size_t close = FindEndTag(s, end, name.view());
      size_t content_end = close == std::string_view::npos ? s.size() : close;
      size_t to = close == std::string_view::npos ? s.size() : TagEnd(s, close + 2);
      if (name.view() == "script" && IsJsonLdScript(s.substr(after, end - after)) &&
          out->json_ld.size() < kMaxJsonLdBlocks && content_end - end <= kMaxJsonLdBytes) {
        out->json_ld.emplace_back(s.substr(end, content_end - end));
      }
      drop(lt, to);
      i = text_from = to;
      continue;
    }
    // RAWTEXT elements keep '&' literal: no placeholders up to their end tag.
    // (One inside another's raw text is text: no search, so that a page of
    // unclosed <iframe>s is not scanned to its end once per tag.)
    if (placeholders && lt >= raw_until && (kind & kRawText)) {
      size_t close =
          name.view() == "plaintext" ? std::string_view::npos : FindEndTag(s, end, name.view());
      raw_until = close == std::string_view::npos ? s.size() : close;
    }
    // Markup inside RCDATA and RAWTEXT elements is text: nothing unwrapped
    // up to their end tag. Also for one that seems to be inside another's
    // text (the tree builder ignores an <iframe> in a <select>, so a
    // <textarea> after it is an element): the later end wins.
    if ((options.unwrap_bare_inline || blocks) && text_until < s.size() && (kind & (kRcData | kRawText))) {
      size_t close = name.view() == "plaintext" ? std::string_view::npos
                                                : FindEndTag(s, end, name.view());
      text_until = std::max(text_until, close == std::string_view::npos ? s.size() : close);
    }
    if (tags >= max_tags) {
      drop(lt, end);
      ++out->count_capped_tags;
      continue;
    }
    ++tags;
    if ((kind & kVoid) || self_closing) {
      keep_start_tag(lt, after, end);
      continue;
    }
    // Implied end tags, as the tree builder would close them.
    if (!stack.empty()) {
      if (ClosesTop(stack.back(), name, kind)) stack.pop_back();
    }
    if (stack.size() >= limit) {
      drop(lt, end);
      ++excess;
      ++out->depth_capped_tags;
      continue;
    }
    if (blocks && (kind & kForm)) ++forms_open;
    if (blocks && (kind & kBlockRoot) && block_scans < kMaxBlockScans && lt >= text_until &&
        excess == 0 && formatting_total == 0 && stack.size() + kMaxBlockNesting < limit && !may_cap() &&
        outer_allows()) {
      ++block_scans;
      size_t close = 0;
      BlockScope scope = BlockScope::kNone;
      if (ScanBlock(s, end, name, limit - stack.size(), forms_open > 0, &close, &scope) &&
          options.known_block(XXH3_64bits(s.data() + lt, close - lt), scope)) {
        stack.push_back({name, kind});
        out->skipped_at.push_back(out->html.size() + (lt - copy_from));
        keep_start_tag(lt, after, end);
        drop(end, close);
        i = text_from = close;
        continue;
      }
    }
    stack.push_back({name, kind});
    keep_start_tag(lt, after, end);
  }
  end_run(s.size());
  out->html.append(s.data() + copy_from, s.size() - copy_from);
  // NUL bytes: Gumbo copes, but they only ever carry garbage.
  if (std::memchr(out->html.data(), 0, out->html.size()) != nullptr) {
    size_t before = out->html.size();
    out->html.erase(std::remove(out->html.begin(), out->html.end(), '\0'), out->html.end());
    out->removed_bytes += before - out->html.size();
  }
}

namespace {

// Whether the stub `n` stands where its content would have changed nothing
// outside it (StubsStandAlone).
bool StubStandsAlone(const GumboNode* n) {
  constexpr unsigned kMoved = GUMBO_INSERTION_BY_PARSER | GUMBO_INSERTION_IMPLICIT_END_TAG |
                              GUMBO_INSERTION_IMPLIED | GUMBO_INSERTION_RECONSTRUCTED_FORMATTING_ELEMENT |
                              GUMBO_INSERTION_ADOPTION_AGENCY_CLONED |
                              GUMBO_INSERTION_ADOPTION_AGENCY_MOVED | GUMBO_INSERTION_FOSTER_PARENTED;
  const GumboElement& el = n->v.element;
  if ((n->parse_flags & kMoved) != 0 || el.children.length != 0 || el.original_end_tag.length == 0) {
    return false;
  }
  // Foster parenting (which Gumbo 0.10.1 does not flag) puts it before the
  // table it came after: an element after it in the tree that came before
  // it in the source.
  if (n->parent != nullptr && n->parent->type == GUMBO_NODE_ELEMENT) {
    const GumboVector& siblings = n->parent->v.element.children;
    for (unsigned i = n->index_within_parent + 1; i < siblings.length; ++i) {
      const auto* next = static_cast<const GumboNode*>(siblings.data[i]);
      if (next->type != GUMBO_NODE_ELEMENT || (next->parse_flags & GUMBO_INSERTION_BY_PARSER)) continue;
      if (next->v.element.start_pos.offset < el.start_pos.offset) return false;
    }
  }
  // Up to the root: a link's text takes in its whole subtree, cells
  // included; a table's rules apply up to the nearest cell.
  bool in_cell = false;
  for (const GumboNode* up = n->parent; up != nullptr && up->type == GUMBO_NODE_ELEMENT; up = up->parent) {
    switch (up->v.element.tag) {
      case GUMBO_TAG_TD: case GUMBO_TAG_TH:
        in_cell = true;  // the tree builder's body rules inside
        break;
      case GUMBO_TAG_TABLE: case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT:
      case GUMBO_TAG_TR: case GUMBO_TAG_CAPTION: case GUMBO_TAG_COLGROUP:
        if (!in_cell) return false;
        break;
      case GUMBO_TAG_A: case GUMBO_TAG_B: case GUMBO_TAG_BIG: case GUMBO_TAG_CODE:
      case GUMBO_TAG_EM: case GUMBO_TAG_FONT: case GUMBO_TAG_I: case GUMBO_TAG_NOBR:
      case GUMBO_TAG_S: case GUMBO_TAG_SMALL: case GUMBO_TAG_STRIKE: case GUMBO_TAG_STRONG:
      case GUMBO_TAG_TT: case GUMBO_TAG_U: case GUMBO_TAG_BUTTON: case GUMBO_TAG_SELECT:
      case GUMBO_TAG_OBJECT: case GUMBO_TAG_APPLET: case GUMBO_TAG_MARQUEE:
      case GUMBO_TAG_TEMPLATE:
        return false;
      default:
        break;
    }
    if (up->v.element.tag_namespace != GUMBO_NAMESPACE_HTML) return false;
  }
  return true;
}

}  // namespace

bool StubsStandAlone(const GumboNode* root, const PrefilterResult& result) {
  if (result.skipped_at.empty()) return true;
  // Depth-first, in document order, as the stubs are; an explicit stack
  // (trees can be deep).
  size_t next = 0;
  std::vector<std::pair<const GumboNode*, unsigned>> todo;
  todo.emplace_back(root, 0);
  while (!todo.empty() && next < result.skipped_at.size()) {
    auto& [n, child] = todo.back();
    const GumboVector* kids = n->type == GUMBO_NODE_ELEMENT    ? &n->v.element.children
                              : n->type == GUMBO_NODE_DOCUMENT ? &n->v.document.children
                                                               : nullptr;
    if (child == 0 && n->type == GUMBO_NODE_ELEMENT && n->v.element.start_pos.offset == result.skipped_at[next]) {
      const GumboTag t = n->v.element.tag;
      if (t != GUMBO_TAG_NAV && t != GUMBO_TAG_FOOTER && t != GUMBO_TAG_ASIDE && t != GUMBO_TAG_MENU) return false;
      if (n->v.element.tag_namespace != GUMBO_NAMESPACE_HTML || !StubStandsAlone(n)) return false;
      ++next;
    }
    if (kids == nullptr || child >= kids->length) {
      todo.pop_back();
      continue;
    }
    const GumboNode* kid = static_cast<const GumboNode*>(kids->data[child++]);
    todo.emplace_back(kid, 0);
  }
  return next == result.skipped_at.size();
}

}  // namespace jikji::parser::internal
