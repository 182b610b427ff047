"""The roles that act in the procedures; a BPMN lane name must be one of these keys."""

from __future__ import annotations

ROLES: dict[str, str] = {
    "first_line": "Police on patrol, labour inspector, health worker, Red Cross, NGO outreach",
    "coordinator": "National coordination service or case manager",
    "police": "Police immigration and anti-trafficking unit",
    "prosecutor": "State prosecutor",
    "admin_unit": "Administrative unit (upravna enota)",
    "ngo_counsellor": "NGO counsellor",
    "social_work": "Centre for social work",
    "legal_adviser": "Legal adviser",
    "school": "School contact",
    "return_officer": "Organisation running assisted voluntary return",
    "policy_analyst": "Ministry or national referral mechanism secretariat",
    "monitoring_team": "Monitoring team of the individual plans",
}
