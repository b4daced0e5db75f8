"""OPSC Monitor."""
