"""Which storage a `--db` value or LEADFUNNEL_DB names (see docs/scale.md): the one place that knows them all."""

from __future__ import annotations

from pathlib import Path

from leadfunnel.lake import LAKE_PREFIX, LakeStorage
from leadfunnel.parquet_folder import PARQUET_PREFIX, ParquetFolderStorage
from leadfunnel.storage import FileStorage, Storage


def storage_for(location: Path | str) -> Storage:
    """The storage a `--db` value or LEADFUNNEL_DB names: a DuckLake (`ducklake:postgres:…`), a folder of
    Parquet files read in place (`parquet:DIR`), or a DuckDB file (anything else). See docs/scale.md."""
    text = str(location)
    if text.startswith(LAKE_PREFIX):
        return LakeStorage(text)
    if text.startswith(PARQUET_PREFIX):
        return ParquetFolderStorage(text)
    return FileStorage(location)
