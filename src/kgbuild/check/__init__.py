"""Checking the graph against SHACL shapes: the whole graph at once, or in batches of articles."""
