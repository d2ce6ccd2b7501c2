"""Customer-data access (Reg S-P): people, systems, accounts, correlation, leavers."""
