"""The shipped Streamlit configuration: upload size from the rules, XSRF and CORS on, allowed hosts set."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pipelines.config import default_rules

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"


def shipped() -> dict:  # type: ignore[type-arg]
    with CONFIG.open("rb") as fh:
        return tomllib.load(fh)


def test_upload_size_matches_the_limits_rule() -> None:
    assert shipped()["server"]["maxUploadSize"] == default_rules().get("limits.max_file_mb")


def test_xsrf_cors_and_allowed_hosts() -> None:
    server = shipped()["server"]
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True
    assert server["allowedHosts"] and "*" not in server["allowedHosts"]
    assert server["enableStaticServing"] is False


def test_no_tracebacks_in_the_browser() -> None:
    assert shipped()["client"]["showErrorDetails"] == "none"


def test_every_option_exists_in_this_streamlit() -> None:
    from streamlit import config

    known = set(config._config_options_template)
    options = {f"{section}.{key}" for section, table in shipped().items() for key in table}
    assert options <= known, options - known
