"""The preprocessing plan as ONNX nodes: each column's block, then one float32 feature matrix.

What each column type becomes is described in features.py; this module writes it as a graph
(opsets ONNX_OPSETS) that onnxruntime runs in training and serving alike:
- STRING: an ai.onnx.ml LabelEncoder from category to code, NaN for anything unknown.
- DATE: year, month, day, weekday and hour by Floor/Div arithmetic in float64 (Howard Hinnant's
  civil-from-days), cast to float32 at the end.
- TEXT: a com.microsoft Tokenizer (word tokens by a re2 pattern, or single characters for
  bigrams), the token count, and ai.onnx TfIdfVectorizer counts weighted by idf and
  L2-normalised.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

from services.tabular.column_types import ColumnType
from services.tabular.schema import InputColumn

FEATURES_OUTPUT = "features"
ONNX_OPSETS = {"": 17, "ai.onnx.ml": 3, "com.microsoft": 1}
DATE_PARTS = ("year", "month", "day", "weekday", "hour")

PAD = "\x00"  # Tokenizer padding; never part of a vocabulary term
_WORD_PATTERN = r"[\p{L}\p{N}]+"  # re2 syntax, as onnxruntime's Tokenizer reads it


@dataclass(frozen=True)
class CategoryEncoding:
    categories: tuple[str, ...]  # index = code


@dataclass(frozen=True)
class TextEncoding:
    mode: str  # "word" or "bigram"
    terms: tuple[str, ...]  # word: lower-cased word; bigram: the two characters
    idf: tuple[float, ...]
    # word mode: every surface form counted as terms[i], as (form, i)
    forms: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class ColumnPlan:
    """One input column and what fitting found for it (features.fit_features): its graph block."""

    column: InputColumn
    category: CategoryEncoding | None = None
    text: TextEncoding | None = None

    @property
    def feature_names(self) -> tuple[str, ...]:
        name = self.column.name
        kind = self.column.type
        if kind is ColumnType.DATE:
            return tuple(f"{name}:{part}" for part in DATE_PARTS)
        if kind is ColumnType.TEXT:
            assert self.text is not None
            return (f"{name}:tokens",) + tuple(f"{name}:tfidf:{term}" for term in self.text.terms)
        return (name,)


class _Builder:
    """Collects nodes and constants with unique names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def name(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def node(self, op: str, inputs: list[str], outputs: list[str] | None = None, **attrs) -> str:
        outputs = outputs or [self.name(op.lower())]
        domain = attrs.pop("domain", "")
        self.nodes.append(helper.make_node(op, inputs, outputs, name=self.name(f"n_{op}"), domain=domain, **attrs))
        return outputs[0]

    def const(self, value: float | Sequence[float], dtype: int = TensorProto.DOUBLE) -> str:
        array = np.asarray(value, dtype=helper.tensor_dtype_to_np_dtype(dtype))
        name = self.name("const")
        self.initializers.append(helper.make_tensor(name, dtype, array.shape, array.ravel().tolist()))
        return name

    def const_i64(self, value: Sequence[int]) -> str:
        return self.const(value, TensorProto.INT64)

    # float arithmetic shorthands
    def div(self, a: str, b: str) -> str:
        return self.node("Div", [a, b])

    def mul(self, a: str, b: str) -> str:
        return self.node("Mul", [a, b])

    def add(self, a: str, b: str) -> str:
        return self.node("Add", [a, b])

    def sub(self, a: str, b: str) -> str:
        return self.node("Sub", [a, b])

    def floor_div(self, a: str, b: float) -> str:
        return self.node("Floor", [self.div(a, self.const(b))])


def _string_input(name: str) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.STRING, ["batch", 1])


def input_value_info(column: InputColumn) -> onnx.ValueInfoProto:
    """The ONNX input for a column, per InputColumn's dtype rules, batch dimension dynamic."""
    if column.type.is_numeric:
        dtype = TensorProto.FLOAT
    elif column.type is ColumnType.DATE:
        dtype = TensorProto.DOUBLE
    else:
        dtype = TensorProto.STRING
    return helper.make_tensor_value_info(column.input_name, dtype, ["batch", 1])


def _model(builder: _Builder, inputs, outputs) -> onnx.ModelProto:
    graph = helper.make_graph(
        builder.nodes,
        "torii_tabular_features",
        inputs,
        [helper.make_tensor_value_info(name, dtype, shape) for name, dtype, shape in outputs],
        initializer=builder.initializers,
    )
    opsets = [helper.make_opsetid(domain, version) for domain, version in ONNX_OPSETS.items()]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="torii")
    model.ir_version = 8
    return model


