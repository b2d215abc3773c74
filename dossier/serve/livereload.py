"""The HTTP side of `dossier serve`: the site from memory, a Server-Sent Events
endpoint, and the client script injected into pages while serving.

Stdlib only (ThreadingHTTPServer), like MkDocs' livereload: a thread per
connection, so an event stream is a thread that sleeps on a condition and wakes
for a change or a heartbeat. The site is an immutable `Snapshot` swapped in
whole by `Server.publish`, so a request never sees half of a build.

The page script learns what it is showing from a token the server writes into
it at response time (server id, the epoch the page's bytes last changed, the
site path), so a page loaded just before a rebuild, or from a server since
restarted, still finds out that it is stale when its event stream connects.
"""
from __future__ import annotations

import errno
import hashlib
import ipaddress
import json
import mimetypes
import re
import socket
import sys
import threading
import secrets
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType
from typing import Mapping
from urllib.parse import parse_qs, quote, unquote, urlsplit

from markupsafe import Markup

from ..errors import UsageError

EVENTS = "__dossier/events"  # under the base path, so a proxy to /repo/ carries it too
TOKEN = b"__DOSSIER_LIVE_TOKEN__"  # replaced per response in HTML pages
HEARTBEAT = 15.0  # seconds between comments on an idle stream: finds dead clients, keeps proxies open
HISTORY = 256  # messages kept for a stream that falls behind (a slow client); older: reload all
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".json": "application/json", ".xml": "application/xml; charset=utf-8", ".svg": "image/svg+xml",
         ".txt": "text/plain; charset=utf-8", ".wasm": "application/wasm"}


@dataclass(frozen=True)
class Snapshot:
    """One complete build as served: site path ("people/x/index.html") → bytes, or an
    object whose get() renders them on first use (incremental.Deferred)."""

    epoch: int
    files: Mapping[str, object]
    versions: Mapping[str, int]  # site path → epoch at which its file last changed
    etags: Mapping[str, str] = field(default_factory=dict)

    @staticmethod
    def make(epoch: int, files: Mapping[str, object], previous: Snapshot | None = None) -> Snapshot:
        """Keep the version and ETag of every file that did not change (the builder
        hands the same object back for a file whose bytes are the same)."""
        old = previous.files if previous else {}
        versions, etags = {}, {}
        for path, data in files.items():
            if path in old and old[path] is data:
                versions[path], etags[path] = previous.versions[path], previous.etags.get(path, "")
            else:
                versions[path] = epoch
                etags[path] = hashlib.blake2b(data, digest_size=12).hexdigest() if isinstance(data, bytes) else ""
        return Snapshot(epoch, MappingProxyType(dict(files)), MappingProxyType(versions), MappingProxyType(etags))

    def get(self, path: str) -> tuple[bytes, str]:
        """The bytes and ETag of a file (rendering it now if it was deferred)."""
        data = self.files[path]
        if isinstance(data, bytes):
            return data, self.etags[path]
        return data.get(), data.etag


def base_path(base_url: str) -> str:
    """The path part of base_url as "/repo/" (or "/"): where GitHub Pages puts the site."""
    path = urlsplit(base_url or "").path.strip("/")
    return f"/{quote(path)}/" if path else "/"


_HOST = re.compile(r"\[([0-9a-f:.]+)\](?::\d+)?|([^:\[\]/\s]+)(?::\d+)?")  # name or [IPv6], then a port


def host_allowed(header: str | None, allowed: frozenset[str]) -> bool:
    """Whether to answer a request whose `Host:` is `header` (Vite's rule). A page on
    another site can point its own domain at 127.0.0.1 (DNS rebinding) and read the
    dossier before it is published; its requests then carry that domain. So only IP
    addresses (a rebinding needs a name), localhost and *.localhost (always this
    machine, RFC 6761), and the names in `allowed` (the --host given, --allow-host:
    exact, or ".example.org" for it and its subdomains; "*" for any) are answered.
    No header at all (HTTP/1.0) is no browser's."""
    if not header or "*" in allowed:
        return True
    m = _HOST.fullmatch(header.strip().lower())
    if not m:
        return False
    host = (m.group(1) or m.group(2)).rstrip(".")
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    return (host == "localhost" or host.endswith(".localhost") or host in allowed
            or any(name.startswith(".") and (host == name[1:] or host.endswith(name)) for name in allowed))


