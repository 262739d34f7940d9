"""Words the admin pages show for values that come from data: states, kinds, outcomes, origins.

Templates translate them with ``_(value)``; they are marked here so ``pybabel extract`` finds
them, and tests/translations checks that every value of these enums is among them.
"""
from __future__ import annotations

from ..languages import N_

WORDS = (
    # Subscribers (models.SubscriberState).
    N_("pending"), N_("confirmed"), N_("unsubscribed"), N_("bounced"),
    # How often their digest comes (models.Frequency).
    N_("daily"), N_("weekly"),
    # The outbox (models.DeliveryState, models.DeliveryKind).
    N_("sending"), N_("sent"), N_("failed"), N_("cancelled"), N_("digest"), N_("confirm"), N_("test"),
    # Articles, as the admin filters them (admin.queries).
    N_("visible"), N_("hidden"), N_("duplicate"),
    # Imports: what happened to a file (ingest.store.Outcome) and where it came from (models.ImportOrigin).
    N_("new"), N_("updated"), N_("unchanged"), N_("upload"), N_("drop-folder"), N_("cli"), N_("demo"),
    # Jobs (models.JobStatus).
    N_("ok"), N_("error"),
    # Operators' tasks (operator_models.TaskState).
    N_("queued"), N_("running"), N_("done"),
    # Returned mail (mail_models.ReturnKind): a permanent failure, a transient one, a complaint.
    N_("bounce"), N_("transient"), N_("complaint"),
)
