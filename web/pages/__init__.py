"""The pages of the four audiences; no page imports another (what they share lives in
web.common)."""
