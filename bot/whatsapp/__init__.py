"""WhatsApp Cloud API: webhook, inbound events, Graph API client and rendering."""
