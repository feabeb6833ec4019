"""Everything that touches the world: channels, the HTTP server, storage, config, CLI."""
