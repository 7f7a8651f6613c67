#!/usr/bin/env python3
"""Regenerates provinces.geojson, cities.geojson, LICENSE and NOTICE from the China maps shipped
in the npm package `echarts` 4.x (Apache-2.0).

Usage: python3 data/boundaries/update.py [VERSION]      (default 4.9.0, the last 4.x release)

Downloads the package's tarball from the npm registry and reads map/json/china.json (one feature
per province-level division) and map/json/province/*.json (the prefecture-level cities, or the
districts of a municipality, of each province). Those files use ECharts' compressed coordinate
encoding ("UTF8Encoding": true); it is decoded here exactly as ECharts' parseGeoJson.js does.
Then:

- every coordinate is rounded to 3 decimals (about 100 m), consecutive duplicate points are
  dropped, rings are closed, and rings left with fewer than four points are dropped;
- every feature gets its GB/T 2260 code by matching the file's id and name against
  ../gbt2260/divisions.tsv (province `XX0000`, city `XXXX00`); ids the table no longer has
  (renamed or renumbered cities) are matched by name within the province, and the few that need
  it are mapped by hand in HAND_MAPPED; anything left unmatched stops the script;
- a city is what qmap's coverage report calls a city: the 4-digit prefix of a region code. The
  county-level divisions directly under a province (e.g. 湖北 仙桃, 4290xx) are one feature
  `429000`; a municipality whose districts share one prefix (北京 1101) is its province outline;
  重庆 has two (5001 districts, 5002 counties), each the union of its districts' polygons. 台湾,
  香港 and 澳门 have no city-level codes in the table and are one feature each at city level,
  with their province-level code (`710000`, `810000`, `820000`).

Only the Python standard library is used. The output is one feature per line, sorted by code.
"""

import io
import json
import os
import sys
import tarfile
import urllib.request

REGISTRY = "https://registry.npmjs.org/echarts"
HERE = os.path.dirname(os.path.abspath(__file__))
DIVISIONS = os.path.join(HERE, "..", "gbt2260", "divisions.tsv")
DECIMALS = 3
# Douglas-Peucker tolerance in degrees (about 1 km): far below what a choropleth of a province
# or of China shows, and it keeps the embedded files small.
TOLERANCE = 0.01

# Province-level divisions that divisions.tsv lacks (see data/gbt2260/README.md): their codes
# are the GB/T 2260 ones, their names written out here.
EXTRA_PROVINCES = {"710000": "台湾省", "810000": "香港特别行政区", "820000": "澳门特别行政区"}

# Features whose file id and name both fail to match, by (file id or name): GB/T 2260 code.
HAND_MAPPED = {}


def fetch(url):
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


def load_divisions():
    table = {}
    with open(DIVISIONS, encoding="utf-8") as f:
        for line in f:
            code, name = line.rstrip("\n").split("\t")
            table[code] = name
    return table


def decode_ring(text, offset, scale):
    """ECharts' decodePolygon: zigzag-encoded deltas, two characters per point."""
    ring = []
    x, y = offset
    for i in range(0, len(text), 2):
        dx = ord(text[i]) - 64
        dy = ord(text[i + 1]) - 64
        dx = (dx >> 1) ^ (-(dx & 1))
        dy = (dy >> 1) ^ (-(dy & 1))
        x += dx
        y += dy
        ring.append((x / scale, y / scale))
    return ring


def simplify(points):
    """Douglas-Peucker on an open chain of points (the first and last are kept)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = -1.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            if norm == 0:
                d = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            else:
                d = abs(dy * (x - x1) - dx * (y - y1)) / norm
            if d > best:
                best, index = d, i
        if index is not None and best > TOLERANCE:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep) if k]


def clean_ring(ring):
    """Simplifies, rounds, drops consecutive duplicates, closes; None when too few points are
    left."""
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    # Split the ring at its farthest point from the first so that both halves are open chains.
    if len(ring) > 3:
        x0, y0 = ring[0]
        far = max(range(len(ring)), key=lambda i: (ring[i][0] - x0) ** 2 + (ring[i][1] - y0) ** 2)
        ring = simplify(ring[: far + 1])[:-1] + simplify(ring[far:] + [ring[0]])[:-1]
    out = []
    for lon, lat in ring:
        p = [round(lon, DECIMALS), round(lat, DECIMALS)]
        if not out or out[-1] != p:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    if len(out) < 3:
        return None
    out.append(list(out[0]))
    return out


def polygons_of(feature, scale):
    """The feature's polygons (lists of rings of [lon, lat]), decoded and cleaned."""
    geometry = feature["geometry"]
    if geometry["type"] == "Polygon":
        raw = [geometry["coordinates"]]
        offsets = [geometry.get("encodeOffsets")]
    elif geometry["type"] == "MultiPolygon":
        raw = geometry["coordinates"]
        offsets = geometry.get("encodeOffsets") or [None] * len(raw)
    else:
        sys.exit("unexpected geometry %s" % geometry["type"])
    polygons = []
    for rings, ring_offsets in zip(raw, offsets):
        cleaned = []
        for i, ring in enumerate(rings):
            if isinstance(ring, str):
                ring = decode_ring(ring, ring_offsets[i], scale)
            ring = clean_ring(ring)
            if ring is None:
                if i == 0:
                    break  # the outer ring vanished: drop the polygon with its holes
                continue
            cleaned.append(ring)
        if cleaned:
            polygons.append(cleaned)
    return polygons


