"""Telesales Training Workbook: a bilingual Jupyter/Voilà course on customer-centric telephone selling."""

__version__ = "0.11.0"
