"""The `concierge` command line: serve, ingest, ask, eval, knowledge, bench.

Logging is configured here, once, from the settings. Heavy modules are imported inside the commands so that
``concierge --help`` stays instant.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from knowledge.settings import Settings, SettingsError, get_settings

app = typer.Typer(
    help="Tokyo Life-Event Concierge: every procedure a life event brings, with due dates and sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
knowledge_app = typer.Typer(help="Check the curated catalog and report its coverage.", no_args_is_help=True)
app.add_typer(knowledge_app, name="knowledge")

log = logging.getLogger("concierge")


class _State:
    settings: Settings | None = None


PAGES_DOWN = (
    "page search is unavailable, so questions about the municipal pages cannot be answered now "
    "(life events such as a birth, a move or a death are still answered from the catalog)"
)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


# errors that mean "the data directory is read-only, not ours or full", wherever they surface
_STORAGE_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_STORAGE_WORDS = (
    "disk is full",
    "readonly database",
    "read-only file system",
    "unable to open database file",
)


def _storage_reason(err: BaseException) -> str | None:
    """Why ``err`` (or an error it came from) is a storage problem: a read-only or full data directory."""
    seen: set[int] = set()
    e: BaseException | None = err
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno in _STORAGE_ERRNOS:
            where = f" ({e.filename})" if e.filename else ""
            return f"{e.strerror or e}{where}"
        text = str(e).lower()
        if any(w in text for w in _STORAGE_WORDS):  # sqlite3 / chromadb errors carry no errno
            return str(e).splitlines()[0]
        e = e.__cause__ or e.__context__
    return None


LOW_SPACE_BYTES = 1 << 20


def _disk_problem(s: Settings, err: Exception) -> str | None:
    """After an error without a clear cause (Chroma's engine hides ENOSPC), look at the disk itself."""
    paths = [s.data_dir] + ([s.chroma_path] if s.chroma.mode == "embedded" else [])
    for path in paths:
        try:
            st = os.statvfs(path)
        except OSError:
            continue
        cause = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        if st.f_flag & os.ST_RDONLY:
            return f"read-only file system ({cause})"
        free = st.f_bavail * st.f_frsize
        if free < LOW_SPACE_BYTES:
            return f"no space left on the device, {free // 1024} KB free ({cause})"
    return None


def _storage_message(s: Settings, reason: str) -> str:
    return (
        f"cannot write to the data directory {s.data_dir.resolve()}: {reason}; "
        "make it writable, free some space or point CONCIERGE_DATA_DIR elsewhere"
    )


@contextmanager
def _storage_guard(s: Settings) -> Iterator[None]:
    """A read-only or full data directory, or a corrupt store, ends the command with one line (exit 1)."""
    from bot.sessions import StoreCorrupt

    try:
        yield
    except StoreCorrupt as err:  # says which file and how to recover (move it aside)
        raise _fail(str(err), 1) from None
    except Exception as err:
        reason = _storage_reason(err) or _disk_problem(s, err)
        if reason is None:
            raise
        log.debug("storage error", exc_info=True)
        raise _fail(_storage_message(s, reason), 1) from None


def _require_writable(s: Settings) -> None:
    """Create the data directory and write a probe file in it, so that a read-only or full disk is reported first."""
    try:
        s.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=s.data_dir) as probe:
            probe.write(b"\0" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as err:
        raise _fail(_storage_message(s, err.strerror or str(err)), 1) from None


def settings() -> Settings:
    if _State.settings is None:
        try:
            _State.settings = get_settings()
        except SettingsError as err:
            raise _fail(f"configuration: {err}") from None
    return _State.settings


@app.callback()
def main_callback(
    log_level: Annotated[str | None, typer.Option(help="Override CONCIERGE_LOG_LEVEL.")] = None,
) -> None:
    """Load the settings once (a malformed setting stops here with its name) and configure logging."""
    s = settings()
    level = (log_level or s.log_level).upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from knowledge.privacy import install_redaction

    install_redaction()  # My Numbers, phone numbers and e-mail addresses never reach a log
    # third-party chatter stays at WARNING unless asked for
    for noisy in ("httpx", "chromadb", "urllib3", "trafilatura", "htmldate", "bm25s"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


LOOPBACK_BINDS = ("127.0.0.1", "localhost", "::1")


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface (default CONCIERGE_SERVER__HOST, 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default CONCIERGE_SERVER__PORT, 8000).")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes serving the app (README: Speed and scale).")
    ] = 1,
) -> None:
    """Run the web app: chat API, widget demo page, staff and editor consoles."""
    import uvicorn

    from web.app import create_app

    s = settings()
    bind = host or s.server.host
    if bind not in LOOPBACK_BINDS and not (s.server.public_url or s.server.allowed_hosts):
        raise _fail(
            f"serving on {bind} needs CONCIERGE_SERVER__PUBLIC_URL (or CONCIERGE_SERVER__ALLOWED_HOSTS): links in "
            "bundles, feeds and QR codes would otherwise be built from whatever Host header a client sends"
        )
    _require_writable(s)
    from web.workers import limit_malloc_arenas, run_workers

    limit_malloc_arenas()
    if workers > 1:
        run_workers(host or s.server.host, port or s.server.port, workers)
        return
    with _storage_guard(s):
        app = create_app(s)
    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from any loopback peer; the app's own
    # middleware believes it only from CONCIERGE_SERVER__TRUSTED_PROXIES (web/security.py)
    uvicorn.run(app, host=bind, port=port or s.server.port, log_level="warning", proxy_headers=False)


