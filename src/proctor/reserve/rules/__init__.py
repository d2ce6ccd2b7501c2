"""Packaged Exhibit A rule tables (versioned YAML data)."""
