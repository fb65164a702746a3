"""Server-rendered pages of the tickets app, one module per audience."""
