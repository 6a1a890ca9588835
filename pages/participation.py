"""参与率 Participation."""

from __future__ import annotations

from pipelines.ui import common

common.page_header("ui.nav.participation")
