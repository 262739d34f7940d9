"""The admin's fixtures (an operator, a signed-in client, CSRF tokens), for attacks on the admin too."""
from admin.conftest import EMAIL, PASSWORD, admin_user, audit_log, csrf, signed_in  # noqa: F401
