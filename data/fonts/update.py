#!/usr/bin/env python3
"""Regenerates data/fonts/NotoSansSC-{Regular,Bold}-subset.otf, the CJK font qmap embeds in its
pictures.

Source: Debian's `fonts-noto-cjk` package (Noto Sans CJK, SIL Open Font License 1.1), face
"Noto Sans CJK SC" (index 2 of NotoSansCJK-Regular.ttc and NotoSansCJK-Bold.ttc). Needs `apt-get` (download only, no
install), `dpkg-deb` and fonttools (`pip install fonttools`). Run from the repository root:

    python3 data/fonts/update.py

What is kept: ASCII, Latin-1 punctuation, general punctuation, CJK symbols and punctuation,
full-width forms, every character of GB 2312 (its 6,763 hanzi and 682 symbols), and every
non-ASCII character that appears in the project's sources, fixtures and region names (the
generator's vocabulary lives in src/, so it is covered). Layout tables (GSUB/GPOS) and vertical
metrics are dropped: qmap lays out horizontal text itself, glyph by glyph.
"""
import glob
import os
import subprocess
import sys
import tempfile

from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTCollection

PACKAGE = "fonts-noto-cjk"
# (collection in the package, face name, output file)
FACES = [
    ("usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC",
     "NotoSansSC-Regular-subset.otf"),
    ("usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "Noto Sans CJK SC Bold",
     "NotoSansSC-Bold-subset.otf"),
]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def gb2312():
    """Every character of GB 2312 (rows 0xA1-0xF7, columns 0xA1-0xFE)."""
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def project_characters():
    """Every non-ASCII character in the sources, fixtures and vendored region names."""
    out = set()
    patterns = ["src/**/*.rs", "src/**/*.js", "src/**/*.html", "fixtures/**/*.json",
                "data/gbt2260/divisions.tsv"]
    for pattern in patterns:
        for path in glob.glob(os.path.join(ROOT, pattern), recursive=True):
            with open(path, encoding="utf-8") as f:
                out.update(c for c in f.read() if ord(c) > 0x7F)
    return out


def main():
    chars = set(chr(c) for c in range(0x20, 0x7F))
    for lo, hi in [(0xA0, 0xFF), (0x2000, 0x206F), (0x2190, 0x21FF), (0x2460, 0x24FF),
                   (0x25A0, 0x25FF), (0x3000, 0x303F), (0xFF00, 0xFFEF)]:
        chars.update(chr(c) for c in range(lo, hi + 1))
    hanzi = gb2312()
    chars |= hanzi
    extra = project_characters() - chars
    chars |= extra
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["apt-get", "download", PACKAGE], cwd=tmp, check=True)
        deb = glob.glob(os.path.join(tmp, "*.deb"))[0]
        subprocess.run(["dpkg-deb", "-x", deb, os.path.join(tmp, "x")], check=True)
        for ttc, face, out in FACES:
            collection = TTCollection(os.path.join(tmp, "x", ttc))
            font = next(f for f in collection.fonts if f["name"].getDebugName(4) == face)
            options = Options()
            options.layout_features = []
            options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]
            options.hinting = False
            options.name_IDs = ["*"]
            options.name_languages = ["*"]
            options.notdef_outline = True
            options.glyph_names = False
            subsetter = Subsetter(options)
            subsetter.populate(unicodes=[ord(c) for c in chars])
            subsetter.subset(font)
            path = os.path.join(HERE, out)
            font.save(path)
            covered = sum(1 for c in chars if ord(c) in font.getBestCmap())
            print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes, "
                  f"{covered} of {len(chars)} requested characters "
                  f"({len(hanzi)} GB 2312 characters, {len(extra)} more from the project)",
                  file=sys.stderr)

if __name__ == "__main__":
    main()
