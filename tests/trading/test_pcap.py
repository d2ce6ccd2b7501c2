"""The real Cboe BOE reject and Nasdaq ITCH packets are decoded."""

import pytest

from proctor.trading import books, pcap
from tests.conftest import SHARED_DATA

ROOT = SHARED_DATA / "fix_pcap"
pytestmark = pytest.mark.skipif(not ROOT.exists(), reason="shared fix_pcap data is absent")


def test_boe_order_rejected_names_the_clearing_firm():
    (reject,) = pcap.boe_rejects(ROOT / "Cboe/Options.OrderEntry.Boe.v2.10.5/OrderRejectedMessage.pcap")
    assert reject["text"] == "ClearingFirm not allowed (for trading firm CFAA)"
    assert reject["rejected_field"] == "ClearingFirm" and reject["trading_firm"] == "CFAA"
    assert reject["reject_reason_name"] == "admin" and reject["cl_ord_id"] == "1409538419471684"


def test_itch_packets_decode_and_rebuild_a_book():
    msgs = pcap.itch_messages(ROOT / "Nasdaq/Nasdaq.Equities.TotalView.Itch.v5.0/Multiple.Packets.pcap")
    adds = [m for m in msgs if m["type"] in ("A", "F")]
    assert len(msgs) > 30 and {m["stock"] for m in adds} == {"META"}
    build = books.rebuild_itch(msgs, day=__import__("datetime").date(2023, 8, 22))
    meta = build.depth.filter(build.depth["symbol"] == "META").row(-1, named=True)
    best_bid = max(m["price"] for m in adds if m["side"] == "B")
    assert meta["bid_px"] == best_bid
    assert build.counts["unknown_refs"] == 1  # the delete refers to an order added before the capture
    one = pcap.itch_messages(
        ROOT / "Nasdaq/Nasdaq.Equities.TotalView.Itch.v5.0/AddOrderNoMpidAttributionMessage.pcap"
    )
    assert one[0]["stock"] == "IVOO" and one[0]["shares"] == 1600 and one[0]["price"] == 87_390_000
