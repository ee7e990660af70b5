"""Protobuf ↔ management JSON, in one place. Enums travel as lower-case words, times as ISO 8601 UTC."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar, cast

from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
from google.protobuf.timestamp_pb2 import Timestamp

from services.gateway.errors import invalid_argument
from services.tabular.setting_words import render
from torii.v1 import accounts_pb2, apis_pb2, chat_keys_pb2, models_pb2, tabular_pb2, training_pb2
from torii.v1 import chat_key_service_pb2 as cks
from torii.v1 import registry_service_pb2 as rs
from torii.v1 import training_registry_service_pb2 as trs

EnumT = TypeVar("EnumT", bound=int)


class EnumWords(Generic[EnumT]):
    """The words a proto enum is written as in JSON; the UNSPECIFIED value has none."""

    def __init__(self, enum_type: type[EnumT], prefix: str, spell: Callable[[str], str] = str.lower) -> None:
        # The stubs make each enum a class of metaclass EnumTypeWrapper (at run time it is one such
        # wrapper), which mypy does not see through the TypeVar; its items() answers plain ints.
        wrapper = cast(EnumTypeWrapper, enum_type)
        self._by_word: dict[str, EnumT] = {
            spell(name.removeprefix(prefix)): cast(EnumT, value)
            for name, value in wrapper.items()
            if not name.endswith("_UNSPECIFIED")
        }
        self._by_value = {value: word for word, value in self._by_word.items()}
        self.words: list[str] = list(self._by_word)

    def value(self, word: str) -> EnumT:
        # Words were checked against the schema's enum already; this guards direct callers.
        if word not in self._by_word:
            raise invalid_argument(f"{word!r} is not one of {', '.join(self.words)}")
        return self._by_word[word]

    def word(self, value: EnumT) -> str | None:
        return self._by_value.get(value)


API_TYPE = EnumWords(apis_pb2.ApiType, "API_TYPE_")
EXECUTION_TYPE = EnumWords(apis_pb2.ExecutionType, "EXECUTION_TYPE_")
INSTANCE_KIND = EnumWords(apis_pb2.InstanceKind, "INSTANCE_KIND_")
API_STATUS = EnumWords(apis_pb2.ApiStatus, "API_STATUS_")
RULE_ACTION = EnumWords(apis_pb2.RuleAction, "RULE_ACTION_")
WEEKDAY = EnumWords(apis_pb2.Weekday, "WEEKDAY_", lambda name: name[:3].lower())
ROLE = EnumWords(accounts_pb2.Role, "ROLE_")
# Data types keep Triton's spelling (FP32, INT64) because that is how model authors know them.
DATA_TYPE = EnumWords(models_pb2.DataType, "DATA_TYPE_", str)
MODEL_FORMAT = EnumWords(models_pb2.ModelFormat, "MODEL_FORMAT_")
API_CONTRACT = EnumWords(apis_pb2.ApiContract, "API_CONTRACT_")
CREDENTIAL_KIND = EnumWords(rs.CredentialKind, "CREDENTIAL_KIND_")
TRAINING_JOB_STATUS = EnumWords(training_pb2.TrainingJobStatus, "TRAINING_JOB_STATUS_")
KEY_PURPOSE = EnumWords(training_pb2.KeyPurpose, "KEY_PURPOSE_")


def timestamp(value: Timestamp, present: bool = True) -> str | None:
    if not present or (value.seconds == 0 and value.nanos == 0):
        return None
    return value.ToJsonString()


def _float32(value: float) -> float:
    # Proto floats are 32-bit: show 0.485 as 0.485, not 0.48500001430511475.
    return float(f"{value:.7g}")


# --- accounts and users -------------------------------------------------------------------------


def account_json(account: accounts_pb2.Account) -> dict:
    return {"account_id": account.account_id, "name": account.name, "created_at": timestamp(account.created_at)}


def user_json(user: accounts_pb2.User) -> dict:
    return {
        "user_id": user.user_id,
        "account_id": user.account_id,
        "name": user.name,
        "role": ROLE.word(user.role),
        "created_at": timestamp(user.created_at),
    }


def training_job_json(job: training_pb2.TrainingJob) -> dict:
    """A training job as the management API shows it (Prediction One's routes show it in its words)."""
    return {
        "job_id": job.job_id,
        "model_name": job.model_name,
        "status": TRAINING_JOB_STATUS.word(job.status),
        # The trainer marks the settings a message names; this API shows them by the trainer's own names.
        "message": render(job.message, {}),
        "created_at": timestamp(job.created_at),
        "finished_at": timestamp(job.finished_at, job.HasField("finished_at")),
    }


# --- Prediction One's training, as the management API shows it -----------------------------------

PROBLEM_TYPE = EnumWords(tabular_pb2.ProblemType, "PROBLEM_TYPE_")
TRAINING_JOB_KIND = EnumWords(training_pb2.TrainingJobKind, "TRAINING_JOB_KIND_")
_WAITING = (training_pb2.TRAINING_JOB_STATUS_AWAITING_DATA, training_pb2.TRAINING_JOB_STATUS_QUEUED)


def page_info_json(page: trs.PageInfo) -> dict:
    return {"offset": page.offset, "limit": page.limit, "total": page.total}


def elapsed_seconds(job: training_pb2.TrainingJob, now: datetime) -> float | None:
    """Seconds from the job's latest start by a trainer (started_at) to its end (finished_at), or to
    now while it runs; None while it waits to be trained (a requeued job keeps its last start)."""
    if not job.HasField("started_at") or job.status in _WAITING:
        return None
    end = job.finished_at.ToDatetime(UTC) if job.HasField("finished_at") else now
    # The registry's clock stamps started_at and the gateway's gives now: never show a negative time.
    return max(0.0, round((end - job.started_at.ToDatetime(UTC)).total_seconds(), 3))


def training_job_detail_json(job: training_pb2.TrainingJob, now: datetime) -> dict:
    """training_job_json with what a console shows of a job in progress and of its outcome."""
    finished = job.status == training_pb2.TRAINING_JOB_STATUS_FINISHED
    return {
        **training_job_json(job),
        "kind": TRAINING_JOB_KIND.word(job.kind),
        "progress": {"phase": job.progress.phase, "fold": job.progress.fold, "percent": round(job.progress.percent, 1)},
        "updated_at": timestamp(job.updated_at, job.HasField("updated_at")),
        "started_at": timestamp(job.started_at, job.HasField("started_at")),
        "elapsed_seconds": elapsed_seconds(job, now),
        "model_number": job.model_number or None,
        "model_version_id": job.model_version_id or None,
        # A finished job's result zip goes with the model it made (the number is gone once deleted).
        "result_available": finished and bool(job.result_uri) and bool(job.model_number),
    }


def data_set_json(data_set: training_pb2.DataSet) -> dict:
    return {
        "data_set_id": data_set.data_set_id,
        "account_id": data_set.account_id,
        "owner_user_id": data_set.owner_user_id,
        "name": data_set.name,
        "extension": data_set.extension,
        "column_count": data_set.column_count,
        "data_count": data_set.data_count,
        "size_bytes": data_set.size_bytes,
        "sha256": data_set.sha256,
        "created_at": timestamp(data_set.created_at, data_set.HasField("created_at")),
        "updated_at": timestamp(data_set.updated_at, data_set.HasField("updated_at")),
    }


def trained_model_json(model: trs.TrainedModel) -> dict:
    version = model.model_version
    return {
        "model_number": version.number,
        "model_version_id": version.model_version_id,
        "model_id": version.model_id,
        "model_name": model.model_name,
        "version": version.version,
        "owner_user_id": model.owner_user_id,
        "problem_type": PROBLEM_TYPE.word(model.problem_type),
        "target_column": model.config.target_column,
        "in_use": model.in_use,
        "created_at": timestamp(version.created_at, version.HasField("created_at")),
        "updated_at": timestamp(model.updated_at, model.HasField("updated_at")),
    }


def credential_json(credential: rs.Credential) -> dict:
    """What a credential is for and when it was used; its secret is never kept in clear."""
    return {
        "credential_id": credential.credential_id,
        "kind": CREDENTIAL_KIND.word(credential.kind),
        "user_id": credential.user_id or None,
        "api_id": credential.api_id or None,
        "account_id": credential.account_id,
        "purpose": KEY_PURPOSE.word(credential.purpose),
        "created_at": timestamp(credential.created_at),
        "expires_at": timestamp(credential.expires_at, credential.HasField("expires_at")),
        "last_used_at": timestamp(credential.last_used_at, credential.HasField("last_used_at")),
        "bootstrap": credential.bootstrap,
    }


# --- models -------------------------------------------------------------------------------------


def tensor_json(spec: models_pb2.TensorSpec) -> dict:
    return {"name": spec.name, "data_type": DATA_TYPE.word(spec.data_type), "shape": list(spec.shape)}


def signature_json(signature: models_pb2.Signature) -> dict:
    return {
        "inputs": [tensor_json(t) for t in signature.inputs],
        "outputs": [tensor_json(t) for t in signature.outputs],
    }


def signature_from_json(data: Mapping[str, Any]) -> models_pb2.Signature:
    def tensor(item: Mapping[str, Any]) -> models_pb2.TensorSpec:
        return models_pb2.TensorSpec(
            name=item["name"], data_type=DATA_TYPE.value(item["data_type"]), shape=item["shape"]
        )

    return models_pb2.Signature(
        inputs=[tensor(t) for t in data.get("inputs", ())], outputs=[tensor(t) for t in data.get("outputs", ())]
    )


def preprocessing_json(preprocessing: models_pb2.Preprocessing) -> dict:
    return {
        "images": [
            {
                "input_name": image.input_name,
                "height": image.height,
                "width": image.width,
                "channels": image.channels,
                "mean": [_float32(v) for v in image.mean],
                "std": [_float32(v) for v in image.std],
            }
            for image in preprocessing.images
        ]
    }


def preprocessing_from_json(data: Mapping[str, Any]) -> models_pb2.Preprocessing:
    return models_pb2.Preprocessing(
        images=[
            models_pb2.ImagePreprocessing(
                input_name=image["input_name"],
                height=image["height"],
                width=image["width"],
                channels=image["channels"],
                mean=image.get("mean", ()),
                std=image.get("std", ()),
            )
            for image in data.get("images", ())
        ]
    )


def model_json(model: models_pb2.Model) -> dict:
    return {
        "model_id": model.model_id,
        "account_id": model.account_id,
        "name": model.name,
        "created_at": timestamp(model.created_at),
    }


CHAT_FORMATS = (models_pb2.MODEL_FORMAT_GGUF, models_pb2.MODEL_FORMAT_HF_MODEL)


def _chat_template_json(template: models_pb2.ChatTemplate) -> dict:
    return {"template": template.template, "bos_token": template.bos_token, "eos_token": template.eos_token}


def version_json(version: models_pb2.ModelVersion) -> dict:
    return {
        "model_version_id": version.model_version_id,
        "model_id": version.model_id,
        "version": version.version,
        "format": MODEL_FORMAT.word(version.format),
        "artifact_uri": version.artifact_uri,
        "sha256": version.sha256,
        "size_bytes": version.size_bytes,
        "signature": None if version.format in CHAT_FORMATS else signature_json(version.signature),
        "preprocessing": preprocessing_json(version.preprocessing),
        "chat_template": _chat_template_json(version.preprocessing.chat_template)
        if version.preprocessing.HasField("chat_template")
        else None,
        "created_at": timestamp(version.created_at),
    }


# --- published APIs -----------------------------------------------------------------------------


def schedule_json(schedule: apis_pb2.Schedule, present: bool = True) -> dict:
    if not present or schedule.always:
        return {"always": True}
    return {
        "always": False,
        "start_time": schedule.start_time,
        "end_time": schedule.end_time,
        "weekdays": [WEEKDAY.word(day) for day in schedule.weekdays],
    }


def schedule_from_json(data: Mapping[str, Any]) -> apis_pb2.Schedule:
    window_keys = [key for key in ("start_time", "end_time", "weekdays") if key in data]
    if data.get("always", False):
        if window_keys:
            raise invalid_argument(f'"schedule" is always on; drop {", ".join(window_keys)} or set "always" to false')
        return apis_pb2.Schedule(always=True)
    missing = [key for key in ("start_time", "end_time", "weekdays") if key not in data]
    if missing:
        raise invalid_argument(
            f'"schedule" needs {", ".join(missing)} for a daily window, or {{"always": true}} to run all the time'
        )
    return apis_pb2.Schedule(
        always=False,
        start_time=data["start_time"],
        end_time=data["end_time"],
        weekdays=[WEEKDAY.value(day) for day in data["weekdays"]],
    )


def rule_json(rule: apis_pb2.AccessRule) -> dict:
    return {"cidr": rule.cidr, "action": RULE_ACTION.word(rule.action), "priority": rule.priority}


def rule_from_json(data: Mapping[str, Any]) -> apis_pb2.AccessRule:
    return apis_pb2.AccessRule(
        cidr=data["cidr"], action=RULE_ACTION.value(data.get("action", "allow")), priority=data.get("priority", 0)
    )


def api_info(api: apis_pb2.PublishedApi, base_url: str) -> dict:
    """The API as Prediction One's API-creation screen and NNC's published-API list show it."""
    trial = None
    if api.api_type == apis_pb2.API_TYPE_TRIAL:
        trial = {
            "limit": api.trial_limit,
            "used": api.trial_used,
            "remaining": max(api.trial_limit - api.trial_used, 0),
        }
    return {
        "api_id": api.api_id,
        "account_id": api.account_id,
        "name": api.name,
        "api_type": API_TYPE.word(api.api_type),
        "model_version_id": api.model_version_id,
        "serving_model_version_id": api.serving_model_version_id or None,
        "execution_type": EXECUTION_TYPE.word(api.execution_type),
        "contract": API_CONTRACT.word(api.contract),
        "chat_model_id": api.chat_model_id or None,
        "instance_kind": INSTANCE_KIND.word(api.instance_kind),
        "instance_count": api.instance_count,
        "schedule": schedule_json(api.schedule, api.HasField("schedule")),
        "status": API_STATUS.word(api.status),
        "status_message": api.status_message,
        "public": api.public,
        "locked": api.locked,
        "rules": [rule_json(rule) for rule in api.rules],
        "url": base_url + api.url_path if api.url_path else None,
        "trial": trial,
        "created_at": timestamp(api.created_at, api.HasField("created_at")),
        "updated_at": timestamp(api.updated_at, api.HasField("updated_at")),
    }


def create_api_request(body: Mapping[str, Any], actor: accounts_pb2.User) -> rs.CreateApiRequest:
    request = rs.CreateApiRequest(
        actor_user_id=actor.user_id,
        account_id=body.get("account_id") or actor.account_id,
        name=body["name"],
        model_version_id=body["model_version_id"],
        api_type=API_TYPE.value(body["api_type"]),
        execution_type=EXECUTION_TYPE.value(body["execution_type"]),
        instance_kind=INSTANCE_KIND.value(body["instance_kind"]),
        instance_count=body.get("instance_count", 0),
        public=body.get("public", True),
        rules=[rule_from_json(rule) for rule in body.get("rules", ())],
        rules_given="rules" in body,
    )
    if "chat_model_id" in body:
        request.contract = apis_pb2.API_CONTRACT_OPENAI_CHAT
        request.chat_model_id = body["chat_model_id"]
    if "schedule" in body:
        request.schedule.CopyFrom(schedule_from_json(body["schedule"]))
    return request


def update_api_request(body: Mapping[str, Any], actor: accounts_pb2.User, api_id: str) -> rs.UpdateApiRequest:
    if not body:
        raise invalid_argument("nothing to change: give at least one field to update")
    request = rs.UpdateApiRequest(actor_user_id=actor.user_id, api_id=api_id)
    for key in ("name", "model_version_id", "instance_count", "public"):
        if key in body:
            setattr(request, key, body[key])
    if "execution_type" in body:
        request.execution_type = EXECUTION_TYPE.value(body["execution_type"])
    if "instance_kind" in body:
        request.instance_kind = INSTANCE_KIND.value(body["instance_kind"])
    if "schedule" in body:
        request.schedule.CopyFrom(schedule_from_json(body["schedule"]))
    return request


def usage_json(days, chat_tokens=()) -> dict:
    return {
        "days": [
            {"day": d.day, "count_2xx": d.count_2xx, "count_4xx": d.count_4xx, "count_5xx": d.count_5xx} for d in days
        ],
        "chat_tokens": [
            {
                "day": t.day,
                "key_id": t.key_id,
                "project": t.project,
                "requests": t.requests,
                "prompt_tokens": t.prompt_tokens,
                "completion_tokens": t.completion_tokens,
            }
            for t in chat_tokens
        ],
    }


# --- chat keys ----------------------------------------------------------------------------------

CHAT_KEY_LIMIT_FIELDS = (
    "requests_per_minute",
    "tokens_per_minute",
    "max_in_flight",
    "tokens_per_day",
    "tokens_per_month",
)


def chat_key_json(key: chat_keys_pb2.ChatKey) -> dict:
    """A chat key without its secret; a limit of 0 (none) is shown as null, like an unset expiry."""
    return {
        "key_id": key.key_id,
        "account_id": key.account_id,
        "name": key.name,
        "api_ids": list(key.api_ids),
        "limits": {field: getattr(key.limits, field) or None for field in CHAT_KEY_LIMIT_FIELDS},
        "projects": list(key.projects),
        "default_project": key.default_project or None,
        "created_at": timestamp(key.created_at, key.HasField("created_at")),
        "expires_at": timestamp(key.expires_at, key.HasField("expires_at")),
        "rotated_at": timestamp(key.rotated_at, key.HasField("rotated_at")),
    }


def chat_key_limits_from_json(data: Mapping[str, Any]) -> chat_keys_pb2.ChatKeyLimits:
    # null, absent and 0 all mean no limit, which the proto spells 0.
    return chat_keys_pb2.ChatKeyLimits(**{field: data.get(field) or 0 for field in CHAT_KEY_LIMIT_FIELDS})


def create_chat_key_request(body: Mapping[str, Any], actor: accounts_pb2.User) -> cks.CreateChatKeyRequest:
    """Everything but the expiry, whose parsing is the credentials routes' (the handler sets it).
    The registry checks what no schema can: that the APIs are chat APIs of the account, that the
    default is one of the projects."""
    return cks.CreateChatKeyRequest(
        actor_user_id=actor.user_id,
        account_id=body.get("account_id") or "",
        name=body["name"],
        api_ids=body["api_ids"],
        limits=chat_key_limits_from_json(body.get("limits", {})),
        projects=body.get("projects", ()),
        default_project=body.get("default_project") or "",
    )


def update_chat_key_request(body: Mapping[str, Any], actor: accounts_pb2.User, key_id: str) -> cks.UpdateChatKeyRequest:
    if not body:
        raise invalid_argument("nothing to change: give at least one field to update")
    # The request has no "default given" flag: a lone null or empty default would be dropped silently
    # (the registry refuses only a lone named one), so the default is taken only with its projects.
    if "default_project" in body and "projects" not in body:
        raise invalid_argument('"default_project" is set with the projects: give "projects" with it')
    request = cks.UpdateChatKeyRequest(actor_user_id=actor.user_id, key_id=key_id)
    if "name" in body:
        request.name = body["name"]
    if "api_ids" in body:
        request.api_ids.extend(body["api_ids"])
        request.api_ids_given = True
    if "limits" in body:
        # CopyFrom marks the field present even when every limit is none: presence says "replace".
        request.limits.CopyFrom(chat_key_limits_from_json(body["limits"]))
    if "projects" in body:
        request.projects.extend(body["projects"])
        request.projects_given = True
        request.default_project = body.get("default_project") or ""
    return request


def chat_key_usage_json(days: Iterable[apis_pb2.ChatTokenUsage]) -> dict:
    return {
        "usage": [
            {
                "day": t.day,
                "api_id": t.api_id,
                "project": t.project,
                "requests": t.requests,
                "prompt_tokens": t.prompt_tokens,
                "completion_tokens": t.completion_tokens,
            }
            for t in days
        ]
    }
