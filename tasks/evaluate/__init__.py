"""Measuring quality on gold data: one scorer per measure (extraction, events, 5W1H, dates)."""
