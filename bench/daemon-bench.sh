#!/usr/bin/env bash
# daemon-bench.sh: the two figures of `jikji daemon` in the closing note of
# the daemon issue, measured against a loopback test web (a small Python
# server embedded below; nothing leaves 127.0.0.1).
#
#   bench/daemon-bench.sh idle    [JIKJI]   idle CPU and RSS with 50 configured sources
#   bench/daemon-bench.sh revisit [JIKJI]   requests/day per source: stable vs hourly-changing site
#
# idle: 50 sources (sNN.test, each a home page, an RSS feed and ARTICLES
#   articles, all on one server via [crawl] resolve), the shipped daemon
#   defaults (interval 15m, revisit_min 1h, ...). Waits for the first round
#   to finish (queue empty, request count still for 5 s), then samples
#   /proc/PID/stat utime+stime and VmRSS every SAMPLE seconds for DURATION
#   seconds (default 600 = 10 minutes). Prints CPU seconds, % of one core,
#   RSS min/max, VmHWM, and the requests the daemon made meanwhile.
#
# revisit: two sources, `stable` (pages never change) and `hourly` (every
#   article body, the home page and the feed change once per scaled hour).
#   The server answers If-None-Match / If-Modified-Since with 304. A day
#   cannot be waited out, so every schedule duration is divided by FACTOR
#   (default 72: one day = 20 minutes; interval 15m -> 12.5s, revisit_min
#   1h -> 50s, fresh_interval 3h -> 150s, fresh_period 48h -> 40m,
#   revisit_max 30d -> 10h) and so is the site's change period and the
#   per-host delay (politeness must not be what limits the count). Runs
#   DAYS scaled days (default 1), then counts the server's log per source
#   and per scaled day, split into entry points (/, /rss.xml), articles and
#   robots.txt, and the 304s. The crawl loop ticks every 200 ms and a
#   revisit is due `interval` after the previous one was processed (about
#   0.7 s of lag per cycle), so keep the smallest scaled interval at several
#   seconds (FACTOR <= ~100): at FACTOR 96 a 9.4 s entry-point cycle took
#   10.1 s, i.e. counts ~7 % low (at full scale the lag is 0.1 %).
#
# Environment: DURATION (idle, seconds, default 600), SAMPLE (default 10),
#   SOURCES (idle, default 50), ARTICLES (per source, default 5), FACTOR,
#   DAYS (revisit), PORT (server, default 28300+), ADMIN_PORT, KEEP=1 keeps
#   the work dir. JIKJI defaults to build/cli/jikji.
set -euo pipefail

MODE=${1:-}
case "$MODE" in idle|revisit) ;; *) sed -n '2,12p' "$0"; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JIKJI=${2:-$ROOT/build/cli/jikji}
[[ -x "$JIKJI" ]] || { echo "daemon-bench: no jikji binary at $JIKJI" >&2; exit 2; }
JIKJI=$(readlink -f "$JIKJI")
DURATION=${DURATION:-600}
SAMPLE=${SAMPLE:-10}
SOURCES=${SOURCES:-50}
ARTICLES=${ARTICLES:-5}
FACTOR=${FACTOR:-72}
DAYS=${DAYS:-1}
PORT=${PORT:-$((28300 + $$ % 500))}
ADMIN_PORT=${ADMIN_PORT:-$((29300 + $$ % 500))}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/daemon-bench.XXXXXX")
SERVER_PID=""
DAEMON_PID=""

