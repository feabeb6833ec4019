"""SMS through Kannel (bot/sms/service.py)."""
