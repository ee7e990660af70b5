"""One ONNX model = the preprocessing graph + the LightGBM trees, with what serving needs inside.

Outputs (services.tabular.schema): classification `probabilities` [batch, n_classes], regression
`prediction` [batch, 1], both float32, plus `features` [batch, n_features] so that
TabularPredictor gets the feature matrix for reasons from the same run. metadata_props carry the
booster as LightGBM model text, the feature names and their input columns, and the schema.

Thresholds: ONNX tree ensembles compare in float32 while LightGBM keeps float64 thresholds, so
a float32 feature equal to float32(threshold) can take different branches (measured: up to 1.0
probability difference on data with close values). Since every feature is float32, `x <= t`
equals `x <= t32` where t32 is the largest float32 not above t; the booster's thresholds are
rewritten to t32 before conversion, which leaves LightGBM's own predictions unchanged and makes
the ONNX trees exact. For splits whose feature had no missing values in training LightGBM reads
NaN as 0; the "default left" flag (unused by LightGBM there) is set to where 0 goes, which is
where onnxmltools then sends NaN.
"""

from __future__ import annotations

import json

import lightgbm as lgb
import numpy as np
import onnx
from onnx import TensorProto, helper
from onnxmltools import convert_lightgbm
from onnxmltools.convert.common.data_types import FloatTensorType

from services.tabular.column_types import ColumnType
from services.tabular.predictor import (
    METADATA_BOOSTER,
    METADATA_FEATURES,
    METADATA_SCHEMA,
)
from services.tabular.schema import (
    PREDICTION_OUTPUT,
    PROBABILITIES_OUTPUT,
    InputColumn,
    ProblemType,
    TabularSchema,
)
from services.trainer.learning.feature_graph import FEATURES_OUTPUT, ONNX_OPSETS
from services.trainer.learning.features import FeaturePlan

# onnxmltools' LightGBM converter supports up to this ai.onnx opset; its nodes are valid in ours.
_CONVERTER_OPSET = 15
_SUMMED_TREES = 25
_PREFIX = "lgbm_"

_CATEGORICAL = 1
_DEFAULT_LEFT = 2
_MISSING_TYPE_SHIFT = 2
_MISSING_NONE = 0


def schema_to_json(schema: TabularSchema) -> str:
    return json.dumps(
        {
            "problem_type": schema.problem_type.value,
            "target_column": schema.target_column,
            "columns": [{"name": c.name, "input_name": c.input_name, "type": c.type.value} for c in schema.columns],
            "class_labels": list(schema.class_labels),
            "positive_class": schema.positive_class,
            "time_series": schema.time_series,
        },
        ensure_ascii=False,
    )


def schema_from_json(text: str) -> TabularSchema:
    data = json.loads(text)
    return TabularSchema(
        problem_type=ProblemType(data["problem_type"]),
        target_column=data["target_column"],
        columns=tuple(
            InputColumn(name=c["name"], input_name=c["input_name"], type=ColumnType(c["type"])) for c in data["columns"]
        ),
        class_labels=tuple(data.get("class_labels", ())),
        positive_class=data.get("positive_class", ""),
        time_series=dict(data.get("time_series", {})),
    )


def float32_exact(booster: lgb.Booster) -> lgb.Booster:
    """The same model with thresholds that float32 ONNX trees read exactly (see module doc)."""
    lines = booster.model_to_string().split("\n")
    threshold_at = decision_at = -1
    for number, line in enumerate(lines):
        if line.startswith("Tree="):
            threshold_at = decision_at = -1
        elif line.startswith("threshold="):
            threshold_at = number
        elif line.startswith("decision_type="):
            decision_at = number
        elif line.startswith("end of trees"):
            break
        if threshold_at >= 0 and decision_at >= 0:
            lines[threshold_at], lines[decision_at] = _exact_splits(lines[threshold_at], lines[decision_at])
            threshold_at = decision_at = -1
    # tree_sizes gives each tree's byte length for parallel loading; the texts changed length.
    lines = [line for line in lines if not line.startswith("tree_sizes=")]
    return lgb.Booster(model_str="\n".join(lines))


def _exact_splits(threshold_line: str, decision_line: str) -> tuple[str, str]:
    values = threshold_line.split("=", 1)[1].split()
    kinds = [int(kind) for kind in decision_line.split("=", 1)[1].split()]
    for index, kind in enumerate(kinds):
        if kind & _CATEGORICAL:
            continue  # the threshold indexes the category bitset
        value = _floor32(float(values[index]))
        values[index] = repr(value)
        if (kind >> _MISSING_TYPE_SHIFT) & 3 == _MISSING_NONE:
            kinds[index] = (kind | _DEFAULT_LEFT) if value >= 0.0 else (kind & ~_DEFAULT_LEFT)
    return "threshold=" + " ".join(values), "decision_type=" + " ".join(map(str, kinds))


