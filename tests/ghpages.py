"""A static server that behaves like GitHub Pages for a project site, for tests.

The build is served at http://127.0.0.1:PORT/BASE/ only (a root-absolute link that
forgets the repository prefix gets a 404); `dir` redirects to `dir/`; `dir/` serves
`dir/index.html`; any missing path gets the build's 404.html with status 404, at
whatever depth, which is what GitHub Pages does and why 404.html uses absolute links.
"""
from __future__ import annotations

import mimetypes
import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/wasm", ".wasm")


class Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, root: Path, base: str, **kwargs):
        self.root, self.base = root, base
        super().__init__(*args, directory=str(root), **kwargs)

    def log_message(self, *args):  # keep test output clean
        pass

    def send_head(self):
        path = unquote(urlsplit(self.path).path)
        if not path.startswith(self.base):
            return self._not_found()
        rel = path[len(self.base):]
        target = (self.root / rel).resolve()
        if not target.is_relative_to(self.root):
            return self._not_found()
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            target = target / "index.html"
        if not target.is_file():
            return self._not_found()
        return self._file(target, 200)

    def _not_found(self):
        page = self.root / "404.html"
        if page.is_file():
            return self._file(page, 404)
        self.send_error(404)
        return None

    def _file(self, path: Path, status: int):
        data = path.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return _Body(data)


class _Body:
    """What send_head returns: SimpleHTTPRequestHandler copies it to the socket."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, n: int = -1) -> bytes:
        data, self.data = (self.data, b"") if n < 0 else (self.data[:n], self.data[n:])
        return data

    def close(self):
        pass


@contextmanager
def serve(root: Path, base: str = "/heihe/"):
    """Serve `root` at http://127.0.0.1:PORT{base}; yields that URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, root=Path(root).resolve(), base=base))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base}"
    finally:
        server.shutdown()
        server.server_close()
