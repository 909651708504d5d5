"""The plumbing the model-server stand-ins share: a threaded HTTP server on a free loopback port that
records every request (method, path, JSON body, headers) and hands it to the stand-in's own behaviour.

A stand-in subclasses FakeServer and implements `get(handler, path)` and `post(handler, path, body)`,
answering through the handler's `send`, `begin_chunked`/`chunk`/`end_chunked` and `drop`."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class Handler(BaseHTTPRequestHandler):
    """One request; `server.fake` is the stand-in that answers it."""

    protocol_version = "HTTP/1.1"

    @property
    def fake(self) -> FakeServer:
        fake: FakeServer = self.server.fake  # type: ignore[attr-defined]
        return fake

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status: int, data: Any, content_type: str = "application/json") -> None:
        self.send(status, content_type, json.dumps(data).encode())

    def begin_chunked(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def end_chunked(self) -> None:
        self.chunk(b"")

    def drop(self, content_type: str, start: bytes) -> None:
        """Promise a long body, send its first bytes, close the connection: an answer that breaks off."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", "5000")
        self.end_headers()
        self.wfile.write(start)
        self.wfile.flush()
        self.close_connection = True

    def _record(self, body: Any) -> None:
        with self.fake._lock:
            self.fake.requests.append((self.command, self.path, body))
            self.fake.headers.append({name.lower(): value for name, value in self.headers.items()})

    def do_GET(self) -> None:
        self._record(None)
        self.fake.get(self, self.path)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self._record(body)
        self.fake.post(self, self.path, body)


class FakeServer:
    """Start with `.start()`, stop with `.stop()`. `requests` holds (method, path, JSON body or None) and
    `headers` the matching request headers (names in lower case), in the order they arrived."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a test that left a request hanging must not block teardown
        # A client that gives up (timeout tests) makes the handler's write fail: expected, not news.
        self._server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]

    def get(self, handler: Handler, path: str) -> None:
        raise NotImplementedError

    def post(self, handler: Handler, path: str, body: Any) -> None:
        raise NotImplementedError
