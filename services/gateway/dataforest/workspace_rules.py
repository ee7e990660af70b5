"""The AI workspace requests' validation rules (shared/contracts/dataforest.md §5, §6, §8.1, §8.2, §8.6, §8.7).

Pure functions over the body dicts that wire.parse_body makes of JSON and XML alike: each returns the
validated value, with the defaults of §8.6 filled in, or raises errors.invalid_parameter for the first
rule broken, worded as §8.1 says (`invalid request parameter (<dotted.path>, '<value>'). <reason>`).
Anything may arrive with the wrong type (text where XML had no type hint, a list where an object was
expected): that is a rule broken on that path too, never a crash. Fields that are not in the contract
are ignored. An empty XML element is an empty string, so it is only an empty value where a string is.

The order of the checks, first failure reported (§6's table order, then the fields §6 leaves out, in
the order they appear in §5's types; within a field: null, type, size, then its pattern or range):
 1. `id` (setConfiguration, delete, getDetail, getConfigurationList), `search.accountId` (getList)
 2. `accountId`, `name`, `description`, `configuration` (create, checkAvailableName: the first two)
 3. `configuration.docker` (§8.2), `configuration.docker.image` (required, §8.2; the image pattern),
    `configuration.docker.command` (required, not blank)
 4. `configuration.resource` (an object when given), `.gpuCount`, `.cpuCount`, `.memoryMb`, `.gpuModel`,
    then `configuration.queueName`. The gpuCount and gpuModel rules depend on the queue (§8.6: 1 to 8 GPUs
    and a model of the allow-list on a GPU queue, none on a CPU queue); while the queue is not one of
    the operator's, they are checked with what both kinds allow, so that the queue's own error comes.
 5. `configuration.docker.exposeTcpPorts` (an array of at most `max_ports`; each 1 to 65535, unique)
 6. `configuration.docker.args` (`arg` is its alias, §5; not both), `.env` (names, count, sizes),
    `.workdir` (an absolute path, or empty for the image's own)
 7. `configuration.name`, `configuration.userPackageUri` (kept as sent; nothing runs from them)
 8. `configuration.data` (an object when given), then each `input[i]` (`hdfs`, `path`), then each
    `output[i]` (`hdfs`, `path`, `overwrite`). `hdfs` is a path under the operator's storage root (§8.7),
    relative or absolute (both mean below the root), naming something below it: no `..` component,
    no NUL, not the root itself. `path` is an absolute path in the container.

Text handed to a shell or to exec (command, args, env values, paths) may not hold NUL, which no
process can receive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from services.gateway.dataforest import errors
from services.policy.workspace_rules import IMAGE_PATTERN, NAME_PATTERN
from torii.v1 import workspaces_pb2

ID_PATTERN = "^[0-9A-Za-z]{1,22}$"
ENV_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$"

ID_MAX_LENGTH = 22
DESCRIPTION_MAX_LENGTH = 255
PATH_MAX_LENGTH = 1024
"""§8.7 for storage paths; the same bound for container paths, workdir and userPackageUri."""
PORT_MIN, PORT_MAX = 1, 65535

DEFAULT_CPU_COUNT = 1
DEFAULT_MEMORY_MB = 15360
"""§8.6: "15GB" read as 15 GiB in MiB."""
_INT32_MAX = 2**31 - 1

# fullmatch, not match: `$` alone would let a trailing newline through.
_ID = re.compile(ID_PATTERN)
_NAME = re.compile(NAME_PATTERN)
_IMAGE = re.compile(IMAGE_PATTERN)
_ENV_NAME = re.compile(ENV_NAME_PATTERN)

_NOT_NULL = "must not be null"
_NO_NUL = "must not contain a NUL character"
_INSIDE_STORAGE = "must be a path inside the storage"
_ABSOLUTE = "must be an absolute path"


@dataclass(frozen=True)
class WorkspaceRules:
    """What the operator decides about workspaces (§5 leaves the maxima and model list open, §8.6)."""

    queues: tuple[str, ...] = ("gpu", "cpu")
    """The queues a configuration may name."""
    cpu_queues: tuple[str, ...] = ("cpu",)
    """The queues without GPUs (§8.6's Torii extension); every other queue is a GPU queue."""
    default_queue: str = "gpu"
    gpu_models: tuple[str, ...] = ("T4", "V100")
    default_gpu_model: str = "V100"
    max_gpu_count: int = 8
    max_cpu_count: int = 64
    max_memory_mb: int = 1_048_576
    max_ports: int = 16
    max_env: int = 100
    max_env_name_length: int = 255
    max_env_value_length: int = 32_768
    max_command_length: int = 8192
    """For command and for args each."""
    max_app_name_length: int = 255
    max_inputs: int = 32
    max_outputs: int = 32

    def __post_init__(self) -> None:
        if self.default_queue not in self.queues:
            raise ValueError(f"the default queue {self.default_queue!r} is not one of {self.queues}")
        if self.default_gpu_model not in self.gpu_models:
            raise ValueError(f"the default GPU model {self.default_gpu_model!r} is not one of {self.gpu_models}")
        if not DEFAULT_CPU_COUNT <= self.max_cpu_count <= _INT32_MAX:
            raise ValueError(f"max_cpu_count must be between {DEFAULT_CPU_COUNT} and {_INT32_MAX}")
        if not DEFAULT_MEMORY_MB <= self.max_memory_mb <= _INT32_MAX:
            raise ValueError(f"max_memory_mb must be between {DEFAULT_MEMORY_MB} and {_INT32_MAX}")
        if not 1 <= self.max_gpu_count <= _INT32_MAX:
            raise ValueError(f"max_gpu_count must be between 1 and {_INT32_MAX}")


@dataclass(frozen=True)
class CreateRequest:
    account_id: str
    """As sent: the caller decides whether it names an account the key may use (§8.3)."""
    name: str
    description: str
    configuration: workspaces_pb2.WorkspaceConfiguration


def create_request(body: Mapping[str, Any], rules: WorkspaceRules) -> CreateRequest:
    account_id, name = name_request(body)
    description = _optional_text(body.get("description"), "description", DESCRIPTION_MAX_LENGTH)
    return CreateRequest(account_id, name, description, _configuration(body.get("configuration"), rules))


def configuration_request(
    body: Mapping[str, Any], rules: WorkspaceRules
) -> tuple[str, workspaces_pb2.WorkspaceConfiguration]:
    """setConfiguration's `{id, configuration}`."""
    workspace_id = id_request(body)
    return workspace_id, _configuration(body.get("configuration"), rules)


def id_request(body: Mapping[str, Any]) -> str:
    """The `{id}` of delete, getDetail and getConfigurationList, checked before any lookup (§8.1)."""
    return _base62(body.get("id"), "id")


def name_request(body: Mapping[str, Any]) -> tuple[str, str]:
    """checkAvailableName's `{accountId, name}`, by create's rules."""
    account_id = _base62(body.get("accountId"), "accountId")
    name = _string(_required(body.get("name"), "name"), "name")
    _match(name, "name", _NAME)
    return account_id, name


def list_request(body: Mapping[str, Any]) -> str | None:
    """getList's `search.accountId`; None when left out (the key's own account: a key has one)."""
    search = body.get("search")
    if search is None:
        return None
    account_id = _object(search, "search").get("accountId")
    return None if account_id is None else _base62(account_id, "search.accountId")


# configuration (AiAppTypeSpec)


def _configuration(value: object, rules: WorkspaceRules) -> workspaces_pb2.WorkspaceConfiguration:
    spec = _object(_required(value, "configuration"), "configuration")
    docker = _object(_required(spec.get("docker"), "configuration.docker"), "configuration.docker")
    image = _string(_required(docker.get("image"), "configuration.docker.image"), "configuration.docker.image")
    _match(image, "configuration.docker.image", _IMAGE)
    command = _command(docker.get("command"), rules)
    queue_name, resource = _queue_and_resource(spec, rules)
    ports = _ports(docker.get("exposeTcpPorts"), rules)
    args = _args(docker, rules)
    env = _env(docker.get("env"), rules)
    workdir = _workdir(docker.get("workdir"))
    app_name = _optional_text(spec.get("name"), "configuration.name", rules.max_app_name_length)
    package = _optional_text(spec.get("userPackageUri"), "configuration.userPackageUri", PATH_MAX_LENGTH)
    inputs, outputs = _data(spec.get("data"), rules)
    return workspaces_pb2.WorkspaceConfiguration(
        queue_name=queue_name,
        app_name=app_name,
        user_package_uri=package,
        resource=resource,
        docker=workspaces_pb2.WorkspaceDocker(
            image=image, command=command, args=args, env=env, expose_tcp_ports=ports, workdir=workdir
        ),
        inputs=inputs,
        outputs=outputs,
    )


def _command(value: object, rules: WorkspaceRules) -> str:
    path = "configuration.docker.command"
    command = _string(_required(value, path), path)
    if not command.strip():
        _fail(path, command, "must not be blank")
    _size(command, path, rules.max_command_length)
    _no_nul(command, path)
    return command


def _queue_and_resource(spec: Mapping[str, Any], rules: WorkspaceRules) -> tuple[str, workspaces_pb2.WorkspaceResource]:
    queue_value = spec.get("queueName")
    known_queue = rules.default_queue if queue_value is None else queue_value if queue_value in rules.queues else None
    # None while the queue is not one of the operator's: its own error comes after the resource's.
    on_gpus = None if known_queue is None else known_queue not in rules.cpu_queues
    resource_value = spec.get("resource")
    resource = {} if resource_value is None else _object(resource_value, "configuration.resource")
    gpu_count = _gpu_count(resource.get("gpuCount"), on_gpus, rules)
    cpu_count = _count(
        resource.get("cpuCount"), "configuration.resource.cpuCount", DEFAULT_CPU_COUNT, rules.max_cpu_count
    )
    memory_mb = _count(
        resource.get("memoryMb"), "configuration.resource.memoryMb", DEFAULT_MEMORY_MB, rules.max_memory_mb
    )
    gpu_model = _gpu_model(resource.get("gpuModel"), on_gpus, rules)
    queue_name = _one_of(queue_value, "configuration.queueName", rules.queues, rules.default_queue)
    return queue_name, workspaces_pb2.WorkspaceResource(
        cpu_count=cpu_count, memory_mb=memory_mb, gpu_count=gpu_count, gpu_model=gpu_model
    )


def _gpu_count(value: object, on_gpus: bool | None, rules: WorkspaceRules) -> int:
    path = "configuration.resource.gpuCount"
    if value is None:
        return 1 if on_gpus else 0
    count = _integer(value, path)
    low = 1 if on_gpus else 0
    high = 0 if on_gpus is False else rules.max_gpu_count
    _range(count, path, low, high)
    return count


def _count(value: object, path: str, default: int, maximum: int) -> int:
    if value is None:
        return default
    count = _integer(value, path)
    _range(count, path, 1, maximum)
    return count


def _gpu_model(value: object, on_gpus: bool | None, rules: WorkspaceRules) -> str:
    path = "configuration.resource.gpuModel"
    if on_gpus is False:
        if value is not None:
            _fail(path, value, "must be null")
        return ""
    if value is None and on_gpus is None:
        return ""
    return _one_of(value, path, rules.gpu_models, rules.default_gpu_model)


def _one_of(value: object, path: str, allowed: tuple[str, ...], default: str) -> str:
    if value is None:
        return default
    text = _string(value, path)
    if text not in allowed:
        _fail(path, text, f'must match "{"|".join(allowed)}"')
    return text


# docker (AiAppDocker)


def _ports(value: object, rules: WorkspaceRules) -> list[int]:
    path = "configuration.docker.exposeTcpPorts"
    items = _array(value, path, rules.max_ports)
    ports: list[int] = []
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        port = _integer(item, item_path)
        _range(port, item_path, PORT_MIN, PORT_MAX)
        if port in ports:
            _fail(item_path, port, "must be unique")
        ports.append(port)
    return ports


def _args(docker: Mapping[str, Any], rules: WorkspaceRules) -> str:
    args, arg = docker.get("args"), docker.get("arg")
    if args is not None and arg is not None:
        _fail("configuration.docker.arg", arg, "must be null when args is given")
    path = "configuration.docker.args" if arg is None else "configuration.docker.arg"
    text = _optional_text(args if arg is None else arg, path, rules.max_command_length)
    _no_nul(text, path)
    return text


def _env(value: object, rules: WorkspaceRules) -> dict[str, str]:
    path = "configuration.docker.env"
    if value is None:
        return {}
    names = _object(value, path)
    if len(names) > rules.max_env:
        _fail(path, value, f"size must be between 0 and {rules.max_env}")
    env: dict[str, str] = {}
    for name, text in names.items():
        if not _ENV_NAME.fullmatch(name):
            _fail(path, name, f'keys must match "{ENV_NAME_PATTERN}"')
        if len(name) > rules.max_env_name_length:
            _fail(path, name, f"key size must be between 1 and {rules.max_env_name_length}")
        value_path = f"{path}.{name}"
        env[name] = _string(_required(text, value_path), value_path)
        _size(env[name], value_path, rules.max_env_value_length)
        _no_nul(env[name], value_path)
    return env


def _workdir(value: object) -> str:
    path = "configuration.docker.workdir"
    workdir = _optional_text(value, path, PATH_MAX_LENGTH)
    if workdir:
        _absolute(workdir, path)
    return workdir


# data (AiAppData)


def _data(
    value: object, rules: WorkspaceRules
) -> tuple[list[workspaces_pb2.WorkspaceInput], list[workspaces_pb2.WorkspaceOutput]]:
    if value is None:
        return [], []
    data = _object(value, "configuration.data")
    inputs = []
    for index, item in enumerate(_array(data.get("input"), "configuration.data.input", rules.max_inputs)):
        entry = _object(item, f"configuration.data.input[{index}]")
        source = _storage_path(entry.get("hdfs"), f"configuration.data.input[{index}].hdfs")
        target = _container_path(entry.get("path"), f"configuration.data.input[{index}].path")
        inputs.append(workspaces_pb2.WorkspaceInput(source=source, path=target))
    outputs = []
    for index, item in enumerate(_array(data.get("output"), "configuration.data.output", rules.max_outputs)):
        item_path = f"configuration.data.output[{index}]"
        entry = _object(item, item_path)
        destination = _storage_path(entry.get("hdfs"), f"{item_path}.hdfs")
        source = _container_path(entry.get("path"), f"{item_path}.path")
        overwrite = entry.get("overwrite")
        if overwrite is not None and not isinstance(overwrite, bool):
            _fail(f"{item_path}.overwrite", overwrite, "must be a boolean")
        outputs.append(workspaces_pb2.WorkspaceOutput(path=source, destination=destination, overwrite=bool(overwrite)))
    return inputs, outputs


def _storage_path(value: object, path: str) -> str:
    text = _string(_required(value, path), path)
    _size(text, path, PATH_MAX_LENGTH)
    parts = text.split("/")
    if "\x00" in text or ".." in parts or all(part in ("", ".") for part in parts):
        _fail(path, text, _INSIDE_STORAGE)
    return text


def _container_path(value: object, path: str) -> str:
    text = _string(_required(value, path), path)
    _size(text, path, PATH_MAX_LENGTH)
    _absolute(text, path)
    return text


def _absolute(text: str, path: str) -> None:
    if not text.startswith("/"):
        _fail(path, text, _ABSOLUTE)
    _no_nul(text, path)


# The single checks, each worded as Bean Validation's English defaults where one exists (§6).


def _fail(path: str, value: object, reason: str) -> NoReturn:
    raise errors.invalid_parameter(path, _shown(value), reason)


def _shown(value: object) -> object:
    """Objects and arrays as the JSON they came as, not as Python's repr of them."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def _required(value: object, path: str) -> object:
    if value is None:
        _fail(path, None, _NOT_NULL)
    return value


def _object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        _fail(path, value, "must be an object")
    return value


def _array(value: object, path: str, maximum: int) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(path, value, "must be an array")
    if len(value) > maximum:
        _fail(path, value, f"size must be between 0 and {maximum}")
    return value


def _string(value: object, path: str) -> str:
    if not isinstance(value, str):
        _fail(path, value, "must be a string")
    return value


def _integer(value: object, path: str) -> int:
    # bool is an int to Python, not to the contract.
    if not isinstance(value, int) or isinstance(value, bool):
        _fail(path, value, "must be an integer")
    return value


def _optional_text(value: object, path: str, maximum: int) -> str:
    if value is None:
        return ""
    text = _string(value, path)
    _size(text, path, maximum)
    return text


def _base62(value: object, path: str) -> str:
    text = _string(_required(value, path), path)
    _size(text, path, ID_MAX_LENGTH)
    _match(text, path, _ID)
    return text


def _size(text: str, path: str, maximum: int) -> None:
    if len(text) > maximum:
        _fail(path, text, f"size must be between 0 and {maximum}")


def _match(text: str, path: str, pattern: re.Pattern[str]) -> None:
    if not pattern.fullmatch(text):
        _fail(path, text, f'must match "{pattern.pattern}"')


def _range(number: int, path: str, low: int, high: int) -> None:
    if number < low:
        _fail(path, number, f"must be greater than or equal to {low}")
    if number > high:
        _fail(path, number, f"must be less than or equal to {high}")


def _no_nul(text: str, path: str) -> None:
    if "\x00" in text:
        _fail(path, text, _NO_NUL)
