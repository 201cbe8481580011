#include "crawler/internal/content_decoding.h"

#include <brotli/decode.h>
#include <libdeflate.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace jikji::crawler::internal {
namespace {

enum class Wrapper { kGzip, kZlib, kRaw };

// zlib's windowBits for each wrapper.
int WindowBits(Wrapper w) {
  switch (w) {
    case Wrapper::kGzip: return 15 + 16;
    case Wrapper::kZlib: return 15;
    case Wrapper::kRaw: return -15;
  }
  return 15;
}

bool StartsGzipMember(std::string_view in) {
  return in.size() >= 2 && static_cast<unsigned char>(in[0]) == 0x1f &&
         static_cast<unsigned char>(in[1]) == 0x8b;
}

// A zlib (RFC 1950) header: deflate method, and the check bits.
bool StartsZlibHeader(std::string_view in) {
  if (in.size() < 2) return false;
  const unsigned cmf = static_cast<unsigned char>(in[0]);
  const unsigned flg = static_cast<unsigned char>(in[1]);
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
}

// Output room added per step by the streaming decoders.
constexpr size_t kStreamStep = 256 << 10;

struct Decoded {
  enum Kind { kDone, kOverLimit, kCutShort, kBadData } kind = kBadData;
  std::string out;
};

// What one call of a streaming decoder did.
enum class Step { kMore, kDone, kCutShort, kBadData };

// Drives a streaming decoder: step(out, room, &produced) decodes into `room`
// fresh bytes at `out` (at most kStreamStep) until it reports anything but
// kMore. Output past `max` stops it with the first `max` bytes kept (one
// byte of room past `max` shows that there is more).
template <typename StepFn>
Decoded Stream(size_t max, StepFn step) {
  Decoded d;
  while (true) {
    const size_t before = d.out.size();
    const size_t room = std::min(kStreamStep, max + 1 - before);
    d.out.resize(before + room);
    size_t produced = 0;
    const Step result = step(d.out.data() + before, room, &produced);
    d.out.resize(before + produced);
    if (d.out.size() > max) {
      d.out.resize(max);
      d.kind = Decoded::kOverLimit;
      return d;
    }
    switch (result) {
      case Step::kMore: continue;
      case Step::kDone: d.kind = Decoded::kDone; return d;
      case Step::kCutShort: d.kind = Decoded::kCutShort; return d;
      case Step::kBadData: d.kind = Decoded::kBadData; return d;
    }
  }
}

// zlib's streaming inflate: exact about where the output passes `max` and
// how far a cut or corrupt stream decodes. Concatenated gzip members are
// decoded one after the other; bytes after the last stream are ignored.
Decoded Inflate(Wrapper w, std::string_view in, size_t max) {
  z_stream z{};
  if (inflateInit2(&z, WindowBits(w)) != Z_OK) return Decoded();
  std::unique_ptr<z_stream, int (*)(z_stream*)> end(&z, inflateEnd);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  return Stream(max, [&](char* out, size_t room, size_t* produced) {
    z.next_out = reinterpret_cast<Bytef*>(out);
    z.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&z, Z_NO_FLUSH);
    *produced = room - z.avail_out;
    if (rc == Z_STREAM_END) {
      std::string_view rest(reinterpret_cast<const char*>(z.next_in), z.avail_in);
      if (w != Wrapper::kGzip || !StartsGzipMember(rest)) return Step::kDone;
      inflateReset(&z);
      return Step::kMore;
    }
    if (rc == Z_BUF_ERROR || (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0)) {
      return Step::kCutShort;  // the input ended inside the stream
    }
    return rc == Z_OK ? Step::kMore : Step::kBadData;
  });
}

struct FreeDecompressor {
  void operator()(libdeflate_decompressor* p) const { libdeflate_free_decompressor(p); }
};

libdeflate_decompressor* ThreadDecompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, FreeDecompressor> d(
      libdeflate_alloc_decompressor());
  return d.get();
}

// libdeflate, whole-buffer: true with *out when the stream decodes
// completely within `max` bytes; false sends the caller to Inflate().
bool FastDecode(Wrapper w, std::string_view in, size_t max, std::string* out) {
  libdeflate_decompressor* dec = ThreadDecompressor();
  if (dec == nullptr) return false;
  out->clear();
  while (true) {
    // The first guess: a gzip member's trailer holds its size (mod 2^32);
    // otherwise four times the input, then doubled while it does not fit.
    const size_t room_left = max - out->size();
    size_t guess = std::max<size_t>(in.size() * 4, 64 << 10);
    if (w == Wrapper::kGzip && in.size() >= 18) {
      uint32_t isize;
      std::memcpy(&isize, in.data() + in.size() - 4, 4);  // little-endian, as x86 and arm64 are
      guess = std::max<size_t>(isize, 1);
    }
    size_t room = std::min(guess, room_left);
    while (true) {
      const size_t base = out->size();
      out->resize(base + room);
      size_t in_used = in.size();
      size_t produced = 0;
      libdeflate_result r = LIBDEFLATE_BAD_DATA;
      switch (w) {
        case Wrapper::kGzip:
          r = libdeflate_gzip_decompress_ex(dec, in.data(), in.size(), out->data() + base, room,
                                            &in_used, &produced);
          break;
        case Wrapper::kZlib:
          r = libdeflate_zlib_decompress_ex(dec, in.data(), in.size(), out->data() + base, room,
                                            &in_used, &produced);
          break;
        case Wrapper::kRaw:
          r = libdeflate_deflate_decompress_ex(dec, in.data(), in.size(), out->data() + base, room,
                                               &in_used, &produced);
          break;
      }
      if (r == LIBDEFLATE_SUCCESS) {
        out->resize(base + produced);
        in.remove_prefix(in_used);
        break;
      }
      out->resize(base);
      if (r != LIBDEFLATE_INSUFFICIENT_SPACE || room >= room_left) return false;
      room = room > room_left / 2 ? room_left : room * 2;
    }
    if (w == Wrapper::kGzip && StartsGzipMember(in)) continue;  // another member
    return true;
  }
}

