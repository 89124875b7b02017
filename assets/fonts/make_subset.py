#!/usr/bin/env python3
"""Rebuild funnelsim-sans.ttf from IPAexGothic 004.01 (Debian fonts-ipaexfont-gothic).

Usage: pip install fonttools && python3 make_subset.py [path/to/ipaexg.ttf]
"""
import os, subprocess, sys, tempfile
from fontTools.ttLib import TTFont

SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "funnelsim-sans.ttf")

# Latin, Latin-1, punctuation, currency, arrows, math operators, geometric shapes,
# CJK punctuation, Hiragana, Katakana, half/fullwidth forms.
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x20A0, 0x20CF),
          (0x2190, 0x21FF), (0x2200, 0x22FF), (0x25A0, 0x25FF),
          (0x3000, 0x303F), (0x3040, 0x309F), (0x30A0, 0x30FF), (0xFF00, 0xFFEF)]
cps = {c for a, b in RANGES for c in range(a, b + 1)}
# JIS X 0208 level 1 + level 2 kanji = CJK ideographs that are 2 bytes in Shift_JIS.
for cp in range(0x4E00, 0xA000):
    try:
        if len(chr(cp).encode("shift_jis")) == 2:
            cps.add(cp)
    except UnicodeEncodeError:
        pass

with tempfile.TemporaryDirectory() as tmp:
    uni = os.path.join(tmp, "unicodes.txt")
    with open(uni, "w") as f:
        f.write(",".join(f"U+{c:04X}" for c in sorted(cps)))
    sub = os.path.join(tmp, "sub.ttf")
    subprocess.run(["pyftsubset", SRC, f"--unicodes-file={uni}", f"--output-file={sub}",
                    "--no-hinting", "--desubroutinize", "--layout-features=",
                    "--drop-tables+=GSUB,GPOS,GDEF,BASE,vhea,vmtx,gasp,kern",
                    "--name-IDs=0,1,2,3,4,5,6,13,14", "--no-glyph-names",
                    "--notdef-outline"], check=True)
    # IPA Font License Art. 3.1(4): a Derived Program must not use the original font name.
    font = TTFont(sub)
    name = font["name"]
    for rec in list(name.names):
        if rec.nameID in (1, 3, 4, 6):
            name.removeNames(nameID=rec.nameID)
    for nid, text in [(1, "Funnelsim Sans"), (3, "FunnelsimSans-Regular;004.01-subset"),
                      (4, "Funnelsim Sans"), (6, "FunnelsimSans-Regular"),
                      (10, "Subset of IPAexGothic 004.01 (IPA), distributed under the "
                           "IPA Font License Agreement v1.0.")]:
        name.setName(text, nid, 3, 1, 0x409)
    # IPAexGothic has no U+2264/U+2265 (not in JIS X 0208); alias them to the
    # JIS glyphs U+2266/U+2267 so "<=" / ">=" in chart labels still render.
    for table in font["cmap"].tables:
        if table.isUnicode():
            for alias, target in [(0x2264, 0x2266), (0x2265, 0x2267)]:
                if alias not in table.cmap and target in table.cmap:
                    table.cmap[alias] = table.cmap[target]
    font.save(OUT)
print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes, {len(cps)} code points requested)")
