"""The API tests' visitors: gradio_client clients of the served suite, made one way."""

from __future__ import annotations

import ssl
from functools import cache

from gradio_client import Client


@cache
def tls_context() -> ssl.SSLContext:
    """One SSL context for every request the tests make, verifying as httpx's default does.

    gradio_client opens a new httpx client for each request it sends, and httpx builds each one a
    fresh SSL context by reading the whole CA bundle, even for plain http: a fifth of the CPU the
    fuzz test spent (py-spy, 150 s of it). Given a context, httpx uses it as it is."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def visitor(url: str, **kwargs) -> Client:
    """A visitor with a session of its own, as `Client(url)` makes one."""
    return Client(url, verbose=False, ssl_verify=tls_context(), **kwargs)
