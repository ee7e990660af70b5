"""The one failure the NNC data layer reports: the request's data does not fit the model.

The contract answers every such failure with the message "Invalid request"; the HTTP layer adds
this exception's message as the detail, so it names the input and says what was expected and
what was received.
"""

from __future__ import annotations


class InvalidRequest(Exception):
    """The request's inputs cannot be fed to the model; `message` says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
