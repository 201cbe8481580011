#include "url/url.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "url/internal/resolve.h"

namespace jikji::url {
namespace {

// Parses `input` and returns its serialization, or "FAIL".
std::string P(std::string_view input) {
  auto u = Parse(input);
  return u.ok() ? u->Serialize() : "FAIL";
}

// Resolves `ref` against `base` and serializes, or "FAIL".
std::string R(std::string_view base, std::string_view ref) {
  auto b = Parse(base);
  if (!b.ok()) return "BASE-FAIL";
  auto u = Resolve(*b, ref);
  return u.ok() ? u->Serialize() : "FAIL";
}

std::string N(std::string_view input, const NormalizeOptions& options = {}) {
  auto s = NormalizeString(input, options);
  return s.ok() ? *s : "FAIL";
}

TEST(UrlParseTest, Components) {
  auto u = Parse("HTTPS://User:Pw@WWW.Example.COM:8443/a/b?x=1#frag");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->username, "User");
  EXPECT_EQ(u->password, "Pw");
  EXPECT_EQ(u->host, "www.example.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->path, "/a/b");
  EXPECT_TRUE(u->has_query);
  EXPECT_EQ(u->query, "x=1");
  EXPECT_TRUE(u->has_fragment);
  EXPECT_EQ(u->fragment, "frag");
  EXPECT_FALSE(u->opaque);
  EXPECT_EQ(u->HostPort(), "www.example.com:8443");
  EXPECT_EQ(u->Origin(), "https://www.example.com:8443");
  EXPECT_EQ(u->PathAndQuery(), "/a/b?x=1");
  EXPECT_EQ(u->EffectivePort(), 8443);
  EXPECT_TRUE(u->IsHttp());
  EXPECT_EQ(u->Serialize(), "https://User:Pw@www.example.com:8443/a/b?x=1#frag");
}

TEST(UrlParseTest, DefaultPortDropped) {
  auto u = Parse("http://example.com:80/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, -1);
  EXPECT_EQ(u->EffectivePort(), 80);
  EXPECT_EQ(P("https://example.com:443"), "https://example.com/");
  EXPECT_EQ(P("https://example.com:80/"), "https://example.com:80/");
}

TEST(UrlParseTest, Failures) {
  EXPECT_EQ(P(""), "FAIL");
  EXPECT_EQ(P("/relative/only"), "FAIL");
  EXPECT_EQ(P("http://"), "FAIL");
  EXPECT_EQ(P("http://exa mple.com/"), "FAIL");
  EXPECT_EQ(P("http://example.com:99999/"), "FAIL");
  EXPECT_EQ(P("http://example.com:8a/"), "FAIL");
  EXPECT_EQ(P("http://[::1/"), "FAIL");
  EXPECT_EQ(P("http://user@/"), "FAIL");
  auto bad = Parse("http://exa<mple.com/");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalidArgument());
}

TEST(UrlParseTest, WhitespaceTrimmedAndTabsRemoved) {
  EXPECT_EQ(P("  http://exa\tmple.com/a\nb  "), "http://example.com/ab");
}

TEST(UrlParseTest, BackslashesAndSlashes) {
  EXPECT_EQ(P("http:\\\\example.com\\a\\b"), "http://example.com/a/b");
  EXPECT_EQ(P("http:example.com/x"), "http://example.com/x");
  EXPECT_EQ(P("https:////example.com///x"), "https://example.com///x");
}

TEST(UrlParseTest, Ipv4Forms) {
  EXPECT_EQ(P("http://0x7f.1/"), "http://127.0.0.1/");
  EXPECT_EQ(P("http://2130706433/"), "http://127.0.0.1/");
  EXPECT_EQ(P("http://0177.0.0.1/"), "http://127.0.0.1/");
  EXPECT_EQ(P("http://192.168.1.1./"), "http://192.168.1.1/");
  EXPECT_EQ(P("http://256.0.0.1/"), "FAIL");
  EXPECT_EQ(P("http://1.2.3.4.5/"), "FAIL");
  EXPECT_EQ(P("http://4294967296/"), "FAIL");
  EXPECT_EQ(P("http://1.2.3.09/"), "FAIL");  // "09" is bad octal
  EXPECT_EQ(P("http://example.1com/"), "http://example.1com/");
}

TEST(UrlParseTest, Ipv6) {
  EXPECT_EQ(P("http://[0:0:0:0:0:0:0:1]:8080/"), "http://[::1]:8080/");
  EXPECT_EQ(P("http://[2001:DB8:0:0:1:0:0:1]/"), "http://[2001:db8::1:0:0:1]/");
  EXPECT_EQ(P("http://[::ffff:192.168.0.1]/"), "http://[::ffff:c0a8:1]/");
  EXPECT_EQ(P("http://[1:2:3:4:5:6:7:8:9]/"), "FAIL");
  EXPECT_EQ(P("http://[::1::2]/"), "FAIL");
  auto u = Parse("http://[::1]/x");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "[::1]");
}

TEST(UrlParseTest, IdnaHangulHost) {
  EXPECT_EQ(P("http://한국.kr/"), "http://xn--3e0b707e.kr/");
  EXPECT_EQ(P("http://BÜCHER.de/"), "http://xn--bcher-kva.de/");
  // Full-width dot and letters are mapped by UTS #46.
  EXPECT_EQ(P("http://ｅｘａｍｐｌｅ。com/"), "http://example.com/");
  // Percent-encoded UTF-8 in the host is decoded before IDNA.
  EXPECT_EQ(P("http://%ED%95%9C%EA%B5%AD.kr/"), "http://xn--3e0b707e.kr/");
  EXPECT_EQ(P("http://xn--a.com/"), "http://xn--a.com/");  // ASCII: not re-validated
  EXPECT_EQ(P("http://\xED\x95\x9C\xFF.kr/"), "FAIL");  // invalid UTF-8 in a host
}

TEST(UrlParseTest, KoreanPathQueryFragmentEncodedAsUtf8) {
  EXPECT_EQ(P("https://www.msit.go.kr/정책/보도자료?검색어=인공지능&page=2#본문"),
            "https://www.msit.go.kr/%EC%A0%95%EC%B1%85/%EB%B3%B4%EB%8F%84%EC%9E%90%EB%A3%8C"
            "?%EA%B2%80%EC%83%89%EC%96%B4=%EC%9D%B8%EA%B3%B5%EC%A7%80%EB%8A%A5&page=2"
            "#%EB%B3%B8%EB%AC%B8");
  // Already-encoded input is left as is (no double encoding).
  EXPECT_EQ(P("https://a.kr/%EC%A0%95%EC%B1%85"), "https://a.kr/%EC%A0%95%EC%B1%85");
}

TEST(UrlParseTest, PercentEncodeSets) {
  EXPECT_EQ(P("http://a/ \"<>`{}^|"), "http://a/%20%22%3C%3E%60%7B%7D%5E|");
  EXPECT_EQ(P("http://a/?q= \"<>'`"), "http://a/?q=%20%22%3C%3E%27`");
  EXPECT_EQ(P("http://a/# \"<>`'"), "http://a/#%20%22%3C%3E%60'");
  // Non-special scheme: "'" stays in the query.
  EXPECT_EQ(P("foo://a/?'"), "foo://a/?'");
}

TEST(UrlParseTest, DotSegments) {
  EXPECT_EQ(P("http://a/b/c/./../../g"), "http://a/g");
  EXPECT_EQ(P("http://a/b/%2e%2E/c"), "http://a/c");
  EXPECT_EQ(P("http://a/b/.."), "http://a/");
  EXPECT_EQ(P("http://a/../../x"), "http://a/x");
}

TEST(UrlParseTest, OpaqueSchemes) {
  auto m = Parse("mailto:someone@example.com");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->opaque);
  EXPECT_FALSE(m->IsHttp());
  EXPECT_EQ(m->path, "someone@example.com");
  EXPECT_EQ(m->Serialize(), "mailto:someone@example.com");
  auto j = Parse("javascript:void(0)");
  ASSERT_TRUE(j.ok());
  EXPECT_TRUE(j->opaque);
  EXPECT_EQ(j->scheme, "javascript");
  EXPECT_EQ(P("tel:+82-2-123-4567"), "tel:+82-2-123-4567");
}

