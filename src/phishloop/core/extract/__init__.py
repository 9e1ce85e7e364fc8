"""Facts derived from headers and content: Received hops, authentication results,
indicators of compromise and campaign fingerprints. Inputs are plain data (header lists,
strings, model records), so these extractors work on any parse layer's output."""
