"""Literal files of a small trading day (ACME on N, P and Z, 4 Nov 2025), as a firm delivers them.

Times are New York wall clock with the -05:00 offset of that day; prices in dollars.
"""

from __future__ import annotations

from pathlib import Path

QUOTES = """ts,symbol,venue,bid_px,bid_size,ask_px,ask_size,condition
2025-11-04T09:30:00.000000000-05:00,ACME,N,10.00,500,10.02,500,R
2025-11-04T09:30:00.000000000-05:00,ACME,P,9.99,300,10.03,300,R
2025-11-04T09:30:00.000000000-05:00,ACME,Z,9.99,200,10.03,200,R
2025-11-04T09:30:30.000000000-05:00,ACME,N,10.00,500,10.02,500,R
2025-11-04T09:30:30.000000000-05:00,ACME,P,9.99,300,10.03,300,R
2025-11-04T09:30:30.000000000-05:00,ACME,Z,9.99,200,10.01,40,R
2025-11-04T09:31:00.000000000-05:00,ACME,N,10.00,500,10.02,500,R
2025-11-04T09:31:00.000000000-05:00,ACME,P,9.99,300,10.03,300,R
2025-11-04T09:31:00.000000000-05:00,ACME,Z,9.99,200,10.03,200,R
"""

TRADE_HEADER = (
    "trade_id,symbol,execution_time,report_time,side,price,quantity,modifiers,order_id,desk,capacity,"
    "settlement,trader\n"
)
TRADES = (
    TRADE_HEADER
    + """\
A-1,ACME,2025-11-04T09:30:10.000000001-05:00,2025-11-04T09:30:12-05:00,B,10.02,100,,O-1,OTC-ELECTRONIC,principal,regular,erin
A-2,ACME,2025-11-04T09:30:20.000000000-05:00,2025-11-04T09:30:22-05:00,B,10.05,300,,O-2,OTC-MANUAL,principal,regular,mike
A-3,ACME,2025-11-04T09:30:40.000000000-05:00,2025-11-04T09:30:42-05:00,B,10.02,100,,O-3,OTC-ELECTRONIC,principal,regular,erin
A-4,ACME,2025-11-04T09:30:50.000000000-05:00,2025-11-04T09:30:52-05:00,S,9.95,100,,O-4,OTC-MANUAL,principal,cash,mike
"""
)

CLOCK = """system,ts,offset_ms
oms-1,2025-11-04T09:30:00-05:00,1.250
oms-2,2025-11-04T09:30:00-05:00,-0.500
"""

REFPRICES = """symbol,month,avg_close
ACME,2025-10,10.12
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
