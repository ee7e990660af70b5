"""`report.html`: the one page of the result zip meant for people, not programs.

Whoever trained the model is often not a data scientist, so the page leads with a sentence in
plain words, explains every figure in one line, and shows pictures rather than tables of
numbers. It is a single self-contained file (inline CSS and SVG, no script, no URL, no web
font) so it opens offline, from a mail attachment, or printed, years later.

All figures on the charts come from `outcome.out_of_fold` (rows predicted by a model that did
not see them); the metrics table shows `outcome.metrics` as the trainer computed them.
Multiclass curves are one-vs-rest, one per class (at most `MAX_CLASS_CURVES`, the most common
classes, so the chart stays legible), with the macro-average AUC over all classes.
Every string that comes from the upload (model name, column names, labels, parameters) passes
through `html.escape`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from html import escape

import numpy as np

from services.tabular.schema import ProblemType
from services.trainer.learning.outcome import TrainingOutcome
from services.trainer.packaging.csv_files import ordered_metrics
from services.trainer.packaging.curves import ClassCurves, Curve, class_curves
from services.trainer.packaging.report_style import STYLE
from services.trainer.packaging.svg_charts import (
    PALETTE,
    Series,
    bar_chart,
    line_chart,
    progress_chart,
    scatter_chart,
)

MAX_CLASS_CURVES = len(PALETTE)
MAX_SCATTER_POINTS = 2000
MAX_IMPORTANCE_BARS = 20
SEARCH_ROWS = 30  # the search table's trials besides the default: a long search stays readable
_SEARCH_OUTCOME_KEYS = ("trial", "finished", "pruned", "validation_loss", "best_iteration", "seconds")
MAX_LISTED_COLUMNS = 60

_PROBLEM_NAMES = {
    ProblemType.BINARY_CLASSIFICATION: "Binary classification",
    ProblemType.MULTI_CLASSIFICATION: "Multiclass classification",
    ProblemType.REGRESSION: "Regression (predicting a number)",
}


def render_report(
    outcome: TrainingOutcome, *, model_name: str, created_at: datetime, trainer_seconds: float | None = None
) -> str:
    """The whole page as one HTML string. `trainer_seconds`: the whole job on the trainer (reading
    the data and exporting the model included), as opposed to the fitting alone."""
    classification = outcome.schema.problem_type.is_classification
    sections = [_summary(outcome), _metrics_section(outcome)]
    if classification:
        sections += [_curves_section(outcome), _confusion_section(outcome)]
    else:
        sections.append(_regression_section(outcome))
    sections += [_importance_section(outcome), _method_section(outcome, trainer_seconds)]
    subtitle = (
        f"Training report · {escape(_PROBLEM_NAMES[outcome.schema.problem_type])} of "
        f"{_quoted(outcome.schema.target_column)} · created {escape(_when(created_at))}"
    )
    title = escape(f"{model_name} — training report")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
        f'<header><h1>{escape(model_name)}</h1><p class="subtitle">{subtitle}</p></header>\n'
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )


# --- summary -------------------------------------------------------------------------------


def _summary(outcome: TrainingOutcome) -> str:
    """The sentence someone who reads nothing else should take away."""
    rows = len(outcome.out_of_fold) or outcome.training_rows
    target = _quoted(outcome.schema.target_column)
    unseen = f"On {rows:,} rows the model did not see while it was trained"
    metrics = outcome.metrics
    sentences: list[str] = []
    if outcome.schema.problem_type.is_classification:
        if _finite(metrics.get("accuracy")):
            sentences.append(f"{unseen}, it predicted {target} correctly {_percent(metrics['accuracy'])} of the time.")
        majority = _majority(outcome)
        if majority is not None:
            label, share = majority
            sentences.append(
                f"Always answering the most common value, {_quoted(label)}, "
                f"would be right {_percent(share)} of the time."
            )
        positive = outcome.schema.positive_class
        if (
            outcome.schema.problem_type is ProblemType.BINARY_CLASSIFICATION
            and positive
            and _finite(metrics.get("precision"))
            and _finite(metrics.get("recall"))
        ):
            sentences.append(
                f"When it answers {_quoted(positive)}, it is right {_percent(metrics['precision'])} of the time, "
                f"and it finds {_percent(metrics['recall'])} of the rows that really are {_quoted(positive)}."
            )
    else:
        if _finite(metrics.get("mae")):
            sentences.append(f"{unseen}, its predictions of {target} were off by {_number(metrics['mae'])} on average.")
        if _finite(metrics.get("r2")):
            sentences.append(
                f"It explains {_percent(max(metrics['r2'], 0.0), 0)} of the ups and downs of {target} "
                "(100% would be perfect; 0% is no better than always predicting the average)."
            )
    if not sentences:
        sentences.append(f"{unseen}: see the figures below.")
    return f'<section class="summary-section"><p class="summary">{" ".join(sentences)}</p></section>'


def _majority(outcome: TrainingOutcome) -> tuple[str, float] | None:
    labels = outcome.schema.class_labels
    totals = [sum(row) for row in outcome.confusion_matrix]
    if labels and len(totals) == len(labels) and sum(totals) > 0:
        best = max(range(len(totals)), key=lambda index: totals[index])
        return labels[best], totals[best] / sum(totals)
    counts = Counter(row.actual for row in outcome.out_of_fold)
    if counts:
        label, count = counts.most_common(1)[0]
        return label, count / sum(counts.values())
    return None


# --- metrics -------------------------------------------------------------------------------


def _metrics_section(outcome: TrainingOutcome) -> str:
    rows = []
    for name, value in ordered_metrics(outcome.metrics):
        title, explanation, shown = _describe_metric(name, value, outcome)
        rows.append(
            f'<tr><th scope="row">{title}</th><td class="num" data-metric="{escape(name)}">{shown}</td>'
            f"<td>{explanation}</td></tr>"
        )
    body = "".join(rows) or '<tr><td colspan="3">No figures were recorded.</td></tr>'
    return (
        "<section><h2>How good is the model?</h2>"
        f'<p class="note">Measured by {escape(outcome.validation)}: every row was predicted by a model '
        "trained without it.</p>"
        '<table class="metrics"><thead><tr><th>Figure</th><th>Value</th><th>What it means</th></tr></thead>'
        f"<tbody>{body}</tbody></table></section>"
    )


def _describe_metric(name: str, value: float, outcome: TrainingOutcome) -> tuple[str, str, str]:
    """(title, one-line explanation, formatted value), all already escaped."""
    binary = outcome.schema.problem_type is ProblemType.BINARY_CLASSIFICATION
    positive = _quoted(outcome.schema.positive_class) if binary and outcome.schema.positive_class else None
    averaged = "" if binary else " Averaged over the classes."
    if name == "auc":
        what = f"a {positive} row above any other row" if positive else "a row of a class above rows of other classes"
        extra = "" if binary else " Average of one-vs-rest scores."
        return "AUC", f"How well the model ranks {what}: 0.5 is guessing, 1.0 is perfect.{extra}", _fixed(value, 3)
    if name == "accuracy":
        return "Accuracy", "Share of rows predicted correctly.", _percent(value)
    if name == "precision":
        subject = f"rows predicted {positive}" if positive else "the rows predicted as a class"
        return "Precision", f"Of {subject}, the share that really are.{averaged}", _percent(value)
    if name == "recall":
        subject = f"the rows that really are {positive}" if positive else "the rows of a class"
        return "Recall", f"Of {subject}, the share the model finds.{averaged}", _percent(value)
    if name == "f1":
        return (
            "F1 score",
            f"Precision and recall in one figure (their harmonic mean); 100% is perfect.{averaged}",
            _percent(value),
        )
    if name == "log_loss":
        return (
            "Log loss",
            "How well the predicted probabilities fit what happened: lower is better, 0 is perfect.",
            _fixed(value, 4),
        )
    if name == "rmse":
        return (
            "RMSE",
            "Typical size of an error in the target's own unit, counting large errors extra. Lower is better.",
            _number(value),
        )
    if name == "mae":
        return "MAE", "Average size of an error in the target's own unit. Lower is better.", _number(value)
    if name == "r2":
        return (
            "R²",
            "Share of the target's variation the model explains: 1 is perfect, 0 is no better than the average.",
            _fixed(value, 3),
        )
    return escape(name), "", _number(value)


# --- classification ------------------------------------------------------------------------


def _curves_section(outcome: TrainingOutcome) -> str:
    schema = outcome.schema
    labels = schema.class_labels
    binary = schema.problem_type is ProblemType.BINARY_CLASSIFICATION
    positive = _positive_label(schema.positive_class, labels) if binary else ""
    curves = class_curves(outcome.out_of_fold, labels, only=[positive] if binary else None)
    heading = "<h2>How well does it separate the classes?</h2>"
    if not curves.roc:
        return (
            f'<section>{heading}<p class="note">No curves: the out-of-fold rows carry no probabilities, '
            "or every row has the same class.</p></section>"
        )
    if binary:
        return f"<section>{heading}{_binary_curves(curves, positive)}</section>"
    return f"<section>{heading}{_multiclass_curves(curves, len(labels))}</section>"


def _positive_label(positive: str, labels: Sequence[str]) -> str:
    """The schema's positive class; else the label of probabilities[:, 1], as the model has it."""
    if positive in labels or not labels:
        return positive
    return labels[min(1, len(labels) - 1)]


