"""Use cases, each written once over the app's configuration and the domain code.

Views, CLI commands and scheduled jobs all call these and stay thin: a view reads the
request, a command its arguments, a job nothing; then each calls the same function here.
"""
