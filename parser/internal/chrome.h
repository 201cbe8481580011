// Boilerplate ("chrome") recognition shared by the extractor: class/id
// hints, hidden-element classes, line patterns of Korean news chrome
// (copyright notices, bylines, font-size buttons, reactions, promos) and
// reporter bylines ("홍길동 기자"). General rules over text and structure;
// nothing here names a site.
//
// Thread safety: free functions over immutable tables; reentrant.
#ifndef JIKJI_PARSER_INTERNAL_CHROME_H_
#define JIKJI_PARSER_INTERNAL_CHROME_H_

#include <string>
#include <string_view>
#include <vector>

namespace jikji::parser::internal {

struct ClassHints {
  bool strong_positive = false;  // body, content, text, view_con, art_txt...
  bool weak_positive = false;    // article, post, news, entry, story
  bool negative = false;         // nav, menu, footer, comment, share, ad...
  bool hidden = false;           // blind, sr-only, hidden...: not shown to readers
  bool caption = false;          // caption, img_desc...: a photo caption, not body text
  bool image = false;            // photo, img, figure...: an image wrapper (its short
                                 // text is a caption)
  bool deck = false;             // subtitle, summary, deck...: the subtitle (부제)
  bool positive() const { return strong_positive || weak_positive; }
};

// Hints from the class and id attribute values (either may be empty).
ClassHints HintsForClassId(std::string_view cls, std::string_view id);

// True when a whole (collapsed) paragraph is page chrome rather than
// article text: copyright lines, reporter bylines with e-mail, '▶' promos,
// font-size and reaction button rows, date lines, share bars...
bool IsChromeLine(std::string_view line);

// The paragraph without a leading dateline or agency tag: "(서울=연합뉴스)
// 홍길동 기자 = ", "[서울=뉴시스]", "[산업일보]", "홍길동 기자 = " are cut, the rest
// kept. Returns `paragraph` itself when it has none.
std::string_view StripDateline(std::string_view paragraph);

// Reporter names in `text` from patterns like "홍길동 기자", "홍길동
// 선임기자", "홍길동·김철수 기자", "(서울=연합뉴스) 홍길동 특파원 =".
// `strict`: only byline-like uses (followed by '=', an e-mail, a bracket,
// or ending the text). Names come out bare, in order, without repeats.
std::vector<std::string> FindReporterNames(std::string_view text, bool strict);

// Cleans one author value ("홍길동 기자 hong@x.com", "By Jane Doe") into
// bare names; several names separated by ',', '·', '/', '&', " and ", " 및 "
// are split. URLs and e-mail-only values give nothing.
std::vector<std::string> CleanAuthorNames(std::string_view raw);

}  // namespace jikji::parser::internal

#endif  // JIKJI_PARSER_INTERNAL_CHROME_H_