TEST(UrlParseTest, FileUrls) {
  EXPECT_EQ(P("file:///tmp/x.txt"), "file:///tmp/x.txt");
  EXPECT_EQ(P("file://localhost/etc"), "file:///etc");
  EXPECT_EQ(P("file:c:\\foo"), "file:///c:/foo");
}

// RFC 3986 section 5.4: every normal and abnormal example.
TEST(UrlResolveTest, Rfc3986Examples) {
  const std::string base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g/"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {"g?y#s", "http://a/b/c/g?y#s"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y#s"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
      // 5.4.2 abnormal examples.
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"g?y/../x", "http://a/b/c/g?y/../x"},
      {"g#s/./x", "http://a/b/c/g#s/./x"},
      {"g#s/../x", "http://a/b/c/g#s/../x"},
      // "http:g" is the WHATWG (and RFC "backward compatible") reading.
      {"http:g", "http://a/b/c/g"},
  };
  for (const auto& [ref, expected] : cases) {
    EXPECT_EQ(R(base, ref), expected) << "reference: " << ref;
  }
}

TEST(UrlResolveTest, CrawlerLinks) {
  EXPECT_EQ(R("https://www.etnews.com/news/section.html?id1=03", "/20240101000123"),
            "https://www.etnews.com/20240101000123");
  EXPECT_EQ(R("https://www.etnews.com/news/", "view.html?idx=1&page=2"),
            "https://www.etnews.com/news/view.html?idx=1&page=2");
  EXPECT_EQ(R("https://a.kr/x/y", "//cdn.a.kr/img.png"), "https://cdn.a.kr/img.png");
  EXPECT_EQ(R("https://a.kr/x/y", "  ../기사/1  "), "https://a.kr/%EA%B8%B0%EC%82%AC/1");
  EXPECT_EQ(R("https://a.kr/x/y", "#top"), "https://a.kr/x/y#top");
  EXPECT_EQ(R("https://a.kr/x/y", "javascript:void(0)"), "javascript:void(0)");
  EXPECT_EQ(R("mailto:a@b", "x"), "FAIL");
  EXPECT_EQ(R("mailto:a@b", "#x"), "mailto:a@b#x");
}

