"""Splink database APIs: DuckDB (default, embedded, offline) and Spark (local mode, lazy)."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from typing import Any, Literal

import duckdb

from opsc.linkage.errors import EngineUnavailable

EngineName = Literal["duckdb", "spark"]
ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")


@dataclass(frozen=True)
class EngineOptions:
    memory_limit: str = "2GB"
    threads: int | None = None
    temp_directory: str | None = None


def duckdb_connection(options: EngineOptions) -> duckdb.DuckDBPyConnection:
    """A private DuckDB connection that never downloads an extension, with a memory cap."""
    config: dict[str, Any] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": options.memory_limit,
    }
    if options.threads:
        config["threads"] = options.threads
    if options.temp_directory:
        config["temp_directory"] = options.temp_directory
    return duckdb.connect(config=config)


def db_api(engine: EngineName, options: EngineOptions | None = None) -> Any:
    """The Splink database API for `engine`."""
    options = options or EngineOptions()
    if engine == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI(connection=duckdb_connection(options))
    if engine == "spark":
        return _spark_api()
    raise ValueError(f"engine {engine!r} is not one of {', '.join(ENGINES)}")


def _spark_api() -> Any:
    try:
        # Imported by name: PySpark is an optional extra without type information here.
        spark_sql = importlib.import_module("pyspark.sql")
        spark_api: Any = importlib.import_module("splink").SparkAPI
    except ImportError as exc:
        raise EngineUnavailable(
            "the spark engine needs PySpark: pip install 'opsc[spark]' (and Java 17)"
        ) from exc
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark = (
        spark_sql.SparkSession.builder.master("local[2]")
        .appName("opsc-linkage")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(os.path.join(_tmpdir(), "opsc-spark-checkpoints"))
    return spark_api(spark_session=spark)


def _tmpdir() -> str:
    import tempfile

    return tempfile.gettempdir()
