"""Keys and sealing: each case's data key sealed by the master key, and the vault that
seals and opens what is written about her."""
