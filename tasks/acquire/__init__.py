"""Acquiring raw documents: local files, the HTTP fetcher, RSS/Atom feeds, URLs and robots.txt."""
