"""What every page and resource shares: the acting user, limits of input, languages,
form fields, security headers and the request log."""
