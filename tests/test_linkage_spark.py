"""The Spark engine gives the same clusters as DuckDB on a fixed small dataset."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from opsc.linkage.encode import Encoder
from opsc.linkage.pipeline import LinkConfig, link
from opsc.linkage.sample import population, pseudonymise
from opsc.linkage.spec import VICTIM

if os.environ.get("CI") == "true":
    import pyspark  # noqa: F401  -- CI installs the spark extra: a missing pyspark must fail
pytest.importorskip("pyspark", reason="install the spark extra: pip install 'opsc[spark]'")


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::FutureWarning")  # PySpark 4.3 warns about pandas 3
@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")  # ... in toPandas
def test_spark_gives_the_duckdb_clusters() -> None:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    records = pseudonymise(population(150, seed=9), Encoder(b"test-key-not-a-secret-32-bytes!!"))
    config = LinkConfig(u_max_pairs=2e5)
    duck = link(records, VICTIM, config)
    # The same trained model on both engines (saved from DuckDB, its SQL rewritten for
    # Spark): the engines must agree on every scored pair, weight and cluster.
    spark = link(records, VICTIM, LinkConfig(u_max_pairs=2e5, engine="spark"), model=duck.model)
    pd.testing.assert_frame_equal(spark.clusters, duck.clusters)
    both = duck.pairs.merge(spark.pairs, on=["unique_id_l", "unique_id_r"], suffixes=("", "_s"))
    assert len(both) == len(duck.pairs) == len(spark.pairs) > 50
    assert (both["match_weight"] - both["match_weight_s"]).abs().max() < 1e-6
