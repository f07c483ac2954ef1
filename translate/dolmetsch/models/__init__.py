"""Argos Translate packages: where they live, what is in them, how they are installed."""
