// The archive's indexes (storage/README.md): near duplicates via permuted
// SimHash tables, time and change-feed scans, re-extracted versions,
// Verify/repair, Backup, and a SIGKILL crash loop. Real RocksDB in temp
// directories.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/archive.h"
#include "storage/internal/records.h"
#include "tests/testing/paths.h"

namespace jikji::storage {
namespace {

using testing::TempDir;
constexpr int64_t kT0 = 1'700'000'000'000'000;
constexpr int64_t kHour = 3'600'000'000;

Capture MakeCapture(const std::string& url, int64_t micros, const std::string& body) {
  Capture c;
  c.url = url;
  c.final_url = url;
  c.fetched_micros = micros;
  c.http_status = 200;
  c.headers = {{"Content-Type", "text/html; charset=utf-8"}};
  c.body = body;
  return c;
}

Article MakeArticle(const std::string& url, const std::string& title, const std::string& body) {
  Article a;
  a.url = url;
  a.is_article = true;
  a.title = title;
  a.body = body;
  return a;
}

// A long text of distinct words; `seed` picks the words.
std::string LongText(int seed, int words = 400) {
  std::string out;
  for (int i = 0; i < words; ++i) {
    out += "단어" + std::to_string(seed * 100000 + i) + (i % 20 == 19 ? "\n" : " ");
  }
  return out;
}

std::unique_ptr<Archive> OpenOrDie(const std::string& dir, ArchiveOptions options = {}) {
  auto archive = Archive::Open(dir, options);
  EXPECT_TRUE(archive.ok()) << archive.status().ToString();
  return archive.ok() ? std::move(archive).value() : nullptr;
}

StoreResult StoreArticle(Archive& archive, const std::string& url, int64_t t,
                         const std::string& text, double relevance = 0) {
  Article a = MakeArticle(url, "제목", text);
  auto r = archive.Store(MakeCapture(url, t, "<p>" + text + "</p>"), &a, relevance);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : StoreResult();
}

std::vector<ArticleRecord> Scan(Archive& archive, const ArticleScan& scan) {
  std::vector<ArticleRecord> out;
  auto it = archive.NewArticleIterator(scan);
  for (; it->Valid(); it->Next()) out.push_back(it->record());
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return out;
}

// ---------------------------------------------------------------- simhash

TEST(SimHashTest, PermutationsAreInverse) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    uint64_t x = rng();
    for (int t = 0; t < internal::kSimHashTables; ++t) {
      EXPECT_EQ(internal::UnpermuteFor(t, internal::PermuteFor(t, x)), x);
    }
  }
}

// The Manku et al. guarantee: any two fingerprints within 3 bits share the
// top 16 bits in at least one permuted table (so the bucket scan finds it).
TEST(SimHashTest, EveryPairWithinThreeBitsSharesABucket) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t a = rng();
    uint64_t b = a;
    const int flips = static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) b ^= uint64_t{1} << (rng() % 64);
    ASSERT_LE(std::popcount(a ^ b), 3);
    bool shared = false;
    for (int t = 0; t < internal::kSimHashTables; ++t) {
      shared |= (internal::PermuteFor(t, a) >> 48) == (internal::PermuteFor(t, b) >> 48);
    }
    EXPECT_TRUE(shared) << std::hex << a << " " << b;
  }
}

TEST(SimHashTest, OneChangedWordIsCloseAndAnotherTextIsFar) {
  const std::string a = internal::NormalizeArticleText(LongText(1));
  std::string b = a;
  b.replace(b.find("단어100050"), std::string("단어100050").size(), "바뀐말");
  const std::string c = internal::NormalizeArticleText(LongText(2));
  const uint64_t ha = internal::SimHash(a), hb = internal::SimHash(b), hc = internal::SimHash(c);
  EXPECT_LE(std::popcount(ha ^ hb), internal::kNearDuplicateBits);
  EXPECT_GT(std::popcount(ha ^ hc), 10);
  EXPECT_EQ(internal::SimHash(""), 0u);
}

