"""Fakes of the outside world (Bot API, Graph API...) as real local servers."""
