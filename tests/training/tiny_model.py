"""A tiny model of FunctionGemma's architecture, built from nothing in a few seconds.

Gemma3ForCausalLM from a small config with random weights, a SentencePiece tokenizer trained on the
example dataset with FunctionGemma's control and tool tokens at FunctionGemma's positions in spirit
(pad 0, eos 1, bos 2, unk 3, then the turn and tool tokens), and caro's FunctionGemma-style chat template.
Hidden size 640 like FunctionGemma, so the GGUF quantizer meets the same row-width fallbacks.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from caro.training.chat_template import FUNCTION_TOKENS, TEMPLATE, TURN_TOKENS

BASE = ("<pad>", "<eos>", "<bos>", "<unk>")


def train_tokenizer(corpus: list[str], folder: Path, vocab_size: int = 3000) -> None:
    """A byte-fallback BPE SentencePiece model plus the transformers files that describe it."""
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus), model_writer=model, vocab_size=vocab_size, model_type="bpe",
        pad_id=0, eos_id=1, bos_id=2, unk_id=3, pad_piece="<pad>", eos_piece="<eos>", bos_piece="<bos>",
        unk_piece="<unk>", user_defined_symbols=list(TURN_TOKENS + FUNCTION_TOKENS), byte_fallback=True,
        character_coverage=1.0, normalization_rule_name="identity", add_dummy_prefix=False,
        remove_extra_whitespaces=False, allow_whitespace_only_pieces=True, split_digits=False, hard_vocab_limit=False,
        minloglevel=2, num_threads=1,
        # Pieces may span words and punctuation, so the fixed system prompt and tool declaration become a few
        # tokens: sequences stay short and a few CPU training steps go a long way.
        split_by_whitespace=False, split_by_unicode_script=False, split_by_number=False,
        max_sentencepiece_length=128, max_sentence_length=16384,
    )
    (folder / "tokenizer.model").write_bytes(model.getvalue())
    decoder = {}
    for i, token in enumerate(BASE + TURN_TOKENS + FUNCTION_TOKENS):
        # Turn markers are control tokens (hidden in output); tool tokens are printed, as in FunctionGemma.
        special = token in BASE or token in TURN_TOKENS
        decoder[str(i)] = {"content": token, "special": special, "lstrip": False, "rstrip": False,
                           "normalized": False, "single_word": False}
    config = {"tokenizer_class": "GemmaTokenizer", "bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>",
              "unk_token": "<unk>", "mask_token": None, "add_bos_token": True, "add_eos_token": False,
              "added_tokens_decoder": decoder, "chat_template": TEMPLATE, "model_max_length": 2048}
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=1))


def build(folder: Path, corpus: list[str], seed: int = 0) -> Path:
    """Write a random-weight Gemma3ForCausalLM with its tokenizer into `folder`; returns the folder."""
    import torch
    from transformers import AutoTokenizer, Gemma3ForCausalLM, Gemma3TextConfig

    folder.mkdir(parents=True, exist_ok=True)
    train_tokenizer(corpus, folder)
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    torch.manual_seed(seed)
    config = Gemma3TextConfig(
        vocab_size=len(tokenizer), hidden_size=640, intermediate_size=512, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=1, head_dim=64, max_position_embeddings=2048,
        sliding_window=512, pad_token_id=0, eos_token_id=[1, tokenizer.convert_tokens_to_ids("<end_of_turn>")],
        bos_token_id=2, tie_word_embeddings=True, rms_norm_eps=1e-6, query_pre_attn_scalar=64,
        attn_implementation="eager",
    )
    model = Gemma3ForCausalLM(config)
    # Weights exactly representable in F16, so an F16 GGUF holds the same numbers as the checkpoint.
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(parameter.to(torch.float16).to(torch.float32))
    model.save_pretrained(str(folder), safe_serialization=True)
    tokenizer.save_pretrained(str(folder))
    return folder


CHATML = ("<|im_start|>", "<|im_end|>")


def build_chatml(folder: Path, corpus: list[str], family: str, template: str, seed: int = 0) -> Path:
    """A tiny random-weight Llama- or Qwen2-shaped model with a SentencePiece tokenizer (llama.cpp's converter
    reads tokenizer.model for both) whose end of turn is <|im_end|>, carrying `template`."""
    import io

    import sentencepiece as spm
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    folder.mkdir(parents=True, exist_ok=True)
    model_file = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus), model_writer=model_file, vocab_size=2000, model_type="bpe",
        pad_id=0, eos_id=1, bos_id=2, unk_id=3, pad_piece="<pad>", eos_piece="<|im_end|>", bos_piece="<s>",
        unk_piece="<unk>", user_defined_symbols=["<|im_start|>"], byte_fallback=True, character_coverage=1.0,
        normalization_rule_name="identity", add_dummy_prefix=False, remove_extra_whitespaces=False,
        allow_whitespace_only_pieces=True, split_by_whitespace=False, split_by_unicode_script=False,
        split_by_number=False, max_sentencepiece_length=64, max_sentence_length=16384, minloglevel=2,
        num_threads=1, hard_vocab_limit=False,
    )
    (folder / "tokenizer.model").write_bytes(model_file.getvalue())
    decoder = {str(i): {"content": t, "special": True, "lstrip": False, "rstrip": False, "normalized": False,
                        "single_word": False}
               for i, t in enumerate(("<pad>", "<|im_end|>", "<s>", "<unk>", "<|im_start|>"))}
    config_json = {"tokenizer_class": "LlamaTokenizer", "bos_token": "<s>", "eos_token": "<|im_end|>",
                   "pad_token": "<pad>", "unk_token": "<unk>", "add_bos_token": False, "add_eos_token": False,
                   "added_tokens_decoder": decoder, "chat_template": template, "model_max_length": 1024}
    (folder / "tokenizer_config.json").write_text(json.dumps(config_json, indent=1))
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    torch.manual_seed(seed)
    shape = dict(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024, pad_token_id=0,
                 eos_token_id=1, bos_token_id=2, tie_word_embeddings=False, rms_norm_eps=1e-6)
    model = (LlamaForCausalLM(LlamaConfig(**shape)) if family == "llama"
             else Qwen2ForCausalLM(Qwen2Config(**shape)))
    model.save_pretrained(str(folder), safe_serialization=True)
    tokenizer.save_pretrained(str(folder))
    return folder
