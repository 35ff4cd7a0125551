#!/usr/bin/env bash
# Regenerates the parameter reference in docs/design-files.md from the kernels'
# parameter tables (`pelab sim list --markdown`).
set -euo pipefail
cd "$(dirname "$0")/.."
generated=$(mktemp)
trap 'rm -f "$generated"' EXIT
cargo run -q -p pelab -- sim list --markdown > "$generated"
python3 - "$generated" <<'PY'
import sys
path = "docs/design-files.md"
doc = open(path, encoding="utf-8").read()
reference = open(sys.argv[1], encoding="utf-8").read()
begin = "<!-- BEGIN GENERATED REFERENCE -->\n"
end = "<!-- END GENERATED REFERENCE -->"
head, rest = doc.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w", encoding="utf-8").write(head + begin + reference + end + tail)
PY
