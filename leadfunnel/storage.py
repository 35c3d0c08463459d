"""Where a team's data lives, and how several processes share it without waiting for each other.

DuckDB lets one process open a file for writing, and then no other process may open it at all. So no
process ever opens the live file for writing: a writer copies it, changes the copy and swaps the copy in
with one rename, and readers open the file read-only and reopen when they see it was swapped. A
dashboard can therefore stay open while `python -m leadfunnel import` runs, and shows the new data on its
next rerun. Writers queue on an advisory lock beside the file and copy only once they hold it, so one
writer never overwrites another's change; a writer killed at any point leaves the previous file whole.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Protocol

import duckdb

from leadfunnel import database
from leadfunnel.database import UnopenableDatabase
from leadfunnel.i18n import LocalizedRuntimeError, Message

WRITER_WAIT_SECONDS = float(os.environ.get("LEADFUNNEL_WRITER_WAIT", "120"))
DUCKDB_MAGIC = b"DUCK"  # bytes 8–11 of every DuckDB database file
SQLITE_MAGIC = b"SQLite format 3\x00"


class LakeError(RuntimeError):
    """A lake or Parquet folder that cannot be used as configured; the message says what to set."""


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

    def writing(self, *, fresh: bool = False) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
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
        refuse_unopenable(self.path, self.location)
        try:
            self._refuse_writers()
        except OSError as error:
            raise unopenable(self.location, error) from None
        alias = self.path.with_name(f".{self.path.name}.reader-{uuid.uuid4().hex[:12]}")
        try:
            os.link(self.path, alias)
        except FileNotFoundError:
            raise
        except OSError:  # a file system without hard links: this process sees a swap only after a restart
            return _connect(self.path, self.location, read_only=True)
        try:
            return _connect(alias, self.location, read_only=True)
        finally:
            alias.unlink(missing_ok=True)

    @contextmanager
    def writing(self, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Change a copy of the file and swap it in; `fresh` starts from an empty file instead of a copy.

        A file DuckDB cannot open, a folder in its place or a folder this process may not write in is
        refused with UnopenableDatabase before anything is written, and no scratch copy is left behind.
        """
        if self.path.is_dir():
            raise UnopenableDatabase("database.unopenable", location=self.location,
                                     reason=Message("database.reason.folder"))
        if not fresh:
            refuse_unopenable(self.path, self.location)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise unopenable(self.location, error) from None
        with self._writer_lock():
            self._remove_abandoned_copies()
            scratch = self.path.with_name(f"{self.path.name}.tmp-{uuid.uuid4().hex[:8]}")
            try:
                try:
                    if self.path.exists() and not fresh:
                        self._refuse_writers()
                        self._fold_in_leftover_wal()
                        shutil.copyfile(self.path, scratch)
                    con = _connect(scratch, self.location, read_only=False)
                except OSError as error:
                    raise unopenable(self.location, error) from None
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
        try:
            handle = open(lock_path, "a+b")  # noqa: SIM115 (closed by the with below)
        except OSError as error:  # a folder this process may not write in
            raise unopenable(self.location, error) from None
        with handle:
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
            _connect(self.path, self.location, read_only=False).close()  # opening replays and checkpoints the log

    def _remove_abandoned_copies(self) -> None:
        """Copies left by writers that were killed; only called while holding the writer lock."""
        for leftover in self.path.parent.glob(f"{self.path.name}.tmp-*"):
            with suppress(OSError):
                leftover.unlink()


@contextmanager
def closed_on_error(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """For setting up a connection before handing it over: closed, and the error raised again, if the block fails."""
    try:
        yield con
    except BaseException:
        con.close()
        raise


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


def refuse_unopenable(path: Path, location: str) -> None:
    """Refuse, by its first bytes, what is not a DuckDB database file, before DuckDB is asked to open it.

    A zero-byte file is refused too, never initialised over: it may be someone's truncated data. A
    SQLite file is named as such (DuckDB would otherwise look for its SQLite extension).
    """
    if path.is_dir():
        raise UnopenableDatabase("database.unopenable", location=location, reason=Message("database.reason.folder"))
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        return  # a new database: the caller creates it
    except OSError as error:
        raise unopenable(location, error) from None
    reason = (Message("database.reason.zero_bytes") if not head
              else Message("database.reason.sqlite") if head.startswith(SQLITE_MAGIC)
              else Message("database.reason.not_duckdb") if head[8:12] != DUCKDB_MAGIC else None)
    if reason is not None:
        raise UnopenableDatabase("database.unopenable", location=location, reason=reason)


_OS_REASONS = {errno.EACCES: "database.reason.no_permission", errno.EPERM: "database.reason.no_permission",
               errno.EROFS: "database.reason.read_only", errno.ENOSPC: "database.reason.disk_full",
               errno.EISDIR: "database.reason.folder", errno.ENOTDIR: "database.reason.not_a_folder",
               errno.EEXIST: "database.reason.not_a_folder"}  # mkdir: a file where a folder should be
_QUOTED = re.compile(r'\s*"[^"]*"')
_KIND_OF_ERROR = re.compile(r"^[A-Za-z ]*Error:\s*")


def unopenable(location: str, error: BaseException) -> UnopenableDatabase:
    """One line for a file DuckDB or the OS cannot open, with a short reason (see `short_reason`)."""
    return UnopenableDatabase("database.unopenable", location=location, reason=short_reason(error))


def short_reason(error: BaseException, *paths: Path | str) -> Message | str:
    """A plain word for an OS error, else the first line of DuckDB's message without its `IO Error:` label
    and without paths: the double-quoted ones (DuckDB's open errors name a scratch copy or a reader's
    one-off name) and `paths`, which may be single-quoted."""
    if isinstance(error, OSError) and error.errno in _OS_REASONS:
        return Message(_OS_REASONS[error.errno])
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else ""
    for path in map(str, paths):
        for quoted in (f'"{path}"', f"'{path}'", path):
            text = text.replace(quoted, "")
    text = " ".join(_KIND_OF_ERROR.sub("", _QUOTED.sub("", text)).split())
    return text or type(error).__name__


def _connect(path: Path, location: str, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """database.connect, with a failure to open the file told in one line about `location`."""
    try:
        return database.connect(path, read_only=read_only)
    except duckdb.Error as error:
        raise unopenable(location, error) from None


def open_current(storage: Storage) -> duckdb.DuckDBPyConnection:
    """A reader on data of this version's schema: an older file is upgraded first (by a writer, keeping
    every row); a newer, foreign, unreadable or damaged one is refused in one line and left untouched."""
    con = storage.open_reader()
    try:
        found = database.schema_version(con)
        if found is not None and found < database.SCHEMA_VERSION:
            con.close()
            with storage.writing() as writer:
                database.upgrade(writer, storage.location)
            con = storage.open_reader()
        database.check_schema(con, storage.location)
    except duckdb.Error as error:  # a damaged file whose catalog could be read, but not its tables
        con.close()
        raise unopenable(storage.location, error) from None
    except BaseException:
        con.close()
        raise
    return con


def build_file(path: Path, fill: Callable[[duckdb.DuckDBPyConnection], None], *, kind: str) -> None:
    """Write a complete new database and swap it in (the demo): readers never see a half-built file."""
    with FileStorage(path).writing(fresh=True) as con:
        database.initialise(con, kind=kind)
        fill(con)
