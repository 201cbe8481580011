// The page extractor. One pass of cheap byte filtering (internal/prefilter),
// one Gumbo parse, then:
//   1. Walk: one pre-order walk over the tree builds a flat array of element
//      records (subtree = index range), sums text and link-text sizes per
//      element, cuts the text into "runs" (inline content between block
//      boundaries and <br>), scores each run that reads like a paragraph and
//      gives that score to the run's block and its three nearest ancestors
//      (the idea of Readability's scoring, without copying text around). It
//      also collects metadata (<title>, <meta>, <link>, <base>, <time>, h1)
//      and links.
//   2. Choose: the best-scoring block (score x (1 - link density) + class/id
//      hints scaled by the block's size, minus a penalty inside comment or
//      sidebar boxes), or the per-site rule's container. The choice climbs
//      through wrappers that hold nothing else, then joins sibling blocks
//      that score well, share its tag and class, or are plain text blocks
//      between joined ones (articles split around photos and adverts).
//   3. Emit: a second walk over the chosen subtree writes paragraphs, skipping
//      chrome (excluded tags, hidden elements, negative class/id hints,
//      link-dense blocks), then drops chrome lines by text pattern.
//      Leading headings (before the first prose paragraph) and blocks whose
//      class names a subtitle are the deck, not the body; crossheads between
//      paragraphs stay. Datelines are cut from the first paragraphs; photo
//      boxes' text goes to captions.
//   4. Metadata by source priority: JSON-LD, <meta>, then text patterns.
//      Dates: a UTC value on a Korean (or unlabelled) page is shown at
//      +09:00; a value without a time stays a bare date "YYYY-MM-DD" (no
//      invented time or offset); text dates take seconds from a matching
//      machine-readable attribute nearby. List pages carry no date or author.
#include "parser/extractor.h"

#include <gumbo.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parser/charset.h"
#include "parser/internal/arena.h"
#include "parser/internal/chrome.h"
#include "parser/internal/dates.h"
#include "parser/internal/jsonld.h"
#include "parser/internal/prefilter.h"
#include "parser/internal/selector.h"
#include "parser/internal/text.h"
#include "parser/internal/textrun.h"
#include "url/url.h"

namespace jikji::parser {
namespace {

using internal::ClassHints;
using internal::Selector;

// Elements nested deeper than this in Gumbo's tree are not visited (the
// prefilter keeps real pages far below it).
constexpr int kMaxWalkDepth = 512;
// A run shorter than this (code points) is not a paragraph.
constexpr uint32_t kMinParagraphChars = 25;
// Bytes of each run's text kept for date/byline patterns.
constexpr size_t kRunHeadBytes = 320;
// Anchor text kept per link.
constexpr size_t kMaxLinkTextBytes = 512;
// Links collected per page at most.
constexpr size_t kMaxLinks = 20000;
// Text kept for a title, heading, caption or rule field.
constexpr size_t kMaxFieldBytes = 4096;
// Pages up to this size (after the prefilter) are parsed into an arena
// (internal/arena.h), which then holds 10 to 16 times the input until the
// page is done (measured on the bench site and the extraction benchmark).
constexpr size_t kMaxArenaInputBytes = 1 << 20;
// Class/id hint weights, in paragraph-score units.
constexpr float kHintWeight = 25.0f;
// <article> is a weak hint: themes wrap whole posts (tags, nav) in it.
constexpr float kArticleTagWeight = 3.0f;
// Sibling merging: a sibling of the best block joins when its content score
// reaches kSiblingShare of the best's (and at least kMinSiblingScore), and its
// link density is at most kMaxSiblingLinkDensity.
constexpr float kSiblingShare = 0.2f;
constexpr float kMinSiblingScore = 10.0f;
constexpr float kMaxSiblingLinkDensity = 0.3f;
// A parent whose text is at least this share the best block's is a wrapper.
constexpr float kWrapperShare = 0.95f;
// A positive hint counts in full for blocks of this many characters or more.
constexpr float kHintFullChars = 250.0f;
// is_article thresholds (code points of body text): two or more real
// paragraphs, or one long block, or less with og:type/JSON-LD evidence.
constexpr size_t kMinArticleChars = 200;
constexpr size_t kMinSingleBlockChars = 500;
constexpr size_t kMinEvidencedChars = 100;
// A block with at least kListMinAnchors real links and less than
// kListCharsPerAnchor characters of text per link is a list (index page).
constexpr uint32_t kListMinAnchors = 6;
constexpr size_t kListCharsPerAnchor = 100;
constexpr size_t kListCharsPerAnchorEvidenced = 40;
// An <a> with at least this many characters counts as a "real" link (list item).
constexpr uint32_t kAnchorChars = 8;
// Text of an image wrapper up to this size is its caption.
constexpr uint32_t kMaxCaptionChars = 300;
// A bold-only paragraph longer than this is prose, not a heading.
constexpr uint32_t kMaxHeadingChars = 150;
// A leading heading-like paragraph before the first paragraph of at least
// this many characters is the deck (subtitle), not the body.
constexpr size_t kMinProseChars = 60;

bool IsInlineTag(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_A: case GUMBO_TAG_ABBR: case GUMBO_TAG_B: case GUMBO_TAG_BDI:
    case GUMBO_TAG_BDO: case GUMBO_TAG_BIG: case GUMBO_TAG_BR: case GUMBO_TAG_CITE:
    case GUMBO_TAG_CODE: case GUMBO_TAG_DATA: case GUMBO_TAG_DFN: case GUMBO_TAG_EM:
    case GUMBO_TAG_FONT: case GUMBO_TAG_I: case GUMBO_TAG_IMG: case GUMBO_TAG_KBD:
    case GUMBO_TAG_LABEL: case GUMBO_TAG_MARK: case GUMBO_TAG_NOBR: case GUMBO_TAG_Q:
    case GUMBO_TAG_RP: case GUMBO_TAG_RT: case GUMBO_TAG_RUBY: case GUMBO_TAG_S:
    case GUMBO_TAG_SAMP: case GUMBO_TAG_SMALL: case GUMBO_TAG_SPAN: case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG: case GUMBO_TAG_SUB: case GUMBO_TAG_SUP: case GUMBO_TAG_TIME:
    case GUMBO_TAG_TT: case GUMBO_TAG_U: case GUMBO_TAG_VAR: case GUMBO_TAG_WBR:
    case GUMBO_TAG_INS: case GUMBO_TAG_DEL:
      return true;
    default:
      return false;
  }
}

// Never part of the article text, nor of any metadata text.
bool IsBoilerTag(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_NAV: case GUMBO_TAG_FOOTER: case GUMBO_TAG_ASIDE: case GUMBO_TAG_MENU:
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_IFRAME: case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED: case GUMBO_TAG_CANVAS: case GUMBO_TAG_AUDIO: case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_SELECT: case GUMBO_TAG_OPTION: case GUMBO_TAG_BUTTON: case GUMBO_TAG_INPUT:
    case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_HEAD: case GUMBO_TAG_MAP: case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH: case GUMBO_TAG_FRAMESET: case GUMBO_TAG_DATALIST:
      return true;
    default:
      return false;
  }
}

bool IsCandidateTag(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_DIV: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_SECTION: case GUMBO_TAG_MAIN:
    case GUMBO_TAG_TD: case GUMBO_TAG_P: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE:
    case GUMBO_TAG_BODY: case GUMBO_TAG_FORM: case GUMBO_TAG_DD: case GUMBO_TAG_CENTER:
    case GUMBO_TAG_FIGURE: case GUMBO_TAG_UNKNOWN:
      return true;
    default:
      return false;
  }
}

const char* Attr(const GumboNode* n, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a ? a->value : nullptr;
}

std::string_view AttrView(const GumboNode* n, const char* name) {
  const char* v = Attr(n, name);
  return v ? std::string_view(v) : std::string_view();
}

// The attributes asked of every element, read in one pass over its
// attribute list (Gumbo lower-cases attribute names, so they compare
// exactly; a repeated attribute is dropped by the parser). A view with a
// null data() means the attribute is absent.
struct ElementAttrs {
  std::string_view hidden, aria_hidden, style, cls, id, itemprop, href, rel;
  std::string_view data_date_time, data_datetime, data_published;
};

