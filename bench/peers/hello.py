"""WSGI twin of the Prefork example app, for the Gunicorn peer: `/`, `/burn?ms=N` and `/block?ms=N`.

Same bytes on the wire as the example (`Hello, World!`, text/plain, X-Worker-Pid), so the
comparison is about the server, not the payload.
"""
import os
import time
from urllib.parse import parse_qs

BODY = b"Hello, World!"
PID = str(os.getpid())


def burn(ms):
    # Busy-wait on the CPU like the example's /burn: it models a handler that blocks its worker.
    end = time.perf_counter() + ms / 1000.0
    while time.perf_counter() < end:
        pass


def app(environ, start_response):
    path = environ.get("PATH_INFO")
    if path in ("/burn", "/block"):
        ms = int(parse_qs(environ.get("QUERY_STRING", "")).get("ms", ["0"])[0])
        # /block sleeps (a stand-in for a database call), like the example's Thread.sleep.
        burn(ms) if path == "/burn" else time.sleep(ms / 1000.0)
    start_response("200 OK", [
        ("Content-Type", "text/plain"),
        ("Content-Length", str(len(BODY))),
        ("X-Worker-Pid", str(os.getpid())),
    ])
    return [BODY]
