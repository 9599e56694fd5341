"""The composition root: the one place where followup is put together.

``followup.registry`` collects every plugin's hooks once into a typed registry;
``followup.bootstrap`` builds the store, the application service, the views, the
tokens, the jobs and the notifier kinds from it and from configuration, for the entry
points (``api``, ``cli``, the scheduler). Nothing below this package (``core``,
``adapters``, ``plugins``, ``reports``) imports it, and nothing is built at import time.

``followup.plugin`` is the plugin API: the one module a plugin imports what it needs
from (README, "Writing a plugin").
"""
