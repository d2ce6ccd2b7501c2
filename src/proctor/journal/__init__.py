"""Tamper-evident journal: an append-only Merkle log of every record and state change."""
