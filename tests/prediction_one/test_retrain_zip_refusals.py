"""A retrain zip that would blow up, is damaged, encrypted or compressed in a way that cannot be
read gets Prediction One's 400 through the real gateway and trainer, and leaves no file behind."""

from __future__ import annotations

import pytest

from tests.prediction_one.conftest import PREFIX, TrainingPlatform, start_trainer
from tests.prediction_one.retrain_zips import patched, zeros_csv, zipped
from tests.urls import path_of

BAD_REQUEST = {"code": 4001000204, "error": "PREDA_EXTERNAL_BAD_REQUEST"}
LIMIT = 8 << 20  # the trainer's data-set limit in these tests
SMALL = b"x,y\n" + b"".join(f"{i % 13},{(i % 13) * 2 + (i % 3)}\n".encode() for i in range(60))

BOMB = zeros_csv(LIMIT + 1024)  # deflates to about 9 KB: a small model of the 1.5 MB / 1.5 GiB one
REPETITIVE = zeros_csv(2 << 20)  # within the limit, but grows about 1,000 times
CASES = [
    (
        zipped({"train_src/big.csv": BOMB}),
        f"train_src/big.csv is {len(BOMB)} bytes unzipped, over the limit of {LIMIT} bytes",
    ),
    (zipped({"train_src/zeros.csv": REPETITIVE}), "train_src/zeros.csv unzips to "),
    (patched(zipped({"train_src/a.csv": SMALL}), crc=0x12345678), "train_src/a.csv: the zip is damaged (Bad CRC-32"),
    # Declares 1,000 bytes (within every limit) and holds 8 MiB: only 1,000 come out, failing the CRC.
    (patched(zipped({"train_src/big.csv": BOMB}), size=1000), "train_src/big.csv: the zip is damaged (Bad CRC-32"),
    (patched(zipped({"train_src/a.csv": SMALL}), flags=0x1), "train_src/a.csv is encrypted"),
    (patched(zipped({"train_src/a.csv": SMALL}), method=9), "train_src/a.csv is compressed with deflate64"),
    (zipped({"train_src/a.csv": SMALL})[:-30], "the upload is not a zip file"),
    (
        zipped({"train_src/a.csv": b'x,y\n1,2\n3,"4\n5,6\n'}),
        "train_src/a.csv: line 3 opens a quoted field that is never closed",
    ),
]


def _files(platform: TrainingPlatform) -> set:
    root = platform.trainer_settings.data_dir / "artifacts"
    return {path for path in root.rglob("*") if path.is_file()}


@pytest.fixture
async def platform(registry, start_gateway, tmp_path):
    trainer, settings = await start_trainer(registry, tmp_path, max_dataset_bytes=LIMIT)
    try:
        gateway = await start_gateway(trainer_address=f"127.0.0.1:{settings.trainer_port}")
        yield TrainingPlatform(gateway, trainer, settings)
    finally:
        await trainer.stop()


async def test_bad_retrain_zips_are_refused_and_leave_nothing(platform):
    client = platform.client
    train_key = await platform.api_key("train")
    process_id = await platform.upload(train_key, SMALL)
    await platform.train(train_key, process_id, {"tc": "y", "tt": "regression"})
    result = await platform.wait_for_result(train_key, process_id)
    assert result["status"] == "finished", result
    retrain_key = await platform.api_key("retrain", model_id=str(result["model_id"]))
    files_before = _files(platform)

    for data, message in CASES:
        response = await client.get(
            f"{PREFIX}/retrain_jobs/upload_url", params={"filename": "data.zip"}, headers={"x-api-key": retrain_key}
        )
        upload_url = (await response.json())["upload_url"]
        put = await client.put(path_of(upload_url), data=data)
        body = await put.json()
        assert put.status == 400, (message, body)
        assert {key: body[key] for key in ("code", "error")} == BAD_REQUEST, body
        assert body["message"].startswith(message), (message, body)
        assert _files(platform) == files_before, message

    # The limits leave an ordinary zip alone.
    response = await client.get(
        f"{PREFIX}/retrain_jobs/upload_url", params={"filename": "data.zip"}, headers={"x-api-key": retrain_key}
    )
    upload_url = (await response.json())["upload_url"]
    put = await client.put(path_of(upload_url), data=zipped({"train_src/learn.csv": SMALL, "eval_src/eval.csv": SMALL}))
    body = await put.json()
    assert put.status == 200, body
    assert body["data_count"] == 60 and body["column_count"] == 2, body
    assert len(_files(platform) - files_before) == 2
