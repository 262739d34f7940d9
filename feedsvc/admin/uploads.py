"""Reading uploaded article files: names we choose, sizes we allow (the worker stores and imports them)."""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterable

from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from ..i18n import gettext as _
from ..ingest.formats import SUFFIXES, is_importable
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


# Why a file was refused, as message ids the page translates ("%(suffixes)s": what we import).
REFUSALS = (N_("This kind of file is not imported (%(suffixes)s)."), N_("The file is too large."),
            N_("The file is empty."), N_("The file name is not allowed."))


def shown_message(message: str) -> str:
    """A refusal in the page's language; any other message (the importer's) as it is."""
    return _(message, suffixes=", ".join(SUFFIXES)) if message in REFUSALS else message


def read_limited(upload: FileStorage, max_bytes: int) -> bytes | None:
    """The uploaded bytes, or None when there are more than ``max_bytes`` (reads one byte past it at most)."""
    data = upload.stream.read(max_bytes + 1)
    return None if len(data) > max_bytes else data


def read_uploads(files: Iterable[FileStorage], *, max_bytes: int
                 ) -> tuple[list[tuple[str, str, bytes]], list[tuple[str, str]]]:
    """(shown name, safe name, bytes) of each file we import, and (shown name, reason) of the others.

    Nothing is written here: the worker stores and imports them (services.background).
    """
    accepted, refused = [], []
    for upload in files:
        shown = clean_line(upload.filename or "")[:200]
        if not upload.filename:
            continue  # the browser sends an empty part when no file was chosen
        name = upload_name(upload.filename)
        if name is None:
            # A message id: the page fills in the suffixes when it translates it.
            refused.append((shown, REFUSALS[0]))
            continue
        data = read_limited(upload, max_bytes)
        if data is None:
            refused.append((shown, REFUSALS[1]))
        elif not data.strip():
            refused.append((shown, REFUSALS[2]))
        else:
            accepted.append((shown, name, data))
    return accepted, refused
