"""What forms and handlers may import from the engine: the clock, the jurisdiction's
legal numbers, the roles, translatable texts, the effects a handler records and the
kinds of document a case file keeps."""
