"""Messages rendered with a Hugging Face model's chat template as transformers renders them, and the
bounds that keep an owner's template from the gateway's time and memory.

The templates are written here in the styles real models ship: ChatML (SmolLM2, Qwen), written as
one line and as indented blocks, and Llama 2 / Mistral's [INST] with its special tokens and its
refusal of turns out of order. The expected prompts are written out by hand.
"""

from __future__ import annotations

import asyncio
import pickle
import sys
import uuid
from datetime import datetime
from typing import Any

import jinja2
import pytest

from services.gateway.openai_chat import chat_prompt
from services.gateway.openai_chat.chat_prompt import MAX_RAISED_CHARS, PromptFailure, render_prompt
from torii.v1 import models_pb2

# SmolLM2's shape: a default system turn when the chat has none, each turn as <|im_start|>role.
CHATML = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant.<|im_end|>\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# The same turns with block tags on lines of their own, indented, as multi-line templates are
# written: trim_blocks and lstrip_blocks are what keep their whitespace out of the prompt.
CHATML_BLOCKS = """\
{% for message in messages %}
    {% if message.role == 'system' %}
<|im_start|>system
{{ message.content }}<|im_end|>
    {% else %}
<|im_start|>{{ message.role }}
{{ message.content | trim }}<|im_end|>
    {% endif %}
{% endfor %}
{% if add_generation_prompt %}
<|im_start|>assistant
{% endif %}
"""

# Llama 2 / Mistral: the bos token first, each answer closed by the eos token, and turns that do
# not alternate refused with raise_exception.
INST = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}"
    "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}"
)

HELLO = [("user", "Hello")]
CONVERSATION = [("user", "Hi"), ("assistant", "Hello!"), ("user", "How are you?")]


def template(text: str, bos: str = "", eos: str = "") -> models_pb2.ChatTemplate:
    return models_pb2.ChatTemplate(template=text, bos_token=bos, eos_token=eos)


def failure(text: str, messages=HELLO, **tokens: str) -> PromptFailure:
    with pytest.raises(PromptFailure) as caught:
        render_prompt(template(text, **tokens), messages)
    return caught.value


# Real-world templates


