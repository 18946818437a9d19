"""Counts the words of its arguments, or of stdin when there are none, and prints a JSON report.

Everything at the top level runs once, at build time (`npx wasm-runtime build`): imports, compiled
patterns, tables. The result is saved in a snapshot, so every start begins here, already
initialized. `main()` runs on every start (`npm start`).
"""

import json
import re
import sys
from collections import Counter
from dataclasses import asdict, dataclass

from stopwords import STOPWORDS

WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@dataclass
class Report:
    words: int
    distinct: int
    top: list


def count(text: str, top: int = 3) -> Report:
    words = [w.lower() for w in WORD.findall(text)]
    counts = Counter(w for w in words if w not in STOPWORDS)
    return Report(len(words), len(set(words)), [w for w, _ in counts.most_common(top)])


def main():
    text = " ".join(sys.argv[1:]) if len(sys.argv) > 1 else sys.stdin.read()
    print(json.dumps(asdict(count(text))))
    # The return value is the exit code (None is 0); sys.exit(n) and exceptions work as usual.
