// The common case of link resolution, without the standard's parser.
//
// A news page links a hundred times to its own site: "/news/123",
// "?page=2", "view.html?id=7", "https://same.site/path". When a reference is
// made only of characters the parser copies as they are (no dot segment, no
// character to percent-encode, no backslash, tab or space) and names the
// base's own origin, its resolution is a matter of splicing strings.
// ResolveSimple does that and gives up (returns false) on everything else,
// which then goes through the full parser. Resolve() uses it first.
//
// Thread safety: free functions over values.
#ifndef JIKJI_URL_INTERNAL_RESOLVE_H_
#define JIKJI_URL_INTERNAL_RESOLVE_H_

#include <string>
#include <string_view>

#include "common/status.h"
#include "url/url.h"

namespace jikji::url::internal {

// Resolves `ref` against `base` into *out when it is a simple case; false
// (and *out unspecified) otherwise. When true, *out equals what the full
// parser gives.
bool ResolveSimple(const Url& base, std::string_view ref, Url* out);

// The same shortcut, serialized: *out is what ResolveSimple's URL
// serializes to, spliced as a string.
bool ResolveSimpleSerialized(const Url& base, std::string_view ref, std::string* out);

// Resolve() without the shortcut: the parser of the URL Standard only.
Result<Url> ResolveFull(const Url& base, std::string_view ref);

}  // namespace jikji::url::internal

#endif  // JIKJI_URL_INTERNAL_RESOLVE_H_