def _binary_curves(curves: ClassCurves, positive: str) -> str:
    roc, pr = curves.roc[0], curves.pr[0]
    name = _quoted(positive)
    prevalence = roc.positives / roc.rows
    roc_chart = line_chart(
        [Series(positive, roc.x, roc.y, PALETTE[0])],
        description=f"ROC curve for {positive}",
        x_label=f"Share of other rows wrongly flagged as {_shorten_plain(positive)}",
        y_label=f"Share of {_shorten_plain(positive)} rows found",
        reference=((0.0, 0.0), (1.0, 1.0)),
    )
    pr_chart = line_chart(
        [Series(positive, pr.x, pr.y, PALETTE[0])],
        description=f"Precision-recall curve for {positive}",
        x_label=f"Recall: share of {_shorten_plain(positive)} rows found",
        y_label="Precision: share of flagged rows that are right",
        reference=((0.0, prevalence), (1.0, prevalence)),
    )
    return (
        '<div class="charts">'
        f"<figure>{roc_chart}<figcaption>"
        f'<p class="figure-value">ROC curve · AUC <strong data-figure="roc_auc">{_fixed(roc.area, 3)}</strong></p>'
        f"<p>Each point is one cut-off for answering {name}: how many real {name} rows it catches (up) "
        "against how many other rows it wrongly flags (right). The closer the curve hugs the top-left "
        "corner, the better; the dashed diagonal is guessing.</p></figcaption></figure>"
        f"<figure>{pr_chart}<figcaption>"
        f'<p class="figure-value">Precision-recall curve · average precision '
        f'<strong data-figure="average_precision">{_fixed(pr.area, 3)}</strong></p>'
        f"<p>How trustworthy an answer of {name} stays (up) as the model is made to catch more of them "
        f"(right). The dashed line is the share of {name} rows, {_percent(prevalence)}: what guessing gets.</p>"
        "</figcaption></figure></div>"
    )


