"""Reading input: articles (.txt, .html, .jsonl, folders) and RDF files, with size limits."""
