"""The only code in Torii that knows SQL."""
