"""A real doccano server (and its task worker) on 127.0.0.1 for the ``doccano``-marked tests."""
from __future__ import annotations

import secrets

import pytest

from tipx.doccano import server as dserver

TEST_PROJECT = "tipx-test"


@pytest.fixture(scope="session")
def doccano_server(request, tmp_path_factory):
    """Install doccano into .venv-doccano if needed (idempotent), start it on a free port, stop it after.

    Skips only when no Python 3.11 exists to build doccano's venv with.
    """
    try:
        dserver.find_python()
    except dserver.DoccanoUnavailable as err:
        pytest.skip(f"doccano needs Python 3.11 for its own venv: {err}")
    data_dir = tmp_path_factory.mktemp("doccano-data")
    password = secrets.token_urlsafe(16)
    server = dserver.start(
        data_dir, port=dserver.free_port(), username="admin", password=password, project=TEST_PROJECT,
        timeout=240, log=lambda msg: print(msg, flush=True),
    )
    # stop the webserver and the worker whatever the tests do
    request.addfinalizer(server.stop)
    server.password = password  # type: ignore[attr-defined]
    return server


@pytest.fixture()
def doccano_env(doccano_server):
    """The environment variables push/pull read their credentials from."""
    return {
        "DOCCANO_URL": doccano_server.base_url,
        "DOCCANO_USERNAME": doccano_server.username,
        "DOCCANO_PASSWORD": doccano_server.password,
    }
