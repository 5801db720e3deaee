"""Schema-driven API fuzzing (schemathesis) against /openapi.json with every check (`--checks
all`): no 5xx, every response conforms to the documented schema, every request the schema allows
is answered (a reversed year range included), every request it forbids is refused with 400
(unknown parameters included). Positive and negative cases. Bounded here (KB_FUZZ_EXAMPLES,
default 40 per operation); `make fuzz` runs it longer."""
from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

from kb.config import load_config  # noqa: E402
from kb.indexer.build import update_index  # noqa: E402
from kb.web import create_app  # noqa: E402
from tests.conftest import ROOT  # noqa: E402

EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "40"))
RANDOM = bool(os.environ.get("KB_FUZZ_RANDOM"))     # the suite is repeatable; `make fuzz` explores

_VAR = tempfile.mkdtemp(prefix="kb-fuzz-")
_CONFIG = dataclasses.replace(load_config(ROOT / "config.toml"), var_dir=Path(_VAR))
update_index(_CONFIG)
APP = create_app(_CONFIG, {"TESTING": True})
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_api_never_fails_and_matches_its_schema(case):
    response = case.call()
    assert response.status_code < 500, (case.path, case.query, response.status_code)
    case.validate_response(response)            # every check, positive_data_acceptance included


def test_schemathesis_cli_with_every_check_finds_nothing():
    """`st run --checks all` as a person would run it, against a live server: its coverage phase
    sends each parameter's boundary and invalid values (empty strings, values outside the
    enums, too many items), which the random cases above may miss."""
    import shutil as _shutil
    import subprocess
    import sys
    import threading

    from werkzeug.serving import make_server
    st = _shutil.which("st", path=str(Path(sys.executable).parent)) or _shutil.which("st")
    if st is None:
        pytest.skip("the schemathesis command is not installed")
    server = make_server("127.0.0.1", 0, APP, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        run = subprocess.run([st, "run", f"http://127.0.0.1:{server.server_port}/openapi.json", "--checks", "all",
                              "--phases", "coverage,fuzzing", "--max-examples", "25", "--seed", "1"],
                             capture_output=True, text=True, timeout=600)
    finally:
        server.shutdown()
    assert run.returncode == 0, run.stdout[-4000:]
    assert " passed" in run.stdout and "failure" not in run.stdout.lower()
