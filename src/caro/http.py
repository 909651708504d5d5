"""A small HTTP/1.1 client on the standard library's `socket`, for caro's local model servers.

Why not httpx, requests or the openai SDK: caro starts once per command, and importing the openai SDK
costs about half a second, httpx tens of milliseconds, even `http.client` pulls in `email` and `ssl`.
Model servers speak plain HTTP/1.1 on loopback, so a few hundred lines on `socket` are enough; `ssl` is
imported only for https URLs. What this client does on purpose:

- `localhost` is dialled as 127.0.0.1 first (LM Studio binds IPv4 only since 0.3), then ::1;
- separate connect and read timeouts, plus an overall deadline (availability checks must end in 500 ms);
- `Connection: close` on every request, so a body ends at Content-Length, at the last chunk, or at EOF;
- a cap on body size, so a misbehaving server cannot make caro read forever;
- streamed bodies as lines (server-sent events and Ollama's JSON lines).

Failures are `HTTPError` subclasses; backends translate them into caro.errors with a hint.
"""

from __future__ import annotations

import _socket  # socket.py's C core; socket.py itself spends milliseconds building enum tables at import
import time

from caro import jsontext

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start path
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

MAX_BODY = 8 * 1024 * 1024  # bytes; an answer for one shell command is a few kilobytes
MAX_HEADER = 64 * 1024
USER_AGENT = "caro"


class HTTPError(Exception):
    """A transport failure: the request did not get a complete HTTP answer."""


class ConnectError(HTTPError):
    """Nothing listens there, or the host cannot be reached or resolved."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


class Timeout(HTTPError):
    """No (more) bytes within the read timeout, or the overall deadline passed."""

    def __init__(self, message: str, *, phase: str) -> None:
        super().__init__(message)
        self.phase = phase  # "connect" | "read"


class ProtocolError(HTTPError):
    """The server closed the connection early, or sent something that is not HTTP."""


class BodyTooLarge(ProtocolError):
    """The body exceeded the size limit."""


class Endpoint:
    """Where a URL points: scheme, the host caro dials, port, and the path prefix.
    (Plain classes here, not dataclasses: building a dataclass costs milliseconds at every start.)"""

    __slots__ = ("host", "original_host", "path", "port", "scheme")

    def __init__(self, scheme: str, host: str, port: int, path: str, original_host: str) -> None:
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.original_host = original_host

    @property
    def root(self) -> str:
        """scheme://host:port as the user wrote the host."""
        return f"{self.scheme}://{_hostport(self.original_host, self.port)}"

    @property
    def is_loopback(self) -> bool:
        return self.host in ("127.0.0.1", "::1") or self.host.startswith("127.")

    def url(self, path: str) -> str:
        return self.root + path


class _URL:
    """The parts of an http(s) URL that caro uses, split as `urllib.parse.urlsplit` splits them
    (`urllib.parse` and the `ipaddress` it loads cost milliseconds at every start; this is a few lines).
    Bracketed IPv6 hosts, which need `ipaddress` to check, go to urlsplit itself."""

    __slots__ = ("hostname", "path", "port_text", "query", "scheme")

    def __init__(self, url: str) -> None:
        for char in "\t\r\n":  # urlsplit drops these anywhere in a URL
            url = url.replace(char, "")
        url = url.lstrip("".join(map(chr, range(33))))
        self.scheme = ""
        head, colon, rest = url.partition(":")
        if colon and head[:1].isascii() and head[:1].isalpha() and all(
                c.isascii() and (c.isalnum() or c in "+-.") for c in head):
            self.scheme, url = head.lower(), rest
        netloc = ""
        if url.startswith("//"):
            end = min((i for i in (url.find(c, 2) for c in "/?#") if i >= 0), default=len(url))
            netloc, url = url[2:end], url[end:]
        if "[" in netloc or "]" in netloc:
            from urllib.parse import urlsplit

            parts = urlsplit((self.scheme + ":" if self.scheme else "") + "//" + netloc + url)
            url, netloc = parts.path + ("?" + parts.query if parts.query else ""), parts.netloc
            host = parts.hostname or ""
            self.port_text = str(parts.port) if parts.port is not None else ""
        else:
            host, _, self.port_text = netloc.rpartition("@")[2].partition(":")
            host, percent, zone = host.partition("%")  # a scoped zone is not lower-cased
            host = host.lower() + percent + zone
        url = url.partition("#")[0]
        self.path, _, self.query = url.partition("?")
        self.hostname = host

    @property
    def port(self) -> int | None:
        if not self.port_text:
            return None
        if not (self.port_text.isascii() and self.port_text.isdigit()) or int(self.port_text) > 65535:
            raise ValueError(f"Port out of range 0-65535 or not a number: {self.port_text!r}")
        return int(self.port_text)


