"""Decoding with CTranslate2 and SentencePiece, straight from an Argos package."""