ElementAttrs ReadElementAttrs(const GumboNode* n) {
  ElementAttrs a;
  const GumboVector& attrs = n->v.element.attributes;
  for (unsigned i = 0; i < attrs.length; ++i) {
    const auto* at = static_cast<const GumboAttribute*>(attrs.data[i]);
    std::string_view name(at->name);
    std::string_view* slot = nullptr;
    if (name == "class") slot = &a.cls;
    else if (name == "id") slot = &a.id;
    else if (name == "href") slot = &a.href;
    else if (name == "rel") slot = &a.rel;
    else if (name == "style") slot = &a.style;
    else if (name == "itemprop") slot = &a.itemprop;
    else if (name == "hidden") slot = &a.hidden;
    else if (name == "aria-hidden") slot = &a.aria_hidden;
    else if (name == "data-date-time") slot = &a.data_date_time;
    else if (name == "data-datetime") slot = &a.data_datetime;
    else if (name == "data-published") slot = &a.data_published;
    if (slot != nullptr && slot->data() == nullptr) *slot = std::string_view(at->value);
  }
  return a;
}

bool IsElement(const GumboNode* n) {
  return n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE;
}

// Collapsed text of a subtree (bounded), skipping boilerplate tags.
void AppendSubtreeText(const GumboNode* n, std::string* out, bool* pending, int depth) {
  if (depth > kMaxWalkDepth || out->size() >= kMaxFieldBytes) return;
  if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
      n->type == GUMBO_NODE_CDATA) {
    text::AppendCollapsed(n->v.text.text, out, pending);
    return;
  }
  if (!IsElement(n)) return;
  if (IsBoilerTag(n->v.element.tag)) return;
  bool block = !IsInlineTag(n->v.element.tag);
  if (block || n->v.element.tag == GUMBO_TAG_BR) *pending = true;
  const GumboVector& ch = n->v.element.children;
  for (unsigned i = 0; i < ch.length; ++i) {
    AppendSubtreeText(static_cast<const GumboNode*>(ch.data[i]), out, pending, depth + 1);
  }
  if (block) *pending = true;
}

