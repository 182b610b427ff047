"""The database: connection and migrations, the tables, the saved state of instances
and the cache of restored workflows."""
