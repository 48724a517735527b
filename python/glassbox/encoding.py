"""The preprocessing users already fit, written as a Glassbox encoding file (docs/model-formats.md,
"Encoding file"; read by server/src/core/data/encoding-file.ts).

Sources:
- a fitted scikit-learn `ColumnTransformer` (or a `Pipeline` whose steps before the estimator are
  one), fitted on a pandas DataFrame so raw column names are known. Per transformer:
  `StandardScaler`, `MinMaxScaler` (no clip), `RobustScaler`, `MaxAbsScaler` (all x -> (x - mean) /
  std), `OneHotEncoder` (handle_unknown error|ignore|infrequent_if_exist, drop first|if_binary|
  explicit, min_frequency/max_categories), `OrdinalEncoder` (unknown_value, encoded_missing_value),
  each optionally after a `SimpleImputer` in a Pipeline; `SimpleImputer` alone; 'passthrough';
  'drop'; the remainder.
- the column list of a `pandas.get_dummies` frame plus the raw frame it was made from.

Anything else raises `ValueError` naming the transformer and its columns: an encoding Glassbox
reproduces differently from training would make every explanation wrong without a sign.
"""
import json
import math
import numbers
import os

FORMAT = "glassbox-encoding"
VERSION = 1

# pandas.read_csv's default NA tokens: what became NaN before the transformer saw the data.
PANDAS_NA = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]

# A NaN category has a column of its own in sklearn's encoders; in the file it is the empty string
# (what an empty CSV cell holds), and `impute` sends every other missing token to it.
NAN_CATEGORY = ""


def write_encoding(source, path, data=None, missing=None, prefix_sep="_"):
    """Writes the encoding of `source` (see the module doc) to `path` as JSON and returns it.

    `data`: the raw DataFrame (required for a get_dummies column list). `missing`: the tokens that
    read as missing in the CSV (default: pandas' NA tokens plus any string `missing_values` of the
    SimpleImputers).
    """
    doc = encoding_from(source, data=data, missing=missing, prefix_sep=prefix_sep)
    write_json(path, doc)
    return doc


def encoding_from(source, data=None, missing=None, prefix_sep="_"):
    """The encoding document of `source` without writing it."""
    tokens = list(PANDAS_NA)
    if _is_column_list(source):
        if data is None:
            raise ValueError("a get_dummies column list needs data= (the raw DataFrame get_dummies was applied to)")
        features = _from_dummies(list(source), data, prefix_sep)
    else:
        features = _from_sklearn(source, tokens)
        if data is not None and hasattr(data, "columns"):
            absent = [f["name"] for f in features if f["name"] not in set(map(str, data.columns))]
            if absent:
                raise ValueError(f"the encoding uses column(s) {absent} that data= does not have")
    if data is not None:
        # Passed-through numerics keep the training statistics: a missing entry becomes the
        # training mean, as in encodings Glassbox fits itself.
        for f in features:
            if f["type"] == "numeric" and f["transform"] == "none" and "impute" not in f and f["name"] in data.columns and _numeric_dtype(data[f["name"]]):
                column = data[f["name"]].astype(float)
                f["mean"], f["std"] = float(column.mean()), float(column.std(ddof=0))
    if missing is not None:
        tokens = [str(t) for t in missing]
    width = 0
    for f in features:
        n = _width(f)
        f["columns"] = [width, width + n]
        width += n
    return {"format": FORMAT, "version": VERSION, "features": features, "missing": _unique(tokens), "width": width}


def column_names(doc):
    """Encoded column names as Glassbox shows them (`age`, `sex=Male`), in column order."""
    names = []
    for f in doc["features"]:
        if f["type"] == "numeric" or f.get("encoding") == "ordinal":
            names.append(f["name"])
            continue
        names += [f"{f['name']}={c}" for c in f["categories"]]
        if f.get("infrequent") is not None:
            names.append(f"{f['name']}=<infrequent>")
        elif f.get("unknown") == "column":
            names.append(f"{f['name']}=<unknown>")
    return names


