"""Language: the spaCy pipeline, time expressions and the word lists the extractors share."""

from __future__ import annotations

from kgbuild.nlp.spacy_pipeline import (
    DATELINES,
    DEFAULT_MODEL,
    MODEL_HASHES,
    OFFICIAL_MODEL,
    check_model_package,
    dist_info_hashes,
    load_pipeline,
    model_file_hashes,
    parse,
)

__all__ = ["DATELINES", "DEFAULT_MODEL", "MODEL_HASHES", "OFFICIAL_MODEL", "check_model_package",
           "dist_info_hashes", "load_pipeline", "model_file_hashes", "parse"]
