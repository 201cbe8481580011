#!/usr/bin/env bash
# Extraction speed on one core: `jikji extract` over the 181 pages of the
# article-extraction-benchmark, against readability-lxml (Debian
# python3-readability, Document(html).summary()) over the same files in the
# same run, both pinned to one CPU. Then the pathological inputs of issue 3
# (50 MB of HTML, 100,000 nested divs, a page of only <script>, a body of NUL
# bytes): wall time and peak RSS of `jikji extract` on each.
# Usage: bench/extract-bench.sh [JIKJI_BINARY] [ROUNDS]
#   JIKJI_BINARY defaults to build/cli/jikji; ROUNDS (default 3) repeats each
#   timing and keeps the fastest.
# Needs ../shared beside the project root, /usr/bin/time, taskset and
# /usr/bin/python3 with python3-readability (deploy/install-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jikji="${1:-$root/build/cli/jikji}"
rounds="${2:-3}"
data="$root/../shared/datasets/article-extraction-benchmark/html"
if [ ! -d "$data" ]; then
  echo "extract-bench: $data is absent" >&2
  exit 2
fi
command -v /usr/bin/time >/dev/null || { echo "extract-bench: needs /usr/bin/time" >&2; exit 2; }
pin="taskset -c 0"
command -v taskset >/dev/null || pin=""
work="$(mktemp -d "${TMPDIR:-/tmp}/jikji-extract-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
pages=$(ls "$data" | wc -l)

# Best of ROUNDS: prints "seconds peak_kb".
measure() {
  local best="" rss=""
  for _ in $(seq "$rounds"); do
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" > /dev/null
    read -r s kb < "$work/time"
    if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; rss=$kb; fi
  done
  echo "$best $rss"
}

cat > "$work/readability_loop.py" <<'PY'
import gzip, os, sys
from readability import Document
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    with gzip.open(os.path.join(d, name), "rb") as f:
        html = f.read()
    try:
        Document(html).summary()
    except Exception as e:  # a failing page still counts as processed
        print("readability: %s: %s" % (name, e), file=sys.stderr)
PY

echo "extract-bench: $pages pages, best of $rounds, pinned: ${pin:-no}"
read -r j_s j_kb < <(measure $pin "$jikji" extract --format jsonl "$data")
read -r r_s r_kb < <(measure $pin /usr/bin/python3 "$work/readability_loop.py" "$data")
awk -v n="$pages" -v js="$j_s" -v jk="$j_kb" -v rs="$r_s" -v rk="$r_kb" 'BEGIN {
  jp = n / js; rp = n / rs;
  printf "jikji extract      %7.1f pages/s  (%.2f s)  peak RSS %6.1f MB\n", jp, js, jk / 1024;
  printf "readability-lxml   %7.1f pages/s  (%.2f s)  peak RSS %6.1f MB\n", rp, rs, rk / 1024;
  printf "ratio jikji/readability %.1fx\n", jp / rp }'
echo "commands: $pin $jikji extract --format jsonl $data"
echo "          $pin /usr/bin/python3 readability_loop.py $data  (Document(html).summary() per page)"

# Pathological inputs.
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
para = "<p>" + "가나다라마바사 아자차카타파하 " * 8 + "</p>\n"
with open(w + "/big50mb.html", "w", encoding="utf-8") as f:
    f.write("<html><head><title>big</title></head><body><div class=article-body>")
    chunk = para * 200
    size = 0
    while size < 50 * 1024 * 1024:
        f.write(chunk)
        size += len(chunk.encode())
    f.write("</div></body></html>")
with open(w + "/nested100k.html", "w") as f:
    f.write("<html><body>" + "<div>" * 100000 + "<p>deep text</p>" + "</div>" * 100000 + "</body></html>")
with open(w + "/only_script.html", "w") as f:
    f.write("<html><head><script>" + "var x = '<div><p>not text</p></div>';\n" * 200000 + "</script></head></html>")
with open(w + "/nul_body.html", "wb") as f:
    f.write(b"<html><body>" + b"\0" * (10 * 1024 * 1024) + b"</body></html>")
PY
echo "pathological inputs (jikji extract, one core, best of $rounds):"
for f in big50mb nested100k only_script nul_body; do
  size=$(stat -c %s "$work/$f.html")
  read -r s kb < <(measure $pin "$jikji" extract "$work/$f.html")
  awk -v f="$f" -v sz="$size" -v s="$s" -v kb="$kb" \
    'BEGIN { printf "  %-12s %8.1f MB  %6.2f s  peak RSS %6.1f MB\n", f, sz / 1048576, s, kb / 1024 }'
done
