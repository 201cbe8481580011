#include "parser/internal/selector.h"

#include <cstring>

#include "common/ascii.h"

namespace jikji::parser::internal {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

const char* Attr(const GumboNode* node, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&node->v.element.attributes, name);
  return a ? a->value : nullptr;
}

bool HasClass(const char* classes, std::string_view cls) {
  std::string_view s(classes);
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    size_t j = i;
    while (j < s.size() && !(s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')) ++j;
    if (j > i && s.substr(i, j - i) == cls) return true;
    i = j;
  }
  return false;
}

}  // namespace

Selector Selector::Parse(std::string_view text) {
  Selector sel;
  size_t i = 0;
  Complex current;
  Compound compound;
  bool compound_started = false;
  bool pending_child = false;
  auto fail = [&](std::string msg) {
    sel.alternatives_.clear();
    sel.error_ = std::move(msg) + " in selector \"" + std::string(text) + "\"";
    return sel;
  };
  auto read_name = [&](std::string* out) {
    size_t start = i;
    while (i < text.size() && IsNameChar(text[i])) ++i;
    *out = std::string(text.substr(start, i - start));
    return i > start;
  };
  auto end_compound = [&]() {
    if (!compound_started) return;
    compound.child_of_next = pending_child;
    pending_child = false;
    current.push_back(std::move(compound));
    compound = Compound{};
    compound_started = false;
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      end_compound();
      ++i;
      continue;
    }
    if (c == '>') {
      end_compound();
      if (current.empty() || pending_child) return fail("misplaced '>'");
      pending_child = true;
      ++i;
      continue;
    }
    if (c == ',') {
      end_compound();
      if (current.empty() || pending_child) return fail("empty selector before ','");
      sel.alternatives_.push_back(std::move(current));
      current.clear();
      ++i;
      continue;
    }
    if (c == '#' || c == '.') {
      ++i;
      std::string name;
      if (!read_name(&name)) return fail("missing name after '#' or '.'");
      if (c == '#') compound.id = name;
      else compound.classes.push_back(name);
      compound_started = true;
      continue;
    }
    if (c == '[') {
      ++i;
      Attribute a;
      if (!read_name(&a.name)) return fail("missing attribute name");
      a.name = AsciiLower(a.name);
      if (i < text.size() && text[i] == '=') {
        ++i;
        a.has_value = true;
        if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
          char q = text[i];
          size_t close = text.find(q, i + 1);
          if (close == std::string_view::npos) return fail("unterminated quote");
          a.value = std::string(text.substr(i + 1, close - i - 1));
          i = close + 1;
        } else {
          read_name(&a.value);
        }
      }
      if (i >= text.size() || text[i] != ']') return fail("missing ']'");
      ++i;
      compound.attributes.push_back(std::move(a));
      compound_started = true;
      continue;
    }
    if (c == '*' || IsNameChar(c)) {
      if (compound_started) return fail("type selector must come first");
      if (c == '*') {
        compound.tag = "*";
        ++i;
      } else {
        read_name(&compound.tag);
        compound.tag = AsciiLower(compound.tag);
      }
      compound_started = true;
      continue;
    }
    return fail(std::string("unsupported character '") + c + "'");
  }
  end_compound();
  if (pending_child) return fail("dangling '>'");
  if (!current.empty()) sel.alternatives_.push_back(std::move(current));
  if (sel.alternatives_.empty()) return fail("empty selector");
  return sel;
}

bool Selector::MatchCompound(const Compound& c, const GumboNode* node) {
  if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) return false;
  const GumboElement& el = node->v.element;
  if (!c.tag.empty() && c.tag != "*") {
    const char* name = gumbo_normalized_tagname(el.tag);
    if (el.tag == GUMBO_TAG_UNKNOWN) {
      GumboStringPiece piece = el.original_tag;
      gumbo_tag_from_original_text(&piece);
      if (piece.length != c.tag.size() || strncasecmp(piece.data, c.tag.data(), piece.length) != 0) {
        return false;
      }
    } else if (c.tag != name) {
      return false;
    }
  }
  if (!c.id.empty()) {
    const char* id = Attr(node, "id");
    if (!id || c.id != id) return false;
  }
  if (!c.classes.empty()) {
    const char* cls = Attr(node, "class");
    if (!cls) return false;
    for (const std::string& k : c.classes) {
      if (!HasClass(cls, k)) return false;
    }
  }
  for (const Attribute& a : c.attributes) {
    const char* v = Attr(node, a.name.c_str());
    if (!v) return false;
    if (a.has_value && a.value != v) return false;
  }
  return true;
}

// Matches cx[0..i] with cx[i] at `node`.
bool Selector::MatchComplex(const Complex& cx, size_t i, const GumboNode* node) {
  if (!MatchCompound(cx[i], node)) return false;
  if (i == 0) return true;
  const GumboNode* p = node->parent;
  if (cx[i].child_of_next) {
    return p && MatchComplex(cx, i - 1, p);
  }
  for (; p; p = p->parent) {
    if (MatchComplex(cx, i - 1, p)) return true;
  }
  return false;
}

bool Selector::Matches(const GumboNode* node) const {
  for (const Complex& cx : alternatives_) {
    if (!cx.empty() && MatchComplex(cx, cx.size() - 1, node)) return true;
  }
  return false;
}

}  // namespace jikji::parser::internal
