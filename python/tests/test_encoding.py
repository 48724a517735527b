"""glassbox.write_encoding against scikit-learn's and pandas' own transform: the encoding applied to
the CSV text (reference_encoder, the TypeScript encoder's semantics) must give transform()'s output."""
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (FunctionTransformer, MaxAbsScaler, MinMaxScaler, OneHotEncoder, OrdinalEncoder,
                                   PolynomialFeatures, RobustScaler, StandardScaler)

import glassbox
from glassbox.encoding import column_names
from reference_encoder import encode, read_csv_text


@pytest.fixture(scope="module")
def frames(adult):
    rng = np.random.default_rng(7)
    train = adult.iloc[:2000].copy()
    for col in ("age", "hours_per_week"):
        train.loc[rng.random(len(train)) < 0.05, col] = np.nan
    train.loc[rng.random(len(train)) < 0.05, "occupation"] = np.nan
    test = adult.iloc[2000:2300].copy()
    test = test.astype({"workclass": object, "education_num": object, "age": object})
    test.iloc[0, test.columns.get_loc("workclass")] = "Unheard-of"
    test.iloc[1, test.columns.get_loc("education_num")] = 99
    test.iloc[2, test.columns.get_loc("native_country")] = "Atlantis"
    test.iloc[3, test.columns.get_loc("age")] = np.nan
    test.iloc[4, test.columns.get_loc("occupation")] = np.nan
    return train, test


def check(source, train, test, tmp_path, expected=None):
    path = tmp_path / "rows.csv"
    test.to_csv(path, index=False)
    frame = pd.read_csv(path)
    doc = glassbox.write_encoding(source, tmp_path / "encoding.json", data=train)
    assert json.loads((tmp_path / "encoding.json").read_text()) == doc
    header, rows = read_csv_text(path)
    got = np.array(encode(doc, header, rows), dtype=np.float64)
    want = np.asarray(source.transform(frame) if expected is None else expected(frame), dtype=np.float64)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, equal_nan=True)
    return doc


SCALERS = [StandardScaler(), StandardScaler(with_mean=False), StandardScaler(with_std=False), MinMaxScaler(),
           MinMaxScaler(feature_range=(-2, 3)), RobustScaler(), RobustScaler(with_centering=False), MaxAbsScaler()]


@pytest.mark.parametrize("scaler", SCALERS, ids=lambda s: repr(s))
@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent", "constant"])
def test_numeric_scalers_after_imputers(frames, tmp_path, scaler, strategy):
    train, test = frames
    imputer = SimpleImputer(strategy=strategy, fill_value=-5.0 if strategy == "constant" else None)
    ct = ColumnTransformer([("num", Pipeline([("impute", imputer), ("scale", scaler)]), ["age", "hours_per_week", "capital_gain"])], sparse_threshold=0)
    ct.fit(train)
    doc = check(ct, train, test, tmp_path)
    assert [f["name"] for f in doc["features"]] == ["age", "hours_per_week", "capital_gain"]


@pytest.mark.parametrize("options", [
    dict(handle_unknown="ignore"),
    dict(handle_unknown="ignore", drop="first"),
    dict(handle_unknown="ignore", drop="if_binary"),
    dict(handle_unknown="infrequent_if_exist", min_frequency=30),
    dict(handle_unknown="infrequent_if_exist", max_categories=4),
    dict(handle_unknown="ignore", min_frequency=0.05),
], ids=repr)
def test_one_hot(frames, tmp_path, options):
    train, test = frames
    ct = ColumnTransformer([("cat", OneHotEncoder(sparse_output=False, **options), ["workclass", "sex", "native_country", "education_num"])], sparse_threshold=0)
    ct.fit(train)
    doc = check(ct, train, test, tmp_path)
    assert len(column_names(doc)) == len(ct.get_feature_names_out())


def test_one_hot_explicit_drop_and_a_nan_category(frames, tmp_path):
    train, test = frames
    ct = ColumnTransformer([("cat", OneHotEncoder(drop=["Male", "Sales"], handle_unknown="ignore"), ["sex", "occupation"])], sparse_threshold=0).fit(train)
    doc = check(ct, train, test, tmp_path)
    occupation = doc["features"][1]
    assert occupation["dropped"] == "Sales" and "" in occupation["categories"] and occupation["impute"] == ""


@pytest.mark.parametrize("options", [
    dict(handle_unknown="use_encoded_value", unknown_value=-1),
    dict(handle_unknown="use_encoded_value", unknown_value=np.nan),
    dict(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-7),
], ids=repr)
def test_ordinal(frames, tmp_path, options):
    train, test = frames
    ct = ColumnTransformer([("ord", OrdinalEncoder(**options), ["education", "education_num", "occupation"])], sparse_threshold=0).fit(train)
    check(ct, train, test, tmp_path)


