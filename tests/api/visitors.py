"""The API tests' visitors: gradio_client clients of the served suite, made one way."""

from __future__ import annotations

import concurrent.futures
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


class Visitor(Client):
    """gradio_client's Client, asking once more when a finished call comes back as cancelled.

    Its stream reader can hand a finished job back as CancelledError when its SSE thread sees the
    stream close before the reader takes the last message: about once in 1,300 calls under load (the
    fuzz test's count), most often on a refusal, which ends its stream at once. The server has
    answered; the answer is lost in the client. Asked again, the app gives the same answer."""

    def predict(self, *args, **kwargs):
        try:
            return super().predict(*args, **kwargs)
        except concurrent.futures.CancelledError:
            return super().predict(*args, **kwargs)


def visitor(url: str, **kwargs) -> Visitor:
    """A visitor with a session of its own, as `Client(url)` makes one."""
    return Visitor(url, verbose=False, ssl_verify=tls_context(), **kwargs)
