"""decode_inputs: the request's inputs checked against the model and turned into tensors."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from services.gateway.nnc.decoding import SERVERLESS_TYPES, decode_inputs
from services.gateway.nnc.invalid_request import InvalidRequest
from services.gateway.nnc.tensors import numpy_dtype, triton_datatype
from tests.gateway.nnc.media import b64, dicom_file, image_file, multi_frame_file, palette_image, pattern, wav_file
from torii.v1 import models_pb2

FP32 = models_pb2.DATA_TYPE_FP32


def tensor(name: str, shape: list[int], data_type: int = FP32) -> models_pb2.TensorSpec:
    return models_pb2.TensorSpec(name=name, data_type=data_type, shape=shape)


def image_pre(name: str, height: int, width: int, channels: int, mean=(), std=()) -> models_pb2.ImagePreprocessing:
    return models_pb2.ImagePreprocessing(
        input_name=name, height=height, width=width, channels=channels, mean=list(mean), std=list(std)
    )


def model(
    *inputs: models_pb2.TensorSpec, images: tuple[models_pb2.ImagePreprocessing, ...] = ()
) -> models_pb2.ModelVersion:
    return models_pb2.ModelVersion(
        signature=models_pb2.Signature(inputs=list(inputs), outputs=[tensor("y", [-1, 3])]),
        preprocessing=models_pb2.Preprocessing(images=list(images)),
    )


def entry(name: str, kind: str, data: object) -> dict:
    return {"name": name, "type": kind, "data": data}


def refused(inputs: object, version: models_pb2.ModelVersion, **kwargs) -> str:
    with pytest.raises(InvalidRequest) as caught:
        decode_inputs(inputs, version, **kwargs)
    return caught.value.message


MONO_28 = model(tensor("x", [-1, 1, 28, 28]), images=(image_pre("x", 28, 28, 1),))
COLOUR_8x6 = model(tensor("x", [-1, 3, 6, 8]), images=(image_pre("x", 6, 8, 3),))


def blocks() -> np.ndarray:
    """An 8x6 colour image of four flat quadrants: few colours, so GIF keeps it exactly."""
    pixels = np.zeros((6, 8, 3), dtype=np.uint8)
    pixels[:3, :4] = (200, 30, 40)
    pixels[:3, 4:] = (10, 220, 90)
    pixels[3:, :4] = (60, 70, 250)
    pixels[3:, 4:] = (255, 255, 0)
    return pixels


# --- images -------------------------------------------------------------------------------

LOSSLESS = {"png": "PNG", "gif": "GIF", "bmp": "BMP", "tif": "TIFF", "tiff": "TIFF"}
ALL_IMAGE_FORMATS = {**LOSSLESS, "jpg": "JPEG", "jpeg": "JPEG"}


@pytest.mark.parametrize("kind", sorted(ALL_IMAGE_FORMATS))
def test_every_image_type_decodes_a_mono_image_in_chw(kind):
    pixels = pattern(28, 28)
    save = {"quality": 100} if ALL_IMAGE_FORMATS[kind] == "JPEG" else {}
    data = b64(image_file(pixels, ALL_IMAGE_FORMATS[kind], **save))
    x = decode_inputs([entry("x", kind, data)], MONO_28)["x"]
    assert x.shape == (1, 1, 28, 28) and x.dtype == np.float32
    tolerance = 0 if kind in LOSSLESS else 4
    np.testing.assert_allclose(x[0, 0], pixels.astype(np.float32), atol=tolerance)


@pytest.mark.parametrize("kind", sorted(ALL_IMAGE_FORMATS))
def test_every_image_type_decodes_a_colour_image_in_chw(kind):
    pixels = blocks()
    save = {"quality": 100, "subsampling": 0} if ALL_IMAGE_FORMATS[kind] == "JPEG" else {}
    data = b64(image_file(pixels, ALL_IMAGE_FORMATS[kind], **save))
    x = decode_inputs([entry("x", kind, data)], COLOUR_8x6)["x"]
    assert x.shape == (1, 3, 6, 8)
    tolerance = 0 if kind in LOSSLESS else 4
    np.testing.assert_allclose(x[0, :, 1, 1], [200, 30, 40], atol=tolerance)
    np.testing.assert_allclose(x[0, :, 4, 6], [255, 255, 0], atol=tolerance)
    if tolerance == 0:
        np.testing.assert_array_equal(x[0], pixels.transpose(2, 0, 1))


def test_the_type_is_case_insensitive_and_need_not_match_the_file_format():
    data = b64(image_file(pattern(28, 28), "PNG"))
    x = decode_inputs([entry("x", "JPG", data)], MONO_28)["x"]
    np.testing.assert_array_equal(x[0, 0], pattern(28, 28))


def test_base64_with_line_breaks_and_other_whitespace():
    data = b64(image_file(pattern(28, 28), "PNG"))
    assert "\n" in data.strip()  # encodebytes' 76-character lines
    spaced = "  " + data.replace("\n", "\r\n\t ") + " "
    x = decode_inputs([entry("x", "png", spaced)], MONO_28)["x"]
    np.testing.assert_array_equal(x[0, 0], pattern(28, 28))


def test_hwc_layout():
    version = model(tensor("x", [-1, 6, 8, 3]), images=(image_pre("x", 6, 8, 3),))
    x = decode_inputs([entry("x", "png", b64(image_file(blocks())))], version)["x"]
    assert x.shape == (1, 6, 8, 3)
    np.testing.assert_array_equal(x[0], blocks())


def test_hw_layout_for_mono():
    version = model(tensor("x", [-1, 28, 28]), images=(image_pre("x", 28, 28, 1),))
    x = decode_inputs([entry("x", "png", b64(image_file(pattern(28, 28))))], version)["x"]
    assert x.shape == (1, 28, 28)
    np.testing.assert_array_equal(x[0], pattern(28, 28))


def test_any_other_shape_of_the_right_size_gets_chw_order():
    version = model(tensor("x", [-1, 144]), images=(image_pre("x", 6, 8, 3),))
    x = decode_inputs([entry("x", "png", b64(image_file(blocks())))], version)["x"]
    assert x.shape == (1, 144)
    np.testing.assert_array_equal(x[0], blocks().transpose(2, 0, 1).reshape(-1))


def test_a_shape_that_cannot_hold_the_image_is_refused():
    version = model(tensor("x", [-1, 100]), images=(image_pre("x", 6, 8, 3),))
    message = refused([entry("x", "png", b64(image_file(blocks())))], version)
    assert message.startswith("input 'x': the image gives 144 values (3x6x8")


def test_normalisation_per_channel():
    mean, std = (0.5, 0.25, 0.0), (0.5, 0.25, 1.0)
    version = model(tensor("x", [-1, 3, 6, 8]), images=(image_pre("x", 6, 8, 3, mean, std),))
    x = decode_inputs([entry("x", "png", b64(image_file(blocks())))], version)["x"]
    expected = [(200 / 255 - 0.5) / 0.5, (30 / 255 - 0.25) / 0.25, 40 / 255]
    np.testing.assert_allclose(x[0, :, 0, 0], expected, rtol=1e-6)
    np.testing.assert_allclose(x[0, :, 5, 7], [(1 - 0.5) / 0.5, (1 - 0.25) / 0.25, 0.0], rtol=1e-6, atol=1e-7)


def test_one_mean_and_std_apply_to_every_channel():
    version = model(tensor("x", [-1, 3, 6, 8]), images=(image_pre("x", 6, 8, 3, (0.5,), (0.5,)),))
    x = decode_inputs([entry("x", "png", b64(image_file(blocks())))], version)["x"]
    np.testing.assert_allclose(x[0, :, 5, 7], [1.0, 1.0, -1.0], rtol=1e-6)


def test_wrong_size_names_expected_and_received_width_by_height():
    message = refused([entry("x", "png", b64(image_file(pattern(32, 32))))], MONO_28)
    assert message == "input 'x': expected a 28x28 image (width x height), received 32x32"
    message = refused([entry("x", "png", b64(image_file(pattern(8, 6, 3))))], COLOUR_8x6)
    assert message == "input 'x': expected a 8x6 image (width x height), received 6x8"


def test_a_colour_image_for_a_mono_model_is_refused():
    message = refused([entry("x", "png", b64(image_file(pattern(28, 28, 3))))], MONO_28)
    assert message == "input 'x': expected a mono (1-channel) image, received a colour image (mode RGB)"


def test_a_mono_image_for_a_colour_model_is_refused():
    message = refused([entry("x", "png", b64(image_file(pattern(6, 8))))], COLOUR_8x6)
    assert message == "input 'x': expected a colour (3-channel) image, received a mono image (mode L)"


def test_rgba_drops_the_alpha():
    rgba = np.concatenate([blocks(), np.full((6, 8, 1), 7, dtype=np.uint8)], axis=2)
    x = decode_inputs([entry("x", "png", b64(image_file(rgba)))], COLOUR_8x6)["x"]
    np.testing.assert_array_equal(x[0], blocks().transpose(2, 0, 1))


def test_a_palette_image_for_a_colour_model_is_looked_up():
    x = decode_inputs([entry("x", "png", b64(image_file(palette_image(blocks()))))], COLOUR_8x6)["x"]
    np.testing.assert_array_equal(x[0], blocks().transpose(2, 0, 1))


def test_cmyk_becomes_rgb():
    data = b64(image_file(blocks(), "TIFF", mode="CMYK"))
    x = decode_inputs([entry("x", "tiff", data)], COLOUR_8x6)["x"]
    assert x.shape == (1, 3, 6, 8)
    np.testing.assert_allclose(x[0], blocks().transpose(2, 0, 1), atol=2)


@pytest.mark.parametrize("fmt", ["GIF", "PNG"])
def test_a_grey_palette_image_fits_a_mono_model(fmt):
    pixels = pattern(28, 28)
    data = image_file(palette_image(pixels), fmt)
    assert Image.open(io.BytesIO(data)).mode == "P"
    x = decode_inputs([entry("x", fmt.lower(), b64(data))], MONO_28)["x"]
    np.testing.assert_array_equal(x[0, 0], pixels)


def test_a_plain_grey_gif_fits_a_mono_model():
    x = decode_inputs([entry("x", "gif", b64(image_file(pattern(28, 28), "GIF")))], MONO_28)["x"]
    np.testing.assert_array_equal(x[0, 0], pattern(28, 28))


def test_a_colour_palette_for_a_mono_model_is_refused():
    data = b64(image_file(pattern(28, 28, 3), "GIF"))
    message = refused([entry("x", "gif", data)], MONO_28)
    assert message == (
        "input 'x': expected a mono (1-channel) image, received a colour image (mode P with a colour palette)"
    )


def test_bilevel_and_16_bit_images_for_a_mono_model():
    bilevel = b64(image_file(pattern(28, 28), "BMP", mode="1"))
    x = decode_inputs([entry("x", "bmp", bilevel)], MONO_28)["x"]
    assert set(np.unique(x)) <= {0.0, 255.0} and len(np.unique(x)) == 2

    deep = (pattern(28, 28).astype(np.uint16) * 257).astype(np.uint16)
    x = decode_inputs([entry("x", "png", b64(image_file(deep)))], MONO_28)["x"]
    np.testing.assert_allclose(x[0, 0], pattern(28, 28), rtol=1e-6)


@pytest.mark.parametrize("fmt", ["TIFF", "GIF"])
def test_several_frames_give_the_first(fmt):
    first, second = pattern(28, 28), 255 - pattern(28, 28)
    data = b64(multi_frame_file([first, second], fmt))
    x = decode_inputs([entry("x", fmt.lower(), data)], MONO_28)["x"]
    np.testing.assert_array_equal(x[0, 0], first)


def test_image_dtype_follows_the_model():
    version = model(tensor("x", [-1, 1, 28, 28], models_pb2.DATA_TYPE_UINT8), images=(image_pre("x", 28, 28, 1),))
    x = decode_inputs([entry("x", "png", b64(image_file(pattern(28, 28))))], version)["x"]
    assert x.dtype == np.uint8
    np.testing.assert_array_equal(x[0, 0], pattern(28, 28))


def test_an_unbatched_model_gets_no_batch_dimension():
    version = model(tensor("x", [1, 28, 28]), images=(image_pre("x", 28, 28, 1),))
    x = decode_inputs([entry("x", "png", b64(image_file(pattern(28, 28))))], version)["x"]
    assert x.shape == (1, 28, 28)


def test_without_preprocessing_the_shape_says_what_to_expect():
    chw = model(tensor("x", [-1, 3, 6, 8]))
    x = decode_inputs([entry("x", "png", b64(image_file(blocks())))], chw)["x"]
    np.testing.assert_array_equal(x[0], blocks().transpose(2, 0, 1))

    hwc_mono = model(tensor("x", [-1, 28, 28, 1]))
    x = decode_inputs([entry("x", "png", b64(image_file(pattern(28, 28))))], hwc_mono)["x"]
    assert x.shape == (1, 28, 28, 1)
    np.testing.assert_array_equal(x[0, :, :, 0], pattern(28, 28))

    assert refused([entry("x", "png", b64(image_file(pattern(6, 8))))], chw) == (
        "input 'x': expected a colour (3-channel) image, received a mono image (mode L)"
    )


def test_without_preprocessing_variable_dimensions_take_the_image_size():
    version = model(tensor("x", [-1, 1, -1, -1]))
    x = decode_inputs([entry("x", "png", b64(image_file(pattern(10, 20))))], version)["x"]
    assert x.shape == (1, 1, 10, 20)


def test_without_preprocessing_a_non_image_shape_is_refused():
    version = model(tensor("x", [-1, 5, 5, 5]))
    message = refused([entry("x", "png", b64(image_file(pattern(5, 5))))], version)
    assert message.startswith("input 'x' has shape [5, 5, 5], which is not an image shape")


def test_unreadable_image_and_bad_base64():
    assert refused([entry("x", "png", b64(b"not an image"))], MONO_28) == (
        "input 'x': data is not a readable image (png, jpeg, gif, bmp or tiff)"
    )
    assert refused([entry("x", "png", "iVBOR%%w0KGgo=")], MONO_28) == "input 'x': data is not valid base64"
    assert refused([entry("x", "png", "abc")], MONO_28) == "input 'x': data is not valid base64"
    truncated = image_file(pattern(28, 28))[:60]
    assert "not a readable image" in refused([entry("x", "png", b64(truncated))], MONO_28)


def test_image_data_must_be_a_string():
    message = refused([entry("x", "png", [1, 2, 3])], MONO_28)
    assert message == "input 'x': data for type 'png' must be a base64 string"


# --- vectors ------------------------------------------------------------------------------

VECTOR_4 = model(tensor("x", [-1, 4]))


@pytest.mark.parametrize(
    "data", [[[5], [3.5], [1.3], [0.3]], [5, 3.5, 1.3, 0.3], [[5, 3.5], [1.3, 0.3]], [[[5, 3.5, 1.3, 0.3]]]]
)
@pytest.mark.parametrize("shape", [[-1, 4], [-1, 4, 1], [-1, 2, 2]])
def test_any_nesting_with_the_right_count_fits(data, shape):
    x = decode_inputs([entry("x", "vector", data)], model(tensor("x", shape)))["x"]
    assert x.shape == (1, *shape[1:]) and x.dtype == np.float32
    np.testing.assert_allclose(x.reshape(-1), [5, 3.5, 1.3, 0.3], rtol=1e-7)


def test_a_wrong_count_says_how_many_were_expected():
    assert refused([entry("x", "vector", [1, 2, 3])], VECTOR_4) == (
        "input 'x': expected 4 numbers (shape [4]), received 3"
    )
    assert refused([entry("x", "vector", [[1, 2], [3, 4], [5, 6]])], VECTOR_4) == (
        "input 'x': expected 4 numbers (shape [4]), received 6"
    )


def test_ragged_lists_are_refused():
    assert "ragged" in refused([entry("x", "vector", [[1, 2], [3], [4]])], VECTOR_4)
    assert "ragged" in refused([entry("x", "vector", [1, [2], 3, 4])], VECTOR_4)


@pytest.mark.parametrize(
    "bad", [[1, 2, True, 4], [1, 2, "3", 4], [1, None, 3, 4], [1, {}, 3, 4], [float("nan"), 1, 2, 3]]
)
def test_only_numbers_count(bad):
    assert refused([entry("x", "vector", bad)], VECTOR_4).startswith("input 'x': vector data must hold")


def test_vector_data_of_the_wrong_kind():
    assert refused([entry("x", "vector", "1, 2, 3, 4")], VECTOR_4) == (
        "input 'x': data for type 'vector' must be a list of numbers"
    )
    assert "must be a list of numbers" in refused([entry("x", "vector", True)], model(tensor("x", [-1, 1])))


def test_a_bare_number_fits_an_input_of_size_one():
    x = decode_inputs([entry("x", "vector", 0.25)], model(tensor("x", [-1, 1])))["x"]
    assert x.shape == (1, 1) and x[0, 0] == np.float32(0.25)
    assert "expected 4 numbers" in refused([entry("x", "vector", 0.25)], VECTOR_4)


def test_a_variable_dimension_is_inferred():
    version = model(tensor("x", [-1, -1, 2]))
    x = decode_inputs([entry("x", "vector", [1, 2, 3, 4, 5, 6])], version)["x"]
    assert x.shape == (1, 3, 2)
    assert refused([entry("x", "vector", [1, 2, 3])], version) == (
        "input 'x': expected a multiple of 2 numbers (shape [-1, 2]), received 3"
    )


def test_integer_and_boolean_inputs():
    ints = model(tensor("x", [-1, 3], models_pb2.DATA_TYPE_INT64))
    x = decode_inputs([entry("x", "vector", [1, 2.0, -3])], ints)["x"]
    assert x.dtype == np.int64 and x.tolist() == [[1, 2, -3]]
    assert "whole numbers" in refused([entry("x", "vector", [1, 2.5, 3])], ints)
    small = model(tensor("x", [-1, 1], models_pb2.DATA_TYPE_UINT8))
    assert "outside the input's range" in refused([entry("x", "vector", [256])], small)
    flags = model(tensor("x", [-1, 2], models_pb2.DATA_TYPE_BOOL))
    assert decode_inputs([entry("x", "vector", [1, 0])], flags)["x"].tolist() == [[True, False]]


# --- wav ----------------------------------------------------------------------------------


def test_wav_16_bit_mono():
    samples = np.array([0, 16384, -16384, 32767, -32768, 1, -1, 100], dtype=np.int16)
    version = model(tensor("x", [-1, 8]))
    x = decode_inputs([entry("x", "wav", b64(wav_file(samples, sample_width=2)))], version)["x"]
    assert x.shape == (1, 8) and x.dtype == np.float32
    np.testing.assert_array_equal(x[0], samples.astype(np.float32) / 32768)


def test_wav_8_bit_is_unsigned():
    samples = np.array([128, 0, 255, 192], dtype=np.uint8)
    version = model(tensor("x", [-1, 4, 1]))
    x = decode_inputs([entry("x", "wav", b64(wav_file(samples, sample_width=1)))], version)["x"]
    assert x.shape == (1, 4, 1)
    np.testing.assert_array_equal(x.reshape(-1), [0.0, -1.0, 127 / 128, 0.5])


@pytest.mark.parametrize("width", [3, 4])
def test_wav_24_and_32_bit(width):
    full = 2 ** (8 * width - 1)
    samples = np.array([0, full // 2, -full, full - 1], dtype=np.int64)
    x = decode_inputs([entry("x", "wav", b64(wav_file(samples, sample_width=width)))], model(tensor("x", [-1, 4])))["x"]
    np.testing.assert_allclose(x[0], [0.0, 0.5, -1.0, (full - 1) / full], rtol=1e-7)


def test_stereo_wav_is_frames_by_channels():
    samples = np.array([[0, 16384], [-16384, 8192], [32767, 0]], dtype=np.int16)
    version = model(tensor("x", [-1, 3, 2]))
    x = decode_inputs([entry("x", "wav", b64(wav_file(samples)))], version)["x"]
    np.testing.assert_array_equal(x[0], samples.astype(np.float32) / 32768)


def test_a_wav_of_the_wrong_length():
    version = model(tensor("x", [-1, 16000]))
    message = refused([entry("x", "wav", b64(wav_file(np.zeros(8000, dtype=np.int16))))], version)
    assert message == "input 'x': expected 16000 samples, received 8000 (frames x channels)"


def test_not_a_wav():
    assert refused([entry("x", "wav", b64(b"RIFF....WAVEnope"))], model(tensor("x", [-1, 4]))) == (
        "input 'x': data is not a PCM wav file"
    )


# --- DICOM --------------------------------------------------------------------------------

DCM = model(tensor("x", [-1, 1, 3, 4]), images=(image_pre("x", 3, 4, 1),))
RAW = np.arange(12, dtype=np.uint16).reshape(3, 4) * 300


def test_dicom_raw_values_with_the_modality_rescale():
    x = decode_inputs([entry("x", "dcm", b64(dicom_file(RAW, slope=2, intercept=-10)))], DCM)["x"]
    assert x.shape == (1, 1, 3, 4)
    np.testing.assert_array_equal(x[0, 0], RAW * 2.0 - 10)


def test_dicom_normalisation_scales_by_the_stored_bit_depth():
    version = model(tensor("x", [-1, 1, 3, 4]), images=(image_pre("x", 3, 4, 1, (0.1,), (0.5,)),))
    x = decode_inputs([entry("x", "dcm", b64(dicom_file(RAW, bits_stored=12)))], version)["x"]
    np.testing.assert_allclose(x[0, 0], (RAW / 4095 - 0.1) / 0.5, rtol=1e-6)


def test_dicom_of_the_wrong_size_or_colour():
    assert refused([entry("x", "dcm", b64(dicom_file(np.zeros((4, 4), np.uint16))))], DCM) == (
        "input 'x': expected a 4x3 image (width x height), received 4x4"
    )
    colour = model(tensor("x", [-1, 3, 3, 4]), images=(image_pre("x", 3, 4, 3),))
    assert refused([entry("x", "dcm", b64(dicom_file(RAW)))], colour) == (
        "input 'x': expected a colour (3-channel) image, received a mono DICOM image (SamplesPerPixel 1)"
    )


def test_rgb_dicom_for_a_colour_model():
    pixels = pattern(3, 4, 3)
    colour = model(tensor("x", [-1, 3, 3, 4]), images=(image_pre("x", 3, 4, 3),))
    x = decode_inputs([entry("x", "dcm", b64(dicom_file(pixels)))], colour)["x"]
    np.testing.assert_array_equal(x[0], pixels.transpose(2, 0, 1))


def test_bad_dicom():
    assert refused([entry("x", "dcm", b64(b"\x00" * 200))], DCM) == "input 'x': data is not a readable DICOM file"
    truncated = dicom_file(RAW)[:-10]
    assert refused([entry("x", "dcm", b64(truncated))], DCM) == "input 'x': data is not a readable DICOM file"


# --- the envelope -------------------------------------------------------------------------

TWO = model(tensor("x", [-1, 1, 28, 28]), tensor("x2", [-1, 1]), images=(image_pre("x", 28, 28, 1),))


def test_several_inputs_side_by_side():
    decoded = decode_inputs([entry("x2", "vector", [0.25]), entry("x", "png", b64(image_file(pattern(28, 28))))], TWO)
    assert set(decoded) == {"x", "x2"}
    assert decoded["x"].shape == (1, 1, 28, 28) and decoded["x2"].tolist() == [[0.25]]


def test_unknown_duplicate_and_missing_inputs():
    image = entry("x", "png", b64(image_file(pattern(28, 28))))
    assert refused([image, entry("x3", "vector", [1])], TWO) == (
        "input 'x3' is not an input of this model; its inputs are: x, x2"
    )
    assert refused([image, image, entry("x2", "vector", [1])], TWO) == "input 'x' is given more than once"
    assert refused([image], TWO) == "input 'x2' is missing; this model's inputs are: x, x2"
    three = model(tensor("a", [-1, 1]), tensor("b", [-1, 1]), tensor("c", [-1, 1]))
    assert (
        refused([entry("b", "vector", [1])], three) == "inputs 'a', 'c' are missing; this model's inputs are: a, b, c"
    )


@pytest.mark.parametrize(
    "inputs, message",
    [
        ({"name": "x"}, "'inputs' must be a non-empty list of objects with name, type and data"),
        ([], "'inputs' must be a non-empty list of objects with name, type and data"),
        (["x"], "inputs[0] must be an object with name, type and data"),
        ([{"type": "vector", "data": [1]}], "inputs[0] must have a 'name' that is a string"),
        ([{"name": "x2", "data": [1]}], "input 'x2' must have a 'type' that is a string"),
        ([{"name": "x2", "type": "vector"}], "input 'x2' has no 'data'"),
    ],
)
def test_the_shape_of_the_inputs_list(inputs, message):
    assert refused(inputs, model(tensor("x2", [-1, 1]))) == message


def test_an_unknown_type():
    assert refused([entry("x2", "mp3", "AAAA")], model(tensor("x2", [-1, 1]))) == (
        "input 'x2': type 'mp3' is not one of png, jpg, jpeg, gif, bmp, tif, tiff, dcm, vector, wav"
    )


def test_serverless_apis_refuse_wav_and_dcm():
    audio = model(tensor("x", [-1, 4]))
    wav = entry("x", "WAV", b64(wav_file(np.zeros(4, dtype=np.int16))))
    assert refused([wav], audio, allowed_types=SERVERLESS_TYPES) == (
        "input 'x': type 'wav' is not accepted by serverless APIs; use a dedicated API"
    )
    assert refused([entry("x", "dcm", b64(dicom_file(RAW)))], DCM, allowed_types=SERVERLESS_TYPES) == (
        "input 'x': type 'dcm' is not accepted by serverless APIs; use a dedicated API"
    )
    assert decode_inputs([wav], audio)["x"].shape == (1, 4)
    png = entry("x", "png", b64(image_file(pattern(28, 28))))
    assert decode_inputs([png], MONO_28, allowed_types=SERVERLESS_TYPES)["x"].shape == (1, 1, 28, 28)


# --- element types ------------------------------------------------------------------------


def test_data_type_mappings():
    assert numpy_dtype(models_pb2.DATA_TYPE_FP32) == np.float32
    assert numpy_dtype(models_pb2.DATA_TYPE_INT64) == np.int64
    assert numpy_dtype(models_pb2.DATA_TYPE_BOOL) == np.bool_
    assert triton_datatype(models_pb2.DATA_TYPE_FP16) == "FP16"
    assert triton_datatype(models_pb2.DATA_TYPE_UINT8) == "UINT8"
    for data_type in (models_pb2.DATA_TYPE_STRING, models_pb2.DATA_TYPE_UNSPECIFIED):
        with pytest.raises(InvalidRequest):
            numpy_dtype(data_type)
        with pytest.raises(InvalidRequest):
            triton_datatype(data_type)


def test_a_string_input_cannot_be_fed():
    version = model(tensor("x", [-1, 1], models_pb2.DATA_TYPE_STRING))
    assert refused([entry("x", "vector", [1])], version) == (
        "the model's tensor 'x' has type STRING, which NNC requests cannot carry"
    )
