"""Every SQL model is plain SQL that SQLGlot transpiles to Spark SQL (to run the same models on Spark over
Parquet for committees too large for one machine), and follows the house style."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

SQL_DIR = Path(__file__).resolve().parent.parent / "pipelines" / "sql"
MODELS = sorted(SQL_DIR.glob("*.sql"))


def test_models_are_found() -> None:
    assert len(MODELS) >= 10


@pytest.mark.parametrize("path", MODELS, ids=[p.name for p in MODELS])
def test_transpiles_to_spark(path: Path) -> None:
    statements = sqlglot.transpile(path.read_text(encoding="utf-8"), read="duckdb", write="spark",
                                   unsupported_level=sqlglot.ErrorLevel.RAISE)
    assert statements and all(s.strip() for s in statements)


RULES_MODELS = [p for p in MODELS if not p.name.startswith(("access_", "column_mapping_", "demo_", "ingest_", "snapshot_", "ui_"))]


@pytest.mark.parametrize("path", RULES_MODELS, ids=[p.name for p in RULES_MODELS])
def test_rules_models_are_cte_chains_with_bound_parameters(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    assert body.lstrip().startswith("with "), "a chain of CTEs"
    assert "select * from final" in body
    assert "{" not in body and "%s" not in body.replace("'%Y-%m'", ""), "parameters are bound, never formatted"


COMPOSED = [("events", "FIGURES"), ("strikes", "FIGURES"), ("activity_items", "FIGURES"), ("compliance", "MONTHS"),
            ("ranking", "MONTHS"), ("zone_quarters", "MONTHS"), ("overview", "MONTHS")]


@pytest.mark.parametrize(("model", "upstream"), COMPOSED, ids=[m for m, _ in COMPOSED])
def test_composed_models_transpile_to_spark(model: str, upstream: str) -> None:
    from pipelines import metrics

    # judged on read from the counts, and read from the kept judgement
    for chain, sources in (((*metrics.JUDGEMENT, *getattr(metrics, upstream)), None),
                           (("judged_activity_branch", *getattr(metrics, upstream)), metrics.KEPT)):
        text = metrics.composed_sql(model, chain, sources)
        spark = sqlglot.transpile(text, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
        assert len(spark) == 1 and "judged_activity_branch AS (" in spark[0]
