"""`dolmetsch serve`: LibreTranslate's HTTP API in front of dolmetsch's glossary-enforcing engine.

`app` holds the routes, `batching` the queue and decoding thread shared by all requests,
`engine` the one adapter to the translation machinery, `access` keys and rate limits, `files`
the downloads, `metrics` the Prometheus registry. Nothing here is imported by the rest of
dolmetsch, and nothing heavy loads at import.
"""
