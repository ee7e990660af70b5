from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

import numpy as np
from sklearn.metrics import roc_auc_score

from services.trainer.learning.outcome import Importance, OutOfFoldRow
from services.trainer.packaging.report_html import MAX_SCATTER_POINTS, render_report
from tests.trainer.packaging import outcomes
from tests.trainer.packaging.outcomes import HOSTILE

CREATED = datetime(2025, 3, 4, 5, 6, tzinfo=UTC)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class StrictParser(HTMLParser):
    """Records every tag and text; an end tag that does not close the open element is an error."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: Counter[str] = Counter()
        self.texts: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        self.attributes += [value or "" for _, value in attrs]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags[tag] += 1
        self.attributes += [value or "" for _, value in attrs]

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.texts.append(data)


def parsed(page: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    assert parser.errors == []
    assert parser.stack == [], "every element is closed"
    return parser


def render(outcome, name: str = "Model") -> str:
    return render_report(outcome, model_name=name, created_at=CREATED)


def shown_figure(page: str, name: str) -> str:
    [value] = re.findall(rf'data-figure="{name}">([^<]*)<', page)
    return value


def test_every_kind_of_page_is_well_formed_self_contained_and_has_charts():
    for outcome in (outcomes.binary(), outcomes.multiclass(), outcomes.regression(rows=50)):
        page = render(outcome)
        parser = parsed(page)
        assert page.startswith("<!DOCTYPE html>")
        assert parser.tags["svg"] >= 2
        assert parser.tags["script"] == 0
        lowered = page.lower()
        for forbidden in ("http://", "https://", "<script", "@import", "url("):
            assert forbidden not in lowered
        assert "@media print" in page


def test_user_strings_are_escaped_everywhere():
    outcome = outcomes.multiclass()
    page = render(outcome, name=HOSTILE)
    parser = parsed(page)
    assert parser.tags["b"] == 0, "a label never becomes markup"
    assert '<b>&"x' not in page
    assert "&lt;b&gt;&amp;&quot;x" in page
    text = "".join(parser.texts)
    # Heading, legend, confusion matrix, importance bar, method table: the label reads as written.
    assert text.count(HOSTILE) >= 5
    assert "犬" in text


def test_a_hostile_positive_class_stays_inside_its_attribute():
    outcome = outcomes.binary()
    rows = tuple(
        replace(
            row,
            actual=HOSTILE if row.actual == "yes" else row.actual,
            predicted=HOSTILE if row.predicted == "yes" else row.predicted,
        )
        for row in outcome.out_of_fold
    )
    schema = replace(outcome.schema, class_labels=("no", HOSTILE), positive_class=HOSTILE)
    parser = parsed(render(replace(outcome, schema=schema, out_of_fold=rows)))
    assert parser.tags["b"] == 0
    assert f"ROC curve for {HOSTILE}" in parser.attributes


def test_binary_auc_on_the_page_is_the_out_of_fold_auc_of_the_positive_class():
    outcome = outcomes.binary()
    truth = [row.actual == "yes" for row in outcome.out_of_fold]
    scores = [row.probabilities[1] for row in outcome.out_of_fold]
    assert shown_figure(render(outcome), "roc_auc") == f"{roc_auc_score(truth, scores):.3f}"


def test_binary_positive_class_decides_which_curve_is_drawn():
    outcome = outcomes.binary()
    flipped = replace(outcome, schema=replace(outcome.schema, positive_class="no"))
    truth = [row.actual == "no" for row in outcome.out_of_fold]
    scores = [row.probabilities[0] for row in outcome.out_of_fold]
    page = render(flipped)
    assert shown_figure(page, "roc_auc") == f"{roc_auc_score(truth, scores):.3f}"
    assert "finds 70.0% of the rows that really are “no”" in page


def test_multiclass_page_shows_macro_one_vs_rest_auc_and_a_legend_per_class():
    outcome = outcomes.multiclass()
    labels = outcome.schema.class_labels
    truth = [labels.index(row.actual) for row in outcome.out_of_fold]
    probabilities = np.array([row.probabilities for row in outcome.out_of_fold])
    expected = roc_auc_score(truth, probabilities, multi_class="ovr", average="macro")
    page = render(outcome)
    assert shown_figure(page, "roc_auc") == f"{expected:.3f}"
    assert page.count("<polyline") == 2 * len(labels)
    assert page.count('class="swatch"') == 2 * len(labels)


def test_classification_summary_speaks_plainly_and_confusion_matrix_is_shaded():
    outcome = outcomes.binary()
    page = render(outcome)
    assert "it predicted “解約” correctly 87.5% of the time" in page
    [[no_no, no_yes], [yes_no, yes_yes]] = outcome.confusion_matrix
    assert f"would be right {100 * (no_no + no_yes) / len(outcome.out_of_fold):.1f}% of the time" in page
    cells = re.findall(r'<td style="background:(#[0-9a-f]{6});color:#[0-9a-f]{3}">([\d,]+)<', page)
    assert [int(count) for _, count in cells] == [no_no, no_yes, yes_no, yes_yes]
    assert len({color for color, _ in cells}) == 4


def test_regression_page_has_a_sampled_scatter_and_residual_summary_but_no_curves():
    outcome = outcomes.regression(rows=3000)
    page = render(outcome)
    parsed(page)
    assert page.count("<circle") == MAX_SCATTER_POINTS
    assert "Predicted against actual" in page
    assert "random 2,000 of the 3,000 rows" in page
    errors = [float(r.predicted) - float(r.actual) for r in outcome.out_of_fold]
    assert "Largest over-prediction" in page and "Typical error" in page
    worst = max(range(len(errors)), key=errors.__getitem__)
    assert f"Row {outcome.out_of_fold[worst].row_number:,}:" in page
    assert "data-figure" not in page and "<polyline" not in page
    assert "off by 16,000 on average" in page


def test_small_regression_draws_every_row():
    page = render(outcomes.regression(rows=40))
    assert page.count("<circle") == 40
    assert "random" not in page


def test_pages_without_out_of_fold_rows_still_render():
    for outcome in (outcomes.binary(), outcomes.multiclass(), outcomes.regression(rows=5)):
        page = render(replace(outcome, out_of_fold=(), importance=()))
        parsed(page)
        assert "No column importance was recorded" in page


def test_many_classes_draw_the_most_common_ten_and_many_columns_the_top_twenty():
    rng = np.random.default_rng(9)
    labels = tuple(f"class {i}" for i in range(12))
    truth = rng.integers(0, 12, 600)
    truth[truth == 11] = 0  # the last class has no rows of its own: no curve, not in the macro AUC
    probabilities = rng.dirichlet(np.ones(12), 600)
    rows = tuple(
        OutOfFoldRow(i + 1, labels[t], labels[int(np.argmax(p))], tuple(float(v) for v in p))
        for i, (t, p) in enumerate(zip(truth, probabilities))
    )
    base = outcomes.multiclass()
    outcome = replace(
        base,
        schema=replace(base.schema, class_labels=labels),
        out_of_fold=rows,
        confusion_matrix=tuple(tuple(0 for _ in labels) for _ in labels),
        importance=tuple(Importance(f"col {i}", 30.0 - i, (30.0 - i) / 435) for i in range(30)),
    )
    page = render(outcome)
    parsed(page)
    assert page.count("<polyline") == 2 * 10
    assert "2 of the 12 classes are not drawn" in page
    present = sorted(set(truth.tolist()))
    expected = np.mean([roc_auc_score(truth == k, probabilities[:, k]) for k in present])
    assert shown_figure(page, "roc_auc") == f"{expected:.3f}"
    assert page.count("<rect") == 20 + 2  # bars, plus the two curve charts' frames
    assert "10 more columns share the remaining" in page


def test_the_search_is_a_table_and_both_times_are_named():
    search = [
        {"num_leaves": 7, "learning_rate": 0.3, "finished": True, "validation_loss": 0.41234, "best_iteration": 42},
        {"num_leaves": 63, "learning_rate": 0.0001, "finished": False},
    ]
    outcome = outcomes.binary()
    outcome = replace(outcome, chosen_parameters={**outcome.chosen_parameters, "search": search})
    page = render_report(outcome, model_name="Model", created_at=CREATED, trainer_seconds=75.0)
    parsed(page)
    assert "{'" not in page and "&#x27;finished&#x27;" not in page, "no Python dict in a cell"
    assert "Configurations tried" in page
    assert "validation loss 0.41234, best at round 42" in page and "stopped by the time budget" in page
    assert "Fitting time" in page and "Time on the trainer" in page and "1 min 15 s" in page