def resolve(target: str, base: str, files: Mapping[str, bytes]) -> tuple[str, str]:
    """A request target → ("file", site path) | ("redirect", URL) | ("missing", "").

    Nothing outside the snapshot can be served, but a path that tries to leave
    the site ("..", encoded or not, backslashes, NUL) is refused outright so no
    later change (say, a folder on disk) can turn it into a leak."""
    path = urlsplit(target).path
    if path + "/" == base or path == "/" != base:  # the server's root leads to the site's
        return "redirect", base
    if not path.startswith(base):
        return "missing", ""
    rel = unquote(path[len(base):], errors="strict") if "%" in path else path[len(base):]
    parts = rel.split("/")
    if any(p in (".", "..") or "\\" in p or "\0" in p for p in parts) or "" in parts[:-1]:
        return "missing", ""
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    if rel in files:
        return "file", rel
    if f"{rel}/index.html" in files:
        return "redirect", f"{path}/"
    return "missing", ""


class Hub:
    """Fans change messages out to every open event stream.

    A message log with sequence numbers under one condition: each stream
    remembers the last number it sent, so a publish is one notify_all and no
    stream misses a message while it is busy writing the one before. (A tab that
    reconnects is not replayed the log: its page token says if it is stale.)"""

    def __init__(self):
        self._cond = threading.Condition()
        self._log: deque[tuple[int, str, dict]] = deque(maxlen=HISTORY)
        self._seq = 0
        self.closed = False
        self.error: str | None = None  # the current build error, sent to every stream that connects

    def publish(self, event: str, data: dict) -> int:
        with self._cond:
            self._seq += 1
            self._log.append((self._seq, event, data))
            self._cond.notify_all()
            return self._seq

    def set_error(self, message: str | None) -> None:
        was, self.error = self.error, message
        if message:
            self.publish("broken", {"message": message})
        elif was:
            self.publish("fixed", {})

    @property
    def seq(self) -> int:
        return self._seq

    def wait(self, after: int, timeout: float) -> list[tuple[int, str, dict]] | None:
        """Messages after `after`; [] on timeout; None once closed."""
        with self._cond:
            self._cond.wait_for(lambda: self._seq > after or self.closed, timeout)
            if self.closed:
                return None
            missed = after < self._seq and (not self._log or self._log[0][0] > after + 1)
            if missed:  # fell out of the history: a full reload is the only safe answer
                return [(self._seq, "change", {"pages": "*", "css": []})]
            return [m for m in self._log if m[0] > after]

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


class Server(ThreadingHTTPServer):
    """The site under its base path, the event endpoint, nothing else."""

    daemon_threads = False  # joined in server_close: no thread outlives `dossier serve`
    block_on_close = True
    request_queue_size = 1024  # a burst of connections waits in the kernel's queue instead of being refused

    def __init__(self, address, base: str, snapshot: Snapshot, allowed_hosts: frozenset[str] = frozenset()):
        self.base, self.snapshot, self.hub = base, snapshot, Hub()
        self.allowed_hosts = frozenset(h.lower().rstrip(".") for h in allowed_hosts)
        self.id = secrets.token_hex(4)  # a page from another server process is stale by definition
        self._conns: set[socket.socket] = set()
        self._open: Counter[str] = Counter()  # site path → event streams of tabs showing it
        self._lock = threading.Lock()
        super().__init__(address, Handler)

    def open_pages(self) -> frozenset[str]:
        """The pages shown in a browser right now: the builder renders these first."""
        with self._lock:
            return frozenset(self._open)

    def showing(self, key: str, delta: int) -> None:
        with self._lock:
            self._open[key] += delta
            if self._open[key] <= 0:
                del self._open[key]

    def publish(self, snapshot: Snapshot, message: dict | None) -> None:
        self.snapshot = snapshot  # one reference swap: requests see the old build or the new one
        if message:
            self.hub.publish("change", {"epoch": snapshot.epoch, **message})

    def token(self, key: str, snapshot: Snapshot) -> str:
        """What a page is: from which server, which version, which file (see livereload.js)."""
        return f"{self.id}.{snapshot.versions.get(key, 0)}.{quote(key)}"

    def track(self, conn: socket.socket, alive: bool) -> None:
        with self._lock:
            (self._conns.add if alive else self._conns.discard)(conn)

    def stop(self) -> None:
        """Wake every stream and unblock every idle keep-alive read, so the join is quick."""
        self.hub.close()
        with self._lock:
            for conn in list(self._conns):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # a closed tab is not news
            super().handle_error(request, client_address)


class Server6(Server):
    address_family = socket.AF_INET6