std::string SubtreeText(const GumboNode* n) {
  std::string out;
  bool pending = false;
  AppendSubtreeText(n, &out, &pending, 0);
  if (out.size() > kMaxFieldBytes) {
    size_t cut = kMaxFieldBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

// A prefix of `s` of at most `max` bytes, cut at a code point boundary.
std::string_view Utf8Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

char SquashLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
bool IsSquashed(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// `s` lower-cased (ASCII), spaces, tabs and newlines removed: for
// comparing names and titles loosely.
std::string Squash(std::string_view s) {
  std::string out(s.size(), '\0');
  size_t n = 0;
  for (char c : s) {
    if (!IsSquashed(c)) out[n++] = SquashLower(c);
  }
  out.resize(n);
  return out;
}

// Squash(s) == key, without building Squash(s).
bool SquashEquals(std::string_view s, std::string_view key) {
  size_t k = 0;
  for (char c : s) {
    if (IsSquashed(c)) continue;
    if (k == key.size() || SquashLower(c) != key[k]) return false;
    ++k;
  }
  return k == key.size();
}

struct Node {
  const GumboNode* g = nullptr;
  int parent = -1;
  int end = 0;    // one past the last descendant's index
  int depth = 0;  // Gumbo tree depth (the emission walk repeats the bound)
  GumboTag tag = GUMBO_TAG_UNKNOWN;
  bool excluded = false;  // (inherited) not article text: header, chrome, hidden
  bool boiler = false;    // (inherited) not even metadata text: nav, footer, hidden
  bool soft = false;      // (own) negative hints: dropped inside the body if small
  bool in_soft = false;   // (inherited) some ancestor has negative hints (comments...)
  bool inline_tag = false;
  bool caption = false;   // (own) figcaption or caption class: goes to captions
  bool image_box = false; // (own) class/id names an image or photo wrapper
  bool deck = false;      // (own) class/id names a subtitle, deck or summary
  uint32_t images = 0;    // <img> elements in the subtree
  float hint = 0;         // class/id weight
  // Sums over the subtree (text that is not excluded).
  uint32_t chars = 0;
  uint32_t link_chars = 0;
  uint32_t anchors = 0;
  float score = 0;
  // The inline run in progress (blocks only).
  uint32_t run_chars = 0;
  uint32_t run_link_chars = 0;
  uint32_t run_punct = 0;
  bool run_pending_space = false;
  std::string run_head;
};

struct TextRun {
  int block;
  uint32_t chars;
  bool excluded;
  bool boiler;
  std::string head;  // first kRunHeadBytes of the collapsed text
};

struct RawLink {
  std::string_view href;  // trimmed, in the parse tree (alive until FillLinks() is done)
  std::string text;
  bool nofollow = false;
  bool pending_space = false;  // AppendCollapsed state between text nodes
};

struct RuleSelectors {
  std::vector<Selector> body, title, published, author, drop;
};

std::vector<Selector> ParseSelectors(const std::vector<std::string>& texts,
                                     std::vector<std::string>* diagnostics) {
  std::vector<Selector> out;
  for (const std::string& t : texts) {
    Selector s = Selector::Parse(t);
    if (!s.valid()) {
      diagnostics->push_back("rule: " + s.error());
      continue;
    }
    out.push_back(std::move(s));
  }
  return out;
}

bool AnyMatch(const std::vector<Selector>& sels, const GumboNode* n) {
  for (const Selector& s : sels) {
    if (s.Matches(n)) return true;
  }
  return false;
}

constexpr std::string_view kPublishedLabels[] = {
    "기사입력", "입력", "등록", "승인", "작성일", "작성", "발행", "게재", "송고",
    "Posted", "Published", "posted", "published", "일시"};
constexpr std::string_view kModifiedLabels[] = {"최종수정", "수정", "업데이트", "변경",
                                                "Updated", "Modified", "updated", "modified"};

// 1 published, 2 modified, 0 none: the label nearest the end of `prefix`.
int LabelKind(std::string_view prefix) {
  size_t best = std::string_view::npos;
  int kind = 0;
  auto scan = [&](const std::string_view* labels, size_t n, int k) {
    for (size_t i = 0; i < n; ++i) {
      size_t p = prefix.rfind(labels[i]);
      if (p == std::string_view::npos) continue;
      size_t end = p + labels[i].size();
      if (best == std::string_view::npos || end > best ||
          (end == best && k == 2)) {  // "최종수정" over "수정" is the same kind anyway
        best = end;
        kind = k;
      }
    }
  };
  scan(kPublishedLabels, std::size(kPublishedLabels), 1);
  scan(kModifiedLabels, std::size(kModifiedLabels), 2);
  // The label must be close to the date: only separators in between.
  if (best != std::string_view::npos) {
    std::string_view between = prefix.substr(best);
    for (char c : between) {
      if (!(c == ' ' || c == ':' || c == '|' || c == '[' || c == ']' || c == '(' || c == ')' ||
            c == '-' || c == '.')) {
        // Allow non-ASCII separators such as '：' by length only.
        if (between.size() > 6) return 0;
      }
    }
  }
  return kind;
}

class Extraction {
 public:
  Extraction(std::string_view url, const ExtractOptions& options, Page* page)
      : url_(url), options_(options), page_(page), article_(page->article) {}

  void Execute(std::string_view bytes, std::string_view content_type);

 private:
  // A boilerplate block's fingerprint: its bytes' hash and the part of the
  // page URL its hrefs resolve against.
  uint64_t BlockFingerprint(uint64_t hash, internal::BlockScope scope) const;
  void Walk(const GumboNode* n, int parent, int block, bool excluded, bool boiler, bool in_link,
            int link, int depth);
  void OnElement(const GumboNode* n, int idx, const ElementAttrs& attrs);
  void OnText(std::string_view t, int block, bool excluded, bool boiler, bool in_link, int link);
  void FlushRun(int block);
  int ChooseContainer();
  std::vector<int> WithSiblings(int best) const;
  void Emit(const GumboNode* n, int* idx, int depth, int top);
  void Break();
  void BuildBody(const std::vector<int>& containers);
  void FillMetadata();
  void FillDates(int top);
  std::string MorePrecise(const std::string& iso, int block) const;
  std::string TitleShownInPage(const std::string& raw) const;
  void FillAuthors(int top);
  void FillLinks();
  std::string Meta(std::initializer_list<std::string_view> keys) const;
  // The URL links resolve against: the page's, or its <base href> (made on
  // first use; so not before Walk() unless the page has no <base>).
  const Result<url::Url>& Base() const;
  // Base() serialized; empty when it is unusable.
  const std::string& BaseString() const;
  // Call after Walk (the <base href> is known then).
  std::string ResolveUrl(std::string_view ref) const;
  // With options_.link_filter: false for a link that names no page, or that
  // the filter refuses (asked only of links whose target does not depend on
  // the page's path).
  bool KeepLink(std::string_view href, bool nofollow) const;

  std::string_view url_;
  const ExtractOptions& options_;
  Page* page_;
  Article& article_;

  std::vector<Node> nodes_;
  std::vector<TextRun> runs_;
  std::vector<RawLink> raw_links_;
  std::vector<std::pair<std::string, std::string>> metas_;  // key lower-case, content
  std::vector<std::string> feed_hrefs_;
  std::vector<std::pair<int, std::string>> times_;  // node, datetime
  std::vector<int> h1s_;
  std::string title_tag_;
  std::string canonical_;
  std::string base_href_;
  mutable std::optional<Result<url::Url>> base_;  // ResolveUrl's base, made on first use
  mutable std::optional<std::string> base_string_;
  // The link filter is asked as Walk() meets each link (the page has no
  // <base>, so its base is known before the walk): a link it refuses
  // costs no RawLink and no anchor text.
  bool links_early_ = false;
  std::string html_lang_;
  bool depth_exceeded_ = false;
  internal::JsonLdArticle jsonld_;
  RuleSelectors rules_;
  std::vector<int> rule_body_;
  int rule_title_ = -1, rule_published_ = -1;
  std::vector<int> rule_author_;

  // Emission state.
  struct Paragraph {
    std::string text;
    bool heading = false;  // from h1..h6, or all of it bold: a crosshead or a deck
    bool deck = false;     // inside a block whose class names a subtitle/summary
  };
  std::vector<Paragraph> paragraphs_;
  int emit_heading_depth_ = 0;
  int emit_bold_depth_ = 0;
  int emit_deck_depth_ = 0;
  uint32_t cur_bold_chars_ = 0;
  bool cur_heading_ = false;
  bool cur_deck_ = false;
  std::string cur_;
  bool cur_pending_ = false;
  int emit_link_depth_ = 0;
  uint32_t emit_link_chars_ = 0;
  uint32_t emit_chars_ = 0;
  uint32_t emit_anchors_ = 0;
  uint32_t emit_anchor_text_ = 0;
  // The paragraph in progress: its characters, link characters and anchors.
  // Anchors count towards "list-like" only when links are a third or more of their
  // paragraph (a headline list), not when they sit inside prose.
  uint32_t cur_chars_ = 0;
  uint32_t cur_link_chars_ = 0;
  uint32_t cur_anchors_ = 0;
};

void Extraction::OnText(std::string_view t, int block, bool excluded, bool boiler, bool in_link,
                        int link) {
  if (block < 0) return;
  Node& b = nodes_[block];
  if (!boiler && b.run_head.size() < kRunHeadBytes) {
    text::AppendCollapsed(Utf8Prefix(t, kRunHeadBytes), &b.run_head, &b.run_pending_space);
  } else if (!boiler) {
    // Keep the space state right for the next run.
    b.run_pending_space = true;
  }
  if (link >= 0 && raw_links_[link].text.size() < kMaxLinkTextBytes) {
    RawLink& l = raw_links_[link];
    text::AppendCollapsed(Utf8Prefix(t, kMaxLinkTextBytes), &l.text, &l.pending_space);
  }
  if (excluded) return;
  uint32_t n = static_cast<uint32_t>(text::CountChars(t));
  if (n == 0) return;
  const auto punct = static_cast<uint32_t>(text::CountBytes(t, ',', '.'));
  b.run_chars += n;
  b.run_punct += punct;
  b.chars += n;
  if (in_link) {
    b.run_link_chars += n;
    b.link_chars += n;
  }
}

void Extraction::FlushRun(int block) {
  if (block < 0) return;
  Node& b = nodes_[block];
  if (b.run_head.empty() && b.run_chars == 0) return;
  uint32_t chars = b.run_chars;
  if (!b.excluded && chars >= kMinParagraphChars && b.run_link_chars * 2 < chars) {
    float s = 1.0f + 0.5f * static_cast<float>(std::min<uint32_t>(b.run_punct, 8)) +
              std::min(static_cast<float>(chars) / 100.0f, 3.0f);
    static constexpr float kLevelShare[] = {1.0f, 1.0f, 0.5f, 1.0f / 6.0f};
    int at = block;
    for (float share : kLevelShare) {
      if (at < 0) break;
      nodes_[at].score += s * share;
      at = nodes_[at].parent;
    }
  }
  std::string_view head = text::Trim(b.run_head);
  if (!head.empty()) {
    runs_.push_back({block, static_cast<uint32_t>(text::CountChars(head)), b.excluded, b.boiler,
                     std::string(head)});
  }
  b.run_head.clear();
  b.run_pending_space = false;
  b.run_chars = b.run_link_chars = b.run_punct = 0;
}

// Metadata and per-tag bookkeeping of one element.
void Extraction::OnElement(const GumboNode* n, int idx, const ElementAttrs& attrs) {
  GumboTag tag = n->v.element.tag;
  switch (tag) {
    case GUMBO_TAG_TITLE:
      if (title_tag_.empty()) title_tag_ = SubtreeText(n);
      break;
    case GUMBO_TAG_META: {
      std::string_view content = AttrView(n, "content");
      if (content.empty()) break;
      for (const char* key_attr : {"property", "name", "itemprop", "http-equiv"}) {
        std::string_view key = AttrView(n, key_attr);
        if (!key.empty()) metas_.emplace_back(AsciiLower(text::Trim(key)), std::string(content));
      }
      break;
    }
    case GUMBO_TAG_LINK: {
      std::string rel = AsciiLower(AttrView(n, "rel"));
      std::string_view href = text::Trim(AttrView(n, "href"));
      if (href.empty()) break;
      if (rel.find("canonical") != std::string::npos && canonical_.empty()) {
        canonical_ = std::string(href);
      }
      if (rel.find("alternate") != std::string::npos) {
        std::string type = AsciiLower(AttrView(n, "type"));
        if (type.find("rss+xml") != std::string::npos || type.find("atom+xml") != std::string::npos) {
          feed_hrefs_.emplace_back(href);
        }
      }
      break;
    }
    case GUMBO_TAG_BASE:
      if (base_href_.empty()) base_href_ = std::string(text::Trim(AttrView(n, "href")));
      break;
    case GUMBO_TAG_HTML:
      if (html_lang_.empty()) html_lang_ = std::string(text::Trim(AttrView(n, "lang")));
      break;
    case GUMBO_TAG_TIME: {
      std::string_view dt = AttrView(n, "datetime");
      if (!dt.empty() && times_.size() < 64) times_.emplace_back(idx, std::string(dt));
      break;
    }
    case GUMBO_TAG_H1:
      if (h1s_.size() < 16) h1s_.push_back(idx);
      break;
    default:
      break;
  }
  if (tag != GUMBO_TAG_TIME && times_.size() < 64) {
    // Machine-readable times on any element (<span data-date-time="...">).
    for (std::string_view dt : {attrs.data_date_time, attrs.data_datetime, attrs.data_published}) {
      if (!dt.empty()) {
        times_.emplace_back(idx, std::string(dt));
        break;
      }
    }
  }
  std::string_view itemprop = attrs.itemprop;
  if (!itemprop.empty() && tag != GUMBO_TAG_META) {
    std::string_view v = AttrView(n, "datetime");
    if (v.empty()) v = AttrView(n, "content");
    if (!v.empty()) metas_.emplace_back(AsciiLower(itemprop), std::string(v));
  }
}

void Extraction::Walk(const GumboNode* n, int parent, int block, bool excluded, bool boiler,
                      bool in_link, int link, int depth) {
  if (depth > kMaxWalkDepth) {
    depth_exceeded_ = true;
    return;
  }
  if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
      n->type == GUMBO_NODE_CDATA) {
    OnText(n->v.text.text, block, excluded, boiler, in_link, link);
    return;
  }
  if (!IsElement(n)) return;
  const GumboElement& el = n->v.element;
  int idx = static_cast<int>(nodes_.size());
  nodes_.emplace_back();
  {
    Node& nd = nodes_[idx];
    nd.g = n;
    nd.parent = parent;
    nd.depth = depth;
    nd.tag = el.tag;
    nd.inline_tag = IsInlineTag(el.tag);
  }
  bool self_boiler = IsBoilerTag(el.tag);
  bool self_excluded = el.tag == GUMBO_TAG_HEADER || el.tag == GUMBO_TAG_FIGCAPTION;
  bool caption = el.tag == GUMBO_TAG_FIGCAPTION;
  const ElementAttrs attrs = ReadElementAttrs(n);
  if (attrs.hidden.data() != nullptr) self_boiler = true;
  if (attrs.aria_hidden == "true") self_boiler = true;
  std::string_view style = attrs.style;
  if (!style.empty()) {
    std::string squashed = Squash(style);
    if (squashed.find("display:none") != std::string::npos ||
        squashed.find("visibility:hidden") != std::string::npos) {
      self_boiler = true;
    }
  }
  std::string_view cls = attrs.cls;
  std::string_view id = attrs.id;
  // The classes of <html> and <body> are page-wide flags (feature toggles,
  // page types), not hints about one block.
  ClassHints hints = (el.tag == GUMBO_TAG_HTML || el.tag == GUMBO_TAG_BODY)
                         ? ClassHints()
                         : internal::HintsForClassId(cls, id);
  float hint = 0;
  if (hints.positive()) hint += kHintWeight;
  if (hints.negative) hint -= kHintWeight;
  if (attrs.itemprop == "articleBody") hint += 2 * kHintWeight;
  if (el.tag == GUMBO_TAG_ARTICLE) hint += kArticleTagWeight;
  if (hints.hidden) self_boiler = true;
  if (hints.caption) {
    self_excluded = true;
    caption = true;
  }
  bool soft = (hints.negative && !hints.strong_positive) || el.tag == GUMBO_TAG_FORM;
  if (!rules_.drop.empty() && AnyMatch(rules_.drop, n)) self_boiler = true;
  if (!rules_.body.empty() && AnyMatch(rules_.body, n)) rule_body_.push_back(idx);
  if (rule_title_ < 0 && !rules_.title.empty() && AnyMatch(rules_.title, n)) rule_title_ = idx;
  if (rule_published_ < 0 && !rules_.published.empty() && AnyMatch(rules_.published, n)) {
    rule_published_ = idx;
  }
  if (!rules_.author.empty() && AnyMatch(rules_.author, n)) rule_author_.push_back(idx);

  bool now_boiler = boiler || self_boiler;
  bool now_excluded = excluded || self_excluded || now_boiler;
  {
    Node& nd = nodes_[idx];
    nd.boiler = now_boiler;
    nd.excluded = now_excluded;
    nd.soft = soft;
    nd.in_soft = parent >= 0 && (nodes_[parent].soft || nodes_[parent].in_soft);
    nd.hint = hint;
    nd.caption = caption;
    nd.image_box = hints.image;
    nd.deck = hints.deck;
  }
  OnElement(n, idx, attrs);

  bool is_inline = IsInlineTag(el.tag);
  if (!is_inline || el.tag == GUMBO_TAG_BR) FlushRun(block);
  int child_block = is_inline ? block : idx;
  int child_link = link;
  if ((el.tag == GUMBO_TAG_A || el.tag == GUMBO_TAG_AREA) && options_.collect_links &&
      raw_links_.size() < kMaxLinks) {
    std::string_view href = attrs.href;
    if (!href.empty()) {
      RawLink l;
      l.href = text::Trim(href);
      l.nofollow = text::ContainsNoCase(attrs.rel, "nofollow");
      if (!links_early_ || KeepLink(l.href, l.nofollow)) {
        raw_links_.push_back(l);
        if (el.tag == GUMBO_TAG_A) child_link = static_cast<int>(raw_links_.size()) - 1;
      } else if (el.tag == GUMBO_TAG_A) {
        child_link = -1;  // its text belongs to no link
      }
    }
  }
  bool child_in_link = in_link || el.tag == GUMBO_TAG_A;
  uint32_t block_links_before = block >= 0 ? nodes_[block].link_chars : 0;
  const GumboVector& ch = el.children;
  for (unsigned i = 0; i < ch.length; ++i) {
    Walk(static_cast<const GumboNode*>(ch.data[i]), idx, child_block, now_excluded, now_boiler,
         child_in_link, child_link, depth + 1);
  }
  if (!is_inline) FlushRun(idx);
  Node& nd = nodes_[idx];
  nd.end = static_cast<int>(nodes_.size());
  if (el.tag == GUMBO_TAG_A && !now_excluded && !in_link) {
    uint32_t anchor_chars =
        (block >= 0 ? nodes_[block].link_chars - block_links_before : 0) + nodes_[idx].link_chars;
    if (anchor_chars >= kAnchorChars) nodes_[idx].anchors += 1;
  }
  if (parent >= 0) {
    Node& p = nodes_[parent];
    p.chars += nd.chars;
    p.images += nd.images + (nd.tag == GUMBO_TAG_IMG ? 1 : 0);
    p.link_chars += nd.link_chars;
    p.anchors += nd.anchors;
  }
}

int Extraction::ChooseContainer() {
  int best = -1;
  float best_score = 0;
  for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
    const Node& nd = nodes_[i];
    if (nd.excluded || nd.score <= 0 || !IsCandidateTag(nd.tag)) continue;
    float ld = nd.chars ? static_cast<float>(nd.link_chars) / static_cast<float>(nd.chars) : 0;
    // Class/id hints count in full only for blocks with enough text: a
    // small "story" or "article" box (a photo, a teaser) must not beat the
    // block that holds the paragraphs.
    float weight = std::min(1.0f, static_cast<float>(nd.chars) / kHintFullChars);
    float s = nd.score * (1.0f - ld) + nd.hint * (nd.hint > 0 ? weight : 1.0f);
    if (nd.soft) s -= kHintWeight / 2;
    // Text inside a comment box, sidebar or related-news block is not the
    // article even when it reads like one.
    if (nd.in_soft) s -= kHintWeight;
    if (best < 0 || s >= best_score) {
      // Ties go to the deeper node (visited later in pre-order).
      if (best >= 0 && s == best_score && !(i < nodes_[best].end)) continue;
      best = i;
      best_score = s;
    }
  }
  return best;
}

// The article is often split over sibling blocks (several text divs between
// photos and ads). Siblings of the best block join it, in document order,
// when they score well themselves, share its tag and class, or are plain
// text blocks (paragraphs, headings, lists, quotes) between joined blocks.
std::vector<int> Extraction::WithSiblings(int best) const {
  // Climb through wrappers that hold nothing else (div.card > div.content).
  while (nodes_[best].parent >= 0) {
    const Node& up = nodes_[nodes_[best].parent];
    if (up.tag == GUMBO_TAG_BODY || up.tag == GUMBO_TAG_HTML || up.excluded) break;
    if (static_cast<float>(nodes_[best].chars) < kWrapperShare * static_cast<float>(up.chars)) break;
    best = nodes_[best].parent;
  }
  const Node& b = nodes_[best];
  if (b.parent < 0 || b.tag == GUMBO_TAG_BODY) return {best};
  const Node& parent = nodes_[b.parent];
  auto content_score = [&](const Node& nd) {
    float ld = nd.chars ? static_cast<float>(nd.link_chars) / static_cast<float>(nd.chars) : 0;
    return nd.score * (1.0f - ld);
  };
  float threshold = std::max(kMinSiblingScore, content_score(b) * kSiblingShare);
  std::string_view best_class = AttrView(b.g, "class");
  std::vector<int> children;
  for (int i = b.parent + 1; i < parent.end; i = nodes_[i].end) children.push_back(i);
  std::vector<char> joined(children.size(), 0);
  size_t best_pos = 0;
  for (size_t k = 0; k < children.size(); ++k) {
    int i = children[k];
    const Node& nd = nodes_[i];
    if (i == best) {
      joined[k] = 1;
      best_pos = k;
      continue;
    }
    if (nd.excluded || nd.soft || nd.inline_tag || nd.chars == 0) continue;
    float ld = static_cast<float>(nd.link_chars) / static_cast<float>(nd.chars);
    if (ld > kMaxSiblingLinkDensity) continue;
    bool same_kind = nd.tag == b.tag && !best_class.empty() &&
                     AttrView(nd.g, "class") == best_class;
    if ((IsCandidateTag(nd.tag) && content_score(nd) >= threshold) || (same_kind && nd.score > 0)) {
      joined[k] = 1;
    }
  }
  // Plain text blocks between joined blocks join too.
  size_t first = best_pos, last = best_pos;
  for (size_t k = 0; k < children.size(); ++k) {
    if (joined[k]) {
      first = std::min(first, k);
      last = std::max(last, k);
    }
  }
  for (size_t k = first; k <= last; ++k) {
    if (joined[k]) continue;
    const Node& nd = nodes_[children[k]];
    if (nd.excluded || nd.soft || nd.chars == 0) continue;
    switch (nd.tag) {
      case GUMBO_TAG_P: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
      case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_UL: case GUMBO_TAG_OL:
      case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE: case GUMBO_TAG_TABLE: case GUMBO_TAG_DL:
        if (static_cast<float>(nd.link_chars) / static_cast<float>(nd.chars) <=
            kMaxSiblingLinkDensity) {
          joined[k] = 1;
        }
        break;
      default:
        break;
    }
  }
  std::vector<int> out;
  for (size_t k = 0; k < children.size(); ++k) {
    if (joined[k]) out.push_back(children[k]);
  }
  return out;
}

void Extraction::Break() {
  std::string_view t = text::Trim(cur_);
  if (!t.empty()) {
    Paragraph p;
    p.text = std::string(t);
    p.heading = cur_heading_ || (cur_chars_ > 0 && cur_bold_chars_ * 10 >= cur_chars_ * 9 &&
                                 cur_chars_ <= kMaxHeadingChars);
    p.deck = cur_deck_;
    paragraphs_.push_back(std::move(p));
  }
  cur_.clear();
  cur_pending_ = false;
  cur_bold_chars_ = 0;
  cur_heading_ = emit_heading_depth_ > 0;
  cur_deck_ = emit_deck_depth_ > 0;
  if (cur_anchors_ > 0 && cur_link_chars_ * 3 >= cur_chars_) emit_anchors_ += cur_anchors_;
  cur_chars_ = cur_link_chars_ = cur_anchors_ = 0;
}

void Extraction::Emit(const GumboNode* n, int* idx, int depth, int top) {
  if (depth > kMaxWalkDepth) return;
  if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
      n->type == GUMBO_NODE_CDATA) {
    std::string_view t = n->v.text.text;
    text::AppendCollapsed(t, &cur_, &cur_pending_);
    uint32_t k = static_cast<uint32_t>(text::CountChars(t));
    emit_chars_ += k;
    cur_chars_ += k;
    if (emit_bold_depth_ > 0) cur_bold_chars_ += k;
    if (emit_heading_depth_ > 0) cur_heading_ = true;
    if (emit_deck_depth_ > 0) cur_deck_ = true;
    if (emit_link_depth_ > 0) {
      cur_link_chars_ += k;
      emit_link_chars_ += k;
      emit_anchor_text_ += k;
    }
    return;
  }
  if (!IsElement(n)) return;
  int i = (*idx)++;
  const Node& nd = nodes_[i];
  const Node& top_node = nodes_[top];
  if (i != top) {
    bool skip = nd.excluded;
    if (!skip && nd.soft && nd.chars * 2 < top_node.chars) skip = true;
    // An image wrapper (photo box, figure table) with a little text: that
    // text is the photo's caption and credit.
    if (!skip && !nd.inline_tag && nd.image_box && nd.images > 0 && nd.chars <= kMaxCaptionChars &&
        !nd.excluded) {
      skip = true;
      std::string cap = SubtreeText(n);
      if (!cap.empty()) article_.captions.push_back(text::ToNfc(cap));
      *idx = nd.end;
      return;
    }
    if (!skip && !nd.inline_tag && nd.chars >= 1 &&
        static_cast<uint64_t>(nd.link_chars) * 10 > static_cast<uint64_t>(nd.chars) * 6) {
      skip = true;
      // Unlabelled link blocks still tell a list page from an article.
      emit_anchors_ += nd.anchors;
    }
    if (skip) {
      *idx = nd.end;
      if (nd.caption && !nd.boiler) {
        std::string cap = SubtreeText(n);
        if (!cap.empty()) article_.captions.push_back(text::ToNfc(cap));
      }
      return;
    }
  }
  GumboTag tag = nd.tag;
  if (tag == GUMBO_TAG_IMG) {
    std::string alt = text::Collapse(AttrView(n, "alt"));
    if (text::CountChars(alt) >= 2) article_.captions.push_back(text::ToNfc(alt));
    return;
  }
  if (tag == GUMBO_TAG_BR) {
    Break();
    return;
  }
  bool block = !nd.inline_tag;
  if (block) Break();
  bool is_link = tag == GUMBO_TAG_A;
  bool is_heading = tag == GUMBO_TAG_H1 || tag == GUMBO_TAG_H2 || tag == GUMBO_TAG_H3 ||
                    tag == GUMBO_TAG_H4 || tag == GUMBO_TAG_H5 || tag == GUMBO_TAG_H6;
  bool is_bold = tag == GUMBO_TAG_B || tag == GUMBO_TAG_STRONG;
  bool is_deck = nd.deck && i != top && nd.chars * 2 < top_node.chars;
  uint32_t anchor_before = emit_anchor_text_;
  if (is_link) ++emit_link_depth_;
  if (is_heading) ++emit_heading_depth_;
  if (is_bold) ++emit_bold_depth_;
  if (is_deck) ++emit_deck_depth_;
  const GumboVector& ch = n->v.element.children;
  for (unsigned c = 0; c < ch.length; ++c) {
    Emit(static_cast<const GumboNode*>(ch.data[c]), idx, depth + 1, top);
  }
  if (is_heading) --emit_heading_depth_;
  if (is_bold) --emit_bold_depth_;
  if (is_deck) --emit_deck_depth_;
  if (is_link) {
    --emit_link_depth_;
    if (emit_anchor_text_ - anchor_before >= kAnchorChars) ++cur_anchors_;
  }
  if (block) Break();
}