@app.command()
def ingest(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="Directories, sitemap URLs (…sitemap.xml) or files listing URLs. Default: seeds/."
        ),
    ] = None,
    if_stale: Annotated[
        bool, typer.Option("--if-stale", help="Do nothing when the index is up to date.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Fetch, extract, chunk and index pages incrementally (unchanged pages are not re-embedded)."""
    from ingest.pipeline import IngestBusy, run_ingest

    s = settings()
    _require_writable(s)
    try:
        with _storage_guard(s):
            record = run_ingest(s, sources or [str(s.seeds_dir)], if_stale=if_stale, progress=progress)
    except IngestBusy as err:
        raise _fail(f"{err}; wait for it to finish (or stop it) and try again", 1) from None
    typer.echo(record.summary())
    if record.failed and not record.added and not record.changed and not record.unchanged:
        raise typer.Exit(1)


@app.command()
def ask(
    message: Annotated[str, typer.Argument(help="What happened, in your own words.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the API contract JSON.")] = False,
    session: Annotated[
        str | None, typer.Option(help="Continue a session (id printed by an earlier turn).")
    ] = None,
    today: Annotated[str | None, typer.Option(help="Reference date YYYY-MM-DD (default: today).")] = None,
    lang: Annotated[
        str | None, typer.Option(help="ja, easy (やさしい日本語) or en (default: detected).")
    ] = None,
) -> None:
    """One turn of the conversation from the shell."""
    from bot.service import ChatRequest, TurnWithoutPages, build_concierge

    try:
        ref = dt.date.fromisoformat(today) if today else None
    except ValueError:
        raise _fail(f"--today must be YYYY-MM-DD, got {today!r}") from None
    if lang not in (None, "ja", "easy", "en"):
        raise _fail(f"--lang must be ja, easy or en, got {lang!r}")
    s = settings()
    with _storage_guard(s):
        concierge = build_concierge(s)
        req = ChatRequest(message=message, session_id=session, today=ref, lang=lang)  # type: ignore[arg-type]
        pages_down = None
        try:
            resp = concierge.chat(req)
        except TurnWithoutPages as err:  # the catalog's procedures still answer; a page question cannot
            if not err.response.procedures:
                raise _fail(f"{PAGES_DOWN} ({err})", 1) from None
            resp, pages_down = err.response, str(err)
    if json_out:
        typer.echo(json.dumps(resp.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        typer.echo(concierge.render_text(resp))
        typer.secho(f"(session {resp.session_id})", dim=True, err=True)
    if pages_down:
        typer.secho(
            f"note: {PAGES_DOWN}; this answer has no page quotes ({pages_down})", fg="yellow", err=True
        )


@app.command("eval")
def eval_cmd(
    split: Annotated[str, typer.Option(help="dev, heldout or all.")] = "all",
    quick: Annotated[bool, typer.Option(help="Only the quick CI subset.")] = False,
    out: Annotated[Path, typer.Option(help="Directory for report.json and report.html.")] = Path("var/eval"),
    check_thresholds: Annotated[
        bool, typer.Option("--check-thresholds", help="Exit 1 when a metric is below evals/thresholds.yaml.")
    ] = False,
    answers: Annotated[
        bool,
        typer.Option(
            "--answers",
            help="Answer quality on the real-page set (evals/answers): ingests its pages into a temporary index "
            "and reports search R@1/R@5/MRR, cited-page and answered-in-reply rates; report in OUT/answers.",
        ),
    ] = False,
) -> None:
    """Run the evaluation set: metrics table, JSON and an HTML report."""
    if answers:
        from evals.answer_eval import AnswerQuestionError, run_answer_eval

        try:
            run_answer_eval(settings(), split=split, out=out / "answers")
        except AnswerQuestionError as err:
            typer.secho(f"invalid answer questions: {err}", fg="red", err=True)
            raise typer.Exit(1) from None
        return
    from evals.runner import run_eval

    ok = run_eval(settings(), split=split, quick=quick, out=out, check_thresholds=check_thresholds)
    if not ok:
        raise typer.Exit(1)


@app.command()
def bench(
    what: Annotated[
        str, typer.Argument(help="chat, chat-distinct, scale, ingest, retrieval, load or fusion.")
    ],
    out: Annotated[Path, typer.Option(help="Where to write the JSON result.")] = Path("var/bench"),
    workers: Annotated[int, typer.Option(help="chat-distinct: server worker processes.")] = 1,
    copies: Annotated[str, typer.Option(help="scale: corpus sizes as seed copies, e.g. 1,20.")] = "1,20",
) -> None:
    """Benchmarks (not tests): latency, throughput, memory. Prints JSON."""
    from evals.bench import run_bench

    sizes = tuple(int(c) for c in copies.split(",") if c.strip())
    result = run_bench(settings(), what, out, workers=workers, copies=sizes)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


@knowledge_app.command("check")
def knowledge_check() -> None:
    """Validate the catalog: schema, references, sources on every fact, all 62 municipalities."""
    from knowledge.catalog import load_catalog
    from knowledge.check import check_catalog

    cat = load_catalog(settings().catalog_dir)
    rep = check_catalog(cat)
    for w in rep.warnings:
        typer.secho(f"warning: {w}", fg=typer.colors.YELLOW, err=True)
    for e in rep.errors:
        typer.secho(f"error: {e}", fg=typer.colors.RED, err=True)
    if not rep.ok:
        raise _fail(f"catalog check failed with {len(rep.errors)} error(s)", 1)
    typer.echo(
        f"catalog ok: {len(cat.municipalities)} municipalities, {len(cat.events)} life events, "
        f"{len(cat.all_procedure_ids())} procedures, {len(cat.overrides)} overrides (version {cat.version})"
    )


@knowledge_app.command("coverage")
def knowledge_coverage() -> None:
    """Print counts and the municipality x life-event coverage matrix with the overrides present."""
    from knowledge.catalog import load_catalog
    from knowledge.check import coverage_report

    typer.echo(coverage_report(load_catalog(settings().catalog_dir)))


@knowledge_app.command("settings-table")
def settings_table_cmd() -> None:
    """Print the configuration table (Markdown) that the README embeds."""
    from knowledge.settings import settings_table

    typer.echo("| variable | default | meaning |\n|---|---|---|")
    for env, default, desc in settings_table():
        typer.echo(f"| `{env}` | `{default}` | {desc} |" if default else f"| `{env}` | | {desc} |")


def main() -> None:
    app()


users_app = typer.Typer(help="Console accounts (staff, editor, admin).", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _user_store():  # type: ignore[no-untyped-def]
    from web.state import open_account_stores

    s = settings()
    _require_writable(s)
    return open_account_stores(s.data_dir, s.session_url)[0]  # DATA_DIR/accounts.sqlite3 or PostgreSQL


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Sign-in name: 2-40 of a-z 0-9 . _ @ -")],
    role: Annotated[str, typer.Option(help="staff | editor | admin")] = "staff",
    name: Annotated[str, typer.Option(help="Name shown in the consoles and the audit log.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
    ] = False,
) -> None:
    """Create a console account; the password is asked for (twice) unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = _user_store().add(username, password, role=role, display_name=name)
    except ValueError as err:
        raise _fail(str(err)) from None
    typer.echo(f"added {user.username} ({user.role}, {user.display_name})")


@users_app.command("list")
def users_list() -> None:
    """All accounts: username, role, name, active or disabled, created."""
    for u in _user_store().list():
        state = "active" if u.active else "disabled"
        typer.echo(f"{u.username}\t{u.role}\t{u.display_name}\t{state}\t{u.created}")


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument()]) -> None:
    """Disable an account: it can no longer sign in and its sessions end (it stays in the audit log)."""
    if not _user_store().disable(username):
        raise _fail(f"no user {username!r}")
    typer.echo(f"disabled {username}")


if __name__ == "__main__":
    main()
