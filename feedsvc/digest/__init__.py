"""Daily digest emails: compose (pure), render (Jinja), editions and delivery (store)."""
