"""Put a GGUF where LM Studio finds it: `lms import` when the CLI exists, else LM Studio's models folder.

LM Studio lists a model from `<models folder>/<publisher>/<model>/<file>.gguf`; the models folder is
`downloadsFolder` in ~/.lmstudio/settings.json, else ~/.lmstudio/models (the same place `lms import`
resolves). The model is then known as "<publisher>/<model>"; `lms load <key> --identifier NAME` gives it
the stable name caro's config points at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from caro.errors import CaroError, UsageError

DEFAULT_PUBLISHER = "caro"
DEFAULT_IDENTIFIER = "caro-fg"
_QUANT_SUFFIX = re.compile(r"[-_.](f16|bf16|f32|q\d(_[0-9a-z]+)*|iq\d\w*)$", re.IGNORECASE)


@dataclass
class Imported:
    path: Path  # where the file now is (or would be, with lms)
    key: str  # publisher/model as LM Studio lists it
    identifier: str  # the API name after `lms load ... --identifier`
    method: str  # "lms" | "copy" | "move" | "symlink" | "hardlink"
    lms_output: str = ""
    style: str = "json"

    @property
    def use(self) -> str:
        return LMSTUDIO_USE[self.style]

    def load_command(self) -> str:
        return f"lms load {self.key} --identifier {self.identifier} --context-length 4096"

    def config_lines(self) -> list[str]:
        return ['backend = "lmstudio"', "", "[lmstudio]", f'model = "{self.identifier}"']


def model_name(gguf: Path) -> str:
    """The model folder name: the file stem without its quantization suffix."""
    stem = _QUANT_SUFFIX.sub("", gguf.stem)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "model"


def check_gguf(path: Path) -> None:
    if not path.is_file():
        raise UsageError(f"no such file: {path}", "Give the .gguf file 'caro export' wrote.")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != b"GGUF":
        raise UsageError(f"{path} is not a GGUF file (it does not start with 'GGUF')",
                         "LM Studio imports GGUF files; convert the model with 'caro export' first.")
    if file_kind(path)[0] == "adapter":
        raise UsageError(
            f"{path.name} is a LoRA adapter, and LM Studio loads whole models only",
            "Merge it into its base and export that ('caro finetune --merge-only ADAPTER_DIR', then 'caro export'), "
            "or use the adapter as it is: [embedded] adapter_path (caro's embedded backend) or "
            "'llama-server -m BASE.gguf --lora ADAPTER.gguf' behind caro's openai backend.")


def file_kind(path: Path) -> tuple[str, str]:
    """('adapter' | 'model', the chat template's answer style) from the GGUF header."""
    from caro.local_models.gguf_meta import NotGGUF, read
    from caro.prompting import answer_style

    try:
        meta = read(path, keys=frozenset({"general.type", "tokenizer.chat_template"})).metadata
    except (OSError, NotGGUF):
        return "model", "json"
    kind = "adapter" if meta.get("general.type") == "adapter" else "model"
    return kind, answer_style(str(meta.get("tokenizer.chat_template") or ""))


# What LM Studio does with a model, by the answer style of its chat template.
LMSTUDIO_USE = {
    "functiongemma": "LM Studio serves it with its FunctionGemma template; caro reads the native calls (chat API, "
                     "or [lmstudio] api = \"completions\" to have caro render the prompt itself).",
    "tools": "LM Studio parses this model's own tool calls and returns them to caro as tool calls.",
    "json": "this model's template declares no tools: LM Studio wraps the tool in its default format and caro "
            "reads [TOOL_REQUEST] blocks and JSON answers; a model caro tuned to its JSON answer is closest to its "
            "training under the embedded backend, which asks for exactly that.",
}


def split_user_repo(user_repo: str, gguf: Path) -> tuple[str, str]:
    if not user_repo:
        return DEFAULT_PUBLISHER, model_name(gguf)
    parts = [p for p in user_repo.strip().split("/") if p]
    if len(parts) != 2 or not all(re.fullmatch(r"[A-Za-z0-9._-]+", p) for p in parts):
        raise UsageError(f"--user-repo must look like publisher/model (got {user_repo!r})",
                         "For example: --user-repo myorg/functiongemma-shell")
    return parts[0], parts[1]


def import_gguf(
    gguf: Path,
    *,
    models_dir: Path,
    user_repo: str = "",
    identifier: str = DEFAULT_IDENTIFIER,
    mode: str = "copy",
    use_lms: bool = True,
    dry_run: bool = False,
    force: bool = False,
) -> Imported:
    """Import `gguf` into LM Studio; mode is copy | move | symlink | hardlink."""
    check_gguf(gguf)
    style = file_kind(gguf)[1]
    publisher, model = split_user_repo(user_repo, gguf)
    key = f"{publisher}/{model}"
    target = models_dir / publisher / model / gguf.name
    lms = shutil.which("lms") if use_lms else None
    if lms:
        flag = {"copy": "--copy", "move": "", "symlink": "--symbolic-link", "hardlink": "--hard-link"}[mode]
        command = [lms, "import", str(gguf), "--user-repo", key, "--yes"] + ([flag] if flag else [])
        if dry_run:
            command.append("--dry-run")
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CaroError(f"'lms import' could not run: {exc}",
                            "Run LM Studio once so that 'lms' works, or pass --no-lms to place the file directly.") \
                from None
        output = (done.stdout + done.stderr).strip()
        if done.returncode != 0:
            raise CaroError(f"'lms import' failed (exit {done.returncode}): "
                            f"{output.splitlines()[-1] if output else 'no output'}",
                            "Run LM Studio once so that 'lms' works, or pass --no-lms to place the file directly.",
                            detail=output)
        return Imported(target, key, identifier, "lms", output, style)
    if target.exists() and not force and not dry_run:
        if target.resolve() == gguf.resolve():
            return Imported(target, key, identifier, "already there", style=style)
        raise UsageError(f"{target} already exists", "Pass --force to replace it, or choose --user-repo.")
    if not dry_run:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        try:
            if mode == "move":
                shutil.move(str(gguf), str(target))
            elif mode == "symlink":
                target.symlink_to(gguf.resolve())
            elif mode == "hardlink":
                os.link(gguf, target)
            else:
                shutil.copy2(gguf, target)
        except OSError as exc:
            raise CaroError(f"could not place {gguf.name} in {target.parent}: {exc.strerror or exc}",
                            "Check free space and permissions of LM Studio's models folder.") from None
    return Imported(target, key, identifier, mode, style=style)
