"""Property-based tests (hypothesis) of the importer, the summariser, the sanitizer and the feeds.

Every test here takes ``PROFILE`` as its settings' parent rather than loading it globally: a
global profile would also change the other packages' hypothesis tests in the same session.
"""
from hypothesis import settings

# Derandomized so CI runs the same examples every time; no example database, so a run never
# depends on what an earlier one found. No deadline: the first parse loads jieba's dictionary.
settings.register_profile("properties", derandomize=True, database=None, deadline=None)
PROFILE = settings.get_profile("properties")
