"""`caro lmstudio import`: LM Studio's models folder, its settings.json override, and the `lms` CLI path."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

GGUF_BYTES = b"GGUF" + b"\x03\x00\x00\x00" + b"\x00" * 64


def make_gguf(folder: Path, name: str = "shellbot-Q4_K_M.gguf") -> Path:
    path = folder / name
    path.write_bytes(GGUF_BYTES)
    return path


def test_places_file_in_lmstudio_models_folder(caro, tmp_path: Path, isolated_home: Path) -> None:
    source = make_gguf(tmp_path)
    done = caro("lmstudio", "import", str(source), "--no-lms")
    assert done.returncode == 0, done.stderr
    target = isolated_home / ".lmstudio" / "models" / "caro" / "shellbot" / "shellbot-Q4_K_M.gguf"
    assert target.read_bytes() == GGUF_BYTES
    assert source.exists()  # copied, not moved, by default
    assert "LM Studio model key: caro/shellbot" in done.stdout
    assert "lms load caro/shellbot --identifier caro-fg" in done.stdout
    assert '[lmstudio]' in done.stdout and 'model = "caro-fg"' in done.stdout
    assert 'backend = "lmstudio"' in done.stdout


def test_honours_downloads_folder_from_lmstudio_settings(caro, tmp_path: Path, isolated_home: Path) -> None:
    custom = tmp_path / "big-disk" / "models"
    (isolated_home / ".lmstudio").mkdir()
    (isolated_home / ".lmstudio" / "settings.json").write_text(json.dumps({"downloadsFolder": str(custom)}))
    source = make_gguf(tmp_path)
    done = caro("lmstudio", "import", str(source), "--no-lms", "--user-repo", "acme/shell-fg", "--move",
                "--identifier", "acme-shell", "-o", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    target = custom / "acme" / "shell-fg" / "shellbot-Q4_K_M.gguf"
    assert data["path"] == str(target) and data["key"] == "acme/shell-fg" and data["identifier"] == "acme-shell"
    assert target.exists() and not source.exists()
    assert 'model = "acme-shell"' in data["config"]


def test_uses_lms_import_when_present(caro, tmp_path: Path, isolated_home: Path) -> None:
    """A stand-in for LM Studio's `lms` CLI, reproducing `lms import FILE --user-repo U/R -y [--copy]`:
    it places the file under ~/.lmstudio/models/U/R/ (copying with --copy, moving otherwise)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "lms-args.json"
    lms = bin_dir / "lms"
    lms.write_text(
        "#!/usr/bin/env python3\n"
        "import json, os, shutil, sys\n"
        f"json.dump(sys.argv[1:], open({str(log)!r}, 'w'))\n"
        "args = sys.argv[1:]\n"
        "src = args[1]; repo = args[args.index('--user-repo') + 1]\n"
        "dest = os.path.join(os.path.expanduser('~/.lmstudio/models'), repo)\n"
        "os.makedirs(dest, exist_ok=True)\n"
        "(shutil.copy2 if '--copy' in args else shutil.move)(src, os.path.join(dest, os.path.basename(src)))\n"
        "print('File imported successfully')\n"
    )
    lms.chmod(lms.stat().st_mode | stat.S_IXUSR)
    source = make_gguf(tmp_path)
    done = caro("lmstudio", "import", str(source), env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    assert json.loads(log.read_text()) == ["import", str(source), "--user-repo", "caro/shellbot", "--yes", "--copy"]
    assert (isolated_home / ".lmstudio" / "models" / "caro" / "shellbot" / source.name).exists()
    assert "imported with lms" in done.stdout and "caro-fg" in done.stdout


def test_rejects_non_gguf_and_existing_target(caro, tmp_path: Path) -> None:
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"PK\x03\x04 not a gguf")
    done = caro("lmstudio", "import", str(bad), "--no-lms")
    assert done.returncode == 2 and "is not a GGUF file" in done.stderr
    source = make_gguf(tmp_path)
    assert caro("lmstudio", "import", str(source), "--no-lms").returncode == 0
    again = caro("lmstudio", "import", str(source), "--no-lms")
    assert again.returncode == 2 and "already exists" in again.stderr and "--force" in again.stderr
    assert caro("lmstudio", "import", str(source), "--no-lms", "--force").returncode == 0
    missing = caro("lmstudio", "import", str(tmp_path / "absent.gguf"), "--no-lms")
    assert missing.returncode == 2 and "no such file" in missing.stderr


def _header_gguf(path: Path, *, kind: str, template: str) -> Path:
    import gguf

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_type(kind)
    writer.add_chat_template(template)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_says_what_lm_studio_does_with_each_file(caro, tmp_path: Path) -> None:
    import importlib.util

    from tests.helpers import need
    from tests.training import templates

    need(importlib.util.find_spec("gguf") is not None, "the gguf package (caro[train])")
    adapter = _header_gguf(tmp_path / "tuned-lora-F16.gguf", kind="adapter", template=templates.SMOLLM2)
    done = caro("lmstudio", "import", str(adapter), "--no-lms", "--models-dir", str(tmp_path / "lms"), "-o", "json")
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert "LoRA adapter" in error["message"] and "adapter_path" in error["hint"] and "--merge-only" in error["hint"]
    assert not (tmp_path / "lms").exists()
    for template, words in ((templates.SMOLLM2, "declares no tools"), (templates.QWEN2, "own tool calls"),
                            (templates.FUNCTIONGEMMA, "FunctionGemma")):
        model = _header_gguf(tmp_path / "model-Q8_0.gguf", kind="model", template=template)
        done = caro("lmstudio", "import", str(model), "--no-lms", "--models-dir", str(tmp_path / "lms"), "--dry-run",
                    "-o", "json")
        assert done.returncode == 0, done.stderr
        assert words in json.loads(done.stdout)["lmstudio_use"]
