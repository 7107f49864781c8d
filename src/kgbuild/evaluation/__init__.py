"""Evaluation: scoring a build against gold annotations, and generated corpora. The build
never imports this package."""
