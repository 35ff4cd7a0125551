#!/usr/bin/env bash
# Latency of `GET /api/v1/runs` under wrk, against a freshly seeded `pelab serve`.
#
# Usage: scripts/bench/runs-latency.sh [PELAB_BINARY]
#   PELAB_BINARY defaults to $CARGO_TARGET_DIR/release/pelab, or target/release/pelab.
#   Build it first with `cargo build --release -p pelab`.
#
# Environment:
#   BENCH_PORTS        candidate ports, first free one wins (default 3930 to 3939)
#   BENCH_DURATION     length of each wrk run (default 20s)
#   WRK_MEAN_DELAY_MS  mean pause before each request on a connection (default 48)
#
# Two wrk runs, 2 threads and 10 connections each:
#   1. paced: scripts/bench/paced.lua keeps the load near 200 requests/s, because
#      Debian's wrk 4.1 has no rate option (-R);
#   2. unpaced: every connection sends its next request as soon as the previous
#      response arrives, which shows the throughput limit and its latency.
# The server runs on 127.0.0.1 with a temporary data directory, no MQTT and the demo
# seed. The runs start after the demo simulations have finished, so the workers are
# idle and the list returns the same 9 runs throughout.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
binary=${1:-$target/release/pelab}
ports=${BENCH_PORTS:-"3930 3931 3932 3933 3934 3935 3936 3937 3938 3939"}
duration=${BENCH_DURATION:-20s}

for tool in wrk curl python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "runs-latency: $tool not found (Debian: apt-get install wrk curl python3)" >&2
        exit 2
    fi
done
if [[ ! -x $binary ]]; then
    echo "runs-latency: $binary is not an executable; build it with 'cargo build --release -p pelab' or pass its path" >&2
    exit 2
fi

port=""
for candidate in $ports; do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
        port=$candidate
        break
    fi
done
if [[ -z $port ]]; then
    echo "runs-latency: every port in '$ports' is in use; set BENCH_PORTS" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pelab-runs-latency.XXXXXX")
server_pid=""
cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

base="http://127.0.0.1:$port"
PELAB_LISTEN="127.0.0.1:$port" \
    PELAB_DATA_DIR="$work/data" \
    PELAB_MQTT_MODE=off \
    PELAB_SEED=true \
    RUST_LOG="${RUST_LOG:-warn}" \
    "$binary" serve >"$work/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 120); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "runs-latency: the server exited during start-up; its log:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    if curl -fsS "$base/ready" >/dev/null 2>&1; then
        break
    fi
    sleep 0.5
done
curl -fsS "$base/ready" >/dev/null

# A read-only API token, sent by curl, the Python check and wrk.
token=$(PELAB_DATA_DIR="$work/data" "$binary" token create --name runs-latency --scopes read 2>/dev/null)
auth="Authorization: Bearer $token"

# Wait (at most 300 s) until no demo run is queued or running.
python3 - "$base" "$token" <<'PY'
import json
import sys
import time
import urllib.request

base, token = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 300
while True:
    request = urllib.request.Request(
        base + "/api/v1/runs?limit=1000", headers={"Authorization": "Bearer " + token}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        runs = json.load(response)
    pending = [r for r in runs if r["status"] in ("queued", "running")]
    if not pending:
        break
    if time.monotonic() > deadline:
        sys.exit(f"runs-latency: {len(pending)} demo runs still pending after 300 s")
    time.sleep(1)
statuses = sorted(r["status"] for r in runs)
print(f"runs-latency: {len(runs)} runs listed ({', '.join(statuses)})")
PY

url="$base/api/v1/runs"
bytes=$(curl -fsS -H "$auth" "$url" | wc -c)
echo "runs-latency: GET $url returns $bytes bytes"
echo "runs-latency: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "runs-latency: warm-up (5 s, unpaced)"
wrk -t2 -c10 -d5s -H "$auth" "$url" >/dev/null

echo "runs-latency: paced run, mean delay ${WRK_MEAN_DELAY_MS:-48} ms per connection"
wrk -t2 -c10 -d"$duration" --latency -H "$auth" -s "$repo/scripts/bench/paced.lua" "$url"

echo "runs-latency: unpaced run"
wrk -t2 -c10 -d"$duration" --latency -H "$auth" "$url"

echo "runs-latency: load average after the runs $(cut -d' ' -f1-3 /proc/loadavg)"
