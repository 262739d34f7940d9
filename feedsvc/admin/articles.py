"""Articles: find, view, edit, hide or show, regenerate a summary; import by upload or drop folder."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from flask import current_app, flash, redirect, render_template, request, url_for

from ..db import get_session
from ..i18n import gettext as _
from ..ingest.importer import ImportReport
from ..models import Article, Category, ImportOrigin, Source
from ..services.imports import drop_folder, run_import, scan_drop_folder
from . import bp
from .forms import article_form
from .helpers import audit, get_or_404, page_count, window
from .queries import (
    ARTICLE_STATES, edit_article, facet_choices, find_articles, regenerate_summary, set_visible,
)
from .uploads import save_uploads
from ..ingest.formats import SUFFIXES


@bp.route("/articles")
def articles():
    """Every article (hidden ones and reprints too), searchable and filtered."""
    session = get_session()
    filters = {key: request.args.get(key, "")[:200] for key in ("q", "source", "category", "state")}
    if filters["state"] not in ARTICLE_STATES:
        filters["state"] = ""
    page, size, offset = window()
    rows, total = find_articles(session, limit=size, offset=offset, **filters)
    return render_template(
        "admin/articles.html", articles=rows, total=total, page=page, pages=page_count(total),
        filters=filters, sources=facet_choices(session, Source),
        categories=facet_choices(session, Category), states=ARTICLE_STATES, import_suffixes=SUFFIXES,
    )


@bp.route("/articles/<int:article_id>", methods=["GET", "POST"])
def article(article_id: int):
    """One article as stored, with the form to edit its title, summary, category and tags."""
    row = get_or_404(Article, article_id)
    form = {"title": row.title, "summary": row.summary,
            "category": row.category.name if row.category else "",
            "tags": ", ".join(t.name for t in row.tags)}
    errors = {}
    if request.method == "POST":
        form = {key: request.form.get(key, "") for key in form}
        values, errors = article_form(form)
        if not errors:
            changed = edit_article(get_session(), row, **values)
            if changed:
                audit("article.edit", row.id, ", ".join(changed))
            get_session().commit()
            flash(_("Saved.") if changed else _("Nothing changed."))
            return redirect(url_for("admin.article", article_id=row.id))
    return render_template("admin/article.html", article=row, form=form, errors=errors), 400 if errors else 200


@bp.route("/articles/<int:article_id>/visibility", methods=["POST"])
def article_visibility(article_id: int):
    """Hide an article from readers' pages, feeds and digests, or show it again."""
    row = get_or_404(Article, article_id)
    visible = request.form.get("visible") == "1"
    if set_visible(get_session(), row, visible):
        audit("article.show" if visible else "article.hide", row.id, row.title)
    get_session().commit()
    flash(_("The article is shown.") if visible else _("The article is hidden."))
    return redirect(url_for("admin.article", article_id=row.id))


@bp.route("/articles/<int:article_id>/summary", methods=["POST"])
def article_summary(article_id: int):
    """Replace the summary with a newly generated one."""
    row = get_or_404(Article, article_id)
    regenerate_summary(get_session(), row, max_chars=current_app.config["SUMMARY_CHARS"])
    audit("article.summary", row.id, row.summary)
    get_session().commit()
    flash(_("The summary was generated again."))
    return redirect(url_for("admin.article", article_id=row.id))


@bp.route("/articles/upload", methods=["POST"])
def articles_upload():
    """Import uploaded files with the same importer as the drop folder; one result per file."""
    app = current_app._get_current_object()
    saved, refused = save_uploads(Path(app.instance_path) / "uploads", request.files.getlist("files"),
                                  max_bytes=app.config["IMPORT_MAX_BYTES"])
    if not saved and not refused:
        flash(_("Choose at least one file."))
        return redirect(url_for("admin.articles"))
    results = [(name, [], _(message, suffixes=", ".join(SUFFIXES))) for name, message in refused]
    if saved:
        names = {path: name for name, path in saved}
        results += _import(names, "import.upload",
                           lambda **hooks: run_import(app, names, origin=ImportOrigin.UPLOAD, **hooks))
    return render_template("admin/import_result.html", results=results), 200 if saved else 400


@bp.route("/articles/scan", methods=["POST"])
def articles_scan():
    """Import what is new or changed in the drop folder now."""
    app = current_app._get_current_object()
    folder = drop_folder(app)
    results = _import({folder: None}, "import.drop-folder", lambda **hooks: scan_drop_folder(app, **hooks))
    return render_template("admin/import_result.html", results=results, folder=folder)


def _import(names: dict[Path, str | None], action: str,
            run: Callable[..., ImportReport]) -> list[tuple[str, list[str], str]]:
    """Run an import; (shown name, outcomes, error) per file, and an audit entry ``action`` for it."""
    outcomes: dict[str, list[str]] = {}

    def record(path: Path, results) -> None:
        outcomes[str(path)] = [o.value for o in results]

    report = run(on_file=record)
    errors = dict(report.errors)
    shown = {str(path): name for path, name in names.items() if name}
    results = [(shown.get(path, path), found, errors.get(path, "")) for path, found in outcomes.items()]
    audit(action, ", ".join(sorted(shown.values()))[:255] or str(next(iter(names))), report.summary_line())
    get_session().commit()
    return results
