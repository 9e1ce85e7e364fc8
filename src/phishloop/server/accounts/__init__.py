"""API tokens with roles (viewer, analyst, admin)."""
