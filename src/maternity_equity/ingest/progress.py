"""A rich progress bar over the bytes of a load's files (silent when disabled).

Progress is measured in file bytes so the total is known before any file is read, which lets
ingest read one table at a time instead of holding every file in memory to count rows first.
"""

from __future__ import annotations

from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)


class LoadProgress:
    def __init__(self, *, total_bytes: int, enabled: bool = True) -> None:
        self.enabled = enabled
        self.total_bytes = max(total_bytes, 1)
        self._progress: Progress | None = None
        self._task = None
        self._rows = 0

    def __enter__(self) -> LoadProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rows]:,} rows"),
                TimeElapsedColumn(),
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task("reading", total=self.total_bytes, rows=0)
        return self

    def describe(self, text: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=text)

    def advance(self, n_bytes: int, rows: int) -> None:
        self._rows += rows
        if self._progress is not None:
            self._progress.update(self._task, advance=n_bytes, rows=self._rows)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
