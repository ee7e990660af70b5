"""A retrain zip is checked from its central directory before anything inflates, inflates in
blocks under the data-set limit, and answers a damaged or unreadable zip as the user's error."""

from __future__ import annotations

import zipfile

import pytest

from services.runtime.errors import InvalidArgument
from services.trainer import retrain_zip
from services.trainer.artifacts import ArtifactStore
from tests.prediction_one.retrain_zips import patched, zeros_csv, zipped

LIMIT = 8 << 20


def _members(tmp_path, data: bytes, max_bytes: int = LIMIT) -> list[retrain_zip.Member]:
    path = tmp_path / "upload.zip"
    path.write_bytes(data)
    with retrain_zip.open_zip(path) as archive:
        return retrain_zip.members_of(archive, max_bytes, len(data))


def _refusal(tmp_path, data: bytes, max_bytes: int = LIMIT) -> str:
    with pytest.raises(InvalidArgument) as refused:
        _members(tmp_path, data, max_bytes)
    return str(refused.value)


def _files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_declared_sizes_are_refused_before_anything_inflates(tmp_path):
    table = zeros_csv(LIMIT + 1024)
    bomb = zipped({"train_src/big.csv": table})
    assert len(bomb) < 20_000
    assert (
        _refusal(tmp_path, bomb) == f"train_src/big.csv is {len(table)} bytes unzipped, over the limit of {LIMIT} bytes"
    )
    # Each member fits, both together do not (small enough that the ratio is waived).
    part = zeros_csv(retrain_zip.EXPANSION_GRACE_BYTES - 8)
    both = zipped({"train_src/a.csv": part, "eval_src/b.csv": part})
    message = _refusal(tmp_path, both, max_bytes=len(part) + 1)
    assert message == f"the zip's files are {2 * len(part)} bytes unzipped, over the limit of {len(part) + 1} bytes"


def test_a_member_that_grows_too_many_times_is_refused(tmp_path):
    size = retrain_zip.EXPANSION_GRACE_BYTES + 4096
    message = _refusal(tmp_path, zipped({"train_src/zeros.csv": zeros_csv(size)}))
    assert message.startswith("train_src/zeros.csv unzips to ") and "upload the file itself" in message
    # The same table stored uncompressed grows 1 time, and a small near-constant one is waived.
    assert _members(tmp_path, zipped({"train_src/zeros.csv": zeros_csv(size)}, zipfile.ZIP_STORED))
    assert _members(tmp_path, zipped({"train_src/zeros.csv": zeros_csv(100_000)}))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"flags": 0x1}, "train_src/a.csv is encrypted: zip it without a password"),
        ({"method": 9}, "train_src/a.csv is compressed with deflate64: zip it with deflate, the usual method"),
        ({"method": 77}, "train_src/a.csv is compressed with method 77: zip it with deflate, the usual method"),
    ],
)
def test_encrypted_and_unknown_compression_are_refused_by_name(tmp_path, change, message):
    assert _refusal(tmp_path, patched(zipped({"train_src/a.csv": b"a,b\n1,2\n"}), **change)) == message


def test_bzip2_and_lzma_are_refused_though_zipfile_reads_them(tmp_path):
    for method, name in ((zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "lzma")):
        assert name in _refusal(tmp_path, zipped({"train_src/a.csv": b"a,b\n1,2\n"}, method))


