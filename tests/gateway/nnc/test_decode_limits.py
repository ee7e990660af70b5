"""What an image or DICOM file may decode to: sizes come from the header and are checked against
the input's pixel budget before any pixel is decoded; pixels are float32 from the decoder on."""

from __future__ import annotations

import numpy as np
from PIL import Image

from services.gateway.nnc.decoding import decode_inputs
from services.gateway.nnc.dicom import read_dicom
from services.gateway.nnc.images import read_image
from services.gateway.nnc.limits import DEFAULT_MAX_PIXELS, DecodeLimits
from services.gateway.nnc.pixels import ImageSpec, normalise
from tests.gateway.nnc.media import (
    b64,
    deflated,
    dicom_claiming,
    dicom_file,
    image_file,
    multi_frame_dicom,
    pattern,
    png_claiming,
)
from tests.gateway.nnc.test_decoding import DCM, MONO_28, RAW, entry, model, refused, tensor

ANY_SIZE = model(tensor("x", [-1, 1, -1, -1]))


def test_a_png_claiming_more_pixels_than_the_budget_is_refused_from_its_header():
    # The file holds 2x2 pixels: decoding it would fail as truncated, so the message shows that
    # the header's size was refused before any decoding (and before any 25 Mpx buffer).
    assert refused([entry("x", "png", b64(png_claiming(5000, 5000)))], ANY_SIZE) == (
        "input 'x': the image is 5000x5000 (width x height, 25000000 pixels); "
        f"this input takes at most {DEFAULT_MAX_PIXELS} pixels"
    )


def test_a_png_claiming_more_than_pillows_own_ceiling_gets_the_same_reason():
    assert refused([entry("x", "png", b64(png_claiming(20000, 20000)))], ANY_SIZE) == (
        f"input 'x': the image has more than {2 * Image.MAX_IMAGE_PIXELS} pixels; "
        f"this input takes at most {DEFAULT_MAX_PIXELS} pixels"
    )


def test_a_variable_size_takes_up_to_the_configured_budget():
    limits = DecodeLimits(max_pixels=100)
    x = decode_inputs([entry("x", "png", b64(image_file(pattern(10, 10))))], ANY_SIZE, limits=limits)["x"]
    assert x.shape == (1, 1, 10, 10)
    assert refused([entry("x", "png", b64(image_file(pattern(10, 11))))], ANY_SIZE, limits=limits) == (
        "input 'x': the image is 11x10 (width x height, 110 pixels); this input takes at most 100 pixels"
    )
    five_high = model(tensor("x", [-1, 1, 5, -1]))
    assert decode_inputs([entry("x", "png", b64(image_file(pattern(5, 20))))], five_high, limits=limits)["x"].shape == (
        1,
        1,
        5,
        20,
    )
    assert "at most 100 pixels" in refused(
        [entry("x", "png", b64(image_file(pattern(5, 21))))], five_high, limits=limits
    )


def test_a_fixed_size_is_its_own_budget_whatever_the_setting():
    limits = DecodeLimits(max_pixels=100)
    x = decode_inputs([entry("x", "png", b64(image_file(pattern(28, 28))))], MONO_28, limits=limits)["x"]
    assert x.shape == (1, 1, 28, 28)
    assert refused([entry("x", "png", b64(png_claiming(5000, 5000)))], MONO_28) == (
        "input 'x': expected a 28x28 image (width x height), received 5000x5000"
    )


def test_a_dicom_claiming_more_pixels_than_the_budget_is_refused_before_its_pixel_data():
    # The pixel data holds 2x2 pixels: touching it would fail as unreadable.
    huge = b64(dicom_claiming(60000, 60000))
    assert refused([entry("x", "dcm", huge)], ANY_SIZE) == (
        "input 'x': the image is 60000x60000 (width x height, 3600000000 pixels); "
        f"this input takes at most {DEFAULT_MAX_PIXELS} pixels"
    )
    assert refused([entry("x", "dcm", huge)], DCM) == (
        "input 'x': expected a 4x3 image (width x height), received 60000x60000"
    )


def test_a_deflated_dicom_may_not_inflate_past_the_bound():
    # 2 MiB of zero pixels deflate to a few kilobytes.
    bomb = deflated(dicom_file(np.zeros((1024, 1024), np.uint16)))
    assert len(bomb) < 16 * 1024
    assert refused([entry("x", "dcm", b64(bomb))], ANY_SIZE, limits=DecodeLimits(max_inflated_bytes=1024 * 1024)) == (
        "input 'x': the deflated DICOM data set inflates to more than 1048576 bytes, the most a request's file may hold"
    )
    roomy = DecodeLimits(max_inflated_bytes=4 * 1024 * 1024)
    x = decode_inputs([entry("x", "dcm", b64(bomb))], ANY_SIZE, limits=roomy)["x"]
    assert x.shape == (1, 1, 1024, 1024) and not x.any()


def test_a_deflated_dicom_within_the_bound_decodes_like_the_plain_one():
    x = decode_inputs([entry("x", "dcm", b64(deflated(dicom_file(RAW, slope=2, intercept=-10))))], DCM)["x"]
    np.testing.assert_array_equal(x[0, 0], RAW * 2.0 - 10)


def test_a_multi_frame_dicom_gives_its_first_frame():
    first, second = RAW, RAW[::-1].copy()
    x = decode_inputs([entry("x", "dcm", b64(multi_frame_dicom([first, second])))], DCM)["x"]
    np.testing.assert_array_equal(x[0, 0], first)


def test_pixels_are_float32_from_the_decoders_on():
    colour = ImageSpec(height=6, width=8, channels=3, mean=(0.5,), std=(0.25,))
    chw = read_image("x", image_file(pattern(6, 8, 3)), colour)
    assert chw.dtype == np.float32
    assert normalise(chw, colour, 255.0).dtype == np.float32
    pixels, _ = read_dicom("x", dicom_file(RAW, slope=2), ImageSpec(height=3, width=4, channels=1), 1 << 20)
    assert pixels.dtype == np.float32