def _multiclass_curves(curves: ClassCurves, class_count: int) -> str:
    drawn_roc = sorted(curves.roc, key=lambda curve: -curve.positives)[:MAX_CLASS_CURVES]
    keep = {curve.label for curve in drawn_roc}
    drawn_roc = [curve for curve in curves.roc if curve.label in keep]
    drawn_pr = [curve for curve in curves.pr if curve.label in keep]
    colors = {curve.label: PALETTE[index] for index, curve in enumerate(drawn_roc)}
    roc_chart = line_chart(
        [Series(curve.label, curve.x, curve.y, colors[curve.label]) for curve in drawn_roc],
        description="One-vs-rest ROC curves, one per class",
        x_label="Share of other rows wrongly given the class",
        y_label="Share of the class's rows found",
        reference=((0.0, 0.0), (1.0, 1.0)),
    )
    pr_chart = line_chart(
        [Series(curve.label, curve.x, curve.y, colors[curve.label]) for curve in drawn_pr],
        description="One-vs-rest precision-recall curves, one per class",
        x_label="Recall: share of the class's rows found",
        y_label="Precision: share of answers that are right",
    )
    omitted = class_count - len(drawn_roc)
    note = (
        f'<p class="note">{omitted:,} of the {class_count:,} classes are not drawn: the least common, '
        "and any class that has no rows or holds every row. The macro-average AUC covers every class "
        "that has rows of its own and of others.</p>"
        if omitted
        else ""
    )
    return (
        '<div class="charts">'
        f"<figure>{roc_chart}{_legend(drawn_roc, colors, 'AUC')}<figcaption>"
        f'<p class="figure-value">ROC curves · macro-average AUC '
        f'<strong data-figure="roc_auc">{_fixed(curves.macro_auc, 3)}</strong></p>'
        "<p>One curve per class, that class against all others: how many of its rows the model catches "
        "(up) against how many other rows it wrongly gives that class (right). Curves near the top-left "
        "corner are good; the dashed diagonal is guessing.</p></figcaption></figure>"
        f"<figure>{pr_chart}{_legend(drawn_pr, colors, 'AP')}<figcaption>"
        '<p class="figure-value">Precision-recall curves</p>'
        "<p>For each class: how trustworthy an answer of that class stays (up) as the model is made to "
        "catch more of its rows (right). AP, average precision, sums the curve up: 1 is perfect.</p>"
        f"</figcaption></figure></div>{note}"
    )