void Extraction::BuildBody(const std::vector<int>& containers) {
  for (int top : containers) {
    int idx = top;
    Emit(nodes_[top].g, &idx, nodes_[top].depth, top);
    Break();
  }
  std::string title_key = Squash(article_.title);
  std::string body;
  size_t body_chars = 0;
  uint32_t long_paragraphs = 0;
  std::string_view previous;
  // Leading headings before the first prose paragraph are the deck (부제);
  // headings between paragraphs are crossheads and stay.
  // Datelines ("(서울=연합뉴스) 홍길동 기자 = ") are cut from paragraphs up to
  // and including the first prose paragraph.
  bool seen_prose = false;
  for (Paragraph& para : paragraphs_) {
    std::string& p = para.text;
    if (para.deck) continue;
    if (para.heading && !seen_prose) continue;
    if (internal::IsChromeLine(p)) continue;
    if (!seen_prose) {
      std::string_view rest = internal::StripDateline(p);
      if (rest.size() != p.size()) p = std::string(rest);
      if (p.empty()) continue;
    }
    const size_t chars = text::CountChars(p);
    if (chars >= kMinProseChars) seen_prose = true;
    if (!title_key.empty() && SquashEquals(p, title_key)) continue;
    // Repeated short lines (a byline twice) once; long paragraphs may repeat.
    if (p == previous && chars <= 30) continue;
    if (chars >= 40) ++long_paragraphs;
    if (!body.empty()) body.push_back('\n');
    size_t start = body.size();
    body.append(p);
    previous = std::string_view(body).substr(start);
    body_chars += chars;  // the separators are white space: CountChars(body) in the end
  }
  float ld = emit_chars_ ? static_cast<float>(emit_link_chars_) / static_cast<float>(emit_chars_) : 1;
  std::string og_type = AsciiLower(Meta({"og:type"}));
  bool evidence = og_type == "article" || jsonld_.found ||
                  !Meta({"article:published_time"}).empty();
  // A page that says it is an article needs a denser list to be called one
  // (related-link boxes and tag rows sit inside many article containers).
  size_t chars_per_anchor = evidence ? kListCharsPerAnchorEvidenced : kListCharsPerAnchor;
  bool list_like = emit_anchors_ >= kListMinAnchors &&
                   body_chars < static_cast<size_t>(emit_anchors_) * chars_per_anchor;
  bool strong = ld < 0.35f && ((body_chars >= kMinArticleChars && long_paragraphs >= 2) ||
                                body_chars >= kMinSingleBlockChars);
  bool weak = evidence && body_chars >= kMinEvidencedChars && ld < 0.5f;
  // A site rule that found its body block is evidence too.
  if (!rule_body_.empty() && body_chars >= kMinEvidencedChars / 2) weak = true;
  article_.is_article = !list_like && (strong || weak);
  if (list_like) {
    article_.diagnostics.push_back("list-like content: " + std::to_string(emit_anchors_) +
                                   " links in the main block");
  }
  if (!article_.is_article) {
    article_.diagnostics.push_back(
        "not an article: " + std::to_string(body_chars) + " chars, " +
        std::to_string(long_paragraphs) + " long paragraphs, link density " +
        std::to_string(static_cast<int>(ld * 100)) + "%");
  }
  if (article_.is_article) {
    article_.body = text::ToNfc(body);
  } else {
    article_.captions.clear();
  }
}

