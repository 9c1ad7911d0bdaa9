"""Ingest: decode, parse and map delivered institution extracts into landing batches."""
