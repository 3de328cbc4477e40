"""Install, start and stop a local doccano 1.8.4 server for annotating cables.

Why doccano has its own venv (``.venv-doccano``)
------------------------------------------------
doccano 1.8.4 is a Django 4.2 application whose requirements contradict the main environment's:
it declares ``pydantic>=2,<3`` while ``doccano-client`` 1.2.8 (main venv) needs ``pydantic<2``; it
declares ``pandas<2``, whose 1.5 wheels are built against numpy 1 (hence ``numpy<2``), while spaCy 3.8
in the main venv runs numpy 2; and its ``environs`` 9 breaks with marshmallow 4 (hence
``marshmallow<4``). One resolver cannot satisfy both sides, so the server lives in
``.venv-doccano`` (built with ``python3.11 -m venv`` and constrained to the exact versions in
:mod:`tipx.doccano.lock`), and the main environment only talks to it over HTTP through
``doccano-client``. Nothing in the main environment imports doccano.

What :func:`start` does
-----------------------
1. :func:`ensure_installed` builds ``.venv-doccano`` if it is missing or was built from other pins
   (idempotent; a marker file records the pins; a file lock in the temp dir keeps two installs apart).
2. :func:`init_data_dir` runs ``doccano init`` (SQLite migrations, roles) and ``doccano createuser``
   in the data dir; doccano reads its settings from the environment (``DOCCANO_HOME``,
   ``DATABASE_URL``, ``MEDIA_ROOT``, ``SECRET_KEY``...), which :func:`doccano_env` sets.
3. It starts ``doccano webserver`` (gunicorn) bound to 127.0.0.1 and ``doccano task`` (the celery
   worker; file imports and exports are celery tasks and wait forever without it; its broker is the
   same SQLite database). doccano 1.8.4 hard-codes ``0.0.0.0`` as the bind address, so both run
   through ``_launch.py``, which rewrites gunicorn's bind setting to ``$TIPX_DOCCANO_HOST``.
4. It waits until ``/v1/health/`` answers 200 (that check also round-trips a celery task, so the
   worker is up too), then optionally creates the annotation project (:func:`ensure_project`).

Each process runs in its own process group; :meth:`DoccanoServer.stop` ends the groups (TERM, then
KILL), and is also registered with ``atexit``.
"""
from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .lock import DOCCANO_CONSTRAINTS

DOCCANO_VERSION = "1.8.4"
#: What ``.venv-doccano`` is built from (plus :data:`tipx.doccano.lock.DOCCANO_CONSTRAINTS`).
DOCCANO_REQUIREMENTS: tuple[str, ...] = (f"doccano=={DOCCANO_VERSION}", "marshmallow<4", "numpy<2")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_USERNAME = "admin"

_LAUNCHER = Path(__file__).with_name("_launch.py")
_MARKER = ".tipx-doccano.json"
_SCRUBBED_ENV = (
    "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "MEDIA_ROOT",
    "CELERY_BROKER_URL", "DOCCANO_PASSWORD", "DOCCANO_USERNAME", "DOCCANO_URL", "TIPX_DOCCANO_ADMIN_PASSWORD",
)

Log = Callable[[str], None]


class DoccanoUnavailable(RuntimeError):
    """doccano cannot be installed here at all (no python3.11)."""


class DoccanoServerError(RuntimeError):
    """Installing, initialising or starting doccano failed; the message says which step and why."""


def _quiet(_: str) -> None:
    pass


# ---------------------------------------------------------------------------------------------
# where things live


def repo_root() -> Path:
    """The checkout this package runs from (editable install), else the working directory."""
    here = Path(__file__).resolve()
    root = here.parents[3]
    if (root / "pyproject.toml").is_file() and (root / "pipeline" / "tipx").is_dir():
        return root
    return Path.cwd()


def default_venv() -> Path:
    """``$TIPX_DOCCANO_VENV`` or ``.venv-doccano`` in the repository root."""
    env = os.environ.get("TIPX_DOCCANO_VENV")
    return Path(env).expanduser() if env else repo_root() / ".venv-doccano"


def default_data_dir() -> Path:
    """``$DOCCANO_DATA`` or ``$XDG_DATA_HOME/tipx/doccano`` (``~/.local/share/tipx/doccano``)."""
    env = os.environ.get("DOCCANO_DATA")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "tipx" / "doccano"


def venv_python(venv: Path) -> Path:
    return Path(venv) / "bin" / "python"


