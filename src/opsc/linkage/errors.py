"""Errors of the linkage package; the CLI turns them into messages and exit codes."""

from __future__ import annotations


class LinkageError(Exception):
    """Base class: a linkage request that cannot be carried out as asked."""


class LinkageInputError(LinkageError):
    """Input records that cannot be linked (the message names row, field, value and fix)."""


class EngineUnavailable(LinkageError):
    """The requested engine is not installed; the message names the extra to install."""
