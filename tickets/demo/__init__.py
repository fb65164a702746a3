"""Demo data for `make run`: a desk with people, customers and two months of tickets."""
