// A CSS selector subset for per-site rules: type (div), #id, .class,
// [attr], [attr=value] (value quoted or not), the descendant (space) and
// child (>) combinators, and selector lists (a, b). Anything else makes
// the selector invalid (it then matches nothing; Parse reports it).
//
// Thread safety: a parsed Selector is immutable; Matches may run on many
// threads at once.
#ifndef JIKJI_PARSER_INTERNAL_SELECTOR_H_
#define JIKJI_PARSER_INTERNAL_SELECTOR_H_

#include <gumbo.h>

#include <string>
#include <string_view>
#include <vector>

namespace jikji::parser::internal {

class Selector {
 public:
  // Parses `text`; on error valid() is false and error() says why.
  static Selector Parse(std::string_view text);

  bool valid() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool empty() const { return alternatives_.empty(); }

  // True when the element `node` matches any alternative of the list.
  bool Matches(const GumboNode* node) const;

 private:
  struct Attribute {
    std::string name;
    std::string value;
    bool has_value = false;
  };
  struct Compound {
    std::string tag;  // "" or "*" for any
    std::string id;
    std::vector<std::string> classes;
    std::vector<Attribute> attributes;
    bool child_of_next = false;  // '>' joins it to the compound on its left
  };
  // Compounds left to right.
  using Complex = std::vector<Compound>;

  static bool MatchCompound(const Compound& c, const GumboNode* node);
  static bool MatchComplex(const Complex& cx, size_t i, const GumboNode* node);

  std::vector<Complex> alternatives_;
  std::string error_;
};

}  // namespace jikji::parser::internal

#endif  // JIKJI_PARSER_INTERNAL_SELECTOR_H_
