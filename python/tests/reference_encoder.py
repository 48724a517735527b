"""The semantics of server/src/core/data/encoding.ts (compileEncoder) in Python, for testing the
writer against scikit-learn on many configurations; the TypeScript reader itself is checked on the
committed fixture (encoding-file.test.ts). Input: the CSV's text cells, as the CSV reader gives them."""
import csv
import math
import re

NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _canon(text):
    return repr(float(text)) if NUMBER.match(text) else None


def _key(c):
    return str(c) if not isinstance(c, float) else (str(int(c)) if c.is_integer() else repr(c))


def read_csv_text(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def encode(doc, header, rows):
    missing = set(doc.get("missing", ["", "?", "NA", "NaN", "nan", "null"]))
    out = []
    for row in rows:
        line = []
        for f in doc["features"]:
            raw = row[header.index(f["name"])]
            if f["type"] == "numeric":
                try:
                    v = float("nan") if raw.strip() in missing else float(raw)
                except ValueError:
                    v = float("nan")
                if not math.isfinite(v):
                    v = f.get("impute", f["mean"])
                line.append((v - f["mean"]) / f["std"] if f["transform"] == "standardize" else v)
                continue
            cats = [_key(c) for c in f["categories"]]
            index = {c: i for i, c in enumerate(cats)}
            ordinal = f.get("encoding") == "ordinal"
            if not ordinal:
                if "dropped" in f:
                    index.setdefault(_key(f["dropped"]), -1)
                for c in f.get("infrequent") or []:
                    index.setdefault(_key(c), len(cats))
            numeric = {}
            for c, k in index.items():
                n = _canon(c)
                if n is not None:
                    numeric.setdefault(n, k)

            def lookup(text):
                k = index.get(text)
                if k is None and _canon(text) is not None:
                    k = numeric.get(_canon(text))
                return k

            k = lookup(raw)
            imputed = False
            if k is None and ("impute" in f or (ordinal and "missingValue" in f)) and raw.strip() in missing:
                imputed = True
                if "impute" in f:
                    k = lookup(_key(f["impute"]))
            if ordinal:
                if k is not None and k >= 0:
                    line.append(float(k))
                elif imputed and "missingValue" in f:
                    line.append(float("nan") if f["missingValue"] is None else f["missingValue"])
                else:
                    u = f.get("unknownValue")
                    line.append(float("nan") if u is None else u)
                continue
            width = len(cats) + (1 if f.get("infrequent") is not None or f.get("unknown") == "column" else 0)
            cols = [0.0] * width
            if k is not None:
                if k >= 0:
                    cols[k] = 1.0
            elif f.get("unknown") == "column":
                cols[len(cats)] = 1.0
            line += cols
        out.append(line)
    return out
