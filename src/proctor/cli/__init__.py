"""The `proctor` command line (Typer + Rich)."""
