"""Packaged Rule 611 rule tables (YAML data, read by `proctor.trading.ruletable`)."""