def _legend(curves: Sequence[Curve], colors: dict[str, str], area_name: str) -> str:
    items = "".join(
        f'<li><span class="swatch" style="background:{colors[curve.label]}"></span>'
        f'{escape(curve.label)} <span class="muted">{area_name} {_fixed(curve.area, 3)}</span></li>'
        for curve in curves
    )
    return f'<ul class="legend">{items}</ul>'


def _confusion_section(outcome: TrainingOutcome) -> str:
    """Counts shaded by their share of the actual class: correct cells blue, mistakes red."""
    labels = outcome.schema.class_labels
    matrix = outcome.confusion_matrix
    heading = "<h2>Which answers does it confuse?</h2>"
    if not labels or len(matrix) != len(labels):
        return f'<section>{heading}<p class="note">No confusion matrix was recorded.</p></section>'
    head = "".join(f'<th scope="col">{escape(label)}</th>' for label in labels)
    body = []
    for actual_index, (label, counts) in enumerate(zip(labels, matrix)):
        total = sum(counts)
        cells = []
        for predicted_index, count in enumerate(counts):
            share = count / total if total else 0.0
            correct_cell = predicted_index == actual_index
            # Mistakes are rarer than hits, so their shade rises faster to stay visible.
            strength = share if correct_cell else min(share * 1.6, 1.0)
            background = _blend((78, 121, 167) if correct_cell else (225, 87, 89), strength)
            ink = "#fff" if strength > 0.55 else "#222"
            cells.append(
                f'<td style="background:{background};color:{ink}">{count:,}'
                f'<span class="share">{_percent(share)}</span></td>'
            )
        correct = counts[actual_index] / total if total and actual_index < len(counts) else 0.0
        body.append(
            f'<tr><th scope="row">{escape(label)}</th>{"".join(cells)}'
            f'<td class="total">{total:,}</td><td class="total">{_percent(correct)}</td></tr>'
        )
    table = (
        '<div class="scroll"><table class="confusion"><thead>'
        f'<tr><th class="corner">actual ↓ · predicted →</th>{head}<th>rows</th><th>found</th></tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
    )
    return (
        f"<section>{heading}<p>Each row is what {_quoted(outcome.schema.target_column)} really was; each "
        "column is what the model answered. The diagonal holds the correct answers (blue); the darker a "
        "red cell, the more often the model mixes those two up. Percentages are of the row.</p>"
        f"{table}</section>"
    )


# --- regression ----------------------------------------------------------------------------


