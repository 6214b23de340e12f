"""Universal Commerce Protocol (spec 2026-04-08) over REST, on the checkout core in commerce/."""
