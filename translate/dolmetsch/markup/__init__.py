"""Inline markup: text with numbered elements, placeholders for reviewers, projection through alignment, HTML and Markdown sources."""
