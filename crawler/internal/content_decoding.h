// Content-Encoding decoding of a whole response body, done by the fetcher
// itself rather than by libcurl: libdeflate decodes a gzip body in one call
// at about twice the speed of zlib's streaming inflate (which libcurl uses,
// in 16 KB steps), and gzip decoding was ~4% of a crawl's CPU.
//
// The fetcher asks for gzip, deflate, br and zstd (kAcceptEncoding) and
// receives the encoded bytes, capped at max_body_bytes like any body. DecodeContent()
// then undoes the encodings named in the response's Content-Encoding, last
// applied first. The decoded size is bounded too: a body that decodes to
// more than `max_bytes` keeps its first `max_bytes` and is reported
// truncated (a gzip bomb stops there; zlib's streaming inflate produces
// exactly that prefix; brotli and zstd are decoded streaming, zstd with an
// 8 MiB window at most). An encoded body cut short (the transfer stopped at
// the cap) keeps what decodes.
//
// Thread safety: free function; reentrant.
#ifndef JIKJI_CRAWLER_INTERNAL_CONTENT_DECODING_H_
#define JIKJI_CRAWLER_INTERNAL_CONTENT_DECODING_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace jikji::crawler::internal {

// The Accept-Encoding the fetcher sends: what DecodeContent() undoes.
inline constexpr char kAcceptEncoding[] = "gzip, deflate, br, zstd";

struct DecodeOutcome {
  Status status;           // DataLoss: unknown encoding or corrupt data
  bool truncated = false;  // decoded past max_bytes: *body holds the first max_bytes
};

// Decodes *body in place per the Content-Encoding header value `encoding`
// ("gzip", "x-gzip", "deflate", "br", "zstd", "identity", or a
// comma-separated list of them; case-insensitive). `input_complete` false: the encoded body was cut
// short, so a stream that ends early is expected (its decoded prefix is
// kept, and the outcome is truncated). On an error *body is left encoded.
DecodeOutcome DecodeContent(std::string_view encoding, bool input_complete, size_t max_bytes,
                            std::string* body);

}  // namespace jikji::crawler::internal

#endif  // JIKJI_CRAWLER_INTERNAL_CONTENT_DECODING_H_
