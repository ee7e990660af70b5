"""Writes churn.csv: 2,000 made-up customers of a phone company and whether they left (churn).

Deterministic (seeded), so the committed file is what this script writes. Run from the repo root:
`.venv/bin/python examples/prediction_one/make_churn_csv.py`.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date, timedelta
from pathlib import Path

PLANS = ("basic", "standard", "premium", "family")
COMMENTS = (
    "happy with the service",
    "network drops calls often in my area",
    "price is too high for what I get",
    "great support, quick answers",
    "thinking about switching to another provider",
    "",
)


def rows(count: int, seed: int = 7):
    rng = random.Random(seed)
    for number in range(1, count + 1):
        age = rng.randint(18, 80)
        plan = rng.choices(PLANS, weights=(4, 3, 2, 1))[0]
        tenure = rng.randint(1, 72)
        fee = round({"basic": 20, "standard": 35, "premium": 60, "family": 80}[plan] * rng.uniform(0.9, 1.2), 2)
        calls = min(10, int(rng.expovariate(0.6)))
        comment = rng.choice(COMMENTS)
        signup = date(2018, 1, 1) + timedelta(days=rng.randint(0, 6 * 365))
        score = -1.2 + 0.35 * calls - 0.04 * tenure + 0.02 * (fee - 40) + (0.9 if "switching" in comment else 0)
        score += 0.8 if "price" in comment else 0
        churn = "yes" if rng.random() < 1 / (1 + math.exp(-score)) else "no"
        yield {
            "customer_id": f"C{number:05d}",
            "age": age if rng.random() > 0.03 else "",
            "plan": plan,
            "monthly_fee": fee,
            "tenure_months": tenure,
            "support_calls": calls,
            "signup_date": signup.isoformat(),
            "comment": comment,
            "churn": churn,
        }


def main() -> None:
    target = Path(__file__).with_name("churn.csv")
    with open(target, "w", newline="", encoding="utf-8") as handle:
        data = list(rows(2000))
        writer = csv.DictWriter(handle, fieldnames=list(data[0]))
        writer.writeheader()
        writer.writerows(data)


if __name__ == "__main__":
    main()
