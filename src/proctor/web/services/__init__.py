"""What the pages and the API share: each function takes the request's Ctx and returns data."""
