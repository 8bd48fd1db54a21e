"""The analysis pages' computations as they were before they were rewritten for 50,000 reports.

Kept verbatim (only the imports point at each other) as the yardstick of tests/test_pages_reference.py:
the rewritten library.aggregate, library.filters and charts.{catalog,figures,tables,agency} must give
exactly these frames and figures.
"""
