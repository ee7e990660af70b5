"""A chat request's messages as the prompt a Hugging Face model reads, made with the model's own
Jinja chat template (its tokenizer_config.json's), as transformers' `apply_chat_template` makes it.

Triton's vLLM backend takes a prompt, not messages, so the gateway renders them. The same
variables and environment as transformers' keep the prompt the one the model was trained on:
`messages` as [{"role", "content"}], `add_generation_prompt` true, the special tokens the version
names, `raise_exception(message)`, `strftime_now(format)`, a `tojson` that does not escape HTML,
trim_blocks and lstrip_blocks, the loop controls, and `{% generation %}` blocks.

The template is the model owner's text, run on the gateway: a sandbox keeps it from Python's
internals (and limits range() to 100,000 items), and bounds here keep it from the gateway's time
and memory: at most MAX_PROMPT_BYTES of prompt, RENDER_CPU_S of CPU time per render, and no
string, list or number built past those sizes by `+`, `*` or `**`. What one C-level operation
builds at once (a `~` of two large strings, a filter's width) is past what the sandbox can see:
the caller that wants that bounded too renders in a worker process. render_prompt is a plain
function for that reason: the caller runs it off the event loop, in a thread or a process.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from types import FrameType
from typing import Any

from jinja2 import Template, nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.parser import Parser
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from torii.v1 import models_pb2

MAX_PROMPT_BYTES = 4 * 2**20
"""The most prompt a render may make, in UTF-8 bytes: a megabyte of messages (chat_request's
bound) in any real template is far less."""
RENDER_CPU_S = 1.0
"""CPU time one render may take; real templates take milliseconds even for a thousand messages."""
MAX_INT_BITS = 2**16
"""The largest number `*` or `**` may make: templates count messages, they do not compute."""
MAX_RAISED_CHARS = 1_000
"""A template's raise_exception message is cut to this many characters."""
CACHED_TEMPLATES = 32
"""Compiled templates kept, by text: compiling costs far more than rendering."""

_CLOCK_EVERY_LINES = 256
# Jinja compiles a template given as a string under this file name (Environment.from_string).
_TEMPLATE_FILE = "<template>"


class PromptFailure(Exception):
    """The template made no prompt. `client_error` true: the template refused the messages with
    raise_exception ("Conversation roles must alternate…"): answer 400 with `message`, the
    template's own words. False: the template does not compile, fails, or passed a bound: answer
    500, and keep `message` (which may quote the template) for the log."""

    def __init__(self, message: str, *, client_error: bool) -> None:
        super().__init__(message)
        self.message = message
        self.client_error = client_error

    def __reduce__(self) -> tuple[Any, ...]:
        # A render in a worker process sends its failure back pickled, and pickle passes only args.
        return functools.partial(PromptFailure, client_error=self.client_error), (self.message,)


def render_prompt(template: models_pb2.ChatTemplate, messages: Sequence[tuple[str, str]]) -> str:
    """The prompt for `messages` ((role, text), roles system, user, assistant), ending with the
    start of the assistant's turn; PromptFailure when the template makes none."""
    compiled = _compiled(template.template)
    if isinstance(compiled, str):
        raise PromptFailure(compiled, client_error=False)
    variables: dict[str, Any] = {
        "messages": [{"role": role, "content": text} for role, text in messages],
        "add_generation_prompt": True,
        # transformers passes these two as None when a request has none: templates test `tools is not none`.
        "tools": None,
        "documents": None,
    }
    # Only the tokens the tokenizer has: transformers leaves an absent one undefined (proto3's "").
    if template.bos_token:
        variables["bos_token"] = template.bos_token
    if template.eos_token:
        variables["eos_token"] = template.eos_token
    try:
        prompt = _render(compiled, variables)
        size = len(prompt.encode())
    except _Raised as raised:
        raise PromptFailure(raised.message, client_error=True) from None
    except _OverBound as over:
        raise PromptFailure(f"the chat template {over}", client_error=False) from None
    except Exception as error:  # whatever the owner's template does wrong is the template's failure
        raise PromptFailure(f"the chat template failed: {type(error).__name__}: {error}", client_error=False) from None
    if size > MAX_PROMPT_BYTES:
        raise PromptFailure(
            f"the chat template made a prompt of more than {MAX_PROMPT_BYTES} bytes", client_error=False
        )
    return prompt


