"""``python -m pipelines.ui.serve [streamlit run options]``: start the dashboard server.

The same as ``streamlit run app.py``, except that the app is served with the session cookie's endpoints
(``pipelines/ui/asgi.py``), and that Streamlit's legacy "pages folder" mode is switched off
before the first visitor arrives. Streamlit only leaves that mode once ``app.py`` has called
``st.navigation``; until then a first visit to a deep link such as ``/admin`` would run that page file
directly, without the shell's sign-in, and list every file of ``pages/`` in the menu.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

# The launcher that serves app.py with the session cookie's routes. Named, not imported: importing it
# would build its st.App here as well as in the server, which imports it by this path.
ASGI_LAUNCHER = Path(__file__).with_name("asgi.py")
APP_SCRIPT = Path(__file__).resolve().parents[2] / "app.py"


def main(argv: list[str] | None = None) -> int:
    """Run ``streamlit run app.py`` with ``argv`` as further options; returns the exit code."""
    PagesManager.uses_pages_directory = False
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0].startswith("-"):
        args = ["app.py", *args]
    if Path(args[0]).resolve() == APP_SCRIPT:
        args[0] = str(ASGI_LAUNCHER)  # the same app, with the session cookie's endpoints beside it
    sys.argv = ["streamlit", "run", *args]
    try:
        cli.main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