Decoded DecodeOne(Wrapper w, std::string_view in, size_t max) {
  Decoded d;
  if (FastDecode(w, in, max, &d.out)) {
    d.kind = Decoded::kDone;
    return d;
  }
  return Inflate(w, in, max);
}

// Brotli (RFC 7932), streaming, bounded by `max` like Inflate().
Decoded Unbrotli(std::string_view in, size_t max) {
  std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> state(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
  if (!state) return Decoded();
  const uint8_t* next_in = reinterpret_cast<const uint8_t*>(in.data());
  size_t avail_in = in.size();
  return Stream(max, [&](char* out, size_t room, size_t* produced) {
    uint8_t* next_out = reinterpret_cast<uint8_t*>(out);
    size_t avail_out = room;
    const BrotliDecoderResult r =
        BrotliDecoderDecompressStream(state.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
    *produced = room - avail_out;
    switch (r) {
      case BROTLI_DECODER_RESULT_SUCCESS: return Step::kDone;
      case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: return Step::kCutShort;
      case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: return Step::kMore;
      default: return Step::kBadData;
    }
  });
}

// Largest zstd window accepted: 8 MiB, what RFC 8878 asks HTTP senders to
// stay within; a frame wanting more would make the decoder allocate it.
constexpr int kZstdMaxWindowLog = 23;

// zstd (RFC 8878), streaming, bounded by `max` like Inflate();
// concatenated frames are decoded one after the other.
Decoded Unzstd(std::string_view in, size_t max) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx || ZSTD_isError(ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, kZstdMaxWindowLog))) {
    return Decoded();
  }
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  return Stream(max, [&](char* out, size_t room, size_t* produced) {
    ZSTD_outBuffer output{out, room, 0};
    const size_t pending = ZSTD_decompressStream(ctx.get(), &output, &input);  // 0: a frame ended
    if (ZSTD_isError(pending)) return Step::kBadData;  // nothing produced counts
    *produced = output.pos;
    // All input read and nothing more to flush: done, or cut inside a frame.
    if (input.pos == input.size && output.pos < room) {
      return pending == 0 ? Step::kDone : Step::kCutShort;
    }
    return Step::kMore;
  });
}

std::string LowerTrim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

DecodeOutcome DecodeContent(std::string_view encoding, bool input_complete, size_t max_bytes,
                            std::string* body) {
  DecodeOutcome outcome;
  std::vector<std::string> codings;
  while (!encoding.empty()) {
    const size_t comma = encoding.find(',');
    std::string coding = LowerTrim(encoding.substr(0, comma));
    if (!coding.empty() && coding != "identity") {
      if (coding != "gzip" && coding != "x-gzip" && coding != "deflate" && coding != "br" &&
          coding != "zstd") {
        outcome.status = Status::DataLoss("unsupported Content-Encoding: " + coding);
        return outcome;
      }
      codings.push_back(std::move(coding));
    }
    if (comma == std::string_view::npos) break;
    encoding.remove_prefix(comma + 1);
  }
  if (codings.empty() || body->empty()) return outcome;

  std::string decoded;
  std::string_view in = *body;
  // The last coding applied is undone first.
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    Decoded d;
    if (*it == "br") {
      d = Unbrotli(in, max_bytes);
    } else if (*it == "zstd") {
      d = Unzstd(in, max_bytes);
    } else if (*it == "deflate") {
      // zlib-wrapped by the standard, raw from some servers; a raw stream
      // can look like a zlib header.
      d = DecodeOne(StartsZlibHeader(in) ? Wrapper::kZlib : Wrapper::kRaw, in, max_bytes);
      if (d.kind == Decoded::kBadData && StartsZlibHeader(in)) d = DecodeOne(Wrapper::kRaw, in, max_bytes);
    } else {
      d = DecodeOne(Wrapper::kGzip, in, max_bytes);
    }
    switch (d.kind) {
      case Decoded::kDone:
        break;
      case Decoded::kOverLimit:
        outcome.truncated = true;
        input_complete = false;  // what is left for the next coding is a prefix
        break;
      case Decoded::kCutShort:
        if (input_complete) {
          outcome.status = Status::DataLoss(*it + " data ends before the end of its stream");
          return outcome;
        }
        outcome.truncated = true;
        break;
      case Decoded::kBadData:
        outcome.status = Status::DataLoss("corrupt " + *it + " data");
        return outcome;
    }
    decoded = std::move(d.out);
    in = decoded;
  }
  *body = std::move(decoded);
  return outcome;
}

}  // namespace jikji::crawler::internal
