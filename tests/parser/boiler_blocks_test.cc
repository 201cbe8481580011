// Boilerplate blocks (parser/internal/prefilter.h, ExtractOptions::
// known_block): which blocks are offered, with what scope, and that leaving
// one out changes nothing the extractor returns but the block's links.
#include <gtest/gtest.h>
#include <gumbo.h>

#include <cstdint>
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "parser/extractor.h"
#include "parser/internal/prefilter.h"
#include "tests/parser/boiler_blocks_util.h"
#include "tests/testing/paths.h"

namespace jikji::parser {
namespace {

using internal::BlockScope;
using internal::Prefilter;
using internal::PrefilterOptions;
using internal::PrefilterResult;

struct Offer {
  uint64_t hash;
  BlockScope scope;
};

// Prefilters `html` with every block answered `answer`; returns what was
// offered and the prefiltered HTML in *out.
std::vector<Offer> Offers(std::string_view html, bool answer, std::string* out = nullptr) {
  std::vector<Offer> offers;
  PrefilterOptions options;
  options.known_block = [&](uint64_t hash, BlockScope scope) {
    offers.push_back({hash, scope});
    return answer;
  };
  PrefilterResult pre;
  Prefilter(html, options, &pre);
  EXPECT_EQ(pre.skipped_at.size(), answer ? offers.size() : 0u);
  if (out != nullptr) *out = pre.html;
  return offers;
}

std::string Doc(std::string_view block, std::string_view before = "", std::string_view after = "") {
  return "<html><head><title>t</title></head><body><p>intro</p>" + std::string(before) +
         std::string(block) + std::string(after) + "<p>outro</p></body></html>";
}

TEST(BoilerBlocksTest, RepeatedMenuGoesToGumboEmpty) {
  std::string out;
  const std::string nav = R"(<nav class="gnb"><ul><li><a href="/ai">AI</a></li><li><a href="/chips">반도체</a></li></ul></nav>)";
  std::vector<Offer> offers = Offers(Doc(nav), true, &out);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].scope, BlockScope::kOrigin);
  EXPECT_NE(out.find(R"(<nav class="gnb"></nav>)"), std::string::npos) << out;
  EXPECT_EQ(out.find("/chips"), std::string::npos);
  EXPECT_NE(out.find("outro"), std::string::npos);
  // Answered false: the block stays as it is.
  std::string kept;
  Offers(Doc(nav), false, &kept);
  EXPECT_NE(kept.find("/chips"), std::string::npos);
  // The same bytes give the same hash; other bytes another.
  EXPECT_EQ(Offers(Doc(nav, "<div>x</div>"), true)[0].hash, offers[0].hash);
  std::string other = nav;
  other.replace(other.find("AI"), 2, "ML");
  EXPECT_NE(Offers(Doc(other), true)[0].hash, offers[0].hash);
}

TEST(BoilerBlocksTest, EveryBlockKindIsOffered) {
  for (std::string_view tag : {"nav", "footer", "aside", "menu", "NAV"}) {
    std::string block = "<" + std::string(tag) + "><a href='https://x.test/'>x</a></" + std::string(tag) + ">";
    std::vector<Offer> offers = Offers(Doc(block), true);
    ASSERT_EQ(offers.size(), 1u) << tag;
    EXPECT_EQ(offers[0].scope, BlockScope::kNone) << tag;
  }
  EXPECT_TRUE(Offers(Doc("<div class='nav'><a href='/a'>a</a></div>"), true).empty());
  EXPECT_TRUE(Offers(Doc("<header><a href='/a'>a</a></header>"), true).empty());
}

