"""URL canonicalisation, stable article ids and the safety check every fetched URL passes.

Pure except `check_url_allowed`, which resolves the host name (DNS) to check its addresses.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
from collections.abc import Iterable
from contextlib import suppress
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

__all__ = [
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "UnresolvableHost",
    "UnsafeURL",
    "address_refusal",
    "article_id_for_url",
    "canonical_url",
    "check_address_allowed",
    "check_url_allowed",
    "host_key",
    "host_listed",
    "resolve_host",
]

# Query parameters that only say how a reader arrived, never which page it is (lower case).
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "twclid",
        "mc_cid",
        "mc_eid",
        "ocid",
        "cmpid",
        "cmp",
        "icid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "maca",
        "traffic_source",
        "smid",
        "smtyp",
        "emc",
        "xtor",
        "ito",
        "mkt_tok",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "__twitter_impression",
        "guccounter",
        "spm",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "sr_share",
    }
)
# Prefixes of tracking parameter families: utm_source, at_medium (BBC), pk_campaign (Matomo)...
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "at_", "pk_", "mtm_", "hsa_", "vero_", "oly_")

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are in a path; everything else (spaces, quotes, non-ASCII) is escaped.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
# Cloud instance-metadata endpoints: refused whatever the configuration says.
_METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
        ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("fd00:ec2::254"),  # AWS IPv6
    }
)
_WS_RE = re.compile(r"[\t\n\r]")


class UnsafeURL(ValueError):
    """A URL the fetcher refuses: wrong scheme, no host, or a host on a refused network."""


class UnresolvableHost(OSError):
    """The host name of a URL did not resolve (DNS failure): a network problem, not a policy one."""


def _is_tracking(key: str) -> bool:
    k = unquote(key).strip().lower()
    return k in TRACKING_PARAMS or k.startswith(TRACKING_PREFIXES)


def _canonical_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if not host or host.startswith("["):
        return host
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass  # leave it as it was: the fetcher will fail on it and say so
    return host


def canonical_url(url: str, base: str | None = None) -> str:
    """The canonical form of a URL: the key under which an article is stored.

    Resolves `url` against `base`, lowercases scheme and host (IDNA-encoded), drops default
    ports, user info is kept, the fragment and tracking parameters (utm_*, fbclid, ...) go,
    the remaining query parameters are sorted (their raw encoding is kept so the server sees
    the same values), and an empty path becomes "/".
    """
    url = _WS_RE.sub("", (url or "").strip())
    if base:
        with suppress(ValueError):  # a malformed base ("//[") leaves the URL as it is
            url = urljoin(_WS_RE.sub("", base.strip()), url)
    try:
        parts = urlsplit(url)
    except ValueError:  # "//[": an unbalanced IPv6 bracket; no web URL, only its fragment goes
        return url.partition("#")[0].strip()
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        # Not a web URL (mailto:, urn:, relative without base): only strip the fragment, and
        # the white space it leaves at the end ("0\x0c#" is "0", as canonical_url("0\x0c") is)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")).strip()

    netloc = parts.netloc
    userinfo = ""
    if "@" in netloc:
        userinfo, _, netloc = netloc.rpartition("@")
        userinfo += "@"
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        port = None
    host = _canonical_host(host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6 literal
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"

    path = quote(parts.path, safe=_PATH_SAFE) or "/"
    pairs = [p for p in parts.query.split("&") if p]
    kept = [p for p in pairs if not _is_tracking(p.split("=", 1)[0])]
    kept.sort(key=lambda p: (p.split("=", 1)[0], p))
    query = quote("&".join(kept), safe=_QUERY_SAFE)
    return urlunsplit((scheme, userinfo + host, path, query, ""))


def article_id_for_url(url: str) -> str:
    """Stable article id: the first 16 hex digits of the sha256 of the canonical URL."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:16]


def host_key(url: str) -> str:
    """`scheme://host[:port]` of a URL, the unit of politeness (rate limits, robots.txt)."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower().rpartition('@')[2]}"


_NEVER = "never fetched, whatever the configuration"


def address_refusal(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    allow_private: bool,
    allow_loopback: bool,
) -> str | None:
    """Why an IP address is refused under the given policy, or None when it is allowed."""
    kind, setting = _address_kind(address)
    if kind is None:
        return None
    if (setting == "allow_loopback" and allow_loopback) or (
        setting == "allow_private" and allow_private
    ):
        return None
    return kind


def _address_kind(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> tuple[str | None, str | None]:
    """(what kind of refused address it is, the setting that can allow it; None: nothing can)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in _METADATA_ADDRESSES:
        return "a cloud metadata address", None
    if address.is_loopback:
        return "a loopback address", "allow_loopback"
    if address.is_unspecified:
        return "an unspecified address", None
    if address.is_multicast:
        return "a multicast address", None
    if address.is_link_local:
        return "a link-local address", "allow_private"
    if address.is_private:
        return "a private address", "allow_private"
    if address.is_reserved or not address.is_global:
        return "a reserved or non-global address", "allow_private"
    return None, None


