"""Backwards-compatible name for `glassbox.stream` (scripts that put this folder on sys.path and do
`from glassbox_stream import connect` keep working). New code: `from glassbox.stream import connect`.
Standard library only, like the module it re-exports."""
from glassbox.stream import GlassboxStream, connect  # noqa: F401

__all__ = ["GlassboxStream", "connect"]
