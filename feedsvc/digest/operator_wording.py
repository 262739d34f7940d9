"""The operators' digest wording, kept in the settings table so it changes without a deploy."""
from __future__ import annotations

import json

from sqlalchemy.orm import Session

from ..models import Setting, utcnow
from .wording import DigestWording

KEY = "digest_wording"


def load_wording(session: Session) -> DigestWording | None:
    """The saved wording, or None for our defaults."""
    row = session.get(Setting, KEY)
    if row is None:
        return None
    data = json.loads(row.value)
    return DigestWording(subject=data.get("subject"), intro=data.get("intro"),
                         item_template=data.get("item_template"))


def save_wording(session: Session, wording: DigestWording) -> None:
    """Store wording that ``validate_wording`` accepted (the caller checks; this only saves)."""
    value = json.dumps({"subject": wording.subject, "intro": wording.intro,
                        "item_template": wording.item_template}, ensure_ascii=False)
    row = session.get(Setting, KEY)
    if row is None:
        session.add(Setting(key=KEY, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()
