"""Pure rules that more than one service applies: who may call an API, and when it runs."""
