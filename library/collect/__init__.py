"""Collecting annual reports from the agencies' websites (issue 14).

- :mod:`library.collect.fetch`: the network layer (safe, polite, bounded HTTP fetching).
- :mod:`library.collect.discover`: understanding the fetched pages (report links on a 年报 column page,
  attachments, the publication date shown on a report page). Pure functions on bytes.

Nothing here runs a script from a fetched page: pages are only ever parsed as bytes.
"""
