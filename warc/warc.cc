// WARC/1.1 records, one gzip member each; CDXJ lines. Format notes:
// docs/export.md "WARC".
#include "warc/warc.h"

#include <xxhash.h>
#include <zlib.h>

#include <cctype>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace jikji::warc {
namespace {

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool SameName(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != lower[i]) return false;
  }
  return true;
}

std::string ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

// A record id from the record's own bytes and its position: reproducible
// output, unique within a file and (by content) across files.
std::string RecordId(std::string_view type, int64_t date, std::string_view block, uint64_t n) {
  XXH3_state_t* st = XXH3_createState();
  XXH3_128bits_reset(st);
  XXH3_128bits_update(st, type.data(), type.size());
  XXH3_128bits_update(st, &date, sizeof(date));
  XXH3_128bits_update(st, &n, sizeof(n));
  XXH3_128bits_update(st, block.data(), block.size());
  XXH128_hash_t h = XXH3_128bits_digest(st);
  XXH3_freeState(st);
  // RFC 4122 layout, version 8 (custom), variant 10.
  uint64_t hi = (h.high64 & ~uint64_t{0xF000}) | 0x8000;
  uint64_t lo = (h.low64 & ~(uint64_t{3} << 62)) | (uint64_t{2} << 62);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "<urn:uuid:%08x-%04x-%04x-%04x-%012llx>",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xFFFF),
                static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

struct Tm {
  int year, mon, day, hour, min, sec;
};
Tm Split(int64_t micros) {
  int64_t secs = micros >= 0 ? micros / 1'000'000 : (micros - 999'999) / 1'000'000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

}  // namespace

std::string WarcDate(int64_t micros) {
  Tm t = Split(micros);
  int64_t frac = ((micros % 1'000'000) + 1'000'000) % 1'000'000;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", t.year, t.mon, t.day,
                t.hour, t.min, t.sec, static_cast<long long>(frac));
  return buf;
}

std::string CdxTimestamp(int64_t micros) {
  Tm t = Split(micros);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d%02d%02d%02d%02d%02d", t.year, t.mon, t.day, t.hour, t.min,
                t.sec);
  return buf;
}

std::string GzipMember(std::string_view data) {
  z_stream zs{};
  // 15 + 16: gzip wrapper.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(rc == Z_STREAM_END ? zs.total_out : 0);
  deflateEnd(&zs);
  return out;
}

Result<RecordLocation> WarcWriter::Write(std::string_view type, int64_t date_micros,
                                         const Fields& fields, std::string_view content_type,
                                         std::string_view block) {
  if (block.size() > kMaxBlockBytes) return Status::InvalidArgument("WARC block too large");
  for (const auto& [name, value] : fields) {
    if (HasLineBreak(name) || HasLineBreak(value)) {
      return Status::InvalidArgument("WARC field with a line break: " + name);
    }
  }
  if (HasLineBreak(content_type)) return Status::InvalidArgument("Content-Type with a line break");
  RecordLocation loc;
  loc.record_id = RecordId(type, date_micros, block, count_++);
  std::string record = "WARC/1.1\r\n";
  auto field = [&](std::string_view name, std::string_view value) {
    record.append(name).append(": ").append(value).append("\r\n");
  };
  field("WARC-Type", type);
  field("WARC-Record-ID", loc.record_id);
  field("WARC-Date", WarcDate(date_micros));
  for (const auto& [name, value] : fields) field(name, value);
  if (!content_type.empty()) field("Content-Type", content_type);
  field("WARC-Block-Digest", Sha1Digest(block));
  field("Content-Length", std::to_string(block.size()));
  record.append("\r\n");
  record.append(block);
  record.append("\r\n\r\n");
  const std::string member = GzipMember(record);
  if (member.empty()) return Status::Internal("gzip failed");
  out_->write(member.data(), static_cast<std::streamsize>(member.size()));
  if (!*out_) return Status::IOError("WARC write failed (disk full?)");
  loc.offset = offset_;
  loc.length = member.size();
  offset_ += member.size();
  return loc;
}

std::string HttpResponseHead(int status, const Fields& headers, uint64_t body_size) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + ReasonPhrase(status) + "\r\n";
  for (const auto& [name, value] : headers) {
    if (SameName(name, "content-encoding") || SameName(name, "transfer-encoding") ||
        SameName(name, "content-length") || HasLineBreak(name) || HasLineBreak(value)) {
      continue;
    }
    out.append(name).append(": ").append(value).append("\r\n");
  }
  out.append("Content-Length: ").append(std::to_string(body_size)).append("\r\n\r\n");
  return out;
}

std::string HttpResponseBlock(int status, const Fields& headers, std::string_view body) {
  std::string out = HttpResponseHead(status, headers, body.size());
  out.append(body);
  return out;
}

std::string HttpRequestBlock(std::string_view url, std::string_view user_agent) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  size_t slash = rest.find('/');
  std::string_view host = rest.substr(0, slash);
  std::string path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (size_t hash = path.find('#'); hash != std::string::npos) path.resize(hash);
  if (host.empty() || HasLineBreak(url)) return {};
  std::string out = "GET " + path + " HTTP/1.1\r\nHost: " + std::string(host) + "\r\n";
  if (!user_agent.empty()) out += "User-Agent: " + std::string(user_agent) + "\r\n";
  out += "Accept: */*\r\n\r\n";
  return out;
}

std::string CdxjLine(std::string_view surt, int64_t micros, std::string_view url,
                     std::string_view mime, int status, std::string_view payload_digest,
                     const RecordLocation& location, std::string_view filename) {
  nlohmann::ordered_json j;
  j["url"] = std::string(url);
  j["mime"] = std::string(mime);
  j["status"] = std::to_string(status);
  j["digest"] = std::string(payload_digest);
  j["length"] = std::to_string(location.length);
  j["offset"] = std::to_string(location.offset);
  j["filename"] = std::string(filename);
  std::string line(surt);
  line += ' ';
  line += CdxTimestamp(micros);
  line += ' ';
  line += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  return line;
}

}  // namespace jikji::warc
