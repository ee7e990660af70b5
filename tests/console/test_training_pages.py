"""Prediction One's training in the console: the jobs list with live progress and paging, one job's
page following its trainer without a reload, a failed job's reason, a finished job's result link and
model, the data sets and trained models, in English and Japanese.

The console's gateway has no trainer: jobs are made and driven through the registry's
TrainingRegistryService as Prediction One's routes and a trainer would (create, claim, report,
finish or fail), so nothing is trained for real.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.console.conftest import ConsolePage, Person, bearer_of, new_person
from tests.registry.training_helpers import queued_job, trained_version, training_stub
from torii.v1 import training_pb2
from torii.v1 import training_registry_service_pb2 as tr

# The console context's time zone (tests/console/conftest.py): dates must be shown in it.
VIEWER_ZONE = ZoneInfo("Asia/Tokyo")
# TRAINING_JOBS_PAGE_SIZE in static/pages/training.js.
JOBS_PER_PAGE = 10


@pytest.fixture
async def training(console: ConsolePage) -> AsyncIterator:
    async with training_stub(console.gateway.registry.address) as stub:
        yield stub


async def running_job(stub, owner: Person, model_name: str, percent: float) -> training_pb2.TrainingJob:
    """A job a trainer has claimed and reported on. Claims take the oldest queued job: call it with none queued."""
    job = await queued_job(stub, owner.user_id, model_name=model_name)
    claimed = (await stub.ClaimTrainingJob(tr.ClaimTrainingJobRequest(trainer_id="t1"))).job
    assert claimed.job_id == job.job_id
    await report(stub, job, phase="cross_validation", fold=1, percent=percent)
    return claimed


async def report(stub, job: training_pb2.TrainingJob, **progress) -> None:
    await stub.ReportTrainingProgress(
        tr.ReportTrainingProgressRequest(job_id=job.job_id, progress=training_pb2.TrainingProgress(**progress))
    )


async def failed_job(stub, owner: Person, model_name: str, message: str) -> training_pb2.TrainingJob:
    job = await running_job(stub, owner, model_name, percent=5.0)
    return (await stub.FailTrainingJob(tr.FailTrainingJobRequest(job_id=job.job_id, message=message))).job


def shown_in_viewer_zone(instant: datetime) -> str:
    """An instant as Chromium's Intl writes it for en-US, medium date and time, in the viewer's zone."""
    local = instant.astimezone(VIEWER_ZONE)
    hour = local.hour % 12 or 12
    return f"{local:%b} {local.day}, {local.year}, {hour}:{local:%M:%S} {'AM' if local.hour < 12 else 'PM'}"


def plain_spaces(text: str) -> str:
    # ICU puts a narrow no-break space before AM/PM.
    return text.replace("\u202f", " ").replace("\xa0", " ")


async def test_the_jobs_list_follows_progress_without_a_reload(console: ConsolePage, training):
    admin = await new_person(console.gateway)
    running = await running_job(training, admin, "runs", percent=10.0)
    failed = await failed_job(training, admin, "fails", "the target column churn has one value only")
    queued = await queued_job(training, admin.user_id, model_name="waits")
    await console.sign_in(admin)
    page = console.page
    await console.open("#/training")
    await page.get_by_role("heading", name="Training", exact=True).wait_for()
    assert "Prediction One" in await page.get_by_test_id("started-elsewhere").inner_text()

    rows = page.locator("[data-testid=training-jobs] tbody tr")
    await rows.nth(2).wait_for()
    # Newest first, as the registry lists them.
    assert [await rows.nth(i).get_attribute("data-job-id") for i in range(3)] == [
        queued.job_id,
        failed.job_id,
        running.job_id,
    ]
    for job, status in ((queued, "queued"), (failed, "failed"), (running, "running")):
        await page.locator(f"tr[data-job-id='{job.job_id}'] [data-status={status}]").wait_for()
    running_row = page.locator(f"tr[data-job-id='{running.job_id}']")
    assert await running_row.locator("[data-percent]").get_attribute("data-percent") == "10"
    assert await running_row.locator("[data-field=phase]").inner_text() == "cross_validation"
    assert await page.locator(f"tr[data-job-id='{queued.job_id}'] [data-field=elapsed]").inner_text() == "—"
    assert await page.get_by_test_id("result-link").count() == 0
    created = datetime.fromisoformat(
        (
            await (
                await console.gateway.client.get(f"/manage/v1/training-jobs/{queued.job_id}", headers=bearer_of(admin))
            ).json()
        )["job"]["created_at"].replace("Z", "+00:00")
    )
    queued_text = plain_spaces(await page.locator(f"tr[data-job-id='{queued.job_id}']").inner_text())
    assert shown_in_viewer_zone(created) in queued_text

    await report(training, running, phase="final_training", fold=0, percent=55.5)
    await running_row.locator("[data-percent='55.5']").wait_for()
    assert await running_row.locator("[data-field=phase]").inner_text() == "final_training"
    assert await page.get_by_test_id("training-jobs-pager").count() == 0
    console.assert_no_errors()


async def test_a_running_job_page_shows_live_progress_and_ticking_time(console: ConsolePage, training):
    admin = await new_person(console.gateway)
    job = await running_job(training, admin, "live", percent=20.0)
    await console.sign_in(admin)
    page = console.page
    await console.open(f"#/training/{job.job_id}")
    await page.get_by_role("heading", name="live", exact=True).wait_for()
    info = page.get_by_test_id("training-job-info")
    await info.locator("[data-field=status] [data-status=running]").wait_for()
    bar = page.get_by_test_id("training-progress")
    assert await bar.evaluate("bar => [bar.max, bar.value]") == [100, 20]
    assert await info.locator("[data-field=fold]").inner_text() == "1"

    # The elapsed time ticks between two reads.
    seconds = await info.locator("[data-seconds]").get_attribute("data-seconds")
    await info.locator(f"[data-seconds]:not([data-seconds='{seconds}'])").wait_for()

    await report(training, job, phase="cross_validation", fold=2, percent=72.5)
    await page.wait_for_function("() => document.querySelector('[data-testid=training-progress]').value === 72.5")
    assert await info.locator("[data-field=percent]").inner_text() == "72.5%"
    assert await info.locator("[data-field=fold]").inner_text() == "2"
    assert "has not finished" in await info.locator("[data-field=result]").inner_text()

    await training.FailTrainingJob(tr.FailTrainingJobRequest(job_id=job.job_id, message="worker ran out of memory"))
    await info.locator("[data-field=status] [data-status=failed]").wait_for()
    assert await info.locator("[data-field=message]").inner_text() == "worker ran out of memory"
    # An ended job's time stands still: its run, from its start to its end, as the gateway counts it.
    answer = await console.gateway.client.get(f"/manage/v1/training-jobs/{job.job_id}", headers=bearer_of(admin))
    elapsed = (await answer.json())["job"]["elapsed_seconds"]
    assert await info.locator("[data-seconds]").get_attribute("data-seconds") == str(int(elapsed))
    console.assert_no_errors()


async def test_a_failed_job_shows_why(console: ConsolePage, training):
    admin = await new_person(console.gateway)
    job = await failed_job(training, admin, "broken <b>model</b>", "column <i>y</i> is missing")
    await console.sign_in(admin)
    page = console.page
    await console.open("#/training")
    await page.get_by_role("link", name="broken <b>model</b>", exact=True).click()
    info = page.get_by_test_id("training-job-info")
    await info.locator("[data-field=status] [data-status=failed]").wait_for()
    assert await info.locator("[data-field=message]").inner_text() == "column <i>y</i> is missing"
    assert await page.get_by_test_id("result-link").count() == 0
    assert await info.locator("[data-field=job_id]").inner_text() == job.job_id
    console.assert_no_errors()


async def test_a_finished_job_links_its_result_and_its_model(console: ConsolePage, training):
    admin = await new_person(console.gateway)
    finished = await trained_version(training, admin.user_id, model_name="churn")
    job, version = finished.job, finished.model_version
    await console.sign_in(admin)
    page = console.page
    await console.open("#/training")
    row = page.locator(f"tr[data-job-id='{job.job_id}']")
    await row.locator("[data-status=finished]").wait_for()
    # The gateway has no trainer to stream the zip from: the link itself is what the console owns.
    result = f"/manage/v1/training-jobs/{job.job_id}/result"
    assert await row.get_by_test_id("result-link").get_attribute("href") == result
    assert await row.get_by_test_id("result-link").inner_text() == "Download result (zip)"
    model_row = page.locator(f"[data-testid=trained-models] tr[data-model-number='{version.number}']")
    await model_row.wait_for()
    assert await model_row.locator("[data-field=problem_type]").inner_text() == "Multi-class classification"
    assert await model_row.locator("[data-field=target_column]").inner_text() == "species"
    data_set = page.locator("[data-testid=data-sets] tbody tr").first
    assert await data_set.locator("[data-field=name]").inner_text() == "iris.csv"
    assert await data_set.locator("[data-field=data_count]").inner_text() == "150"

    await console.open(f"#/training/{job.job_id}")
    info = page.get_by_test_id("training-job-info")
    await info.locator("[data-field=status] [data-status=finished]").wait_for()
    assert await info.get_by_test_id("result-link").get_attribute("href") == result
    link = info.get_by_test_id("trained-model-link")
    await link.wait_for()
    assert await link.get_attribute("href") == f"#/models/{version.model_id}"
    assert await link.inner_text() == f"churn, version {version.version}"
    await link.click()
    await page.get_by_role("heading", name="churn", exact=True).wait_for()
    console.assert_no_errors()


async def test_jobs_page_by_page(console: ConsolePage, training):
    admin = await new_person(console.gateway)
    made = [await queued_job(training, admin.user_id, model_name=f"job {n}") for n in range(JOBS_PER_PAGE + 1)]
    await console.sign_in(admin)
    page = console.page
    await console.open("#/training")
    pager = page.get_by_test_id("training-jobs-pager")
    await pager.wait_for()
    rows = page.locator("[data-testid=training-jobs] tbody tr")
    assert await rows.count() == JOBS_PER_PAGE
    assert await pager.get_by_test_id("page-range").inner_text() == f"1–{JOBS_PER_PAGE} of {JOBS_PER_PAGE + 1}"
    await pager.get_by_role("button", name="Next").click()
    await pager.get_by_text(f"{JOBS_PER_PAGE + 1}–{JOBS_PER_PAGE + 1} of {JOBS_PER_PAGE + 1}").wait_for()
    assert await rows.count() == 1
    # Newest first: the oldest job is alone on the last page.
    assert await rows.first.get_attribute("data-job-id") == made[0].job_id
    await pager.get_by_role("button", name="Previous").click()
    await pager.get_by_text(f"1–{JOBS_PER_PAGE} of").wait_for()
    assert await rows.first.get_attribute("data-job-id") == made[-1].job_id
    console.assert_no_errors()


async def test_the_data_sets_page_and_an_unknown_job(console: ConsolePage, training):
    admin = await new_person(console.gateway)
    await queued_job(training, admin.user_id, model_name="with data")
    await console.sign_in(admin)
    page = console.page
    await console.open("#/data-sets")
    await page.get_by_role("heading", name="Data sets", exact=True).wait_for()
    row = page.locator("[data-testid=data-sets] tbody tr").first
    await row.wait_for()
    assert [await row.locator(f"[data-field={field}]").inner_text() for field in ("extension", "column_count")] == [
        "csv",
        "5",
    ]

    unknown = "00000000-0000-4000-8000-000000000000"
    await console.open(f"#/training/{unknown}")
    refusal = page.get_by_role("alert")
    await refusal.wait_for()
    answer = await console.gateway.client.get(f"/manage/v1/training-jobs/{unknown}", headers=bearer_of(admin))
    assert answer.status == 404
    assert (await answer.json())["error"]["message"] in await refusal.inner_text()
    console.assert_no_errors("status of 404")


async def test_the_training_page_in_japanese(console: ConsolePage, training):
    admin = await new_person(console.gateway)
    await queued_job(training, admin.user_id, model_name="jp")
    await console.sign_in(admin)
    page = console.page
    await console.open("#/training")
    await page.get_by_role("heading", name="Training", exact=True).wait_for()
    await page.get_by_test_id("language").select_option("ja")
    await page.get_by_role("heading", name="学習", exact=True).wait_for()
    await page.get_by_role("heading", name="学習ジョブ", exact=True).wait_for()
    assert await page.locator("nav [data-nav=training]").inner_text() == "学習"
    assert await page.locator("[data-status=queued]").inner_text() == "キュー待ち"
    assert "Prediction One" in await page.get_by_test_id("started-elsewhere").inner_text()
    console.assert_no_errors()
