"""Code lists: ethnic category and groupings, IMD, gestation thresholds, outcome codes."""