cleanup() {
  [[ -n "$DAEMON_PID" ]] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  if [[ "${KEEP:-0}" == 1 ]]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# ---- the loopback test web -------------------------------------------------
cat > "$WORK/server.py" <<'PY'
"""Loopback news sites for daemon-bench.sh. Host sNN.test picks the source;
sources listed in --changing rewrite their pages every --period seconds.
ETag / Last-Modified on every page; If-None-Match / If-Modified-Since -> 304.
Logs one line per request: unix_time host path status."""
import argparse, email.utils, hashlib, http.server, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--articles", type=int, default=5)
ap.add_argument("--changing", default="")
ap.add_argument("--period", type=float, default=3600)
ap.add_argument("--log", required=True)
args = ap.parse_args()
CHANGING = set(filter(None, args.changing.split(",")))
START = time.time()
LOG = open(args.log, "a", buffering=1)
LOCK = threading.Lock()

SENTENCES = [
    "과학기술정보통신부는 인공지능 기본법 시행령 개정안을 발표했다고 밝혔다.",
    "개정안은 고영향 인공지능의 범위와 사업자 의무를 더 자세히 정했다.",
    "정부는 데이터센터와 반도체 공급망을 함께 점검하기로 했다.",
    "업계는 유예 기간과 지원 방안이 충분한지 따져 보겠다는 입장이다.",
    "전문가들은 제도의 예측 가능성이 높아질 것으로 기대하면서도 후속 입법을 주문했다.",
    "방송통신위원회는 플랫폼 사업자의 자율 규제 이행 상황을 점검할 계획이다.",
]

def version(site):
    if site not in CHANGING:
        return 0, START
    v = int((time.time() - START) // args.period)
    return v, START + v * args.period

def article(site, k, v):
    body = "".join("<p>%s %s 기사 %d번의 %d차 수정본이다. %s</p>" % (
        SENTENCES[(k + i) % len(SENTENCES)], site, k, v, SENTENCES[(k + 2 * i + 1) % len(SENTENCES)])
        for i in range(4))
    return ("<!doctype html><html lang=\"ko\"><head><meta charset=\"utf-8\"><title>%s 기사 %d</title>"
            "<meta property=\"og:type\" content=\"article\"></head><body><article><h1>%s 기사 %d</h1>%s"
            "</article></body></html>" % (site, k, site, k, body))

def home(site, v):
    items = "".join("<li><a href=\"/a/%d.html\">기사 %d (%d)</a></li>" % (k, k, v)
                    for k in range(1, args.articles + 1))
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s</title></head><body><ul>%s</ul></body></html>" % (site, items)

def rss(site, host, v, mtime):
    date = email.utils.formatdate(mtime, usegmt=True)
    items = "".join("<item><title>기사 %d (%d)</title><link>http://%s/a/%d.html</link><pubDate>%s</pubDate></item>"
                    % (k, v, host, k, date) for k in range(1, args.articles + 1))
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>%s</title>"
            "<link>http://%s/</link><lastBuildDate>%s</lastBuildDate>%s</channel></rss>" % (site, host, date, items))

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        host = (self.headers.get("Host") or "")
        site = host.split(":")[0].split(".")[0]
        path = self.path.split("?")[0]
        v, mtime = version(site)
        ctype = "text/html; charset=utf-8"
        if path == "/robots.txt":
            body, ctype = "User-agent: *\nAllow: /\n", "text/plain"
        elif path == "/":
            body = home(site, v)
        elif path == "/rss.xml":
            body, ctype = rss(site, host, v, mtime), "application/rss+xml"
        elif path.startswith("/a/") and path.endswith(".html") and path[3:-5].isdigit() \
                and 1 <= int(path[3:-5]) <= args.articles:
            body = article(site, int(path[3:-5]), v)
        else:
            body = None
        if body is None:
            status, data = 404, b"not found"
            headers = {"Content-Type": "text/plain"}
        else:
            data = body.encode("utf-8")
            etag = "\"%s\"" % hashlib.sha1(data).hexdigest()[:16]
            lm = email.utils.formatdate(int(mtime), usegmt=True)
            headers = {"Content-Type": ctype, "ETag": etag, "Last-Modified": lm}
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            fresh = False
            if inm is not None:
                fresh = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
            elif ims is not None:
                try:
                    fresh = email.utils.parsedate_to_datetime(ims).timestamp() >= int(mtime)
                except (TypeError, ValueError):
                    fresh = False
            status = 304 if fresh else 200
            if fresh:
                data = b""
        self.send_response(status)
        for k, val in headers.items():
            self.send_header(k, val)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        with LOCK:
            LOG.write("%.3f\t%s\t%s\t%d\n" % (time.time(), site, path, status))

http.server.ThreadingHTTPServer.daemon_threads = True
srv = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
print("serving on 127.0.0.1:%d" % args.port, flush=True)
srv.serve_forever()
PY

# Writes $WORK/config/{jikji.toml,sites/*.toml} for the sources given.
# $1: [daemon] block; remaining args: source names.
write_config() {
  local daemon_block=$1 delay=$2; shift 2
  mkdir -p "$WORK/config/sites"
  local resolve=""
  for s in "$@"; do
    resolve+="\"$s.test:$PORT:127.0.0.1\", "
    cat > "$WORK/config/sites/$s.toml" <<EOF
name = "$s"
hosts = ["$s.test"]
seeds = ["http://$s.test:$PORT/"]
feeds = ["http://$s.test:$PORT/rss.xml"]
article_pattern = "/a/[0-9]+\\\\.html"
max_depth = 1
EOF
  done
  cat > "$WORK/config/jikji.toml" <<EOF
sites_dir = "sites"
[archive]
dir = "$WORK/archive"
[crawl]
per_host_delay = "$delay"
max_pages = 0
max_time = "0"
resolve = [${resolve%, }]
[log]
level = "info"
file = "$WORK/daemon.log"
[daemon]
admin_listen = "127.0.0.1:$ADMIN_PORT"
$daemon_block
EOF
}

start_server() {
  python3 "$WORK/server.py" --port "$PORT" --articles "$ARTICLES" --log "$WORK/access.log" "$@" \
    > "$WORK/server.out" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 50); do
    grep -q serving "$WORK/server.out" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "daemon-bench: server did not start" >&2; cat "$WORK/server.out" >&2; exit 1
}

