// BackupArchive (storage/archive.h): a checkpoint when nobody holds the
// archive, a live copy through a RocksDB secondary instance when it is held
// (by an Archive in this process, or by a writer in another one). Real
// RocksDB in temp directories; the writer process is archive_crash_helper.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/archive.h"
#include "tests/testing/paths.h"

namespace jikji::storage {
namespace {

using testing::TempDir;
constexpr int64_t kT0 = 1'700'000'000'000'000;
// Above the raw CF's min_blob_size (512 KiB): stored in a blob file.
constexpr size_t kBlobBodyBytes = 600 << 10;

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

// A text of distinct words; `seed` picks them.
std::string Text(int seed, int words = 300) {
  std::string out;
  for (int i = 0; i < words; ++i) out += "낱말" + std::to_string(seed * 100000 + i) + " ";
  return out;
}

void StoreArticle(Archive& archive, const std::string& url, int64_t t, const std::string& text,
                  std::string body = {}) {
  Article a;
  a.url = url;
  a.is_article = true;
  a.title = "제목";
  a.body = text;
  if (body.empty()) body = "<p>" + text + "</p>";
  auto r = archive.Store(MakeCapture(url, t, body), &a, 0.5);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

std::unique_ptr<Archive> OpenOrDie(const std::string& dir, ArchiveOptions options = {}) {
  auto archive = Archive::Open(dir, options);
  EXPECT_TRUE(archive.ok()) << archive.status().ToString();
  return archive.ok() ? std::move(archive).value() : nullptr;
}

std::vector<std::string> ColumnFamilies(const std::string& dir) {
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::sort(names.begin(), names.end());
  return names;
}

// RocksDB's info logs in `dir` (LOG, LOG.old.*): a backup must not rotate
// the holder's.
std::set<std::string> InfoLogs(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with("LOG")) names.insert(name);
  }
  return names;
}

// Opens the copy read-only (as `jikji verify` does) and checks it clean.
void ExpectCleanCopy(const std::string& dir) {
  ArchiveOptions ro;
  ro.read_only = true;
  ro.create_if_missing = false;
  auto copy = OpenOrDie(dir, ro);
  ASSERT_NE(copy, nullptr);
  auto report = copy->Verify(false);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->problem_count, 0u) << (report->problems.empty() ? "" : report->problems[0]);
  EXPECT_GT(report->records_checked, 0u);
}

TEST(BackupArchiveTest, ArchiveNobodyHoldsIsCheckpointed) {
  TempDir tmp;
  {
    auto archive = OpenOrDie(tmp.Sub("a"));
    ASSERT_NE(archive, nullptr);
    for (int i = 0; i < 3; ++i) StoreArticle(*archive, "https://a.kr/" + std::to_string(i), kT0, Text(i));
  }
  BackupStats stats;
  Status s = BackupArchive(tmp.Sub("a"), tmp.Sub("copy"), &stats);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(stats.method, BackupMethod::kCheckpoint);
  EXPECT_EQ(stats.captures, 3u);
  EXPECT_EQ(stats.records, 0u);
  EXPECT_GT(stats.disk_bytes, 0u);
  ExpectCleanCopy(tmp.Sub("copy"));
  auto copy = OpenOrDie(tmp.Sub("copy"));
  ASSERT_NE(copy, nullptr);
  auto counts = copy->GetStats();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->articles, 3u);
}

TEST(BackupArchiveTest, ArchiveHeldByAnArchiveInThisProcessIsCopiedLive) {
  TempDir tmp;
  const std::string dir = tmp.Sub("a");
  auto archive = OpenOrDie(dir);
  ASSERT_NE(archive, nullptr);
  // A blob-sized body flushed to a blob file, then captures that are only
  // in the WAL and memtables: the secondary must read both.
  const std::string big_url = "https://a.kr/big";
  std::string big_body;
  for (int i = 0; big_body.size() < kBlobBodyBytes; ++i) big_body += "<p>" + Text(1000 + i, 20) + "</p>";
  StoreArticle(*archive, big_url, kT0, Text(999), big_body);
  ASSERT_TRUE(archive->Flush().ok());
  for (int i = 0; i < 20; ++i) {
    StoreArticle(*archive, "https://a.kr/" + std::to_string(i), kT0 + i, Text(i));
  }
  StoreArticle(*archive, "https://b.kr/copy-of-0", kT0, Text(0));  // exact duplicate: alias
  auto before = archive->GetStats();
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(archive->PutMeta("rebuild-cursor", "k42").ok());

  const std::set<std::string> logs = InfoLogs(dir);
  ASSERT_TRUE(logs.count("LOG"));
  BackupStats stats;
  Status s = BackupArchive(dir, tmp.Sub("copy"), &stats);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(InfoLogs(dir), logs);
  EXPECT_EQ(stats.method, BackupMethod::kLiveCopy);
  EXPECT_EQ(stats.captures, before->captures);
  EXPECT_GT(stats.records, 22u);
  EXPECT_GT(stats.bytes, kBlobBodyBytes);
  EXPECT_GT(stats.disk_bytes, 0u);

  // The original keeps working; what it stores now is not in the copy.
  StoreArticle(*archive, "https://a.kr/after", kT0, Text(5000));
  archive.reset();

  EXPECT_EQ(ColumnFamilies(tmp.Sub("copy")), ColumnFamilies(dir));
  ExpectCleanCopy(tmp.Sub("copy"));
  auto copy = OpenOrDie(tmp.Sub("copy"));
  ASSERT_NE(copy, nullptr);
  auto after = copy->GetStats();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->captures, before->captures);
  EXPECT_EQ(after->articles, before->articles);
  EXPECT_EQ(after->duplicates, 1u);
  EXPECT_EQ(after->by_site.size(), before->by_site.size());
  auto big = copy->GetLatestCapture(big_url);
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->body, big_body);
  EXPECT_EQ(copy->GetArticle("https://a.kr/after").status().code(), Status::Code::kNotFound);
  auto cursor = copy->GetMeta("rebuild-cursor");
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(*cursor, "k42");
  // The copy is a normal archive: it takes writes and counts on from the copy.
  StoreArticle(*copy, "https://a.kr/new", kT0, Text(6000));
  auto more = copy->GetStats();
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->captures, before->captures + 1);
}