std::string Extraction::Meta(std::initializer_list<std::string_view> keys) const {
  for (std::string_view k : keys) {
    for (const auto& [key, value] : metas_) {
      if (key == k) {
        std::string v = text::Collapse(value);
        if (!v.empty()) return v;
      }
    }
  }
  return "";
}

// Whether `html` has a <base> start tag (any case): only then can a link's
// base change after the link.
bool HasBaseTag(std::string_view html) {
  for (size_t at = html.find('<'); at != std::string_view::npos; at = html.find('<', at + 1)) {
    if (html.size() - at < 6) break;
    if ((html[at + 1] | 0x20) == 'b' && (html[at + 2] | 0x20) == 'a' && (html[at + 3] | 0x20) == 's' &&
        (html[at + 4] | 0x20) == 'e') {
      const char c = html[at + 5];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == '>') return true;
    }
  }
  return false;
}

uint64_t Extraction::BlockFingerprint(uint64_t hash, internal::BlockScope scope) const {
  using internal::BlockScope;
  std::string_view base = url_.substr(0, url_.find('#'));
  const size_t authority = base.find("://");
  if (scope == BlockScope::kNone) {
    base = {};
  } else if (authority != std::string_view::npos && scope != BlockScope::kDocument) {
    const size_t path = base.find_first_of("/?", authority + 3);
    if (scope == BlockScope::kOrigin) {
      base = base.substr(0, path);
    } else if (path != std::string_view::npos && base[path] == '/') {
      base = base.substr(0, base.rfind('/', base.find('?', path)) + 1);
    }
  }
  return XXH3_64bits_withSeed(base.data(), base.size(), hash + static_cast<uint64_t>(scope));
}

