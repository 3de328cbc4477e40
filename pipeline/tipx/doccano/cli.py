"""``tipx doccano``: serve, push and pull annotations through a real doccano server."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(
    help=(
        "Annotate in doccano: start a local server, push documents, pull annotations.\n\n"
        "push and pull read the server's URL, user name and password from DOCCANO_URL, "
        "DOCCANO_USERNAME and DOCCANO_PASSWORD, and ask for what is not set."
    ),
    no_args_is_help=True,
)

DEFAULT_PORT = 8000
DEFAULT_PROJECT = "tipx"
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"


def _fail(message: str) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


def _info(message: str) -> None:
    typer.echo(message, err=True)


def _credentials(url: Optional[str]) -> tuple[str, str, str]:
    url = url or os.environ.get("DOCCANO_URL") or typer.prompt("doccano URL", default=DEFAULT_URL)
    username = os.environ.get("DOCCANO_USERNAME") or typer.prompt("doccano user name", default="admin")
    password = os.environ.get("DOCCANO_PASSWORD") or typer.prompt(f"Password of {username}", hide_input=True)
    return url.rstrip("/"), username, password


URL_OPTION = typer.Option(None, "--url", help="doccano's base URL (default: $DOCCANO_URL, else asked for).")
PROJECT_OPTION = typer.Option(..., "--project", "-p", help="Name of the doccano project.")


@app.command("install")
def install(
    venv: Optional[Path] = typer.Option(None, "--venv", help="Where doccano's own venv goes (default: $TIPX_DOCCANO_VENV, else .venv-doccano in the repository)."),
) -> None:
    """Build doccano 1.8.4's own venv (.venv-doccano) if it is missing; does nothing when it is there."""
    from .server import DoccanoServerError, DoccanoUnavailable, default_venv, ensure_installed

    try:
        python = ensure_installed(venv or default_venv(), log=_info)
    except (DoccanoServerError, DoccanoUnavailable) as err:
        _fail(str(err))
    _info(f"doccano is installed: {python.parent.parent}")


@app.command("serve")
def serve(
    port: int = typer.Option(DEFAULT_PORT, "--port", help="Port on 127.0.0.1 (0 picks a free one)."),
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", envvar="DOCCANO_DATA",
        help="Where doccano keeps its SQLite database, uploads and logs (default: ~/.local/share/tipx/doccano).",
    ),
    project: str = typer.Option(DEFAULT_PROJECT, "--project", "-p", help="Project to create (if missing) with the schema's labels and relation types."),
    venv: Optional[Path] = typer.Option(None, "--venv", help="doccano's own venv (default: $TIPX_DOCCANO_VENV, else .venv-doccano in the repository)."),
) -> None:
    """Start doccano and its task worker on 127.0.0.1 until Ctrl-C.

    Installs doccano into its own venv on first use, creates its database and the admin user
    (DOCCANO_USERNAME, default admin; password DOCCANO_PASSWORD or asked for; starting again with
    another password resets it), and creates the annotation project with the schema's 8 entity
    labels and 8 relation types. The project is collaborative, so every annotator sees and
    corrects the same pre-annotations.
    """
    from .server import DoccanoServerError, DoccanoUnavailable, default_data_dir, serve_forever, start
    from .sync import DoccanoError

    username = os.environ.get("DOCCANO_USERNAME") or "admin"
    password = os.environ.get("DOCCANO_PASSWORD") or typer.prompt(f"Password for doccano's admin user {username!r}", hide_input=True, confirmation_prompt=True)
    try:
        server = start(data_dir or default_data_dir(), port=port, username=username, password=password, venv=venv, project=project, log=_info)
    except (DoccanoServerError, DoccanoUnavailable, DoccanoError) as err:
        _fail(str(err))
    _info(f"doccano is running at {server.base_url}/ (log in as {username!r}; project {project!r}, id {server.project_id}).")
    _info(f"  push: DOCCANO_URL={server.base_url} tipx doccano push FILE.jsonl --project {project}")
    _info("Press Ctrl-C to stop it.")
    serve_forever(server, log=_info)


@app.command("push")
def push(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="Records in the schema's JSONL (full or standoff)."),
    project: str = PROJECT_OPTION,
    raw_dir: list[Path] = typer.Option(
        [], "--raw-dir", help="Folder with the raw files of standoff records; repeatable (default: the JSONL's folder).",
    ),
    annotations: bool = typer.Option(True, "--annotations/--no-annotations", help="Upload the records' entities and relations as pre-annotations to correct."),
    create: bool = typer.Option(False, "--create", help="Create the project (with the schema's labels) if it does not exist."),
    url: Optional[str] = URL_OPTION,
    timeout: float = typer.Option(300.0, "--timeout", help="Seconds to wait for doccano's worker to import the file."),
) -> None:
    """Upload records as documents of a doccano project, keeping their metadata (id, source, sha256, cable_id...)."""
    from tipx.annotations.records import RecordError, read_jsonl

    from .server import ensure_project
    from .sync import DoccanoError, api_errors, connect, find_project, push_records

    try:
        records = list(read_jsonl(file))
        base, username, password = _credentials(url)
        client = connect(base, username, password)
        if create:
            with api_errors(base, "create the project"):
                project_id = ensure_project(client, project)
        else:
            project_id = find_project(client, project, base)
        n = push_records(client, project_id, records, raw_dir or [file.parent], with_annotations=annotations, url=base, timeout=timeout, log=_info)
    except (DoccanoError, RecordError) as err:
        _fail(str(err))
    _info(f"Pushed {n} documents to project {project!r} at {base}.")


@app.command("pull")
def pull(
    project: str = PROJECT_OPTION,
    out: Path = typer.Option(..., "--out", "-o", dir_okay=False, help="JSONL file to write (atomically)."),
    docbin: Optional[Path] = typer.Option(None, "--docbin", dir_okay=False, help="Also write the records as a spaCy DocBin (.spacy), with relations and metadata."),
    with_text: bool = typer.Option(
        False, "--with-text/--standoff",
        help="Keep the text of every record; by default a record whose source and sha256 match its text is written standoff (no text).",
    ),
    confirmed_only: bool = typer.Option(False, "--confirmed-only", help="Only documents marked as done in doccano."),
    url: Optional[str] = URL_OPTION,
) -> None:
    """Download a project's documents and annotations as the schema's JSONL (ids renumbered 1..n per record)."""
    from tipx.annotations.docbin import STANDOFF_KEY, record_to_doc, write_docbin
    from tipx.annotations.records import RecordError, write_jsonl

    from .sync import DoccanoError, connect, find_project, pull_records, standoff_form

    try:
        base, username, password = _credentials(url)
        client = connect(base, username, password)
        project_id = find_project(client, project, base)
        records = pull_records(client, project_id, url=base, only_confirmed=confirmed_only, log=_info)
        output = records if with_text else [standoff_form(r) for r in records]
        docs = None
        if docbin is not None:
            import spacy

            nlp = spacy.blank("en")
            docs = []
            for full, written in zip(records, output):
                doc = record_to_doc(full, nlp)
                doc.user_data[STANDOFF_KEY] = "text" not in written
                docs.append(doc)
    except (DoccanoError, RecordError) as err:
        _fail(str(err))
    # everything is in memory and checked: only now touch the outputs (each written atomically)
    if docs is not None:
        write_docbin(docbin, docs)
    n = write_jsonl(out, output)
    _info(f"Pulled {n} documents from project {project!r} into {out}" + (f" and {docbin}" if docbin else "") + ".")
