"""The members' first page stays light for a slow phone network: its JavaScript and CSS, gzipped."""
import gzip
import re
from pathlib import Path


from points_mall.web import DIST as _DIST  # noqa: E402

DIST = Path(_DIST)
LIMIT = 300 * 1024
STATIC_IMPORT = re.compile(r'(?:from|import)\s*"\./([\w.-]+\.js)"')


def first_page_files() -> list[Path]:
    """What /m/ loads before it can show the home page: the entry, everything it imports statically
    (pages opened later come by dynamic import and are left out), and the stylesheets."""
    shell = (DIST / "member" / "index.html").read_text()
    assets = [DIST / p.removeprefix("/app/") for p in re.findall(r'(?:src|href)="(/app/[^"]+)"', shell)]
    seen, todo = [], [a for a in assets if a.suffix == ".js"]
    while todo:
        js = todo.pop()
        if js in seen:
            continue
        seen.append(js)
        todo.extend(js.parent / name for name in STATIC_IMPORT.findall(js.read_text()))
    return seen + [a for a in assets if a.suffix == ".css"]


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def test_the_first_page_weighs_under_300_kb_compressed():
    files = first_page_files()
    total = sum(gzipped(f) for f in files)
    print("\n".join(f"{f.name}: {gzipped(f) / 1024:.1f} KB" for f in files), f"\ntotal {total / 1024:.1f} KB gzip")
    assert any(f.suffix == ".css" for f in files) and len(files) >= 2
    assert total < LIMIT, f"{total / 1024:.0f} KB"