start_daemon() {
  "$JIKJI" daemon --config "$WORK/config/jikji.toml" > "$WORK/daemon.out" 2>&1 &
  DAEMON_PID=$!
}

status_field() {  # status_field KEY: a field of /status .crawl, or empty
  curl -s --max-time 2 "http://127.0.0.1:$ADMIN_PORT/status" |
    python3 -c "import json,sys; d=json.load(sys.stdin); print(d.get('crawl',{}).get('$1',''))" 2>/dev/null || true
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$DAEMON_PID/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$DAEMON_PID/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$DAEMON_PID/status"; }

echo "# $(date -u +%FT%TZ) $(uname -n), $(nproc) cores; jikji: $JIKJI"
echo "# command: $0 $*  (DURATION=$DURATION SAMPLE=$SAMPLE SOURCES=$SOURCES ARTICLES=$ARTICLES FACTOR=$FACTOR DAYS=$DAYS)"

if [[ "$MODE" == idle ]]; then
  names=()
  for i in $(seq 0 $((SOURCES - 1))); do names+=("$(printf 's%02d' "$i")"); done
  # The shipped schedule defaults (config/jikji.toml), the shipped per-host delay.
  write_config "" "2s" "${names[@]}"
  start_server
  t0=$(date +%s.%N)
  start_daemon
  # First round: every source's robots.txt, home, feed and articles.
  prev=-1; still=0
  while :; do
    sleep 1
    kill -0 "$DAEMON_PID" 2>/dev/null || { echo "daemon died:" >&2; tail "$WORK/daemon.log" "$WORK/daemon.out" >&2; exit 1; }
    req=$(status_field requests); queued=$(status_field queued)
    [[ -z "$req" ]] && continue
    if [[ "$req" == "$prev" && "$queued" == 0 && "$req" -gt 0 ]]; then still=$((still + 1)); else still=0; fi
    prev=$req
    [[ $still -ge 5 ]] && break
  done
  t1=$(date +%s.%N)
  round_req=$(wc -l < "$WORK/access.log")
  echo "first round: $round_req requests to $SOURCES sources in $(echo "$t1 - $t0 - 5" | bc) s; scheduled $(status_field scheduled) URLs"
  hz=$(getconf CLK_TCK)
  c0=$(cpu_ticks); rmin=$(rss_kb); rmax=$rmin; s0=$(date +%s.%N)
  elapsed=0
  while (( elapsed < DURATION )); do
    sleep "$SAMPLE"; elapsed=$((elapsed + SAMPLE))
    r=$(rss_kb)
    (( r < rmin )) && rmin=$r
    (( r > rmax )) && rmax=$r
  done
  c1=$(cpu_ticks); s1=$(date +%s.%N); hwm=$(hwm_kb)
  idle_req=$(( $(wc -l < "$WORK/access.log") - round_req ))
  wall=$(echo "$s1 - $s0" | bc)
  cpu=$(echo "scale=3; ($c1 - $c0) / $hz" | bc)
  pct=$(echo "scale=4; 100 * $cpu / $wall" | bc)
  threads=$(awk '/^Threads/ {print $2}' "/proc/$DAEMON_PID/status")
  echo "idle window: ${wall}s wall, $SOURCES sources, $idle_req requests meanwhile"
  echo "idle CPU: ${cpu} s (utime+stime) = ${pct}% of one core"
  echo "idle RSS: min $((rmin / 1024)) MiB, max $((rmax / 1024)) MiB (${rmin}..${rmax} kB); VmHWM $((hwm / 1024)) MiB; $threads threads"
  exit 0
fi

# ---- revisit ----------------------------------------------------------------
scale() {  # scale SECONDS -> seconds / FACTOR, as a duration string
  echo "$(echo "scale=3; $1 / $FACTOR" | bc)s"
}
DAY=$(echo "scale=3; 86400 / $FACTOR" | bc)
PERIOD=$(echo "scale=3; 3600 / $FACTOR" | bc)
daemon_block="interval = \"$(scale 900)\"
revisit_min = \"$(scale 3600)\"
revisit_max = \"$(scale 2592000)\"
fresh_period = \"$(scale 172800)\"
fresh_interval = \"$(scale 10800)\""
write_config "$daemon_block" "$(scale 2)" stable hourly
echo "# scaled schedule (x1/$FACTOR): $(echo $daemon_block | tr '\n' ' '); per_host_delay $(scale 2); change period ${PERIOD}s; day ${DAY}s"
start_server --changing hourly --period "$PERIOD"
start_daemon
RUN=$(echo "$DAY * $DAYS" | bc)
t0=$(date +%s.%N)
sleep "$RUN"
kill -0 "$DAEMON_PID" 2>/dev/null || { echo "daemon died:" >&2; tail "$WORK/daemon.log" "$WORK/daemon.out" >&2; exit 1; }
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=""
python3 - "$WORK/access.log" "$t0" "$DAY" "$DAYS" <<'PY'
import collections, sys
log, t0, day, days = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
count = collections.Counter()
for line in open(log):
    t, site, path, status = line.rstrip("\n").split("\t")
    d = int((float(t) - t0) // day)
    if d < 0 or d >= days:
        continue
    kind = "robots" if path == "/robots.txt" else "entry" if path in ("/", "/rss.xml") else "article"
    for dd in (d, "all"):
        count[(site, dd, kind)] += 1
        count[(site, dd, "total")] += 1
        if status == "304":
            count[(site, dd, "304")] += 1
print("requests per source per (scaled) day:")
print("%-7s %-5s %7s %7s %7s %7s %7s" % ("source", "day", "total", "entry", "article", "robots", "304"))
for site in ("stable", "hourly"):
    for d in list(range(days)) + ["all"]:
        div = days if d == "all" else 1
        row = [count[(site, d, k)] / div for k in ("total", "entry", "article", "robots", "304")]
        print("%-7s %-5s %7.1f %7.1f %7.1f %7.1f %7.1f" % ((site, "mean" if d == "all" else d + 1) + tuple(row)))
s = count[("stable", "all", "total")] / days
h = count[("hourly", "all", "total")] / days
print("stable: %.0f requests/day (%.0f%% of them 304), hourly: %.0f requests/day; hourly/stable = %.2f"
      % (s, 100.0 * count[("stable", "all", "304")] / max(1, count[("stable", "all", "total")]), h, h / max(s, 1)))
PY
