"""Pure domain of Proctor: records, alerts, cases, controls, roles, clock and ids.

Nothing in here touches a database, the network, a web framework or the terminal, so every rule
about who may do what, and which transitions are legal, can be tested with plain values and is
shared unchanged by the CLI, the web app and every surveillance module.
"""
