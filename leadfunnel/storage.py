"""Where a team's data lives, and how several processes share it without waiting for each other.

DuckDB lets one process open a file for writing, and then no other process may open it at all. So no
process ever opens the live file for writing: a writer copies it, changes the copy and swaps the copy in
with one rename, and readers open the file read-only and reopen when they see it was swapped. A
dashboard can therefore stay open while `python -m leadfunnel import` runs, and shows the new data on its
next rerun. Writers queue on an advisory lock beside the file and copy only once they hold it, so one
writer never overwrites another's change; a writer killed at any point leaves the previous file whole.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Protocol

import duckdb

from leadfunnel import database
from leadfunnel.i18n import LocalizedRuntimeError

WRITER_WAIT_SECONDS = float(os.environ.get("LEADFUNNEL_WRITER_WAIT", "120"))


class StorageBusy(LocalizedRuntimeError):
    """Another process holds the data in a way that keeps this one out; the message says what to do."""


class Storage(Protocol):
    """A place the data lives: readers get a connection to it, writers change it all at once or not at all."""

    location: str

    def exists(self) -> bool: ...

    def snapshot(self) -> str:
        """A token that changes whenever a reader must reopen to see the latest data."""
        ...

    def open_reader(self) -> duckdb.DuckDBPyConnection:
        """A connection whose default catalog is the data, for SELECTs; the caller closes it."""
        ...

    def writing(self, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection whose changes become visible to readers at once on success, and not at all on error."""
        ...


class FileStorage:
    """One DuckDB file on a local disk (the default): copy, change, swap."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.location = str(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    def snapshot(self) -> str:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return "missing"
        return f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"

    def open_reader(self) -> duckdb.DuckDBPyConnection:
        """Open the current file read-only, as a new DuckDB instance under a one-off name.

        The one-off name (a second hard link, removed at once) matters: DuckDB keeps one instance per
        path in a process, and that instance would go on showing the file that was swapped out.
        """
        self._refuse_writers()
        alias = self.path.with_name(f".{self.path.name}.reader-{uuid.uuid4().hex[:12]}")
        try:
            os.link(self.path, alias)
        except FileNotFoundError:
            raise
        except OSError:  # a file system without hard links: this process sees a swap only after a restart
            return database.connect(self.path, read_only=True)
        try:
            return database.connect(alias, read_only=True)
        finally:
            alias.unlink(missing_ok=True)

    @contextmanager
    def writing(self, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Change a copy of the file and swap it in; `fresh` starts from an empty file instead of a copy."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._writer_lock():
            self._remove_abandoned_copies()
            scratch = self.path.with_name(f"{self.path.name}.tmp-{uuid.uuid4().hex[:8]}")
            try:
                if self.path.exists() and not fresh:
                    self._refuse_writers()
                    self._fold_in_leftover_wal()
                    shutil.copyfile(self.path, scratch)
                con = database.connect(scratch)
                try:
                    yield con
                    con.execute("CHECKPOINT")
                finally:
                    con.close()
                _fsync(scratch)
                os.replace(scratch, self.path)
                _fsync(self.path.parent)
            finally:
                scratch.unlink(missing_ok=True)
                Path(f"{scratch}.wal").unlink(missing_ok=True)

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        lock_path = self.path.with_name(f"{self.path.name}.lock")
        with open(lock_path, "a+b") as handle:
            deadline = time.monotonic() + WRITER_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StorageBusy("storage.writer_busy", location=str(self.path),
                                          seconds=f"{WRITER_WAIT_SECONDS:.0f}") from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _refuse_writers(self) -> None:
        """A plain message when a process from before this design (or a tool) has the live file open for writing."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as handle:
            try:
                fcntl.lockf(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                raise StorageBusy("storage.open_for_writing", location=str(self.path)) from None

    def _fold_in_leftover_wal(self) -> None:
        """A file last written by a plain DuckDB client may have a write-ahead log beside it: fold it in first."""
        if Path(f"{self.path}.wal").exists():
            database.connect(self.path).close()  # opening replays and checkpoints the log

    def _remove_abandoned_copies(self) -> None:
        """Copies left by writers that were killed; only called while holding the writer lock."""
        for leftover in self.path.parent.glob(f"{self.path.name}.tmp-*"):
            with suppress(OSError):
                leftover.unlink()


def storage_for(location: Path | str) -> Storage:
    """The storage a `--db` value or LEADFUNNEL_DB names: a DuckLake (`ducklake:postgres:…`), a folder of
    Parquet files read in place (`parquet:DIR`), or a DuckDB file (anything else). See docs/scale.md."""
    text = str(location)
    if text.startswith("ducklake:"):
        from leadfunnel.lake import LakeStorage  # lazy: lake imports this module

        return LakeStorage(text)
    if text.startswith("parquet:"):
        from leadfunnel.lake import ParquetFolderStorage

        return ParquetFolderStorage(text)
    return FileStorage(location)


def sql_string(value: Path | str) -> str:
    """A SQL string literal for a statement that takes no bound parameters (ATTACH, EXPORT DATABASE)."""
    text = str(value)
    if "\x00" in text:
        raise ValueError("a path cannot contain a NUL character")
    return "'" + text.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    """Make a rename durable: the data before the swap, the directory entry after it."""
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def open_current(storage: Storage) -> duckdb.DuckDBPyConnection:
    """A reader on data of this version's schema: an older file is upgraded first (by a writer, keeping
    every row); a newer or foreign one is refused with instructions and left untouched."""
    con = storage.open_reader()
    try:
        found = database.schema_version(con)
        if found is not None and found < database.SCHEMA_VERSION:
            con.close()
            with storage.writing() as writer:
                database.upgrade(writer, storage.location)
            con = storage.open_reader()
        database.check_schema(con, storage.location)
    except BaseException:
        con.close()
        raise
    return con


def build_file(path: Path, fill: Callable[[duckdb.DuckDBPyConnection], None], *, kind: str) -> None:
    """Write a complete new database and swap it in (the demo): readers never see a half-built file."""
    with FileStorage(path).writing(fresh=True) as con:
        database.initialise(con, kind=kind)
        fill(con)
