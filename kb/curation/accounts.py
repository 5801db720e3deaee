"""Curator accounts, the app's secret key and sign-in throttling, all kept under var/ (never in git).

Passwords are stored only as werkzeug scrypt hashes in var/curators.json (mode 0600).
Failed sign-ins are counted in var/throttle.sqlite so that every gunicorn worker sees them.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import tempfile
import time
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from kb.config import Config
from kb.records.corpus import write_atomic

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 10
MAX_FAILURES = 5              # failed sign-ins allowed per name and per address ...
FAILURE_WINDOW = 15 * 60      # ... within this many seconds


class CuratorError(ValueError):
    """A bad curator name or password, or an unknown curator; the message says what to do."""


def _accounts_path(config: Config) -> Path:
    return config.var_dir / "curators.json"


def _load(config: Config) -> dict[str, dict]:
    try:
        return json.loads(_accounts_path(config).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def _save(config: Config, accounts: dict) -> None:
    path = _accounts_path(config)
    write_atomic(path, json.dumps(accounts, indent=2, sort_keys=True) + "\n")
    os.chmod(path, 0o600)


def add_curator(config: Config, name: str, password: str) -> bool:
    """Create a curator or set a new password; True if the curator is new."""
    if not NAME_RE.match(name or ""):
        raise CuratorError(f"name: {name!r} is not a valid curator name (2-32 characters: "
                           "lower-case letters, digits, '.', '_', '-')")
    if len(password or "") < MIN_PASSWORD:
        raise CuratorError(f"password: use at least {MIN_PASSWORD} characters")
    accounts = _load(config)
    new = name not in accounts
    accounts[name] = {"hash": generate_password_hash(password, method="scrypt"),
                      "created": accounts.get(name, {}).get("created") or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    config.var_dir.mkdir(parents=True, exist_ok=True)
    _save(config, accounts)
    return new


def remove_curator(config: Config, name: str) -> None:
    accounts = _load(config)
    if name not in accounts:
        raise CuratorError(f"name: no curator {name!r}")
    del accounts[name]
    _save(config, accounts)


def list_curators(config: Config) -> list[str]:
    return sorted(_load(config))


def exists(config: Config, name: str) -> bool:
    return name in _load(config)


def verify(config: Config, name: str, password: str) -> bool:
    account = _load(config).get(name or "")
    if account is None:
        # spend the same time as a real check, so timing does not reveal which names exist
        check_password_hash(generate_password_hash("x", method="scrypt"), password or "")
        return False
    return check_password_hash(account["hash"], password or "")


def secret_key(config: Config) -> str:
    """The app's secret key: generated on first run into var/secret_key (0600), then reused.

    Created with link(2), which fails if the file exists, so concurrent workers agree on one key."""
    path = config.var_dir / "secret_key"
    try:
        key = path.read_text(encoding="utf-8").strip()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    config.var_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=config.var_dir, prefix=".secret-")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return path.read_text(encoding="utf-8").strip()


class Throttle:
    """Counts failed sign-ins per key (name, address) in SQLite, shared by all workers."""

    def __init__(self, config: Config, limit: int = MAX_FAILURES, window: int = FAILURE_WINDOW):
        self.path = config.var_dir / "throttle.sqlite"
        self.limit = limit
        self.window = window

    def _db(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("CREATE TABLE IF NOT EXISTS failures (key TEXT NOT NULL, at REAL NOT NULL)")
        return db

    def blocked_for(self, *keys: str) -> int:
        """Seconds until a sign-in may be tried again for any of the keys (0 = now)."""
        now = time.time()
        db = self._db()
        try:
            db.execute("DELETE FROM failures WHERE at < ?", (now - self.window,))
            worst = 0
            for key in keys:
                rows = db.execute("SELECT at FROM failures WHERE key = ? ORDER BY at", (key,)).fetchall()
                if len(rows) >= self.limit:
                    worst = max(worst, int(rows[-self.limit][0] + self.window - now) + 1)
            return worst
        finally:
            db.close()

    def fail(self, *keys: str) -> None:
        db = self._db()
        try:
            db.executemany("INSERT INTO failures VALUES (?, ?)", [(k, time.time()) for k in keys])
        finally:
            db.close()

    def clear(self, *keys: str) -> None:
        db = self._db()
        try:
            db.executemany("DELETE FROM failures WHERE key = ?", [(k,) for k in keys])
        finally:
            db.close()
