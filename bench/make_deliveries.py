"""Write N orders and N delivery lines (SPEC §8 columns) for measuring `jicai import deliveries`.

    python bench/make_deliveries.py 1000000 OUTDIR

The rows refer to the institutions, awarded products and distributors already in the database that
DATABASE_URL (or the default SQLite file) points at: load the samples or the demo first. Rows are streamed to
OUTDIR/orders.csv and OUTDIR/deliveries.csv; memory stays flat whatever N is.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path


def references() -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """Institution codes, (product code, winning price) of awards, distributor codes: from the database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from jicai.catalog.models import Award
    from jicai.orgs.models import Company, Institution

    institutions = list(Institution.objects.values_list("code", flat=True))
    awards = [(code, str(price)) for code, price in Award.objects.values_list("product__code", "winning_price")]
    distributors = list(Company.objects.filter(is_distributor=True).values_list("code", flat=True))
    if not (institutions and awards and distributors):
        sys.exit("数据库里需要先有医疗机构、中选药品和配送企业（先导入 samples 或运行 jicai demo）")
    return institutions, awards, distributors


def write(n: int, out: Path, seed: int = 2020) -> None:
    institutions, awards, distributors = references()
    rnd = random.Random(seed)
    start = date(2020, 4, 15)
    out.mkdir(parents=True, exist_ok=True)
    with (
        open(out / "orders.csv", "w", newline="", encoding="utf-8") as orders_file,
        open(out / "deliveries.csv", "w", newline="", encoding="utf-8") as deliveries_file,
    ):
        orders, deliveries = csv.writer(orders_file), csv.writer(deliveries_file)
        orders.writerow(
            ["order_id", "institution_code", "product_code", "distributor_code", "quantity", "unit_price", "ordered_on"]
        )
        deliveries.writerow(["delivery_id", "order_id", "quantity", "delivered_on", "accepted_on"])
        for i in range(n):
            product, price = rnd.choice(awards)
            quantity = rnd.randint(1, 200) * 100
            ordered = start + timedelta(days=rnd.randint(0, 700))
            delivered = ordered + timedelta(days=rnd.randint(1, 5))
            accepted = "" if rnd.random() < 0.05 else (delivered + timedelta(days=rnd.randint(0, 3))).isoformat()
            order_id = f"BDD{i:09d}"
            orders.writerow(
                [order_id, rnd.choice(institutions), product, rnd.choice(distributors), quantity, price, ordered]
            )
            deliveries.writerow([f"BPS{i:09d}", order_id, quantity, delivered.isoformat(), accepted])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    write(args.n, args.out)


if __name__ == "__main__":
    main()
