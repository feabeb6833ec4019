"""The web chat: a static page and a WebSocket speaking JSON frames."""
