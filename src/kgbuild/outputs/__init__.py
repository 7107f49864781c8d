"""Outputs: sorted RDF files, JSON-LD, GraphML, networkx views, pages and pictures."""
