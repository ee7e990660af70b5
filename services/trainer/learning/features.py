"""The preprocessing plan: input tensors → float32 feature matrix, as an ONNX graph.

The plan is fitted on the training tensors (services.tabular.tensors) and then exists only as
an ONNX graph: the training feature matrix is computed by running that graph with onnxruntime,
and the same graph is the front of the exported model, so training and serving cannot disagree.

Per column type:
- INTEGER / FLOAT: the value itself; NaN stays NaN (LightGBM learns where missing values go).
- STRING (categorical): an ai.onnx.ml LabelEncoder maps each category seen in training (most
  frequent first, at most MAX_CATEGORIES) to 0, 1, 2, ...; anything else — "" (missing), a
  category first seen at prediction time, a rare category past the cap — maps to NaN. The
  codes are LightGBM categorical features (`categorical_features`): onnxmltools turns
  LightGBM's category-set splits into chains of BRANCH_EQ nodes, and NaN falls through to the
  same side as in LightGBM (the "not in the set" branch), which the tests check.
- DATE (float64 epoch seconds, UTC): year, month, day, weekday (Monday 0) and hour, computed in
  float64 with Floor/Div arithmetic (Howard Hinnant's civil-from-days); NaN propagates.
- TEXT: the number of tokens plus L2-normalised TF-IDF over at most MAX_TERMS terms (document
  frequency ≥ 2, most frequent first) counted by com.microsoft Tokenizer + ai.onnx
  TfIdfVectorizer. A column whose letters and digits are ≥ 20% CJK (Japanese rarely has
  spaces) uses character bigrams of adjacent letters/digits; other text uses word tokens (runs
  of Unicode letters and digits), matched case-insensitively by listing the case variants seen
  in training plus lower/UPPER/Capitalised forms (ONNX's StringNormalizer would lower-case, but
  needs an OS locale that serving hosts may lack). The nodes are built here rather than taken
  from skl2onnx's TfidfVectorizer converter so that unspaced text gets bigrams and the
  vocabulary is picked from the very tokens the graph's Tokenizer produces.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

from services.tabular.column_types import ColumnType
from services.tabular.schema import InputColumn
from services.trainer.learning.config import ConfigError

FEATURES_OUTPUT = "features"
ONNX_OPSETS = {"": 17, "ai.onnx.ml": 3, "com.microsoft": 1}
MAX_CATEGORIES = 255
MAX_TERMS = 100
MIN_DOCUMENT_FREQUENCY = 2
# Texts read to pick a vocabulary: plenty to rank 100 terms, bounded at 100k-row uploads.
VOCABULARY_SAMPLE = 20_000
DATE_PARTS = ("year", "month", "day", "weekday", "hour")

_PAD = "\x00"  # Tokenizer padding; never part of a vocabulary term
_WORD_PATTERN = r"[\p{L}\p{N}]+"  # re2 syntax, as onnxruntime's Tokenizer reads it
_CJK_SHARE_FOR_BIGRAMS = 0.2
# Rows per onnxruntime call when a text column is present: token tensors are padded to the
# longest text of the call, so long texts go in small batches (see `_chunks`).
_TOKEN_CELLS_PER_RUN = 2_000_000


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


@dataclass(frozen=True)
class FeaturePlan:
    columns: tuple[ColumnPlan, ...]
    # The onnxruntime session, built on the first transform (a list: the dataclass is frozen).
    _session: list[ort.InferenceSession] = field(default_factory=list, compare=False, repr=False)

    @property
    def input_columns(self) -> tuple[InputColumn, ...]:
        return tuple(plan.column for plan in self.columns)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(name for plan in self.columns for name in plan.feature_names)

    @property
    def feature_columns(self) -> tuple[int, ...]:
        """Per feature, the index (in input_columns) of the column it is made from."""
        return tuple(index for index, plan in enumerate(self.columns) for _ in plan.feature_names)

    @property
    def categorical_features(self) -> tuple[int, ...]:
        """Feature indices that LightGBM should treat as categorical."""
        out, offset = [], 0
        for plan in self.columns:
            if plan.column.type is ColumnType.STRING:
                out.append(offset)
            offset += len(plan.feature_names)
        return tuple(out)

    def graph(self) -> onnx.ModelProto:
        return _build_graph(self)

    def transform(self, tensors: Mapping[str, np.ndarray], *, num_threads: int = 2) -> np.ndarray:
        """The feature matrix, by running the graph (what serving runs)."""
        feeds = {plan.column.input_name: tensors[plan.column.input_name] for plan in self.columns}
        rows = len(next(iter(feeds.values())))
        if rows == 0:  # string ops mis-shape empty batches
            return np.zeros((0, len(self.feature_names)), dtype=np.float32)
        if not self._session:
            self._session.append(_session(self.graph(), num_threads))
        session = self._session[0]
        texts = [feeds[p.column.input_name] for p in self.columns if p.column.type is ColumnType.TEXT]
        if not texts:
            return session.run([FEATURES_OUTPUT], feeds)[0]
        out = np.empty((rows, len(self.feature_names)), dtype=np.float32)
        for index in _chunks(texts, rows):
            part = {name: array[index] for name, array in feeds.items()}
            out[index] = session.run([FEATURES_OUTPUT], part)[0]
        return out


class FeatureError(ConfigError):
    """The column types do not fit the data (user-facing message)."""


def select_columns(header: Sequence[str], types: Mapping[str, ColumnType], target: str) -> tuple[InputColumn, ...]:
    """The model's input columns in CSV order: typed, not IGNORE, not the target.

    Columns absent from `types` are not used; a type for a column the CSV lacks is an error.
    """
    unknown = [name for name in types if name not in header]
    if unknown:
        raise FeatureError(f"column types name columns the data lacks: {', '.join(unknown)}")
    seen: set[str] = set()
    columns: list[InputColumn] = []
    for name in header:
        kind = types.get(name)
        if name == target or name in seen or kind is None or kind is ColumnType.IGNORE:
            continue
        seen.add(name)
        columns.append(InputColumn(name=name, input_name=f"c{len(columns)}", type=kind))
    if not columns:
        raise FeatureError("no column to learn from: every column is the target or ignored")
    return tuple(columns)


def fit_features(columns: Sequence[InputColumn], tensors: Mapping[str, np.ndarray]) -> FeaturePlan:
    """Fit categories and vocabularies on the training tensors."""
    plans = []
    for column in columns:
        values = tensors[column.input_name]
        if column.type is ColumnType.STRING:
            plans.append(ColumnPlan(column, category=_fit_categories(values)))
        elif column.type is ColumnType.TEXT:
            plans.append(ColumnPlan(column, text=_fit_text(values)))
        else:
            plans.append(ColumnPlan(column))
    return FeaturePlan(tuple(plans))


# --- fitting -------------------------------------------------------------------------------


def _fit_categories(values: np.ndarray) -> CategoryEncoding:
    counts = Counter(values.ravel().tolist())
    counts.pop("", None)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return CategoryEncoding(tuple(name for name, _ in ranked[:MAX_CATEGORIES]))


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # hangul
        or 0xF900 <= code <= 0xFAFF
    )


def _fit_text(values: np.ndarray) -> TextEncoding:
    texts = [text for text in values.ravel().tolist() if text]
    if len(texts) > VOCABULARY_SAMPLE:
        step = len(texts) / VOCABULARY_SAMPLE
        texts = [texts[int(i * step)] for i in range(VOCABULARY_SAMPLE)]
    letters = [char for text in texts[:2000] for char in text if char.isalnum()]
    cjk = sum(1 for char in letters if _is_cjk(char))
    mode = "bigram" if letters and cjk / len(letters) >= _CJK_SHARE_FOR_BIGRAMS else "word"
    frequency: Counter[str] = Counter()  # documents per term
    surface: dict[str, Counter[str]] = {}
    for tokens in _tokenize(texts, mode):
        if mode == "word":
            terms = set()
            for token in tokens:
                term = token.lower()
                terms.add(term)
                surface.setdefault(term, Counter())[token] += 1
        else:
            terms = {a + b for a, b in zip(tokens, tokens[1:]) if a.isalnum() and b.isalnum()}
        frequency.update(terms)
    ranked = sorted(
        ((term, count) for term, count in frequency.items() if count >= MIN_DOCUMENT_FREQUENCY),
        key=lambda item: (-item[1], item[0]),
    )[:MAX_TERMS]
    documents = len(texts)
    terms = tuple(term for term, _ in ranked)
    idf = tuple(math.log((1 + documents) / (1 + count)) + 1.0 for _, count in ranked)
    forms: dict[str, int] = {}
    if mode == "word":
        for index, term in enumerate(terms):
            seen = [form for form, _ in surface[term].most_common(8)]
            for form in (*seen, term, term.upper(), term.capitalize()):
                if form and _PAD not in form:
                    forms.setdefault(form, index)
    return TextEncoding(mode=mode, terms=terms, idf=idf, forms=tuple(forms.items()))


def _tokenize(texts: list[str], mode: str):
    """Tokens per text, from the same Tokenizer node the graph uses."""
    builder = _Builder()
    builder.node("Reshape", ["text", builder.const_i64([-1])], ["flat"])
    _tokenizer_node(builder, "flat", "tokens", mode)
    model = _model(builder, [_string_input("text")], [("tokens", TensorProto.STRING, [None, None])])
    session = _session(model, 1)
    array = np.array(texts, dtype=object).reshape(-1, 1)
    lengths = [len(text) for text in texts]
    for index in _chunks_by_length(lengths, len(texts)):
        for row in session.run(["tokens"], {"text": array[index]})[0]:
            yield [token for token in row.tolist() if token != _PAD]


# --- graph ---------------------------------------------------------------------------------


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


def _session(model: onnx.ModelProto, num_threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = num_threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # shape-mismatch warnings from the string ops are noise
    return ort.InferenceSession(model.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"])


def _build_graph(plan: FeaturePlan) -> onnx.ModelProto:
    builder = _Builder()
    blocks = []
    for column_plan in plan.columns:
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
    inputs = [input_value_info(column) for column in plan.input_columns]
    width = len(plan.feature_names)
    return _model(builder, inputs, [(FEATURES_OUTPUT, TensorProto.FLOAT, ["batch", width])])


def _category_block(builder: _Builder, source: str, encoding: CategoryEncoding) -> str:
    # A LabelEncoder needs at least one key; "\0" never comes out of tensors.input_tensors.
    keys = list(encoding.categories) or [_PAD]
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
        pad_value=_PAD,
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
        keys_strings=[_PAD],
        values_floats=[0.0],
        default_float=1.0,
    )
    count = b.node("ReduceSum", [real, b.const_i64([1])], keepdims=1)
    if not encoding.terms:
        return count
    if encoding.mode == "word":
        pool = [form for form, _ in encoding.forms]
        indexes = [index for _, index in encoding.forms]
        grams = {"min_gram_length": 1, "max_gram_length": 1, "ngram_counts": [0]}
    else:
        pool = [char for term in encoding.terms for char in term]
        indexes = list(range(len(encoding.terms)))
        grams = {"min_gram_length": 2, "max_gram_length": 2, "ngram_counts": [0, 0]}
    tf = b.node(
        "TfIdfVectorizer",
        [tokens],
        mode="TF",
        max_skip_count=0,
        ngram_indexes=indexes,
        pool_strings=pool,
        **grams,
    )
    weighted = b.mul(tf, b.const(list(encoding.idf), TensorProto.FLOAT))
    norm = b.node("Sqrt", [b.node("ReduceSumSquare", [weighted], axes=[1], keepdims=1)])
    safe = b.node("Max", [norm, b.const(1e-12, TensorProto.FLOAT)])
    tfidf = b.div(weighted, safe)
    return b.node("Concat", [count, tfidf], axis=1)


# --- batching for long texts ---------------------------------------------------------------


def _chunks(texts: list[np.ndarray], rows: int):
    """Row-index arrays covering all rows, each run padding at most ~_TOKEN_CELLS_PER_RUN tokens."""
    lengths = np.zeros(rows, dtype=np.int64)
    for array in texts:
        lengths = np.maximum(lengths, np.fromiter((len(t) for t in array.ravel()), np.int64, rows))
    return _chunks_by_length(lengths.tolist(), rows)


def _chunks_by_length(lengths: Sequence[int], rows: int):
    # Characters bound tokens from above, so sorting by length keeps padding small.
    order = np.argsort(np.asarray(lengths, dtype=np.int64), kind="stable")
    start = 0
    while start < rows:
        stop = start + 1
        while stop < rows:
            longest = max(int(lengths[order[stop]]), 1)  # ascending: the chunk's longest
            if (stop - start + 1) * longest > _TOKEN_CELLS_PER_RUN:
                break
            stop += 1
        yield np.sort(order[start:stop])
        start = stop
