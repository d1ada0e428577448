"""wugu (无孤): a volunteer group's rulebook and forms as YAML, checked and compiled into a handbook site and PDFs."""

__version__ = "0.1.0"