class _Raised(Exception):
    """raise_exception, called by the template."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _OverBound(Exception):
    """The render passed one of the module's bounds; the message completes "the chat template …"."""


def _raise_exception(message: object) -> None:
    text = str(message)
    raise _Raised(text if len(text) <= MAX_RAISED_CHARS else text[:MAX_RAISED_CHARS] + "…")


def _strftime_now(format: str) -> str:
    return datetime.now().strftime(format)


def _tojson(
    value: object,
    ensure_ascii: bool = False,
    indent: int | str | None = None,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
) -> str:
    # transformers' own: Jinja's escapes <, >, & and ' for HTML, which a prompt must not have.
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


class _GenerationBlocks(Extension):
    """`{% generation %}…{% endgeneration %}`: transformers marks the assistant's tokens with it
    for training masks; a prompt keeps the body as it is."""

    tags = {"generation"}

    def parse(self, parser: Parser) -> list[nodes.Node]:
        next(parser.stream)
        return parser.parse_statements(("name:endgeneration",), drop_needle=True)


class _ChatTemplateEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with the operators that can build much from little checked first."""

    intercepted_binops = frozenset({"+", "*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _is_int(left) and _is_int(right) and abs(left) > 1 and right > 0:
            if right * abs(left).bit_length() > MAX_INT_BITS:
                raise _OverBound(f"computed a number of more than {MAX_INT_BITS} bits")
        elif operator == "*":
            _check_product(left, right)
        result = super().call_binop(context, operator, left, right)
        if operator == "+" and isinstance(result, str | list | tuple) and len(result) > MAX_PROMPT_BYTES:
            raise _OverBound(f"built a value of more than {MAX_PROMPT_BYTES} items")
        return result


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_product(left: Any, right: Any) -> None:
    if _is_int(left) and _is_int(right):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise _OverBound(f"computed a number of more than {MAX_INT_BITS} bits")
        return
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and _is_int(times) and len(sequence) * times > MAX_PROMPT_BYTES:
            raise _OverBound(f"built a value of more than {MAX_PROMPT_BYTES} items")


_ENVIRONMENT = _ChatTemplateEnvironment(
    trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols, _GenerationBlocks]
)
_ENVIRONMENT.globals["raise_exception"] = _raise_exception
_ENVIRONMENT.globals["strftime_now"] = _strftime_now
_ENVIRONMENT.filters["tojson"] = _tojson


@functools.lru_cache(maxsize=CACHED_TEMPLATES)
def _compiled(text: str) -> Template | str:
    """The template compiled, or why it does not compile (kept too: a broken template is not
    compiled again on every request)."""
    try:
        return _ENVIRONMENT.from_string(text)
    except Exception as error:  # the owner's text: whatever stops it compiling is the template's failure
        return f"the chat template does not compile: {type(error).__name__}: {error}"


def _render(template: Template, variables: dict[str, Any]) -> str:
    """The template's output, stopped once it passes MAX_PROMPT_BYTES characters or RENDER_CPU_S.

    Time is watched with a trace function on the template's own code only: a loop that outputs
    nothing (two nested range(100000)s) yields nothing to watch it by, and a thread cannot be
    stopped from outside. CPU time, not wall time, so a busy gateway does not fail a template.
    """
    deadline = time.thread_time() + RENDER_CPU_S
    lines = 0

    def on_line(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal lines
        lines += 1
        if lines % _CLOCK_EVERY_LINES == 0 and time.thread_time() > deadline:
            raise _OverBound(f"took more than {RENDER_CPU_S} s of CPU time")
        return on_line

    def on_call(frame: FrameType, event: str, arg: object) -> Any:
        return on_line if frame.f_code.co_filename == _TEMPLATE_FILE else None

    pieces: list[str] = []
    length = 0
    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        for piece in template.generate(**variables):
            pieces.append(piece)
            length += len(piece)
            # Characters: a prompt has at least as many bytes, so this stops a runaway early.
            if length > MAX_PROMPT_BYTES:
                raise _OverBound(f"made a prompt of more than {MAX_PROMPT_BYTES} bytes")
    finally:
        sys.settrace(previous)
    return "".join(pieces)
