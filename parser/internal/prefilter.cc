#include "parser/internal/prefilter.h"

#include <algorithm>
#include <cstring>

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

bool In(std::string_view name, std::initializer_list<std::string_view> set) {
  for (std::string_view s : set) {
    if (s == name) return true;
  }
  return false;
}

bool IsVoid(std::string_view n) {
  return In(n, {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                "param", "source", "track", "wbr", "keygen", "frame", "basefont", "bgsound"});
}

// Start tags that close an open <p> (HTML "close a p element" cases).
bool ClosesP(std::string_view n) {
  return In(n, {"address", "article", "aside", "blockquote", "center", "details", "dialog",
                "dir", "div", "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1",
                "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main", "menu", "nav",
                "ol", "p", "pre", "section", "summary", "table", "ul", "li", "dd", "dt"});
}

// Reads a lower-cased tag name starting at s[i]; returns the index after it.
size_t ReadName(std::string_view s, size_t i, std::string* name) {
  name->clear();
  while (i < s.size() && !IsSpace(s[i]) && s[i] != '>' && s[i] != '/') {
    if (name->size() < kMaxTagName) name->push_back(Lower(s[i]));
    ++i;
  }
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

// Appends the attributes part `attrs` of a start tag (from after its name
// to its end) to `out`, with each quoted value offered to `runs`. Reads the
// attributes as Gumbo's tokenizer does: a name runs to space, '/', '>' or
// '='; a value is quoted or runs to space or '>'.
void AppendAttributes(std::string_view attrs, TextRuns* runs, std::string* out) {
  size_t copied = 0;
  size_t k = 0;
  size_t n = attrs.size();
  while (k < n) {
    while (k < n && (IsSpace(attrs[k]) || attrs[k] == '/')) ++k;
    if (k >= n || attrs[k] == '>') break;
    size_t name_start = k++;
    while (k < n && !IsSpace(attrs[k]) && attrs[k] != '/' && attrs[k] != '>' && attrs[k] != '=') ++k;
    std::string_view name = attrs.substr(name_start, k - name_start);
    while (k < n && IsSpace(attrs[k])) ++k;
    if (k >= n || attrs[k] != '=') continue;
    ++k;
    while (k < n && IsSpace(attrs[k])) ++k;
    if (k < n && (attrs[k] == '"' || attrs[k] == '\'')) {
      size_t value = k + 1;
      size_t close = attrs.find(attrs[k], value);
      if (close == std::string_view::npos) break;  // unterminated: the rest as it is
      // The tree builder reads these two (textrun.h): they stay.
      if (!EqualsNoCase(name, "type") && !EqualsNoCase(name, "encoding")) {
        out->append(attrs.data() + copied, value - copied);
        runs->AppendAttributeValue(attrs.substr(value, close - value), out);
        copied = close;
      }
      k = close + 1;
    } else {
      while (k < n && !IsSpace(attrs[k]) && attrs[k] != '>') ++k;
    }
  }
  out->append(attrs.data() + copied, n - copied);
}

}  // namespace

void Prefilter(std::string_view s, int max_depth, size_t max_tags, PrefilterResult* out,
               bool text_placeholders) {
  out->html.clear();
  out->json_ld.clear();
  out->runs.clear();
  out->removed_bytes = 0;
  out->depth_capped_tags = 0;
  out->count_capped_tags = 0;
  size_t tags = 0;  // start and end tags passed through
  out->html.reserve(s.size());
  std::vector<std::string> stack;
  stack.reserve(64);
  size_t excess = 0;  // start tags dropped whose end tags are still to come
  size_t limit = static_cast<size_t>(std::max(1, max_depth));
  std::string name;
  size_t i = 0;
  size_t copy_from = 0;  // s[copy_from..) is not in out->html yet
  size_t text_from = 0;  // where the text run since the last markup starts
  size_t raw_until = 0;  // runs starting before this are in a RAWTEXT element
  bool placeholders = text_placeholders && !HasPlaceholderPlane(s);
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
      if (tags >= max_tags) {
        drop(lt, end);
        ++out->count_capped_tags;
      } else if (excess > 0) {
        drop(lt, end);
        --excess;
      } else {
        size_t depth = std::min(stack.size(), kCloseSearchDepth);
        for (size_t k = 0; k < depth; ++k) {
          if (stack[stack.size() - 1 - k] == name) {
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
    if (name == "script" || name == "style" || name == "svg" || name == "noscript" ||
        name == "template") {
      if (self_closing) {
        drop(lt, end);
        continue;
      }
      size_t close = FindEndTag(s, end, name);
      size_t content_end = close == std::string_view::npos ? s.size() : close;
      size_t to = close == std::string_view::npos ? s.size() : TagEnd(s, close + 2);
      if (name == "script" && IsJsonLdScript(s.substr(after, end - after)) &&
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
    if (placeholders && lt >= raw_until &&
        In(name, {"xmp", "iframe", "noembed", "noframes", "plaintext"})) {
      size_t close = name == "plaintext" ? std::string_view::npos : FindEndTag(s, end, name);
      raw_until = close == std::string_view::npos ? s.size() : close;
    }
    if (tags >= max_tags) {
      drop(lt, end);
      ++out->count_capped_tags;
      continue;
    }
    ++tags;
    if (IsVoid(name) || self_closing) {
      keep_start_tag(lt, after, end);
      continue;
    }
    // Implied end tags, as the tree builder would close them.
    if (!stack.empty()) {
      const std::string& top = stack.back();
      if ((top == "p" && ClosesP(name)) || (top == name && In(name, {"li", "dt", "dd", "option", "td", "th", "tr", "a"})) ||
          ((top == "td" || top == "th") && In(name, {"td", "th", "tr"})) ||
          ((top == "dt" || top == "dd") && In(name, {"dt", "dd"}))) {
        stack.pop_back();
      }
    }
    if (stack.size() >= limit) {
      drop(lt, end);
      ++excess;
      ++out->depth_capped_tags;
    } else {
      stack.push_back(name);
      keep_start_tag(lt, after, end);
    }
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

}  // namespace jikji::parser::internal
