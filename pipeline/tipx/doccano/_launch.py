"""Run a ``doccano`` sub-command inside doccano's own venv, with two changes that its CLI lacks.

This file is executed by path with ``.venv-doccano/bin/python`` (never imported by tipx): it
only uses the standard library and doccano's own packages.

* ``webserver``: doccano 1.8.4 hard-codes gunicorn's bind address to ``0.0.0.0`` in
  ``backend/cli.py`` (``run_on_nix``) and, because its ``StandaloneApplication`` subclasses
  gunicorn's ``BaseApplication``, neither ``GUNICORN_CMD_ARGS`` nor a config file can override
  it. We wrap ``gunicorn.config.Config.set`` so that the bind value doccano passes is rewritten to
  ``$TIPX_DOCCANO_HOST`` (default ``127.0.0.1``) on the same port. Everything else is doccano's
  own start-up (env defaults, ``django.setup()``, gunicorn options).
* ``createuser``: the password comes from ``$TIPX_DOCCANO_ADMIN_PASSWORD`` and is put into the
  in-process argv, so it never shows up in the process list.

Usage: ``python _launch.py webserver --port 8123 --workers 2`` (same arguments as ``doccano``).
"""
from __future__ import annotations

import os
import sys


def _bind_loopback() -> None:
    import gunicorn.config

    host = os.environ.get("TIPX_DOCCANO_HOST", "127.0.0.1")
    original_set = gunicorn.config.Config.set

    def set_(self, name, value):  # noqa: ANN001 - gunicorn's signature
        if name == "bind":
            values = [value] if isinstance(value, str) else list(value)
            value = [f"{host}:{v.rsplit(':', 1)[-1]}" for v in values]
        return original_set(self, name, value)

    gunicorn.config.Config.set = set_


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit("usage: _launch.py DOCCANO-COMMAND [ARGS...]")
    command = argv[0]
    if command == "webserver":
        _bind_loopback()
    if command == "createuser" and "--password" not in argv:
        password = os.environ.get("TIPX_DOCCANO_ADMIN_PASSWORD")
        if not password:
            raise SystemExit("TIPX_DOCCANO_ADMIN_PASSWORD is not set")
        argv = [*argv, "--password", password]
    from backend.cli import main as doccano_main

    sys.argv = ["doccano", *argv]
    doccano_main()


if __name__ == "__main__":
    main(sys.argv[1:])
