// A small strict WARC reader for tests, independent of warc/ (only its
// SHA-1 is reused to check digests). Accepts WARC/1.0 and 1.1, plain or
// one gzip member per record; rejects a Content-Length that disagrees with
// the record end, gzip members not aligned with records, and bad gzip.
#ifndef JIKJI_TESTS_WARC_WARC_READER_H_
#define JIKJI_TESTS_WARC_WARC_READER_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tests/testing/paths.h"

namespace jikji::testing {

struct ReadRecord {
  uint64_t offset = 0;  // gz: member start; plain: record start
  uint64_t length = 0;  // gz: member length; plain: without the trailing CRLFCRLF
  std::string type;
  std::map<std::string, std::string> headers;  // names as written
  std::string block;
};

struct ReadResult {
  std::vector<ReadRecord> records;
  std::string error;  // empty when the whole file read cleanly
};

namespace reader_internal {

// Parses one record at data[pos]; sets *end past its trailing CRLFCRLF.
inline bool ParseRecord(std::string_view data, size_t pos, ReadRecord* r, size_t* end,
                        std::string* error) {
  size_t head_end = data.find("\r\n\r\n", pos);
  if (head_end == std::string_view::npos) {
    *error = "no end of headers";
    return false;
  }
  std::string_view head = data.substr(pos, head_end - pos);
  size_t line_end = head.find("\r\n");
  std::string_view version = head.substr(0, line_end);
  if (version != "WARC/1.0" && version != "WARC/1.1") {
    *error = "bad version line";
    return false;
  }
  size_t p = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (p < head.size()) {
    size_t e = head.find("\r\n", p);
    if (e == std::string_view::npos) e = head.size();
    std::string_view line = head.substr(p, e - p);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      *error = "header line without colon";
      return false;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r->headers[std::string(line.substr(0, colon))] = std::string(value);
    p = e + 2;
  }
  auto cl = r->headers.find("Content-Length");
  if (cl == r->headers.end() || r->headers.count("WARC-Type") == 0 ||
      r->headers.count("WARC-Record-ID") == 0 || r->headers.count("WARC-Date") == 0) {
    *error = "mandatory field missing";
    return false;
  }
  uint64_t n = 0;
  for (char c : cl->second) {
    if (c < '0' || c > '9') {
      *error = "bad Content-Length";
      return false;
    }
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  size_t block_start = head_end + 4;
  if (block_start + n + 4 > data.size() || data.substr(block_start + n, 4) != "\r\n\r\n") {
    *error = "block does not end with CRLFCRLF at Content-Length";
    return false;
  }
  r->type = r->headers["WARC-Type"];
  r->block = std::string(data.substr(block_start, n));
  *end = block_start + n + 4;
  return true;
}

}  // namespace reader_internal

inline ReadResult ReadWarc(std::string_view data) {
  ReadResult result;
  const bool gz = data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
                  static_cast<unsigned char>(data[1]) == 0x8b;
  size_t pos = 0;
  while (pos < data.size()) {
    ReadRecord r;
    r.offset = pos;
    if (gz) {
      std::string member;
      size_t used = 0;
      if (!::jikji::testing::InflateGzipMember(data, pos, &member, &used)) {
        result.error = "bad gzip member at " + std::to_string(pos);
        return result;
      }
      size_t end = 0;
      if (!reader_internal::ParseRecord(member, 0, &r, &end, &result.error)) return result;
      if (end != member.size()) {
        result.error = "gzip member holds more than one record at " + std::to_string(pos);
        return result;
      }
      r.length = used;
      pos += used;
    } else {
      size_t end = 0;
      if (!reader_internal::ParseRecord(data, pos, &r, &end, &result.error)) return result;
      r.length = end - pos - 4;
      pos = end;
    }
    result.records.push_back(std::move(r));
  }
  return result;
}

}  // namespace jikji::testing

#endif  // JIKJI_TESTS_WARC_WARC_READER_H_