TEST(BoilerBlocksTest, ScopeIsTheWidestHrefNeeds) {
  struct Case {
    std::string_view href;
    BlockScope scope;
  };
  const Case cases[] = {
      {"https://a.test/x", BlockScope::kNone},  {"HTTP://a.test/x", BlockScope::kNone},
      {"#top", BlockScope::kNone},              {"javascript:void(0)", BlockScope::kNone},
      {"mailto:a@b.test", BlockScope::kNone},   {"/x/y", BlockScope::kOrigin},
      {"//cdn.test/x", BlockScope::kOrigin},    {" \t/x", BlockScope::kOrigin},
      {"\\x", BlockScope::kOrigin},             {"x.html", BlockScope::kDirectory},
      {"../x.html", BlockScope::kDirectory},    {"?page=2", BlockScope::kDocument},
      {"", BlockScope::kDocument},              {"&#47;x", BlockScope::kDocument},
      {"http:x.html", BlockScope::kDocument},   {"https:/x", BlockScope::kDocument},
  };
  for (const Case& c : cases) {
    std::string block = "<nav><a href=\"" + std::string(c.href) + "\">x</a></nav>";
    std::vector<Offer> offers = Offers(Doc(block), true);
    ASSERT_EQ(offers.size(), 1u) << c.href;
    EXPECT_EQ(offers[0].scope, c.scope) << c.href;
  }
  // The widest of several; unquoted values too.
  std::vector<Offer> offers =
      Offers(Doc("<nav><a href='https://a.test/'>a</a><a HREF=/b>b</a><area href=c.html></nav>"), true);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].scope, BlockScope::kDirectory);
}

TEST(BoilerBlocksTest, BlocksThatCouldChangeMoreThanTheirLinksAreNotOffered) {
  const char* blocks[] = {
      // What the extractor reads anywhere: metadata, times, h1, images.
      "<nav><meta itemprop=x content=y><a href=/a>a</a></nav>",
      "<footer><link rel=canonical href=/c></footer>",
      "<footer><time datetime='2025-01-01'>1 Jan</time></footer>",
      "<aside><h1>Headline</h1></aside>",
      "<nav><a href=/a><img src=logo.png alt=logo></a></nav>",
      "<footer><span itemprop=publisher>P</span></footer>",
      "<aside><span data-published='2025-01-01'>x</span></aside>",
      "<nav><title>t</title></nav>",
      // Raw text, selects, foreign content.
      "<nav><textarea>x</textarea></nav>",
      "<nav><iframe src=x></iframe></nav>",
      "<nav><select><option>a</select></nav>",
      "<nav><math><mi>x</mi></math></nav>",
      "<nav><script type='application/ld+json'>{}</script></nav>",
      // Markup that reaches past the block.
      "<nav><b>bold</nav>",
      "<nav><a href=/a>unclosed</nav>",
      "<nav><table><tr><td>x</nav>",
      "<nav><form><input></nav>",
      "<nav></div></nav>",
      "<nav><ul><li>x</ul></li></nav>",
      "<nav><b><i>x</b></i></nav>",
      "<nav><div><b>x</div></b></nav>",
      "<nav><a href=/a><a href=/b>x</a></a></nav>",
      "<nav><b><b><b><b>x</b></b></b></b></nav>",
      "<nav><td>x</td></nav>",
      "<nav><div/>x</nav>",
      "<nav><!x </nav> >y</nav>",
      "<nav><a href=/a>never closed",
      "<nav><script>x",
  };
  for (const char* b : blocks) EXPECT_TRUE(Offers(Doc(b), true).empty()) << b;
  // Contexts: inside a formatting element, a button, a table row, a form
  // (for a block holding a form), raw text.
  const std::string nav = "<nav><a href=/a>a</a></nav>";
  EXPECT_TRUE(Offers(Doc(nav, "<a href=/x>", "</a>"), true).empty());
  EXPECT_TRUE(Offers(Doc(nav, "<b>", "</b>"), true).empty());
  EXPECT_TRUE(Offers(Doc(nav, "<button>", "</button>"), true).empty());
  EXPECT_TRUE(Offers(Doc(nav, "<table><tr>", "</tr></table>"), true).empty());
  EXPECT_TRUE(Offers(Doc(nav, "<textarea>", "</textarea>"), true).empty());
  EXPECT_TRUE(Offers(Doc("<nav><form>q</form></nav>", "<form>", "</form>"), true).empty());
  EXPECT_FALSE(Offers(Doc("<nav><form>q</form></nav>"), true).empty());
  EXPECT_FALSE(Offers(Doc(nav, "<b>x</b>"), true).empty());
  EXPECT_FALSE(Offers(Doc(nav, "<table><tr><td>", "</td></tr></table>"), true).empty());
  // The tag cap could fall elsewhere without the block's tags.
  PrefilterOptions capped;
  capped.max_tags = 8;
  int asked = 0;
  capped.known_block = [&](uint64_t, BlockScope) { return ++asked > 0; };
  PrefilterResult pre;
  Prefilter(Doc(nav), capped, &pre);
  EXPECT_EQ(asked, 0);
}

