"""党日看板 · Party Day Dashboard: the library behind the pages and the command line."""

__version__ = "0.1.0"
