"""Packaged retention schedules for the communications archive (versioned data with citations)."""
