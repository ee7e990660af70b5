"""Plumbing every Torii service shares: settings, logs, errors, the gRPC server and clients."""
