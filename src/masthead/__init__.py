"""Masthead: a headless CMS. Importing the package starts nothing."""

__version__ = "0.1.0"
