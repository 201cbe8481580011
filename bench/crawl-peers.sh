#!/usr/bin/env bash
# Crawl benchmark against peer crawlers, all in one run on the same site.
#
#   bench/crawl-peers.sh [PAGES] [--keep]
#
# Generates ../shared/bench/make-site --pages PAGES (default 1000: 4 sites on
# 127.0.0.1-4, ~4,500 HTML pages), serves it with serve-site (nginx on
# loopback) and crawls it, one tool after the other, with the same
# concurrency (16 transfers in all, 8 per host where the tool has such a
# limit), robots.txt obeyed and Crawl-delay ignored (our own server):
#   scrapy   a minimal CrawlSpider following every in-domain link
#            (CONCURRENT_REQUESTS=16, CONCURRENT_REQUESTS_PER_DOMAIN=8,
#            DOWNLOAD_DELAY=0, AUTOTHROTTLE off, ROBOTSTXT_OBEY on; scrapy
#            does not implement Crawl-delay)
#   httrack  recursive mirror (-c16 sockets, -s2 robots always, security
#            limits off so that -c16 and the connection rate are not capped)
#   wget2    recursive mirror (--max-threads=16 --robots=on; no per-host
#            limit and no Crawl-delay support)
#   jikji    jikji crawl (--concurrency 16 --per-host-connections 8
#            --per-host-delay 0 --ignore-crawl-delay --max-depth 100)
# For each: wall time, HTML pages/s (crawl-check's html_200 between the
# access-log byte offsets of that tool's run), CPU seconds per 1,000 pages
# and peak RSS (GNU time), and crawl-check's coverage, /private/ requests and
# refetches. Prints a table and the ratios jikji/scrapy and jikji/wget2.
#
# The peers are bench-only: missing ones are installed here with apt-get
# (Debian: python3-scrapy, httrack, wget2), never by deploy/install-deps.sh.
# Needs ../shared beside the project root (or JIKJI_SHARED_DIR), nginx,
# /usr/bin/time, and a built jikji (JIKJI, default build/cli/jikji).
# PEERS="scrapy wget2" limits the peers run (jikji always runs). ROUNDS=N
# (default 1) runs wget2 and jikji N times in turn (rows "wget2.2",
# "jikji.2", ...) and prints the jikji/wget2 ratio of each round and their
# median: on a noisy machine one pair of runs says little.
# Every tool writes under ${TMPDIR:-/tmp}, or under FS:
#   FS=ext4-ram  a fresh ext4 file system made for the run in a RAM-backed
#                image (/dev/shm, EXT4_RAM_MB, default 3072), loop-mounted
#                (needs root and a loop device); removed at the end
#   FS=tmpfs     /dev/shm
# wget2 and httrack create a file per page, so their rates follow the file
# system's cost of a file creation, and on a long-used ext4 disk that cost
# depends on its history: after a few thousand files were deleted, ext4's
# inode allocator scans past recently deleted inodes (perf: find_inode_bit,
# recently_deleted and find_get_block_common were 45% of wget2's CPU), and
# wget2 measured 1,200 to 4,400 pages/s on the same /tmp within an hour
# while jikji stayed at 1,700-1,750. FS=ext4-ram is ext4 without that
# history or the host disk; it is the steadiest comparison of the three.
# "site/s" is distinct pages of the site fetched per second (crawl-check's
# expected_fetched / wall: a ?utm_ variant fetched again counts once);
# "pages/s" counts every HTML 200.
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=${1:-1000}
KEEP=${2:-}
SHARED=${JIKJI_SHARED_DIR:-../shared}
B=$SHARED/bench
JIKJI=${JIKJI:-build/cli/jikji}
PEERS=${PEERS:-scrapy httrack wget2}
ROUNDS=${ROUNDS:-1}
CONCURRENCY=16
PER_HOST=8
# One tool may not run longer than this (seconds); then it is stopped and
# its row shows what it fetched until then.
TOOL_TIMEOUT=${TOOL_TIMEOUT:-900}
# httrack 3.49 fetches about one page a second here after its first burst,
# whatever its rate flags (-%c, -A, -%!, keep-alive on or off, gzip on or
# off): a full crawl would take over an hour, so it gets a shorter budget and
# its row is marked "(stopped)".
HTTRACK_TIMEOUT=${HTTRACK_TIMEOUT:-120}

