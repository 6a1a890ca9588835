"""活动详情 Activity detail."""

from __future__ import annotations

from pipelines.ui import common

common.page_header("ui.nav.activity")
