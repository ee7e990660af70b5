"""The gateway: Torii's only HTTP face (management API here; contract adapters beside it)."""
