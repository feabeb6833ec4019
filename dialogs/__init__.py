"""How a conversation goes: platform-neutral flows from an incoming event to messages."""