def read_map(archive, name):
    data = json.loads(archive.extractfile("package/map/json/" + name).read())
    scale = data.get("UTF8Scale") or 1024 if data.get("UTF8Encoding") else 1
    return [(f, polygons_of(f, scale)) for f in data["features"]]


def short(name):
    """A name without its administrative suffix, to compare 哈密 with 哈密市."""
    for suffix in ("特别行政区", "自治区", "自治州", "地区", "林区", "省", "市", "盟", "县", "区"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def match_county(fid, fname, province, divisions):
    """The six-digit code of a city or county-level feature of `province` (2 digits)."""
    if fid in HAND_MAPPED or fname in HAND_MAPPED:
        return HAND_MAPPED.get(fid) or HAND_MAPPED[fname]
    if fid and fid in divisions and short(divisions[fid]) == short(fname):
        return fid
    same = [c for c, n in divisions.items() if c.startswith(province) and n == fname]
    if len(same) == 1:
        return same[0]
    alike = [c for c, n in divisions.items() if c.startswith(province) and short(n) == short(fname)]
    if len(alike) == 1:
        return alike[0]
    if fid and fid in divisions:
        return fid
    return None


def city_name(code, divisions):
    name = divisions[code]
    province = divisions[code[:2] + "0000"]
    if name == "市辖区":
        return province
    if name == "县":
        return province + "（县）"
    if name.endswith("直辖县级行政区划"):
        return province + "直辖县级行政区划"
    return name


def feature(code, name, polygons):
    geometry = (
        {"type": "Polygon", "coordinates": polygons[0]}
        if len(polygons) == 1
        else {"type": "MultiPolygon", "coordinates": polygons}
    )
    return {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry}


def write(path, features):
    features.sort(key=lambda f: f["properties"]["code"])
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('{"type":"FeatureCollection","features":[\n')
        out.write(
            ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
        )
        out.write("\n]}\n")
    return os.path.getsize(path)


def main():
    meta = json.loads(fetch(REGISTRY))
    version = sys.argv[1] if len(sys.argv) > 1 else "4.9.0"
    tarball = meta["versions"][version]["dist"]["tarball"]
    archive = tarfile.open(fileobj=io.BytesIO(fetch(tarball)), mode="r:gz")
    divisions = load_divisions()
    divisions.update(EXTRA_PROVINCES)
    unmatched = []

    provinces = {}
    for f, polygons in read_map(archive, "china.json"):
        fid = str(f.get("id") or f["properties"].get("id") or "")
        code = fid if fid.endswith("0000") and fid in divisions else None
        if code is None:
            alike = [c for c, n in divisions.items() if c.endswith("0000") and short(n) == short(f["properties"]["name"])]
            code = alike[0] if len(alike) == 1 else None
        if code is None or code in provinces:
            unmatched.append(("china.json", fid, f["properties"]["name"]))
            continue
        provinces[code] = polygons

    cities = {}
    members = [m.name for m in archive.getmembers() if m.name.startswith("package/map/json/province/")]
    for member in sorted(members):
        name = member.rsplit("/", 1)[1]
        pieces = read_map(archive, "province/" + name)
        named = [f["properties"]["name"] for f, _ in pieces]
        # The file's province: the most common prefix of its ids (台湾's file has none).
        ids = [str(f.get("id") or "") for f, _ in pieces]
        prefixes = [i[:2] for i in ids if len(i) == 6]
        if not prefixes:
            continue  # 台湾: one feature at city level from its outline, below
        province = max(set(prefixes), key=prefixes.count)
        if province in ("81", "82"):
            continue  # 香港, 澳门: districts only; one feature at city level, below
        for (f, polygons), fid, fname in zip(pieces, ids, named):
            code = match_county(fid, fname, province, divisions)
            if code is None:
                unmatched.append((name, fid, fname))
                continue
            cities.setdefault(code[:4] + "00", []).extend(polygons)

    # A province with one city prefix (the municipalities but 重庆) and the three without
    # city-level codes: the province outline.
    for code, polygons in provinces.items():
        prefixes = {c[:4] for c in cities if c[:2] == code[:2]}
        if len(prefixes) <= 1:
            city = next((c for c in cities if c[:2] == code[:2]), code)
            cities.pop(city, None)
            cities[city] = polygons

    for code in cities:
        if code not in divisions:
            unmatched.append(("city", code, ""))
    if unmatched:
        for where, fid, fname in unmatched:
            print("unmatched: %s id=%r name=%r" % (where, fid, fname), file=sys.stderr)
        sys.exit("%d features unmatched: map them in HAND_MAPPED" % len(unmatched))

    province_features = [feature(c, divisions[c], p) for c, p in provinces.items()]
    city_features = [feature(c, city_name(c, divisions), p) for c, p in cities.items()]
    size_p = write(os.path.join(HERE, "provinces.geojson"), province_features)
    size_c = write(os.path.join(HERE, "cities.geojson"), city_features)
    for name in ("LICENSE", "NOTICE"):
        with open(os.path.join(HERE, name), "wb") as out:
            out.write(archive.extractfile("package/" + name).read())
    published = meta["time"].get(version, "unknown")
    print(
        "echarts %s (published %s): %d provinces (%d bytes), %d cities (%d bytes)"
        % (version, published, len(province_features), size_p, len(city_features), size_c)
    )


if __name__ == "__main__":
    main()
