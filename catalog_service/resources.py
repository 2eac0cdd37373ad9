"""Where the data folders (``ontology/``, ``shapes/``, ``examples/``) live.

In a source checkout or an editable install they sit beside the package; a wheel carries them inside
``catalog_service/_data``. Callers ask for a folder by name and never guess paths themselves.
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder ``name`` (``"ontology"``, ``"shapes"`` or ``"examples"``)."""
    for candidate in (_PACKAGE.parent / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data folder {name!r} is missing from this installation")
