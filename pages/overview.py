"""总览 Overview: this month and year to date, the alerts, the trend by month."""

from __future__ import annotations

from pipelines.ui import common

common.page_header("ui.nav.overview")
if common.branches().is_empty():
    common.empty_state("ui.overview.empty")
    common.st.stop()