TEST(BoilerBlocksTest, MarkupInsideIsReadAsThePrefilterAndTheTreeBuilderDo) {
  // Comments, scripts, styles and SVG may hold "</nav>"; nested navs,
  // unclosed list items and paragraphs close with the block.
  const char* blocks[] = {
      "<nav><!-- </nav> --><a href=/a>a</a></nav>",
      "<nav><script>document.write('</nav>')</script><a href=/a>a</a></nav>",
      "<nav><style>nav::after{content:'</nav>'}</style></nav>",
      "<nav><svg><text></nav></text></svg><a href=/a>a</a></nav>",
      "<nav><nav><a href=/a>a</a></nav><a href=/b>b</a></nav>",
      "<nav><ul><li><a href=/a>a</a><li><p>b</ul></nav>",
      "<nav><table><tr><td>x</td></tr></table></nav>",
      "<footer><p>(c) <b>Jikji</b> <br> <?php ?></footer>",
  };
  for (const char* b : blocks) {
    std::string out;
    std::vector<Offer> offers = Offers(Doc(b), true, &out);
    ASSERT_EQ(offers.size(), 1u) << b;
    EXPECT_NE(out.find("<p>outro</p>"), std::string::npos) << b;
    EXPECT_EQ(out.find("/a"), std::string::npos) << b << " -> " << out;
  }
}

TEST(BoilerBlocksTest, ExtractionIsTheSameButForTheBlocksLinks) {
  const std::string page = testing::ReadFile(testing::FixturePath("pages/yna_privacy_fine.html"));
  ASSERT_FALSE(page.empty());
  Twice t = ExtractTwice(page, "https://www.yna.co.kr/view/AKR20250101000100017", "");
  EXPECT_GT(t.first.boiler_blocks.size(), 0u);
  EXPECT_EQ(t.second.skipped_blocks, t.first.boiler_blocks.size());
  ExpectSameArticle(t.plain.article, t.second.article);
  ExpectSameArticle(t.plain.article, t.first.article);
  EXPECT_EQ(LinkUrls(t.plain), LinkUrls(t.first));
  EXPECT_LT(t.second.links.size(), t.plain.links.size());
  for (const std::string& u : LinkUrls(t.second)) EXPECT_TRUE(LinkUrls(t.plain).count(u)) << u;
}

