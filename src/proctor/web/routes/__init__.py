"""Page and API routes, one module per area; each has a `pages` and an `api` router."""