// Whether a (trimmed) href names no page: empty, javascript:, mailto:,
// tel:, data:.
bool NamesNoPage(std::string_view ref) {
  if (ref.empty()) return true;
  std::string lower = AsciiLower(ref.substr(0, std::min<size_t>(ref.size(), 12)));
  return text::StartsWith(lower, "javascript:") || text::StartsWith(lower, "mailto:") ||
         text::StartsWith(lower, "tel:") || text::StartsWith(lower, "data:");
}

const Result<url::Url>& Extraction::Base() const {
  if (!base_) {
    // Once per page (a page resolves a hundred links): the page URL, or its
    // <base href> resolved against it.
    auto base = url::Parse(url_);
    if (base.ok() && !base_href_.empty()) {
      auto b = url::Resolve(*base, base_href_);
      if (b.ok()) base = std::move(b);
    } else if (!base.ok() && !base_href_.empty()) {
      base = url::Parse(base_href_);
    }
    base_.emplace(std::move(base));
  }
  return *base_;
}

const std::string& Extraction::BaseString() const {
  if (!base_string_) base_string_ = Base().ok() ? Base()->Serialize() : std::string();
  return *base_string_;
}

bool Extraction::KeepLink(std::string_view href, bool nofollow) const {
  if (NamesNoPage(href)) return false;
  // What resolving the href depends on; with an unusable base, nothing (a
  // link then resolves only if it is absolute).
  const std::string& base = BaseString();
  std::string_view scope = base.empty() ? std::string_view() : url::ResolutionScope(base, href);
  if (!base.empty() && scope.size() == base.size()) return true;  // relative to this page
  return options_.link_filter(scope, href, nofollow);
}

std::string Extraction::ResolveUrl(std::string_view ref) const {
  ref = text::Trim(ref);
  if (NamesNoPage(ref)) return "";
  Base();
  if (base_->ok()) {
    auto r = url::ResolveSerialized(**base_, ref);
    return r.ok() ? std::move(r).value() : std::string();
  }
  auto r = url::Parse(ref);
  if (r.ok()) return r->Serialize();
  return "";
}

// Strips " | Site", " - Site", " < Section < 기사본문" style suffixes.
std::string StripTitleSuffix(std::string title, std::string_view site_name) {
  static constexpr std::string_view kStrong[] = {" | ", " :: ", " < ", " ｜ "};
  static constexpr std::string_view kWeak[] = {" - ", " – ", " — ", " : ", " · "};
  std::string site = Squash(site_name);
  for (int round = 0; round < 4; ++round) {
    size_t best = std::string::npos;
    size_t sep_len = 0;
    bool strong = false;
    for (std::string_view s : kStrong) {
      size_t p = title.rfind(s);
      if (p != std::string::npos && (best == std::string::npos || p > best)) {
        best = p;
        sep_len = s.size();
        strong = true;
      }
    }
    for (std::string_view s : kWeak) {
      size_t p = title.rfind(s);
      if (p != std::string::npos && (best == std::string::npos || p > best)) {
        best = p;
        sep_len = s.size();
        strong = false;
      }
    }
    if (best == std::string::npos || best == 0) break;
    std::string_view prefix = std::string_view(title).substr(0, best);
    std::string_view suffix = std::string_view(title).substr(best + sep_len);
    std::string suf = Squash(suffix);
    bool is_site = !site.empty() && !suf.empty() &&
                   (suf == site || suf.find(site) != std::string::npos ||
                    site.find(suf) != std::string::npos);
    bool short_tail = strong && text::CountChars(suffix) <= 20 &&
                      text::CountChars(prefix) >= text::CountChars(suffix);
    if (!is_site && !short_tail) break;
    title = std::string(text::Trim(prefix));
  }
  return title;
}

// The longest run of separator-delimited segments of `raw` ("Site :: Title",
// "Title : Board - Site") that the page shows as a text block of its own.
std::string Extraction::TitleShownInPage(const std::string& raw) const {
  static constexpr std::string_view kSeparators[] = {" | ", " :: ", " < ", " > ", " - ", " – ",
                                                     " — ", " : ", " ｜ "};
  std::vector<size_t> cuts;  // pairs: separator start, separator end
  for (std::string_view sep : kSeparators) {
    for (size_t p = raw.find(sep); p != std::string::npos; p = raw.find(sep, p + 1)) {
      cuts.push_back(p);
      cuts.push_back(p + sep.size());
    }
  }
  if (cuts.empty()) return "";
  std::vector<std::pair<size_t, size_t>> seps;
  for (size_t i = 0; i < cuts.size(); i += 2) seps.emplace_back(cuts[i], cuts[i + 1]);
  std::sort(seps.begin(), seps.end());
  std::vector<std::string> heads;
  for (const TextRun& r : runs_) {
    if (!r.boiler && r.chars <= 200) heads.push_back(Squash(r.head));
  }
  std::sort(heads.begin(), heads.end());
  // Segment boundaries: starts are 0 and every separator end; ends are every
  // separator start and raw.size().
  std::vector<size_t> starts = {0}, ends;
  for (const auto& [b, e] : seps) {
    ends.push_back(b);
    starts.push_back(e);
  }
  ends.push_back(raw.size());
  std::string best;
  std::string site_key = Squash(article_.site_name);
  for (size_t s : starts) {
    for (size_t e : ends) {
      if (e <= s || e - s <= best.size() || e - s == raw.size()) continue;
      std::string candidate(text::Trim(std::string_view(raw).substr(s, e - s)));
      if (text::CountChars(candidate) < 4) continue;
      // The site's own name (a logo) is not the title.
      if (!site_key.empty() && SquashEquals(candidate, site_key)) continue;
      if (std::binary_search(heads.begin(), heads.end(), Squash(candidate))) best = candidate;
    }
  }
  return best;
}

void Extraction::FillMetadata() {
  article_.site_name = Meta({"og:site_name"});
  if (article_.site_name.empty()) article_.site_name = text::Collapse(jsonld_.publisher);
  article_.section = Meta({"article:section"});
  if (article_.section.empty()) article_.section = text::Collapse(jsonld_.section);
  article_.description = Meta({"og:description", "description", "twitter:description"});
  if (article_.description.empty()) article_.description = text::Collapse(jsonld_.description);
  std::string image = Meta({"og:image", "og:image:url", "twitter:image", "twitter:image:src"});
  if (image.empty()) image = jsonld_.image;
  article_.lead_image = ResolveUrl(image);
  std::string canonical = canonical_;
  if (canonical.empty()) canonical = Meta({"og:url"});
  article_.canonical_url = ResolveUrl(canonical);
  std::string lang = html_lang_;
  if (lang.empty()) lang = Meta({"content-language", "og:locale"});
  if (!lang.empty()) {
    size_t cut = lang.find_first_of("-_ ,");
    article_.language = AsciiLower(lang.substr(0, cut));
  }

  // Title.
  std::string h1;
  for (int i : h1s_) {
    if (nodes_[i].boiler) continue;
    h1 = SubtreeText(nodes_[i].g);
    if (!h1.empty()) break;
  }
  std::string title;
  if (rule_title_ >= 0) title = SubtreeText(nodes_[rule_title_].g);
  if (title.empty()) {
    std::string raw = Meta({"og:title", "twitter:title"});
    if (raw.empty()) raw = text::Collapse(jsonld_.headline);
    if (raw.empty()) raw = text::Collapse(title_tag_);
    std::string shown = raw.empty() ? std::string() : TitleShownInPage(raw);
    if (!h1.empty() && text::CountChars(h1) >= 4 && text::StartsWith(raw, h1)) {
      title = h1;
    } else if (!shown.empty()) {
      title = shown;
    } else if (!raw.empty()) {
      title = StripTitleSuffix(raw, article_.site_name);
    } else {
      title = h1;
    }
  }
  article_.title = text::ToNfc(title);
}