// SimHash and ShingleSet as first written: every shingle copied into a
// string, one +1/-1 vote per bit. Stored fingerprints must not change when
// the implementation does.
uint64_t ReferenceSimHash(std::string_view text, std::vector<uint64_t>* shingles) {
  std::vector<std::string_view> words;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find_first_of(" \n", pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) words.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  if (words.empty()) return 0;
  const size_t k = internal::kShingleWords;
  const size_t n = words.size() < k ? 1 : words.size() - k + 1;
  std::array<int64_t, 64> votes{};
  for (size_t i = 0; i < n; ++i) {
    std::string shingle;
    for (size_t j = 0; j < k && i + j < words.size(); ++j) {
      if (j > 0) shingle.push_back(' ');
      shingle.append(words[i + j]);
    }
    const uint64_t h = XXH3_64bits(shingle.data(), shingle.size());
    shingles->push_back(h);
    for (int b = 0; b < 64; ++b) votes[b] += ((h >> b) & 1) ? 1 : -1;
  }
  uint64_t out = 0;
  for (int b = 0; b < 64; ++b) {
    if (votes[b] > 0) out |= uint64_t{1} << b;
  }
  return out;
}

// Random texts over a small vocabulary (so bit votes tie and shingles
// repeat), with single and repeated spaces and newlines, leading and
// trailing separators, and lengths around the 255-shingle lane drain.
TEST(SimHashTest, MatchesTheReferenceOnRandomTexts) {
  std::mt19937_64 rng(23);
  const std::vector<std::string> vocab = {"a", "반도체", "AI", "bb", "데이터센터", "x1", "GPU"};
  const std::vector<std::string> seps = {" ", " ", " ", "\n", "  ", " \n", "\n\n"};
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const size_t words = round < 600 ? round % 6 : rng() % 700;
    if (rng() % 4 == 0) text += seps[rng() % seps.size()];
    for (size_t w = 0; w < words; ++w) {
      if (w > 0) text += seps[rng() % seps.size()];
      text += vocab[rng() % vocab.size()];
    }
    if (rng() % 4 == 0) text += seps[rng() % seps.size()];
    std::vector<uint64_t> shingles;
    const uint64_t want = ReferenceSimHash(text, &shingles);
    ASSERT_EQ(internal::SimHash(text), want) << "text: '" << text << "'";
    std::sort(shingles.begin(), shingles.end());
    shingles.erase(std::unique(shingles.begin(), shingles.end()), shingles.end());
    ASSERT_EQ(internal::ShingleSet(text), shingles) << "text: '" << text << "'";
  }
}

// ---------------------------------------------------------------- near duplicates

TEST(ArchiveNearDuplicateTest, NearCopyIsLinkedKeepsItsTextAndExactCopyIsAnAlias) {
  TempDir tmp;
  auto archive = OpenOrDie(tmp.Sub("a"));
  ASSERT_NE(archive, nullptr);
  const std::string original = LongText(1);
  std::string near = original;
  near.replace(near.find("단어100050"), std::string("단어100050").size(), "바뀐말");
  StoreResult r1 = StoreArticle(*archive, "https://a.kr/1", kT0, original);
  StoreResult r2 = StoreArticle(*archive, "https://b.kr/2", kT0 + 1, near);
  StoreResult r3 = StoreArticle(*archive, "https://c.kr/3", kT0 + 2, LongText(3));
  StoreResult r4 = StoreArticle(*archive, "https://d.kr/4", kT0 + 3, original);
  EXPECT_EQ(r1.near_duplicate_of, "");
  EXPECT_EQ(r2.outcome, StoreResult::Outcome::kNewArticle);
  EXPECT_EQ(r2.near_duplicate_of, "https://a.kr/1");
  EXPECT_EQ(r3.near_duplicate_of, "");
  EXPECT_EQ(r4.outcome, StoreResult::Outcome::kExactDuplicate);
  auto v = archive->GetArticle("https://b.kr/2");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->near_duplicate_of, "https://a.kr/1");
  EXPECT_EQ(v->article.body, near);  // keeps its own text
  EXPECT_NE(v->simhash, 0u);
  // A new version of the same URL is never its own near duplicate.
  std::string near2 = original;
  near2.replace(near2.find("단어100070"), std::string("단어100070").size(), "또바뀐말");
  StoreResult r5 = StoreArticle(*archive, "https://a.kr/1", kT0 + kHour, near2);
  EXPECT_EQ(r5.outcome, StoreResult::Outcome::kNewVersion);
  EXPECT_NE(r5.near_duplicate_of, "https://a.kr/1");
}

