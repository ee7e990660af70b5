"""What a user reads of a failure is a plain reason: a training job that crashes, or a column
analysis whose file is gone, never shows the artifact store's file:// paths or gRPC's debug
text (the trainer's and the gateway's logs have them)."""

from __future__ import annotations

from tests.prediction_one.conftest import PREFIX, TrainingPlatform

CSV = b"x,y\n" + b"".join(f"{i},{'a' if i % 3 else 'b'}\n".encode() for i in range(60))
INTERNAL_TEXT = ("file://", "/artifacts/", "debug_error_string", "ipv4:", "127.0.0.1:")


def _assert_plain(message: str) -> None:
    for text in INTERNAL_TEXT:
        assert text not in message, message


def _lose_the_uploaded_files(platform: TrainingPlatform) -> None:
    """What an operator's mistake (or a disk fault) does: the data sets' files disappear."""
    folder = platform.trainer_settings.data_dir / "artifacts" / "datasets"
    files = list(folder.iterdir())
    assert files
    for path in files:
        path.unlink()


async def test_a_job_that_crashes_reports_a_plain_reason(training_platform):
    key = await training_platform.api_key()
    process_id = await training_platform.upload(key, CSV)
    _lose_the_uploaded_files(training_platform)
    await training_platform.train(key, process_id, {"tc": "y", "tt": "binary_classification", "tv": "a"})
    result = await training_platform.wait_for_result(key, process_id)
    assert result["status"] == "failed", result
    _assert_plain(result["message"])
    assert result["message"].startswith("training failed")


async def test_column_info_of_a_lost_file_gives_a_plain_reason(training_platform):
    key = await training_platform.api_key()
    process_id = await training_platform.upload(key, CSV)
    _lose_the_uploaded_files(training_platform)
    response = await training_platform.client.get(
        f"{PREFIX}/data-sets/column-info", params={"external_process_id": process_id}, headers={"x-api-key": key}
    )
    body = await response.json()
    assert response.status == 400, body
    assert body["code"] == 4001000204
    _assert_plain(body["message"])