def write_json(path, doc):
    """Writes JSON atomically (a reader never sees half a file); NaN is refused, not written."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, allow_nan=False)
        f.write("\n")
    os.replace(tmp, path)


def _width(f):
    if f["type"] == "numeric" or f.get("encoding") == "ordinal":
        return 1
    return len(f["categories"]) + (1 if f.get("infrequent") is not None or f.get("unknown") == "column" else 0)


def _unique(items):
    seen = []
    for i in items:
        if i not in seen:
            seen.append(i)
    return seen


def _is_column_list(source):
    if isinstance(source, (list, tuple)):
        return all(isinstance(c, str) for c in source)
    return type(source).__name__ == "Index" and type(source).__module__.startswith("pandas")


# ---------------------------------------------------------------------------------------------
# scikit-learn


SUPPORTED = (
    "StandardScaler, MinMaxScaler (clip=False), RobustScaler, MaxAbsScaler, OneHotEncoder, OrdinalEncoder, "
    "SimpleImputer (alone or first in a Pipeline), 'passthrough', 'drop'"
)


def _from_sklearn(source, tokens):
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    if isinstance(source, Pipeline):
        steps = [s for _, s in source.steps if s is not None and s != "passthrough"]
        if steps and not hasattr(steps[-1], "transform"):
            steps = steps[:-1]  # the estimator
        if len(steps) != 1:
            names = [type(s).__name__ for s in steps]
            raise ValueError(f"the Pipeline's preprocessing is {names}; Glassbox reads one ColumnTransformer (or one transformer) before the estimator")
        source = steps[0]
    names_in = getattr(source, "feature_names_in_", None)
    if names_in is None:
        raise ValueError(f"{type(source).__name__} was not fitted on a pandas DataFrame: fit it on one so the encoding can name the raw CSV columns")
    names_in = [str(n) for n in names_in]
    if not isinstance(source, ColumnTransformer):
        return _features_for(source, names_in, type(source).__name__, tokens)

    features = []
    owner = {}
    to_indices = getattr(source, "_transformer_to_input_indices", None)
    for name, transformer, columns in source.transformers_:
        if isinstance(transformer, str) and transformer == "drop":
            continue
        if to_indices is not None and name in to_indices:
            cols = [names_in[i] for i in to_indices[name]]
        else:
            cols = _resolve_columns(columns, names_in)
        if not cols:
            continue
        where = f"transformer '{name}'"
        for c in cols:
            if c in owner:
                raise ValueError(f"column '{c}' is used by {owner[c]} and {where}; Glassbox needs each raw column encoded once, its columns together")
            owner[c] = where
        produced = _features_for(transformer, cols, where, tokens)
        got = sum(_width(f) for f in produced)
        expected = source.output_indices_.get(name)
        if expected is not None and expected.stop - expected.start != got:
            raise ValueError(f"{where} on columns {cols} gives {expected.stop - expected.start} columns, the encoding {got}: it cannot be expressed")
        features += produced
    return features


def _resolve_columns(columns, names_in):
    import numpy as np

    if isinstance(columns, str):
        return [columns]
    if isinstance(columns, slice):
        return names_in[columns]
    arr = np.asarray(columns)
    if arr.dtype == bool:
        return [n for n, keep in zip(names_in, arr) if keep]
    return [names_in[int(c)] if isinstance(c, numbers.Integral) else str(c) for c in arr.tolist()]


def _features_for(transformer, columns, where, tokens):
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline

    if isinstance(transformer, str):
        if transformer == "passthrough":
            return [_numeric(c, 0.0, 1.0, "none") for c in columns]
        raise ValueError(f"{where}: unknown transformer {transformer!r} on columns {columns}")
    steps = [s for _, s in transformer.steps if s is not None and s != "passthrough"] if isinstance(transformer, Pipeline) else [transformer]
    # A fitted ColumnTransformer holds 'passthrough' as an identity FunctionTransformer.
    steps = [s for s in steps if not (type(s).__name__ == "FunctionTransformer" and s.func is None)]
    if not steps:
        return [_numeric(c, 0.0, 1.0, "none") for c in columns]
    imputer = steps.pop(0) if steps and isinstance(steps[0], SimpleImputer) else None
    if len(steps) > 1:
        raise ValueError(f"{where}: the Pipeline {[type(s).__name__ for s in steps]} on columns {columns} cannot be expressed; "
                         f"Glassbox reads an optional SimpleImputer followed by one of: {SUPPORTED}")
    final = steps[0] if steps else None
    imputes = _imputes(imputer, columns, where, tokens) if imputer is not None else [None] * len(columns)
    kind = type(final).__name__ if final is not None else None
    if final is None:
        out = []
        for c, v in zip(columns, imputes):
            if v is not None and not isinstance(v, numbers.Real):
                raise ValueError(f"{where}: a SimpleImputer alone on text column '{c}' hands text to the model; add an encoder")
            out.append(_numeric(c, 0.0, 1.0, "none", v))
        return out
    if kind in ("StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler"):
        return [_numeric(c, m, s, "standardize", v) for c, (m, s), v in zip(columns, _affine(final, kind, len(columns), where, columns), imputes)]
    if kind == "OneHotEncoder":
        return [_onehot(final, j, c, v, where) for j, (c, v) in enumerate(zip(columns, imputes))]
    if kind == "OrdinalEncoder":
        return [_ordinal(final, j, c, v, where) for j, (c, v) in enumerate(zip(columns, imputes))]
    raise ValueError(f"{where}: {kind} on columns {columns} cannot be expressed as a Glassbox encoding; supported: {SUPPORTED}")


def _numeric(name, mean, std, transform, impute=None):
    f = {"name": name, "type": "numeric", "transform": transform, "mean": float(mean), "std": float(std)}
    if impute is not None:
        f["impute"] = float(impute)
    return f


def _affine(est, kind, n, where, columns):
    """(mean, std) per column such that the scaler computes (x - mean) / std."""
    import numpy as np

    if kind == "StandardScaler":
        mean = est.mean_ if est.with_mean and est.mean_ is not None else np.zeros(n)
        std = est.scale_ if est.with_std and est.scale_ is not None else np.ones(n)
    elif kind == "MinMaxScaler":
        if est.clip:
            raise ValueError(f"{where}: MinMaxScaler(clip=True) on columns {columns} is not affine; Glassbox reproduces clip=False only")
        # x * scale_ + min_ = (x - (-min_ / scale_)) / (1 / scale_); sklearn never has scale_ = 0.
        std = 1.0 / est.scale_
        mean = -est.min_ / est.scale_
    elif kind == "RobustScaler":
        mean = est.center_ if est.with_centering else np.zeros(n)
        std = est.scale_ if est.with_scaling else np.ones(n)
    else:  # MaxAbsScaler
        mean, std = np.zeros(n), est.scale_
    return list(zip(np.asarray(mean, dtype=float).tolist(), np.asarray(std, dtype=float).tolist()))


def _is_nan(v):
    try:
        return v is None or (isinstance(v, float) and math.isnan(v)) or (hasattr(v, "__float__") and not isinstance(v, str) and math.isnan(float(v)))
    except (TypeError, ValueError):
        return type(v).__name__ in ("NAType", "NaTType")


def _imputes(imputer, columns, where, tokens):
    if imputer.add_indicator:
        raise ValueError(f"{where}: SimpleImputer(add_indicator=True) on columns {columns} adds indicator columns Glassbox cannot reproduce")
    mv = imputer.missing_values
    if isinstance(mv, str):
        tokens.append(mv)
    elif not _is_nan(mv):
        raise ValueError(f"{where}: SimpleImputer(missing_values={mv!r}) on columns {columns}: Glassbox recognises missing values by CSV token (NaN or a string) only")
    stats = list(imputer.statistics_)
    if len(stats) != len(columns):
        raise ValueError(f"{where}: SimpleImputer has {len(stats)} statistics for {len(columns)} columns")
    out = []
    for c, s in zip(columns, stats):
        s = _plain(s)
        if _is_nan(s):
            if not getattr(imputer, "keep_empty_features", False):
                raise ValueError(f"{where}: column '{c}' had no values when the SimpleImputer was fitted, so sklearn drops it; Glassbox cannot reproduce that")
            s = 0.0
        out.append(s)
    return out


def _plain(v):
    """A category or statistic as JSON: numbers stay numbers (matched numerically against the CSV
    text), everything else becomes its string (pandas reads 'True' as a bool, str() gives it back)."""
    if hasattr(v, "item") and not isinstance(v, str):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real):
        return float(v)
    if _is_nan(v):
        return float("nan")
    return str(v)


def _categories(values):
    """(categories with NaN replaced by NAN_CATEGORY, whether NaN was among them)."""
    out, has_nan = [], False
    for v in values:
        p = _plain(v)
        if isinstance(p, float) and math.isnan(p):
            has_nan = True
            out.append(NAN_CATEGORY)
        else:
            out.append(p)
    return out, has_nan


def _onehot(est, j, name, impute, where):
    cats, has_nan = _categories(est.categories_[j])
    drop = None if est.drop_idx_ is None else est.drop_idx_[j]
    infrequent = None
    if getattr(est, "_infrequent_enabled", False) and est.infrequent_categories_[j] is not None:
        infrequent, _ = _categories(est.infrequent_categories_[j])
        if drop is not None:
            raise ValueError(f"{where}: OneHotEncoder with both drop and infrequent categories on column '{name}' cannot be expressed")
    f = {"name": name, "type": "categorical", "encoding": "onehot"}
    if infrequent is not None:
        f["categories"] = [c for c in cats if c not in infrequent]
        f["infrequent"] = infrequent
        f["unknown"] = "column" if est.handle_unknown in ("infrequent_if_exist", "warn") else "zeros"
    else:
        f["categories"] = [c for i, c in enumerate(cats) if drop is None or i != int(drop)]
        if drop is not None:
            f["dropped"] = cats[int(drop)]
        f["unknown"] = "zeros"  # sklearn: 'ignore' (and 'infrequent_if_exist' without infrequent) -> all zeros; 'error' has no row to compare
    if impute is not None:
        f["impute"] = impute
    elif has_nan:
        f["impute"] = NAN_CATEGORY
    return f


def _ordinal(est, j, name, impute, where):
    if getattr(est, "_infrequent_enabled", False):
        raise ValueError(f"{where}: OrdinalEncoder with infrequent categories (min_frequency/max_categories) on column '{name}' cannot be expressed")
    cats, has_nan = _categories(est.categories_[j])
    f = {"name": name, "type": "categorical", "encoding": "ordinal"}
    unknown = est.unknown_value if est.handle_unknown == "use_encoded_value" else float("nan")
    if has_nan:
        # sklearn codes NaN with encoded_missing_value (default NaN) rather than its position.
        cats = [c for c in cats if c != NAN_CATEGORY]
        f["missingValue"] = _json_number(est.encoded_missing_value)
    f["categories"] = cats
    f["unknownValue"] = _json_number(unknown)
    if impute is not None:
        f["impute"] = impute
    return f


def _json_number(v):
    v = float(v)
    return None if math.isnan(v) else v  # JSON has no NaN: null means NaN


# ---------------------------------------------------------------------------------------------
# pandas.get_dummies


def _from_dummies(columns, data, sep):
    raw = [str(c) for c in data.columns]
    by_length = sorted(raw, key=len, reverse=True)
    features, seen = [], {}
    for col in columns:
        if col in raw:
            if not _numeric_dtype(data[col]):
                raise ValueError(f"column '{col}' is not numeric in data= and was not one-hot encoded by get_dummies")
            features.append(_numeric(col, 0.0, 1.0, "none"))
            continue
        source = next((r for r in by_length if col.startswith(r + sep)), None)
        if source is None:
            raise ValueError(f"column '{col}' is neither a column of data= nor '<column>{sep}<value>' of one")
        suffix = col[len(source) + len(sep):]
        last = features[-1] if features else None
        if last is not None and last["name"] == source and last["type"] == "categorical":
            last["categories"].append(suffix)
            continue
        if source in seen:
            raise ValueError(f"the dummy columns of '{source}' are not next to each other; Glassbox needs each raw column's columns together")
        seen[source] = True
        features.append({"name": source, "type": "categorical", "encoding": "onehot", "categories": [suffix], "unknown": "zeros"})
    for f in features:
        if f["type"] != "categorical":
            continue
        values = data[f["name"]]
        by_text = {str(v): _plain(v) for v in values.dropna().unique()}
        by_number = {float(v): v for v in by_text.values() if isinstance(v, numbers.Real)}
        cats = []
        for s in f["categories"]:
            if s == "nan" and "nan" not in by_text:
                cats.append(NAN_CATEGORY)  # dummy_na=True
                f["impute"] = NAN_CATEGORY
            elif s in by_text:
                cats.append(by_text[s])
            elif _as_float(s) is not None and _as_float(s) in by_number:
                cats.append(by_number[_as_float(s)])  # dummy_na=True names ints "1.0"
            else:
                raise ValueError(f"column '{f['name']}{sep}{s}': data= has no value '{s}' in '{f['name']}' (pass the frame get_dummies was applied to)")
        f["categories"] = cats
        rest = sorted(set(by_text) - {str(c) for c in cats})
        if len(rest) > 1:
            raise ValueError(f"'{f['name']}' has values {rest[:5]} with no dummy column; get_dummies(drop_first=True) leaves out one value only")
        if rest:
            f["dropped"] = by_text[rest[0]]
    return features


def _as_float(text):
    try:
        return float(text)
    except ValueError:
        return None


def _numeric_dtype(series):
    return getattr(series.dtype, "kind", "O") in "biuf"
