"""The generated documents of derivations/: one Markdown writer, the catalog and verification pages, citations, the noise and neural-network reports."""
