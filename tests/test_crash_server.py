"""kill -9 a gunicorn server in the middle of curators' saves: afterwards the corpus is intact
(`kb check` passes, no half-written record), the restarted site serves and search works, and the
interrupted save can simply be repeated."""
from __future__ import annotations

import http.cookiejar
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import pytest

from tests.conftest import ROOT

GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")
KILLS = int(os.environ.get("KB_SERVER_KILLS", "4"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=20) as r:
            return r.status, r.read().decode("utf-8")

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=20) as r:
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def token(self, path):
        return re.search(r'name="csrf_token" value="([^"]+)"', self.get(path)[1]).group(1)


def start(project, port):
    env = dict(os.environ, KB_CONFIG=str(project / "config.toml"))
    proc = subprocess.Popen([GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "1", "kb.web:create_app()"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail("gunicorn did not start")


def record(i, round_):
    return {"id": [f"bu-crash-{round_}-{i:03d}"], "lang": ["bg"], "title": [f"Запис {i} версия {round_}"],
            "summary": ["Резюме."], "title_en": ["Record"], "summary_en": ["Summary."], "region": ["burgas"],
            "organisation": ["Община Бургас"], "organisation_type": ["municipality"], "topics": ["e-services"],
            "year_start": ["2020"], "doctype": ["case-study"], "action": ["publish"], "new": ["1"],
            "body": ["## Проблем\n\n" + "Текст. " * 300 + "\n\n## Решение\n\nДа.\n\n## Резултати\n\nДа.\n"]}


@pytest.mark.skipif(not os.path.exists(GUNICORN), reason="gunicorn is not installed")
def test_kill_9_server_during_saves(tmp_path):
    project = tmp_path
    shutil.copy(ROOT / "config.toml", project / "config.toml")
    shutil.copytree(ROOT / "corpus", project / "corpus")
    kb = [sys.executable, "-m", "kb.cli"]
    subprocess.run(kb + ["index"], cwd=project, check=True, capture_output=True)
    subprocess.run(kb + ["curator", "add", "maria"], cwd=project, input="long enough password\n",
                   text=True, check=True, capture_output=True)
    port = free_port()
    rng = random.Random(7)
    for round_ in range(KILLS):
        proc = start(project, port)
        b = Browser(f"http://127.0.0.1:{port}")
        b.post("/curate/login", {"name": "maria", "password": "long enough password",
                                 "csrf_token": b.token("/curate/login")})
        stop = threading.Event()

        def saver():
            i = 0
            while not stop.is_set():
                try:
                    fields = record(i, round_)
                    fields["csrf_token"] = [b.token("/curate/new")]
                    b.post("/curate/save", fields)
                except OSError:
                    return
                i += 1

        t = threading.Thread(target=saver)
        t.start()
        time.sleep(rng.uniform(0.5, 2.0))
        os.killpg(proc.pid, signal.SIGKILL)           # master and worker, mid-save
        proc.wait()
        stop.set()
        t.join(timeout=30)
        out = subprocess.run(kb + ["check"], cwd=project, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr[-2000:]       # no half-written record
        assert list((project / "corpus" / "burgas").glob(f"bu-crash-{round_}-*.md"))   # saves did happen
    # the site comes back, search works, and an interrupted save is simply repeated
    subprocess.run(kb + ["index"], cwd=project, check=True, capture_output=True)
    proc = start(project, port)
    try:
        b = Browser(f"http://127.0.0.1:{port}")
        assert b.get("/?q=transparencia")[0] == 200
        b.post("/curate/login", {"name": "maria", "password": "long enough password",
                                 "csrf_token": b.token("/curate/login")})
        fields = record(99, "final")
        fields["csrf_token"] = [b.token("/curate/new")]
        assert b.post("/curate/save", fields) in (200, 302)
        assert "bu-crash-final-099" in b.get("/?q=" + urllib.parse.quote("Запис 99"))[1]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
