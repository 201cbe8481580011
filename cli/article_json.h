// JSON forms of extractor and archive records, as the CLI prints them.
// The export schema is documented in docs/export.md.
#ifndef JIKJI_CLI_ARTICLE_JSON_H_
#define JIKJI_CLI_ARTICLE_JSON_H_

#include <nlohmann/json.hpp>

#include "parser/article.h"
#include "storage/archive.h"

namespace jikji::cli {

// Every Article field (the `jikji extract` output).
nlohmann::ordered_json ArticleToJson(const Article& article);

// One export row (docs/export.md).
nlohmann::ordered_json RecordToJson(const storage::ArticleRecord& record);

}  // namespace jikji::cli

#endif  // JIKJI_CLI_ARTICLE_JSON_H_
