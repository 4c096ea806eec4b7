"""Subcommands of the `rwpca` CLI; each module has ``register(subparsers)``."""
