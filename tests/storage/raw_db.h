// Opens a closed archive with plain RocksDB, for tests that write what an
// older build (or a corruption) would have left.
#ifndef JIKJI_TESTS_STORAGE_RAW_DB_H_
#define JIKJI_TESTS_STORAGE_RAW_DB_H_

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/merge_operator.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace jikji::testing {

// Runs fn on the closed archive in `dir` opened with plain RocksDB; fn gets
// the handles by column family name. `merge` (optional) is set on every
// column family: reading `meta`'s counters needs one (flushes keep them
// as merge operands).
inline void WithRawDb(
    const std::string& dir,
    const std::function<void(rocksdb::DB*, std::map<std::string, rocksdb::ColumnFamilyHandle*>&)>&
        fn,
    std::shared_ptr<rocksdb::MergeOperator> merge = nullptr) {
  std::vector<std::string> names;
  rocksdb::DBOptions db_options;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(db_options, dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.merge_operator = merge;
  for (const auto& n : names) descs.emplace_back(n, cf_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(db_options, dir, descs, &handles, &db).ok());
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name;
  for (size_t i = 0; i < names.size(); ++i) by_name[names[i]] = handles[i];
  fn(db, by_name);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  ASSERT_TRUE(db->Close().ok());
  delete db;
}

}  // namespace jikji::testing

#endif  // JIKJI_TESTS_STORAGE_RAW_DB_H_
