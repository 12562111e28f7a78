"""Small file helpers shared by the agent tools."""
import json
import os
import tempfile
from pathlib import Path


def atomic_write_json(path, obj, *, indent=2):
    """Write obj as JSON to path so that readers never see a half-written file.

    The data goes to a temporary file in the same directory, is flushed and fsync'ed,
    and is then renamed over the destination with os.replace().
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=indent, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def read_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return default
