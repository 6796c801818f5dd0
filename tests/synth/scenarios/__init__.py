"""One module per capture.  Each exposes NAME and build(seed) -> (World, Expect)."""
