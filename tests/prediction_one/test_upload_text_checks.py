"""A training file whose quote never closes, or whose bytes are no Shift_JIS, is refused at the
upload with the contract's 400 and is not kept."""

from __future__ import annotations

import pytest

from tests.prediction_one.conftest import PREFIX
from tests.urls import path_of

BAD_REQUEST = {"code": 4001000204, "error": "PREDA_EXTERNAL_BAD_REQUEST"}


@pytest.mark.parametrize(
    "data, message",
    [
        (b'x,y\n1,a\n2,"b\n3,c\n4,d\n', 'line 3 opens a quoted field that is never closed: a closing " is missing'),
        (b"x,y\n1,a\n2,\x80\xff\n", "the file is neither UTF-8 nor Shift_JIS text"),
    ],
)
async def test_a_malformed_text_file_is_refused_and_not_kept(training_platform, data, message):
    platform = training_platform
    key = await platform.api_key("train")
    response = await platform.client.get(
        f"{PREFIX}/data-sets/upload-url", params={"extension": "csv"}, headers={"x-api-key": key}
    )
    urls = await response.json()
    put = await platform.client.put(path_of(urls["learn_data_set_upload_url"]), data=data)
    body = await put.json()
    assert put.status == 400, body
    assert body == {**BAD_REQUEST, "message": message}
    folder = platform.trainer_settings.data_dir / "artifacts"
    assert [path for path in folder.rglob("*") if path.is_file()] == []
