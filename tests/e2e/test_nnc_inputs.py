"""Every NNC input type end to end, through the gateway, Triton and back."""

from __future__ import annotations

import numpy as np
import pytest

from tests.e2e.models import channel_means_model, image_preprocessing
from tests.gateway.nnc.media import b64, dicom_file, image_file, pattern, wav_file
from tests.scheduler.onnx_models import affine_model, sum_and_argmax_model

H, W = 6, 5


def values(output: dict) -> list[float]:
    return [float(value) for value in output["data"].split(", ")]


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [
        ("png", "PNG"),
        ("jpg", "JPEG"),
        ("jpeg", "JPEG"),
        ("gif", "GIF"),
        ("bmp", "BMP"),
        ("tif", "TIFF"),
        ("tiff", "TIFF"),
    ],
)
async def test_each_image_type_reaches_the_model_as_chw_pixels(platform, kind, fmt):
    api = await platform.publish(
        channel_means_model(3, H, W), upload_fields={"preprocessing": image_preprocessing(3, H, W)}
    )
    pixels = pattern(H, W, 3)
    save = {"quality": 100, "subsampling": 0} if fmt == "JPEG" else {}
    status, body = await platform.infer(
        api, [{"name": "x", "type": kind, "data": b64(image_file(pixels, fmt, **save))}]
    )
    assert status == 200, body
    expected = pixels.reshape(-1, 3).mean(axis=0)
    # JPEG is lossy; GIF quantises colours to a palette. Both stay close to the source.
    tolerance = 0.01 if fmt in ("PNG", "BMP", "TIFF") else 6.0
    np.testing.assert_allclose(values(body["outputs"][0]), expected, atol=tolerance)


async def test_normalisation_from_the_models_metadata_is_applied(platform):
    preprocessing = image_preprocessing(1, H, W, mean=[0.5], std=[0.25])
    api = await platform.publish(channel_means_model(1, H, W), upload_fields={"preprocessing": preprocessing})
    pixels = pattern(H, W)
    status, body = await platform.infer(api, [{"name": "x", "type": "png", "data": b64(image_file(pixels))}])
    assert status == 200, body
    expected = ((pixels / 255.0 - 0.5) / 0.25).mean()
    np.testing.assert_allclose(values(body["outputs"][0]), [expected], rtol=1e-5)


async def test_a_mismatched_image_is_an_invalid_request_naming_both_sizes(platform):
    api = await platform.publish(
        channel_means_model(1, H, W), upload_fields={"preprocessing": image_preprocessing(1, H, W)}
    )
    status, body = await platform.infer(api, [{"name": "x", "type": "png", "data": b64(image_file(pattern(8, 8)))}])
    assert status == 400
    assert body["error"] == "INVALID_REQUEST" and body["message"].startswith("Invalid request")
    assert f"{W}x{H}" in body["message"] and "8x8" in body["message"]
    status, body = await platform.infer(api, [{"name": "x", "type": "png", "data": b64(image_file(pattern(H, W, 3)))}])
    assert status == 400 and "mono" in body["message"] and "colour" in body["message"]


async def test_dicom_and_wav_run_on_dedicated_apis_and_are_refused_by_serverless_ones(platform):
    dedicated = await platform.publish(
        channel_means_model(1, H, W),
        upload_fields={"preprocessing": image_preprocessing(1, H, W)},
        execution_type="dedicated",
    )
    pixels = pattern(H, W).astype(np.uint16) * 16
    status, body = await platform.infer(dedicated, [{"name": "x", "type": "dcm", "data": b64(dicom_file(pixels))}])
    assert status == 200, body
    np.testing.assert_allclose(values(body["outputs"][0]), [pixels.mean()], rtol=1e-5)

    audio = await platform.publish(affine_model(16, scale=1.0, bias=0.0), execution_type="dedicated")
    samples = np.arange(-8, 8, dtype=np.int16) * 1024
    status, body = await platform.infer(audio, [{"name": "x", "type": "wav", "data": b64(wav_file(samples))}])
    assert status == 200, body
    np.testing.assert_allclose(values(body["outputs"][0]), samples / 32768.0, rtol=1e-6)

    serverless = await platform.publish(affine_model(16, scale=1.0, bias=0.0))
    status, body = await platform.infer(serverless, [{"name": "x", "type": "wav", "data": b64(wav_file(samples))}])
    assert status == 400 and "serverless" in body["message"]


async def test_several_inputs_and_outputs_in_one_request(platform):
    api = await platform.publish(sum_and_argmax_model(3))
    status, body = await platform.infer(
        api,
        [
            {"name": "a", "type": "vector", "data": [1, 2, 3]},
            {"name": "b", "type": "vector", "data": [[0.5], [10], [-3]]},
        ],
    )
    assert status == 200, body
    assert body["outputs"] == [{"name": "s", "data": "1.5, 12.0, 0.0"}, {"name": "k", "data": "1"}]


async def test_vector_nestings_and_base64_without_line_breaks(platform):
    api = await platform.publish(affine_model(4, scale=1.0, bias=0.0))
    for data in ([5, 3.5, 1.3, 0.3], [[5], [3.5], [1.3], [0.3]], [[5, 3.5], [1.3, 0.3]]):
        status, body = await platform.infer(api, [{"name": "x", "type": "vector", "data": data}])
        assert status == 200 and values(body["outputs"][0]) == pytest.approx([5, 3.5, 1.3, 0.3], rel=1e-6)
    status, body = await platform.infer(api, [{"name": "x", "type": "vector", "data": [1, 2, 3]}])
    assert status == 400 and "expected 4 numbers" in body["message"]
