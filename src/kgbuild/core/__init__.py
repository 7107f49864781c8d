"""What every stage shares: errors, settings, the records passed between stages, the
ontology's terms, names and keys, shipped data, RDF term conversion, files, processes."""
