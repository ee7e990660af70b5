"""Models, versions, and the checks on a version's signature and preprocessing."""

from __future__ import annotations

import re
import uuid

from services.registry.domain.actors import can_see_account, require_account_access, resolve_actor
from services.registry.domain.ids import parse_id
from services.registry.domain.names import require_name
from services.registry.domain.stores import AccountStorage, ModelStorage
from services.registry.domain.types import CHAT_FORMAT, HF_MODEL_FORMAT, JsonObject, Model, ModelVersion
from services.runtime.errors import InvalidArgument, NotFound

SUPPORTED_FORMATS = ("onnx", CHAT_FORMAT, HF_MODEL_FORMAT)
HF_URI_PREFIX = "hf://"
MAX_HF_MODEL_ID_LENGTH = 200
MAX_CHAT_TEMPLATE_CHARS = 64 * 1024
# A Hugging Face repo id: "<org>/<name>", letters, digits and - _ . (huggingface_hub's rules).
_HF_MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")
DATA_TYPES = ("BOOL", "UINT8", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "STRING")


def check_tensor_specs(specs: list[JsonObject], what: str) -> None:
    if not specs:
        raise InvalidArgument(f"the signature needs at least one {what}")
    seen = set()
    for spec in specs:
        name = spec.get("name", "")
        if not name:
            raise InvalidArgument(f"every {what} needs a name")
        if name in seen:
            raise InvalidArgument(f"{what} {name!r} appears twice")
        seen.add(name)
        if spec.get("data_type") not in DATA_TYPES:
            raise InvalidArgument(f"{what} {name!r} needs a data_type among {', '.join(DATA_TYPES)}")
        shape = [int(dim) for dim in spec.get("shape", [])]
        if not shape:
            raise InvalidArgument(f"{what} {name!r} needs a shape; -1 marks the batch and variable dimensions")
        if any(dim == 0 or dim < -1 for dim in shape):
            raise InvalidArgument(f"{what} {name!r} has shape {shape}: dimensions are positive or -1")


def check_signature(signature: JsonObject) -> None:
    check_tensor_specs(signature.get("inputs", []), "input")
    check_tensor_specs(signature.get("outputs", []), "output")


def check_preprocessing(preprocessing: JsonObject, signature: JsonObject) -> None:
    input_names = {spec["name"] for spec in signature.get("inputs", [])}
    for image in preprocessing.get("images", []):
        name = image.get("input_name", "")
        if name not in input_names:
            raise InvalidArgument(f"image preprocessing names input {name!r}, which the signature does not have")
        for key in ("height", "width"):
            if int(image.get(key, 0)) <= 0:
                raise InvalidArgument(f"image preprocessing of {name!r} needs a positive {key}")
        channels = int(image.get("channels", 0))
        if channels not in (1, 3):
            raise InvalidArgument(f"image preprocessing of {name!r}: channels must be 1 (mono) or 3 (colour)")
        mean, std = image.get("mean", []), image.get("std", [])
        if len(mean) != len(std) or (mean and len(mean) != channels):
            raise InvalidArgument(f"image preprocessing of {name!r}: give one mean and one std per channel, or neither")
        if any(float(value) == 0 for value in std):
            raise InvalidArgument(f"image preprocessing of {name!r}: std values must not be 0")


def check_version_fields(fields: JsonObject) -> None:
    if fields["format"] not in SUPPORTED_FORMATS:
        raise InvalidArgument(f"model format must be one of {', '.join(SUPPORTED_FORMATS)}")
    if fields["format"] == HF_MODEL_FORMAT:
        check_hf_model(fields)
        return
    if not fields["artifact_uri"]:
        raise InvalidArgument("artifact_uri is required")
    if not re.fullmatch(r"[0-9a-f]{64}", fields["sha256"]):
        raise InvalidArgument("sha256 must be 64 hexadecimal characters")
    if fields["size_bytes"] <= 0:
        raise InvalidArgument("size_bytes must be positive")
    if fields["format"] == CHAT_FORMAT:
        # A chat model takes messages and answers text: there is no signature to describe.
        if fields["signature"] or fields["preprocessing"]:
            raise InvalidArgument("a GGUF chat model takes no signature and no preprocessing")
        return
    if "chat_template" in fields["preprocessing"]:
        raise InvalidArgument("a chat template is for Hugging Face chat models only")
    check_signature(fields["signature"])
    check_preprocessing(fields["preprocessing"], fields["signature"])


