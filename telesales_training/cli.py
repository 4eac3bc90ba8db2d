"""The `telesales` command."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from . import content, server

app = typer.Typer(help="Telesales training workbook: serve the lessons, check the curriculum.",
                  no_args_is_help=True, add_completion=False)


@app.command()
def serve(
    port: int = typer.Option(8866, help="Port on 127.0.0.1."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open a browser tab."),
    root: Optional[Path] = typer.Option(None, hidden=True, help="Serve another notebooks folder (bench)."),
    no_preheat: bool = typer.Option(False, "--no-preheat", help="Start each kernel on request (less memory)."),
) -> None:
    """Serve the workbook (lessons and start page) with Voilà."""
    folder = (root or server.notebooks_dir()).resolve()
    if not folder.is_dir():
        typer.echo(f"error: notebooks folder not found: {folder}", err=True)
        raise typer.Exit(2)
    problems = content.validate_tree()
    if problems:
        for problem in problems:
            typer.echo(f"error: {problem}", err=True)
        typer.echo("fix the curriculum first (telesales validate)", err=True)
        raise typer.Exit(1)
    command = server.voila_command(folder, port, open_browser=not no_browser, preheat=not no_preheat)
    typer.echo(f"serving {folder} on http://127.0.0.1:{port}/voila/render/00_start_here.ipynb")
    os.execv(command[0], command)


@app.command()
def validate(path: Optional[Path] = typer.Argument(None, help="An exercises/ folder (default: the workbook's).")) -> None:
    """Check exercises/ against the schema; exit 1 naming file, item id and field of every problem."""
    root = (path or content.exercises_dir()).resolve()
    problems = content.validate_tree(root)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {root}", err=True)
        raise typer.Exit(1)
    lessons = content.available_lessons(root)
    typer.echo(f"ok: {root} ({len(lessons)} lesson file(s))")


@app.command("import-calls")
def import_calls(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV export, one row per call."),
    trainee: str = typer.Option(..., "--trainee", help="Whose calls these are."),
    day_first: bool = typer.Option(False, "--day-first", help="Read 03/04/2026 as 3 April (default: March 4)."),
) -> None:
    """Import a dialer / CRM call log; importing the same file again adds nothing twice."""
    from .calllog import CallLogError, import_calls as run_import, open_text
    from .store import Store, StoreError

    try:
        text = open_text(file.read_bytes())
    except CallLogError as problem:
        typer.echo(f"error: {file}: {ui_text(problem.code, **problem.params)}", err=True)
        raise typer.Exit(1)
    total = max(0, sum(1 for _ in text) - 1)
    text.seek(0)
    try:
        with Store() as store, typer.progressbar(length=total, label="importing calls", file=sys.stderr) as bar:
            view = store.trainee(trainee)
            done = [0]

            def advance(rows: int) -> None:
                bar.update(rows - done[0])
                done[0] = rows

            report = run_import(text, view.add_calls, day_first=day_first, progress=advance)
    except CallLogError as problem:
        typer.echo(f"error: {file}: {ui_text(problem.code, **problem.params)}", err=True)
        raise typer.Exit(1)
    except StoreError as problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1)
    typer.echo(f"rows read: {report.rows}; calls taken: {report.taken}; already imported: {report.duplicates}; "
               f"rejected: {len(report.rejected)}")
    for reason, count in sorted(report.reasons().items()):
        first = next(r for r in report.rejected if r.reason == reason)
        example = f" (first at line {first.line}{': ' + first.value if first.value else ''})"
        typer.echo(f"  rejected {count}: {ui_text(reason)}{example}")


def ui_text(key: str, **params) -> str:
    return content.load_ui().text(key, "en", **params)


if __name__ == "__main__":
    app()
