"""The `telesales` command."""

from __future__ import annotations

import os
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


if __name__ == "__main__":
    app()
