"""Tabular data shared by the trainer and the gateway: CSV text, cell values, column types and the
schema a trained model carries, so both read a CSV row the same way."""
