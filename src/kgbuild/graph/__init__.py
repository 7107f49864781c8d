"""From records to RDF: cross-article resolution and stable keys, then one named graph per
article with provenance."""
