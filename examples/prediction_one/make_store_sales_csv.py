"""Writes store_sales.csv: two years of made-up daily sales of two shops, with their promotions.

Deterministic (seeded), so the committed file is what this script writes. Run from the repo root:
`.venv/bin/python examples/prediction_one/make_store_sales_csv.py`.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date, timedelta
from pathlib import Path

STORES = (("Shibuya", 220.0), ("Umeda", 160.0))
FIRST_DAY = date(2024, 1, 1)
DAYS = 731  # 2024-01-01 .. 2025-12-31


def promotion(store: str, day: date) -> int:
    """Promotions are planned: every other Friday and Saturday, and the 25th of each month."""
    weekly = day.weekday() in (4, 5) and (day.isocalendar()[1] + len(store)) % 2 == 0
    return int(weekly or day.day == 25)


def rows(seed: int = 3):
    rng = random.Random(seed)
    for store, level in STORES:
        for offset in range(DAYS):
            day = FIRST_DAY + timedelta(days=offset)
            weekly = 1.0 + 0.25 * math.sin(2 * math.pi * (day.weekday() - 1) / 7)
            yearly = 1.0 + 0.1 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 80) / 365)
            promo = promotion(store, day)
            sales = level * (1 + 0.0004 * offset) * weekly * yearly * (1.3 if promo else 1.0) + rng.gauss(0, 6)
            yield day.isoformat(), store, promo, f"{sales:.0f}"


DEFAULT_PATH = Path(__file__).resolve().parent / "store_sales.csv"


def main(path: Path = DEFAULT_PATH) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("date", "store", "promotion", "sales"))
        writer.writerows(rows())


if __name__ == "__main__":
    main()