def free_port(host: str = DEFAULT_HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.version == 4 and address.is_loopback  # the port checks here are IPv4


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------
# installing


def find_python(python: str | None = None) -> str:
    """A working Python 3.11 (``$TIPX_DOCCANO_PYTHON`` or ``python3.11`` on PATH), else DoccanoUnavailable."""
    name = python or os.environ.get("TIPX_DOCCANO_PYTHON") or "python3.11"
    exe = shutil.which(name)
    if exe is None:
        raise DoccanoUnavailable(f"{name} is not on PATH; doccano {DOCCANO_VERSION} needs Python 3.11 for its own venv")
    # A pyenv shim exists even when the version behind it does not: run it to be sure.
    probe = subprocess.run([exe, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True)
    if probe.returncode != 0 or probe.stdout.strip() != "3.11":
        raise DoccanoUnavailable(f"{name} ({exe}) does not run Python 3.11 with venv: {(probe.stderr or probe.stdout).strip()[:200]}")
    return exe


def _fingerprint() -> str:
    blob = json.dumps({"requirements": DOCCANO_REQUIREMENTS, "constraints": DOCCANO_CONSTRAINTS}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def is_installed(venv: Path | None = None) -> bool:
    """True when ``venv`` holds doccano built from the current pins."""
    venv = Path(venv or default_venv())
    marker = venv / _MARKER
    py = venv_python(venv)
    if not (marker.is_file() and py.exists()):
        return False
    try:
        if json.loads(marker.read_text()).get("fingerprint") != _fingerprint():
            return False
    except (OSError, ValueError):
        return False
    probe = subprocess.run(
        [str(py), "-c", "import importlib.metadata as m; print(m.version('doccano'))"], capture_output=True, text=True
    )
    return probe.returncode == 0 and probe.stdout.strip() == DOCCANO_VERSION


@contextlib.contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_installed(venv: Path | None = None, python: str | None = None, log: Log = _quiet) -> Path:
    """Build ``venv`` with doccano unless it is already there; returns the venv's python.

    Creates the venv with ``python3.11 -m venv --clear`` and installs :data:`DOCCANO_REQUIREMENTS`
    constrained by :data:`tipx.doccano.lock.DOCCANO_CONSTRAINTS`; if pip cannot satisfy the
    constraints it tries once more without them. pip's output goes to ``VENV/tipx-install.log``.
    """
    venv = Path(venv or default_venv()).absolute()
    if is_installed(venv):
        return venv_python(venv)
    lock = Path(tempfile.gettempdir()) / f"tipx-doccano-{hashlib.sha256(str(venv).encode()).hexdigest()[:16]}.lock"
    with _file_lock(lock):
        if is_installed(venv):  # another process finished it while we waited
            return venv_python(venv)
        exe = find_python(python)
        log(f"Installing doccano {DOCCANO_VERSION} into {venv} (one-off, about a minute)...")
        started = time.monotonic()
        created = subprocess.run([exe, "-m", "venv", "--clear", str(venv)], capture_output=True, text=True)
        if created.returncode != 0:
            raise DoccanoServerError(f"could not create {venv}: {(created.stderr or created.stdout).strip()[-500:]}")
        logfile = venv / "tipx-install.log"
        constraints = venv / "tipx-constraints.txt"
        constraints.write_text(DOCCANO_CONSTRAINTS)
        pip = [str(venv_python(venv)), "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
        with logfile.open("w") as out:
            rc = subprocess.run([*pip, "-c", str(constraints), *DOCCANO_REQUIREMENTS], stdout=out, stderr=subprocess.STDOUT).returncode
            if rc != 0:
                log("pip could not install the pinned versions; trying again with the requirements alone...")
                out.write("\n--- retry without tipx-constraints.txt ---\n")
                out.flush()
                rc = subprocess.run([*pip, *DOCCANO_REQUIREMENTS], stdout=out, stderr=subprocess.STDOUT).returncode
        if rc != 0:
            raise DoccanoServerError(f"pip could not install doccano into {venv} (see {logfile}):\n{_tail(logfile)}")
        (venv / _MARKER).write_text(json.dumps({"fingerprint": _fingerprint(), "requirements": DOCCANO_REQUIREMENTS}))
        log(f"doccano installed in {time.monotonic() - started:.0f} s.")
    return venv_python(venv)


# ---------------------------------------------------------------------------------------------
# running


def _secret_key(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if not path.is_file():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def doccano_env(data_dir: Path, host: str = DEFAULT_HOST) -> dict[str, str]:
    """The environment doccano's processes run with: all their settings point into ``data_dir``."""
    data_dir = Path(data_dir).absolute()
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env.update(
        DOCCANO_HOME=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'db.sqlite3'}",
        MEDIA_ROOT=str(data_dir / "media"),
        SECRET_KEY=_secret_key(data_dir),
        DEBUG="False",
        TIPX_DOCCANO_HOST=host,
        PYTHONUNBUFFERED="1",
    )
    return env


def _launch_cmd(python: Path, *args: str) -> list[str]:
    return [str(python), str(_LAUNCHER), *args]


def init_data_dir(data_dir: Path, username: str, password: str, venv: Path | None = None, log: Log = _quiet) -> None:
    """``doccano init`` and ``doccano createuser`` in ``data_dir`` (both idempotent; resets the password)."""
    data_dir = Path(data_dir).absolute()
    (data_dir / "logs").mkdir(parents=True, exist_ok=True)
    python = venv_python(Path(venv or default_venv()).absolute())
    env = doccano_env(data_dir)
    logfile = data_dir / "logs" / "init.log"
    log(f"Initialising doccano's database in {data_dir}...")
    with logfile.open("w") as out:
        steps = [
            ("doccano init", _launch_cmd(python, "init"), env),
            ("doccano createuser", _launch_cmd(python, "createuser", "--username", username, "--email", f"{username}@localhost"),
             {**env, "TIPX_DOCCANO_ADMIN_PASSWORD": password}),
        ]
        for name, cmd, step_env in steps:
            out.write(f"$ {name}\n")
            out.flush()
            rc = subprocess.run(cmd, env=step_env, cwd=data_dir, stdout=out, stderr=subprocess.STDOUT).returncode
            if rc != 0:
                raise DoccanoServerError(f"{name} failed (exit {rc}; see {logfile}):\n{_tail(logfile)}")


@dataclass
class DoccanoServer:
    """A running doccano: its URL, its two processes and where it keeps its data and logs."""

    base_url: str
    host: str
    port: int
    data_dir: Path
    username: str
    webserver: subprocess.Popen
    worker: subprocess.Popen
    project: str | None = None
    project_id: int | None = None
    logs: dict[str, Path] = field(default_factory=dict)

    @property
    def processes(self) -> list[subprocess.Popen]:
        return [self.webserver, self.worker]

    def running(self) -> bool:
        return all(p.poll() is None for p in self.processes)

    def stop(self, timeout: float = 20.0) -> None:
        """End both process groups: TERM, and KILL what is left after ``timeout`` seconds. Idempotent."""
        stop_processes(self.processes, timeout)

    def __enter__(self) -> DoccanoServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def stop_processes(procs: list[subprocess.Popen], timeout: float = 20.0) -> None:
    """Stop processes started with ``start_new_session=True``, and their children.

    TERM goes to the leader only (gunicorn's master and celery's main process shut their own
    workers down; a TERM to the whole group makes celery log errors and respawn pool workers), then
    whatever is left of each process group is KILLed.
    """
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        # the leader may be gone while children (gunicorn/celery workers) linger: KILL the group anyway
        _signal_group(proc, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)


def _spawn(cmd: list[str], env: dict[str, str], cwd: Path, logfile: Path) -> subprocess.Popen:
    with logfile.open("a") as out:
        return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def wait_until_ready(base_url: str, procs: dict[str, tuple[subprocess.Popen, Path]], timeout: float) -> None:
    """Poll ``/v1/health/`` until it answers 200; a process that exits, or the timeout, raises."""
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        for name, (proc, logfile) in procs.items():
            if proc.poll() is not None:
                raise DoccanoServerError(f"doccano {name} exited with code {proc.returncode} while starting (see {logfile}):\n{_tail(logfile)}")
        try:
            with urllib.request.urlopen(f"{base_url}/v1/health/", timeout=10) as resp:
                if resp.status == 200:
                    return
                last = f"HTTP {resp.status}"
        except urllib.error.HTTPError as err:
            last = f"HTTP {err.code}"
        except (urllib.error.URLError, OSError) as err:
            last = str(getattr(err, "reason", err))
        time.sleep(0.5)
    raise DoccanoServerError(f"doccano at {base_url} did not become healthy within {timeout:.0f} s ({last})")


def start(
    data_dir: Path | str | None = None,
    *,
    port: int | None = None,
    host: str = DEFAULT_HOST,
    username: str = DEFAULT_USERNAME,
    password: str,
    venv: Path | str | None = None,
    project: str | None = None,
    install: bool = True,
    web_workers: int = 2,
    task_concurrency: int = 1,
    timeout: float = 180.0,
    log: Log = _quiet,
) -> DoccanoServer:
    """Install (if needed), initialise and start doccano and its worker; returns when it answers.

    ``port=None`` or ``0`` picks a free port. With ``project`` the sequence-labeling project of that
    name is created (or completed) with the schema's labels and relation types. On any failure the
    processes already started are stopped before the error is raised.
    """
    if not password:
        raise DoccanoServerError("an admin password is needed")
    if not _is_loopback(host):
        raise DoccanoServerError(f"doccano is only served on the loopback interface here, not on {host!r}")
    data_dir = Path(data_dir or default_data_dir()).expanduser().absolute()
    venv = Path(venv or default_venv()).absolute()
    python = ensure_installed(venv, log=log) if install else venv_python(venv)
    if not python.exists():
        raise DoccanoServerError(f"{venv} has no doccano; run `tipx doccano install` first")
    port = port or free_port(host)
    if not port_is_free(host, port):
        # checked first: gunicorn retries a taken port for seconds, and meanwhile another server
        # on it could answer the health check in our place
        raise DoccanoServerError(f"port {port} on {host} is already in use; pick another (--port, or 0 for any free one)")
    init_data_dir(data_dir, username, password, venv, log=log)
    base_url = f"http://{host}:{port}"
    env = doccano_env(data_dir, host)
    logs = {"webserver": data_dir / "logs" / "webserver.log", "worker": data_dir / "logs" / "worker.log"}
    log(f"Starting doccano on {base_url} and its task worker (logs in {data_dir / 'logs'})...")
    web = _spawn(_launch_cmd(python, "webserver", "--port", str(port), "--workers", str(web_workers)), env, data_dir, logs["webserver"])
    worker = None
    try:
        worker = _spawn(_launch_cmd(python, "task", "--concurrency", str(task_concurrency)), env, data_dir, logs["worker"])
        server = DoccanoServer(base_url, host, port, data_dir, username, web, worker, logs=logs)
        atexit.register(server.stop)
        wait_until_ready(base_url, {"webserver": (web, logs["webserver"]), "worker": (worker, logs["worker"])}, timeout)
        if project:
            from .sync import api_errors, connect

            client = connect(base_url, username, password)
            with api_errors(base_url, f"create the project {project!r}"):
                server.project, server.project_id = project, ensure_project(client, project)
        return server
    except BaseException:
        stop_processes([p for p in (web, worker) if p is not None])
        raise


# ---------------------------------------------------------------------------------------------
# the annotation project

#: Label colours (background) for the schema's entity labels and relation types, in schema order.
_SPAN_COLOURS = ("#d62728", "#ff7f0e", "#1f77b4", "#17becf", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
_RELATION_COLOURS = ("#d62728", "#ff7f0e", "#17becf", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")

PROJECT_DESCRIPTION = (
    "Trafficking-in-persons cables: mark the schema's entities and the relations between them "
    "(annotation-schema.md). Created by `tipx doccano`."
)


def ensure_project(client, name: str, description: str = PROJECT_DESCRIPTION) -> int:
    """The id of the project ``name``, created if missing as a sequence-labeling project with relations.

    The project is collaborative (every member sees and corrects the same annotations, which is what
    pre-annotations need) and gets any of the schema's labels and relation types it lacks, each with
    a shortcut key 1..8. Labels already there are left alone.
    """
    from tipx.schema import LABELS, RELATION_TYPES

    project = next((p for p in client.list_projects() if p.name == name), None)
    if project is None:
        project = client.create_project(
            name=name, project_type="SequenceLabeling", description=description,
            guideline="See annotation-schema.md and the project's annotation guidelines.",
            collaborative_annotation=True, allow_overlapping=False, use_relation=True,
        )
    for kind, names, colours in (("span", LABELS, _SPAN_COLOURS), ("relation", RELATION_TYPES, _RELATION_COLOURS)):
        present = {lt.text for lt in client.list_label_types(project.id, kind)}
        for n, label in enumerate(names):
            if label not in present:
                key = str(n + 1) if kind == "span" and n < 9 else None
                client.create_label_type(project.id, kind, label, suffix_key=key, color=colours[n % len(colours)])
    return project.id


def serve_forever(server: DoccanoServer, log: Log = print) -> None:
    """Block until Ctrl-C or until one of the processes dies, then stop both."""
    try:
        while server.running():
            time.sleep(1)
        dead = [name for name, p in (("webserver", server.webserver), ("worker", server.worker)) if p.poll() is not None]
        log(f"doccano {', '.join(dead)} stopped unexpectedly; see {server.data_dir / 'logs'}")
    except KeyboardInterrupt:
        log("Stopping doccano...")
    finally:
        server.stop()
