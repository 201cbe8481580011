#include "crawler/schedule.h"

#include <algorithm>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

namespace jikji::crawler {
namespace {

std::string BigEndian(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * (7 - i))) & 0xff);
  return out;
}

uint64_t FromBigEndian(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// value: kind(1) entry_point(1) interval(8) first_seen(8) visits(4) changes(4) host_len(4) host url
void Put64(std::string* s, uint64_t v) { s->append(BigEndian(v)); }
void Put32(std::string* s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t Get32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
constexpr size_t kFixed = 1 + 1 + 8 + 8 + 4 + 4 + 4;

std::string Encode(const RevisitEntry& e) {
  std::string v;
  v.push_back(static_cast<char>(e.kind));
  v.push_back(e.entry_point ? 1 : 0);
  Put64(&v, static_cast<uint64_t>(e.interval_micros));
  Put64(&v, static_cast<uint64_t>(e.first_seen_micros));
  Put32(&v, e.visits);
  Put32(&v, e.changes);
  Put32(&v, static_cast<uint32_t>(e.host.size()));
  v += e.host;
  v += e.url;
  return v;
}

bool Decode(const rocksdb::Slice& key, const rocksdb::Slice& value, RevisitEntry* e) {
  if (key.size() < 8 || value.size() < kFixed) return false;
  const char* p = value.data();
  e->due_micros = static_cast<int64_t>(FromBigEndian(key.data()));
  e->kind = static_cast<UrlKind>(p[0]);
  e->entry_point = p[1] != 0;
  e->interval_micros = static_cast<int64_t>(FromBigEndian(p + 2));
  e->first_seen_micros = static_cast<int64_t>(FromBigEndian(p + 10));
  e->visits = Get32(p + 18);
  e->changes = Get32(p + 22);
  uint32_t host_len = Get32(p + 26);
  if (kFixed + host_len > value.size()) return false;
  e->host.assign(p + kFixed, host_len);
  e->url.assign(p + kFixed + host_len, value.size() - kFixed - host_len);
  return true;
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  std::string msg = what + ": " + s.ToString();
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) return Status::FailedPrecondition(msg);
  if (s.IsNoSpace()) return Status::ResourceExhausted(msg);
  return Status::IOError(msg);
}

}  // namespace

int64_t NextArticleInterval(const config::DaemonSettings& d, int64_t previous, bool changed,
                            int64_t age_micros) {
  const int64_t lo = d.revisit_min_ms * 1000, hi = d.revisit_max_ms * 1000;
  int64_t next;
  if (previous <= 0) next = lo;
  else if (changed) next = previous / 2;
  else next = previous * 2;
  next = std::clamp(next, lo, hi);
  if (age_micros < d.fresh_period_ms * 1000) next = std::min(next, std::max(lo, d.fresh_interval_ms * 1000));
  return next;
}

class RevisitSchedule::Db {
 public:
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::ColumnFamilyHandle* due() const { return handles[1]; }
  rocksdb::ColumnFamilyHandle* urls() const { return handles[2]; }
  ~Db() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  }
};

RevisitSchedule::RevisitSchedule(std::unique_ptr<Db> db) : db_(std::move(db)) {}
RevisitSchedule::~RevisitSchedule() = default;

Result<std::unique_ptr<RevisitSchedule>> RevisitSchedule::Open(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_open_files = 64;
  options.write_buffer_size = 4 << 20;
  rocksdb::ColumnFamilyOptions cf(options);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, cf}, {"due", cf}, {"urls", cf}};
  auto db = std::make_unique<Db>();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, cfs, &db->handles, &raw);
  if (!s.ok()) return FromRocks(s, "cannot open revisit schedule " + dir);
  db->db.reset(raw);
  std::unique_ptr<RevisitSchedule> schedule(new RevisitSchedule(std::move(db)));
  std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), schedule->db_->urls()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++schedule->size_;
  return schedule;
}

Status RevisitSchedule::Put(const RevisitEntry& entry) {
  rocksdb::WriteBatch batch;
  std::string old;
  bool existed = db_->db->Get(rocksdb::ReadOptions(), db_->urls(), entry.url, &old).ok();
  if (existed && old.size() >= 8) batch.Delete(db_->due(), old.substr(0, 8) + entry.url);
  std::string due = BigEndian(static_cast<uint64_t>(entry.due_micros));
  batch.Put(db_->due(), due + entry.url, rocksdb::Slice());
  batch.Put(db_->urls(), entry.url, due + Encode(entry));
  rocksdb::Status s = db_->db->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) {
    if (status_.ok()) status_ = FromRocks(s, "revisit schedule write");
    return status_;
  }
  if (!existed) ++size_;
  return Status::Ok();
}

std::optional<RevisitEntry> RevisitSchedule::Get(const std::string& url) const {
  std::string value;
  if (!db_->db->Get(rocksdb::ReadOptions(), db_->urls(), url, &value).ok() || value.size() < 8) {
    return std::nullopt;
  }
  RevisitEntry e;
  if (!Decode(rocksdb::Slice(value.data(), 8), rocksdb::Slice(value.data() + 8, value.size() - 8), &e)) {
    return std::nullopt;
  }
  return e;
}

std::vector<RevisitEntry> RevisitSchedule::TakeDue(int64_t now_micros, size_t max) {
  std::vector<RevisitEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->db->NewIterator(rocksdb::ReadOptions(), db_->due()));
  rocksdb::WriteBatch batch;
  for (it->SeekToFirst(); it->Valid() && out.size() < max; it->Next()) {
    if (it->key().size() < 8) continue;
    if (static_cast<int64_t>(FromBigEndian(it->key().data())) > now_micros) break;
    batch.Delete(db_->due(), it->key());  // the url entry stays: its history
    std::string url = it->key().ToString().substr(8);
    if (auto e = Get(url)) out.push_back(std::move(*e));
  }
  if (batch.Count() == 0) return out;
  rocksdb::Status s = db_->db->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) {
    if (status_.ok()) status_ = FromRocks(s, "revisit schedule take");
    return {};
  }
  return out;
}

std::optional<int64_t> RevisitSchedule::NextDue() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->db->NewIterator(rocksdb::ReadOptions(), db_->due()));
  it->SeekToFirst();
  if (!it->Valid() || it->key().size() < 8) return std::nullopt;
  return static_cast<int64_t>(FromBigEndian(it->key().data()));
}

}  // namespace jikji::crawler
