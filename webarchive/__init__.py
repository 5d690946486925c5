"""Web archives (WARC): backfill a source from other crawlers' captures, and export what the store keeps."""