def _split_host_port(item: str) -> tuple[str, int | None]:
    """`host:port`, `host`, `[v6]:port`, `[v6]` or a bare IPv6 address -> (host, port or None)."""
    item = item.strip()
    if item.startswith("["):
        host, _, rest = item[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif item.count(":") == 1:
        host, _, port = item.partition(":")
    else:
        host, port = item, ""
    return _canonical_host(host), int(port) if port.isdigit() else None


def host_listed(host: str, port: int | None, allow_hosts: Iterable[str]) -> bool:
    """Whether `host` (and `port`) is one of `allow_hosts` ("host:port", or "host" for any port)."""
    name = _canonical_host(host).strip("[]")
    for item in allow_hosts:
        listed, listed_port = _split_host_port(item)
        if listed.strip("[]") == name and (listed_port is None or listed_port == port):
            return True
    return False


def _entry(host: str, port: int | None) -> str:
    name = _canonical_host(host).strip("[]")
    name = f"[{name}]" if ":" in name else name
    return f"{name}:{port}" if port else name


def check_address_allowed(
    host: str,
    addresses: Iterable[str],
    allow_private: bool,
    allow_loopback: bool,
    *,
    port: int | None = None,
    allow_hosts: Iterable[str] = (),
) -> None:
    """Raise UnsafeURL if any of the addresses `host` resolved to is refused.

    A host listed in `allow_hosts` (with its port, or alone for any port) is allowed whatever
    its addresses, except metadata, unspecified and multicast ones, which nothing allows.
    """
    listed = host_listed(host, port, allow_hosts)
    for raw in addresses:
        try:
            address = ipaddress.ip_address(raw.split("%", 1)[0])
        except ValueError:
            raise UnsafeURL(
                f"host {host!r} resolved to something that is not an IP address: {raw!r}"
            ) from None
        kind, setting = _address_kind(address)
        if kind is None:
            continue
        if setting is None:
            raise UnsafeURL(f"refused: host {host!r} resolves to {address}, {kind}; {_NEVER}")
        if listed or (setting == "allow_loopback" and allow_loopback):
            continue
        if setting == "allow_private" and allow_private:
            continue
        raise UnsafeURL(
            f"refused: host {host!r} resolves to {address}, {kind}; if this host is meant to be "
            f'fetched, list it: fetch.allow_hosts = ["{_entry(host, port)}"] '
            f"(fetch.{setting} = true would allow every such address)"
        )


def resolve_host(host: str, port: int | None = None) -> list[str]:
    """All IP addresses a host name resolves to (IP literals resolve to themselves)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"cannot resolve host {host!r}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url_allowed(
    url: str,
    allow_private: bool = False,
    allow_loopback: bool = False,
    allow_hosts: Iterable[str] = (),
) -> None:
    """Raise UnsafeURL unless `url` is http(s) with a host that resolves only to allowed addresses.

    Refused: other schemes, missing hosts, and hosts resolving to loopback (unless
    `allow_loopback` or the host is in `allow_hosts`), private, link-local, reserved or other
    non-global addresses (unless `allow_private` or listed), multicast, unspecified and
    cloud-metadata addresses (always). Raises UnresolvableHost when the name does not resolve.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURL(
            f"refused: scheme {scheme or '(none)'!r} in {url!r}; only http and https are fetched"
        )
    host = parts.hostname
    if not host:
        raise UnsafeURL(f"refused: no host in {url!r}")
    try:
        port = parts.port
    except ValueError:
        raise UnsafeURL(f"refused: invalid port in {url!r}") from None
    try:
        literal = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
    addresses = [str(literal)] if literal is not None else resolve_host(_canonical_host(host), port)
    check_address_allowed(
        host,
        addresses,
        allow_private,
        allow_loopback,
        port=port if port is not None else _DEFAULT_PORTS[scheme],
        allow_hosts=allow_hosts,
    )
