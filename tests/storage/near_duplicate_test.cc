// Near-duplicate detection (storage/README.md "simhash"): the paragraph
// sketch as a second candidate source beside the permuted SimHash tables,
// shingle-Jaccard confirmation, Verify/repair of sketch entries, the
// schema 2 -> 3 migration and rebuild. Real RocksDB in temp directories.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "storage/archive.h"
#include "storage/internal/records.h"
#include "tests/storage/raw_db.h"
#include "tests/testing/paths.h"

namespace jikji::storage {
namespace {

using testing::TempDir;
constexpr int64_t kT0 = 1'700'000'000'000'000;
constexpr int kParagraphs = 20;

// A sentence of 12 words drawn from a 600-word vocabulary; `rng` decides.
std::string Sentence(std::mt19937_64& rng) {
  std::string out;
  for (int w = 0; w < 12; ++w) {
    if (w > 0) out += ' ';
    out += "말" + std::to_string(rng() % 600);
  }
  return out + ".";
}

// An article of kParagraphs paragraphs of two sentences each.
std::vector<std::vector<std::string>> Paragraphs(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<std::string>> out(kParagraphs);
  for (auto& p : out) p = {Sentence(rng), Sentence(rng)};
  return out;
}

std::string Join(const std::vector<std::vector<std::string>>& paragraphs) {
  std::string out;
  for (const auto& p : paragraphs) {
    if (!out.empty()) out += '\n';
    out += p[0] + " " + p[1];
  }
  return out;
}

// The article with sentence `s` of paragraph `p` replaced by a new one.
std::string EditOneSentence(uint64_t seed, int p, int s, uint64_t edit_seed) {
  auto paragraphs = Paragraphs(seed);
  std::mt19937_64 rng(edit_seed);
  paragraphs[p][s] = Sentence(rng);
  return Join(paragraphs);
}

int SimHashDistance(const std::string& a, const std::string& b) {
  return std::popcount(internal::SimHash(internal::NormalizeArticleText(a)) ^
                       internal::SimHash(internal::NormalizeArticleText(b)));
}

std::unique_ptr<Archive> OpenOrDie(const std::string& dir) {
  auto archive = Archive::Open(dir);
  EXPECT_TRUE(archive.ok()) << archive.status().ToString();
  return archive.ok() ? std::move(archive).value() : nullptr;
}

StoreResult StoreText(Archive& archive, const std::string& url, int64_t t,
                      const std::string& text) {
  Article a;
  a.url = url;
  a.is_article = true;
  a.title = "제목";
  a.body = text;
  Capture c;
  c.url = url;
  c.final_url = url;
  c.fetched_micros = t;
  c.http_status = 200;
  c.body = "<p>" + text + "</p>";
  auto r = archive.Store(c, &a);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : StoreResult();
}

using testing::WithRawDb;

// Keys of the sketch key space in the simhash CF.
std::vector<std::string> SketchKeys(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* simhash) {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), simhash));
  for (it->Seek(std::string(1, static_cast<char>(internal::kSketchSpace)));
       it->Valid() && it->key()[0] == internal::kSketchSpace; it->Next()) {
    out.push_back(it->key().ToString());
  }
  return out;
}

std::string UrlKeyOf(const std::string& url) {
  auto key = internal::MakeUrlKey(url);
  EXPECT_TRUE(key.ok());
  return key.ok() ? key->key : std::string();
}

// ---------------------------------------------------------------- records

TEST(ParagraphSketchTest, ShortParagraphsJoinTheNextLongOneAndTrailingOnesTheLast) {
  const std::string long1 = "가 나 다 라 마 바 사 아 자 차 카 타 파 하 거 너";  // 16 words
  const std::string long2 = "일 이 삼 사 오 육 칠 팔 구 십 백 천 만 억 조 경 해";
  const std::string text = "짧은 머리말\n" + long1 + "\n소제목\n" + long2 + "\n저작권자 무단 전재 금지";
  const auto segments = internal::TextSegments(text);
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[0], "짧은 머리말\n" + long1);
  EXPECT_EQ(segments[1], "소제목\n" + long2 + "\n저작권자 무단 전재 금지");
  EXPECT_EQ(internal::TextSegments("짧은 글\n또 짧은 글").size(), 1u);
  EXPECT_TRUE(internal::TextSegments("").empty());
  EXPECT_TRUE(internal::ParagraphSketch("").empty());

  const auto sketch = internal::ParagraphSketch(internal::NormalizeArticleText(Join(Paragraphs(1))));
  ASSERT_EQ(sketch.size(), internal::kSketchSize);
  EXPECT_TRUE(std::is_sorted(sketch.begin(), sketch.end()));
  // An edited sentence changes one segment: the sketches share >= 3 of 4.
  const auto edited = internal::ParagraphSketch(
      internal::NormalizeArticleText(EditOneSentence(1, 7, 1, 99)));
  std::vector<uint64_t> common;
  std::set_intersection(sketch.begin(), sketch.end(), edited.begin(), edited.end(),
                        std::back_inserter(common));
  EXPECT_GE(common.size(), internal::kSketchSize - 1);
}

