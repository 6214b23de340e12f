"""Which UCP version a request is served in: the platform declares its version (`UCP-Agent: profile="…";
version="2026-04-08"`, or `meta["ucp-agent"].version` over MCP); the business MUST validate it.

A platform on a version this shop serves, or an older one, is served (the newest served version not after the
platform's, else the oldest); a newer version, or one that is not a YYYY-MM-DD date, is refused with
`version_unsupported`. A platform that declares none is served the newest version.
"""

from __future__ import annotations

import re
from datetime import date

from protocols.ucp.errors import UcpError
from protocols.ucp.profile import VERSION

SERVED = (VERSION,)  # oldest first
DECLARED = re.compile(r'(?:^|[;,\s])version\s*=\s*"?([^";,\s]*)"?', re.IGNORECASE)


def declared_version(ucp_agent: str) -> str | None:
    """The `version` member of the UCP-Agent header (an RFC 8941 dictionary), if it has one."""
    found = DECLARED.search(ucp_agent)
    return found.group(1) if found else None


def _is_date(version: str) -> bool:
    try:
        return date.fromisoformat(version).isoformat() == version
    except ValueError:
        return False


def negotiate(ucp_agent: str) -> str:
    """The version to serve this platform in; UcpError `version_unsupported` (400) when there is none."""
    wanted = declared_version(ucp_agent)
    if wanted is None:
        return SERVED[-1]
    if not _is_date(wanted) or wanted > SERVED[-1]:
        raise UcpError(400, "version_unsupported", f"UCP version {wanted!r} is not supported: this business serves "
                       f"{', '.join(SERVED)}", severity="unrecoverable")
    return next((version for version in reversed(SERVED) if version <= wanted), SERVED[0])