def test_imputer_before_encoders_and_passthrough_and_remainder(frames, tmp_path):
    train, test = frames
    ct = ColumnTransformer([
        ("occ", Pipeline([("impute", SimpleImputer(strategy="constant", fill_value="none")), ("onehot", OneHotEncoder(handle_unknown="ignore"))]), ["occupation"]),
        ("ord", Pipeline([("impute", SimpleImputer(strategy="most_frequent")), ("ord", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1))]), ["workclass"]),
        ("raw", "passthrough", ["capital_loss"]),
        ("gone", "drop", ["fnlwgt"]),
    ], remainder=Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), sparse_threshold=0)
    ct.fit(train[["occupation", "workclass", "capital_loss", "fnlwgt", "age", "hours_per_week"]])
    doc = check(ct, train, test, tmp_path)
    assert [f["name"] for f in doc["features"]] == ["occupation", "workclass", "capital_loss", "age", "hours_per_week"]


def test_pipeline_with_estimator_uses_its_preprocessor(frames, tmp_path):
    train, test = frames
    pre = ColumnTransformer([("num", StandardScaler(), ["capital_gain", "education_num"]), ("cat", OneHotEncoder(handle_unknown="ignore"), ["race"])], sparse_threshold=0)
    pipe = Pipeline([("pre", pre), ("model", LogisticRegression(max_iter=200))]).fit(train, train["income"])
    check(pipe, train, test, tmp_path, expected=lambda f: pipe[:-1].transform(f))


def test_get_dummies(frames, tmp_path):
    train, test = frames
    raw = ["age", "capital_gain", "workclass", "sex", "education_num", "occupation"]
    cats = ["workclass", "sex", "education_num", "occupation"]
    for drop_first, dummy_na in ((False, False), (True, False), (False, True)):
        train_d = pd.get_dummies(train[raw], columns=cats, drop_first=drop_first, dummy_na=dummy_na, dtype=float)
        mean = train["age"].mean()

        def expected(frame):
            d = pd.get_dummies(frame[raw], columns=cats, dummy_na=dummy_na, dtype=float).reindex(columns=train_d.columns, fill_value=0.0)
            return d.fillna({"age": mean})

        doc = check(list(train_d.columns), train[raw], test, tmp_path, expected=expected)
        assert doc["features"][0] == {"name": "age", "type": "numeric", "transform": "none", "mean": mean, "std": train["age"].std(ddof=0), "columns": [0, 1]}


@pytest.mark.parametrize("transformer, message", [
    (FunctionTransformer(np.log1p), r"transformer 'bad': FunctionTransformer on columns \['capital_gain'\]"),
    (PolynomialFeatures(), r"PolynomialFeatures on columns \['capital_gain'\]"),
    (MinMaxScaler(clip=True), r"MinMaxScaler\(clip=True\) on columns \['capital_gain'\]"),
    (SimpleImputer(add_indicator=True), r"add_indicator=True\) on columns \['capital_gain'\]"),
    (SimpleImputer(missing_values=0), r"missing_values=0\) on columns \['capital_gain'\]"),
    (Pipeline([("a", StandardScaler()), ("b", MinMaxScaler())]), r"Pipeline \['StandardScaler', 'MinMaxScaler'\] on columns \['capital_gain'\]"),
], ids=lambda v: type(v).__name__ if not isinstance(v, str) else "")
def test_unsupported_transformers_name_themselves_and_their_columns(frames, transformer, message):
    train, _ = frames
    ct = ColumnTransformer([("ok", StandardScaler(), ["age"]), ("bad", transformer, ["capital_gain"])]).fit(train.fillna({"age": 0}))
    with pytest.raises(ValueError, match=message):
        glassbox.encoding_from(ct)


def test_other_refusals(frames):
    train, _ = frames
    twice = ColumnTransformer([("a", StandardScaler(), ["capital_gain"]), ("b", MinMaxScaler(), ["capital_gain"])]).fit(train)
    with pytest.raises(ValueError, match="column 'capital_gain' is used by transformer 'a' and transformer 'b'"):
        glassbox.encoding_from(twice)
    unnamed = ColumnTransformer([("a", StandardScaler(), [0])]).fit(train[["capital_gain"]].to_numpy())
    with pytest.raises(ValueError, match="not fitted on a pandas DataFrame"):
        glassbox.encoding_from(unnamed)
    with pytest.raises(ValueError, match="needs data="):
        glassbox.encoding_from(["age", "sex_Male"])
    with pytest.raises(ValueError, match="neither a column of data="):
        glassbox.encoding_from(["age", "colour_red"], data=train)
    ord_infrequent = ColumnTransformer([("o", OrdinalEncoder(max_categories=3), ["workclass"])]).fit(train)
    with pytest.raises(ValueError, match="OrdinalEncoder with infrequent categories .* column 'workclass'"):
        glassbox.encoding_from(ord_infrequent)