// Shingles by definition: the words (split at ' ' and '\n', runs of them
// counting once) kShingleWords at a time, joined by one space, XXH3-64.
TEST(ParagraphSketchTest, ShingleSetMatchesItsDefinitionOnEverySeparatorLayout) {
  std::mt19937_64 rng(77);
  const std::string pieces[] = {"a", "bc", "인공지능", "GPU", "xyzzyxyzzy12", "반도체법", "7"};
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    std::vector<std::string> words;
    for (int w = static_cast<int>(rng() % 12); w > 0; --w) {
      std::string word;
      for (int k = 1 + static_cast<int>(rng() % 3); k > 0; --k) word += pieces[rng() % std::size(pieces)];
      int seps = static_cast<int>(rng() % 3) + (words.empty() ? 0 : 1);
      for (; seps > 0; --seps) text += " \n"[rng() % 2];
      text += word;
      words.push_back(word);
    }
    if (rng() % 2) text += '\n';
    std::vector<uint64_t> expected;
    const size_t n = words.size() < internal::kShingleWords ? (words.empty() ? 0 : 1)
                                                            : words.size() - internal::kShingleWords + 1;
    for (size_t k = 0; k < n; ++k) {
      std::string shingle;
      for (size_t j = k; j < std::min(words.size(), k + internal::kShingleWords); ++j) {
        if (j > k) shingle += ' ';
        shingle += words[j];
      }
      expected.push_back(XXH3_64bits(shingle.data(), shingle.size()));
    }
    std::sort(expected.begin(), expected.end());
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    ASSERT_EQ(internal::ShingleSet(text), expected) << ::testing::PrintToString(text);
  }
}

TEST(ParagraphSketchTest, JaccardOfShingleSets) {
  const std::string a = internal::NormalizeArticleText(Join(Paragraphs(1)));
  const std::string b = internal::NormalizeArticleText(Join(Paragraphs(2)));
  const auto sa = internal::ShingleSet(a);
  const auto sb = internal::ShingleSet(b);
  EXPECT_DOUBLE_EQ(internal::Jaccard(sa, sa), 1.0);
  EXPECT_LT(internal::Jaccard(sa, sb), 0.05);
  EXPECT_GT(internal::Jaccard(sa, internal::ShingleSet(internal::NormalizeArticleText(
                                      EditOneSentence(1, 7, 1, 99)))),
            0.9);
  EXPECT_DOUBLE_EQ(internal::Jaccard({}, {}), 0.0);
  // 3-word shingles over "a b c d": {abc, bcd}; "a b c": {abc}.
  EXPECT_DOUBLE_EQ(internal::Jaccard(internal::ShingleSet("a b c d"), internal::ShingleSet("a b c")),
                   0.5);
}

// ---------------------------------------------------------------- archive

TEST(NearDuplicateTest, OneSentenceEditInATwentyParagraphArticleIsLinked) {
  const std::string original = Join(Paragraphs(1));
  const std::string near = EditOneSentence(1, 7, 1, 99);
  // The whole-text SimHash alone would miss this pair: the sketch finds it.
  ASSERT_GT(SimHashDistance(original, near), internal::kNearDuplicateBits);
  TempDir tmp;
  auto archive = OpenOrDie(tmp.Sub("a"));
  ASSERT_NE(archive, nullptr);
  EXPECT_EQ(StoreText(*archive, "https://a.kr/1", kT0, original).near_duplicate_of, "");
  EXPECT_EQ(StoreText(*archive, "https://a.kr/2", kT0, Join(Paragraphs(2))).near_duplicate_of, "");
  StoreResult r = StoreText(*archive, "https://b.kr/9", kT0 + 1, near);
  EXPECT_EQ(r.outcome, StoreResult::Outcome::kNewArticle);
  EXPECT_EQ(r.near_duplicate_of, "https://a.kr/1");
  auto v = archive->GetArticle("https://b.kr/9");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->near_duplicate_of, "https://a.kr/1");
  EXPECT_EQ(v->article.body, near);  // keeps its own text
  // An exact copy is still an alias, not a near duplicate.
  StoreResult exact = StoreText(*archive, "https://c.kr/3", kT0 + 2, original);
  EXPECT_EQ(exact.outcome, StoreResult::Outcome::kExactDuplicate);
  EXPECT_EQ(exact.duplicate_of, "https://a.kr/1");
  // Edits in three different paragraphs: still one article (Jaccard high).
  auto paragraphs = Paragraphs(1);
  std::mt19937_64 rng(5);
  for (int p : {2, 9, 15}) paragraphs[p][0] = Sentence(rng);
  EXPECT_EQ(StoreText(*archive, "https://d.kr/4", kT0 + 3, Join(paragraphs)).near_duplicate_of,
            "https://a.kr/1");
  auto report = archive->Verify(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->problem_count, 0u) << (report->problems.empty() ? "" : report->problems[0]);
}


