"""A FunctionGemma-style chat template, for models that ship none and for rendering without a tokenizer.

This is a reconstruction of the template carried by FunctionGemma checkpoints (reference notes, Appendix A):
it reproduces the published renderings byte for byte (developer turn, dictsorted declarations with
upper-cased escaped types, calls as `call:NAME{key:<escape>value<escape>}`). When a model directory has its
own chat template, caro renders with that one instead, so training and serving use the same bytes.
"""

from __future__ import annotations

import functools
from typing import Any

TEMPLATE = r"""{%- macro esc(s) -%}<escape>{{ s }}<escape>{%- endmacro -%}
{%- macro fmt_val(v) -%}
{%- if v is string -%}<escape>{{ v }}<escape>
{%- elif v is boolean -%}{{ 'true' if v else 'false' }}
{%- elif v is none -%}null
{%- elif v is mapping -%}{ {%- for k, x in v | dictsort -%}{{ k }}:{{ fmt_val(x) }}{{ ',' if not loop.last }}{%- endfor -%} }
{%- elif v is iterable -%}[ {%- for x in v -%}{{ fmt_val(x) }}{{ ',' if not loop.last }}{%- endfor -%} ]
{%- else -%}{{ v }}
{%- endif -%}
{%- endmacro -%}
{%- macro decl(t) -%}
{%- set f = t['function'] if 'function' in t else t -%}
{%- set p = f['parameters'] if 'parameters' in f else {} -%}
<start_function_declaration>declaration:{{ f['name'] }}{description:<escape>{{ f['description'] }}<escape>,parameters:{
{%- set ns = namespace(first=true) -%}
{%- if p['properties'] -%}properties:{
{%- for k, q in p['properties'] | dictsort -%}
{{ k }}:{
{%- set ns2 = namespace(first=true) -%}
{%- if 'description' in q -%}description:<escape>{{ q['description'] }}<escape>{%- set ns2.first = false -%}{%- endif -%}
{%- if 'enum' in q -%}{{ '' if ns2.first else ',' }}enum:[{%- for e in q['enum'] -%}<escape>{{ e }}<escape>{{ ',' if not loop.last }}{%- endfor -%}]{%- set ns2.first = false -%}{%- endif -%}
{%- if 'type' in q -%}{{ '' if ns2.first else ',' }}type:<escape>{{ q['type'] | upper }}<escape>{%- endif -%}
}{{ ',' if not loop.last }}
{%- endfor -%}}{%- set ns.first = false -%}
{%- endif -%}
{%- if p['required'] -%}{{ '' if ns.first else ',' }}required:[{%- for r in p['required'] -%}<escape>{{ r }}<escape>{{ ',' if not loop.last }}{%- endfor -%}]{%- set ns.first = false -%}{%- endif -%}
{%- if p['type'] -%}{{ '' if ns.first else ',' }}type:<escape>{{ p['type'] | upper }}<escape>{%- endif -%}
}}<end_function_declaration>
{%- endmacro -%}
{{- bos_token -}}
{%- set loop_messages = messages -%}
{%- if tools or (messages and messages[0]['role'] in ['system', 'developer']) -%}
<start_of_turn>developer
{% if messages and messages[0]['role'] in ['system', 'developer'] -%}
{{- messages[0]['content'] | trim -}}
{%- set loop_messages = messages[1:] -%}
{%- elif tools -%}You are a model that can do function calling with the following functions
{%- endif -%}
{%- for t in tools or [] -%}{{ decl(t) }}{%- endfor -%}
<end_of_turn>
{% endif -%}
{%- set st = namespace(prev=none) -%}
{%- for m in loop_messages -%}
{%- if m['role'] == 'tool' -%}
{%- set c = m['content'] -%}
<start_function_response>response:{{ m['name'] if 'name' in m and m['name'] else 'tool' }}{value:<escape>{{ c }}<escape>}<end_function_response>
{%- set st.prev = 'resp' -%}
{%- else -%}
{%- if st.prev != 'resp' -%}<start_of_turn>{{ 'model' if m['role'] == 'assistant' else m['role'] }}
{% endif -%}
{{- (m['content'] or '') | trim -}}
{%- if m['tool_calls'] -%}
{%- for tc in m['tool_calls'] -%}
{%- set fn = tc['function'] -%}
{%- set a = fn['arguments'] -%}
<start_function_call>call:{{ fn['name'] }}{%- if a is string -%}{{ a }}{%- else -%}{ {%- for k, x in a | dictsort -%}{{ k }}:{{ fmt_val(x) }}{{ ',' if not loop.last }}{%- endfor -%} }{%- endif -%}<end_function_call>
{%- endfor -%}
{%- set st.prev = 'call' -%}
{%- else -%}
<end_of_turn>
{% set st.prev = none -%}
{%- endif -%}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt and st.prev not in ['call', 'resp'] -%}<start_of_turn>model
{% endif -%}
"""

# Tokens FunctionGemma adds on top of Gemma's turn markers.
FUNCTION_TOKENS = (
    "<start_function_declaration>",
    "<end_function_declaration>",
    "<start_function_call>",
    "<end_function_call>",
    "<start_function_response>",
    "<end_function_response>",
    "<escape>",
)
TURN_TOKENS = ("<start_of_turn>", "<end_of_turn>")


def render(
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None = None,
    *,
    add_generation_prompt: bool = False,
    bos_token: str = "<bos>",
    template: str = TEMPLATE,
) -> str:
    """Render a conversation with a Jinja chat template the way transformers' apply_chat_template does."""
    return str(_compiled(template).render(
        messages=messages, tools=tools or [], add_generation_prompt=add_generation_prompt, bos_token=bos_token
    ))


@functools.lru_cache(maxsize=4)
def _compiled(template: str) -> Any:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        raise jinja2.TemplateError(message)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.globals["raise_exception"] = raise_exception
    return env.from_string(template)
