// parser/internal/prefilter.h: unwrapping bare inline elements around text
// alone. The rest of the prefilter is tested through textrun_test.cc (trees
// with and without placeholders) and extractor_test.cc (the caps).
#include "parser/internal/prefilter.h"

#include <gtest/gtest.h>
#include <gumbo.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace jikji::parser::internal {
namespace {

std::string Prefiltered(std::string_view html, bool unwrap, size_t* unwrapped = nullptr) {
  PrefilterResult pre;
  Prefilter(html, {.unwrap_bare_inline = unwrap}, &pre);
  if (unwrapped != nullptr) *unwrapped = pre.unwrapped_tags;
  return pre.html;
}

bool Unwrappable(const GumboNode* n) {
  switch (n->v.element.tag) {
    case GUMBO_TAG_SPAN: case GUMBO_TAG_MARK: case GUMBO_TAG_EM: case GUMBO_TAG_I:
    case GUMBO_TAG_U: case GUMBO_TAG_SMALL:
      return n->v.element.attributes.length == 0;
    default:
      return false;
  }
}

// What unwrapping must keep of Gumbo's tree: every element but the bare
// unwrappable ones (tag, attributes, depth among the kept), and the text,
// in order, where it sits among them (texts either side of an unwrapped
// element join).
void Shape(const GumboNode* n, int depth, std::string* out) {
  switch (n->type) {
    case GUMBO_NODE_DOCUMENT:
      for (unsigned i = 0; i < n->v.document.children.length; ++i) {
        Shape(static_cast<const GumboNode*>(n->v.document.children.data[i]), depth, out);
      }
      return;
    case GUMBO_NODE_ELEMENT: {
      const bool keep = !Unwrappable(n);
      if (keep) {
        *out += "\n" + std::string(static_cast<size_t>(depth), ' ') + "<" +
                gumbo_normalized_tagname(n->v.element.tag);
        const GumboVector& attrs = n->v.element.attributes;
        for (unsigned i = 0; i < attrs.length; ++i) {
          auto* a = static_cast<const GumboAttribute*>(attrs.data[i]);
          *out += std::string(" ") + a->name + "=" + a->value;
        }
        *out += ">";
      }
      const GumboVector& ch = n->v.element.children;
      for (unsigned i = 0; i < ch.length; ++i) {
        Shape(static_cast<const GumboNode*>(ch.data[i]), depth + (keep ? 1 : 0), out);
      }
      return;
    }
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
      *out += n->v.text.text;
      return;
    default:
      return;
  }
}

std::string ShapeOf(const std::string& html) {
  GumboOptions o = kGumboDefaultOptions;
  o.max_errors = 0;
  GumboOutput* out = gumbo_parse_with_options(&o, html.data(), html.size());
  std::string s;
  Shape(out->document, 0, &s);
  gumbo_destroy_output(&o, out);
  return s;
}

TEST(Prefilter, UnwrapsBareInlineElementsAroundTextAlone) {
  size_t unwrapped = 0;
  EXPECT_EQ(Prefiltered("<ol><li><em>1</em><a href=x>t</a></li><li><EM>2</Em ><a href=y>u</a></ol>",
                        true, &unwrapped),
            "<ol><li>1<a href=x>t</a></li><li>2<a href=y>u</a></ol>");
  EXPECT_EQ(unwrapped, 4u);
  EXPECT_EQ(Prefiltered("<p><span>2025.02.06</span></p><p><b>x</b><mark>y z</mark><i>w</i></p>", true),
            "<p>2025.02.06</p><p><b>x</b>y zw</p>");
  // Kept: attributes; other markup inside; no end tag; white space inside,
  // at an edge, or right before or after; a formatting element of the same
  // name still open; not asked.
  for (const char* html : {"<p><span class=x>e</span></p>", "<p><em>f<b>g</b>h</em></p>",
                           "<p><em>l</p>", "<p><span> </span></p>", "<p><span> a</span></p>",
                           "<p><span>a </span></p>", "<p>a <span>b</span></p>",
                           "<p><span>b</span> c</p>", "<p><span>b</span><!-- c --></p>",
                           "<p><em>x<p><em>1</em></p>"}) {
    SCOPED_TRACE(html);
    EXPECT_EQ(Prefiltered(html, true, &unwrapped), Prefiltered(html, false));
    EXPECT_EQ(unwrapped, 0u);
  }
  EXPECT_EQ(Prefiltered("<li><em>1</em><a>", false), "<li><em>1</em><a>");
}

TEST(Prefilter, LeavesMarkupThatIsTextAndTableText) {
  for (const char* html : {"<title>x<em>y</em></title><p><em>z</em></p>",
                           "<textarea>x<em>y</em></textarea><p><em>z</em></p>",
                           "<iframe>x<em>y</em></iframe><p><em>z</em></p>",
                           "<xmp>x<em>y</em></xmp><p><em>z</em></p>"}) {
    SCOPED_TRACE(html);
    const std::string out = Prefiltered(html, true);
    EXPECT_NE(out.find("x<em>y</em>"), std::string::npos);
    EXPECT_NE(out.find("<p>z</p>"), std::string::npos);  // after the element: unwrapped again
    EXPECT_EQ(ShapeOf(out), ShapeOf(html));
  }
  EXPECT_EQ(Prefiltered("<table><span>x</span><tr><td><span>y</span></td></tr></table>", true),
            "<table><span>x</span><tr><td>y</td></tr></table>");
}

// Random documents, many of them broken: unwrapping keeps the shape of
// Gumbo's tree (above).
TEST(Prefilter, UnwrappingKeepsTextAndOtherElements) {
  const std::vector<std::string> pieces = {
      "<p>", "</p>", "<div class=x>", "</div>", "<table>", "</table>", "<tr>", "<td>", "</td>",
      "<b>", "</b>", "<a href='/u'>", "</a>", "<pre>", "</pre>", "<li>", "<ul>", "</ul>", "<br>",
      "<em>", "</em>", "<i>", "</i>", "<span>", "</span>", "<span class=c>", "<small>",
      "</small>", "<u>", "</u>", "<mark>", "</mark>", "<EM>", "</Em>", "<em >", "</em >",
      "<select>", "<option>", "</select>", "<title>", "</title>", "<textarea>", "</textarea>",
      "<iframe>", "</iframe>", "<table><tr><td>", "<font>", "</font>", "<h1>", "</h1>",
      "<em>1</em>", "<span>2025.02.06</span>", "<i>x</i>", "<span>a</i>", "<em>a</span>",
      "<em></em>", "word", "한국어", " ", "\n", "&amp;", "&", "<", ">", "<!-- c -->",
      "<script>x</script>", "<em><!-- c -->x</em>", "<li><em>1</em><a href='/v'>t</a>",
      "<b><em>2</em></b>", "<em>x</em><em>y</em><em>z</em>"};
  std::mt19937 rng(20261205);
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(3, 40);
  size_t with_unwrapping = 0;
  for (int doc = 0; doc < 20000; ++doc) {
    std::string html;
    for (int k = length(rng); k > 0; --k) html += pieces[pick(rng)];
    size_t unwrapped = 0;
    const std::string out = Prefiltered(html, true, &unwrapped);
    if (unwrapped > 0) ++with_unwrapping;
    ASSERT_EQ(ShapeOf(out), ShapeOf(Prefiltered(html, false))) << html;
  }
  EXPECT_GT(with_unwrapping, 2000u);  // not vacuous
}

}  // namespace
}  // namespace jikji::parser::internal
