"""The figures on Apache Spark SQL over the Parquet lake (:mod:`pipelines.lake`): one SQL, two engines.

The SQL a figure runs is the one DuckDB runs: :func:`pipelines.metrics.composed_sql` of the models in
``pipelines/sql/``, transpiled by SQLGlot from the DuckDB dialect to Spark SQL (:func:`to_spark`), its
``$name`` parameters bound by Spark as ``:name`` markers (``spark.sql(query, args=...)``), never
formatted into the text. Three things are done to the tree, none to the meaning:

- every model ends in a CTE called ``final``; composed, the chain nests them, and SQLGlot hoists nested
  CTEs to the top for Spark, where names must be unique: each nested CTE is renamed
  ``<outer>__<inner>`` within its own scope;
- an ``order by`` of a model (``strikes.sql``) is lifted to the outermost select: Spark keeps no order
  through a subquery;
- a model with a reviewed Spark file beside it, ``pipelines/sql/spark/<model>.sql``, is read from that
  file (none is needed today: README, "Scale").

A :class:`SparkLake` is the engine object the figure functions of :mod:`pipelines.metrics` accept in
place of a DuckDB connection: the lake's tables of one committee as temporary views (partition pruning
on ``committee_id``), the rules stored with the export, and ``run(text, params)``.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import sqlglot
from sqlglot import exp

from pipelines import db, lake
from pipelines.config import Rules, build_rules, env_overrides, parse_overrides
from pipelines.errors import PartydayError, error

SPARK_SQL = Path(__file__).parent / "sql" / "spark"


def spark_sql_file(name: str) -> str:
    """The Spark text of model ``name``: the reviewed file in ``sql/spark/`` if any, else the DuckDB model."""
    own = SPARK_SQL / f"{name}.sql"
    return own.read_text(encoding="utf-8") if own.exists() else db.sql(name)


def dialect_files() -> list[str]:
    """The models kept in a reviewed Spark file of their own (``pipelines/sql/spark/*.sql``)."""
    return sorted(p.stem for p in SPARK_SQL.glob("*.sql")) if SPARK_SQL.exists() else []


def _rename_nested_ctes(tree: Any) -> None:
    for cte in list(tree.find_all(exp.CTE)):
        inner = cte.this
        # the key is "with_" in newer SQLGlot, "with" in older
        with_ = (inner.args.get("with_") or inner.args.get("with")) if isinstance(inner, exp.Query) else None
        if not with_:
            continue
        outer = cte.alias
        names = {c.alias: f"{outer}__{c.alias}" for c in with_.expressions}
        for c in with_.expressions:
            c.set("alias", exp.TableAlias(this=exp.to_identifier(names[c.alias])))
        for table in inner.find_all(exp.Table):
            if not table.args.get("db") and table.name in names:
                alias = table.alias or table.name
                table.set("this", exp.to_identifier(names[table.name]))
                table.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))


def _lift_order(tree: Any) -> None:
    if not isinstance(tree, exp.Select):
        return
    for sub in tree.find_all(exp.Subquery):
        inner = sub.this
        if isinstance(inner, exp.Select) and inner.args.get("order") and sub.alias.endswith("_rows"):
            if not tree.args.get("order"):
                tree.set("order", inner.args["order"])
            inner.set("order", None)
            return


@functools.lru_cache(maxsize=256)
def to_spark(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """``text`` (DuckDB SQL with ``$name`` parameters) as Spark SQL with ``:name`` markers; returns the
    Spark text, the parameter names it uses and the tables it reads."""
    tree = sqlglot.parse_one(text, read="duckdb")
    _rename_nested_ctes(tree)
    _lift_order(tree)
    params = tuple(sorted({p.name for p in tree.find_all(exp.Placeholder) if p.name}))
    ctes = {c.alias for c in tree.find_all(exp.CTE)}
    tables = tuple(sorted({t.name for t in tree.find_all(exp.Table) if t.name not in ctes and t.name}))
    return tree.sql(dialect="spark"), params, tables


# DuckDB column types of the lake as Spark DDL types (an empty table has no file to read its schema from).
_TYPES = {"INTEGER": "int", "BIGINT": "bigint", "SMALLINT": "smallint", "TINYINT": "tinyint", "VARCHAR": "string",
          "DATE": "date", "DOUBLE": "double", "FLOAT": "float", "BOOLEAN": "boolean", "JSON": "string",
          "TIMESTAMP": "timestamp_ntz", "TIME": "string", "HUGEINT": "decimal(38,0)", "UBIGINT": "decimal(20,0)"}


def spark_type(duck: str) -> str:
    """The Spark type of a DuckDB column type (``VARCHAR[]`` → ``array<string>``)."""
    if duck.endswith("[]"):
        return f"array<{spark_type(duck[:-2])}>"
    if duck.startswith("DECIMAL"):
        return duck.lower()
    return _TYPES.get(duck, "string")


def java_available() -> str | None:
    """Why Spark cannot start here (no Java runtime), or None when a ``java`` is found."""
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").exists():
        return None
    if shutil.which("java"):
        return None
    return "no Java runtime (java not on PATH, JAVA_HOME not set)"


def session(master: str = "local[2]", shuffle_partitions: int = 4, memory: str | None = None) -> Any:
    """A Spark session in local mode for the figures (no web interface, few shuffle partitions: the
    committee-sized joins need no more than a handful of tasks). Refuses with the reason when pyspark or
    Java is missing."""
    why = java_available()
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        why = why or f"pyspark not installed ({exc})"
    if why:
        raise PartydayError(error("lake.no_spark", why=why))
    builder = (SparkSession.builder.master(master).appName("partyday-figures")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    if memory:
        builder = builder.config("spark.driver.memory", memory)
    return builder.getOrCreate()


class SparkLake:
    """One committee of a Parquet lake on a Spark session: what :mod:`pipelines.metrics` runs the
    figures on in place of a DuckDB connection (see :func:`pipelines.metrics.run_model`)."""

    def __init__(self, spark: Any, lake_dir: str | os.PathLike[str], committee_id: int | None = None) -> None:
        self.spark = spark
        self.lake = Path(lake_dir)
        manifest = lake.read_manifest(self.lake)
        if manifest is None:
            raise PartydayError(error("lake.no_manifest", path=str(self.lake)))
        self.manifest = manifest
        known = sorted(int(c) for c in manifest.get("committees", {}))
        if committee_id is None:
            if len(known) != 1:
                raise PartydayError(error("lake.many_committees", path=str(self.lake),
                                          known=", ".join(map(str, known)) or "—"))
            committee_id = known[0]
        if committee_id not in known:
            raise PartydayError(error("lake.no_committee", path=str(self.lake), committee=committee_id,
                                      known=", ".join(map(str, known)) or "—"))
        self.committee_id = committee_id
        self.committee = manifest["committees"][str(committee_id)]
        self._views: set[str] = set()

    def sql(self, name: str) -> str:
        """The text of model ``name`` on Spark (:func:`spark_sql_file`)."""
        return spark_sql_file(name)

    def rules(self) -> Rules:
        """The rules in force when the committee was exported (then ``PARTYDAY_RULES``, as in the app)."""
        text = self.committee.get("rules_toml") or ""
        return build_rules(parse_overrides(text, source="rule_settings") if text else {}, env_overrides())

    def judged_under(self) -> str | None:
        """The fingerprint of the rules the exported judgement (``out_activity_judged``) was made under."""
        value = self.committee.get("judged_rules")
        return str(value) if value else None

    def _view(self, table: str) -> None:
        if table in self._views:
            return
        entry = self.manifest["tables"].get(table)
        if entry is None:
            return  # not a lake table: Spark's own error names it
        files = [str(f) for f in lake.files(self.lake, table, self.committee_id)]
        added = set(entry.get("added", []))
        columns: list[list[str]] = entry["columns"]
        if files:
            frame = self.spark.read.option("basePath", str(self.lake / table)).parquet(*files)
            frame = frame.select(*[frame[name].cast(spark_type(kind)).alias(name) for name, kind in columns
                                   if name not in added])
        else:
            ddl = ", ".join(f"`{name}` {spark_type(kind)}" for name, kind in columns)
            frame = self.spark.createDataFrame([], ddl)
        frame.createOrReplaceTempView(table)
        self._views.add(table)

    def run(self, text: str, params: dict[str, Any]) -> pl.DataFrame:
        """The rows of DuckDB SQL ``text`` run on Spark with the ``params`` it uses bound, as polars."""
        spark_text, names, tables = to_spark(text)
        for table in tables:
            self._view(table)
        missing = [n for n in names if n not in params]
        if missing:
            raise ValueError(f"parameters not given: {missing}")
        frame = pl.from_arrow(self.spark.sql(spark_text, args={n: params[n] for n in names}).toArrow())
        assert isinstance(frame, pl.DataFrame)
        return frame

    def branch_id(self, name: str) -> int:
        """The id of the branch called ``name`` (refused like :func:`pipelines.metrics.branch_id`)."""
        found = self.run("select branch_id from branches where name = $name", {"name": name.strip()})
        if found.height:
            return int(found["branch_id"][0])
        known = self.run("select name from branches order by name limit 8", {})["name"].to_list()
        raise PartydayError(error("rules.unknown_branch", branch=name, known="、".join(known) or "—"))


def placeholders(text: str) -> list[str]:
    """The ``$name`` parameters of a DuckDB SQL text (for a check that every model transpiles)."""
    return sorted(set(re.findall(r"\$([a-z_][a-z0-9_]*)", text)))
