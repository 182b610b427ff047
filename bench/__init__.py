"""The benchmarks of ``make bench``: kept out of the installed package."""
