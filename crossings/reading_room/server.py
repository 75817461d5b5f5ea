"""Serving a file in Datasette with the reading room (``crossings browse``)."""

from __future__ import annotations

from typing import Any

from datasette.app import Datasette
from datasette.plugins import pm

from .. import reading_room


def app(db_path: str) -> Any:
    """A Datasette instance on the file, the reading room plugged in (Datasette loads it
    from the entry point when crossings is installed; from a tree, it is registered here)."""
    if not pm.is_registered(reading_room):
        pm.register(reading_room, name="crossings")
    return Datasette([db_path])


def serve(instance: Any, host: str, port: int) -> None:
    """Serve a Datasette instance (:func:`app`) until interrupted."""
    import uvicorn

    uvicorn.run(instance.app(), host=host, port=port, log_level="warning")