TEST(UrlNormalizeTest, FragmentDropped) {
  EXPECT_EQ(N("https://a.kr/news/1#top"), "https://a.kr/news/1");
  EXPECT_EQ(N("https://a.kr/news/1#"), "https://a.kr/news/1");
  EXPECT_EQ(N("https://a.kr/news/1?x=1#top"), "https://a.kr/news/1?x=1");
  NormalizeOptions keep;
  keep.drop_fragment = false;
  EXPECT_EQ(N("https://a.kr/news/1#top", keep), "https://a.kr/news/1#top");
  // Every '#top' variant names the same resource.
  EXPECT_EQ(N("https://a.kr/news/1#top"), N("https://a.kr/news/1#content"));
}

TEST(UrlNormalizeTest, TrackingParamsStripped) {
  EXPECT_EQ(N("https://a.kr/v?id=7&utm_source=fb&utm_medium=social&fbclid=XYZ"),
            "https://a.kr/v?id=7");
  EXPECT_EQ(N("https://a.kr/v?utm_campaign=x"), "https://a.kr/v");
  EXPECT_EQ(N("https://a.kr/v?gclid=1&a=1&_ga=2&b=2"), "https://a.kr/v?a=1&b=2");
  // Names merely beginning like a tracking name are kept.
  EXPECT_EQ(N("https://a.kr/v?utmost=1&fbclid2=1"), "https://a.kr/v?utmost=1&fbclid2=1");
  NormalizeOptions custom;
  custom.strip_params = {"sid", "sess*"};
  EXPECT_EQ(N("https://a.kr/v?sid=1&session_id=2&utm_source=x", custom),
            "https://a.kr/v?utm_source=x");
}