def check_hf_model(fields: JsonObject) -> None:
    """A Hugging Face chat model: an id vLLM fetches the weights by, and the chat template the
    gateway renders prompts with. No file here, so no digest or size."""
    uri = fields["artifact_uri"]
    model_id = uri.removeprefix(HF_URI_PREFIX)
    if (
        not uri.startswith(HF_URI_PREFIX)
        or len(model_id) > MAX_HF_MODEL_ID_LENGTH
        or not _HF_MODEL_ID.fullmatch(model_id)
    ):
        raise InvalidArgument(
            f"a Hugging Face model is named {HF_URI_PREFIX}<org>/<name> (letters, digits and - _ .), not {uri!r}"
        )
    if fields["sha256"] or fields["size_bytes"]:
        raise InvalidArgument("a Hugging Face model has no file here: give no sha256 and no size_bytes")
    if fields["signature"]:
        raise InvalidArgument("a Hugging Face chat model takes no signature")
    preprocessing = fields["preprocessing"]
    template = preprocessing.get("chat_template", {})
    if set(preprocessing) - {"chat_template"}:
        raise InvalidArgument("a Hugging Face chat model takes only a chat template as preprocessing")
    if not template.get("template", "").strip():
        raise InvalidArgument(
            "a Hugging Face chat model needs its chat template (tokenizer_config.json's chat_template)"
        )
    if sum(len(template.get(key, "")) for key in ("template", "bos_token", "eos_token")) > MAX_CHAT_TEMPLATE_CHARS:
        raise InvalidArgument(f"the chat template and its tokens take at most {MAX_CHAT_TEMPLATE_CHARS} characters")


class ModelService:
    def __init__(self, accounts_store: AccountStorage, store: ModelStorage) -> None:
        self._accounts = accounts_store
        self._store = store

    async def create_model(
        self, actor_user_id: str, account_id: str, name: str, first_version: JsonObject
    ) -> tuple[Model, ModelVersion]:
        actor = await resolve_actor(self._accounts, actor_user_id)
        account_id = parse_id(account_id, "account_id") if account_id else actor.account_id
        require_account_access(actor, account_id)
        if await self._accounts.get_account(account_id) is None:
            raise NotFound(f"no account with id {account_id}")
        name = require_name(name, "model")
        check_version_fields(first_version)
        return await self._store.create_model(str(uuid.uuid4()), account_id, name, str(uuid.uuid4()), first_version)

    async def _model_for(self, actor_user_id: str, model_id: str) -> Model:
        actor = await resolve_actor(self._accounts, actor_user_id)
        model = await self._store.get_model(parse_id(model_id, "model_id"))
        # Another account's model answers as missing: its id is no business of this user.
        if model is None or not can_see_account(actor, model.account_id):
            raise NotFound(f"no model with id {model_id}")
        return model

    async def create_version(self, actor_user_id: str, model_id: str, fields: JsonObject) -> ModelVersion:
        model = await self._model_for(actor_user_id, model_id)
        check_version_fields(fields)
        return await self._store.add_version(str(uuid.uuid4()), model.model_id, fields)

    async def get_model(self, actor_user_id: str, model_id: str) -> tuple[Model, list[ModelVersion]]:
        model = await self._model_for(actor_user_id, model_id)
        return model, await self._store.list_versions(model.model_id)

    async def get_version(self, model_version_id: str) -> ModelVersion:
        """For services, not users: no actor, and versions never change once created."""
        found = await self._store.get_version_with_account(parse_id(model_version_id, "model_version_id"))
        if found is None:
            raise NotFound(f"no model version with id {model_version_id}")
        return found[0]

    async def list_models(self, actor_user_id: str, account_id: str) -> list[Model]:
        actor = await resolve_actor(self._accounts, actor_user_id)
        if account_id:
            account_id = parse_id(account_id, "account_id")
            require_account_access(actor, account_id)
        elif not actor.is_admin:
            account_id = actor.account_id
        return await self._store.list_models(account_id or None)
