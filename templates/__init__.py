"""The Jinja templates of pages, the admin and mails; a package so installed copies carry them.

pyproject.toml maps the package ``feedsvc.templates`` onto this folder; feedsvc.config.templates_dir
finds it through importlib.resources, in a checkout and in an installed wheel alike.
"""
