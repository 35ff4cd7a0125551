#!/usr/bin/env python3
"""Write copies of the LEA transistor files without their raw measurement blocks.

pelab embeds the built-in parts in its binary. The models use only the
datasheet curves, and the raw double-pulse waveforms in `raw_measurement_data`
make the GaN file 3.7 MB instead of about 25 kB. This script writes, for each
file under data/transistors/ whose `raw_measurement_data` is not empty, a copy
without that field to data/transistors/trimmed/. Everything else is unchanged:
the test `trimmed_file_matches_original` in
crates/components/tests/semis_library.rs checks that.

Run from the repository root: python3 scripts/data/trim_transistors.py
"""

import json
import pathlib

SOURCE = pathlib.Path("data/transistors")
TARGET = SOURCE / "trimmed"


def main() -> None:
    TARGET.mkdir(exist_ok=True)
    for path in sorted(SOURCE.glob("*.json")):
        with path.open(encoding="utf-8") as handle:
            part = json.load(handle)
        if not part.get("raw_measurement_data"):
            continue
        del part["raw_measurement_data"]
        out = TARGET / path.name
        with out.open("w", encoding="utf-8") as handle:
            json.dump(part, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        print(f"{path} -> {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