// ---------------------------------------------------------------- scans

TEST(ArchiveScanTest, AllVersionsTimeWindowsChangeFeedSitesAndAliases) {
  TempDir tmp;
  auto archive = OpenOrDie(tmp.Sub("a"));
  ASSERT_NE(archive, nullptr);
  StoreArticle(*archive, "https://www.a.kr/x", kT0, LongText(1), 0.9);
  StoreArticle(*archive, "https://www.a.kr/x", kT0 + 2 * kHour, LongText(2), 0.8);
  StoreArticle(*archive, "https://b.kr/y", kT0 + kHour, LongText(3));
  StoreArticle(*archive, "https://b.kr/alias", kT0 + 3 * kHour, LongText(3));  // exact dup
  auto last = archive->LastSequence();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, 3u);  // three versions written

  EXPECT_EQ(Scan(*archive, {}).size(), 2u);
  ArticleScan all;
  all.all_versions = true;
  auto versions = Scan(*archive, all);
  ASSERT_EQ(versions.size(), 3u);
  ArticleScan aliases;
  aliases.include_aliases = true;
  auto with_alias = Scan(*archive, aliases);
  ASSERT_EQ(with_alias.size(), 3u);
  int alias_rows = 0;
  for (const auto& r : with_alias) {
    if (r.url == "https://b.kr/alias") {
      ++alias_rows;
      EXPECT_EQ(r.duplicate_of, "https://b.kr/y");
      EXPECT_EQ(r.article.body, LongText(3));
    }
  }
  EXPECT_EQ(alias_rows, 1);

  ArticleScan window;  // [T0 + 30min, T0 + 90min): only b.kr/y's version
  window.all_versions = true;
  window.since_fetched_micros = kT0 + kHour / 2;
  window.until_fetched_micros = kT0 + kHour + kHour / 2;
  auto in_window = Scan(*archive, window);
  ASSERT_EQ(in_window.size(), 1u);
  EXPECT_EQ(in_window[0].url, "https://b.kr/y");
  window.all_versions = false;
  window.since_fetched_micros = kT0 - 1;
  window.until_fetched_micros = kT0 + 1;
  EXPECT_TRUE(Scan(*archive, window).empty());  // x's v1 is no longer latest

  ArticleScan feed;
  feed.changes = true;
  feed.all_versions = true;
  feed.after_sequence = 1;
  auto changed = Scan(*archive, feed);
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_EQ(changed[0].sequence, 2u);
  EXPECT_EQ(changed[1].sequence, 3u);
  feed.after_sequence = 3;
  EXPECT_TRUE(Scan(*archive, feed).empty());

  ArticleScan site;
  site.site = "a.kr";
  auto only_a = Scan(*archive, site);
  ASSERT_EQ(only_a.size(), 1u);
  EXPECT_EQ(only_a[0].version, 2u);
  EXPECT_DOUBLE_EQ(only_a[0].relevance, 0.8);

  auto history = archive->GetVersions("https://www.a.kr/x");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].article.body, LongText(1));
  EXPECT_EQ((*history)[1].version, 2u);
}

