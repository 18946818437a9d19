"""A larger app: json, re, decimal and dataclasses imported, and a 100,000-entry dict built at import."""

import dataclasses
import decimal
import json
import re
import sys

WORD = re.compile(r"[a-z]+")


@dataclasses.dataclass
class Price:
    sku: str
    amount: decimal.Decimal


INDEX = {f"sku-{i:06d}": Price(f"sku-{i:06d}", decimal.Decimal(i) / 100) for i in range(100_000)}


def main():
    sku = sys.argv[1] if len(sys.argv) > 1 else "sku-012345"
    price = INDEX.get(sku)
    print(json.dumps({"sku": sku, "amount": str(price.amount) if price else None, "entries": len(INDEX)}))
