#!/usr/bin/env bash
# Archive benchmark on the synthetic news web of ../shared/bench.
#
#   bench/archive-bench.sh [PAGES] [--keep]
#
# 1. make-site --pages PAGES (default 1000: 4 sites, ~4,500 HTML pages), served
#    by nginx on loopback, crawled into a fresh archive by `jikji crawl`
#    (fetch + extract + Store: ingest captures/s, crawl-bound);
# 2. bytes on disk per stored page, everything in the archive directory
#    counted, vs the same pages as gzip-per-record WARC payloads;
# 3. dedup precision/recall against the manifest's exact_dup / near_dup pairs
#    (clusters: a pair counts when both URLs land in one duplicate group);
# 4. `jikji rebuild --restart` pages/s (re-extract every capture, store none);
# 5. `jikji export` rows/s and MB/s (JSON Lines and WARC);
# 6. the SIGKILL crash loop (archive_index_test, 20 kills).
# Needs ../shared, nginx, /usr/bin/time, python3. PORT (default 18080) is the
# loopback port the sites are served on.
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=${1:-1000}
SHARED=${JIKJI_SHARED_DIR:-../shared}
B=$SHARED/bench
BUILD=${BUILD:-build}
JIKJI=${JIKJI:-$BUILD/cli/jikji}
[ -x "$JIKJI" ] || { echo "build first: deploy/build.sh" >&2; exit 1; }
[ -d "$B" ] || { echo "no $B: the bench needs ../shared" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jikji-archive-bench.XXXXXX")
trap 'python3 $B/serve-site stop "$WORK/news" --run-dir "$WORK/run" >/dev/null 2>&1 || true; [ "${2:-}" = --keep ] || rm -rf "$WORK"' EXIT
J() { "$JIKJI" "$@" --config /dev/null --archive "$WORK/archive" --log-level warn; }

python3 "$B/make-site" "$WORK/news" --pages "$PAGES" --port "${PORT:-18080}" -q
SEEDS=()
for u in $(python3 "$B/serve-site" start "$WORK/news" --run-dir "$WORK/run" -q); do SEEDS+=(--seed "$u"); done
echo "== ingest: jikji crawl (fetch + extract + store)"
/usr/bin/time -f '%e' -o "$WORK/t.crawl" "$JIKJI" crawl --archive "$WORK/archive" "${SEEDS[@]}" \
  --ignore-crawl-delay --per-host-delay 0 --concurrency 16 --per-host-connections 8 \
  --max-depth 100 --log-level warn
python3 "$B/serve-site" stop "$WORK/news" --run-dir "$WORK/run" >/dev/null
J stats --json > "$WORK/stats.json"

echo "== export"
/usr/bin/time -f '%e' -o "$WORK/t.export" "$JIKJI" export --config /dev/null --archive "$WORK/archive" \
  --include-aliases --out "$WORK/all.jsonl" --log-level warn
/usr/bin/time -f '%e' -o "$WORK/t.warc" "$JIKJI" export --config /dev/null --archive "$WORK/archive" \
  --format warc --out "$WORK/all.warc.gz" --log-level warn

echo "== rebuild"
/usr/bin/time -f '%e' -o "$WORK/t.rebuild" "$JIKJI" rebuild --config /dev/null --archive "$WORK/archive" \
  --restart --log-level warn | tee "$WORK/rebuild.txt"
echo "== verify"
J verify | tail -n 1

python3 - "$WORK" <<'PY'
import glob, gzip, json, os, sys
work = sys.argv[1]
t = lambda n: float(open(f"{work}/t.{n}").read().split()[-1])
stats = json.load(open(f"{work}/stats.json"))
m = json.load(open(f"{work}/news/manifest.json"))
rows = [json.loads(l) for l in open(f"{work}/all.jsonl")]

# Archive size: every file in the directory.
arch = sum(os.path.getsize(p) for p in glob.glob(f"{work}/archive/**", recursive=True) if os.path.isfile(p))
# The same HTML pages as gzip-per-record payloads (what a WARC.gz holds, headers aside).
html = [p for p in glob.glob(f"{work}/news/site*/**/*.html", recursive=True) if "/private/" not in p]
gz = sum(len(gzip.compress(open(p, "rb").read(), 6)) for p in html)
caps = stats["captures"]
print(f"ingest: {caps} captures in {t('crawl'):.2f}s = {caps / t('crawl'):.0f} captures/s (crawl over loopback, extract included)")
print(f"disk: archive {arch/1e6:.2f} MB for {caps} captures = {arch/caps:.0f} B/capture; "
      f"{len(html)} HTML pages as gzip-per-record {gz/1e6:.2f} MB = {gz/len(html):.0f} B/page; ratio {arch/gz:.2f}")

# Dedup: clusters from the export vs manifest pairs. An exact copy holds the
# same text as its original, so near duplicates are scored over clusters that
# join exact copies too: whichever of an original and its exact copy is
# stored first keeps the text (the other becomes its alias), and a near
# duplicate of the original then names the copy.
exact_found = [(r["url"], r["duplicate_of"]) for r in rows if r["duplicate_of"]]
exact_truth = [(a["url"], a["dup_of"]) for a in m["articles"] if a["kind"] == "exact_dup"]
for kind, field in (("exact_dup", "duplicate_of"), ("near_dup", "near_duplicate_of")):
    found = [(r["url"], r[field]) for r in rows if r[field]]
    truth = [(a["url"], a["dup_of"]) for a in m["articles"] if a["kind"] == kind]
    joined_found = found + (exact_found if kind == "near_dup" else [])
    joined_truth = truth + (exact_truth if kind == "near_dup" else [])
    parent, tparent = {}, {}
    def find(p, x):
        p.setdefault(x, x)
        while p[x] != x:
            p[x] = p[p[x]]; x = p[x]
        return x
    for a, b in joined_found: parent[find(parent, a)] = find(parent, b)
    for a, b in joined_truth: tparent[find(tparent, a)] = find(tparent, b)
    same = lambda p, a, b: a in p and b in p and find(p, a) == find(p, b)
    tp_r = sum(1 for a, b in truth if same(parent, a, b))
    tp_p = sum(1 for a, b in found if same(tparent, a, b))
    print(f"dedup {kind}: manifest pairs {len(truth)}, archive links {len(found)}, "
          f"precision {tp_p / max(1, len(found)):.3f}, recall {tp_r / max(1, len(truth)):.3f}")
reb = open(f"{work}/rebuild.txt").read().strip()
print(f"rebuild: {reb}")
size = os.path.getsize(f"{work}/all.jsonl")
print(f"export jsonl: {len(rows)} rows, {size/1e6:.1f} MB in {t('export'):.2f}s = "
      f"{len(rows)/t('export'):.0f} rows/s, {size/1e6/t('export'):.1f} MB/s")
wsize = os.path.getsize(f"{work}/all.warc.gz")
print(f"export warc: {caps} captures, {wsize/1e6:.1f} MB in {t('warc'):.2f}s = {caps/t('warc'):.0f} captures/s")
PY

echo "== crash loop (20 SIGKILLs)"
T="$BUILD/tests/storage/archive_index_test"
if [ -x "$T" ]; then
  rc=0; "$T" --gtest_filter='ArchiveCrashTest.*' > "$WORK/crash.txt" 2>&1 || rc=$?
  grep -A4 'Failure' "$WORK/crash.txt" | head -n 20 || true
  tail -n 3 "$WORK/crash.txt"
  exit "$rc"
else
  echo "($T not built)"
fi