// The lookups go through prefix blooms: entries in SST files (written at
// close) and in the memtable are found alike, and whole scans (verify)
// still see every entry across prefixes.
TEST(NearDuplicateTest, FoundInFlushedFilesAndMemtableAlike) {
  TempDir tmp;
  {
    auto archive = OpenOrDie(tmp.Sub("a"));
    ASSERT_NE(archive, nullptr);
    for (int i = 1; i <= 20; ++i) {
      StoreText(*archive, "https://a.kr/" + std::to_string(i), kT0 + i, Join(Paragraphs(i)));
    }
  }  // closed: flushed to SST files
  auto archive = OpenOrDie(tmp.Sub("a"));
  ASSERT_NE(archive, nullptr);
  for (int i = 21; i <= 40; ++i) {
    StoreText(*archive, "https://a.kr/" + std::to_string(i), kT0 + i, Join(Paragraphs(i)));
  }
  // One edited sentence each: an original on disk, one in the memtable.
  EXPECT_EQ(StoreText(*archive, "https://b.kr/1", kT0 + 50, EditOneSentence(7, 3, 1, 5))
                .near_duplicate_of,
            "https://a.kr/7");
  EXPECT_EQ(StoreText(*archive, "https://b.kr/2", kT0 + 51, EditOneSentence(33, 11, 0, 6))
                .near_duplicate_of,
            "https://a.kr/33");
  // Unrelated texts stay unlinked.
  EXPECT_EQ(StoreText(*archive, "https://b.kr/3", kT0 + 52, Join(Paragraphs(99))).near_duplicate_of,
            "");
  auto report = archive->Verify(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->problem_count, 0u) << (report->problems.empty() ? "" : report->problems[0]);
  EXPECT_GT(report->records_checked, 43u * (internal::kSimHashTables + internal::kSketchSize));
}
TEST(NearDuplicateTest, SharingOneBoilerplateParagraphIsNotANearDuplicate) {
  const std::string a = Join(Paragraphs(1));
  const std::string b = Join(Paragraphs(2));
  // A 20-word paragraph whose segment hash is the smallest of both texts, so
  // it is in both sketches.
  const uint64_t min_a = internal::ParagraphSketch(internal::NormalizeArticleText(a)).front();
  const uint64_t min_b = internal::ParagraphSketch(internal::NormalizeArticleText(b)).front();
  std::string boilerplate;
  for (int i = 0; i < 100000 && boilerplate.empty(); ++i) {
    std::string p = "이 기사의 저작권은 신문사에 있으며 무단 전재 및 재배포를 금지합니다 문의는 독자센터 "
                    "대표전화로 연락 주시기 바랍니다 번호 " + std::to_string(i);
    const uint64_t h = internal::ParagraphSketch(p).front();
    if (h < min_a && h < min_b) boilerplate = p;
  }
  ASSERT_FALSE(boilerplate.empty());
  const std::string with_a = a + "\n" + boilerplate;
  const std::string with_b = b + "\n" + boilerplate;
  const auto sa = internal::ParagraphSketch(internal::NormalizeArticleText(with_a));
  const auto sb = internal::ParagraphSketch(internal::NormalizeArticleText(with_b));
  ASSERT_EQ(sa.front(), sb.front());  // the shared entry

  TempDir tmp;
  auto archive = OpenOrDie(tmp.Sub("a"));
  ASSERT_NE(archive, nullptr);
  EXPECT_EQ(StoreText(*archive, "https://a.kr/1", kT0, with_a).near_duplicate_of, "");
  EXPECT_EQ(StoreText(*archive, "https://a.kr/2", kT0, with_b).near_duplicate_of, "");
  // The same boilerplate does not stop a real near copy from being linked.
  EXPECT_EQ(StoreText(*archive, "https://a.kr/3", kT0,
                      EditOneSentence(2, 4, 0, 7) + "\n" + boilerplate)
                .near_duplicate_of,
            "https://a.kr/2");
}