def _regression_section(outcome: TrainingOutcome) -> str:
    pairs = [(row.row_number, _to_float(row.actual), _to_float(row.predicted)) for row in outcome.out_of_fold]
    pairs = [(number, a, p) for number, a, p in pairs if math.isfinite(a) and math.isfinite(p)]
    heading = "<h2>How close are the predictions?</h2>"
    if not pairs:
        return f'<section>{heading}<p class="note">No out-of-fold predictions were recorded.</p></section>'
    numbers = np.array([number for number, _, _ in pairs])
    actual = np.array([a for _, a, _ in pairs])
    predicted = np.array([p for _, _, p in pairs])
    shown = np.arange(actual.size)
    if actual.size > MAX_SCATTER_POINTS:
        shown = np.sort(np.random.default_rng(0).choice(actual.size, MAX_SCATTER_POINTS, replace=False))
    target = outcome.schema.target_column
    chart = scatter_chart(
        actual[shown].tolist(),
        predicted[shown].tolist(),
        description=f"Predicted against actual {target}",
        x_label=f"Actual {_shorten_plain(target)}",
        y_label=f"Predicted {_shorten_plain(target)}",
    )
    sample = f" It shows a random {shown.size:,} of the {actual.size:,} rows." if shown.size < actual.size else ""
    return (
        f'<section>{heading}<div class="charts">'
        f'<figure class="scatter">{chart}<figcaption><p class="figure-value">Predicted against actual</p>'
        "<p>Each dot is one row. Dots on the dashed line were predicted exactly; the further a dot sits "
        f"above it, the more the prediction was too high, below it too low.{sample}</p></figcaption></figure>"
        f"<div>{_residual_table(numbers, actual, predicted)}</div></div></section>"
    )


def _residual_table(numbers: np.ndarray, actual: np.ndarray, predicted: np.ndarray) -> str:
    """The errors (predicted − actual) in a few sentences people can act on."""
    errors = predicted - actual
    absolute = np.abs(errors)
    bias = float(errors.mean())
    direction = "too high" if bias > 0 else "too low"
    highest = int(np.argmax(errors))
    lowest = int(np.argmin(errors))
    rows = [
        ("Average error (bias)", _number(bias), f"On average the predictions are {_number(abs(bias))} {direction}."),
        ("Typical error", _number(float(np.median(absolute))), "Half of the predictions are off by less than this."),
        (
            "9 in 10 within",
            _number(float(np.quantile(absolute, 0.9))),
            "90% of the predictions are off by less than this.",
        ),
        (
            "Largest over-prediction",
            _number(float(errors[highest])),
            f"Row {int(numbers[highest]):,}: predicted {_number(float(predicted[highest]))}, "
            f"actual {_number(float(actual[highest]))}.",
        ),
        (
            "Largest under-prediction",
            _number(float(errors[lowest])),
            f"Row {int(numbers[lowest]):,}: predicted {_number(float(predicted[lowest]))}, "
            f"actual {_number(float(actual[lowest]))}.",
        ),
    ]
    body = "".join(
        f'<tr><th scope="row">{title}</th><td class="num">{value}</td><td>{text}</td></tr>'
        for title, value, text in rows
    )
    return (
        '<h3>The errors</h3><p class="note">Error = predicted − actual, over every out-of-fold row.</p>'
        f'<table class="metrics residuals"><tbody>{body}</tbody></table>'
    )


# --- importance and method -----------------------------------------------------------------


def _importance_section(outcome: TrainingOutcome) -> str:
    heading = "<h2>Which columns matter most?</h2>"
    ranked = sorted(outcome.importance, key=lambda item: -item.gain)
    if not ranked:
        return f'<section>{heading}<p class="note">No column importance was recorded.</p></section>'
    shown = ranked[:MAX_IMPORTANCE_BARS]
    chart = bar_chart(
        [(item.column, item.share, _percent(item.share)) for item in shown],
        description="Share of the model's decisions each column contributes to",
    )
    rest = ranked[MAX_IMPORTANCE_BARS:]
    more = (
        f'<p class="note">{len(rest):,} more columns share the remaining '
        f"{_percent(sum(item.share for item in rest))}; analysis_summary.csv lists them all.</p>"
        if rest
        else ""
    )
    return (
        f"<section>{heading}<p>How much each column helped the model's decisions (its share of the "
        "total gain, LightGBM's measure). It shows what the model relies on, not cause and effect.</p>"
        f'<figure class="wide">{chart}</figure>{more}</section>'
    )