// ---------------------------------------------------------------- rebuild API

TEST(ArchiveRebuildTest, ReextractedOutputMakesOneVersionAndIsIdempotent) {
  TempDir tmp;
  auto archive = OpenOrDie(tmp.Sub("a"));
  ASSERT_NE(archive, nullptr);
  StoreArticle(*archive, "https://a.kr/1", kT0, LongText(1), 0.7);
  Capture page = MakeCapture("https://a.kr/list", kT0, "<ul></ul>");
  ASSERT_TRUE(archive->Store(page, nullptr).ok());
  std::vector<StoredCapture> captures;
  auto it = archive->NewCaptureIterator();
  for (; it->Valid(); it->Next()) captures.push_back(it->capture());
  ASSERT_TRUE(it->status().ok());
  ASSERT_EQ(captures.size(), 2u);
  EXPECT_EQ(captures[0].capture.url, "https://a.kr/1");
  EXPECT_EQ(captures[0].capture.body, "<p>" + LongText(1) + "</p>");
  // Start after the first key: only the second.
  auto rest = archive->NewCaptureIterator(captures[0].key);
  ASSERT_TRUE(rest->Valid());
  EXPECT_EQ(rest->capture().capture.url, "https://a.kr/list");

  Article same = MakeArticle("https://a.kr/1", "제목", LongText(1));
  auto r = archive->StoreReextracted(captures[0].key, same, 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(r->version, 1u);

  Article better = MakeArticle("https://a.kr/1", "제목", LongText(1) + "\n새 문단");
  r = archive->StoreReextracted(captures[0].key, better, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->version, 2u);
  r = archive->StoreReextracted(captures[0].key, better, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);  // idempotent
  auto latest = archive->GetArticle("https://a.kr/1");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version, 2u);
  EXPECT_EQ(latest->extractor_version, 2);
  EXPECT_DOUBLE_EQ(latest->relevance, 0.7);
  EXPECT_EQ(latest->fetched_micros, kT0);
  // A non-article capture stays without versions.
  Article none;
  r = archive->StoreReextracted(captures[1].key, none, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(archive->StoreReextracted(std::string("nope") + '\0' + "12345678", none, 2)
                .status().code(),
            Status::Code::kNotFound);
  auto stats = archive->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->versions, 2u);
  auto report = archive->Verify(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->problem_count, 0u) << (report->problems.empty() ? "" : report->problems[0]);

  ASSERT_TRUE(archive->PutMeta("rebuild.cursor", "abc").ok());
  EXPECT_EQ(*archive->GetMeta("rebuild.cursor"), "abc");
  ASSERT_TRUE(archive->DeleteMeta("rebuild.cursor").ok());
  EXPECT_EQ(archive->GetMeta("rebuild.cursor").status().code(), Status::Code::kNotFound);
}

// ---------------------------------------------------------------- verify

// Deletes one key of `cf` with plain RocksDB (the archive closed), as a
// lost write would.
void DeleteFirstKey(const std::string& dir, const std::string& cf_name, bool put_junk = false) {
  std::vector<std::string> names;
  rocksdb::DBOptions db_options;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(db_options, dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const auto& n : names) descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(db_options, dir, descs, &handles, &db).ok());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != cf_name) continue;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    it->SeekToFirst();
    ASSERT_TRUE(it->Valid());
    const std::string key = it->key().ToString();
    it.reset();
    if (put_junk) {
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[i], key + "zz", "junk").ok());
    } else {
      ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), handles[i], key).ok());
    }
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  ASSERT_TRUE(db->Close().ok());
  delete db;
}

