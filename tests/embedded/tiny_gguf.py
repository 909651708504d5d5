"""Build tiny llama-architecture GGUF models in tests: random weights, a byte-fallback SentencePiece-style
vocabulary and a chat template, written by gguf-py and quantized by llama.cpp's own quantizer.

They are real GGUF files that llama.cpp loads and runs; they just know nothing. 256-wide rows keep every
matrix eligible for K-quants (Q4_K_M needs rows divisible by 256).
"""

from __future__ import annotations

from pathlib import Path

CHATML_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + "
    "'<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# A FunctionGemma-style template: the declaration tokens appear, so caro treats the model as native.
FUNCTIONGEMMA_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}"
    "{{ '<start_of_turn>developer\n' + message['content'] }}"
    "{% for tool in tools or [] %}{{ '<start_function_declaration>declaration:' + tool['function']['name'] + "
    "'{}<end_function_declaration>' }}{% endfor %}{{ '<end_of_turn>\n' }}"
    "{% else %}{{ '<start_of_turn>' + message['role'] + '\n' + message['content'] + '<end_of_turn>\n' }}"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
)

FTYPES = {"F16": 1, "Q8_0": 7, "Q4_K_M": 15}


def write_f32(path: Path, *, template: str = CHATML_TEMPLATE, seed: int = 0, name: str = "tiny-test") -> Path:
    """A ~1.5 MB F32 llama model with random weights."""
    import gguf
    import numpy as np

    rng = np.random.default_rng(seed)
    n_embd, n_ff, n_head, n_kv, n_layer = 256, 256, 4, 2, 1
    head_dim = n_embd // n_head
    tokens: list[bytes] = [b"<unk>", b"<s>", b"</s>"]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    for special in ("<|im_start|>", "<|im_end|>", "<start_of_turn>", "<end_of_turn>"):
        tokens.append(special.encode())
        types.append(gguf.TokenType.CONTROL)
    for special in ("<start_function_declaration>", "<end_function_declaration>", "<start_function_call>",
                    "<end_function_call>", "<start_function_response>", "<escape>"):
        tokens.append(special.encode())
        types.append(gguf.TokenType.USER_DEFINED)
    for byte in range(256):
        tokens.append(f"<0x{byte:02X}>".encode())
        types.append(gguf.TokenType.BYTE)
    for word in ("\u2581", "\u2581ls", "\u2581-la", "\u2581find", "\u2581.", "command", "explanation", '"', "{", "}"):
        tokens.append(word.encode())
        types.append(gguf.TokenType.NORMAL)
    n_vocab = len(tokens)
    scores = [0.0] * n_vocab
    for i in range(len(tokens) - 10, n_vocab):
        scores[i] = -1.0

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(name)
    writer.add_context_length(512)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_kv)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_dimension_count(head_dim)
    writer.add_vocab_size(n_vocab)
    writer.add_file_type(0)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_chat_template(template)

    def tensor(name: str, *shape: int) -> None:
        data = rng.normal(0, 0.05, size=shape).astype(np.float32) if len(shape) > 1 else np.ones(shape, np.float32)
        writer.add_tensor(name, data)

    tensor("token_embd.weight", n_vocab, n_embd)
    tensor("output_norm.weight", n_embd)
    tensor("output.weight", n_vocab, n_embd)
    for i in range(n_layer):
        tensor(f"blk.{i}.attn_norm.weight", n_embd)
        tensor(f"blk.{i}.attn_q.weight", n_embd, n_embd)
        tensor(f"blk.{i}.attn_k.weight", n_kv * head_dim, n_embd)
        tensor(f"blk.{i}.attn_v.weight", n_kv * head_dim, n_embd)
        tensor(f"blk.{i}.attn_output.weight", n_embd, n_embd)
        tensor(f"blk.{i}.ffn_norm.weight", n_embd)
        tensor(f"blk.{i}.ffn_gate.weight", n_ff, n_embd)
        tensor(f"blk.{i}.ffn_up.weight", n_ff, n_embd)
        tensor(f"blk.{i}.ffn_down.weight", n_embd, n_ff)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def quantize(source: Path, dest: Path, quant: str) -> Path:
    """Quantize with llama.cpp itself (llama_model_quantize), as llama-quantize would."""
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = FTYPES[quant]
    params.nthread = 1
    code = llama_cpp.llama_model_quantize(str(source).encode(), str(dest).encode(), params)
    if code != 0:
        raise RuntimeError(f"llama_model_quantize({quant}) returned {code}")
    return dest
