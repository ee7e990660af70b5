"""The README's forecast example (examples/prediction_one/forecast.py) runs unchanged."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, timedelta

from examples.prediction_one import forecast


async def test_the_forecast_example_predicts_a_week_per_store(prediction_one):
    base_url = str(prediction_one.training.client.make_url("")).rstrip("/")
    secret_key = await prediction_one.training.secret_key()
    text = await asyncio.to_thread(forecast.main, base_url, secret_key, 0.2)
    lines = list(csv.DictReader(io.StringIO(text)))
    week = [(date(2025, 12, 31) + timedelta(days=offset)).isoformat() for offset in range(1, 8)]
    assert [(line["store"], line["date"], line["horizon"]) for line in lines] == [
        (store, day, str(offset)) for store in ("Shibuya", "Umeda") for offset, day in enumerate(week, start=1)
    ]
    by_store = {
        store: [float(line["prediction"]) for line in lines if line["store"] == store] for store in ("Shibuya", "Umeda")
    }
    # The shops' levels (about 220 and 160 a day, growing over the two years) are told apart,
    # and the planned promotions (Jan 2 and 3, +30%) lift those days above the rest of the week.
    assert sum(by_store["Shibuya"]) > 1.2 * sum(by_store["Umeda"])
    for sales in by_store.values():
        promoted = sales[1:3]
        assert min(promoted) > sum(sales[3:]) / len(sales[3:]), sales
