"""newsdesk: an event-driven pipeline that keeps a searchable archive of news sources."""

__version__ = "0.1.0"
