"""Training jobs: claimed from the registry's queue and run in worker processes."""
