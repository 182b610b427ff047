"""What forms and handlers may import from the engine: the clock, the jurisdiction's
legal numbers, the roles, translatable texts and the effects a handler records."""
