"""The services the face offers: repository, runtime, tasks, cases, history, messages
and the queries behind the pages."""
