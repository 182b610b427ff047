"""Users, their roles, passwords, tokens and sessions, and the sign-in brake."""
