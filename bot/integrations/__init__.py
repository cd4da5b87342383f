"""Integrations with other frameworks: thin adapters over the concierge's own functions (no logic of their own)."""
