"""The views: folds of the log into items, tallies and figures, kept in bitemporal
tables and read as of any position (README, "Architecture")."""
