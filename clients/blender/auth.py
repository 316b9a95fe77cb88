"""Bearer tokens for the bus: where they come from and how they are renewed.

Every source answers two questions: `token()` (the access token to send now,
or None for a server started with `--auth none`) and `renew()` (called after
a 401; True when a different token is now available and the request is
worth retrying).
"""

import json
import logging
import os
import tempfile
import threading
from typing import Optional

from .server_address import ServerAddress

log = logging.getLogger("blender_bus")


class AuthError(Exception):
    """Credentials were refused and cannot be renewed."""


class NoToken:
    def token(self) -> Optional[str]:
        return None

    def renew(self) -> bool:
        return False


class StaticToken:
    def __init__(self, value: str) -> None:
        self._value = value.strip()

    def token(self) -> Optional[str]:
        return self._value or None

    def renew(self) -> bool:
        return False


def refresh_tokens(server: ServerAddress, refresh_token: str) -> dict:
    """POST /auth/refresh (SPEC §2). Returns the new token set.

    The server rotates refresh tokens: the old one is revoked, so callers
    must keep the `refresh_token` of the answer when there is one.
    """
    status, body = server.post_json("/auth/refresh", {"refresh_token": refresh_token})
    if status != 200 or "access_token" not in body:
        raise AuthError(f"refresh failed ({status}): {body.get('detail', body)}")
    return body


class TokenFile:
    """A token kept in a file: either the bare access token, or a JSON object
    with `access_token` and optionally `refresh_token` (what a login command
    stores).

    After a 401 the file is read again first (another program may have
    refreshed it); if it has not changed and holds a refresh token, the
    token is refreshed here and written back, so that whoever shares the file
    keeps a valid (rotated) refresh token.
    """

    def __init__(self, path: str, server: ServerAddress) -> None:
        self._path = os.path.expanduser(path)
        self._server = server
        self._lock = threading.Lock()
        self._current: Optional[str] = None
        self._read()

    def _read(self) -> dict:
        with open(self._path, encoding="utf-8") as f:
            text = f.read().strip()
        if text.startswith("{"):
            stored = json.loads(text)
        else:
            stored = {"access_token": text}
        self._current = stored.get("access_token") or None
        return stored

    def token(self) -> Optional[str]:
        with self._lock:
            return self._current

    def renew(self) -> bool:
        with self._lock:
            before = self._current
            stored = self._read()
            if self._current != before:
                return True
            refresh = stored.get("refresh_token")
            if not refresh:
                return False
            try:
                fresh = refresh_tokens(self._server, refresh)
            except (AuthError, OSError) as exc:
                log.warning("token refresh failed: %s", exc)
                return False
            stored.update({k: v for k, v in fresh.items() if k in ("access_token", "refresh_token", "expires_in", "token_type")})
            self._write(stored)
            self._current = stored["access_token"]
            log.info("access token refreshed")
            return True

    def _write(self, stored: dict) -> None:
        # Atomic replace with owner-only permissions: the file holds secrets.
        directory = os.path.dirname(os.path.abspath(self._path))
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".token-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(stored, f)
            os.replace(tmp, self._path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


class PasswordLogin:
    """Logs in with POST /auth/login and refreshes with POST /auth/refresh;
    logs in again when the refresh token is refused (expired or revoked)."""

    def __init__(self, server: ServerAddress, username: str, password: str) -> None:
        self._server = server
        self._username = username
        self._password = password
        self._lock = threading.Lock()
        self._access: Optional[str] = None
        self._refresh: Optional[str] = None

    def _login(self) -> None:
        status, body = self._server.post_json(
            "/auth/login", {"username": self._username, "password": self._password})
        if status != 200 or "access_token" not in body:
            raise AuthError(f"login as {self._username!r} failed ({status}): {body.get('detail', body)}")
        self._access = body["access_token"]
        self._refresh = body.get("refresh_token")
        log.info("logged in as %s", self._username)

    def token(self) -> Optional[str]:
        with self._lock:
            if self._access is None:
                self._login()
            return self._access

    def renew(self) -> bool:
        with self._lock:
            if self._refresh:
                try:
                    fresh = refresh_tokens(self._server, self._refresh)
                    self._access = fresh["access_token"]
                    self._refresh = fresh.get("refresh_token", self._refresh)
                    log.info("access token refreshed")
                    return True
                except AuthError as exc:
                    log.info("%s; logging in again", exc)
            self._login()
            return True
