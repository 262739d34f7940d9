"""Column types that behave alike on SQLite and PostgreSQL: aware UTC datetimes, enums as text."""
from __future__ import annotations

from datetime import timezone
from enum import StrEnum

from sqlalchemy import DateTime, String, types


class UTCDateTime(types.TypeDecorator):
    """An aware UTC datetime on every backend (SQLite stores none, so we store UTC and say so)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: make it aware at the boundary")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class EnumText(types.TypeDecorator):
    """A StrEnum column stored as its value in a VARCHAR: values are checked when written."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int = 16):
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value, dialect):
        return None if value is None else self.enum(value).value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum(value)
