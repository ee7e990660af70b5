"""The AutoML part of `make bench`: Torii's training against FLAML's on data sets that ship inside
installed packages (bench.automl_sets), each scored on the same held-out rows (bench.automl_scores).

For each set, Torii is driven over HTTP as a Prediction One client would (bench.prediction_one's
keys): the training part goes up as a CSV (upload URL, PUT), POST /v1/external/models trains it with
the default settings, the model is published as a classifier (POST /classifiers, for regression too:
Prediction One names every published model so), the held-out rows go to its inference URL in one
request, and the classifier is stopped and deleted again. FLAML's AutoML then fits the same
training CSV, read back with pandas, in this process, with the trainer's time budget
(TORII_TRAINING_TIME_BUDGET_S) and threads (TORII_TRAINING_THREADS) and a fixed seed, and predicts
the same held-out rows. The two never run at the same time.

`python -m bench.automl` runs this part alone on its own platform (bench.run's Platform).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import numpy as np
import pandas as pd

from bench import automl_scores as scores
from bench import load as machine_load
from bench import prediction_one as p1
from bench.automl_sets import SETS, DataSet, Task, held_out_split, load
from bench.prediction_one import json_answer
from services.trainer.settings import TrainerSettings

SEED = 0  # FLAML's seed (Torii's search has its own fixed seed)
RULE = "Torii's held-out score >= FLAML's - 1 bootstrap SE of the paired difference (Torii - FLAML)"
NOISY_CORES = 0.3  # CPU used beside a side's training, in cores, above which the row is flagged
PROBABILITY = "probability_"


class AutoMLError(Exception):
    """Torii answered something the flow did not expect for one data set (the message says what)."""


@dataclass(frozen=True)
class Budget:
    """What both sides get: the trainer's own settings, read from the same environment it reads."""

    seconds: float
    threads: int

    @classmethod
    def of_trainer(cls) -> Budget:
        settings = TrainerSettings()
        return cls(settings.training_time_budget_s, settings.training_threads)


@dataclass(frozen=True)
class Classifier:
    classifier_id: str
    url: str
    api_key: str  # the classifier's own key, for its inference URL
    deploy_key: str  # the deploy API key that created it, to stop and delete it


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode()


def training_config(data: DataSet) -> dict[str, str]:
    """Prediction One's config: the target, the problem type, its positive class; cv 0 = auto."""
    config = {"tc": data.target, "tt": data.task.problem_type, "cv": "0"}
    if data.task is Task.BINARY and data.positive is not None:
        config["tv"] = data.positive
    return config


# --- Torii, over HTTP ---------------------------------------------------------------------------


async def train(
    session: aiohttp.ClientSession,
    base: str,
    secret: str,
    data: bytes,
    config: dict[str, str],
    name: str,
    timeout_s: float,
    on_poll: Callable[[], None] = lambda: None,
) -> dict:
    """Upload `data`, train it with `config` (bench.prediction_one's flow); model_id and the seconds
    from GET upload-url to `finished`."""
    trained = await p1.train(session, base, secret, data, timeout_s, on_poll, config=config, name=name)
    return {"model_id": trained["model_id"], "seconds": trained["seconds"]}


async def publish(
    session: aiohttp.ClientSession, base: str, secret: str, model_id: int, timeout_s: float = 180.0
) -> Classifier:
    """POST /classifiers and wait until it is running (its URL may need a moment more: see predict)."""
    key = await p1.api_key(session, base, secret, "deploy")
    headers = {"x-api-key": key}
    async with session.post(f"{base}{p1.PREFIX}/classifiers", json={"model_id": model_id}, headers=headers) as answer:
        created = await json_answer(answer, "create the classifier")
    classifier_id = created["classifier_id"]
    deadline = time.monotonic() + timeout_s
    while True:
        async with session.get(f"{base}{p1.PREFIX}/classifiers/{classifier_id}", headers=headers) as answer:
            shown = (await json_answer(answer, "read the classifier"))["classifier"]
        if shown["status"] == "running":
            return Classifier(classifier_id, shown["url"], created["api_key"], key)
        if shown["status"] == "failed" or time.monotonic() > deadline:
            raise AutoMLError(f"the classifier stayed {shown['status']}: {shown.get('status_message')}")
        await asyncio.sleep(0.2)