TEST(NearDuplicateTest, VerifyFindsAndRepairsMissingAndDanglingSketchEntries) {
  TempDir tmp;
  const std::string dir = tmp.Sub("a");
  {
    auto archive = OpenOrDie(dir);
    ASSERT_NE(archive, nullptr);
    StoreText(*archive, "https://a.kr/1", kT0, Join(Paragraphs(1)));
    StoreText(*archive, "https://a.kr/2", kT0, Join(Paragraphs(2)));
  }
  WithRawDb(dir, [](rocksdb::DB* db, auto& cf) {
    const std::vector<std::string> keys = SketchKeys(db, cf["simhash"]);
    ASSERT_EQ(keys.size(), 2 * internal::kSketchSize);
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf["simhash"], keys[0]).ok());
    // One entry for a version that does not exist, one whose hash is not in
    // its version's sketch.
    const std::string urlkey = UrlKeyOf("https://a.kr/1");
    ASSERT_TRUE(
        db->Put(rocksdb::WriteOptions(), cf["simhash"], internal::SketchKey(42, urlkey, 7), "").ok());
    ASSERT_TRUE(
        db->Put(rocksdb::WriteOptions(), cf["simhash"], internal::SketchKey(43, urlkey, 1), "").ok());
  });
  auto archive = OpenOrDie(dir);
  ASSERT_NE(archive, nullptr);
  auto found = archive->Verify(false);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->problem_count, 3u);
  std::string all;
  for (const auto& p : found->problems) all += p + "\n";
  EXPECT_NE(all.find("sketch entry missing"), std::string::npos) << all;
  EXPECT_NE(all.find("dangling"), std::string::npos) << all;
  auto repaired = archive->Verify(true);
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ(repaired->repaired, 3u);
  auto again = archive->Verify(false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->problem_count, 0u) << (again->problems.empty() ? "" : again->problems[0]);
}

TEST(NearDuplicateTest, SchemaTwoArchiveGetsItsSketchEntriesOnOpen) {
  TempDir tmp;
  const std::string dir = tmp.Sub("a");
  {
    auto archive = OpenOrDie(dir);
    ASSERT_NE(archive, nullptr);
    StoreText(*archive, "https://a.kr/1", kT0, Join(Paragraphs(1)));
  }
  // What a schema-2 build wrote: no sketch entries, schema "2".
  WithRawDb(dir, [](rocksdb::DB* db, auto& cf) {
    for (const std::string& key : SketchKeys(db, cf["simhash"])) {
      ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf["simhash"], key).ok());
    }
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf["meta"], "schema", "2").ok());
    EXPECT_TRUE(SketchKeys(db, cf["simhash"]).empty());
  });
  {
    auto archive = OpenOrDie(dir);
    ASSERT_NE(archive, nullptr);
    auto report = archive->Verify(false);
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->problem_count, 0u) << (report->problems.empty() ? "" : report->problems[0]);
    // The migrated entries are what links a near copy the SimHash misses.
    const std::string near = EditOneSentence(1, 7, 1, 99);
    EXPECT_EQ(StoreText(*archive, "https://b.kr/2", kT0 + 1, near).near_duplicate_of,
              "https://a.kr/1");
  }
  WithRawDb(dir, [](rocksdb::DB* db, auto& cf) {
    std::string schema;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), cf["meta"], "schema", &schema).ok());
    EXPECT_EQ(schema, std::to_string(internal::kSchemaVersion));
    EXPECT_EQ(SketchKeys(db, cf["simhash"]).size(), 2 * internal::kSketchSize);
  });
}

TEST(NearDuplicateTest, RebuildUsesTheSameDetectionAndIsIdempotent) {
  TempDir tmp;
  auto archive = OpenOrDie(tmp.Sub("a"));
  ASSERT_NE(archive, nullptr);
  StoreText(*archive, "https://a.kr/1", kT0, Join(Paragraphs(1)));
  StoreText(*archive, "https://a.kr/2", kT0, Join(Paragraphs(2)));
  std::string key2;
  auto it = archive->NewCaptureIterator();
  for (; it->Valid(); it->Next()) {
    if (it->capture().capture.url == "https://a.kr/2") key2 = it->capture().key;
  }
  ASSERT_TRUE(it->status().ok());
  it.reset();
  ASSERT_FALSE(key2.empty());
  // A new extractor finds, in a/2's capture, a near copy of a/1's text.
  Article a;
  a.url = "https://a.kr/2";
  a.is_article = true;
  a.title = "제목";
  a.body = EditOneSentence(1, 12, 0, 3);
  auto r = archive->StoreReextracted(key2, a, 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->changed);
  auto v = archive->GetArticle("https://a.kr/2");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->version, 2u);
  EXPECT_EQ(v->near_duplicate_of, "https://a.kr/1");
  r = archive->StoreReextracted(key2, a, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
  auto report = archive->Verify(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->problem_count, 0u) << (report->problems.empty() ? "" : report->problems[0]);
}

}  // namespace
}  // namespace jikji::storage
