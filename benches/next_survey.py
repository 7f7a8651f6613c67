#!/usr/bin/env python3
"""The next year's survey of a generated bundle: the same chains with about `--share` of the
records changed, deterministically (seeded), for the survey benchmarks in BENCHMARKS.md.

    python3 benches/next_survey.py /tmp/national.json /tmp/national-2.json --share 0.01

What changes, each for about `share` of its kind (all of it valid, so that
`qmap import --replace` takes it):
- firms that leave (a tenth of the share, so the file loses few supplies with them): the firm, its
  supplies and its problems are not in the file;
- supplies removed, and supplies added: a second supplier of a part a customer already buys (a
  member that supplies the same part to another customer on the chain);
- open problems resolved or made more severe, and new problems (copies of an existing one on
  another firm of the same chain).
Provider records are never touched.
"""

import argparse
import json
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--share", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    share = args.share

    with open(args.input, encoding="utf-8") as f:
        b = json.load(f)

    members = [
        o for o in b["organizations"] if o.get("kind") == "enterprise" and o.get("chains")
    ]
    masters = {
        o["id"]
        for o in members
        if any(m.get("role") == "master" for m in o["chains"])
    }
    leaving = {
        o["id"]
        for o in rng.sample(members, int(len(members) * share / 10))
        if o["id"] not in masters
    }
    b["organizations"] = [o for o in b["organizations"] if o["id"] not in leaving]

    supplies = [
        s for s in b["supplies"] if s["from"] not in leaving and s["to"] not in leaving
    ]
    removed = int(len(supplies) * share / 2)
    for i in sorted(rng.sample(range(len(supplies)), removed), reverse=True):
        supplies[i] = supplies[-1]
        supplies.pop()
    existing = {(s["chain"], s["from"], s["to"], s["part"]) for s in supplies}
    by_part = {}
    for s in supplies:
        by_part.setdefault((s["chain"], s["part"]), []).append(s["from"])
    added = 0
    tries = 0
    while added < int(len(b["supplies"]) * share / 2) and tries < 10 * len(supplies):
        tries += 1
        s = supplies[rng.randrange(len(supplies))]
        other = rng.choice(by_part[(s["chain"], s["part"])])
        key = (s["chain"], other, s["to"], s["part"])
        if other == s["to"] or key in existing:
            continue
        existing.add(key)
        supplies.append({"chain": s["chain"], "from": other, "to": s["to"], "part": s["part"]})
        added += 1
    b["supplies"] = supplies

    problems = [p for p in b["problems"] if p["org"] not in leaving]
    open_ones = [p for p in problems if p["status"] == "open"]
    for p in rng.sample(open_ones, int(len(problems) * share / 2)):
        if rng.random() < 0.6:
            p["status"] = "resolved"
        else:
            p["severity"] = min(5, p["severity"] + 1)
    firms_of_chain = {}
    for o in members:
        if o["id"] not in leaving:
            for m in o["chains"]:
                firms_of_chain.setdefault(m["chain"], []).append(o["id"])
    new = []
    for i, p in enumerate(rng.sample(problems, int(len(problems) * share / 2))):
        q = dict(p)
        q["id"] = f"{p['id']}-n{i}"
        q["org"] = rng.choice(firms_of_chain[p["chain"]])
        q["status"] = "open"
        new.append(q)
    b["problems"] = problems + new

    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(b, f, ensure_ascii=False, separators=(",", ":"))
    print(
        f"{len(leaving)} firms left, {removed} supplies removed, {added} added, "
        f"{int(len(problems) * share / 2)} problems changed, {len(new)} new"
    )


if __name__ == "__main__":
    main()
