"""Where the bus server is, and plain JSON-over-HTTP calls to it.

Uses http.client directly (not urllib) so that no proxy environment variable
reroutes traffic meant for a local server, and so that a streaming response
can be read line by line and cut from another thread.
"""

import http.client
import json
import urllib.parse
from typing import Optional, Tuple


class ServerAddress:
    """The server's base URL, e.g. http://127.0.0.1:8000 or
    https://bus.example.org.

    A URL that already ends in /mcp is accepted too; the base is what
    precedes it, since /auth/* routes live beside /mcp.

    For https:// the server's certificate and name are verified (TLS 1.2 or
    newer) against the system's certificate authorities, or only against
    `ca_file` (PEM) for a server whose certificate a private CA signed.
    """

    def __init__(self, url: str, ca_file: Optional[str] = None) -> None:
        parsed = urllib.parse.urlsplit(url.strip())
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"server URL must be http(s)://host[:port], got {url!r}")
        self.scheme = parsed.scheme
        self.host = parsed.hostname
        self.port = parsed.port or (443 if parsed.scheme == "https" else 80)
        base_path = parsed.path.rstrip("/")
        if base_path.endswith("/mcp"):
            base_path = base_path[: -len("/mcp")]
        self.base_path = base_path
        self.ca_file = ca_file
        self._tls = None
        if self.scheme == "https":
            # Imported only for https, as http.client does: a Python whose
            # ssl module is missing or broken still speaks plain HTTP.
            import ssl
            # Made once: loading the system's CA store takes a few milliseconds.
            self._tls = ssl.create_default_context(cafile=ca_file)
            self._tls.minimum_version = ssl.TLSVersion.TLSv1_2
        elif ca_file:
            raise ValueError(f"a CA file is for an https:// server, not {url!r}")

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.base_path}"

    def path(self, route: str) -> str:
        return self.base_path + route

    def connect(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        if self._tls is not None:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=self._tls)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def post_json(self, route: str, body: dict, headers: Optional[dict] = None,
                  timeout: float = 30.0) -> Tuple[int, dict]:
        """POSTs a JSON body; returns (status, parsed JSON body or {})."""
        connection = self.connect(timeout)
        try:
            all_headers = {"Content-Type": "application/json", "Accept": "application/json"}
            all_headers.update(headers or {})
            connection.request("POST", self.path(route), body=json.dumps(body).encode(),
                                headers=all_headers)
            response = connection.getresponse()
            raw = response.read()
            try:
                parsed = json.loads(raw) if raw else {}
            except ValueError:
                parsed = {"detail": raw.decode("utf-8", errors="replace")}
            return response.status, parsed if isinstance(parsed, dict) else {"value": parsed}
        finally:
            connection.close()