TEST(UrlNormalizeTest, PercentEncodingCanonical) {
  EXPECT_EQ(N("http://foo.com/%66oo.htm%6c"), "http://foo.com/foo.html");
  EXPECT_EQ(N("http://foo.com/%7euser/%c0"), "http://foo.com/~user/%C0");
  EXPECT_EQ(N("http://foo.com/a%2fb"), "http://foo.com/a%2Fb");  // reserved stays encoded
  EXPECT_EQ(N("http://foo.com/?q=c%2b%2b&r=%41"), "http://foo.com/?q=c%2B%2B&r=A");
  EXPECT_EQ(N("https://a.kr/%ec%a0%95%ec%b1%85"), "https://a.kr/%EC%A0%95%EC%B1%85");
  EXPECT_EQ(N("https://a.kr/정책"), N("https://a.kr/%ec%a0%95%ec%b1%85"));
  EXPECT_EQ(N("http://foo.com/100%"), "http://foo.com/100%25");
}

TEST(UrlNormalizeTest, EmptyQueryDroppedAndSort) {
  EXPECT_EQ(N("http://example.com?"), "http://example.com/");
  EXPECT_EQ(N("http://example.com/?&&"), "http://example.com/");
  EXPECT_EQ(N("http://e.com/?b=2&a=1"), "http://e.com/?b=2&a=1");
  NormalizeOptions sorted;
  sorted.sort_query = true;
  EXPECT_EQ(N("http://e.com/?b=2&a=1&a=0", sorted), "http://e.com/?a=1&a=0&b=2");
}

TEST(UrlNormalizeTest, InvalidInputIsAnError) {
  EXPECT_FALSE(NormalizeString("https://example%2Xcom/").ok());
  EXPECT_FALSE(NormalizeString("not a url").ok());
}

TEST(UrlSurtTest, Keys) {
  auto u = Parse("https://www.etoday.co.kr/news/view/1?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(SurtKey(*u), "kr,co,etoday,www)/news/view/1?x=1");
  auto h = Parse("http://www.etoday.co.kr/");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(SurtKey(*h), "http:kr,co,etoday,www)/");
  auto p = Parse("https://a.kr:8443/x");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(SurtKey(*p), "kr,a:8443)/x");
  auto ip = Parse("https://127.0.0.1/x");
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(SurtKey(*ip), "127.0.0.1)/x");
  // Keys of one site share a prefix.
  auto a = Parse("https://www.etoday.co.kr/a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(SurtKey(*a).rfind("kr,co,etoday,www)", 0), 0u);
}

TEST(UrlSiteTest, SiteOfHost) {
  EXPECT_EQ(SiteOfHost("www.etnews.com"), "etnews.com");
  EXPECT_EQ(SiteOfHost("m.etnews.com"), "etnews.com");
  EXPECT_EQ(SiteOfHost("news.etnews.com"), "news.etnews.com");
  EXPECT_EQ(SiteOfHost("WWW.Example.KR"), "example.kr");
  EXPECT_EQ(SiteOfHost("www.com"), "www.com");
}

