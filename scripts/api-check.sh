#!/usr/bin/env bash
# Run schemathesis against a freshly started `pelab serve` and fail on any 5xx
# response or any response that does not match the OpenAPI document.
#
# Usage: scripts/api-check.sh [PELAB_BINARY]
#   PELAB_BINARY defaults to $CARGO_TARGET_DIR/debug/pelab, or target/debug/pelab.
#   This script builds nothing: run `cargo build -p pelab` first.
#
# Environment:
#   API_CHECK_PORTS     candidate ports, first free one wins (default 3930 to 3939)
#   API_CHECK_EXAMPLES  generated test cases per operation (default 25)
#   API_CHECK_SEED      schemathesis seed, for a reproducible run (default: random)
#   API_CHECK_KEEP      set to 1 to keep the data directory and the server log
#
# The server runs on 127.0.0.1 with a temporary data directory, no MQTT and the demo
# seed, so that ids of real projects, designs, components and runs can be given to
# schemathesis next to random ones. Requests carry an admin API token from
# `pelab token create`. The WebSocket routes are skipped because schemathesis speaks
# only HTTP.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
binary=${1:-$target/debug/pelab}
ports=${API_CHECK_PORTS:-"3930 3931 3932 3933 3934 3935 3936 3937 3938 3939"}
examples=${API_CHECK_EXAMPLES:-25}

if [[ ! -x $binary ]]; then
    echo "api-check: $binary is not an executable; build it with 'cargo build -p pelab' or pass its path" >&2
    exit 2
fi
if ! command -v schemathesis >/dev/null; then
    echo "api-check: schemathesis not found; install it with 'python3 -m pip install schemathesis'" >&2
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
    echo "api-check: every port in '$ports' is in use; set API_CHECK_PORTS" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pelab-api-check.XXXXXX")
server_pid=""
cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ ${API_CHECK_KEEP:-0} == 1 ]]; then
        echo "api-check: kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

base="http://127.0.0.1:$port"
echo "api-check: starting $binary serve on $base (data in $work/data)"
PELAB_LISTEN="127.0.0.1:$port" \
    PELAB_DATA_DIR="$work/data" \
    PELAB_MQTT_MODE=off \
    PELAB_SEED=true \
    RUST_LOG="${RUST_LOG:-warn}" \
    "$binary" serve >"$work/server.log" 2>&1 &
server_pid=$!

ready=""
for _ in $(seq 1 120); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "api-check: the server exited during start-up; its log:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    if curl -fsS "$base/ready" >/dev/null 2>&1; then
        ready=1
        break
    fi
    sleep 0.5
done
if [[ -z $ready ]]; then
    echo "api-check: $base/ready did not return 200 within 60 s" >&2
    exit 1
fi

# An admin API token with every scope, made on the server's database.
token=$(PELAB_DATA_DIR="$work/data" "$binary" token create --name api-check \
    --scopes read,write,telemetry,admin 2>>"$work/server.log")
export API_CHECK_TOKEN=$token

# Collect real ids once the demo runs have finished (export and report need
# finished runs), then write a schemathesis configuration that offers them.
python3 - "$base" "$work/schemathesis.toml" <<'PY'
import json
import os
import sys
import time
import urllib.request

base, config_path = sys.argv[1], sys.argv[2]


AUTH = {"Authorization": "Bearer " + os.environ["API_CHECK_TOKEN"]}


def get(path):
    request = urllib.request.Request(base + path, headers=AUTH)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def post(path, body):
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **AUTH},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


deadline = time.monotonic() + 300
while True:
    runs = get("/api/v1/runs?limit=1000")
    pending = [r["id"] for r in runs if r["status"] in ("queued", "running")]
    if not pending or time.monotonic() > deadline:
        break
    time.sleep(1)
if pending:
    print(f"api-check: {len(pending)} demo runs still pending after 300 s; continuing", file=sys.stderr)

# The demo seed has no components, so add two for the component routes.
for pn in ("API-CHECK-1", "API-CHECK-2"):
    post(
        "/api/v1/components",
        {"kind": "mosfet", "vendor": "api-check", "pn": pn, "params": {"r_ds_on": 0.01}},
    )
projects = [p["id"] for p in get("/api/v1/projects?limit=1000")]
designs = [d["id"] for p in projects for d in get(f"/api/v1/projects/{p}/designs")]
components = [c["id"] for c in get("/api/v1/components?limit=1000")]
runs = [r["id"] for r in runs]
kernels = [k["name"] for k in get("/api/v1/kernels")]
print(
    f"api-check: {len(projects)} projects, {len(designs)} designs, "
    f"{len(components)} components, {len(runs)} runs, {len(kernels)} kernels",
    file=sys.stderr,
)


def toml_list(values):
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


# Each dictionary supplies half of the generated values of its path parameter. The
# other half stays random, so the 404 responses of unknown ids are checked too.
# DELETE gets random ids only, so that the demo data survives until the end of the run.
bindings = [
    ("project_ids", projects, r"^/api/v1/projects/\{id\}"),
    ("design_ids", designs, r"^/api/v1/designs/\{id\}"),
    ("component_ids", components, r"^/api/v1/components/\{id\}"),
    ("run_ids", runs, r"^/api/v1/(runs|simulate/run)/\{id\}"),
]
lines = []
for name, values, _ in bindings:
    if values:
        lines += [f"[dictionaries.{name}]", f"values = {toml_list(values)}", ""]
if kernels:
    lines += ["[dictionaries.kernel_names]", f"values = {toml_list(kernels)}", ""]
for name, values, regex in bindings:
    if values:
        lines += [
            "[[operations]]",
            f"include-path-regex = {json.dumps(regex)}",
            'exclude-method = "DELETE"',
            f'parameters = {{ "path.id" = {{ dictionary = "{name}", probability = 0.5 }} }}',
            "",
        ]
if kernels:
    lines += [
        "[[operations]]",
        r'include-path-regex = "^/api/v1/kernels/\\{name\\}"',
        'parameters = { "path.name" = { dictionary = "kernel_names", probability = 0.5 } }',
        "",
    ]
with open(config_path, "w", encoding="utf-8") as f:
    f.write("\n".join(lines))
PY

seed_args=()
if [[ -n ${API_CHECK_SEED:-} ]]; then
    seed_args=(--seed "$API_CHECK_SEED")
fi

echo "api-check: running schemathesis $(schemathesis --version | awk '{print $NF}') with $examples examples per operation"
# Run from the temporary directory, where schemathesis also writes its cache.
status=0
cd "$work"
schemathesis --config-file "$work/schemathesis.toml" run "$base/api/openapi.json" \
    --url "$base" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$examples" \
    --exclude-path-regex '^/api/v1/simulate/stream/' \
    --workers 2 \
    --request-timeout 30 \
    --generation-database none \
    --no-color \
    "${seed_args[@]}" || status=$?

if grep -q "panicked" "$work/server.log"; then
    echo "api-check: the server log contains a panic:" >&2
    grep -B2 -A8 "panicked" "$work/server.log" >&2
    status=1
fi
if [[ $status -ne 0 ]]; then
    echo "api-check: FAILED (schemathesis exit status $status); server log: $work/server.log" >&2
    API_CHECK_KEEP=1
else
    echo "api-check: passed"
fi
exit "$status"
