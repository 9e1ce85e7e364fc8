"""Clients for hosted APIs (Microsoft Graph, Google Workspace): bearer tokens, throttling,
paging. Shared by the Graph directory and the Graph and Gmail mail stores."""

from phishloop.connectors.cloud.api import ApiClient, ApiFailure, RetryPolicy, TokenSource

__all__ = ["ApiClient", "ApiFailure", "RetryPolicy", "TokenSource"]