// "2025-02-05T21:00:00Z" / "+00:00" -> "2025-02-06T06:00:00+09:00". Other
// offsets and date-only values are kept as they are.
std::string ToDefaultOffset(const std::string& iso) {
  if (iso.size() < 20 || iso[10] != 'T') return iso;
  std::string_view zone = std::string_view(iso).substr(19);
  size_t frac = 0;
  if (!zone.empty() && zone[0] == '.') {
    while (frac + 1 < zone.size() && zone[frac + 1] >= '0' && zone[frac + 1] <= '9') ++frac;
    ++frac;
  }
  std::string_view offset = zone.substr(frac);
  if (offset != "Z" && offset != "+00:00") return iso;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6) return iso;
  // Civil-from-days arithmetic (H. Hinnant) to add nine hours.
  auto days_from_civil = [](int yy, int mm, int dd) {
    yy -= mm <= 2;
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mm + (mm > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  };
  long long t = static_cast<long long>(days_from_civil(y, mo, d)) * 86400 + h * 3600 + mi * 60 + sec;
  t += 9 * 3600;
  long long z = t / 86400;
  int rem = static_cast<int>(t % 86400);
  z += 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  long long doe = z - era * 146097;
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long yy = yoe + era * 400;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long long mp = (5 * doy + 2) / 153;
  long long dd = doy - (153 * mp + 2) / 5 + 1;
  long long mm = mp + (mp < 10 ? 3 : -9);
  yy += mm <= 2;
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lldT%02d:%02d:%02d%s", yy, mm, dd, rem / 3600,
                rem / 60 % 60, rem % 60, std::string(internal::kDefaultOffset).c_str());
  return buf;
}

// A machine-readable time inside `block` that agrees with `iso` to the
// minute (it may carry the seconds the text leaves out); else `iso`.
std::string Extraction::MorePrecise(const std::string& iso, int block) const {
  if (block < 0 || iso.size() < 16) return iso;
  for (const auto& [node, dt] : times_) {
    if (node < block || node >= nodes_[block].end) continue;
    std::string v = internal::ParseDate(dt);
    if (v.size() > 16 && v.compare(0, 16, iso, 0, 16) == 0) return v;
  }
  return iso;
}

void Extraction::FillDates(int top) {
  std::string published, modified;
  if (rule_published_ >= 0) {
    const GumboNode* n = nodes_[rule_published_].g;
    std::string_view attr = AttrView(n, "datetime");
    if (attr.empty()) attr = AttrView(n, "content");
    published = internal::ParseDate(attr);
    if (published.empty()) published = internal::FindDate(SubtreeText(n)).iso;
  }
  auto parse = [](std::string_view v) {
    std::string iso = internal::ParseDate(v);
    if (iso.empty()) iso = internal::FindDate(v).iso;
    return iso;
  };
  if (published.empty() && !jsonld_.date_published.empty()) published = parse(jsonld_.date_published);
  if (modified.empty() && !jsonld_.date_modified.empty()) modified = parse(jsonld_.date_modified);
  if (published.empty()) {
    published = parse(Meta({"article:published_time", "og:article:published_time",
                            "datepublished", "pubdate", "publishdate", "publish-date",
                            "dc.date.issued", "dcterms.created", "dc.date", "date"}));
  }
  if (modified.empty()) {
    modified = parse(Meta({"article:modified_time", "og:article:modified_time", "datemodified",
                           "og:updated_time", "lastmod", "dcterms.modified"}));
  }
  int top_end = top >= 0 ? nodes_[top].end : static_cast<int>(nodes_.size());
  if (published.empty() || modified.empty()) {
    // Labelled dates in the text ("입력 2025.02.06 15:15", "<dt>수정</dt><dd>...").
    std::string_view previous_head;
    for (const TextRun& r : runs_) {
      if (r.boiler) {
        previous_head = {};
        continue;
      }
      std::string_view head = r.head;
      size_t from = 0;
      while (from < head.size()) {
        internal::DateMatch m = internal::FindDate(head.substr(from));
        if (m.iso.empty()) break;
        std::string_view prefix = head.substr(from, m.begin);
        int kind = LabelKind(prefix);
        if (kind == 0 && from == 0 && text::Trim(prefix).empty() && previous_head.size() <= 24) {
          kind = LabelKind(previous_head);
        }
        if (kind != 0) m.iso = MorePrecise(m.iso, r.block);
        if (kind == 1 && published.empty()) published = m.iso;
        if (kind == 2 && modified.empty()) modified = m.iso;
        from += m.end;
      }
      if (!published.empty() && !modified.empty()) break;
      previous_head = head;
    }
  }
  if (published.empty()) {
    for (const auto& [node, dt] : times_) {
      if (nodes_[node].boiler) continue;
      published = parse(dt);
      if (!published.empty()) break;
    }
  }
  if (published.empty()) {
    // An unlabelled date and time on a short line before the body ends.
    for (const TextRun& r : runs_) {
      if (r.block >= top_end) break;
      if (r.boiler || r.chars > 60) continue;
      internal::DateMatch m = internal::FindDate(r.head);
      if (!m.iso.empty() && m.has_time) {
        published = m.iso;
        break;
      }
    }
  }
  // Korean pages state their times in KST; a UTC value ("...Z") is shown in
  // the page's own zone, so it is converted to the default offset.
  if (article_.language == "ko" || article_.language.empty()) {
    published = ToDefaultOffset(published);
    modified = ToDefaultOffset(modified);
  }
  article_.published = published;
  article_.modified = modified;
}

void Extraction::FillAuthors(int top) {
  std::vector<std::string> names;
  std::string site = Squash(article_.site_name);
  auto add = [&](std::string_view raw) {
    for (std::string& n : internal::CleanAuthorNames(raw)) {
      if (n.find("://") != std::string::npos || text::StartsWith(n, "www.")) continue;
      if (!site.empty() && SquashEquals(n, site)) continue;
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(std::move(n));
    }
  };
  for (int i : rule_author_) add(SubtreeText(nodes_[i].g));
  if (names.empty()) {
    for (const std::string& a : jsonld_.authors) add(a);
  }
  if (names.empty()) {
    for (const auto& [key, value] : metas_) {
      if (key == "author" || key == "article:author" || key == "dable:author" ||
          key == "byl" || key == "og:article:author") {
        add(value);
      }
    }
  }
  if (names.empty()) {
    int top_begin = top >= 0 ? top : 0;
    int top_end = top >= 0 ? nodes_[top].end : static_cast<int>(nodes_.size());
    // Byline-like mentions inside the body block, then before it (the
    // article header), then any mention on a short line of the body.
    for (int pass = 0; pass < 3 && names.empty(); ++pass) {
      for (const TextRun& r : runs_) {
        if (r.boiler) continue;
        bool inside = r.block >= top_begin && r.block < top_end;
        bool before = r.block < top_begin;
        if ((pass == 0 || pass == 2) && !inside) continue;
        if (pass == 1 && !before) continue;
        if (pass == 2 && r.chars > 60) continue;
        std::vector<std::string> found = internal::FindReporterNames(r.head, pass != 2);
        if (!found.empty()) {
          for (std::string& f : found) {
            if (std::find(names.begin(), names.end(), f) == names.end()) names.push_back(f);
          }
          break;
        }
      }
    }
  }
  for (std::string& n : names) n = text::ToNfc(n);
  article_.authors = std::move(names);
}

