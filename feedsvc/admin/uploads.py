"""Storing uploaded article files where the importer can read them, under names we choose."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath
from typing import Iterable

from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from ..ingest.formats import is_importable
from ..languages import N_
from ..sanitize import clean_line


def upload_name(filename: str | None) -> str | None:
    """A safe file name keeping the original's type, or None when there is none we import.

    The client's name only ever gives a suffix and a readable stem: ``secure_filename`` drops
    every path part (``../../x.txt`` becomes ``x.txt``), and a stem it empties (a Chinese
    name, say) becomes ``article``.
    """
    base = PurePosixPath((filename or "").replace("\\", "/")).name
    suffix = PurePosixPath(base).suffix.lower()
    if not base or not is_importable(base):
        return None
    stem = secure_filename(base[: -len(suffix)])[:100] or "article"
    return stem + suffix


def read_limited(upload: FileStorage, max_bytes: int) -> bytes | None:
    """The uploaded bytes, or None when there are more than ``max_bytes`` (reads one byte past it at most)."""
    data = upload.stream.read(max_bytes + 1)
    return None if len(data) > max_bytes else data


def save_uploads(root: Path, files: Iterable[FileStorage], *, max_bytes: int
                 ) -> tuple[list[tuple[str, Path]], list[tuple[str, str]]]:
    """Save each file as ``root/<sha256 of its bytes>/<safe name>``; (shown name, path) saved, (shown name, reason) refused.

    Keyed by content, a re-uploaded file has the same path, which the importer keys articles
    by, so it is "unchanged" rather than new. Files are kept: the path is the article's origin.
    """
    saved, refused = [], []
    for upload in files:
        shown = clean_line(upload.filename or "")[:200]
        if not upload.filename:
            continue  # the browser sends an empty part when no file was chosen
        name = upload_name(upload.filename)
        if name is None:
            # A message id: the view fills in the suffixes when it translates it.
            refused.append((shown, N_("This kind of file is not imported (%(suffixes)s).")))
            continue
        data = read_limited(upload, max_bytes)
        if data is None:
            refused.append((shown, N_("The file is too large.")))
            continue
        if not data.strip():
            refused.append((shown, N_("The file is empty.")))
            continue
        folder = root / hashlib.sha256(data).hexdigest()
        path = folder / name
        if path.resolve().parent != folder.resolve():  # cannot happen with upload_name; never trust it
            refused.append((shown, N_("The file name is not allowed.")))
            continue
        folder.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # Written aside and renamed into place, so the importer never reads half a file.
            partial = folder / f".{name}.{os.getpid()}.part"
            partial.write_bytes(data)
            partial.replace(path)
        saved.append((shown, path))
    return saved, refused
