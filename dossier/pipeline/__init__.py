"""The stages, site folder → model: load, clean, dedup, registry, link, timeline,
quotes, checks. Each a function of frozen dataclasses (dossier/models.py)."""
