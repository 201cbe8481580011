// Text runs stood in for by placeholders while Gumbo parses.
//
// Gumbo 0.10.1's tokenizer hands the tree builder one token per character,
// so a page's text costs it about as much as its markup; on news pages the
// text between tags is half the bytes it reads. The prefilter therefore
// replaces the inside of each plain text run (from its first to its last
// non-space byte) with a single private-use code point, U+F0000 + the run's
// index, and keeps the run's decoded text aside. After the parse,
// ExpandTextRuns() puts the text back into the tree's text nodes.
//
// The tree is the same as Gumbo's parse of the original only if the run
// tokenizes to characters that the tree builder treats alike, so a run is
// replaced only when:
//   - it holds no '<' (so no markup Gumbo would see), no CR (Gumbo folds
//     CRLF), and no byte Gumbo rewrites: NUL, control and C1 characters,
//     noncharacters, invalid UTF-8, and no U+F0000..U+FFFFF of its own;
//   - each '&' in it is one Gumbo decodes the same way in data and RCDATA
//     (a numeric reference to a safe, non-space code point or one of the
//     common named ones in textrun.cc, with its ';'), or a lone '&' before
//     a byte that cannot start a reference; any other '&' keeps the run as
//     it is;
//   - its interior is at least kMinRunBytes long (a placeholder is 4 bytes).
// The run's leading and trailing whitespace stays in place, so whitespace-
// only text and the whitespace that <pre> and tables care about are parsed
// as before. Runs inside RAWTEXT elements (where '&' is literal) are left
// alone by the prefilter.
//
// Quoted attribute values get the same treatment (whole value, same
// rules), except those of `type` and `encoding`, which the tree builder
// reads (<input type=hidden>, <annotation-xml encoding>). Equal values share
// one placeholder, so the tree builder's comparisons of attributes (the
// "Noah's Ark" limit on formatting elements) come out as before, and the
// copies it makes of an element (reconstructed formatting elements) carry
// the same value. (Two values equal only after Gumbo's own decoding, one
// replaced and one kept, say "&spades;xy" kept and "♠xy" replaced,
// compare unequal; that matters only with four identical formatting elements
// open at once, and only for which of them is reopened.)
//
// Runs of white space alone get no placeholder (they matter to the tree
// builder as white space) but keep only their first kKeptSpaceChars
// characters: Gumbo spends a token on each, indentation is a large part of
// real pages, and the extractor asks of such text only whether it is there
// (text::AppendCollapsed counts a run of white space as one space). Two
// characters keep it there after the newline Gumbo drops at the start of
// <pre>, <listing> and <textarea>. This is the one way the tree differs from
// a plain parse: white-space text is shorter, never absent.
//
// If a text placeholder does not come back exactly once in a text node (markup
// the prefilter and Gumbo read differently, text the tree builder drops),
// or an attribute one in the value of a quoted attribute (Gumbo's
// original_value tells), ExpandTextRuns() says so and the caller parses the
// page again without placeholders.
//
// Thread safety: free functions and a value type; reentrant.
#ifndef JIKJI_PARSER_INTERNAL_TEXTRUN_H_
#define JIKJI_PARSER_INTERNAL_TEXTRUN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gumbo.h>

namespace jikji::parser::internal {

class Arena;

// A whitespace-only run keeps this many of its characters.
inline constexpr size_t kKeptSpaceChars = 2;
// A run's interior shorter than this stays as it is.
inline constexpr size_t kMinRunBytes = 4;
// Placeholders per page at most (U+F0000 + index must stay below U+FFFFE).
inline constexpr size_t kMaxTextRuns = 0xFFFE;

// The decoded text behind the placeholders of one page, by index.
class TextRuns {
 public:
  size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  // Run `i`'s text; a NUL follows it (ExpandTextRuns() hands the tree
  // pointers into it), valid while this object lives unchanged.
  std::string_view operator[](size_t i) const {
    size_t begin = i == 0 ? 0 : ends_[i - 1] + 1;
    return std::string_view(text_).substr(begin, ends_[i] - begin);
  }
  // True if placeholder `i` stands for an attribute value.
  bool in_attribute(size_t i) const { return in_attribute_[i] != 0; }
  // Empties the runs; `valid_utf8`: the text appended from now on is
  // well-formed UTF-8 (the caller checked or produced it), so its runs are
  // checked only for what Gumbo rewrites beyond UTF-8 errors (faster; the
  // same runs and text on such input).
  void clear(bool valid_utf8 = false);

  // Appends `run` (text between two tags) to `out`: its interior replaced
  // by a placeholder when the rules above allow, shortened if it is white
  // space alone, as it is otherwise. Returns true if a placeholder was
  // written.
  bool Append(std::string_view run, std::string* out);
  // The same for a quoted attribute's value (between its quotes), whole.
  // REQUIRES: not the value of a `type` or `encoding` attribute.
  bool AppendAttributeValue(std::string_view value, std::string* out);

 private:
  // Decodes s[a, b) of `raw` as placeholder `size()` if the rules allow.
  bool Add(std::string_view raw, size_t a, size_t b, bool attribute);
  // The slot of values_ holding `decoded`, else the empty slot for it.
  size_t FindSlot(std::string_view decoded) const;

  std::string text_;             // the runs, each followed by a NUL
  std::vector<uint32_t> ends_;   // where each run's NUL is
  std::vector<uint8_t> in_attribute_;
  // Attribute placeholders by their decoded value: an open-addressing
  // table of index + 1 (0: empty), its size a power of two kept at least
  // twice the number of attribute placeholders.
  std::vector<uint32_t> values_;
  size_t attribute_values_ = 0;
  bool valid_utf8_ = false;
};

// The names of the named references decoded (tests compare each with
// Gumbo's decoding).
std::vector<std::string_view> DecodedEntityNames();

// True if `html` holds a code point of the placeholders' plane
// (U+F0000..U+FFFFF); such a page is parsed without placeholders.
bool HasPlaceholderPlane(std::string_view html);

// Replaces every placeholder in the text nodes under `root` by its run's
// text: a text or value that is one placeholder alone then points into
// `runs` (which must outlive the tree's use), others get copies allocated
// from `arena` (which must own the tree, so Gumbo never frees them).
// Returns false, with the tree partly expanded, if a placeholder is
// missing, repeated or unknown.
bool ExpandTextRuns(GumboNode* root, const TextRuns& runs, Arena* arena);

}  // namespace jikji::parser::internal

#endif  // JIKJI_PARSER_INTERNAL_TEXTRUN_H_