[ -x "$JIKJI" ] || { echo "build first: deploy/build.sh (or set JIKJI)" >&2; exit 1; }
[ -d "$B" ] || { echo "no $B: the bench needs ../shared" >&2; exit 1; }

# Installs Debian packages that are missing (root or sudo).
need_pkgs=()
need() { command -v "$1" >/dev/null 2>&1 || need_pkgs+=("$2"); }
need nginx nginx
[ -x /usr/bin/time ] || need_pkgs+=(time)
for p in $PEERS; do
  case $p in
    scrapy) need scrapy python3-scrapy ;;
    httrack) need httrack httrack ;;
    wget2) need wget2 wget2 ;;
    *) echo "unknown peer: $p" >&2; exit 2 ;;
  esac
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  echo "installing ${need_pkgs[*]} (bench-only peers)" >&2
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

FS=${FS:-}
BASE_DIR=${TMPDIR:-/tmp}
EXT4_MNT=
EXT4_IMG=
case $FS in
  "") ;;
  tmpfs) BASE_DIR=/dev/shm ;;
  ext4-ram)
    [ "$(id -u)" = 0 ] || { echo "FS=ext4-ram needs root (mkfs, mount -o loop)" >&2; exit 2; }
    EXT4_IMG=$(mktemp /dev/shm/jikji-peers-ext4.XXXXXX)
    EXT4_MNT=$(mktemp -d /tmp/jikji-peers-mnt.XXXXXX)
    truncate -s "${EXT4_RAM_MB:-3072}M" "$EXT4_IMG"
    mkfs.ext4 -q -F "$EXT4_IMG"
    mount -o loop "$EXT4_IMG" "$EXT4_MNT" ||
      { rm -f "$EXT4_IMG"; rmdir "$EXT4_MNT"; echo "FS=ext4-ram: mount -o loop failed" >&2; exit 2; }
    BASE_DIR=$EXT4_MNT
    ;;
  *) echo "unknown FS=$FS (ext4-ram or tmpfs)" >&2; exit 2 ;;
