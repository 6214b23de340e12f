"""Fresh shopper messages played over the websocket against a running server, with a verdict per message."""