async def predict(
    session: aiohttp.ClientSession, classifier: Classifier, features: bytes, timeout_s: float = 60.0
) -> pd.DataFrame:
    """All the held-out rows in one inference request; its prediction_valid.csv as a table.

    The gateway's catalog follows the registry's watch stream, so a just-running classifier's URL
    may answer 404 for a moment: asked again until it answers 200 or the time is up."""
    inputs = [
        {"name": "pr", "type": "csv", "data": base64.b64encode(features).decode()},
        {"name": "ar", "type": "boolean", "data": False},
        {"name": "ad", "type": "boolean", "data": False},
        {"name": "nc", "type": "boolean", "data": False},
    ]
    body = json.dumps({"inputs": inputs}).encode()
    headers = {"x-api-key": classifier.api_key, "content-type": "application/json"}
    deadline = time.monotonic() + timeout_s
    while True:
        async with session.post(classifier.url, data=body, headers=headers) as response:
            answer = await response.json(content_type=None)
        if response.status == 200:
            break
        if response.status not in (404, 503) or time.monotonic() > deadline:
            raise AutoMLError(f"the classifier's URL answers {response.status} {answer}")
        await asyncio.sleep(0.1)
    files = {item["name"]: base64.b64decode(item["data"]) for item in answer["outputs"]}
    return pd.read_csv(io.BytesIO(files["prediction_valid.csv"]), dtype={"prediction": str}, keep_default_na=False)


async def unpublish(session: aiohttp.ClientSession, base: str, classifier: Classifier) -> None:
    """Stop and delete the classifier, so that the sets' models do not pile up in Triton."""
    url, headers = f"{base}{p1.PREFIX}/classifiers/{classifier.classifier_id}", {"x-api-key": classifier.deploy_key}
    async with session.patch(url, json={"active": False}, headers=headers) as response:
        await json_answer(response, "stop the classifier")
    async with session.delete(url, headers=headers) as response:
        if response.status != 204:
            raise AutoMLError(f"could not delete the classifier: HTTP {response.status} {await response.text()}")


def torii_answer(task: Task, table: pd.DataFrame) -> scores.Answer:
    if task is Task.REGRESSION:
        return scores.Answer(values=table["prediction"].astype(float).to_numpy())
    columns = [column for column in table.columns if column.startswith(PROBABILITY)]
    probabilities = table[columns].astype(float).rename(columns=lambda column: column.removeprefix(PROBABILITY))
    return scores.Answer(probabilities=probabilities)


# --- FLAML, in this process -----------------------------------------------------------------------


def flaml_fit(task: Task, target: str, train_csv: bytes, features_csv: bytes, budget: Budget) -> dict:
    """FLAML's AutoML with its defaults (metric auto: ROC AUC, log loss, R²) on the training CSV."""
    from flaml import AutoML

    x = pd.read_csv(io.BytesIO(train_csv))
    y = x.pop(target)
    if task.is_classification:
        y = y.astype(str)
    held_out = pd.read_csv(io.BytesIO(features_csv))
    # catch_warnings below is not thread-safe (its filters are the process's), and one of sklearn's
    # warnings, issued per tree from joblib's workers, still flooded stderr (about 200 lines a run):
    # that one is dropped for good, and only that one.
    warnings.filterwarnings("ignore", message="`sklearn.utils.parallel.delayed` should be used", category=UserWarning)
    automl = AutoML()
    started, machine, own = time.monotonic(), machine_load.machine_cpu_seconds()[0], time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FLAML's and its learners' chatter; the scores tell what matters
        automl.fit(
            x,
            y,
            task="classification" if task.is_classification else "regression",
            time_budget=budget.seconds,
            n_jobs=budget.threads,
            seed=SEED,
            verbose=0,
        )
        seconds = time.monotonic() - started
        cores = {
            "flaml": (time.process_time() - own) / seconds,
            "machine": (machine_load.machine_cpu_seconds()[0] - machine) / seconds,
        }
        if task.is_classification:
            columns = [str(label) for label in automl.classes_]
            answer = scores.Answer(probabilities=pd.DataFrame(automl.predict_proba(held_out), columns=columns))
        else:
            answer = scores.Answer(values=np.asarray(automl.predict(held_out), dtype=float))
    cores["outside_flaml"] = cores["machine"] - cores["flaml"]  # Torii's idle services, and anything else
    return {
        "answer": answer,
        "seconds": round(seconds, 2),
        "best_estimator": automl.best_estimator,
        "cpu_cores": {name: round(value, 3) for name, value in cores.items()},
    }