esac
WORK=$(mktemp -d "$BASE_DIR/jikji-peers.XXXXXX")
cleanup() {
  python3 "$B/serve-site" stop "$WORK/news" --run-dir "$WORK/run" >/dev/null 2>&1 || true
  if [ "$KEEP" = --keep ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
  if [ -n "$EXT4_MNT" ]; then
    umount "$EXT4_MNT" && rmdir "$EXT4_MNT" && rm -f "$EXT4_IMG"
  fi
}
trap cleanup EXIT
echo "file system: $(df -T "$WORK" | awk 'NR == 2 {print $2}') at $BASE_DIR${FS:+ (FS=$FS)}" >&2

python3 "$B/make-site" "$WORK/news" --pages "$PAGES" --port 18080 -q
BASES=($(python3 "$B/serve-site" start "$WORK/news" --run-dir "$WORK/run" -q))
LOG="$WORK/run/access.log"
HOSTS=()
for u in "${BASES[@]}"; do h=${u#http://}; HOSTS+=("${h%%:*}"); done
echo "site: ${#BASES[@]} hosts (${BASES[*]}), $PAGES articles per host" >&2

# run TOOL CMD...: runs CMD under GNU time, then scores its slice of the log.
run() {
  local tool=$1; shift
  local from to limit=${RUN_TIMEOUT:-$TOOL_TIMEOUT}
  sleep 1.5  # nginx flushes its access log every second
  from=$(stat -c %s "$LOG")
  echo "== $tool: $*" >&2
  set +e
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/$tool.time" \
    timeout "$limit" "$@" >"$WORK/$tool.out" 2>"$WORK/$tool.err" </dev/null
  local rc=$?
  set -e
  [ $rc = 0 ] || echo "   $tool exited $rc (see $WORK/$tool.err if --keep)" >&2
  # GNU time writes a "Command exited with non-zero status" line first then.
  tail -n 1 "$WORK/$tool.time" > "$WORK/$tool.t"
  sleep 1.5
  to=$(stat -c %s "$LOG")
  python3 "$B/crawl-check" "$WORK/news" --log "$LOG" --from-byte "$from" --to-byte "$to" --json \
    > "$WORK/$tool.json"
  echo "$tool $from $to $rc" >> "$WORK/order"
}

# --- scrapy: a minimal CrawlSpider -----------------------------------------
if [[ " $PEERS " == *" scrapy "* ]]; then
  cat > "$WORK/spider.py" <<'PY'
import os
import scrapy
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

BASES = os.environ["PEER_BASES"].split()
HOSTS = os.environ["PEER_HOSTS"].split()


class NewsSpider(CrawlSpider):
    name = "news"
    allowed_domains = HOSTS
    start_urls = BASES
    # Every link; OffsiteMiddleware drops other hosts by hostname (the
    # extractor's allow_domains would compare "host:port" and match none).
    rules = (Rule(LinkExtractor(), callback="parse_item", follow=True),)
    custom_settings = {
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": int(os.environ["PEER_CONCURRENCY"]),
        "CONCURRENT_REQUESTS_PER_DOMAIN": int(os.environ["PEER_PER_HOST"]),
        "CONCURRENT_REQUESTS_PER_IP": 0,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "DEPTH_LIMIT": 0,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "USER_AGENT": "scrapy-peer-bench",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }

    def parse_start_url(self, response):
        return self.parse_item(response)

    def parse_item(self, response):
        yield {"url": response.url, "title": response.css("title::text").get()}
PY
  run scrapy env PEER_BASES="${BASES[*]}" PEER_HOSTS="${HOSTS[*]}" PEER_CONCURRENCY=$CONCURRENCY \
    PEER_PER_HOST=$PER_HOST scrapy runspider "$WORK/spider.py" -o "$WORK/scrapy-items.jsonl"
fi

# --- httrack -----------------------------------------------------------------
if [[ " $PEERS " == *" httrack "* ]]; then
  RUN_TIMEOUT=$HTTRACK_TIMEOUT run httrack httrack "${BASES[@]}" -O "$WORK/httrack" -q -c$CONCURRENCY '-%c1000' '-%!' -s2 -r100 \
    '-%e0' -A1000000000 -I0 '-%v0' -F "httrack-peer-bench"
fi

# --- wget2 and jikji, ROUNDS times in turn ------------------------------------
SEEDS=()
for u in "${BASES[@]}"; do SEEDS+=(--seed "$u"); done
for ((round = 1; round <= ROUNDS; round++)); do
  suffix=""
  [ "$round" = 1 ] || suffix=".$round"
  if [[ " $PEERS " == *" wget2 "* ]]; then
    # No --span-hosts: the start URLs' hosts are followed, nothing else (with
    # --span-hosts wget2 also tries to resolve "tel" from tel: links and waits
    # on DNS until it gives up).
    run "wget2$suffix" wget2 --recursive --level=inf --robots=on --max-threads=$CONCURRENCY \
      -P "$WORK/wget2$suffix" --no-verbose --user-agent=wget2-peer-bench "${BASES[@]}"
  fi
  run "jikji$suffix" "$JIKJI" crawl --archive "$WORK/archive$suffix" "${SEEDS[@]}" --ignore-crawl-delay \
    --per-host-delay 0 --concurrency $CONCURRENCY --per-host-connections $PER_HOST --max-depth 100 \
    --log-level warn
done

# --- the table ---------------------------------------------------------------
python3 - "$WORK" "$PAGES" "$(df -T "$WORK" | awk 'NR == 2 {print $2}') at $BASE_DIR" <<'PY'
import json, os, sys
work, pages = sys.argv[1], sys.argv[2]
rows = {}
for line in open(os.path.join(work, "order")):
    tool, _, _, rc = line.split()
    wall, user, sys_, rss_kb = map(float, open(os.path.join(work, tool + ".t")).read().split())
    c = json.load(open(os.path.join(work, tool + ".json")))
    html = c["html_200"]
    rows[tool] = {
        "wall": wall, "html": html,
        "pps": html / wall if wall else 0,
        "sps": c["expected_fetched"] / wall if wall else 0,
        "cpu_k": (user + sys_) / html * 1000 if html else float("nan"),
        "rss_mb": rss_kb / 1024,
        "coverage": c["coverage"], "requests": c["requests"],
        "private": c["private_requests"],
        "refetch": c["extra_article_requests"], "repeats": c["identical_url_repeats"],
        "conns": c["connections"],
        "note": "(stopped)" if rc == "124" else ("" if rc == "0" else f"(exit {rc})"),
    }
fs = sys.argv[3]
print(f"\ncrawl-peers: make-site --pages {pages}, concurrency 16 (8 per host), robots on, Crawl-delay ignored, {fs}")
hdr = (f"{'tool':8} {'wall s':>7} {'html_200':>8} {'pages/s':>8} {'site/s':>7} {'CPU s/1k':>8} {'RSS MB':>7} "
       f"{'coverage':>8} {'requests':>8} {'private':>7} {'refetch':>7} {'repeats':>7} {'conns':>6}")
print(hdr)
print("-" * len(hdr))
for tool, r in rows.items():
    print(f"{tool:8} {r['wall']:7.2f} {r['html']:8d} {r['pps']:8.0f} {r['sps']:7.0f} {r['cpu_k']:8.2f} {r['rss_mb']:7.0f} "
          f"{r['coverage']:8.2%} {r['requests']:8d} {r['private']:7d} {r['refetch']:7d} {r['repeats']:7d} "
          f"{r['conns']:6d} {r['note']}")
print("site/s: distinct pages of the site fetched per second; refetch: extra requests for article "
      "URLs already fetched (?utm_ variants); repeats: identical URL requested again")
rounds = sorted((t.partition(".")[2] or "1" for t in rows if t.startswith("jikji")), key=int)
if len(rounds) > 1 and "wget2" in rows:
    for key, label in (("pps", "pages/s"), ("sps", "site/s")):
        ratios = []
        for r in rounds:
            sfx = "" if r == "1" else "." + r
            j, w = rows.get("jikji" + sfx), rows.get("wget2" + sfx)
            if j and w and w[key]:
                ratios.append(j[key] / w[key])
        if not ratios:
            continue
        median = sorted(ratios)[len(ratios) // 2]
        print(f"jikji/wget2 {label} per round: {', '.join(f'x{x:.2f}' for x in ratios)}; "
              f"median x{median:.2f}")
j = rows.get("jikji")
for peer in ("scrapy", "wget2"):
    p = rows.get(peer)
    if not j or not p:
        continue
    def ratio(a, b):
        return a / b if b else float("nan")
    print(f"jikji/{peer}: pages/s x{ratio(j['pps'], p['pps']):.2f}, site/s x{ratio(j['sps'], p['sps']):.2f}, CPU per page x{ratio(j['cpu_k'], p['cpu_k']):.2f}, "
          f"peak RSS x{ratio(j['rss_mb'], p['rss_mb']):.2f}, coverage {j['coverage']:.2%} vs {p['coverage']:.2%}")
PY
