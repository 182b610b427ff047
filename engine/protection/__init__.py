"""Need to know: what each role may read, the access log, disclosure of a case, her
rights over her data, her record and the check of free text."""
