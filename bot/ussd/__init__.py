"""The USSD channel: an aggregator's HTTP callback, screens of 160 characters (bot/ussd/)."""
