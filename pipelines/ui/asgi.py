"""The dashboard as an ASGI application: Streamlit running ``app.py``, plus the session cookie's two
same-origin endpoints (``pipelines/ui/session_cookie.py``). ``python -m pipelines.ui.serve`` runs it
(``streamlit run`` recognises the ``st.App`` below); any ASGI server can too (``uvicorn pipelines.ui.asgi:app``).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from pipelines import db
from pipelines.ui import session_cookie
from pipelines.ui.session_cookie import ROUTES

APP_SCRIPT = Path(__file__).resolve().parents[2] / "app.py"

# The server reads between page views on one kept connection (a writer of any process still gets the
# file: see pipelines/db.py); opening the file afresh for each read costs 15-20 ms at province scale.
db.keep_readers_open()
app = st.App(APP_SCRIPT, routes=ROUTES)
session_cookie.ENDPOINTS_MOUNTED = True
