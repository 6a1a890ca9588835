"""The dashboard as an ASGI application: Streamlit running ``app.py``, plus the session cookie's two
same-origin endpoints (``pipelines/ui/session_cookie.py``). ``python -m pipelines.ui.serve`` runs it
(``streamlit run`` recognises the ``st.App`` below); any ASGI server can too (``uvicorn pipelines.ui.asgi:app``).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from pipelines.ui import session_cookie
from pipelines.ui.session_cookie import ROUTES

APP_SCRIPT = Path(__file__).resolve().parents[2] / "app.py"

app = st.App(APP_SCRIPT, routes=ROUTES)
session_cookie.ENDPOINTS_MOUNTED = True
