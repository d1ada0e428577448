"""Renderers: pure functions of the model (site pages, PDFs). They never see raw YAML."""
