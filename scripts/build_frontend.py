"""Copy the front-end packages from node_modules into saferstat/static/vendor/.

GOV.UK Frontend is used for its accessible patterns, but SaferStat is not a GOV.UK
service: the GDS Transport font and the crown are left out, and the font stack becomes
Liberation Sans / Arial. Run by `make install`; the output is not committed.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
OUT = ROOT / "saferstat" / "static" / "vendor"


def strip_source_maps(text: str) -> str:
    """Drop sourceMappingURL comments: the maps are not shipped, and the static files
    storage refuses references to files that do not exist."""
    return re.sub(r"/[*/][#@] sourceMappingURL=[^\n*]*(\*/)?", "", text)


def build() -> None:
    govuk = NODE / "govuk-frontend" / "dist" / "govuk"
    if not govuk.exists():
        sys.exit("node_modules/govuk-frontend is missing: run `npm ci` first (make install does).")
    target = OUT / "govuk"
    if target.exists():
        shutil.rmtree(target)
    (target / "images").mkdir(parents=True)
    css = (govuk / "govuk-frontend.min.css").read_text(encoding="utf-8")
    css = re.sub(r"@font-face\{font-family:GDS Transport;[^}]*\}", "", css)
    css = css.replace("GDS Transport,arial,sans-serif", '"Liberation Sans",arial,sans-serif')
    # No crown or crest: SaferStat is not a GOV.UK service.
    css = css.replace("url(/assets/images/govuk-crest.svg)", "none")
    css = css.replace("url(/assets/images/", "url(/static/vendor/govuk/images/")
    if "/assets/" in css:
        sys.exit(
            "GOV.UK Frontend CSS refers to an asset this script does not copy: check the build script."
        )
    if "GDS Transport" in css:
        sys.exit("GOV.UK Frontend CSS still names GDS Transport: check the build script.")
    (target / "govuk-frontend.min.css").write_text(strip_source_maps(css), encoding="utf-8")
    js = (govuk / "govuk-frontend.min.js").read_text(encoding="utf-8")
    (target / "govuk-frontend.min.js").write_text(strip_source_maps(js), encoding="utf-8")
    for name in ("favicon.ico", "favicon.svg"):
        shutil.copy2(govuk / "assets" / "images" / name, target / "images" / name)
    (OUT / "htmx").mkdir(parents=True, exist_ok=True)
    htmx = (NODE / "htmx.org" / "dist" / "htmx.min.js").read_text(encoding="utf-8")
    (OUT / "htmx" / "htmx.min.js").write_text(strip_source_maps(htmx), encoding="utf-8")
    print(f"front-end assets written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    build()
