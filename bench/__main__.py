"""``make bench``: completions in-process and over HTTP, a step as a case grows old,
statements per unit of work, timers, the access log, then web pages; last, every goal
of the run in one table."""

from __future__ import annotations

from . import access, completions, cycles, goals, over_http, statements, timers, web
from .common import postgresql_from_env, postgresql_url, sqlite_url


def main() -> None:
    pg_url = postgresql_from_env()
    completions.main(pg_url)
    over_http.main(pg_url)
    cycles.main()
    with sqlite_url() as url:
        statements.report("sqlite", url)
    if pg_url:
        with postgresql_url(pg_url) as url:
            statements.report("postgresql", url)
    timers.main(pg_url)
    access.main(pg_url)
    web.main(pg_url)
    print("\n".join(goals.summary()))


if __name__ == "__main__":
    main()