TEST(BackupArchiveTest, ExistingDestinationIsRefusedAndLeftAlone) {
  TempDir tmp;
  { ASSERT_NE(OpenOrDie(tmp.Sub("a")), nullptr); }
  std::filesystem::create_directory(tmp.Sub("copy"));
  std::ofstream(tmp.Sub("copy") + "/keep") << "mine";
  EXPECT_EQ(BackupArchive(tmp.Sub("a"), tmp.Sub("copy"), nullptr).code(), Status::Code::kAlreadyExists);
  auto held = OpenOrDie(tmp.Sub("a"));  // now the live path
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(BackupArchive(tmp.Sub("a"), tmp.Sub("copy"), nullptr).code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(testing::ReadFile(tmp.Sub("copy") + "/keep"), "mine");
}

TEST(BackupArchiveTest, MissingArchiveIsNotFoundAndWritesNothing) {
  TempDir tmp;
  EXPECT_EQ(BackupArchive(tmp.Sub("none"), tmp.Sub("copy"), nullptr).code(), Status::Code::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("copy")));
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("none")));
}

// Writes meta/schema = "99" with plain RocksDB and keeps the DB open (and
// locked) in `holder`.
void MakeNewerSchemaAndHold(const std::string& dir, std::unique_ptr<rocksdb::DB>* holder,
                            std::vector<rocksdb::ColumnFamilyHandle*>* handles) {
  { ASSERT_NE(OpenOrDie(dir), nullptr); }
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const std::string& name : ColumnFamilies(dir)) descs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, descs, handles, &db).ok());
  holder->reset(db);
  size_t meta = 0;
  while (meta < descs.size() && descs[meta].name != "meta") ++meta;
  ASSERT_LT(meta, descs.size());
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), (*handles)[meta], "schema", "99").ok());
}

TEST(BackupArchiveTest, NewerSchemaIsRefusedOnBothPathsAndThePartialCopyRemoved) {
  TempDir tmp;
  const std::string dir = tmp.Sub("a");
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  MakeNewerSchemaAndHold(dir, &db, &handles);
  ASSERT_NE(db, nullptr);
  // Held: the live path creates the destination, then finds the schema.
  Status live = BackupArchive(dir, tmp.Sub("copy"), nullptr);
  EXPECT_EQ(live.code(), Status::Code::kFailedPrecondition) << live.ToString();
  EXPECT_NE(live.ToString().find("newer"), std::string::npos) << live.ToString();
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("copy")));
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  ASSERT_TRUE(db->Close().ok());
  db.reset();
  // Free: the checkpoint path refuses it when opening.
  Status free = BackupArchive(dir, tmp.Sub("copy"), nullptr);
  EXPECT_EQ(free.code(), Status::Code::kFailedPrecondition) << free.ToString();
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("copy")));
}

// The helper replaces ACKFILE ("N\n", by rename) after every store: a read
// is complete when it ends with the newline. 0 before the first.
uint64_t ReadAck(const std::string& path) {
  for (int attempt = 0; attempt < 10000; ++attempt) {
    const std::string text = testing::ReadFile(path);
    if (!text.empty() && text.back() == '\n') return std::stoull(text);
  }
  return 0;
}

// A writer in another process stores captures in a loop (and holds the
// lock); three backups taken while it runs are each a clean archive holding
// every capture acknowledged before the backup and at most one more than
// acknowledged after it.
TEST(BackupArchiveTest, ArchiveWrittenByAnotherProcessIsCopiedAtOnePointInTime) {
  TempDir tmp;
  const std::string dir = tmp.Sub("a");
  const std::string ack = tmp.Sub("ack");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl(JIKJI_ARCHIVE_CRASH_HELPER, JIKJI_ARCHIVE_CRASH_HELPER, dir.c_str(), ack.c_str(), "7",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  } reaper{pid};

  uint64_t last_ack = 0;
  for (int round = 0; round < 3; ++round) {
    // Wait for the writer to get further (bounded: 60 s).
    const uint64_t target = last_ack + 30;
    for (int i = 0; i < 6000 && ReadAck(ack) < target; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const uint64_t acked_before = ReadAck(ack);
    ASSERT_GE(acked_before, target) << "the writer did not make progress";
    const std::string copy_dir = tmp.Sub("copy" + std::to_string(round));
    BackupStats stats;
    Status s = BackupArchive(dir, copy_dir, &stats);
    const uint64_t acked_after = ReadAck(ack);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(waitpid(pid, nullptr, WNOHANG), 0) << "the writer exited: the lock was not held";
    EXPECT_EQ(stats.method, BackupMethod::kLiveCopy);
    EXPECT_GE(stats.captures, acked_before);
    EXPECT_LE(stats.captures, acked_after + 1);
    ExpectCleanCopy(copy_dir);
    ArchiveOptions ro;
    ro.read_only = true;
    ro.create_if_missing = false;
    auto copy = OpenOrDie(copy_dir, ro);
    ASSERT_NE(copy, nullptr);
    auto counts = copy->GetStats();
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(counts->captures, stats.captures);
    last_ack = acked_after;
  }
}

}  // namespace
}  // namespace jikji::storage
