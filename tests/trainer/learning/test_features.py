from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from services.tabular.column_types import ColumnType
from services.tabular.schema import InputColumn
from services.tabular.tensors import input_tensors
from services.trainer.learning.config import ConfigError
from services.trainer.learning.features import (
    MAX_CATEGORIES,
    fit_features,
    select_columns,
)


def _plan(kind: ColumnType, values):
    column = InputColumn("x", "c0", kind)
    dtype = {ColumnType.DATE: np.float64, ColumnType.FLOAT: np.float32}.get(kind, object)
    array = np.array(values, dtype=dtype).reshape(-1, 1)
    return fit_features([column], {"c0": array}), array


def test_calendar_parts_match_datetime():
    rng = np.random.default_rng(1)
    seconds = list(rng.uniform(-4e9, 1.4e10, 5000).round(3))
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    fixed = [
        datetime(1970, 1, 1),
        datetime(1969, 12, 31, 23, 59, 59),
        datetime(1900, 2, 28, 12),
        datetime(1900, 3, 1),
        datetime(2000, 2, 29, 23),
        datetime(1904, 2, 29),
        datetime(1600, 2, 29),
        datetime(2100, 3, 1, 1),
        datetime(1899, 12, 31, 23, 59, 59),
        datetime(2024, 12, 31, 23, 59, 59),
    ]
    seconds += [moment.replace(tzinfo=UTC).timestamp() for moment in fixed]
    seconds += [-0.5, -86400.25, math.nan]
    plan, array = _plan(ColumnType.DATE, seconds)
    assert plan.feature_names == ("x:year", "x:month", "x:day", "x:weekday", "x:hour")
    parts = plan.transform({"c0": array})
    assert parts.dtype == np.float32 and parts.shape == (len(seconds), 5)
    for value, row in zip(seconds, parts):
        if math.isnan(value):
            assert np.isnan(row).all()
            continue
        moment = epoch + timedelta(seconds=value)
        assert row.tolist() == [moment.year, moment.month, moment.day, moment.weekday(), moment.hour], value


def test_categories_most_frequent_first_and_unknown_is_nan():
    values = ["b", "a", "b", "c", "b", "a", ""]
    plan, _ = _plan(ColumnType.STRING, values)
    assert plan.columns[0].category.categories == ("b", "a", "c")
    assert plan.categorical_features == (0,)
    codes = plan.transform({"c0": np.array(["a", "b", "c", "", "never seen"], dtype=object).reshape(-1, 1)})
    assert codes[:3, 0].tolist() == [1.0, 0.0, 2.0]
    assert np.isnan(codes[3:, 0]).all()


def test_categories_are_capped():
    values = [f"v{index:04d}" for index in range(400)] + ["v0399"] * 3
    plan, _ = _plan(ColumnType.STRING, values)
    categories = plan.columns[0].category.categories
    assert len(categories) == MAX_CATEGORIES and categories[0] == "v0399"


def test_word_tfidf_is_case_insensitive_and_normalised():
    texts = ["Good service", "good food", "bad service", "GOOD good", "bad bad food", ""]
    plan, array = _plan(ColumnType.TEXT, texts)
    text = plan.columns[0].text
    assert text.mode == "word"
    assert set(text.terms) == {"good", "bad", "service", "food"}
    names = plan.feature_names
    assert names[0] == "x:tokens"
    matrix = plan.transform({"c0": array})
    assert matrix[:, 0].tolist() == [2, 2, 2, 2, 3, 0]
    tfidf = matrix[:, 1:]
    np.testing.assert_allclose(np.linalg.norm(tfidf[:5], axis=1), 1.0, rtol=1e-6)
    assert not tfidf[5].any()
    good = names.index("x:tfidf:good") - 1
    assert matrix[0, 1 + good] > 0 and matrix[3, 1 + good] > 0  # "Good", "GOOD" counted


def test_japanese_text_uses_character_bigrams():
    texts = ["配達が遅かった", "配達が早かった", "商品が良かった", "商品が壊れていた"]
    plan, array = _plan(ColumnType.TEXT, texts)
    text = plan.columns[0].text
    assert text.mode == "bigram"
    assert "配達" in text.terms and "商品" in text.terms and "かっ" in text.terms
    matrix = plan.transform({"c0": array})
    column = plan.feature_names.index("x:tfidf:配達")
    assert matrix[:, column].tolist()[:2] != [0.0, 0.0] and matrix[2, column] == 0.0
    one = plan.transform({"c0": np.array([["まったく新しい文"]], dtype=object)})
    assert one.shape == (1, len(plan.feature_names))


def test_graph_batch_is_dynamic_and_names_map_to_columns():
    header = ("num", "cat", "when", "txt", "skip", "target")
    types = {
        "num": ColumnType.FLOAT,
        "cat": ColumnType.STRING,
        "when": ColumnType.DATE,
        "txt": ColumnType.TEXT,
        "skip": ColumnType.IGNORE,
    }
    columns = select_columns(header, types, "target")
    assert [column.input_name for column in columns] == ["c0", "c1", "c2", "c3"]
    rows = [("1", "a", "2020-01-01", "hello world", "z", "y"), ("", "b", "", "hello there", "z", "n")] * 3
    tensors = input_tensors(columns, header, rows)
    plan = fit_features(columns, tensors)
    names, owners = plan.feature_names, plan.feature_columns
    assert len(names) == len(owners)
    assert [owners[names.index(name)] for name in ("num", "cat", "when:year", "txt:tokens")] == [0, 1, 2, 3]
    model = plan.graph()
    for value in list(model.graph.input) + list(model.graph.output):
        assert value.type.tensor_type.shape.dim[0].dim_param == "batch"
    onnx.checker.check_model(model)
    whole = plan.transform(tensors)
    single = np.vstack([plan.transform({k: v[i : i + 1] for k, v in tensors.items()}) for i in range(6)])
    np.testing.assert_array_equal(whole, single)


def test_select_columns_errors():
    with pytest.raises(ConfigError, match="lacks: nope"):
        select_columns(("a", "t"), {"nope": ColumnType.FLOAT}, "t")
    with pytest.raises(ConfigError, match="no column to learn from"):
        select_columns(("a", "t"), {"a": ColumnType.IGNORE, "t": ColumnType.FLOAT}, "t")


def test_long_texts_run_in_chunks_with_the_same_result(monkeypatch):
    from services.trainer.learning import features

    rng = np.random.default_rng(3)
    words = ["alpha", "beta", "gamma", "delta", "epsilon"]
    texts = [" ".join(rng.choice(words, int(rng.integers(0, 30)))) for _ in range(300)]
    plan, array = _plan(ColumnType.TEXT, texts)
    whole = plan.transform({"c0": array})
    monkeypatch.setattr(features, "TOKEN_CELLS_PER_RUN", 500)
    chunked_plan, _ = _plan(ColumnType.TEXT, texts)
    runs: list[int] = []
    run = ort.InferenceSession.run

    def counting(session: ort.InferenceSession, outputs, feeds, *args):
        runs.append(len(next(iter(feeds.values()))))
        return run(session, outputs, feeds, *args)

    monkeypatch.setattr(ort.InferenceSession, "run", counting)
    np.testing.assert_array_equal(chunked_plan.transform({"c0": array}), whole)
    assert len(runs) > 10 and sum(runs) == len(texts)  # every row once, in many small runs
    assert plan.transform({"c0": array[:0]}).shape == (0, len(plan.feature_names))