TEST(ArchiveVerifyTest, FindsAndRepairsMissingAndDanglingIndexEntries) {
  TempDir tmp;
  const std::string dir = tmp.Sub("a");
  {
    auto archive = OpenOrDie(dir);
    ASSERT_NE(archive, nullptr);
    StoreArticle(*archive, "https://a.kr/1", kT0, LongText(1));
    StoreArticle(*archive, "https://a.kr/2", kT0, LongText(2));
    auto clean = archive->Verify(false);
    ASSERT_TRUE(clean.ok());
    EXPECT_EQ(clean->problem_count, 0u) << (clean->problems.empty() ? "" : clean->problems[0]);
    EXPECT_GT(clean->records_checked, 10u);
  }
  DeleteFirstKey(dir, "by_time");
  DeleteFirstKey(dir, "simhash");
  DeleteFirstKey(dir, "changes", /*put_junk=*/true);
  {
    auto archive = OpenOrDie(dir);
    ASSERT_NE(archive, nullptr);
    auto found = archive->Verify(false);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->problem_count, 3u);
    std::string all;
    for (const auto& p : found->problems) all += p + "\n";
    EXPECT_NE(all.find("by_time: entry missing"), std::string::npos) << all;
    EXPECT_NE(all.find("simhash: table"), std::string::npos) << all;
    EXPECT_NE(all.find("dangling"), std::string::npos) << all;
    auto repaired = archive->Verify(true);
    ASSERT_TRUE(repaired.ok());
    EXPECT_EQ(repaired->repaired, 3u);
    auto again = archive->Verify(false);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->problem_count, 0u);
  }
}

// ---------------------------------------------------------------- backup

TEST(ArchiveBackupTest, CheckpointOfALiveArchiveOpensWithTheSameData) {
  TempDir tmp;
  auto archive = OpenOrDie(tmp.Sub("a"));
  ASSERT_NE(archive, nullptr);
  StoreArticle(*archive, "https://a.kr/1", kT0, LongText(1));
  ASSERT_TRUE(archive->Backup(tmp.Sub("copy")).ok());
  StoreArticle(*archive, "https://a.kr/2", kT0, LongText(2));  // after the copy
  EXPECT_EQ(archive->Backup(tmp.Sub("copy")).code(), Status::Code::kAlreadyExists);
  auto copy = OpenOrDie(tmp.Sub("copy"));
  ASSERT_NE(copy, nullptr);
  auto stats = copy->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->articles, 1u);
  EXPECT_TRUE(copy->GetArticle("https://a.kr/1").ok());
  auto report = copy->Verify(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->problem_count, 0u);
}

// ---------------------------------------------------------------- crash loop

uint64_t ReadAck(const std::string& path) {
  std::ifstream in(path);
  uint64_t n = 0;
  in >> n;
  return n;
}

// A child stores in a loop and is SIGKILLed at a random moment, 20 times;
// after each kill the archive opens, verifies clean (no partial capture:
// every index agrees with the data) and holds every acknowledged capture.
TEST(ArchiveCrashTest, SigkillAtRandomPointsLeavesAConsistentArchive) {
  TempDir tmp;
  const std::string dir = tmp.Sub("a");
  const std::string ack = tmp.Sub("ack");
  std::mt19937 rng(2024);
  uint64_t acknowledged_total = 0;
  for (int round = 0; round < 20; ++round) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      execl(JIKJI_ARCHIVE_CRASH_HELPER, JIKJI_ARCHIVE_CRASH_HELPER, dir.c_str(), ack.c_str(),
            std::to_string(round).c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 400));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "helper exited by itself: " << status;
    acknowledged_total += ReadAck(ack);
    std::remove(ack.c_str());
    auto archive = OpenOrDie(dir);
    ASSERT_NE(archive, nullptr);
    auto report = archive->Verify(false);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->problem_count, 0u)
        << "round " << round << ": " << (report->problems.empty() ? "" : report->problems[0]);
    auto stats = archive->GetStats();
    ASSERT_TRUE(stats.ok());
    EXPECT_GE(stats->captures, acknowledged_total) << "round " << round;
  }
  EXPECT_GT(acknowledged_total, 0u);
}

}  // namespace
}  // namespace jikji::storage