def endpoint(url: str) -> Endpoint:
    """Split a base URL; raise ValueError for anything but http(s)://host[:port][/path]."""
    parts = _URL(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValueError(f"bad port in URL: {url!r}") from None
    host = parts.hostname
    dial = "127.0.0.1" if host.lower() == "localhost" else host
    return Endpoint(parts.scheme, dial, port, parts.path.rstrip("/"), host)


class Response:
    """Status, lower-cased headers and body of one answer."""

    __slots__ = ("body", "headers", "reason", "status")

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        self.headers: dict[str, str] = {}
        self.body = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as JSON; ProtocolError when it is not."""
        try:
            return jsontext.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            snippet = self.text.strip().replace("\n", " ")[:120]
            raise ProtocolError(f"the answer is not JSON: {snippet!r}") from None


class _Deadline:
    """Timeouts for one exchange: each socket operation gets min(step timeout, time left overall)."""

    def __init__(self, total: float | None) -> None:
        self.end = None if total is None else time.monotonic() + total

    def limit(self, step: float, phase: str) -> float:
        if self.end is None:
            return step
        left = self.end - time.monotonic()
        if left <= 0:
            raise Timeout("deadline passed", phase=phase)
        return min(step, left)


def _dial(ep: Endpoint, connect_timeout: float, deadline: _Deadline) -> _socket.socket:
    hosts = [ep.host]
    if ep.original_host.lower() == "localhost":
        hosts.append("::1")  # for servers that bind IPv6 loopback only
    first: HTTPError | None = None  # reported when every address fails: the IPv4 one users expect
    for host in hosts:
        try:
            sock = _connect(host, ep.port, deadline.limit(connect_timeout, "connect"), plain=ep.scheme == "http")
        except ConnectionRefusedError:
            first = first or ConnectError(f"connection refused on {_hostport(host, ep.port)}", refused=True)
            continue
        except TimeoutError:
            first = first or Timeout(f"no answer from {_hostport(host, ep.port)} within {connect_timeout:g} s",
                                     phase="connect")
            continue
        except _socket.gaierror as exc:
            raise ConnectError(f"cannot resolve host {host!r}: {exc.strerror or exc}") from None
        except OSError as exc:
            first = first or ConnectError(f"cannot connect to {_hostport(host, ep.port)}: {exc.strerror or exc}")
            continue
        sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        if ep.scheme == "https":
            import ssl  # only for https: ssl costs tens of milliseconds to import

            context = ssl.create_default_context()
            try:
                # _connect made this one with the socket module, whose sockets ssl wraps
                sock = context.wrap_socket(sock, server_hostname=ep.original_host)  # type: ignore[arg-type]
            except (ssl.SSLError, OSError) as exc:
                sock.close()
                raise ConnectError(f"TLS handshake with {ep.original_host} failed: {exc}") from None
        return sock
    assert first is not None
    raise first


def _connect(host: str, port: int, timeout: float, plain: bool) -> _socket.socket:
    """Connect without a DNS lookup for IP literals. (getaddrinfo on a str host imports the idna codec,
    about 5 ms, on every run; hostnames go as ASCII bytes for the same reason.) A plain-HTTP connection to
    an IP literal, the usual local server, needs no more than `_socket`; TLS and name lookups take the
    `socket` module, whose socket class `ssl` wraps."""
    if _is_ip(host) and plain:
        sock = _socket.socket(_socket.AF_INET6 if ":" in host else _socket.AF_INET, _socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect((host, port))
        except BaseException:
            sock.close()
            raise
        return sock
    import socket

    name = host.encode("ascii") if host.isascii() else host.encode("idna")
    return socket.create_connection((name, port), timeout=timeout)  # type: ignore[arg-type]


def _is_ip(host: str) -> bool:
    if ":" in host:
        return all(c in "0123456789abcdefABCDEF:." for c in host)
    parts = host.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class _Reader:
    """Buffered reads from a socket with per-read timeouts and a byte budget."""

    def __init__(self, sock: _socket.socket, read_timeout: float, deadline: _Deadline, limit: int) -> None:
        self.sock = sock
        self.read_timeout = read_timeout
        self.deadline = deadline
        self.buffer = b""
        self.eof = False
        self.limit = limit
        self.consumed = 0

    def _fill(self) -> bool:
        if self.eof:
            return False
        self.sock.settimeout(self.deadline.limit(self.read_timeout, "read"))
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            raise Timeout(f"no data within {self.read_timeout:g} s", phase="read") from None
        except OSError as exc:
            raise ProtocolError(f"connection lost: {exc.strerror or exc}") from None
        if not data:
            self.eof = True
            return False
        self.consumed += len(data)
        if self.consumed > self.limit:
            raise BodyTooLarge(f"the answer is larger than {self.limit // (1024 * 1024)} MiB")
        self.buffer += data
        return True

    def line(self, limit: int = MAX_HEADER) -> bytes | None:
        """One line without its CRLF/LF; None at EOF with nothing buffered."""
        while True:
            index = self.buffer.find(b"\n")
            if index >= 0:
                line, self.buffer = self.buffer[:index], self.buffer[index + 1 :]
                return line.rstrip(b"\r")
            if len(self.buffer) > limit:
                raise ProtocolError("line too long")
            if not self._fill():
                if self.buffer:
                    line, self.buffer = self.buffer, b""
                    return line
                return None

    def exactly(self, count: int) -> bytes:
        while len(self.buffer) < count:
            if not self._fill():
                raise ProtocolError("the server closed the connection before the answer was complete")
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def rest(self) -> bytes:
        while self._fill():
            pass
        data, self.buffer = self.buffer, b""
        return data


class _Exchange:
    """One request on one connection: status and headers read, body available as bytes or chunks."""

    def __init__(self, sock: _socket.socket, reader: _Reader, response: Response) -> None:
        self.sock = sock
        self.reader = reader
        self.response = response

    def chunks(self) -> Iterator[bytes]:
        """The body, decoded from chunked/Content-Length/EOF framing, as it arrives."""
        headers = self.response.headers
        reader = self.reader
        if "chunked" in headers.get("transfer-encoding", "").lower():
            while True:
                size_line = reader.line()
                if size_line is None:
                    raise ProtocolError("the server closed the connection before the answer was complete")
                try:
                    size = int(size_line.split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    raise ProtocolError(f"bad chunk size {size_line[:40]!r}") from None
                if size == 0:
                    return
                yield reader.exactly(size)
                reader.exactly(2)  # CRLF after each chunk
        elif "content-length" in headers:
            try:
                remaining = int(headers["content-length"])
            except ValueError:
                raise ProtocolError("bad Content-Length") from None
            if remaining > reader.limit:
                raise BodyTooLarge(f"the answer is larger than {reader.limit // (1024 * 1024)} MiB")
            while remaining > 0:
                if not reader.buffer and not reader._fill():
                    raise ProtocolError("the server closed the connection before the answer was complete")
                piece = reader.buffer[:remaining]
                reader.buffer = reader.buffer[len(piece) :]
                remaining -= len(piece)
                yield piece
        else:
            while True:
                if reader.buffer:
                    piece, reader.buffer = reader.buffer, b""
                    yield piece
                if not reader._fill():
                    return

    def lines(self) -> Iterator[str]:
        """The body as text lines, yielded as soon as each is complete."""
        pending = b""
        for piece in self.chunks():
            pending += piece
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line.rstrip(b"\r").decode("utf-8", "replace")
        if pending:
            yield pending.rstrip(b"\r").decode("utf-8", "replace")

    def read(self) -> bytes:
        return b"".join(self.chunks())

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def _open(
    method: str,
    url: str,
    *,
    body: bytes | None,
    headers: dict[str, str] | None,
    connect_timeout: float,
    read_timeout: float,
    deadline: float | None,
    max_body: int,
) -> _Exchange:
    ep = endpoint(url)
    parts = _URL(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    limits = _Deadline(deadline)
    sock = _dial(ep, connect_timeout, limits)
    try:
        host_header = ep.original_host if ep.port in (80, 443) else f"{_hostport(ep.original_host, ep.port)}"
        lines = [f"{method} {target} HTTP/1.1", f"Host: {host_header}", f"User-Agent: {USER_AGENT}",
                 "Connection: close", "Accept-Encoding: identity"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        sock.settimeout(limits.limit(read_timeout, "read"))
        try:
            sock.sendall(payload)
        except TimeoutError:
            raise Timeout("the server did not accept the request in time", phase="read") from None
        except OSError as exc:
            raise ProtocolError(f"connection lost while sending: {exc.strerror or exc}") from None
        reader = _Reader(sock, read_timeout, limits, max_body + MAX_HEADER)
        response = _read_head(reader)
        while 100 <= response.status < 200:  # 100 Continue and friends precede the real answer
            response = _read_head(reader)
        return _Exchange(sock, reader, response)
    except BaseException:
        sock.close()
        raise


def _read_head(reader: _Reader) -> Response:
    status_line = reader.line()
    if status_line is None:
        raise ProtocolError("the server closed the connection without answering")
    parts = status_line.decode("latin-1").split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ProtocolError(f"not an HTTP answer: {status_line[:60]!r}")
    response = Response(int(parts[1]), parts[2] if len(parts) > 2 else "")
    while True:
        line = reader.line()
        if line is None:
            raise ProtocolError("the server closed the connection in the middle of the headers")
        if not line:
            return response
        name, _, value = line.decode("latin-1").partition(":")
        response.headers[name.strip().lower()] = value.strip()


def request(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
    connect_timeout: float = 2.0,
    read_timeout: float = 30.0,
    deadline: float | None = None,
    max_body: int = MAX_BODY,
) -> Response:
    """Send one request and read the whole answer. `deadline` bounds everything, in seconds."""
    body, all_headers = _prepare(json_body, headers)
    exchange = _open(method, url, body=body, headers=all_headers, connect_timeout=connect_timeout,
                     read_timeout=read_timeout, deadline=deadline, max_body=max_body)
    try:
        exchange.response.body = exchange.read() if method != "HEAD" else b""
        return exchange.response
    finally:
        exchange.close()


class Stream:
    """A streamed answer: check `.response.status` first, then iterate `.lines()`; always `close()`."""

    def __init__(self, exchange: _Exchange) -> None:
        self._exchange = exchange
        self.response = exchange.response

    def lines(self) -> Iterator[str]:
        return self._exchange.lines()

    def read(self) -> bytes:
        self.response.body = self._exchange.read()
        return self.response.body

    def close(self) -> None:
        self._exchange.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def stream(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
    connect_timeout: float = 2.0,
    read_timeout: float = 30.0,
    deadline: float | None = None,
    max_body: int = MAX_BODY,
) -> Stream:
    """Send one request and return as soon as the headers are in; the body is read as it comes."""
    body, all_headers = _prepare(json_body, headers)
    return Stream(_open(method, url, body=body, headers=all_headers, connect_timeout=connect_timeout,
                        read_timeout=read_timeout, deadline=deadline, max_body=max_body))


def _prepare(json_body: Any, headers: dict[str, str] | None) -> tuple[bytes | None, dict[str, str]]:
    all_headers = {"Accept": "application/json, text/event-stream"}
    body = None
    if json_body is not None:
        body = jsontext.dumps(json_body, ensure_ascii=False).encode("utf-8")
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    return body, all_headers