# --- one set, and the part ------------------------------------------------------------------------


async def measure_set(
    session: aiohttp.ClientSession,
    base: str,
    secret: str,
    data: DataSet,
    budget: Budget,
    groups: Callable[[], dict[str, list[int]]] | None,
) -> dict:
    training, held_out = held_out_split(data)
    train_csv, features_csv = csv_bytes(training), csv_bytes(held_out.drop(columns=[data.target]))
    row: dict = {
        "set": data.name,
        "task": str(data.task),
        "source": data.source,
        "rows": len(data.frame),
        "train_rows": len(training),
        "held_out_rows": len(held_out),
        "features": len(data.features),
        "categorical": data.categorical,
        "missing_cells": data.missing_cells,
        "metric": scores.primary_name(data.task),
        "secondary_metric": scores.secondary_name(data.task),
        "config": training_config(data),
    }
    watch = p1.CpuWatch(groups) if groups is not None else None
    try:
        trained = await train(
            session,
            base,
            secret,
            train_csv,
            row["config"],
            f"bench-automl-{data.name}",
            timeout_s=budget.seconds * 10 + 120,
            on_poll=watch.sample if watch is not None else lambda: None,
        )
        cores = watch.cores() if watch is not None else {}
        classifier = await publish(session, base, secret, trained["model_id"])
        try:
            torii = torii_answer(data.task, await predict(session, classifier, features_csv))
        finally:
            await unpublish(session, base, classifier)
    except (AutoMLError, p1.PredictionOneError) as error:
        row.update(error=f"Torii: {error}", at_or_above=False)
        return row
    flaml = await asyncio.to_thread(flaml_fit, data.task, data.target, train_csv, features_csv, budget)
    compared = scores.compare(data.task, held_out[data.target], torii, flaml["answer"], data.positive)
    row.update(
        torii={
            "score": compared.torii,
            "se": compared.torii_se,
            "secondary": compared.torii_secondary,
            "seconds": trained["seconds"],
            "model_id": trained["model_id"],
            "cpu_cores": {k: cores[k] for k in ("trainer", "torii", "machine", "outside_torii") if k in cores},
        },
        flaml={
            "score": compared.flaml,
            "se": compared.flaml_se,
            "secondary": compared.flaml_secondary,
            "seconds": flaml["seconds"],
            "best_estimator": flaml["best_estimator"],
            "cpu_cores": flaml["cpu_cores"],
        },
        difference_se=compared.difference_se,
        relative=compared.relative,
        at_or_above=compared.at_or_above,
    )
    return row


async def run(
    base: str,
    secret: str,
    names: list[str],
    groups: Callable[[], dict[str, list[int]]] | None = None,
) -> dict:
    """Every named set in turn, Torii then FLAML; prints each row as it comes and the table at the end.
    `groups`: Torii's processes by role (bench.run.process_groups), to show the CPU beside training."""
    budget = Budget.of_trainer()
    started = time.monotonic()
    print(
        f"\nAutoML: {len(names)} data sets, Torii vs FLAML, {budget.seconds:g} s budget and {budget.threads} threads "
        f"each, held out {', '.join(names)}",
        flush=True,
    )
    rows = []
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=300)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for name in names:
            row = await measure_set(session, base, secret, load(name), budget, groups)
            print(row_line(row), flush=True)
            rows.append(row)
    scored = [row for row in rows if "error" not in row]
    part = {
        "budget_s": budget.seconds,
        "threads": budget.threads,
        "flaml_seed": SEED,
        "resamples": scores.RESAMPLES,
        "rule": RULE,
        "sets_at_or_above_flaml": sum(bool(row["at_or_above"]) for row in rows),
        "mean_rel_vs_flaml": float(np.mean([row["relative"] for row in scored])) if scored else float("nan"),
        "wall_s": round(time.monotonic() - started, 1),
        "rows": rows,
    }
    print("\n" + "\n".join(table_lines(part)), flush=True)
    return part


