"""The network transport to a real store: aiohttp under httpx's transport interface.

Why not httpx's own: a request costs ~2 ms of client CPU through httpx and its pure-Python
HTTP parser (h11), ~1 ms through aiohttp's C parser (measured on a 10k-product read of
~800 requests; a full apply sends ~16,000). Keeping httpx's `AsyncBaseTransport` interface
keeps everything above it as it was: the in-process sandbox (`httpx.ASGITransport`), the
counting and fault-injecting wrappers of tests and the benchmark, and the client's handling
of httpx's exception classes, which this module raises in place of aiohttp's.

The body is read whole before the response is handed back (the client parses it whole
anyway), and is left encoded: httpx decodes gzip as for any other transport.

Proxies are taken from the environment as curl and requests take them (`https_proxy`,
`http_proxy`, `all_proxy`, `no_proxy`, either case; `env_proxy`), but never for a
loopback host, as Go does: a local `sandbox serve` stays reachable behind a corporate
proxy setting. aiohttp's own `trust_env` is not used: it would also send `~/.netrc`
credentials.
"""

from __future__ import annotations

import base64
import ipaddress
import ssl
import urllib.request
from typing import Any

import aiohttp
import httpx
import yarl

# Only what httpx can decode without optional packages.
ACCEPT_ENCODING = "gzip, deflate"
KEEPALIVE_S = 5.0


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, max_connections: int = 100) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        # (scheme, host) -> its proxy: the environment is read once per host, not per request.
        self._proxies: dict[tuple[str, str], yarl.URL | None] = {}

    def _open(self) -> aiohttp.ClientSession:
        # Opened on first use: aiohttp wants a running event loop, the client is made before one.
        if self._session is None:
            # The CA bundle httpx would use (certifi, or SSL_CERT_FILE / SSL_CERT_DIR), so the
            # stores this reaches are the ones it reached through httpx.
            context: ssl.SSLContext = httpx.create_ssl_context()
            self._session = aiohttp.ClientSession(
                # Idle connections dropped after 5 s, as httpx did: a load balancer that forgets
                # an idle connection without a word would otherwise eat the next request.
                connector=aiohttp.TCPConnector(
                    limit=self._max_connections, ssl=context, keepalive_timeout=KEEPALIVE_S
                ),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    def _proxy(self, url: yarl.URL) -> yarl.URL | None:
        key = (url.scheme, url.host or "")
        if key not in self._proxies:
            self._proxies[key] = env_proxy(url)
        return self._proxies[key]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._open()
        url = yarl.URL(str(request.url), encoded=True)  # as httpx encoded it, not re-quoted
        proxy = self._proxy(url)
        headers = request.headers.multi_items()
        credentials = _proxy_headers(proxy)
        if credentials and url.scheme == "http":
            # Plain HTTP goes to the proxy as it is (no tunnel): aiohttp would send the proxy
            # headers only on a CONNECT.
            headers, credentials = [*headers, *credentials.items()], None
        try:
            async with session.request(
                request.method,
                url,
                headers=headers,
                data=request.content or None,
                allow_redirects=False,
                timeout=_timeout(request.extensions.get("timeout")),
                proxy=proxy.with_user(None) if proxy else None,
                proxy_headers=credentials,
            ) as answer:
                body = await answer.read()
                headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in answer.raw_headers]
                return httpx.Response(answer.status, headers=headers, content=body, request=request)
        except aiohttp.ClientProxyConnectionError as exc:
            cause = getattr(exc, "os_error", None) or exc
            raise httpx.ProxyError(
                f"the proxy {_shown(proxy)}: {exc.strerror or exc}", request=request
            ) from cause
        except aiohttp.ClientHttpProxyError as exc:
            why = f"{exc.status} {exc.message}".strip()
            raise httpx.ProxyError(
                f"the proxy {_shown(proxy)}, which answered {why}", request=request
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            # The OS error as the cause: the client tells "connection refused" and "unknown
            # host" (final) from other failures by it.
            cause = getattr(exc, "os_error", None) or getattr(exc, "certificate_error", None) or exc
            raise httpx.ConnectError(str(exc), request=request) from cause
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


def _timeout(spec: Any) -> aiohttp.ClientTimeout:
    """httpx's per-request timeout extension (connect/read/write/pool seconds) in aiohttp's terms."""
    if not isinstance(spec, dict):
        return aiohttp.ClientTimeout()
    return aiohttp.ClientTimeout(
        connect=spec.get("pool"), sock_connect=spec.get("connect"), sock_read=spec.get("read")
    )


def env_proxy(url: yarl.URL) -> yarl.URL | None:
    """The proxy the environment names for `url`: the one for its scheme, else `all_proxy`,
    unless `no_proxy` covers its host. None for a loopback host."""
    host = url.host or ""
    if not host or _loopback(host):
        return None
    proxies = urllib.request.getproxies()
    found = proxies.get(url.scheme) or proxies.get("all")
    if not found or urllib.request.proxy_bypass(host):
        return None
    return yarl.URL(found if "://" in found else f"http://{found}")  # `proxy:3128`, as curl reads it


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _proxy_headers(proxy: yarl.URL | None) -> dict[str, str] | None:
    """Credentials written in the proxy's URL, sent to the proxy alone."""
    if proxy is None or proxy.user is None:
        return None
    pair = f"{proxy.user}:{proxy.password or ''}".encode()
    return {"Proxy-Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}


def _shown(proxy: yarl.URL | None) -> str:
    # Never the credentials: errors end up in CI logs.
    return str(proxy.with_user(None)) if proxy is not None else "(none)"
