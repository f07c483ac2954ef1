"""Reviewing translations after the run: reading PO and bitext back, and checking them."""
