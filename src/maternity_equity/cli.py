"""The one command line, `maternity-equity`: demo, synth, ingest, quality, compute, report, serve...

Each stage registers its own commands (``<stage>/commands.py``); this module wires them up and
runs the end-to-end demo.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="maternity-equity",
    help="Equity and equality analytics for local maternity and neonatal systems.",
    no_args_is_help=True,
    add_completion=False,
)

STAGES_WITH_COMMANDS = (
    "synth",
    "ingest",
    "quality",
    "indicators",
    "plan",
    "workforce",
    "web",
    "reports",
)

for _stage in STAGES_WITH_COMMANDS:
    try:
        _module = importlib.import_module(f"maternity_equity.{_stage}.commands")
    except ModuleNotFoundError as exc:  # a stage without commands yet
        if exc.name != f"maternity_equity.{_stage}.commands":
            raise
        continue
    _module.register(app)

from maternity_equity import demo as _demo  # noqa: E402

_demo.register(app)


def main() -> None:  # pragma: no cover - console entry point
    app()
