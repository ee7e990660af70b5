"""A retrain upload's zip (train_src/<file>, optionally eval_src/<file>) unpacked into the artifact
store without trusting it.

The central directory states each member's size and compressed size; those are checked before
anything inflates: each member and their sum against the data-set limit, and how many times a
member grows (MAX_EXPANSION_RATIO). Members then inflate block by block straight into the store,
never whole in memory, and the bytes that really come out are counted against the limit again,
since a zip can lie about its sizes. A
damaged, encrypted or unusually compressed zip is the user's to fix: InvalidArgument, not an
internal error.

Everything here blocks: callers run it in a thread.
"""

from __future__ import annotations

import uuid
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from services.runtime.errors import InvalidArgument
from services.trainer.artifacts import ArtifactStore, StoredFile, TooLarge
from torii.v1 import training_pb2

FOLDERS = {"train_src/": training_pb2.UPLOAD_SLOT_LEARN, "eval_src/": training_pb2.UPLOAD_SLOT_EVAL}
MAX_EXPANSION_RATIO = 200
"""Most times a member may grow when unzipped (size / compressed size). Tables of real data deflate
3–20 times (the shipped examples 5.3); only near-constant ones pass 200, on the way to deflate's
ceiling of about 1,032 that zip bombs use. A file refused for it can still be uploaded unzipped,
where each byte stored costs its sender a byte sent."""
EXPANSION_GRACE_BYTES = 1 << 20
"""Members this small unzipped are not held to the ratio: inflating them costs nothing."""
MAX_DIRECTORY_BYTES = 1 << 20
"""Largest central directory read. zipfile turns all of it into objects (several hundred bytes
each for entries of 46 bytes and up) before anything can be checked; a retrain zip needs a few."""
# What Windows, macOS, Info-ZIP and Python write. The bzip2 and LZMA decoders take memory the
# file asks for (an LZMA dictionary up to 4 GiB), and zipfile reads nothing else.
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_ENCRYPTED = 0x1 | 0x40  # traditional and strong encryption flag bits
_INFLATE_BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class Member:
    slot: int
    info: zipfile.ZipInfo

    @property
    def name(self) -> str:
        """The path inside the zip, as messages name it."""
        return self.info.filename

    @property
    def filename(self) -> str:
        return self.info.filename.rpartition("/")[2]

    @property
    def extension(self) -> str:
        return self.filename.rpartition(".")[2].lower()


@contextmanager
def open_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    with open(path, "rb") as handle:
        _check_directory_size(handle)
        with _zip_errors():
            archive = zipfile.ZipFile(handle)
        with archive:
            yield archive


def members_of(archive: zipfile.ZipFile, max_bytes: int, zip_bytes: int) -> list[Member]:
    """The data members in slot order, their declared sizes checked: nothing inflates here."""
    found: dict[int, Member] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        for folder, slot in FOLDERS.items():
            if info.filename.startswith(folder) and "/" not in info.filename[len(folder) :]:
                if slot in found:
                    raise InvalidArgument(f"the zip holds more than one file in {folder}")
                found[slot] = Member(slot, info)
    if training_pb2.UPLOAD_SLOT_LEARN not in found:
        raise InvalidArgument("the zip must hold the training data as train_src/<file>")
    members = [found[slot] for slot in sorted(found)]
    for member in members:
        _check_declared(member, max_bytes, zip_bytes)
    total = sum(member.info.file_size for member in members)
    if total > max_bytes:
        raise InvalidArgument(f"the zip's files are {total} bytes unzipped, over the limit of {max_bytes} bytes")
    return members


def inflate(archive: zipfile.ZipFile, member: Member, store: ArtifactStore, max_bytes: int) -> StoredFile:
    """The member, unzipped into the store's datasets folder. The bytes that really come out are
    counted against max_bytes, whatever the zip declared; nothing is kept when it is refused."""
    try:
        return store.write_chunks(
            _blocks(archive, member),
            folder="datasets",
            name=f"{uuid.uuid4().hex}.{member.extension}",
            max_bytes=max_bytes,
        )
    except TooLarge as error:
        raise InvalidArgument(f"{member.name}: {error}") from None


def _blocks(archive: zipfile.ZipFile, member: Member) -> Iterator[bytes]:
    # zipfile inflates at most a block (and reads at most the declared compressed size) per read,
    # and stops at the declared size; a member whose data says otherwise fails its CRC.
    with _zip_errors(member.name), archive.open(member.info) as source:
        while block := source.read(_INFLATE_BLOCK_BYTES):
            yield block


def _check_directory_size(handle: BinaryIO) -> None:
    # The end record is where ZipFile itself learns the directory's size; its reader is private
    # but has not changed in decades, and is the one ZipFile uses.
    try:
        end = zipfile._EndRecData(handle)  # type: ignore[attr-defined]  # noqa: SLF001 - private: not in typeshed
    except (OSError, zipfile.BadZipFile):
        end = None
    if not end:
        raise InvalidArgument("the upload is not a zip file")
    if end[zipfile._ECD_SIZE] > MAX_DIRECTORY_BYTES:  # type: ignore[attr-defined]  # noqa: SLF001 - as _EndRecData
        raise InvalidArgument(
            f"the zip's table of contents is over {MAX_DIRECTORY_BYTES} bytes; "
            "a retrain zip holds train_src/<file> and eval_src/<file> only"
        )


def _check_declared(member: Member, max_bytes: int, zip_bytes: int) -> None:
    info = member.info
    if info.flag_bits & _ENCRYPTED:
        raise InvalidArgument(f"{member.name} is encrypted: zip it without a password")
    if info.compress_type not in _METHODS:
        names = zipfile.compressor_names  # type: ignore[attr-defined]  # public, but missing from typeshed
        method = names.get(info.compress_type, f"method {info.compress_type}")
        raise InvalidArgument(f"{member.name} is compressed with {method}: zip it with deflate, the usual method")
    # Checked here so that reading it cannot seek outside the file (an OS error, not a refusal).
    if info.header_offset < 0 or info.header_offset + info.compress_size > zip_bytes:
        raise InvalidArgument(f"the zip is damaged: {member.name} lies outside it")
    if info.file_size > max_bytes:
        raise InvalidArgument(f"{member.name} is {info.file_size} bytes unzipped, over the limit of {max_bytes} bytes")
    if info.file_size > EXPANSION_GRACE_BYTES and info.file_size > MAX_EXPANSION_RATIO * info.compress_size:
        ratio = info.file_size / max(info.compress_size, 1)
        raise InvalidArgument(
            f"{member.name} unzips to {ratio:.0f} times its zipped size, more than the {MAX_EXPANSION_RATIO} "
            "accepted: upload the file itself instead of a zip"
        )


@contextmanager
def _zip_errors(name: str = "") -> Iterator[None]:
    """zipfile's and the decompressor's refusals of a bad zip, as the user's error."""
    where = f"{name}: " if name else ""
    try:
        yield
    except zipfile.BadZipFile as error:
        raise InvalidArgument(f"{where}the zip is damaged ({error})") from None
    except (EOFError, zlib.error):
        raise InvalidArgument(f"{where}the zip is damaged (its compressed data is cut short or corrupt)") from None
    except NotImplementedError as error:
        raise InvalidArgument(f"{where}the zip uses a feature that cannot be read ({error})") from None
