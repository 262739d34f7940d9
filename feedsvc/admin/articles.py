"""Articles: find, view, edit, hide or show, regenerate a summary; import by upload or drop folder."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from ..db import get_session
from ..i18n import gettext as _
from ..ingest.formats import SUFFIXES
from ..models import Article, Category, Source
from ..operator_models import TaskKind
from ..taskqueue import queue_task
from . import bp
from .forms import article_form
from .helpers import actor, audit, get_or_404, page_count, window
from .queries import (
    ARTICLE_STATES, edit_article, facet_choices, find_articles, regenerate_summary, set_visible,
)
from .uploads import read_uploads, shown_message


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
    """Queue the uploaded files for the worker's importer (the drop folder's); the page shows its progress.

    Nothing is imported here: a large file took longer than a request may (issue 14).
    """
    app = current_app._get_current_object()
    accepted, refused = read_uploads(request.files.getlist("files"), max_bytes=app.config["IMPORT_MAX_BYTES"])
    if not accepted and not refused:
        flash(_("Choose at least one file."))
        return redirect(url_for("admin.articles"))
    if not accepted:
        results = [(name, [], shown_message(message)) for name, message in refused]
        return render_template("admin/import_result.html", results=results), 400
    task = queue_task(get_session(), TaskKind.IMPORT_UPLOADS, actor=actor(), files=accepted,
                      result=[[name, [], message] for name, message in refused])
    get_session().commit()
    return redirect(url_for("admin.task", task_id=task.id))


@bp.route("/articles/scan", methods=["POST"])
def articles_scan():
    """Queue an import of what is new or changed in the drop folder."""
    task = queue_task(get_session(), TaskKind.SCAN_DROP_FOLDER, actor=actor())
    get_session().commit()
    return redirect(url_for("admin.task", task_id=task.id))
