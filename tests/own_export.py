"""A team's own export, shaped like the ones users bring: a Japanese sheet without ids, saved by Excel in CP932,
whose dates lie after the demo's, with source words the presets map (展示会, display, social …)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

AMOUNT = '"1,200,000"'  # quoted, as Excel writes a number with separators
CHANNELS = ("展示会", "ウェビナー", "SEO", "紹介", "display", "social")


def own_export(folder: Path) -> Path:
    """40 leads created from 2027-03-01, as a Japanese sheet without ids: no lead before the demo's data ends."""
    start = datetime(2027, 3, 1, 9, 0)
    rows = ["会社名,氏名,流入経路,登録日,MQL日,商談化日,受注日,受注金額"]
    for n in range(40):
        created = start + timedelta(days=n, hours=n % 5)
        mql = created + timedelta(days=3) if n % 2 == 0 else None
        sql = created + timedelta(days=9) if n % 4 == 0 else None
        won = created + timedelta(days=30) if n % 8 == 0 else None

        def cell(value: datetime | None) -> str:
            return "" if value is None else f"{value:%Y/%m/%d %H:%M}"

        rows.append(f"株式会社テスト{n},担当{n},{CHANNELS[n % len(CHANNELS)]},{cell(created)},{cell(mql)},{cell(sql)},"
                    f"{cell(won)},{'' if won is None else AMOUNT}")
    path = folder / "リード一覧.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp932"))  # as Excel saves it
    return path
