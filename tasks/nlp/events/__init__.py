"""Event coding from the dependency parse: the PLOVER/CAMEO lexicon and the coder's rules."""
