"""Independent checks of Infusion Chart's exports, run by tests/core/export.rs.

  check.py fhir BUNDLE.json  validates the bundle with fhir.resources (FHIR R4B, the R4 technical
                             correction) and prints {"ResourceType": count, ...} as JSON
  check.py csv FOLDER        parses every CSV file back with Python's csv module, refuses a cell a
                             spreadsheet would run as a formula, prints {"file.csv": rows, ...}
"""
import csv
import json
import sys
from collections import Counter
from pathlib import Path


def check_fhir(path):
    from fhir.resources.R4B.bundle import Bundle

    bundle = Bundle.model_validate_json(Path(path).read_text(encoding="utf-8"))
    counts = Counter(entry.resource.get_resource_type() for entry in bundle.entry or [])
    return dict(counts)


def check_csv(folder):
    rows = {}
    for file in sorted(Path(folder).glob("*.csv")):
        with file.open(newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            if not header or any(not name for name in header):
                raise SystemExit(f"{file.name}: the header row is missing or has an empty name")
            count = 0
            for line in reader:
                if len(line) != len(header):
                    raise SystemExit(f"{file.name}: a row has {len(line)} cells, the header {len(header)}")
                for cell in line:
                    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        raise SystemExit(f"{file.name}: the cell {cell!r} would run as a formula")
                count += 1
            rows[file.name] = count
    return rows


if __name__ == "__main__":
    mode, target = sys.argv[1], sys.argv[2]
    print(json.dumps(check_fhir(target) if mode == "fhir" else check_csv(target)))