def onnx_session(model: onnx.ModelProto, num_threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = num_threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # shape-mismatch warnings from the string ops are noise
    return ort.InferenceSession(model.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"])


def tokenizer_model(mode: str) -> onnx.ModelProto:
    """text [batch, 1] → tokens [batch, longest] padded with PAD, by the text blocks' Tokenizer."""
    builder = _Builder()
    builder.node("Reshape", ["text", builder.const_i64([-1])], ["flat"])
    _tokenizer_node(builder, "flat", "tokens", mode)
    return _model(builder, [_string_input("text")], [("tokens", TensorProto.STRING, [None, None])])


def build_feature_graph(columns: Sequence[ColumnPlan]) -> onnx.ModelProto:
    """One input per column (input_value_info) → the FEATURES_OUTPUT float32 matrix."""
    builder = _Builder()
    blocks = []
    for column_plan in columns:
        column = column_plan.column
        source = column.input_name
        if column.type.is_numeric:
            blocks.append(source)
        elif column.type is ColumnType.STRING:
            assert column_plan.category is not None
            blocks.append(_category_block(builder, source, column_plan.category))
        elif column.type is ColumnType.DATE:
            blocks.append(_date_block(builder, source))
        else:
            assert column_plan.text is not None
            blocks.append(_text_block(builder, source, column_plan.text))
    builder.node("Concat", blocks, [FEATURES_OUTPUT], axis=1)
    inputs = [input_value_info(column_plan.column) for column_plan in columns]
    width = sum(len(column_plan.feature_names) for column_plan in columns)
    return _model(builder, inputs, [(FEATURES_OUTPUT, TensorProto.FLOAT, ["batch", width])])


def _category_block(builder: _Builder, source: str, encoding: CategoryEncoding) -> str:
    # A LabelEncoder needs at least one key; "\0" never comes out of tensors.input_tensors.
    keys = list(encoding.categories) or [PAD]
    values = [float(code) for code in range(len(encoding.categories))] or [math.nan]
    return builder.node(
        "LabelEncoder",
        [source],
        domain="ai.onnx.ml",
        keys_strings=keys,
        values_floats=values,
        default_float=math.nan,
    )


def _date_block(builder: _Builder, source: str) -> str:
    """Civil-from-days (Howard Hinnant), in float64 so epoch seconds stay exact."""
    b = builder
    days = b.floor_div(source, 86400.0)
    seconds_of_day = b.sub(source, b.mul(days, b.const(86400.0)))
    hour = b.floor_div(seconds_of_day, 3600.0)
    shifted = b.add(days, b.const(3.0))  # 1970-01-01 was a Thursday (weekday 3)
    weekday = b.sub(shifted, b.mul(b.floor_div(shifted, 7.0), b.const(7.0)))
    z = b.add(days, b.const(719468.0))
    era = b.floor_div(z, 146097.0)
    doe = b.sub(z, b.mul(era, b.const(146097.0)))
    yoe_numerator = b.sub(
        b.add(b.sub(doe, b.floor_div(doe, 1460.0)), b.floor_div(doe, 36524.0)),
        b.floor_div(doe, 146096.0),
    )
    yoe = b.floor_div(yoe_numerator, 365.0)
    doy = b.sub(
        doe,
        b.sub(b.add(b.mul(yoe, b.const(365.0)), b.floor_div(yoe, 4.0)), b.floor_div(yoe, 100.0)),
    )
    mp = b.floor_div(b.add(b.mul(doy, b.const(5.0)), b.const(2.0)), 153.0)
    day = b.add(
        b.sub(doy, b.floor_div(b.add(b.mul(mp, b.const(153.0)), b.const(2.0)), 5.0)),
        b.const(1.0),
    )
    january_or_february = b.floor_div(mp, 10.0)
    month = b.sub(b.add(mp, b.const(3.0)), b.mul(january_or_february, b.const(12.0)))
    year = b.add(b.add(yoe, b.mul(era, b.const(400.0))), january_or_february)
    parts = {"year": year, "month": month, "day": day, "weekday": weekday, "hour": hour}
    joined = b.node("Concat", [parts[name] for name in DATE_PARTS], axis=1)
    return b.node("Cast", [joined], to=TensorProto.FLOAT)


def _tokenizer_node(builder: _Builder, source: str, output: str, mode: str) -> None:
    pattern = {"tokenexp": _WORD_PATTERN} if mode == "word" else {"separators": [""]}
    builder.node(
        "Tokenizer",
        [source],
        [output],
        domain="com.microsoft",
        mark=0,
        mincharnum=1,
        pad_value=PAD,
        **pattern,
    )


def _text_block(builder: _Builder, source: str, encoding: TextEncoding) -> str:
    b = builder
    flat = b.node("Reshape", [source, b.const_i64([-1])])
    tokens = b.name("tokens")
    _tokenizer_node(b, flat, tokens, encoding.mode)
    # 1 per real token, 0 per pad (string Equal needs opset 19).
    real = b.node(
        "LabelEncoder",
        [tokens],
        domain="ai.onnx.ml",
        keys_strings=[PAD],
        values_floats=[0.0],
        default_float=1.0,
    )
    count = b.node("ReduceSum", [real, b.const_i64([1])], keepdims=1)
    if not encoding.terms:
        return count
    if encoding.mode == "word":
        pool = [form for form, _ in encoding.forms]
        indexes = [index for _, index in encoding.forms]
        gram = 1
    else:
        pool = [char for term in encoding.terms for char in term]
        indexes = list(range(len(encoding.terms)))
        gram = 2
    tf = b.node(
        "TfIdfVectorizer",
        [tokens],
        mode="TF",
        min_gram_length=gram,
        max_gram_length=gram,
        # Where each gram length up to `gram` starts in the pool: it holds one length only, so at 0.
        ngram_counts=[0] * gram,
        max_skip_count=0,
        ngram_indexes=indexes,
        pool_strings=pool,
    )
    weighted = b.mul(tf, b.const(list(encoding.idf), TensorProto.FLOAT))
    norm = b.node("Sqrt", [b.node("ReduceSumSquare", [weighted], axes=[1], keepdims=1)])
    safe = b.node("Max", [norm, b.const(1e-12, TensorProto.FLOAT)])
    tfidf = b.div(weighted, safe)
    return b.node("Concat", [count, tfidf], axis=1)
