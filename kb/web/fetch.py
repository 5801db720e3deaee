"""Fetching one web page for a curator's import from a URL: the only time kb reaches the network,
and only because a person asked.

Guards: http/https only; the host's addresses are resolved first and every one must be a public
address (no loopback, private, link-local, multicast, reserved or unspecified address: the server's
own networks are out of reach); the connection goes to the address that was checked (no second DNS
answer can swap it); a timeout; a size limit; at most a few redirects, each checked the same way.
Tests serve pages from 127.0.0.1 and allow loopback explicitly (allow_loopback=True, from the app
config flag KB_IMPORT_ALLOW_LOOPBACK, which only the test suite sets).
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

TIMEOUT = 10.0                  # seconds, for connecting and for each read
MAX_REDIRECTS = 3
USER_AGENT = "kb-import/1.0 (curator's import of one page)"


class FetchError(ValueError):
    """The page cannot be fetched; `code` says why (the web layer words it for people)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass
class Fetched:
    url: str                    # the final address (after redirects)
    content: bytes
    content_type: str


def _allowed(ip: ipaddress._BaseAddress, allow_loopback: bool) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified
                                 or ip.is_link_local or ip.is_private)


def _resolve(host: str, port: int, allow_loopback: bool) -> str:
    """One checked address of `host`; FetchError if any address is on a refused network."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("unknown-host", host) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError("unknown-host", host)
    for a in addresses:
        if not _allowed(ipaddress.ip_address(a.split("%")[0]), allow_loopback):
            raise FetchError("refused-address", a)
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate checked for the host name."""

    def __init__(self, host, address, **kw):
        super().__init__(host, **kw)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, address, **kw):
        super().__init__(host, **kw)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def fetch(url: str, *, max_bytes: int, timeout: float = TIMEOUT, allow_loopback: bool = False) -> Fetched:
    """GET one page. Raises FetchError (bad-scheme, bad-url, unknown-host, refused-address,
    timeout, too-large, http-status, not-html, too-many-redirects, network)."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https"):
            raise FetchError("bad-scheme", parts.scheme)
        if not parts.hostname:
            raise FetchError("bad-url", url[:200])
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchError("bad-url", url[:200]) from None
        address = _resolve(parts.hostname, port, allow_loopback)
        if parts.scheme == "https":
            conn = _PinnedHTTPSConnection(parts.hostname, address, port=port, timeout=timeout,
                                          context=ssl.create_default_context())
        else:
            conn = _PinnedHTTPConnection(parts.hostname, address, port=port, timeout=timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5",
                                               "Accept-Encoding": "identity"})
            resp = conn.getresponse()
            if resp.status in (301, 302, 303, 307, 308) and resp.getheader("Location"):
                url = urljoin(url, resp.getheader("Location"))
                continue
            if resp.status != 200:
                raise FetchError("http-status", str(resp.status))
            ctype = (resp.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if ctype and ctype not in ("text/html", "application/xhtml+xml", "text/plain"):
                raise FetchError("not-html", ctype)
            length = resp.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError("too-large", length)
            data = resp.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise FetchError("too-large", str(len(data)))
            return Fetched(url, data, ctype)
        except (socket.timeout, TimeoutError) as exc:
            raise FetchError("timeout", str(timeout)) from exc
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            raise FetchError("network", type(exc).__name__) from exc
        finally:
            conn.close()
    raise FetchError("too-many-redirects", str(MAX_REDIRECTS))