def _method_section(outcome: TrainingOutcome, trainer_seconds: float | None) -> str:
    schema = outcome.schema
    names = [column.name for column in schema.columns]
    listed = ", ".join(escape(name) for name in names[:MAX_LISTED_COLUMNS])
    if len(names) > MAX_LISTED_COLUMNS:
        listed += f" and {len(names) - MAX_LISTED_COLUMNS:,} more"
    facts = [
        ("Problem", escape(_PROBLEM_NAMES[schema.problem_type])),
        ("Target column", escape(schema.target_column)),
    ]
    if schema.problem_type.is_classification:
        facts.append(("Classes", escape(", ".join(schema.class_labels))))
    if schema.positive_class:
        facts.append(("Positive class", escape(schema.positive_class)))
    facts += [
        ("Validation", escape(outcome.validation)),
        ("Training rows", f"{outcome.training_rows:,}"),
        ("Fitting time", escape(_duration(outcome.training_seconds)) + " (search, validation, refit)"),
        *(
            [
                (
                    "Time on the trainer",
                    escape(_duration(trainer_seconds)) + " (data read to model exported; not the queue)",
                )
            ]
            if trainer_seconds is not None
            else []
        ),
        (f"Input columns ({len(names):,})", listed or "none"),
    ]
    fact_rows = "".join(f'<tr><th scope="row">{title}</th><td>{value}</td></tr>' for title, value in facts)
    parameters = "".join(
        f'<tr><th scope="row">{escape(name)}</th><td>{escape(_parameter(value))}</td></tr>'
        for name, value in sorted(outcome.chosen_parameters.items())
        if name not in ("search", "search_summary")  # their own table below, not a Python dict in a cell
    )
    parameter_table = (
        f'<h3>Chosen parameters</h3><p class="note">The configuration the search kept.</p>'
        f'<table class="facts parameters"><tbody>{parameters}</tbody></table>'
        if parameters
        else ""
    )
    searched = _search_table(outcome.chosen_parameters.get("search"), outcome.chosen_parameters.get("search_summary"))
    return (
        "<section><h2>How it was trained</h2>"
        f'<div class="columns"><div><table class="facts"><tbody>{fact_rows}</tbody></table></div>'
        f"<div>{parameter_table}</div></div>{searched}</section>"
    )


def _search_table(search: object, summary: object) -> str:
    """The default's and the chosen trial's validation loss, then the best trials in a table (at most
    SEARCH_ROWS, plus the default), best first."""
    if not isinstance(search, list) or not search:
        return ""
    numbered = [(int(tried.get("trial", position)), tried) for position, tried in enumerate(search)]
    chosen = summary.get("chosen_trial") if isinstance(summary, dict) else None
    ranked = sorted(numbered, key=lambda item: (*_search_rank(item[1]), item[0]))
    best = {number for number, _ in [item for item in ranked if item[0] != 0][:SEARCH_ROWS]}
    shown = [item for item in ranked if item[0] in best or item[0] == 0]
    names = sorted({key for tried in search for key in tried if key not in _SEARCH_OUTCOME_KEYS})
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in ["trial", *names])
    rows = []
    for number, tried in shown:
        label = f"{number} (default)" if number == 0 else f"{number} (chosen)" if number == chosen else str(number)
        cells = "".join(f"<td>{escape(_parameter(tried.get(name, '')))}</td>" for name in names)
        rows.append(f"<tr><td>{escape(label)}</td>{cells}<td>{escape(_search_result(tried))}</td></tr>")
    cut = "Best first. "
    if len(shown) < len(search):
        cut = f"The {len(shown) - 1} best of {len(search):,} trials and the default, best first. "
    return (
        f'<h3>Configurations tried</h3>{_search_summary(summary)}<p class="note">{cut}'
        f"Each trained on {escape(_judged_on(summary))} with early stopping; the chosen one is above.</p>"
        f'<table class="search"><thead><tr>{head}<th scope="col">result</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{_search_progress(search)}"
    )


def _search_progress(search: list) -> str:
    """The finished trials' validation loss over the search's time, with the best so far."""
    finished = [
        (float(tried["seconds"]), float(tried["validation_loss"]))
        for tried in search
        if isinstance(tried, dict)
        and tried.get("finished")
        and isinstance(tried.get("seconds"), (int, float))
        and isinstance(tried.get("validation_loss"), (int, float))
    ]
    if len(finished) < 2:
        return ""
    chart = progress_chart(
        [seconds for seconds, _ in finished],
        [loss for _, loss in finished],
        description="Validation loss of each finished trial by the time it ended; the line is the best so far",
        x_label="seconds into the search",
        y_label="validation loss",
    )
    return f'<h3>The search over time</h3><p class="note">Lower is better; the line is the best so far.</p>{chart}'


