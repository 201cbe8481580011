// Tests of parser/extractor.h: table-driven over hand-written Korean news
// pages in tests/fixtures/pages (each with a NAME.gold.json), plus links,
// rules and pathological inputs.
#include "parser/extractor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "parser/internal/chrome.h"
#include "parser/internal/dates.h"
#include "parser/internal/prefilter.h"
#include "tests/testing/paths.h"

namespace jikji::parser {
namespace {

using testing::FixturePath;
using testing::ReadFile;

// Tokens: maximal runs of letters/digits. Bytes >= 0x80 count as letters
// except for the punctuation listed (UTF-8 sequences of … · “ ” ‘ ’ etc.).
std::vector<std::string> Tokens(const std::string& s) {
  static const std::vector<std::string> kPunct = {"…", "·", "“", "”", "‘", "’", "ⓒ", "©",
                                                  "▶", "「", "」", "〈", "〉", "　"};
  std::vector<std::string> out;
  std::string cur;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    bool word = std::isalnum(c) || c >= 0x80;
    if (c >= 0x80) {
      for (const std::string& p : kPunct) {
        if (s.compare(i, p.size(), p) == 0) {
          word = false;
          if (!cur.empty()) out.push_back(cur);
          cur.clear();
          i += p.size();
          goto next;
        }
      }
    }
    if (word) {
      cur.push_back(static_cast<char>(c));
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
    ++i;
  next:;
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// Bag-of-tokens F1 between gold and predicted text.
double TokenF1(const std::string& gold, const std::string& predicted) {
  std::map<std::string, int> g, p;
  for (auto& t : Tokens(gold)) ++g[t];
  for (auto& t : Tokens(predicted)) ++p[t];
  int common = 0, ng = 0, np = 0;
  for (auto& [t, n] : g) {
    ng += n;
    auto it = p.find(t);
    if (it != p.end()) common += std::min(n, it->second);
  }
  for (auto& [t, n] : p) np += n;
  if (ng == 0 && np == 0) return 1.0;
  if (common == 0) return 0.0;
  double precision = static_cast<double>(common) / np;
  double recall = static_cast<double>(common) / ng;
  return 2 * precision * recall / (precision + recall);
}

TEST(TokenF1, SanityOfTheMetricItself) {
  EXPECT_DOUBLE_EQ(TokenF1("가 나 다", "가 나 다"), 1.0);
  EXPECT_DOUBLE_EQ(TokenF1("가 나", "라 마"), 0.0);
  EXPECT_NEAR(TokenF1("a b c d", "a b"), 2 * 1.0 * 0.5 / 1.5, 1e-9);
  EXPECT_EQ(Tokens("말했다.“좋다”…끝"), (std::vector<std::string>{"말했다", "좋다", "끝"}));
}

// Strings that are page chrome in every fixture: none may reach a body.
const std::vector<std::string> kChrome = {
    "무단전재", "무단 전재", "재배포", "Copyright", "ⓒ", "©", "기자페이지", "가장작게",
    "가장크게", "좋아요", "화나요", "슬퍼요", "후속기사 원해요", "▶", "많이 본", "댓글",
    "@", "다른기사", "페이스북", "카카오톡", "URL복사", "인쇄", "구독", "코스피",
    "서울 아파트값 3주 연속 상승", "전기차 보조금 개편안", "로그인", "회원가입", "관련기사",
    "관련 뉴스", "규제보다 지원이 먼저라고", "저희는 안 시켰는데", "이전글", "다음글",
    "사진=", "연합뉴스 자료사진", "목록", "개인정보처리방침", "입력 2025", "송고"};

struct PageCase {
  const char* name;
  const char* url;
  const char* content_type;
  const char* charset;  // expected article.charset
};

// Shown by gtest (and ctest) instead of the struct's bytes.
void PrintTo(const PageCase& c, std::ostream* os) { *os << c.name; }

const PageCase kPages[] = {
    {"ndsoft_datacenter", "https://www.dpnews.example.kr/news/articleView.html?idxno=301234",
     "text/html", "UTF-8"},
    {"etoday_naver_ai", "https://www.etoday.example.kr/news/view/2134567",
     "text/html; charset=UTF-8", "UTF-8"},
    {"kidd_sauce_euckr", "http://www.kidd.example.kr/news/view.php?no=88123", "text/html",
     "EUC-KR"},
    {"cook82_board_euckr", "https://www.82cook.example.com/entiz/read.php?bn=15&num=3981235", "",
     "EUC-KR"},
    {"zdnet_platform_law", "https://zdnet.example.co.kr/view/?no=20250206101523",
     "text/html;charset=utf-8", "UTF-8"},
    {"yna_ict_exports", "https://www.yna.example.kr/view/AKR20250212052100003", "", "UTF-8"},
    {"ndsoft_section_list",
     "https://www.dpnews.example.kr/news/articleList.html?sc_section_code=S1N5", "text/html",
     "UTF-8"},
};

class FixturePages : public ::testing::TestWithParam<PageCase> {};

TEST_P(FixturePages, MatchesGold) {
  const PageCase& c = GetParam();
  std::string html = ReadFile(FixturePath(std::string("pages/") + c.name + ".html"));
  std::string gold_text = ReadFile(FixturePath(std::string("pages/") + c.name + ".gold.json"));
  ASSERT_FALSE(html.empty()) << c.name;
  ASSERT_FALSE(gold_text.empty()) << c.name;
  nlohmann::json gold = nlohmann::json::parse(gold_text);

  Page page = ExtractPage(html, c.url, c.content_type);
  const Article& a = page.article;
  SCOPED_TRACE(std::string(c.name) + "\nbody:\n" + a.body);
  EXPECT_EQ(a.url, c.url);
  EXPECT_EQ(a.charset, c.charset);
  EXPECT_EQ(a.is_article, gold["is_article"].get<bool>());
  EXPECT_EQ(a.title, gold["title"].get<std::string>());
  EXPECT_EQ(a.authors, gold["authors"].get<std::vector<std::string>>());
  if (a.is_article) {
    EXPECT_EQ(a.published, gold["published"].get<std::string>());
    std::string gold_body = gold["body"].get<std::string>();
    double f1 = TokenF1(gold_body, a.body);
    EXPECT_GE(f1, 0.9) << "token F1 " << f1;
    for (const std::string& chrome : kChrome) {
      EXPECT_EQ(a.body.find(chrome), std::string::npos) << "chrome in body: " << chrome;
    }
    // Paragraph structure: one line per gold paragraph.
    size_t gold_lines = std::count(gold_body.begin(), gold_body.end(), '\n') + 1;
    size_t lines = std::count(a.body.begin(), a.body.end(), '\n') + 1;
    EXPECT_EQ(lines, gold_lines);
  } else {
    EXPECT_TRUE(a.body.empty());
  }
  EXPECT_FALSE(page.links.empty());
  for (const Link& l : page.links) {
    EXPECT_TRUE(l.url.rfind("http://", 0) == 0 || l.url.rfind("https://", 0) == 0) << l.url;
  }
  EXPECT_FALSE(page.feed_urls.empty() && std::string(c.name) != "cook82_board_euckr" &&
               std::string(c.name) != "zdnet_platform_law" &&
               std::string(c.name) != "yna_ict_exports");
}

INSTANTIATE_TEST_SUITE_P(Pages, FixturePages, ::testing::ValuesIn(kPages),
                         [](const auto& info) { return std::string(info.param.name); });

Page ExtractFixture(const std::string& name, const std::string& url) {
  return ExtractPage(ReadFile(FixturePath("pages/" + name + ".html")), url, "");
}

TEST(ExtractPage, EucKrPageKeepsUhcSyllablesAndSaysWhereTheCharsetCameFrom) {
  Page p = ExtractFixture("kidd_sauce_euckr", "http://www.kidd.example.kr/news/view.php?no=88123");
  EXPECT_NE(p.article.body.find("똠얌꿍"), std::string::npos);
  EXPECT_NE(std::find(p.article.diagnostics.begin(), p.article.diagnostics.end(),
                      "charset: EUC-KR from meta"),
            p.article.diagnostics.end());
  Page q = ExtractFixture("cook82_board_euckr", "https://www.82cook.example.com/read.php");
  EXPECT_NE(q.article.body.find("햏자"), std::string::npos);
}

TEST(ExtractPage, MetadataOfAnNdSoftPage) {
  Page p = ExtractFixture("ndsoft_datacenter",
                          "https://www.dpnews.example.kr/news/articleView.html?idxno=301234");
  const Article& a = p.article;
  EXPECT_EQ(a.site_name, "디지털정책신문");
  EXPECT_EQ(a.section, "IT·과학");
  EXPECT_EQ(a.language, "ko");
  EXPECT_EQ(a.modified, "2025-02-06T17:40:00+09:00");
  EXPECT_EQ(a.canonical_url, "https://www.dpnews.example.kr/news/articleView.html?idxno=301234");
  EXPECT_EQ(a.lead_image, "https://www.dpnews.example.kr/news/photo/202502/301234_1_1530.jpg");
  EXPECT_EQ(a.description.rfind("과학기술정보통신부가", 0), 0u);
  ASSERT_FALSE(a.captions.empty());
  EXPECT_EQ(a.captions[0], "과학기술정보통신부 청사 전경. (사진=디지털정책신문 DB)");
  EXPECT_EQ(p.feed_urls, std::vector<std::string>{"https://www.dpnews.example.kr/rss/allArticle.xml"});
}

TEST(ExtractPage, JsonLdAndTextDates) {
  Page e = ExtractFixture("etoday_naver_ai", "https://www.etoday.example.kr/news/view/2134567");
  EXPECT_EQ(e.article.modified, "2025-02-06T10:02:13+09:00");  // JSON-LD dateModified
  EXPECT_EQ(e.article.language, "ko");
  EXPECT_EQ(e.article.site_name, "이투데이");
  Page y = ExtractFixture("yna_ict_exports", "https://www.yna.example.kr/view/AKR20250212052100003");
  EXPECT_EQ(y.article.modified, "2025-02-12T11:25:31+09:00");
  EXPECT_EQ(y.article.section, "경제");
  // The broken second JSON-LD block is reported, not fatal.
  bool reported = false;
  for (const std::string& d : y.article.diagnostics) reported |= d.find("json-ld") != std::string::npos;
  EXPECT_TRUE(reported);
}

TEST(ExtractPage, BaseHrefResolvesLinks) {
  Page z = ExtractFixture("zdnet_platform_law", "https://zdnet.example.co.kr/view/?no=20250206101523");
  std::vector<std::string> urls;
  for (const Link& l : z.links) urls.push_back(l.url);
  auto has = [&](const std::string& u) { return std::find(urls.begin(), urls.end(), u) != urls.end(); };
  EXPECT_TRUE(has("https://zdnet.example.co.kr/?no=20250205093011"));
  EXPECT_TRUE(has("https://zdnet.example.co.kr/view/?no=20250203080011"));
  EXPECT_TRUE(has("https://zdnet.example.co.kr/reporter/?id=yunhee"));
  for (const std::string& u : urls) {
    EXPECT_EQ(u.find("mailto:"), std::string::npos);
    EXPECT_EQ(u.find("tel:"), std::string::npos);
  }
  EXPECT_EQ(z.article.lead_image, "");
  EXPECT_EQ(z.article.canonical_url, "https://zdnet.example.co.kr/view/?no=20250206101523");
}

TEST(ExtractPage, LinksTextNofollowAndSkippedSchemes) {
  std::string html =
      "<html><head><link rel='alternate' type='application/rss+xml' href='/feed.xml'>"
      "<link rel='alternate' type='application/atom+xml' href='https://other.example/atom'>"
      "<link rel='alternate' hreflang='en' href='/en/'></head><body>"
      "<a href='/a?x=1'>  첫 번째\n  <b>링크</b> </a>"
      "<a href='b.html' rel='nofollow ugc'>둘</a>"
      "<a href='javascript:void(0)'>js</a><a href='mailto:x@y.z'>mail</a>"
      "<a href='tel:010'>tel</a><a href='data:text/html,hi'>data</a><a>no href</a>"
      "<map><area href='/area' alt='a'></map>"
      "<a href='//cdn.example.org/x'>cdn</a></body></html>";
  Page p = ExtractPage(html, "https://news.example.kr/dir/page.html", "");
  ASSERT_EQ(p.links.size(), 4u);
  EXPECT_EQ(p.links[0].url, "https://news.example.kr/a?x=1");
  EXPECT_EQ(p.links[0].text, "첫 번째 링크");
  EXPECT_FALSE(p.links[0].nofollow);
  EXPECT_EQ(p.links[1].url, "https://news.example.kr/dir/b.html");
  EXPECT_TRUE(p.links[1].nofollow);
  EXPECT_EQ(p.links[2].url, "https://news.example.kr/area");
  EXPECT_EQ(p.links[3].url, "https://cdn.example.org/x");
  EXPECT_EQ(p.feed_urls, (std::vector<std::string>{"https://news.example.kr/feed.xml",
                                                   "https://other.example/atom"}));
  ExtractOptions no_links;
  no_links.collect_links = false;
  EXPECT_TRUE(ExtractPage(html, "https://news.example.kr/", "", no_links).links.empty());
}

// The link filter is asked of the links that do not depend on the page's
// path, with the scope of the base the page ends up with (here a <base>
// after the links), before they are resolved; a link it refuses is left out.
TEST(ExtractPage, LinkFilterSeesHrefsByScopeAndDropsWhatItRefuses) {
  const std::string html =
      "<html><body><a href='http://other.kr/a'>a</a><a href=' /b '>b</a><a href='c.html'>c</a>"
      "<a href='/d' rel='nofollow'>d</a><a href='javascript:go()'>js</a><a href='mailto:x@y.kr'>m</a>"
      "<a href='//cdn.kr/e'>e</a><a href='?page=2'>f</a>"
      "<base href='https://base.kr/dir/'></body></html>";
  struct Call {
    std::string scope, href;
    bool nofollow;
    bool operator==(const Call&) const = default;
  };
  std::vector<Call> calls;
  ExtractOptions options;
  options.link_filter = [&](std::string_view scope, std::string_view href, bool nofollow) {
    calls.push_back({std::string(scope), std::string(href), nofollow});
    return href != "/b";
  };
  Page p = ExtractPage(html, "http://page.kr/x/y.html", "", options);
  EXPECT_EQ(calls, (std::vector<Call>{{"", "http://other.kr/a", false},
                                      {"https://base.kr", "/b", false},
                                      {"https://base.kr", "/d", true},
                                      {"https://base.kr", "//cdn.kr/e", false}}));
  std::vector<std::string> urls;
  for (const Link& l : p.links) urls.push_back(l.url);
  EXPECT_EQ(urls, (std::vector<std::string>{"http://other.kr/a", "https://base.kr/dir/c.html",
                                            "https://base.kr/d", "https://cdn.kr/e",
                                            "https://base.kr/dir/?page=2"}));
  // Without a filter, every link (the refused one too), resolved the same way.
  Page all = ExtractPage(html, "http://page.kr/x/y.html", "");
  ASSERT_EQ(all.links.size(), 6u);
  EXPECT_EQ(all.links[1].url, "https://base.kr/b");
}

// On pages without <base> the filter is asked as the walk meets each link.
// A filter that keeps everything changes nothing, on every fixture page;
// one that refuses everything leaves only the links relative to the page's
// own path; a refused link's anchor text goes to no other link.
TEST(ExtractPage, LinkFilterKeepingEverythingChangesNothing) {
  auto same = [](const Page& a, const Page& b) {
    if (a.links.size() != b.links.size()) return false;
    for (size_t i = 0; i < a.links.size(); ++i) {
      if (a.links[i].url != b.links[i].url || a.links[i].text != b.links[i].text ||
          a.links[i].nofollow != b.links[i].nofollow) {
        return false;
      }
    }
    return a.article.body == b.article.body && a.article.title == b.article.title;
  };
  ExtractOptions keep_all;
  int asked = 0;
  keep_all.link_filter = [&](std::string_view, std::string_view, bool) { return ++asked > 0; };
  ExtractOptions keep_none;
  keep_none.link_filter = [](std::string_view, std::string_view, bool) { return false; };
  int pages = 0;
  size_t kept_none = 0, kept_plain = 0;
  for (const auto& entry : std::filesystem::directory_iterator(FixturePath("pages"))) {
    if (entry.path().extension() != ".html") continue;
    const std::string html = ReadFile(entry.path());
    const std::string url = "https://news.example.kr/section/" + entry.path().stem().string() + ".html";
    Page plain = ExtractPage(html, url, "");
    EXPECT_TRUE(same(plain, ExtractPage(html, url, "", keep_all))) << entry.path();
    Page none = ExtractPage(html, url, "", keep_none);
    // What is left is a part of the plain list, in order: on a page without
    // <base>, only links under the page's own directory.
    size_t next = 0;
    for (const Link& l : none.links) {
      while (next < plain.links.size() && plain.links[next].url != l.url) ++next;
      EXPECT_LT(next++, plain.links.size()) << entry.path() << " " << l.url;
      if (html.find("<base") == std::string::npos) {
        EXPECT_EQ(l.url.rfind("https://news.example.kr/section/", 0), 0u) << entry.path() << " " << l.url;
      }
    }
    kept_none += none.links.size();
    kept_plain += plain.links.size();
    ++pages;
  }
  EXPECT_GE(pages, 20);
  EXPECT_GT(asked, 300);
  EXPECT_LT(kept_none * 4, kept_plain);

  Page p = ExtractPage("<p><a href='/a'>에이 <b>굵게</b></a> <a href='b.html'>비</a></p>", "http://x.kr/d/p.html",
                       "", keep_none);
  ASSERT_EQ(p.links.size(), 1u);
  EXPECT_EQ(p.links[0].url, "http://x.kr/d/b.html");
  EXPECT_EQ(p.links[0].text, "비");
}

// The same links on pages of other origins, other paths, <base href> and
// credentials: each resolves against its own page (path-absolute links are
// remembered by base authority, so a repeat must not leak across bases).
TEST(ExtractPage, RepeatedLinksResolveAgainstTheirOwnBase) {
  const std::string body =
      "<a href='/news/1?x=1#top'>a</a><a href='rel/2'>b</a><a href='//cdn.example.org/c'>c</a>"
      "<a href='/\\evil.example/d'>d</a><a href='/&#10;/evil.example/e'>e</a><a href='/'>f</a>";
  auto urls = [&](const std::string& page_url, const std::string& head = "") {
    std::vector<std::string> out;
    for (const Link& l : ExtractPage("<html><head>" + head + "</head><body>" + body + "</body></html>",
                                     page_url, "")
                             .links) {
      out.push_back(l.url);
    }
    return out;
  };
  const std::vector<std::string> one = {
      "https://one.example.kr/news/1?x=1#top", "https://one.example.kr/dir/rel/2",
      "https://cdn.example.org/c",             "https://evil.example/d",
      "https://evil.example/e",                "https://one.example.kr/"};
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(urls("https://one.example.kr/dir/page.html"), one) << round;
    EXPECT_EQ(urls("http://two.example.kr:8080/other/"),
              (std::vector<std::string>{"http://two.example.kr:8080/news/1?x=1#top",
                                        "http://two.example.kr:8080/other/rel/2",
                                        "http://cdn.example.org/c", "http://evil.example/d",
                                        "http://evil.example/e", "http://two.example.kr:8080/"}))
        << round;
    EXPECT_EQ(urls("https://user:pw@one.example.kr/dir/page.html")[0],
              "https://user:pw@one.example.kr/news/1?x=1#top")
        << round;
    EXPECT_EQ(urls("https://one.example.kr/dir/page.html",
                   "<base href='https://three.example.kr/base/'>")[0],
              "https://three.example.kr/news/1?x=1#top")
        << round;
  }
}

std::string ArticleHtml(const std::string& extra_body = "") {
  std::string html = "<html><head><title>시험 기사 제목 | 테스트일보</title></head><body>"
                     "<div class='menu'><a href='/1'>메뉴 하나</a><a href='/2'>메뉴 둘</a></div>"
                     "<div class='article_body'>";
  for (int i = 0; i < 6; ++i) {
    html += "<p>이것은 본문 문단 " + std::to_string(i) +
            "입니다. 정부는 새로운 정책을 발표했고, 업계는 이에 대해 다양한 반응을 보였다. "
            "전문가들은 장기적인 영향을 지켜봐야 한다고 말했다.</p>";
  }
  html += extra_body + "</div><div class='footer'>Copyright 테스트일보</div></body></html>";
  return html;
}

TEST(ExtractPage, GenericArticleAndTitleSuffix) {
  Page p = ExtractPage(ArticleHtml(), "https://t.example.kr/1", "");
  EXPECT_TRUE(p.article.is_article);
  EXPECT_EQ(p.article.title, "시험 기사 제목");
  EXPECT_EQ(std::count(p.article.body.begin(), p.article.body.end(), '\n'), 5);
  EXPECT_EQ(p.article.body.find("메뉴"), std::string::npos);
}

TEST(ExtractPage, HiddenElementsAreDropped) {
  Page p = ExtractPage(ArticleHtml("<p style='display: none'>숨은 문단입니다 숨은 문단입니다</p>"
                                   "<p hidden>또 숨은 문단</p><span class='blind'>본문 듣기</span>"),
                       "", "");
  EXPECT_TRUE(p.article.is_article);
  EXPECT_EQ(p.article.body.find("숨은"), std::string::npos);
  EXPECT_EQ(p.article.body.find("본문 듣기"), std::string::npos);
}

// Attribute names are matched as the HTML parser lower-cases them, and the
// first of a repeated attribute counts.
TEST(ExtractPage, UpperCaseAndRepeatedAttributes) {
  Page p = ExtractPage(ArticleHtml("<P STYLE='DISPLAY:NONE'>숨은 문단입니다 숨은 문단입니다</P>"
                                   "<p Hidden>또 숨은 문단</p><div ARIA-HIDDEN='true'>숨은 상자</div>"
                                   "<A HREF='/x' REL='NOFOLLOW'>엑스</A>"
                                   "<a href='/first' href='/second'>둘 중 처음</a>"
                                   "<span DATA-PUBLISHED='2024-11-20T09:00:00+09:00'></span>"),
                       "https://t.example.kr/news/1", "");
  EXPECT_TRUE(p.article.is_article);
  EXPECT_EQ(p.article.body.find("숨은"), std::string::npos);
  std::vector<std::string> urls;
  bool x_nofollow = false;
  for (const Link& l : p.links) {
    urls.push_back(l.url);
    if (l.url == "https://t.example.kr/x") x_nofollow = l.nofollow;
  }
  auto has = [&](const std::string& u) { return std::find(urls.begin(), urls.end(), u) != urls.end(); };
  EXPECT_TRUE(has("https://t.example.kr/x"));
  EXPECT_TRUE(x_nofollow);
  EXPECT_TRUE(has("https://t.example.kr/first"));
  EXPECT_FALSE(has("https://t.example.kr/second"));
  EXPECT_EQ(p.article.published.substr(0, 10), "2024-11-20");
}

TEST(ExtractPage, NfcNormalizesDecomposedHangul) {
  // "한" as conjoining jamo (U+1112 U+1161 U+11AB) must come out precomposed.
  Page p = ExtractPage(ArticleHtml("<p>\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB 글자가 분리된 문단이다. "
                                   "이 문단도 충분히 길어서 본문으로 남아야 한다.</p>"),
                       "", "");
  EXPECT_NE(p.article.body.find("한 글자가"), std::string::npos);
}

TEST(ExtractPage, RulesOverrideTheGenericChoice) {
  std::string html = ArticleHtml() ;
  html.insert(html.find("</body>"),
              "<div id='real'><p>규칙이 지정한 본문입니다. 이 문단이 본문이 되어야 합니다. "
              "점수가 더 낮아도 사이트 규칙이 고른 블록을 쓴다.</p>"
              "<p class='ad'>광고 문단은 규칙으로 지운다.</p>"
              "<p>두 번째 문단도 규칙이 지정한 본문에 들어갑니다. 충분히 길게 씁니다. 판단 기준을 "
              "넘도록 문장을 하나 더 붙인다.</p></div>");
  ExtractRules rules;
  rules.body = {"div#real"};
  rules.drop = {"#real > p.ad"};
  rules.title = {"title"};
  ExtractOptions options;
  options.rules = &rules;
  Page p = ExtractPage(html, "", "", options);
  EXPECT_NE(p.article.body.find("규칙이 지정한 본문"), std::string::npos);
  EXPECT_EQ(p.article.body.find("광고 문단"), std::string::npos);
  EXPECT_EQ(p.article.body.find("이것은 본문 문단"), std::string::npos);
  ExtractRules bad;
  bad.body = {"div:has(p)"};
  options.rules = &bad;
  Page q = ExtractPage(html, "", "", options);
  bool reported = false;
  for (const std::string& d : q.article.diagnostics) reported |= d.find("rule:") == 0;
  EXPECT_TRUE(reported);
  EXPECT_TRUE(q.article.is_article);  // generic extraction still works
}

TEST(ExtractPage, HttpCharsetWinsOverMeta) {
  std::string html = "<meta charset='euc-kr'><p>\xED\x95\x9C\xEA\xB8\x80</p>";
  Page p = ExtractPage(html, "", "text/html; charset=utf-8");
  EXPECT_EQ(p.article.charset, "UTF-8");
  Page q = ExtractPage(html, "", "");
  EXPECT_EQ(q.article.charset, "EUC-KR");
}

TEST(ExtractPage, ListWithPlainSummariesIsNotAnArticle) {
  std::string html = "<html><body><ul class='news'>";
  for (int i = 0; i < 10; ++i) {
    html += "<li><h3><a href='/news/" + std::to_string(i) + "'>정책 뉴스 제목 번호 " +
            std::to_string(i) + "</a></h3><p>요약문입니다. 정부는 새 정책을 발표했고 업계는 "
            "다양한 반응을 보였다. 전문가들은 영향을 지켜봐야 한다고 말했다.</p></li>";
  }
  html += "</ul></body></html>";
  Page p = ExtractPage(html, "https://list.example.kr/section", "");
  EXPECT_FALSE(p.article.is_article);
  EXPECT_TRUE(p.article.body.empty());
  EXPECT_EQ(p.links.size(), 10u);
}

TEST(Dates, KoreanAndIsoForms) {
  using internal::FindDate;
  using internal::ParseDate;
  EXPECT_EQ(ParseDate("2025-02-06T15:15:00+09:00"), "2025-02-06T15:15:00+09:00");
  EXPECT_EQ(ParseDate("2025-02-06T06:15:00Z"), "2025-02-06T06:15:00+00:00");
  EXPECT_EQ(ParseDate("2025-02-06T15:15:00.123+0900"), "2025-02-06T15:15:00+09:00");
  EXPECT_EQ(ParseDate("2025.02.06 15:15"), "2025-02-06T15:15:00+09:00");
  EXPECT_EQ(ParseDate("2025/2/6 오후 3:05"), "2025-02-06T15:05:00+09:00");
  EXPECT_EQ(ParseDate("2025-02-15 22:49:11"), "2025-02-15T22:49:11+09:00");
  EXPECT_EQ(ParseDate("2025년 2월 6일"), "2025-02-06");
  EXPECT_EQ(ParseDate("2025년 2월 6일 (목) 15시 15분"), "2025-02-06T15:15:00+09:00");
  EXPECT_EQ(ParseDate("2025.13.06"), "");
  EXPECT_EQ(ParseDate("기사입력 2025.02.06"), "");
  EXPECT_EQ(FindDate("기사입력 2025.02.06 15:15 | 최종수정").iso, "2025-02-06T15:15:00+09:00");
  EXPECT_EQ(FindDate("전화 02-1234-5678").iso, "");
}

TEST(Chrome, LinesAndBylines) {
  using internal::IsChromeLine;
  EXPECT_TRUE(IsChromeLine("<저작권자 © 산업일보 무단전재 및 재배포금지>"));
  EXPECT_TRUE(IsChromeLine("Copyright ⓒ Etoday. All rights reserved."));
  EXPECT_TRUE(IsChromeLine("홍길동 기자 hong@example.com"));
  EXPECT_TRUE(IsChromeLine("▶ 관련기사: 제목"));
  EXPECT_TRUE(IsChromeLine("가장작게 작게 기본 크게 가장크게"));
  EXPECT_TRUE(IsChromeLine("좋아요 3 화나요 0 슬퍼요 0"));
  EXPECT_TRUE(IsChromeLine("입력 2025.02.06 15:15 수정 2025.02.06 16:00"));
  EXPECT_FALSE(IsChromeLine("정부는 6일 새 정책을 발표했다. 기자회견에서 장관은 이렇게 말했다."));
  EXPECT_FALSE(IsChromeLine("좋아요를 누른 사람이 늘었다는 분석이 나왔다."));
  // Each substring rule, anywhere in the line (one pass finds them all),
  // and the length bound of each.
  EXPECT_TRUE(IsChromeLine("이 기사는 무단 전재를 금합니다"));
  EXPECT_TRUE(IsChromeLine("(c) 2025 Example Media, ALL RIGHTS RESERVED"));
  EXPECT_TRUE(IsChromeLine("2025 © 예시일보"));
  EXPECT_TRUE(IsChromeLine("홍길동 기자의 다른 기사 보기"));
  EXPECT_TRUE(IsChromeLine("뉴스레터 구독하기"));
  EXPECT_TRUE(IsChromeLine("정치부 홍길동 특파원"));
  EXPECT_TRUE(IsChromeLine("본 콘텐츠는 공공누리 제1유형에 따라 이용할 수 있습니다."));
  EXPECT_TRUE(IsChromeLine("<기사 제보 및 보도자료>"));
  EXPECT_TRUE(IsChromeLine("hong@example.com"));
  EXPECT_FALSE(IsChromeLine("(hong@example.com 으로 보내 주세요)"));
  EXPECT_FALSE(IsChromeLine("<정책 브리핑>"));
  const std::string long_prose(130, 'x');
  EXPECT_FALSE(IsChromeLine(long_prose + " 뉴스레터 구독하기"));  // over 100 characters
  EXPECT_TRUE(IsChromeLine(long_prose + " 무단전재 금지"));      // up to 400
  EXPECT_FALSE(IsChromeLine(std::string(400, 'x') + " 무단전재"));
  using internal::FindReporterNames;
  EXPECT_EQ(FindReporterNames("(세종=연합뉴스) 최현우 기자 = 본문", true),
            std::vector<std::string>{"최현우"});
  EXPECT_EQ(FindReporterNames("홍길동·김철수 기자", true),
            (std::vector<std::string>{"홍길동", "김철수"}));
  EXPECT_EQ(FindReporterNames("박서준 선임기자 sjpark@x.kr", true), std::vector<std::string>{"박서준"});
  EXPECT_TRUE(FindReporterNames("기자회견에서 해당 기자가 말했다", false).empty());
  EXPECT_EQ(internal::CleanAuthorNames("이지은 기자 (jieun@etoday.co.kr)"),
            std::vector<std::string>{"이지은"});
  EXPECT_EQ(internal::CleanAuthorNames("By Jane Doe and John Roe"),
            (std::vector<std::string>{"Jane Doe", "John Roe"}));
  EXPECT_TRUE(internal::CleanAuthorNames("https://www.facebook.com/someone").empty());
}

// ---- pathological inputs: must return, with sane results and diagnostics.

bool HasDiagnostic(const Article& a, const std::string& prefix) {
  for (const std::string& d : a.diagnostics) {
    if (d.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

TEST(Pathological, DeepNestingIsCapped) {
  std::string html = "<html><body>";
  for (int i = 0; i < 100000; ++i) html += "<div>";
  html += "깊은 곳의 글";
  for (int i = 0; i < 100000; ++i) html += "</div>";
  html += "</body></html>";
  Page p = ExtractPage(html, "https://x.example/", "");
  EXPECT_TRUE(HasDiagnostic(p.article, "nesting depth capped at 256"));
  EXPECT_FALSE(p.article.is_article);
  EXPECT_TRUE(p.article.body.empty());
}

TEST(Pathological, UnclosedDeepInlineTags) {
  std::string html;
  for (int i = 0; i < 50000; ++i) html += "<span><b><i>";
  html += "text";
  Page p = ExtractPage(html, "", "");
  EXPECT_TRUE(HasDiagnostic(p.article, "nesting depth capped"));
}

TEST(Pathological, HugeInputIsTruncated) {
  std::string para =
      "<p>아주 긴 문서의 한 문단입니다. 같은 내용이 계속 반복되고, 입력은 잘려야 합니다.</p>\n";
  std::string html = "<html><body><div class='article_body'>";
  while (html.size() < (50u << 20)) html += para;
  Page p = ExtractPage(html, "", "");
  EXPECT_TRUE(HasDiagnostic(p.article, "input truncated at 8388608 bytes"));
  ExtractOptions small;
  small.max_input_bytes = 100000;
  Page q = ExtractPage(html, "", "", small);
  EXPECT_TRUE(HasDiagnostic(q.article, "input truncated at 100000 bytes"));
  EXPECT_TRUE(q.article.is_article);
  EXPECT_LT(q.article.body.size(), 100000u);
  EXPECT_GT(q.article.body.size(), 50000u);
}

// Tags beyond max_tags are dropped before Gumbo, text kept: the tag
// cursor stops where it is, whatever follows.
TEST(Pathological, TagsBeyondTheCapAreDroppedAndTheirTextKept) {
  internal::PrefilterResult pre;
  internal::Prefilter("<p>a</p><p>b</p><p>c</p>", {.max_depth = 256, .max_tags = 3}, &pre);
  EXPECT_EQ(pre.html, "<p>a</p><p>bc");
  EXPECT_EQ(pre.count_capped_tags, 3u);
  internal::Prefilter("<p>a</p><p>b</p><p>c</p>", {.max_depth = 256, .max_tags = 6}, &pre);
  EXPECT_EQ(pre.html, "<p>a</p><p>b</p><p>c</p>");
  EXPECT_EQ(pre.count_capped_tags, 0u);
}

// The depth guard's estimate closes optional end tags as the tree builder
// would (<li> closes <li>, <td> or <tr> closes a cell, <div> closes <p>,
// <dd> closes <dt>), matches names case-insensitively on their first 15
// bytes, and nothing else: a longer name or a near miss nests.
TEST(Pathological, DepthGuardClosesOptionalEndTagsByName) {
  auto capped = [](const std::string& html) {
    internal::PrefilterResult pre;
    internal::Prefilter(html, {.max_depth = 8, .max_tags = 100000}, &pre);
    return pre.depth_capped_tags;
  };
  auto repeat = [](std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  EXPECT_EQ(capped("<ul>" + repeat("<li>x", 50)), 0u);
  EXPECT_EQ(capped("<UL>" + repeat("<Li>x", 50)), 0u);
  EXPECT_EQ(capped("<table><tr>" + repeat("<td>a<th>b", 50)), 0u);
  EXPECT_EQ(capped("<table>" + repeat("<tr>a", 50)), 0u);
  EXPECT_EQ(capped("<dl>" + repeat("<dt>a<dd>b", 50)), 0u);
  EXPECT_EQ(capped(repeat("<p>a<div>b</div>", 50)), 0u);
  EXPECT_EQ(capped(repeat("<p>a<hr>", 50)), 0u);
  EXPECT_EQ(capped("<select>" + repeat("<option>a", 50)), 0u);
  EXPECT_EQ(capped(repeat("<a href=x>a", 50)), 0u);
  // Not closed by another of their kind: these nest.
  EXPECT_EQ(capped(repeat("<div>", 50)), 42u);
  EXPECT_EQ(capped(repeat("<p><span>a", 50)), 92u);
  EXPECT_EQ(capped(repeat("<lix>a", 50)), 42u);
  EXPECT_EQ(capped(repeat("<blockquotexyz>a", 50)), 42u);
  // An end tag closes the open element of its name (first 15 bytes) and
  // everything opened after it.
  EXPECT_EQ(capped(repeat("<div><span><b>a</DIV>", 50)), 0u);
  EXPECT_EQ(capped(repeat("<abcdefghijklmnopq><i>a</abcdefghijklmnoXYZ>", 50)), 0u);
  // Void and self-closing tags never open.
  EXPECT_EQ(capped("<div>" + repeat("<br><img src=x><input><span/>", 50)), 0u);
}

TEST(Pathological, ManyTagsAreCappedAndTheArticleSurvives) {
  std::string html = ArticleHtml();
  std::string links = "<div class='link-farm'>";
  for (int i = 0; i < 150000; ++i) links += "<a href='/m/" + std::to_string(i) + "'>x</a>";
  links += "</div>";
  html.insert(html.rfind("</body>"), links);
  Page capped = ExtractPage(html, "https://x.example/a", "");
  EXPECT_TRUE(HasDiagnostic(capped.article, "tag count capped at 100000"));
  Page plain = ExtractPage(ArticleHtml(), "https://x.example/a", "");
  EXPECT_TRUE(capped.article.is_article);
  EXPECT_EQ(capped.article.body, plain.article.body);
  EXPECT_EQ(capped.article.title, plain.article.title);
  // The links before the cap are kept, those after it are text now.
  EXPECT_GT(capped.links.size(), 1000u);
  EXPECT_LT(capped.links.size(), 50000u + plain.links.size());
}

// Text placeholders (internal/textrun.h): a page whose placeholder the
// tree builder drops (a <div> inside <select> is ignored, its attribute
// with it) is parsed again without them, and comes out as a page that
// never had them.
TEST(Pathological, PlaceholderDroppedByTheParserMeansAPlainParse) {
  std::string form = "<form><select><option>one</option><div class='dropped-by-gumbo'>x</div></select></form>";
  std::string html = ArticleHtml();
  html.insert(html.rfind("</body>"), form);
  Page p = ExtractPage(html, "https://x.example/a", "");
  EXPECT_TRUE(HasDiagnostic(p.article, "parse: parsed again without text placeholders"));
  Page plain = ExtractPage(ArticleHtml(), "https://x.example/a", "");
  EXPECT_FALSE(HasDiagnostic(plain.article, "parse: parsed again"));
  EXPECT_TRUE(p.article.is_article);
  EXPECT_EQ(p.article.body, plain.article.body);
  EXPECT_EQ(p.article.title, plain.article.title);
  EXPECT_EQ(p.article.body.find("\xF3\xB0"), std::string::npos);
  EXPECT_EQ(p.links.size(), plain.links.size());
}

TEST(Pathological, NulBytes) {
  std::string html = ArticleHtml();
  for (size_t i = 100; i < html.size(); i += 97) html[i] = '\0';
  Page p = ExtractPage(html, "", "");
  EXPECT_EQ(p.article.body.find('\0'), std::string::npos);
  EXPECT_EQ(p.article.title.find('\0'), std::string::npos);
  std::string zeros(1 << 20, '\0');
  Page q = ExtractPage(zeros, "", "");
  EXPECT_FALSE(q.article.is_article);
  EXPECT_TRUE(q.article.body.empty());
}

TEST(Pathological, OnlyScript) {
  std::string html = "<script>";
  for (int i = 0; i < 100000; ++i) html += "var a = '<div><p>not text</p></div>';\n";
  Page p = ExtractPage(html, "", "");
  EXPECT_FALSE(p.article.is_article);
  EXPECT_TRUE(p.article.body.empty());
  EXPECT_TRUE(p.article.title.empty());
}

TEST(Pathological, EmptyAndGarbage) {
  Page e = ExtractPage("", "", "");
  EXPECT_FALSE(e.article.is_article);
  EXPECT_TRUE(e.links.empty());
  std::string garbage;
  for (int i = 0; i < 200000; ++i) garbage.push_back(static_cast<char>((i * 7919) % 256));
  Page g = ExtractPage(garbage, "not a url", "text/html; charset=bogus");
  EXPECT_FALSE(g.article.charset.empty());
  Page c = ExtractPage("<!-- never closed <p>hidden</p>", "", "");
  EXPECT_TRUE(c.article.body.empty());
  Page t = ExtractPage("<div title='unterminated><p>x</p>", "", "");
  EXPECT_FALSE(t.article.is_article);
}


// Issue 3 body rules, one case each.
std::string Para(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(BodyRules, DatelineIsCutAndTheRestOfTheParagraphKept) {
  EXPECT_EQ(internal::StripDateline("(서울=연합뉴스) 홍길동 기자 = 정부가 발표했다."), "정부가 발표했다.");
  EXPECT_EQ(internal::StripDateline("[서울=뉴시스] 김철수 기자 = 수출이 늘었다."), "수출이 늘었다.");
  EXPECT_EQ(internal::StripDateline("[산업일보] 반도체 장비 수주가 늘었다."), "반도체 장비 수주가 늘었다.");
  EXPECT_EQ(internal::StripDateline("워싱턴=홍길동 특파원 = 미국이 발표했다."), "미국이 발표했다.");
  // Not a dateline: a bracket that is neither an agency nor a place=agency.
  EXPECT_EQ(internal::StripDateline("[속보] 금리가 올랐다."), "[속보] 금리가 올랐다.");
  EXPECT_EQ(internal::StripDateline("(주)삼성은 발표했다."), "(주)삼성은 발표했다.");
}

TEST(BodyRules, LeadingDeckDroppedCrossheadKept) {
  std::string prose = Para("반도체 수출이 다시 늘어나면서 업계의 기대가 커지고 있다. ", 6);
  std::string html = "<html lang=ko><body><div class=article_body>"
                     "<h2>부제목은 본문이 아니다</h2>"
                     "<p>(서울=연합뉴스) 홍길동 기자 = " + prose + "</p>"
                     "<h3>소제목은 본문이다</h3><p>" + prose + "</p>"
                     "<p>문의 : 산업부 044-000-0000</p></div></body></html>";
  Page p = ExtractPage(html, "https://x.example/a", "");
  ASSERT_TRUE(p.article.is_article);
  EXPECT_EQ(p.article.body.find("부제목"), std::string::npos) << p.article.body;
  EXPECT_NE(p.article.body.find("소제목은 본문이다"), std::string::npos) << p.article.body;
  EXPECT_EQ(p.article.body.find("연합뉴스"), std::string::npos) << p.article.body;
  EXPECT_EQ(p.article.body.rfind("반도체", 0), 0u) << p.article.body;
  EXPECT_EQ(p.article.body.find("문의"), std::string::npos) << p.article.body;
}

TEST(BodyRules, PhotoBoxTextIsACaption) {
  std::string prose = Para("데이터센터 전력 수요가 빠르게 늘고 있다는 분석이 나온다. ", 4);
  std::string html = "<html><body><div id=article_body><div class=art_img><img src=a.jpg>"
                     "<p>서울의 한 데이터센터 내부. [자료사진]</p></div><p>" + prose + "</p><p>" +
                     prose + "</p></div></body></html>";
  Page p = ExtractPage(html, "", "");
  ASSERT_TRUE(p.article.is_article);
  EXPECT_EQ(p.article.body.find("자료사진"), std::string::npos) << p.article.body;
  ASSERT_FALSE(p.article.captions.empty());
  EXPECT_NE(p.article.captions[0].find("자료사진"), std::string::npos);
}

TEST(BodyRules, TextSplitOverSiblingBlocksIsJoined) {
  std::string a = Para("The first block of the story has several sentences, commas, and facts. ", 3);
  std::string b = Para("The second block continues the same story after an advert slot, again. ", 3);
  std::string html = "<html><body><div class=story><div class=card><div class=card-text><p>" + a +
                     "</p></div></div><div class=card><div class=card-text><p>" + b +
                     "</p></div></div></div><div class=sidebar><p>" + a + "</p></div></body></html>";
  Page p = ExtractPage(html, "", "");
  ASSERT_TRUE(p.article.is_article);
  EXPECT_NE(p.article.body.find("first block"), std::string::npos) << p.article.body;
  EXPECT_NE(p.article.body.find("second block"), std::string::npos) << p.article.body;
}

TEST(BodyRules, CommentBoxIsNotTheArticle) {
  std::string art = Para("기사 본문 문장이 이어진다, 정책 논쟁이 계속된다. ", 12);
  std::string cmt = Para("댓글 내용이 길게 이어지는데 이것은 기사가 아니다, 의견일 뿐이다. ", 4);
  std::string html = "<html><body><div class=content><p>" + art + "</p><p>" + art + "</p></div>"
                     "<div id=comments><div class=content><p>" + cmt + "</p></div></div></body></html>";
  Page p = ExtractPage(html, "", "");
  EXPECT_NE(p.article.body.find("기사 본문"), std::string::npos) << p.article.body;
  EXPECT_EQ(p.article.body.find("댓글 내용"), std::string::npos) << p.article.body;
}

TEST(Metadata, UtcTimeShownInKstAndAffiliationDropped) {
  std::string prose = Para("플랫폼 규제를 둘러싼 논쟁이 이어지고 있다. ", 8);
  std::string html = "<html lang=ko><head><meta property=\"article:published_time\" "
                     "content=\"2025-02-05T21:00:00Z\"><meta name=author content=\"김도현 한국대 "
                     "교수·컴퓨터공학\"><meta property=\"og:article:author\" content=\"연합뉴스\">"
                     "</head><body><div class=article-body><p>" + prose + "</p><p>" + prose +
                     "</p></div></body></html>";
  Page p = ExtractPage(html, "", "");
  EXPECT_EQ(p.article.published, "2025-02-06T06:00:00+09:00");
  EXPECT_EQ(p.article.authors, std::vector<std::string>{"김도현"});
}

TEST(PageType, ListPageHasNoDateNorAuthor) {
  std::string html = "<html><body><ul class=news-list>";
  for (int i = 0; i < 20; ++i) {
    html += "<li><a href=\"/a/" + std::to_string(i) + "\">기사 제목 번호 " + std::to_string(i) +
            " 입니다</a> 홍길동 기자 2025.02.06 15:15</li>";
  }
  html += "</ul></body></html>";
  Page p = ExtractPage(html, "", "");
  EXPECT_FALSE(p.article.is_article);
  EXPECT_TRUE(p.article.body.empty());
  EXPECT_TRUE(p.article.published.empty());
  EXPECT_TRUE(p.article.authors.empty());
}

}  // namespace
}  // namespace jikji::parser
