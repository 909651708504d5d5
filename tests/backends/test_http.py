"""caro's HTTP client against raw sockets on loopback: framing, timeouts, limits and localhost."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from caro import http


@pytest.fixture
def raw_server() -> Iterator[list[bytes]]:
    """A one-shot TCP server on 127.0.0.1 that sends `replies[0]` (then closes) to each connection.
    Appending b"HANG" makes it accept and never answer."""
    replies: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop = threading.Event()
    held: list[socket.socket] = []

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)
            conn.settimeout(2)
            try:
                conn.recv(65536)
                if replies and replies[0] != b"HANG":
                    conn.sendall(replies[0])
                    conn.close()
            except OSError:
                pass

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    replies.append(str(listener.getsockname()[1]).encode())  # replies[0] is the port until set
    yield replies
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def serve(replies: list[bytes], reply: bytes) -> str:
    port = int(replies[0])
    replies[0] = reply
    return f"http://localhost:{port}"


def test_body_until_eof_and_localhost_dialled_as_ipv4(raw_server: list[bytes]) -> None:
    url = serve(raw_server, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"ok\": true}")
    response = http.request("GET", url + "/v1/models")
    assert response.status == 200
    assert response.json() == {"ok": True}


def test_chunked_lines(raw_server: list[bytes]) -> None:
    body = b"data: one\n\nda"
    rest = b"ta: two\n\n"
    url = serve(raw_server, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + f"{len(body):x}\r\n".encode() + body + b"\r\n" + f"{len(rest):x}\r\n".encode() + rest
                + b"\r\n0\r\n\r\n")
    with http.stream("POST", url + "/x", json_body={"a": 1}) as answer:
        assert [line for line in answer.lines() if line] == ["data: one", "data: two"]


def test_chunked_body_cut_short(raw_server: list[bytes]) -> None:
    url = serve(raw_server, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc")
    with pytest.raises(http.ProtocolError, match="closed the connection"):
        http.request("GET", url)


def test_declared_body_too_large(raw_server: list[bytes]) -> None:
    url = serve(raw_server, b"HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\nabc")
    with pytest.raises(http.BodyTooLarge):
        http.request("GET", url)


def test_not_http(raw_server: list[bytes]) -> None:
    url = serve(raw_server, b"SSH-2.0-OpenSSH_9.2\r\n")
    with pytest.raises(http.ProtocolError, match="not an HTTP answer"):
        http.request("GET", url)


def test_deadline_bounds_a_silent_server(raw_server: list[bytes]) -> None:
    url = serve(raw_server, b"HANG")
    with pytest.raises(http.Timeout) as caught:
        http.request("GET", url, read_timeout=10, deadline=0.2)
    assert caught.value.phase == "read"


def test_refused(closed_port: int) -> None:
    port = closed_port
    with pytest.raises(http.ConnectError) as caught:
        http.request("GET", f"http://localhost:{port}/")
    assert caught.value.refused
    assert f"127.0.0.1:{port}" in str(caught.value)


@pytest.mark.parametrize("url", ["ftp://x/", "localhost:1234", "http://:80/"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(ValueError):
        http.endpoint(url)
