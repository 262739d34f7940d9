"""Core statements that run on SQLite's own connection where a loop runs them many times.

SQLAlchemy's execute costs about 15 µs of Python for a statement that SQLite answers in 1 µs
(an indexed lookup); the importer runs several per article. A ``DriverStatement`` is compiled
for the SQLite dialect once and then handed to sqlite3 directly, inside the caller's
transaction; its values go through the columns' own bind processing, and an insert fills in
the columns' Python-side defaults, so a row is what Core would have written. On any other
database it is an ordinary Core execute.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from sqlalchemy import Connection, Table, bindparam, insert
from sqlalchemy.sql import ClauseElement


class DriverStatement:
    """A statement with named parameters, compiled for SQLite on first use: a query's ``first``
    row or ``all`` its rows, or ``execute`` for a statement that returns none."""

    def __init__(self, statement: ClauseElement):
        self.statement = statement
        self._sqlite: tuple[str, tuple[str, ...], tuple, dict] | None = None

    def first(self, conn: Connection, params: Mapping[str, Any]) -> tuple | None:
        """The first row the query returns, as a tuple; None for no row."""
        if conn.dialect.name != "sqlite":
            row = conn.execute(self.statement, params).first()
            return None if row is None else tuple(row)
        return self._on_driver(conn, params).fetchone()

    def all(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple]:
        """Every row the query returns, as tuples."""
        if conn.dialect.name != "sqlite":
            return [tuple(row) for row in conn.execute(self.statement, params)]
        return self._on_driver(conn, params).fetchall()

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> None:
        """Run it. On SQLite outside a transaction, the statement commits as it runs."""
        if conn.dialect.name != "sqlite":
            conn.execute(self.statement, params)
            return
        self._on_driver(conn, params)

    def _on_driver(self, conn: Connection, params: Mapping[str, Any]):
        return _driver(conn).execute(*self._sql_and_args(conn, params))

    def _sql_and_args(self, conn: Connection, params: Mapping[str, Any]) -> tuple[str, list]:
        sql, names, processors, fixed = self._compiled(conn)
        values = {**fixed, **params} if fixed else params
        return sql, [values[n] if p is None else p(values[n]) for n, p in zip(names, processors)]

    def _compiled(self, conn: Connection) -> tuple[str, tuple[str, ...], tuple, dict]:
        if self._sqlite is None:
            compiled = self.statement.compile(dialect=conn.dialect)
            names = tuple(compiled.positiontup or ())
            binds = [compiled.binds[name] for name in names]
            processors = tuple(b.type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for b in binds)
            # Values the statement carries itself, such as a LIMIT's.
            fixed = {name: b.effective_value for name, b in zip(names, binds) if not b.required}
            self._sqlite = compiled.string, names, processors, fixed
        return self._sqlite


class DriverInsert(DriverStatement):
    """An INSERT of the given columns of ``table`` (others take their defaults)."""

    def __init__(self, table: Table, columns: Iterable[str]):
        self.table, self.columns = table, tuple(columns)
        self.defaults = {c.name: c.default for c in table.c if c.name not in self.columns and c.default is not None}
        if any(not (d.is_scalar or d.is_callable) for d in self.defaults.values()):
            raise ValueError(f"{table.name}: only scalar and callable column defaults can be filled in here")
        names = self.columns + tuple(self.defaults)
        super().__init__(insert(table).values({n: bindparam(n, type_=table.c[n].type) for n in names}))

    def insert(self, conn: Connection, row: Mapping[str, Any]) -> int:
        """Insert one row; its primary key."""
        if conn.dialect.name != "sqlite":
            return conn.execute(insert(self.table), dict(row)).inserted_primary_key[0]
        return self._on_driver(conn, self._with_defaults(row)).lastrowid

    def insert_many(self, conn: Connection, rows: list[Mapping[str, Any]]) -> None:
        """Insert several rows in one call."""
        if not rows:
            return
        if conn.dialect.name != "sqlite":
            conn.execute(insert(self.table), [dict(row) for row in rows])
            return
        sql = self._compiled(conn)[0]
        _driver(conn).executemany(sql, [self._sql_and_args(conn, self._with_defaults(row))[1] for row in rows])

    def _with_defaults(self, row: Mapping[str, Any]) -> Mapping[str, Any]:
        if not self.defaults:
            return row
        # A callable default is wrapped by SQLAlchemy to take the execution context.
        return {**row, **{name: d.arg(None) if d.is_callable else d.arg for name, d in self.defaults.items()}}


def _driver(conn: Connection):
    # The sqlite3 connection under SQLAlchemy's, in the transaction the caller opened on it.
    return conn.connection.driver_connection