def bind(host: str, port: int, base: str, snapshot: Snapshot, tries: int = 20,
         allowed_hosts: frozenset[str] = frozenset()) -> tuple[Server, list[int]]:
    """A server on `port`, or the next free one; also the ports found taken. It
    answers the `Host:` names of host_allowed: `host` itself and `allowed_hosts`."""
    cls = Server6 if ":" in host else Server
    taken = []
    for candidate in range(port, port + tries) if port else [0]:
        try:
            return cls((host, candidate), base, snapshot, allowed_hosts | {host}), taken
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise UsageError(f"{host}:{candidate}", f"cannot listen here: {e.strerror or e}",
                                   hint="try --host 127.0.0.1 or another --port")
            taken.append(candidate)
    raise UsageError(f"{host}:{port}", f"ports {port}-{port + tries - 1} are all in use", hint="pick another --port")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a browser or load tool reuses its connections
    server_version = "dossier-serve"
    timeout = 30  # an idle keep-alive connection gives its thread back after this
    server: Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format, *args) -> None:  # noqa: A002 - the stdlib's signature
        pass  # one line per request would bury the build messages

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _respond(self, head: bool) -> None:
        server, snap = self.server, self.server.snapshot
        if not host_allowed(self.headers.get("Host"), server.allowed_hosts):
            return self._refuse_host(head)
        try:
            kind, where = resolve(self.path, server.base, snap.files)
        except UnicodeDecodeError:
            kind, where = "missing", ""
        if kind == "missing" and urlsplit(self.path).path == server.base + EVENTS:
            return self._events()
        if kind == "redirect":
            self.send_response(302)
            self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.send_header("Cache-Control", "no-cache")
            return self.end_headers()
        status, key = (200, where) if kind == "file" else (404, "404.html")
        try:
            data, etag = snap.get(key) if key in snap.files else (b"Not found\n", "none")
        except Exception as e:  # a deferred page that fails to render: say so, keep serving
            status, key, etag = 500, "error.txt", "none"
            data = f"dossier serve: this page did not render: {type(e).__name__}: {e}\n".encode()
        if key.endswith(".html") and TOKEN in data:
            token = server.token(key, snap)
            data, etag = data.replace(TOKEN, token.encode()), f"{etag}-{token}"
        if status == 200 and self.headers.get("If-None-Match") == f'"{etag}"':
            self.send_response(304)
            self.send_header("ETag", f'"{etag}"')
            self.send_header("Cache-Control", "no-cache")
            return self.end_headers()
        self.send_response(status)
        self.send_header("Content-Type", TYPES.get(_suffix(key)) or mimetypes.guess_type(key)[0]
                         or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        # no Last-Modified: two saves within a second would share it; the ETag is the content
        self.send_header("Cache-Control", "no-cache")
        self.send_header("ETag", f'"{etag}"')
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _refuse_host(self, head: bool) -> None:
        name = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")[:100]
        data = (f"dossier serve answers only to localhost, IP addresses and the names allowed with --allow-host; "
                f"to open the preview as {name!r}, run dossier serve --allow-host {name}\n").encode()
        self.send_response(403)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self) -> None:
        """One Server-Sent Events stream: what changed, the build error, heartbeats."""
        server, hub = self.server, self.server.hub
        query = parse_qs(urlsplit(self.path).query)
        after = hub.seq
        self.close_connection = True  # the stream ends when either side closes it
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        hello = [("retry: 1000\n\n").encode()]
        key, stale = _showing(server, query)
        if stale:  # changed between the page's response and this connection
            hello.append(_message(after, "change", {"pages": "*", "css": []}))
        if hub.error:
            hello.append(_message(after, "broken", {"message": hub.error}))
        server.showing(key, +1)
        try:
            self.wfile.write(b"".join(hello))
            while True:
                messages = hub.wait(after, HEARTBEAT)
                if messages is None:
                    return
                if not messages:
                    self.wfile.write(b": ping\n\n")
                for seq, event, data in messages:
                    self.wfile.write(_message(seq, event, data))
                    after = seq
        except OSError:
            return  # the tab went away
        finally:
            server.showing(key, -1)


def _showing(server: Server, query: dict) -> tuple[str, bool]:
    """The page an event stream's tab shows, and whether the tab has an older version."""
    token = (query.get("token") or [""])[0]
    location = (query.get("location") or [""])[0]
    snap = server.snapshot
    try:
        kind, key = resolve(location, server.base, snap.files)
    except UnicodeDecodeError:
        kind, key = "missing", ""
    key = key if kind == "file" else "404.html"
    return key, bool(token) and token != server.token(key, snap)


def _message(seq: int, event: str, data: dict) -> bytes:
    return f"id: {seq}\nevent: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _suffix(path: str) -> str:
    dot = path.rfind(".")
    return path[dot:] if dot > path.rfind("/") else ""


def client_script(base: str) -> Markup:
    """The `live_reload` slot of base.html while serving (never in `dossier build`)."""
    return Markup(f'<script data-dossier-live="{TOKEN.decode()}" data-base="{base}" '
                  f'data-events="{base}{EVENTS}">{CLIENT_JS}</script>')


# Read once: the script travels inline in each page, so a reload costs no extra request.
CLIENT_JS = (Path(__file__).with_name("livereload.js")).read_text(encoding="utf-8")
