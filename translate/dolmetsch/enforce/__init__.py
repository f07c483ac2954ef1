"""Decode-time glossary enforcement: a sentence's terms come out as the glossary says.

`strategies.GlossaryEnforcer` tries, per sentence, the natural output, the n-best list, a forced
target prefix and finally a replacement in the output; `align` finds where a term renders in a
hypothesis from the decoder's attention. It sits above the engine and the glossary.
"""