def _judged_on(summary: object) -> str:
    judged = summary.get("judged_on") if isinstance(summary, dict) else None
    if judged == "every fold of the first repeat":
        return "every validation fold of the first repeat (its loss: their mean)"
    return "every validation fold (its loss: their mean)" if judged == "every fold" else "the first validation split"


def _search_rank(tried: dict[str, object]) -> tuple[int, float]:
    """Finished trials by validation loss, then pruned ones by their loss so far, then those the budget stopped."""
    loss = tried.get("validation_loss")
    value = float(loss) if isinstance(loss, (int, float)) else math.inf
    if tried.get("finished"):
        return 0, value
    return (1, value) if tried.get("pruned") else (2, value)


def _search_result(tried: dict[str, object]) -> str:
    loss = _parameter(tried.get("validation_loss"))
    if tried.get("finished"):
        return f"validation loss {loss}, best at round {tried.get('best_iteration')}"
    if tried.get("pruned"):
        return f"pruned: behind the others (validation loss {loss} at round {tried.get('best_iteration')})"
    return "stopped by the time budget"


def _search_summary(summary: object) -> str:
    """One sentence: what the search cost and what it bought over the default."""
    if not isinstance(summary, dict) or "chosen_validation_loss" not in summary:
        return ""
    default, chosen = summary.get("default_validation_loss"), summary["chosen_validation_loss"]
    pruned = int(summary.get("pruned", 0))
    seconds = summary.get("seconds")
    spent = f" in {_duration(float(seconds))}" if isinstance(seconds, (int, float)) else ""
    return (
        f"<p>The search tried {int(summary.get('trials', 0)):,} configurations{escape(spent)}"
        f"{f' ({pruned:,} stopped early by the pruner)' if pruned else ''}. Validation loss: "
        f"<strong>{escape(_parameter(chosen))}</strong> for the chosen one "
        f"(trial {escape(str(summary.get('chosen_trial')))}), {escape(_parameter(default))} for the default "
        "configuration (trial 0); lower is better.</p>"
        f"{_ensemble_sentence(summary.get('ensemble'))}"
    )


def _ensemble_sentence(blended: object) -> str:
    """Which trials the final model blends, and what the blend bought out of fold."""
    if not isinstance(blended, dict) or not blended.get("members"):
        return ""
    weighted = [member for member in blended["members"] if member["weight"]]
    names = [member.get("name") or f"trial {member['trial']}" for member in weighted]
    if len(weighted) == 1:  # one runner-up (the linear model) beat the chosen configuration alone
        what = f"The final model is {names[0]} alone, as one tree ensemble, in place of the chosen configuration"
    else:
        listed = ", ".join(f"{name} ({float(member['weight']):.0%})" for name, member in zip(names, weighted))
        what = f"The final model blends {listed} into one tree ensemble"
    return (
        f"<p>{escape(what)}: out-of-fold loss "
        f"<strong>{escape(_parameter(blended.get('out_of_fold_loss')))}</strong> against "
        f"{escape(_parameter(blended.get('chosen_alone_out_of_fold_loss')))} for the chosen configuration alone.</p>"
    )


# --- formatting ----------------------------------------------------------------------------


def _quoted(text: str) -> str:
    return f"“{escape(text)}”"


def _shorten_plain(text: str, width: int = 24) -> str:
    """Unescaped (the chart escapes) and short enough for an axis title."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _percent(value: float, decimals: int = 1) -> str:
    return f"{value * 100:.{decimals}f}%" if math.isfinite(value) else "—"


def _fixed(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}" if math.isfinite(value) else "—"


def _number(value: float) -> str:
    """Readable at any scale: thousands separated, about four significant digits below that."""
    if not math.isfinite(value):
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _to_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _blend(color: tuple[int, int, int], amount: float) -> str:
    """`color` mixed into white; solid colors print the same in every browser, unlike alpha."""
    amount = min(max(amount, 0.0), 1.0) * 0.9 + (0.04 if amount > 0 else 0.0)
    r, g, b = (round(255 + (c - 255) * amount) for c in color)
    return f"#{r:02x}{g:02x}{b:02x}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} seconds"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _parameter(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _when(moment: datetime) -> str:
    text = moment.strftime("%Y-%m-%d %H:%M")
    zone = moment.strftime("%Z") if moment.tzinfo else ""
    return f"{text} {zone}".strip()