TEST(BoilerBlocksTest, FingerprintTakesInThePageUrlAsTheHrefsNeed) {
  auto fingerprints = [](std::string_view href, std::string_view url) {
    std::string page = Doc("<nav><a href=\"" + std::string(href) + "\">x</a></nav>");
    ExtractOptions options;
    std::vector<uint64_t> seen;
    options.known_block = [&](uint64_t fp) {
      seen.push_back(fp);
      return false;
    };
    Page p = ExtractPage(page, url, "text/html; charset=utf-8", options);
    EXPECT_EQ(p.boiler_blocks, seen);
    return seen;
  };
  const std::string a1 = "https://a.test/news/1.html", a2 = "https://a.test/news/2.html?x=1",
                    a3 = "https://a.test/list/3.html", b1 = "https://b.test/news/1.html";
  for (std::string_view abs : {"https://c.test/x"}) {
    EXPECT_EQ(fingerprints(abs, a1), fingerprints(abs, b1));
  }
  EXPECT_EQ(fingerprints("/x", a1), fingerprints("/x", a3));
  EXPECT_NE(fingerprints("/x", a1), fingerprints("/x", b1));
  EXPECT_EQ(fingerprints("x.html", a1), fingerprints("x.html", a2));
  EXPECT_NE(fingerprints("x.html", a1), fingerprints("x.html", a3));
  EXPECT_NE(fingerprints("?p=2", a1), fingerprints("?p=2", "https://a.test/news/2.html"));
  EXPECT_NE(fingerprints("/x", a1), fingerprints("https://a.test/x", a1));
  // A <base> makes the page URL the wrong key: nothing is offered.
  ExtractOptions options;
  int asked = 0;
  options.known_block = [&](uint64_t) { return ++asked > 0; };
  ExtractPage("<html><head><base href='https://b.test/'></head><body><nav><a href=x>x</a></nav></body>",
              a1, "text/html", options);
  EXPECT_EQ(asked, 0);
}

// A known block the tree builder would have carried outer markup into (a
// table left open inside a link puts what follows into the link): the page
// is parsed again in full, and the block is reported as one not to offer.
TEST(BoilerBlocksTest, AKnownBlockInTheWrongPlaceIsParsedAfterAll) {
  const std::string page =
      "<html><body><ul><li><a href=\"/x\">ab<table>cd</a></li><li>x<td></li></ul>"
      "<article><h1>Title</h1><p>" + std::string(400, 'w') + ".</p></article>"
      "<aside class=p><h3>hot</h3><a href=/hot>hot</a></aside>"
      "<footer id=f><p>foot</p></footer></body></html>";
  Twice t = ExtractTwice(page, "https://a.test/n/1.html", "text/html; charset=utf-8");
  EXPECT_EQ(t.first.boiler_blocks.size(), 2u);
  EXPECT_EQ(t.second.skipped_blocks, 0u);
  EXPECT_EQ(t.second.unskippable_blocks.size(), 2u);
  ExpectSameArticle(t.plain.article, t.second.article);
  EXPECT_EQ(LinkUrls(t.plain), LinkUrls(t.second));
}

// The check after the parse, on trees Gumbo builds around stubs at known
// offsets.
TEST(BoilerBlocksTest, StubsAreCheckedInTheParsedTree) {
  auto stands_alone = [](const std::string& html) {
    PrefilterResult r;
    r.html = html;
    for (size_t at = html.find("<nav"); at != std::string::npos; at = html.find("<nav", at + 1)) {
      r.skipped_at.push_back(at);
    }
    GumboOutput* out = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
    const bool ok = internal::StubsStandAlone(out->root, r);
    gumbo_destroy_output(&kGumboDefaultOptions, out);
    return ok;
  };
  EXPECT_TRUE(stands_alone("<body><div><nav class=a></nav></div><p>x</p></body>"));
  EXPECT_TRUE(stands_alone("<body><nav></nav><nav></nav></body>"));
  EXPECT_TRUE(stands_alone("<table><tr><td><nav></nav></td></tr></table>"));
  // Foster-parented out of a table, inside a link or a formatting element
  // (also through a cell), in a button, closed by the tree builder, or
  // gone (inside a select the tag is ignored).
  EXPECT_FALSE(stands_alone("<table><nav></nav><tr><td>x</td></tr></table>"));
  EXPECT_FALSE(stands_alone("<body><a href=x><nav></nav></a></body>"));
  EXPECT_FALSE(stands_alone("<body><b><nav></nav></b></body>"));
  EXPECT_FALSE(stands_alone("<body><a href=x><table><tr><td><nav></nav></td></tr></table></a></body>"));
  EXPECT_FALSE(stands_alone("<body><button><nav></nav></button></body>"));
  EXPECT_FALSE(stands_alone("<body><div><nav></div>"));
  EXPECT_FALSE(stands_alone("<body><select><nav></nav></select></body>"));
  EXPECT_FALSE(stands_alone("<body><nav><p>x</p></nav></body>"));  // not empty
}