def test_a_central_directory_too_large_to_parse_is_refused_first(tmp_path):
    names = {f"junk/{index:08d}-{'x' * 40}.txt": b"" for index in range(retrain_zip.MAX_DIRECTORY_BYTES // 90)}
    data = zipped({"train_src/a.csv": b"a,b\n1,2\n", **names}, zipfile.ZIP_STORED)
    assert _refusal(tmp_path, data).startswith("the zip's table of contents is over ")


def test_a_member_pointing_outside_the_zip_is_damaged(tmp_path):
    data = zipped({"train_src/a.csv": b"a,b\n1,2\n"})
    central = data.rindex(b"PK\x01\x02")
    pointing_far = data[: central + 42] + (10**9).to_bytes(4, "little") + data[central + 46 :]
    assert _refusal(tmp_path, pointing_far) == "the zip is damaged: train_src/a.csv lies outside it"


def test_inflating_counts_the_bytes_that_come_out_and_keeps_nothing_refused(tmp_path):
    store = ArtifactStore(tmp_path / "artifacts")
    data = b"a,b\n" + b"1,2\n" * 100_000
    path = tmp_path / "upload.zip"
    path.write_bytes(zipped({"train_src/a.csv": data}))
    with retrain_zip.open_zip(path) as archive:
        (member,) = retrain_zip.members_of(archive, LIMIT, path.stat().st_size)
        with pytest.raises(InvalidArgument, match="^train_src/a.csv: the file is larger than the limit of 1000 bytes$"):
            retrain_zip.inflate(archive, member, store, 1000)
        assert _files(store.root) == []
        stored = retrain_zip.inflate(archive, member, store, LIMIT)
    assert stored.path.read_bytes() == data and stored.size_bytes == len(data)
    assert stored.path.parent == store.root / "datasets"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"crc": 0x12345678}, "train_src/a.csv: the zip is damaged (Bad CRC-32 for file 'train_src/a.csv')"),
        # A bomb's lie: a small declared size. Only that much comes out, and it fails the CRC.
        ({"size": 1000}, "train_src/a.csv: the zip is damaged (Bad CRC-32 for file 'train_src/a.csv')"),
    ],
)
def test_a_bad_crc_or_a_lying_size_is_refused_while_inflating(tmp_path, change, message):
    store = ArtifactStore(tmp_path / "artifacts")
    path = tmp_path / "upload.zip"
    path.write_bytes(patched(zipped({"train_src/a.csv": zeros_csv(200_000)}), **change))
    with retrain_zip.open_zip(path) as archive:
        (member,) = retrain_zip.members_of(archive, LIMIT, path.stat().st_size)
        with pytest.raises(InvalidArgument) as refused:
            retrain_zip.inflate(archive, member, store, LIMIT)
    assert str(refused.value) == message
    assert _files(store.root) == []


def test_truncated_compressed_data_is_damaged(tmp_path):
    store = ArtifactStore(tmp_path / "artifacts")
    data = zipped({"train_src/a.csv": bytes(range(256)) * 4000})
    local_data = 30 + len("train_src/a.csv")
    # Garbage in place of the deflate stream: the decompressor's error, not zipfile's.
    path = tmp_path / "upload.zip"
    path.write_bytes(data[:local_data] + b"\xff" * 64 + data[local_data + 64 :])
    with retrain_zip.open_zip(path) as archive:
        (member,) = retrain_zip.members_of(archive, LIMIT, path.stat().st_size)
        with pytest.raises(InvalidArgument, match="^train_src/a.csv: the zip is damaged"):
            retrain_zip.inflate(archive, member, store, LIMIT)
    assert _files(store.root) == []


def test_ordinary_zips_pass_zip64_headers_included(tmp_path):
    data = zipped(
        {
            "train_src/": b"",
            "train_src/a.csv": b"a,b\n1,2\n",
            "eval_src/b.tsv": b"a\tb\n",
            "__MACOSX/train_src/._a.csv": b"x",
        }
    )
    members = _members(tmp_path, data)
    assert [(member.slot, member.filename, member.extension) for member in members] == [
        (retrain_zip.FOLDERS["train_src/"], "a.csv", "csv"),
        (retrain_zip.FOLDERS["eval_src/"], "b.tsv", "tsv"),
    ]
    assert _members(tmp_path, zipped({"train_src/a.csv": b"a,b\n1,2\n"}, force_zip64=True))
    assert _refusal(tmp_path, b"not a zip") == "the upload is not a zip file"
