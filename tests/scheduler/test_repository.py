"""The model repository folder: atomic replace, remove, crash leftovers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from services.scheduler.triton.model_config import ModelEntry, TensorConfig
from services.scheduler.triton.repository import CHAT_MODEL_SOURCE, PYTHON_MODEL_SOURCE, ModelRepository


def entry(name: str, artifact: Path, backend: str = "python") -> ModelEntry:
    return ModelEntry(
        name=name,
        artifact_path=artifact,
        inputs=(TensorConfig("x", "FP32", (4,)),),
        outputs=(TensorConfig("y", "FP32", (4,)),),
        max_batch_size=8,
        backend=backend,
    )


@pytest.fixture
def artifact(tmp_path) -> Path:
    path = tmp_path / "artifacts" / "a.onnx"
    path.parent.mkdir()
    path.write_bytes(b"onnx-v1")
    return path


def test_write_lays_out_a_python_model(tmp_path, artifact):
    repo = ModelRepository(tmp_path / "repo")
    repo.write(entry("m", artifact))
    model = tmp_path / "repo" / "m"
    assert sorted(p.relative_to(model).as_posix() for p in model.rglob("*")) == [
        "1",
        "1/model.onnx",
        "1/model.py",
        "config.pbtxt",
    ]
    assert (model / "1" / "model.onnx").read_bytes() == b"onnx-v1"
    assert (model / "1" / "model.py").read_bytes() == PYTHON_MODEL_SOURCE.read_bytes()
    assert 'name: "m"' in (model / "config.pbtxt").read_text()
    # Same filesystem: a hard link, no copy.
    assert os.stat(model / "1" / "model.onnx").st_ino == os.stat(artifact).st_ino
    assert repo.names() == {"m"}


def test_a_chat_model_gets_its_gguf_and_the_chat_model_py(tmp_path):
    gguf = tmp_path / "artifacts" / "chat.gguf"
    gguf.parent.mkdir()
    gguf.write_bytes(b"GGUF-v1")
    chat = ModelEntry(
        name="c",
        artifact_path=gguf,
        inputs=(TensorConfig("request_json", "STRING", (1,)),),
        outputs=(TensorConfig("text", "STRING", (1,)),),
        max_batch_size=0,
        backend="python",
        dynamic_batching=False,
        python_model="chat",
        decoupled=True,
    )
    repo = ModelRepository(tmp_path / "repo")
    repo.write(chat)
    model = tmp_path / "repo" / "c"
    assert sorted(p.relative_to(model).as_posix() for p in model.rglob("*")) == [
        "1",
        "1/model.gguf",
        "1/model.py",
        "config.pbtxt",
    ]
    assert os.stat(model / "1" / "model.gguf").st_ino == os.stat(gguf).st_ino
    assert (model / "1" / "model.py").read_bytes() == CHAT_MODEL_SOURCE.read_bytes()
    assert "decoupled: true" in (model / "config.pbtxt").read_text()


def test_onnxruntime_backend_has_no_model_py(tmp_path, artifact):
    repo = ModelRepository(tmp_path / "repo")
    repo.write(entry("m", artifact, backend="onnxruntime"))
    assert not (tmp_path / "repo" / "m" / "1" / "model.py").exists()


def test_copies_when_a_hard_link_is_impossible(tmp_path, artifact, monkeypatch):
    def no_link(*_args, **_kwargs):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_link)
    repo = ModelRepository(tmp_path / "repo")
    repo.write(entry("m", artifact))
    copied = tmp_path / "repo" / "m" / "1" / "model.onnx"
    assert copied.read_bytes() == b"onnx-v1"
    assert os.stat(copied).st_ino != os.stat(artifact).st_ino


def test_rewrite_replaces_the_whole_folder(tmp_path, artifact):
    repo = ModelRepository(tmp_path / "repo")
    repo.write(entry("m", artifact))
    (tmp_path / "repo" / "m" / "leftover.txt").write_text("from version 1")
    second = artifact.with_name("b.onnx")
    second.write_bytes(b"onnx-v2")
    repo.write(entry("m", second))
    model = tmp_path / "repo" / "m"
    assert (model / "1" / "model.onnx").read_bytes() == b"onnx-v2"
    assert not (model / "leftover.txt").exists()
    assert artifact.read_bytes() == b"onnx-v1"  # the old artifact is untouched
    assert [p.name for p in (tmp_path / "repo").iterdir()] == ["m"]  # no .tmp-/.old- left


def test_failed_write_leaves_the_old_model_and_no_temporaries(tmp_path, artifact):
    repo = ModelRepository(tmp_path / "repo")
    repo.write(entry("m", artifact))
    with pytest.raises(FileNotFoundError):
        repo.write(entry("m", tmp_path / "missing.onnx"))
    assert (tmp_path / "repo" / "m" / "1" / "model.onnx").read_bytes() == b"onnx-v1"
    assert [p.name for p in (tmp_path / "repo").iterdir()] == ["m"]


def test_remove(tmp_path, artifact):
    repo = ModelRepository(tmp_path / "repo")
    repo.write(entry("a", artifact))
    repo.write(entry("b", artifact))
    repo.remove("a")
    repo.remove("a")  # absent: no error
    repo.remove("never-there")
    assert repo.names() == {"b"}
    assert [p.name for p in (tmp_path / "repo").iterdir()] == ["b"]


def test_clear_stale_temporaries_keeps_models(tmp_path, artifact):
    repo = ModelRepository(tmp_path / "repo")
    repo.write(entry("m", artifact))
    (tmp_path / "repo" / ".tmp-m-deadbeef" / "1").mkdir(parents=True)
    (tmp_path / "repo" / ".old-m-cafebabe").mkdir()
    assert repo.names() == {"m"}  # dot-folders are not models
    repo.clear_stale_temporaries()
    assert [p.name for p in (tmp_path / "repo").iterdir()] == ["m"]


@pytest.mark.parametrize("name", ["", ".hidden", "a/b", "..", "a\\b"])
def test_refuses_names_that_escape_or_hide(tmp_path, artifact, name):
    repo = ModelRepository(tmp_path / "repo")
    with pytest.raises(ValueError):
        repo.write(entry(name, artifact))
    with pytest.raises(ValueError):
        repo.remove(name)
