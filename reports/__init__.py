"""Reports made from the views (DESIGN.md §2): the Bureau's annual report to the
Assembly (``reports.annual``), its settings (``reports.config``) and the sections
plugins add to it (``reports.sections``). Reports read views, never aggregates, and
record nothing in the log."""
