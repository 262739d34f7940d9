"""The dashboard: counts, jobs, the last import, what needs attention, 30 days in a chart."""
from __future__ import annotations

from flask import current_app, render_template
from markupsafe import Markup

from .. import schedule
from ..charts import render_bar_chart
from ..config import site_timezone
from ..db import get_session
from ..i18n import gettext as _
from ..models import utcnow
from . import bp
from .queries import attention, dashboard_counts, daily_series


@bp.route("/")
def dashboard():
    """What an operator looks at first."""
    app = current_app._get_current_object()
    session, now, zone = get_session(), utcnow(), site_timezone(app)
    series = daily_series(session, now=now, zone=zone)
    labels = (_("Articles added"), _("Digests sent"))
    chart = render_bar_chart(series, labels=labels, title=_("The last 30 days"), width=960, height=240)
    return render_template(
        "admin/dashboard.html", counts=dashboard_counts(session, now=now, zone=zone),
        jobs=schedule.list_jobs(app), attention=attention(session, now=now),
        chart=Markup(chart),  # escaped inside render_bar_chart
        totals=(sum(s[1] for s in series), sum(s[2] for s in series)),
    )