// The shortcut of internal::ResolveSimple must agree with the full parser on
// everything it accepts. Bases and references are built from pieces that
// sit on the edges of its rules (dot segments, "%2e", ':' before the first
// '/', other ports and schemes, credentials, characters to encode).
TEST(UrlResolveSimpleTest, AgreesWithTheParser) {
  const std::vector<std::string> bases = {
      "http://a.kr/", "http://a.kr/news/view?id=1#c", "https://a.kr:8443/x/y/z.html",
      "http://127.0.0.1:18080/news/list/", "https://a.kr/dir/", "http://u:p@a.kr/x",
      "http://a.kr:80/x/y", "https://a.kr/%EC%95%84/b"};
  const std::vector<std::string> heads = {
      "", "/", "//", "/a", "/a/b", "/a/./b", "/a/../b", "/.", "/..", "/%2e/x", "/%2E%2e/x", "a/b",
      "./a", "../a", ".", "..", "a:b", "mailto:x", "http:g", "http://a.kr", "http://a.kr/z",
      "https://a.kr:8443/z", "https://a.kr:84430/z", "https://a.kr:8443", "http://127.0.0.1:18080/n",
      "http://127.0.0.1:1808/n", "http://A.kr/z", "HTTP://a.kr/z", "http://b.kr/z", "http://a.kr:80/z",
      "x.html", "뉴스/1", "/a b", "/a\tb", "/a\\b", "/a|b", "/{x}", "/a'b", "/a`b", "/a^b", "/~u/",
      "/%41%zz", " /lead", "/trail ", "/a;b=c,d", "/a@b:c"};
  const std::vector<std::string> tails = {"", "?", "?q=1", "?q='x'", "?a=/b?c", "#", "#f",
                                          "?q#f#g", "#f?x", "?q=%2e", "?q=<x>", "#`x`"};
  int simple = 0;
  int total = 0;
  for (const std::string& b : bases) {
    auto base = Parse(b);
    ASSERT_TRUE(base.ok()) << b;
    for (const std::string& h : heads) {
      for (const std::string& t : tails) {
        std::string ref = h + t;
        ++total;
        // The serialized variant: the same answer, taken in the same cases.
        auto resolved = Resolve(*base, ref);
        auto serialized = ResolveSerialized(*base, ref);
        ASSERT_EQ(serialized.ok(), resolved.ok()) << b << " + " << ref;
        if (resolved.ok()) {
          EXPECT_EQ(*serialized, resolved->Serialize()) << b << " + " << ref;
        }
        Url fast;
        std::string fast_string;
        const bool taken = internal::ResolveSimple(*base, ref, &fast);
        EXPECT_EQ(internal::ResolveSimpleSerialized(*base, ref, &fast_string), taken) << b << " + " << ref;
        if (!taken) continue;
        EXPECT_EQ(fast_string, fast.Serialize()) << b << " + " << ref;
        ++simple;
        auto full = internal::ResolveFull(*base, ref);
        ASSERT_TRUE(full.ok()) << b << " + " << ref;
        EXPECT_EQ(fast.Serialize(), full->Serialize()) << b << " + " << ref;
        EXPECT_EQ(fast.path, full->path) << b << " + " << ref;
        EXPECT_EQ(fast.has_query, full->has_query) << b << " + " << ref;
        EXPECT_EQ(fast.has_fragment, full->has_fragment) << b << " + " << ref;
      }
    }
  }
  // The shortcut is taken for a fair share of these (704 of 4,416 when
  // written), and not for all.
  EXPECT_GT(simple, total / 8);
  EXPECT_LT(simple, total);
}

TEST(UrlResolutionScopeTest, Parts) {
  const std::string base = "https://u:p@a.kr:8443/news/view?id=1#c";
  EXPECT_EQ(ResolutionScope(base, "http://b.kr/x"), "");
  EXPECT_EQ(ResolutionScope(base, "https://b.kr/x"), "");
  EXPECT_EQ(ResolutionScope(base, "/x"), "https://u:p@a.kr:8443");
  EXPECT_EQ(ResolutionScope(base, "\\x"), "https://u:p@a.kr:8443");
  EXPECT_EQ(ResolutionScope(base, "//b.kr/x"), "https://u:p@a.kr:8443");
  EXPECT_EQ(ResolutionScope(base, "x.html"), base);
  EXPECT_EQ(ResolutionScope(base, "?q"), base);
  EXPECT_EQ(ResolutionScope(base, " /x"), base);
  EXPECT_EQ(ResolutionScope(base, "HTTP://b.kr/x"), base);  // not recognised: the whole base
  EXPECT_EQ(ResolutionScope(base, "http:x"), base);
  EXPECT_EQ(ResolutionScope("mailto:a@b.kr", "/x"), "mailto:a@b.kr");
  EXPECT_EQ(ResolutionScope("file:///a/b", "/x"), "file:///a/b");
}