HEADER = (
    f"{'set':<14} {'task':<10} {'rows':>5}  {'metric':<8} {'Torii':>15} {'FLAML':>15} {'diff SE':>7}  "
    f"{'Torii s':>7} {'FLAML s':>7}  {'2nd metric':<10} {'Torii':>8} {'FLAML':>8}  verdict"
)


def row_line(row: dict) -> str:
    lead = f"{row['set']:<14} {row['task']:<10} {row['rows']:>5}  {row['metric']:<8}"
    if "error" in row:
        return f"{lead} {row['error']}"
    torii, flaml = row["torii"], row["flaml"]
    verdict = "at/above" if row["at_or_above"] else "BELOW"
    line = (
        f"{lead} {torii['score']:>7.4f} ± {torii['se']:.4f} {flaml['score']:>7.4f} ± {flaml['se']:.4f} "
        f"{row['difference_se']:>7.4f}  {torii['seconds']:>7.1f} {flaml['seconds']:>7.1f}  "
        f"{row['secondary_metric']:<10} {torii['secondary']:>8.4g} {flaml['secondary']:>8.4g}  {verdict}"
    )
    noise = [
        f"{cores:.2f} cores used outside {who} while it trained"
        for who, cores in (
            ("Torii", torii["cpu_cores"].get("outside_torii", 0.0)),
            ("FLAML", flaml["cpu_cores"]["outside_flaml"]),
        )
        if cores > NOISY_CORES
    ]
    return line + (f"  (warning: {'; '.join(noise)})" if noise else "")


def table_lines(part: dict) -> list[str]:
    lines = [HEADER, *(row_line(row) for row in part["rows"])]
    lines.append(
        f"Torii at or above FLAML on {part['sets_at_or_above_flaml']} of {len(part['rows'])} sets ({part['rule']}); "
        f"mean (Torii - FLAML) / |FLAML| {part['mean_rel_vs_flaml']:+.4f}; the part took {part['wall_s']} s"
    )
    return lines


def set_names(text: str) -> list[str]:
    """`--automl-sets`: comma-separated names of bench.automl_sets.SETS (all of them when empty)."""
    names = [name.strip() for name in text.split(",") if name.strip()] or list(SETS)
    unknown = [name for name in names if name not in SETS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown data set(s) {', '.join(unknown)}; known: {', '.join(SETS)}")
    return names


# --- python -m bench.automl -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.automl", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sets", type=set_names, default=list(SETS), help=f"comma-separated (default all: {','.join(SETS)})"
    )
    parser.add_argument(
        "--budget-s",
        type=float,
        default=None,
        help="TORII_TRAINING_TIME_BUDGET_S for the platform, and FLAML's time_budget (default: the setting's own)",
    )
    parser.add_argument("--log-level", default=os.environ.get("TORII_LOG_LEVEL", "info"), help="the services' level")
    parser.add_argument("--output", type=Path, default=None, help="also write the part's results as JSON to FILE")
    args = parser.parse_args(argv)
    if args.budget_s is not None and args.budget_s <= 0:
        parser.error("--budget-s must be positive")
    return args


async def standalone(args: argparse.Namespace) -> dict:
    from bench.run import Platform, process_groups

    if args.budget_s is not None:  # the platform's services inherit this process's environment
        os.environ["TORII_TRAINING_TIME_BUDGET_S"] = str(args.budget_s)
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)  # stop the platform, as on Ctrl-C
    data_dir = Path(tempfile.mkdtemp(prefix="torii-bench-automl-"))
    platform = Platform(data_dir, None, args.log_level)
    try:
        print(f"Starting Torii in {data_dir} ...", flush=True)
        await platform.start()
        return await run(platform.gateway_url, platform.token, args.sets, lambda: process_groups(platform.pid))
    finally:
        await platform.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    from bench.run import BenchError

    args = parse_args(argv)
    try:
        part = asyncio.run(standalone(args))
    except BenchError as error:
        print(f"bench.automl: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("bench.automl: interrupted", file=sys.stderr)
        return 130
    if args.output is not None:
        args.output.write_text(json.dumps(part, indent=2) + "\n")
        print(f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
