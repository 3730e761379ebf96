"""From bytes to clean text: one charset decoder, HTML extraction, cleaning, article identity."""
