"""Command-line commands, one module per area. Each module defines ``register(subparsers)``.

A command's handler takes the parsed ``args`` and returns an exit code: 0 done, 1 refused (the
user's input was wrong; a message says why), 2 usage error.
"""
