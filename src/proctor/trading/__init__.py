"""Order protection surveillance (Reg NMS Rule 611): protected quotes, trade-throughs and their exceptions."""