def test_a_chatml_template_adds_its_default_system_turn_and_the_assistants_start():
    assert render_prompt(template(CHATML), HELLO) == (
        "<|im_start|>system\nYou are a helpful AI assistant.<|im_end|>\n"
        "<|im_start|>user\nHello<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


def test_a_chatml_template_renders_every_turn_in_order():
    messages = [("system", "Be brief."), *CONVERSATION]
    assert render_prompt(template(CHATML), messages) == (
        "<|im_start|>system\nBe brief.<|im_end|>\n"
        "<|im_start|>user\nHi<|im_end|>\n"
        "<|im_start|>assistant\nHello!<|im_end|>\n"
        "<|im_start|>user\nHow are you?<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


def test_block_tags_on_their_own_lines_leave_no_whitespace_as_transformers_sets_jinja():
    messages = [("system", "Be brief."), ("user", "  Hi  ")]
    assert render_prompt(template(CHATML_BLOCKS), messages) == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    )


def test_the_special_tokens_are_the_versions():
    prompt = render_prompt(template(INST, bos="<s>", eos="</s>"), CONVERSATION)
    assert prompt == "<s>[INST] Hi [/INST]Hello!</s>[INST] How are you? [/INST]"


def test_a_token_the_tokenizer_lacks_is_undefined_as_transformers_leaves_it():
    text = "{{ bos_token }}|{{ 'eos' if eos_token is defined else 'no eos' }}|{{ messages[0].content }}"
    assert render_prompt(template(text), HELLO) == "|no eos|Hello"
    assert render_prompt(template(text, bos="<s>", eos="</s>"), HELLO) == "<s>|eos|Hello"


def test_tools_and_documents_are_none_as_transformers_passes_them():
    text = "{{ 'tools' if tools is not none else 'no tools' }} {{ 'docs' if documents is not none else 'no docs' }}"
    assert render_prompt(template(text), HELLO) == "no tools no docs"


def test_tojson_keeps_html_and_non_ascii_as_they_are():
    text = "{{ messages[0] | tojson }}"
    assert render_prompt(template(text), [("user", "<b>café</b> & 'x'")]) == (
        '{"role": "user", "content": "<b>café</b> & \'x\'"}'
    )


def test_loop_controls_and_generation_blocks_compile_and_render():
    text = (
        "{% for message in messages %}{% if loop.index > 2 %}{% break %}{% endif %}"
        "{% generation %}{{ message.content }};{% endgeneration %}{% endfor %}"
    )
    assert render_prompt(template(text), CONVERSATION) == "Hi;Hello!;"


def test_strftime_now_gives_the_date_templates_write_into_system_prompts():
    before = datetime.now().year
    year = render_prompt(template("{{ strftime_now('%Y') }}"), HELLO)
    assert year in {str(before), str(datetime.now().year)}


async def test_a_render_runs_in_a_thread_and_leaves_its_tracing_behind():
    tracing = sys.gettrace()
    prompt = await asyncio.to_thread(render_prompt, template(INST, bos="<s>", eos="</s>"), CONVERSATION)
    assert prompt.startswith("<s>[INST] Hi [/INST]")
    assert render_prompt(template(CHATML), HELLO).endswith("<|im_start|>assistant\n")
    assert sys.gettrace() is tracing


# Failures: the client's (raise_exception) and the template's


@pytest.mark.parametrize("client_error", [True, False])
def test_a_failure_comes_back_whole_from_a_worker_process(client_error):
    returned = pickle.loads(pickle.dumps(PromptFailure("Roles must alternate", client_error=client_error)))
    assert (returned.message, returned.client_error) == ("Roles must alternate", client_error)


def test_raise_exception_refuses_the_messages_in_the_templates_words():
    refused = failure(INST, [("assistant", "Hi"), ("user", "Hello")], bos="<s>", eos="</s>")
    assert refused.client_error
    assert refused.message == "Conversation roles must alternate user/assistant/user/assistant/..."


def test_a_long_raise_exception_message_is_cut():
    refused = failure("{{ raise_exception('x' * 5000) }}")
    assert refused.client_error
    assert refused.message == "x" * MAX_RAISED_CHARS + "…"


def test_a_template_that_does_not_compile_is_the_templates_failure():
    broken = failure("{% for message in messages %}{{ message.content }")
    assert not broken.client_error
    assert "does not compile" in broken.message


def test_a_broken_template_is_compiled_once(monkeypatch):
    compiled: list[str] = []
    compile_text = jinja2.Environment.from_string

    def counting(environment: jinja2.Environment, source: str, *args: Any, **kwargs: Any) -> jinja2.Template:
        compiled.append(source)
        return compile_text(environment, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "from_string", counting)
    text = f"{{% if %}}broken once {uuid.uuid4()}"  # a text no other test has had compiled
    assert "does not compile" in failure(text).message
    assert "does not compile" in failure(text).message
    assert compiled == [text]


def test_a_template_that_fails_while_rendering_is_the_templates_failure():
    broken = failure("{{ messages[0].content.upper()() }}")
    assert not broken.client_error
    assert broken.message.startswith("the chat template failed: ")


def test_the_sandbox_keeps_python_internals_out_of_reach():
    escaped = failure("{{ messages.__class__.__mro__[1].__subclasses__() }}")
    assert not escaped.client_error


def test_the_sandbox_keeps_messages_immutable():
    changed = failure("{{ messages.append({'role': 'user', 'content': 'injected'}) }}")
    assert not changed.client_error


def test_a_recursing_macro_is_the_templates_failure():
    assert "RecursionError" in failure("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}").message


# Bounds


def test_a_range_past_the_sandboxs_limit_is_refused():
    assert "Range too big" in failure("{% for i in range(10 ** 9) %}{% endfor %}").message


def test_nested_loops_that_would_run_for_hours_are_stopped_by_the_cpu_bound(monkeypatch):
    monkeypatch.setattr(chat_prompt, "RENDER_CPU_S", 0.05)
    silent = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    assert failure(silent).message == "the chat template took more than 0.05 s of CPU time"


def test_a_prompt_past_the_bound_is_refused(monkeypatch):
    monkeypatch.setattr(chat_prompt, "MAX_PROMPT_BYTES", 1_000)
    endless = "{% for i in range(100000) %}{{ messages[0].content }}{% endfor %}"
    assert failure(endless).message == "the chat template made a prompt of more than 1000 bytes"


def test_the_prompts_bound_counts_utf8_bytes(monkeypatch):
    monkeypatch.setattr(chat_prompt, "MAX_PROMPT_BYTES", 10)
    text = "{{ messages[0].content }}"
    assert render_prompt(template(text), [("user", "abcdefghij")]) == "abcdefghij"
    assert "more than 10 bytes" in failure(text, [("user", "éééééé")]).message


@pytest.mark.parametrize(
    "bomb",
    [
        "{{ 'x' * 10 ** 9 }}",
        "{{ [1] * 10 ** 9 }}",
        "{{ 3 ** 100000000 }}",
        "{% set ns = namespace(n=3) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}{% endfor %}",
        "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    ],
)
def test_operators_that_build_much_from_little_are_bounded(bomb):
    refused = failure(bomb)
    assert not refused.client_error
    assert "more than" in refused.message
