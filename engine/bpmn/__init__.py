"""A diagram's lifecycle: parse and check it at deploy, lay it out, and run it with the
restricted script environment (expressions, loops, messages, decision tables)."""
