"""A real HTTP receiver on 127.0.0.1 for webhook tests, allow-listed through settings."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """Answers with the queued replies in order, then with `default`; keeps every request."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.default = Reply()
        self.requests: list[Received] = []
        self.acknowledged: list[Received] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def next_reply(self, request: Received) -> Reply:
        with self.lock:
            self.requests.append(request)
            reply = self.replies.pop(0) if self.replies else self.default
            if 200 <= reply.status < 300:
                self.acknowledged.append(request)
            return reply


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            request = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            reply = receiver.next_reply(request)
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.server = server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ELO_WEBHOOK_ALLOWED_HOSTS = [f"127.0.0.1:{receiver.port}"]
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
