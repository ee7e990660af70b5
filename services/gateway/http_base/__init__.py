"""What every contract's adapter is built on: routes, request validation, JSON answers, the words
its schemas are written in, and the Contract each adapter declares. Nothing here knows a contract."""
