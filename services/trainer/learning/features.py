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
  needs an OS locale that serving hosts may lack). The nodes are built by feature_graph
  rather than taken from skl2onnx's TfidfVectorizer converter so that unspaced text gets
  bigrams and the vocabulary is picked from the very tokens the graph's Tokenizer produces.

Fitting (categories, vocabularies) and running the plan are here; the graph is written by
feature_graph.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import onnx
import onnxruntime as ort

from services.tabular.column_types import ColumnType
from services.tabular.schema import InputColumn
from services.tabular.setting_words import escaped
from services.trainer.learning.config import ConfigError
from services.trainer.learning.feature_graph import (
    FEATURES_OUTPUT,
    PAD,
    CategoryEncoding,
    ColumnPlan,
    TextEncoding,
    build_feature_graph,
    onnx_session,
    tokenizer_model,
)

MAX_CATEGORIES = 255
MAX_TERMS = 100
MIN_DOCUMENT_FREQUENCY = 2
# Texts read to pick a vocabulary: plenty to rank 100 terms, bounded at 100k-row uploads.
VOCABULARY_SAMPLE = 20_000
_CJK_SHARE_FOR_BIGRAMS = 0.2
TOKEN_CELLS_PER_RUN = 2_000_000
"""With a text column, the most token cells (rows × the call's longest text) one onnxruntime call
pads to: token tensors are padded to the longest text of the call, so long texts go in small
batches (see `_chunks`)."""


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
        return build_feature_graph(self.columns)

    def transform(self, tensors: Mapping[str, np.ndarray], *, num_threads: int = 2) -> np.ndarray:
        """The feature matrix, by running the graph (what serving runs)."""
        feeds = {plan.column.input_name: tensors[plan.column.input_name] for plan in self.columns}
        rows = len(next(iter(feeds.values())))
        if rows == 0:  # string ops mis-shape empty batches
            return np.zeros((0, len(self.feature_names)), dtype=np.float32)
        if not self._session:
            self._session.append(onnx_session(self.graph(), num_threads))
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
        raise FeatureError(f"column types name columns the data lacks: {', '.join(escaped(name) for name in unknown)}")
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
            document_terms: set[str] = set()
            for token in tokens:
                term = token.lower()
                document_terms.add(term)
                surface.setdefault(term, Counter())[token] += 1
        else:
            document_terms = {a + b for a, b in zip(tokens, tokens[1:]) if a.isalnum() and b.isalnum()}
        frequency.update(document_terms)
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
                if form and PAD not in form:
                    forms.setdefault(form, index)
    return TextEncoding(mode=mode, terms=terms, idf=idf, forms=tuple(forms.items()))


def _tokenize(texts: list[str], mode: str):
    """Tokens per text, from the same Tokenizer node the graph uses."""
    session = onnx_session(tokenizer_model(mode), 1)
    array = np.array(texts, dtype=object).reshape(-1, 1)
    lengths = [len(text) for text in texts]
    for index in _chunks_by_length(lengths, len(texts)):
        for row in session.run(["tokens"], {"text": array[index]})[0]:
            yield [token for token in row.tolist() if token != PAD]


# --- batching for long texts ---------------------------------------------------------------


def _chunks(texts: list[np.ndarray], rows: int):
    """Row-index arrays covering all rows, each run padding at most ~TOKEN_CELLS_PER_RUN tokens."""
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
            if (stop - start + 1) * longest > TOKEN_CELLS_PER_RUN:
                break
            stop += 1
        yield np.sort(order[start:stop])
        start = stop