void Extraction::FillLinks() {
  for (const std::string& href : feed_hrefs_) {
    std::string u = ResolveUrl(href);
    if (!u.empty() && std::find(page_->feed_urls.begin(), page_->feed_urls.end(), u) ==
                          page_->feed_urls.end()) {
      page_->feed_urls.push_back(std::move(u));
    }
  }
  if (!options_.collect_links) return;
  page_->links.reserve(raw_links_.size());
  for (RawLink& l : raw_links_) {
    // (Asked during the walk already when links_early_.)
    if (options_.link_filter && !links_early_ && !KeepLink(l.href, l.nofollow)) continue;
    std::string u = ResolveUrl(l.href);
    if (u.empty()) continue;
    Link link;
    link.url = std::move(u);
    link.text = std::string(text::Trim(l.text));
    link.nofollow = l.nofollow;
    page_->links.push_back(std::move(link));
  }
}

void Extraction::Execute(std::string_view bytes, std::string_view content_type) {
  article_.url = std::string(url_);
  std::vector<std::string>& diag = article_.diagnostics;
  if (bytes.size() > options_.max_input_bytes) {
    bytes = bytes.substr(0, options_.max_input_bytes);
    diag.push_back("input truncated at " + std::to_string(options_.max_input_bytes) + " bytes");
  }
  std::string html;
  size_t replaced = 0;
  std::string override_note;
  const SniffResult sniff = DecodeHtml(bytes, content_type, &html, &replaced, &override_note);
  article_.charset = sniff.encoding;
  diag.push_back("charset: " + sniff.encoding + " from " + sniff.source);
  if (!override_note.empty()) diag.push_back("charset: " + override_note);
  if (replaced > 0) {
    diag.push_back("decode: " + std::to_string(replaced) + " invalid byte sequences replaced");
  }

  // Pages up to kMaxArenaInputBytes parse into this thread's arena (unless
  // it is busy); the tree is then dropped with the arena's Reset(), which
  // the guard runs after `output` is gone. Those pages are also parsed with
  // their text runs behind placeholders (internal/textrun.h), whose
  // expanded text the arena holds.
  thread_local internal::Arena arena;
  thread_local bool arena_busy = false;
  bool use_arena = !arena_busy && html.size() <= kMaxArenaInputBytes;
  auto release = [use_arena](bool*) {
    if (!use_arena) return;
    arena.Reset();
    arena_busy = false;
  };
  std::unique_ptr<bool, decltype(release)> arena_guard(&arena_busy, release);

  internal::PrefilterResult pre;
  // DecodeHtml's output is well-formed UTF-8 (invalid input comes out with
  // U+FFFD), which the prefilter's text runs may rely on.
  internal::PrefilterOptions popts;
  popts.max_depth = options_.max_depth;
  popts.max_tags = options_.max_tags;
  popts.text_placeholders = use_arena;
  popts.valid_utf8 = true;
  // Selectors may name the elements unwrapping removes.
  popts.unwrap_bare_inline = options_.rules == nullptr;
  // Boilerplate blocks: their links resolve against the page URL (no
  // <base>), so the fingerprint takes in as much of it as their hrefs need.
  std::vector<uint64_t> skipped;  // fingerprints of the blocks left empty
  if (options_.known_block && options_.rules == nullptr && !HasBaseTag(html)) {
    popts.known_block = [this, &skipped](uint64_t hash, internal::BlockScope scope) {
      const uint64_t fp = BlockFingerprint(hash, scope);
      if (options_.known_block(fp)) {
        skipped.push_back(fp);
        return true;
      }
      page_->boiler_blocks.push_back(fp);
      return false;
    };
  }
  internal::Prefilter(html, popts, &pre);
  if (pre.depth_capped_tags > 0) {
    diag.push_back("nesting depth capped at " + std::to_string(options_.max_depth) + " (" +
                   std::to_string(pre.depth_capped_tags) + " tags flattened)");
  }
  if (pre.count_capped_tags > 0) {
    diag.push_back("tag count capped at " + std::to_string(options_.max_tags) + " (" +
                   std::to_string(pre.count_capped_tags) + " tags dropped, text kept)");
  }
  for (const std::string& block : pre.json_ld) {
    if (!internal::ParseJsonLd(block, &jsonld_)) diag.push_back("json-ld: invalid JSON ignored");
  }
  if (options_.rules) {
    rules_.body = ParseSelectors(options_.rules->body, &diag);
    rules_.title = ParseSelectors(options_.rules->title, &diag);
    rules_.published = ParseSelectors(options_.rules->published, &diag);
    rules_.author = ParseSelectors(options_.rules->author, &diag);
    rules_.drop = ParseSelectors(options_.rules->drop, &diag);
  }

  GumboOptions gopts = kGumboDefaultOptions;
  gopts.max_errors = 0;
  if (use_arena) {
    arena_busy = true;
    gopts.allocator = &internal::Arena::GumboAllocate;
    gopts.deallocator = &internal::Arena::GumboFree;
    gopts.userdata = &arena;
  }
  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> output(
      gumbo_parse_with_options(&gopts, pre.html.data(), pre.html.size()),
      use_arena ? +[](GumboOutput*) {}
                : +[](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
  if (output && !pre.skipped_at.empty() && !internal::StubsStandAlone(output->root, pre)) {
    // A block left empty stood where its content would have reached past
    // it (the tree builder carried a link or a table over it): the page
    // again in full, and the caller is told not to leave those blocks out.
    output.reset();
    arena.Reset();
    popts.known_block = nullptr;
    page_->unskippable_blocks = std::move(skipped);
    internal::Prefilter(html, popts, &pre);
    output.reset(gumbo_parse_with_options(&gopts, pre.html.data(), pre.html.size()));
  }
  if (output && !pre.runs.empty() && !internal::ExpandTextRuns(output->root, pre.runs, &arena)) {
    // Gumbo read some markup otherwise than the prefilter: parse the page
    // again as it is (rare; its tree then owes nothing to placeholders),
    // every block in full.
    output.reset();
    arena.Reset();
    popts.text_placeholders = false;
    popts.known_block = nullptr;
    internal::Prefilter(html, popts, &pre);
    output.reset(gumbo_parse_with_options(&gopts, pre.html.data(), pre.html.size()));
    diag.push_back("parse: parsed again without text placeholders (markup read two ways)");
  }
  page_->skipped_blocks = pre.skipped_at.size();
  std::string().swap(html);
  if (!output) {
    diag.push_back("html parser failed");
    return;
  }
  nodes_.reserve(pre.html.size() / 64 + 16);
  links_early_ = options_.link_filter && options_.collect_links && !HasBaseTag(pre.html);
  Walk(output->root, -1, -1, false, false, false, -1, 0);
  if (depth_exceeded_) {
    diag.push_back("tree deeper than " + std::to_string(kMaxWalkDepth) + " levels; rest ignored");
  }

  std::vector<int> containers;
  for (int i : rule_body_) {
    if (nodes_[i].boiler) continue;
    // Skip a match nested in an earlier one.
    if (!containers.empty() && i < nodes_[containers.back()].end) continue;
    containers.push_back(i);
  }
  if (!rule_body_.empty() && containers.empty()) diag.push_back("rule: body selector matched nothing visible");
  if (options_.rules && !options_.rules->body.empty() && rule_body_.empty()) {
    diag.push_back("rule: body selector matched nothing; generic extraction used");
  }
  int top = -1;
  if (containers.empty()) {
    top = ChooseContainer();
    if (top >= 0) containers = WithSiblings(top);
  } else {
    top = containers.front();
  }
  if (top >= 0) {
    const Node& t = nodes_[top];
    std::string where = gumbo_normalized_tagname(t.tag);
    std::string_view id = AttrView(t.g, "id");
    std::string_view cls = AttrView(t.g, "class");
    if (!id.empty()) where += "#" + std::string(Utf8Prefix(id, 64));
    if (!cls.empty()) where += "." + std::string(Utf8Prefix(cls, 64));
    diag.push_back("main block: " + where + " (" + std::to_string(t.chars) + " chars, " +
                   std::to_string(t.link_chars) + " in links)");
  }

  FillMetadata();
  if (containers.empty()) {
    diag.push_back("no main content found");
  } else {
    BuildBody(containers);
  }
  FillDates(top);
  FillAuthors(top);
  if (!article_.is_article) {
    // A list, index or search page has no date or author of its own (the
    // dates on it belong to the items it lists).
    article_.published.clear();
    article_.modified.clear();
    article_.authors.clear();
  }
  FillLinks();
}

}  // namespace

Page ExtractPage(std::string_view bytes, std::string_view url, std::string_view content_type,
                 const ExtractOptions& options) {
  Page page;
  Extraction extraction(url, options, &page);
  extraction.Execute(bytes, content_type);
  return page;
}

}  // namespace jikji::parser
