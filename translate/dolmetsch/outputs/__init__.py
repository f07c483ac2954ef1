"""Everything written from a TranslatedDocument: one module per format, one place that writes them."""
