"""The registry's entities as plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

# Access rules and schedules are shared with the gateway and scheduler, which apply them; the
# domain's modules take their names from here.
from services.policy.access import ALLOW_ALL as ALLOW_ALL
from services.policy.access import AccessRule as AccessRule
from services.policy.access import Network as Network
from services.policy.access import RuleAction as RuleAction
from services.policy.schedule import Schedule as Schedule

TRIAL_REQUEST_LIMIT = 100
CHAT_FORMAT = "gguf"
"""A chat model's format: served by llama.cpp as an OpenAI chat API, with the engine's own tensors."""
HF_MODEL_FORMAT = "hf_model"
"""A chat model given as a Hugging Face model id: served by Triton's vLLM backend on a GPU Triton."""
CHAT_FORMATS = (CHAT_FORMAT, HF_MODEL_FORMAT)
CHAT_COMPLETIONS_PATH = "/v1/chat/completions"

JsonObject = dict[str, Any]
"""A protobuf message in its JSON shape (signatures, preprocessing, training configs), kept as it is."""


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class ApiType(StrEnum):
    FORMAL = "formal"
    TRIAL = "trial"


class ExecutionType(StrEnum):
    SERVERLESS = "serverless"
    DEDICATED = "dedicated"


class InstanceKind(StrEnum):
    CPU = "cpu"
    GPU = "gpu"


class ApiContract(StrEnum):
    """The client contract an API speaks; it decides the URL's form."""

    NNC = "nnc"
    PREDICTION_ONE = "prediction_one"
    OPENAI_CHAT = "openai_chat"


class ApiStatus(StrEnum):
    BUILDING = "building"
    UPDATING = "updating"
    RUNNING = "running"
    STOPPED = "stopped"
    DELETING = "deleting"
    FAILED = "failed"
    OUTSIDE_SCHEDULE = "outside_schedule"


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class User:
    user_id: str
    account_id: str
    name: str
    role: Role
    created_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass(frozen=True)
class IssuedSecret:
    """A credential in clear, returned once at creation."""

    credential_id: str
    secret: str


@dataclass(frozen=True)
class Model:
    model_id: str
    account_id: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class ModelVersion:
    model_version_id: str
    model_id: str
    version: int
    format: str
    artifact_uri: str
    sha256: str
    size_bytes: int
    # Signature and preprocessing keep the protobuf JSON shape: the registry validates and stores them.
    signature: JsonObject
    preprocessing: JsonObject
    created_at: datetime
    # Unique across every model's versions: Prediction One's integer model_id.
    number: int = 0
    # The training job that made it; empty for uploaded models.
    training_job_id: str = ""


@dataclass(frozen=True)
class PublishedApi:
    api_id: str
    account_id: str
    name: str
    model_version_id: str
    api_type: ApiType
    execution_type: ExecutionType
    instance_kind: InstanceKind
    instance_count: int
    schedule: Schedule
    status: ApiStatus
    status_message: str
    public: bool
    locked: bool
    trial_limit: int
    trial_used: int
    rules: tuple[AccessRule, ...] = field(default=())
    serving_model_version_id: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    contract: ApiContract = ApiContract.NNC
    # Chat APIs only: the OpenAI model id clients name (unique in the account); "" otherwise.
    chat_model_id: str = ""

    @property
    def url_path(self) -> str:
        if self.contract is ApiContract.OPENAI_CHAT:
            # Every chat API shares OpenAI's URL; the request's model names which one it calls.
            return CHAT_COMPLETIONS_PATH
        if self.contract is ApiContract.PREDICTION_ONE:
            # Prediction One's inference URL names a group: Torii's account.
            return f"/v1/groups/{self.account_id}/classifiers/{self.api_id}/inference"
        return f"/v1/{self.execution_type.value}/classifiers/{self.api_id}/inference"


@dataclass(frozen=True)
class KeyDigest:
    key_id: str
    sha256: bytes
    # None: the key does not expire.
    expires_at: datetime | None = None
    # A chat key: the registry admits each of its requests (ChatKeyService).
    chat_key: bool = False


@dataclass(frozen=True)
class ChatTokenUsage:
    """A chat API's requests and tokens on one UTC day, by key and project."""

    api_id: str
    day: str
    key_id: str
    project: str = ""
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class DailyUsage:
    api_id: str
    day: str
    count_2xx: int = 0
    count_4xx: int = 0
    count_5xx: int = 0
