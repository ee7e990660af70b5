"""Serving published APIs, whatever their contract: the catalog the registry's watch keeps, the
checks every inference passes, Triton clients and per-day counters."""
