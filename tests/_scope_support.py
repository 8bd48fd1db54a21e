"""A library of two regions for the per-region access tests: the real 洪泽区 reports (the county account's)
and everything another office may hold (the real 淮安市 report, seed reports of other counties, one
without a region, synthetic reports of a synthetic county), with a roster naming agencies of both."""

from __future__ import annotations

import html
import io
import zipfile
from dataclasses import dataclass

from paths import HONGZE_2023, HONGZE_2024, HUAIAN, SAMPLES

from library.access import Account, Role, Scope
from library.store import Library
from library.synthetic import SyntheticSpec, synthetic_bytes, synthetic_parsed
from parsing.api import parse_bytes

COUNTY = "洪泽区"
COUNTY_ACCOUNT = Account("hongze", Role.REVIEWER, Scope(regions=(COUNTY,)), display_name="洪泽区审核员")
ADMIN_ACCOUNT = Account("admin", Role.ADMIN, display_name="管理员")
ROSTER_CSV = (
    "机关名称,机关类型,地区,层级\n"
    "洪泽区人民政府,政府,洪泽区,人民政府\n"
    "区财政局,财政,洪泽区,部门\n"
    "淮安市人民政府,政府,淮安市,人民政府\n"
    "施秉县财政局,财政,施秉县,部门\n"
    "（合成）乙县交通运输局,交通,（合成）乙县,部门\n"
).encode()
# Strings of the other regions' reports and roster entries that none of 洪泽区's own documents contains
# (checked by the fixture): any of them on a page or in a download of the county account is a leak.
OTHER_MARKERS = (
    "淮安市人民政府",
    "huaian-city-government",
    "施秉县",
    "盐池县",
    "乐清市",
    "（合成）乙县",
    "d954dc0dac9f162f",  # the seed without a region: its file name
    "bd3a826d0705f6e5",
)
OWN_MARKER = "洪泽区人民政府"
SEEDS = {  # sample report → the region it is stored under (None: left without one)
    "000_bd3a826d0705f6e5.txt": "施秉县",
    "001_d954dc0dac9f162f.txt": None,
    "002_d0afa1047310c76e.txt": "盐池县",
    "003_1ccb1d8209286b28.txt": "乐清市",
}


@dataclass
class TwoRegions:
    """The ids of the county's reports and of the others'."""

    own: list[int]
    other: list[int]


def _add(lib: Library, data: bytes, name: str, **meta) -> int:
    report_id, created = lib.add(parse_bytes(data, name), data, **meta)
    assert created
    return report_id


def build_two_regions(lib: Library) -> TwoRegions:
    """Fill an empty library (see the module docstring); returns the report ids of each side."""
    own = [_add(lib, p.read_bytes(), p.name, region=COUNTY) for p in (HONGZE_2023, HONGZE_2024)]
    other = [_add(lib, HUAIAN.read_bytes(), HUAIAN.name, region="淮安市")]
    for name, region in SEEDS.items():
        other.append(_add(lib, (SAMPLES / name).read_bytes(), name, **({"region": region} if region else {})))
    for year in (2023, 2024):
        parsed = synthetic_parsed(SyntheticSpec("（合成）乙县", "（合成）乙县财政局", "财政", year))
        report_id, _ = lib.add(parsed, synthetic_bytes(parsed), agency_type="财政")
        other.append(report_id)
    lib.import_roster(ROSTER_CSV, "roster.csv")
    for report_id in own:  # the premise of the marker checks
        stored = lib.get(report_id)
        assert stored is not None
        found = [m for m in OTHER_MARKERS if m in stored.text or m in (stored.agency or "")]
        assert not found, f"洪泽区's report {report_id} itself contains {found}"
    return TwoRegions(own, other)


def leaked(data: bytes | str, markers: tuple[str, ...] = OTHER_MARKERS) -> list[str]:
    """The markers found in a download (text, CSV, or an Office/ZIP file whose members are searched,
    nested ZIPs included; images and PDFs are renders of chart specs checked on the page)."""
    if isinstance(data, str):
        data = data.encode()
    if data[:2] == b"PK":
        found: list[str] = []
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                if info.filename.lower().endswith((".png", ".pdf", ".jpg")):
                    continue
                found += leaked(zf.read(info), markers)
        return sorted(set(found))
    text = html.unescape(data.decode("utf-8", errors="ignore"))  # openpyxl writes &#25253; for 报
    return [m for m in markers if m in text]
