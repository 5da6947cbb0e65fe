"""WSGI twin of the Prefork example app, for the Gunicorn peer: `/` and `/burn?ms=N`.

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
    if environ.get("PATH_INFO") == "/burn":
        ms = parse_qs(environ.get("QUERY_STRING", "")).get("ms", ["0"])[0]
        burn(int(ms))
    start_response("200 OK", [
        ("Content-Type", "text/plain"),
        ("Content-Length", str(len(BODY))),
        ("X-Worker-Pid", str(os.getpid())),
    ])
    return [BODY]