// What the scope promises: one reference resolved against any two bases of
// equal scope gives the same result. Bases share origins and differ in
// path, query, fragment, scheme, port and credentials; references are the
// resolver's edge cases, with tabs and backslashes where the parser reads a
// second slash.
TEST(UrlResolutionScopeTest, EqualScopesResolveAlike) {
  const std::vector<std::string> bases = {
      "http://a.kr/", "http://a.kr/news/view?id=1#c", "http://a.kr/news/list/", "http://a.kr/x/y/z.html",
      "https://a.kr/news/view?id=1", "https://a.kr/", "http://a.kr:8080/news/", "http://u:p@a.kr/x",
      "http://u@a.kr/y/", "http://b.kr/news/view", "http://127.0.0.1:18080/news/list/page/2.html",
      "http://127.0.0.1:18080/", "https://a.kr/%EC%95%84/b?q#f"};
  const std::vector<std::string> refs = {
      "", "/", "//", "/a", "/a/../b", "/..", "/%2e%2e/x", "//b.kr/z", "/\\b.kr/z", "\\\\b.kr/z", "/\t/b.kr/z",
      "/\n/b.kr", "\\x", "a/b", "../a", "?q", "#f", "http://a.kr/z", "https://a.kr/z", "http://b.kr",
      "https://a.kr:8443/z", "http:g", "https:g", "http:/g", "http://", "https://[::1]/x", "http://a b/",
      "/a b?x=<y>#z", "/뉴스/1", "/a\tb", " /lead", "\t/x", "mailto:x", "HTTP://a.kr/z"};
  int compared = 0;
  for (const std::string& ref : refs) {
    // scope -> (base, result) of the first base with that scope.
    std::map<std::string, std::pair<std::string, std::string>> first;
    for (const std::string& b : bases) {
      auto base = Parse(b);
      ASSERT_TRUE(base.ok()) << b;
      const std::string serialized = base->Serialize();
      auto r = Resolve(*base, ref);
      std::string result = r.ok() ? r->Serialize() : "error: " + r.status().ToString();
      std::string scope(ResolutionScope(serialized, ref));
      auto [it, inserted] = first.try_emplace(scope, serialized, result);
      if (inserted) continue;
      ++compared;
      EXPECT_EQ(result, it->second.second)
          << "ref '" << ref << "' scope '" << scope << "': " << serialized << " vs " << it->second.first;
    }
  }
  // Most references share a scope between some bases (the test compares).
  EXPECT_GT(compared, 100);
}

TEST(UrlResolveSimpleTest, TakesTheCommonLinks) {
  auto base = Parse("http://127.0.0.1:18080/news/list/page/2.html");
  ASSERT_TRUE(base.ok());
  Url out;
  for (std::string_view ref : {"/news/articleView/1.html", "3.html", "?page=3", "#top",
                               "http://127.0.0.1:18080/news/articleView/9.html?utm_source=x"}) {
    EXPECT_TRUE(internal::ResolveSimple(*base, ref, &out)) << ref;
  }
  for (std::string_view ref : {"http://127.0.0.2:18080/", "../up.html", "//cdn.kr/x", "mailto:a@b",
                               "/기사/1", "/a b"}) {
    EXPECT_FALSE(internal::ResolveSimple(*base, ref, &out)) << ref;
  }
}

}  // namespace
}  // namespace jikji::url
