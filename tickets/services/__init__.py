"""Every write to the ticket spine goes through a function in this package."""
