#!/usr/bin/env python3
"""The Kuzu anchor of the import benchmark (BENCHMARKS.md, "Import, export and load").

Kuzu (`pip install kuzu`) is an embedded graph database; its bulk load of the same firms and
supplies that `qmap import` writes is the figure qmap's import is held against.

    python3 benches/kuzu_load.py csv BUNDLE.json DIR   # organizations.csv, supplies.csv (untimed)
    python3 benches/kuzu_load.py load DIR DB           # an empty DB, then COPY both files (timed)

An organization is one node (id, name, kind, region, level, foreign, country, and its chain
memberships and capabilities as JSON text); a supply is one edge from supplier to customer with
its chain and part. `load` deletes DB first, so each run loads into an empty database.
"""

import csv
import json
import os
import shutil
import sys


def to_csv(bundle_path, out_dir):
    with open(bundle_path, encoding="utf-8") as f:
        bundle = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "organizations.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for o in bundle["organizations"]:
            w.writerow(
                [
                    o["id"],
                    o["name"],
                    o["kind"],
                    o.get("region", ""),
                    o.get("level", ""),
                    "true" if o.get("foreign") else "false",
                    o.get("country", ""),
                    json.dumps(o.get("chains", []), ensure_ascii=False),
                    json.dumps(o.get("capabilities", []), ensure_ascii=False),
                ]
            )
    with open(os.path.join(out_dir, "supplies.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for s in bundle["supplies"]:
            w.writerow([s["from"], s["to"], s["chain"], s["part"]])
    print(
        f"{len(bundle['organizations'])} organizations, {len(bundle['supplies'])} supplies"
    )


def load(csv_dir, db_path):
    import kuzu

    if os.path.isdir(db_path):
        shutil.rmtree(db_path)
    elif os.path.exists(db_path):
        os.remove(db_path)
    db = kuzu.Database(db_path)
    conn = kuzu.Connection(db)
    conn.execute(
        "CREATE NODE TABLE Organization(id STRING, name STRING, kind STRING, region STRING, "
        "level STRING, foreign BOOLEAN, country STRING, chains STRING, capabilities STRING, "
        "PRIMARY KEY (id))"
    )
    conn.execute("CREATE REL TABLE Supply(FROM Organization TO Organization, chain STRING, part STRING)")
    orgs = os.path.join(csv_dir, "organizations.csv")
    supplies = os.path.join(csv_dir, "supplies.csv")
    conn.execute(f"COPY Organization FROM '{orgs}' (header=false)")
    conn.execute(f"COPY Supply FROM '{supplies}' (header=false)")
    n = conn.execute("MATCH ()-[s:Supply]->() RETURN count(s)").get_next()[0]
    m = conn.execute("MATCH (o:Organization) RETURN count(o)").get_next()[0]
    print(f"loaded {m} organizations, {n} supplies")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("csv", "load"):
        sys.exit(__doc__)
    if sys.argv[1] == "csv":
        to_csv(sys.argv[2], sys.argv[3])
    else:
        load(sys.argv[2], sys.argv[3])