def _floor32(value: float) -> float:
    single = np.float32(value)
    if not np.isfinite(single):  # ±1e300 stand for "no bound"; float32 ±inf means the same
        return value
    if float(single) > value:
        single = np.nextafter(single, np.float32(-np.inf), dtype=np.float32)
    return float(single)


def export_model(plan: FeaturePlan, booster: lgb.Booster, schema: TabularSchema, *, offset_input: str = "") -> bytes:
    """The merged model's bytes; `booster` should come from float32_exact.

    `offset_input` (regression): the name of a float32 [batch, 1] input that the graph adds to
    the trees' output, `prediction = trees + offset` (time-series models learn the target minus
    their window mean, see timeseries_training).
    """
    preprocessing = plan.graph()
    n_features = len(plan.feature_names)
    # ONNX's tree ensemble sums its trees in float32; a searched regression model has hundreds, and
    # the sum drifted past export_check's tolerance (9.6e-5 near 0). In groups of _SUMMED_TREES, the
    # groups' sums are added in double (onnxmltools fails on a model of one group or less).
    regression = schema.problem_type is ProblemType.REGRESSION
    split = _SUMMED_TREES if regression and booster.num_trees() > _SUMMED_TREES else None
    trees = convert_lightgbm(
        booster,
        initial_types=[(FEATURES_OUTPUT, FloatTensorType([None, n_features]))],
        zipmap=False,
        target_opset=_CONVERTER_OPSET,
        split=split,
    )
    tree_graph = _prefixed(trees.graph, keep={FEATURES_OUTPUT})
    if schema.problem_type.is_classification:
        source, output, width = tree_graph.output[1].name, PROBABILITIES_OUTPUT, len(schema.class_labels)
    else:
        source, output, width = tree_graph.output[0].name, PREDICTION_OUTPUT, 1
    if offset_input:
        if schema.problem_type.is_classification:
            raise ValueError("an output offset applies to regression models only")
        if offset_input not in {value.name for value in preprocessing.graph.input}:
            raise ValueError(f"the offset {offset_input!r} is not an input of the model")
        final = helper.make_node("Add", [source, offset_input], [output], name="torii_output")
    else:
        final = helper.make_node("Identity", [source], [output], name="torii_output")
    graph = helper.make_graph(
        list(preprocessing.graph.node) + list(tree_graph.node) + [final],
        "torii_tabular",
        list(preprocessing.graph.input),
        [
            helper.make_tensor_value_info(output, TensorProto.FLOAT, ["batch", width]),
            helper.make_tensor_value_info(FEATURES_OUTPUT, TensorProto.FLOAT, ["batch", n_features]),
        ],
        initializer=list(preprocessing.graph.initializer) + list(tree_graph.initializer),
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid(domain, version) for domain, version in ONNX_OPSETS.items()],
        producer_name="torii",
    )
    model.ir_version = preprocessing.ir_version
    for key, value in _metadata(plan, booster, schema).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    return model.SerializeToString()


def _metadata(plan: FeaturePlan, booster: lgb.Booster, schema: TabularSchema) -> dict[str, str]:
    """What TabularPredictor reads back: the booster, each feature's name and column, the schema."""
    return {
        METADATA_BOOSTER: booster.model_to_string(),
        METADATA_FEATURES: json.dumps(
            {"names": list(plan.feature_names), "columns": list(plan.feature_columns)},
            ensure_ascii=False,
        ),
        METADATA_SCHEMA: schema_to_json(schema),
    }


def _prefixed(graph: onnx.GraphProto, keep: set[str]) -> onnx.GraphProto:
    """A copy with every node, edge and initializer name prefixed, except the names in `keep`."""

    def rename(name: str) -> str:
        return name if not name or name in keep else _PREFIX + name

    copy = onnx.GraphProto()
    copy.CopyFrom(graph)
    for node in copy.node:
        node.name = rename(node.name)
        node.input[:] = [rename(name) for name in node.input]
        node.output[:] = [rename(name) for name in node.output]
    for initializer in copy.initializer:
        initializer.name = rename(initializer.name)
    for value in list(copy.output) + list(copy.input) + list(copy.value_info):
        value.name = rename(value.name)
    return copy
