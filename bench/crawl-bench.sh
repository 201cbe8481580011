#!/usr/bin/env bash
# Crawl benchmark on the synthetic news web of ../shared/bench.
#
#   bench/crawl-bench.sh [PAGES] [--keep]
#
# Generates make-site --pages PAGES (default 1000: 4 sites, ~4,500 HTML pages),
# serves it with nginx on loopback, crawls it with `jikji crawl` (fetch,
# extract and store every page; 16 transfers in flight, 8 per host;
# Crawl-delay ignored: our own server), then prints crawl-check's score and
# jikji's pages/s, CPU seconds per 1,000 pages and peak RSS (GNU time).
# Needs ../shared beside the project root, nginx and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=${1:-1000}
SHARED=${JIKJI_SHARED_DIR:-../shared}
B=$SHARED/bench
JIKJI=${JIKJI:-build/cli/jikji}
[ -x "$JIKJI" ] || { echo "build first: deploy/build.sh" >&2; exit 1; }
[ -d "$B" ] || { echo "no $B: the bench needs ../shared" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jikji-bench.XXXXXX")
trap 'python3 $B/serve-site stop "$WORK/news" --run-dir "$WORK/run" >/dev/null 2>&1 || true; [ "${2:-}" = --keep ] || rm -rf "$WORK"' EXIT

python3 "$B/make-site" "$WORK/news" --pages "$PAGES" --port 18080 -q
SEEDS=()
for u in $(python3 "$B/serve-site" start "$WORK/news" --run-dir "$WORK/run" -q); do SEEDS+=(--seed "$u"); done
LOG="$WORK/run/access.log"
FROM=$(stat -c %s "$LOG")

/usr/bin/time -f '%e %U %S %M' -o "$WORK/time" \
  "$JIKJI" crawl --archive "$WORK/archive" "${SEEDS[@]}" --ignore-crawl-delay --per-host-delay 0 \
    --concurrency 16 --per-host-connections 8 --max-depth 100 --log-level warn
sleep 1.5
python3 "$B/crawl-check" "$WORK/news" --log "$LOG" --from-byte "$FROM" --json > "$WORK/check.json"
python3 "$B/crawl-check" "$WORK/news" --log "$LOG" --from-byte "$FROM" | tail -n 12

read -r WALL USER SYS RSS_KB < "$WORK/time"
HTML=$(python3 -c "import json;print(json.load(open('$WORK/check.json'))['html_200'])")
python3 - "$WALL" "$USER" "$SYS" "$RSS_KB" "$HTML" <<'PY'
import sys
wall, user, sys_, rss_kb, html = map(float, sys.argv[1:])
print(f"jikji: {html:.0f} HTML pages in {wall:.2f}s = {html / wall:.0f} pages/s; "
      f"CPU {(user + sys_) / html * 1000:.2f}s per 1000 pages; peak RSS {rss_kb / 1024:.0f} MB")
PY
"$JIKJI" stats --archive "$WORK/archive" | head -n 7
du -sh "$WORK/archive"
