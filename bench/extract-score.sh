#!/usr/bin/env bash
# Scores `jikji extract` on the article-extraction-benchmark (181 pages) with
# ../shared/tools/extract-score. Prints the scorer's summary; the last line is
#   F1 0.xxx precision 0.xxx recall 0.xxx n 181
# Usage: bench/extract-score.sh [JIKJI_BINARY] [--per-item]
#   JIKJI_BINARY defaults to build/cli/jikji. Work files go to $TMPDIR.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jikji="${1:-$root/build/cli/jikji}"
shift || true
shared="$root/../shared"
data="$shared/datasets/article-extraction-benchmark"
if [ ! -d "$data/html" ]; then
  echo "extract-score: $data is absent; nothing to score" >&2
  exit 2
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/jikji-extract-score.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$jikji" extract --format jsonl "$data/html" > "$work/out.jsonl"
# {"file": ".../<id>.html.gz", "body": ...} -> {"id": "<id>", "text": ...}
python3 - "$work/out.jsonl" "$work/pred.jsonl" <<'PY'
import json, os, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in f:
        j = json.loads(line)
        name = os.path.basename(j["file"])
        out.write(json.dumps({"id": name.split(".")[0], "text": j.get("body", "")},
                             ensure_ascii=False) + "\n")
PY
echo "command: $jikji extract --format jsonl $data/html | extract-score" >&2
python3 "$shared/tools/extract-score" "$data/ground-truth.json" "$work/pred.jsonl" "$@"