// Every page fixture: extracted with no block known, then with every block
// the first pass parsed known; the article is the same each time.
TEST(BoilerBlocksTest, FixturesExtractTheSameWithTheirBlocksLeftOut) {
  size_t pages = 0, skipped = 0;
  for (const auto& dir : {testing::FixturePath("pages"), testing::FixturePath("site")}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (entry.path().extension() != ".html") continue;
      const std::string html = testing::ReadFile(entry.path());
      Twice t = ExtractTwice(html, "https://news.test/a/b/" + entry.path().filename().string(), "");
      SCOPED_TRACE(entry.path().string());
      ExpectSameArticle(t.plain.article, t.first.article);
      ExpectSameArticle(t.plain.article, t.second.article);
      EXPECT_EQ(LinkUrls(t.plain), LinkUrls(t.first));
      for (const std::string& u : LinkUrls(t.second)) EXPECT_TRUE(LinkUrls(t.plain).count(u)) << u;
      ++pages;
      skipped += t.second.skipped_blocks;
    }
  }
  EXPECT_GE(pages, 30u);
  // The fixtures have menus, footers and sidebars: the check above means
  // something only if blocks were left out.
  EXPECT_GE(skipped, 20u);
  std::cout << pages << " fixture pages, " << skipped << " blocks left out on the second pass\n";
}

// The fixtures again, each broken at random in ways the block rules must
// see: tags cut out, stray start and end tags, formatting elements, tables
// and forms left open, comments and scripts opened and not closed.
TEST(BoilerBlocksTest, BrokenMarkupExtractsTheSameWithItsBlocksLeftOut) {
  const char* inserts[] = {"<b>", "</b>", "<a href=/z>", "</a>", "</div>", "<div>", "<table>",
                           "<tr>", "<td>", "</td>", "</table>", "<form>", "</form>", "<p>",
                           "</p>", "</li>", "<li>", "<!--", "-->", "<script>", "</nav>",
                           "<nav>", "</footer>", "<aside>", "<select>", "<button>", "<i>",
                           "</ul>", "<br/>", "<div/>", "<!x", ">", "<", "&"};
  std::mt19937 rng(20261205);
  size_t cases = 0, skipped = 0;
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"site", "pages"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::FixturePath(dir))) {
      if (entry.path().extension() == ".html") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    const std::string original = testing::ReadFile(path);
    for (int round = 0; round < 12; ++round) {
      std::string html = original;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        const size_t at = rng() % html.size();
        if (rng() % 3 == 0) {
          const size_t len = rng() % 40;
          html.erase(at, std::min(len, html.size() - at));
        } else {
          html.insert(at, inserts[rng() % std::size(inserts)]);
        }
      }
      SCOPED_TRACE(path.string() + " round " + std::to_string(round));
      Twice t = ExtractTwice(html, "https://news.test/a/b/c.html", "text/html; charset=utf-8");
      ExpectSameArticle(t.plain.article, t.first.article);
      ExpectSameArticle(t.plain.article, t.second.article);
      for (const std::string& u : LinkUrls(t.second)) EXPECT_TRUE(LinkUrls(t.plain).count(u)) << u;
      if (::testing::Test::HasFailure()) {
        ADD_FAILURE() << html;
        return;
      }
      ++cases;
      skipped += t.second.skipped_blocks;
    }
  }
  EXPECT_GE(cases, 300u);
  EXPECT_GE(skipped, 300u);
  std::cout << cases << " broken pages, " << skipped << " blocks left out\n";
}

}  // namespace
}  // namespace jikji::parser
