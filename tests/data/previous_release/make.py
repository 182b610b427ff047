"""Make ``previous_release.db.gz``: cases left running by the previous release.

Run with the code of that release (schema 0022, before the live indexes of 0023), so that
the database is exactly what it wrote::

    git worktree add /tmp/previous 5430c51^
    PYTHONPATH=/tmp/previous python tests/data/previous_release/make.py /tmp/previous

Julija (SI-REL-0001) is identified and her permitted stay granted: her decision and the
NGO's information are open, with their deadlines and warning timers. Ana (SI-REL-0002)
has an individual protection plan under monitoring, waiting on its timer. Everything is
fictitious; ``master.key`` here seals it and is a test key only.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(release: Path) -> None:
    sys.path.insert(0, str(release))
    from engine import ProcessEngine
    from engine.crypto.keys import decode_key
    from forms import examples
    from tests.product import product_config

    target = HERE / "previous_release.db"
    target.unlink(missing_ok=True)
    engine = ProcessEngine(product_config(
        database_url=f"sqlite:///{target}", clock="manual",
        master_key=decode_key((HERE / "master.key").read_text().strip(), "master.key")))
    engine.upgrade_database()
    engine.set_clock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), rewind=True)
    engine.repository.deploy(release / "processes")

    def complete(code: str, element: str, data: dict) -> None:
        [task] = [t for t in engine.tasks.tasks(case_code=code) if t.element_id == element]
        engine.tasks.complete(task.id, "release", data)

    for code in ("SI-REL-0001", "SI-REL-0002"):
        engine.runtime.start("victim_protection", code, actor="release")
        complete(code, "record_preliminary", examples.PRELIMINARY)
        complete(code, "ask_referral_consent", examples.REFERRAL_CONSENT)
        complete(code, "formal_identification", examples.FORMAL)
    complete("SI-REL-0001", "grant_permitted_stay", {
        "stay_decision": "granted", "stay_decision_date": "2026-03-02",
        "victim_category": "trafficking", "informed_of_permit": True,
        "interpreter_provided": True})
    complete("SI-REL-0002", "ask_plan_consent", examples.PLAN_CONSENT)
    engine.set_clock(datetime(2026, 4, 1, 8, 0, tzinfo=UTC))
    complete("SI-REL-0002", "draw_up_plan", examples.PLAN)

    left = {code: sorted(t.element_id for t in engine.tasks.tasks(case_code=code))
            for code in ("SI-REL-0001", "SI-REL-0002")}
    (HERE / "previous_release.json").write_text(json.dumps({
        "schema": "0022", "clock": engine.clock.now().isoformat(), "open_tasks": left,
        "deadlines": sorted([d.case_code, d.kind, d.ref, str(d.legal_date), d.status]
                            for d in engine.deadlines.deadlines()),
        "timers": len(engine.timers.timers())}, indent=2) + "\n")
    engine.close()
    print(f"written {target}: vacuum and gzip -9 -n it (the test reads the .gz)")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
