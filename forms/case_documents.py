"""The kinds of document her case file keeps, and whose eyes each is for.

Each kind holds one kind of her data (engine.protection.privacy): the decisions and
permits name her, so the offices that decide on her stay read them; a medical report
and anything not listed may say anything about her, so they are read as her account is.
"""

from __future__ import annotations

from engine.kit.documents import DocumentKind
from engine.kit.texts import translatable

DOCUMENT_KINDS = (
    DocumentKind("police_decision", translatable("Police decision on her stay"), "identity",
                 translatable("The decision granting the recovery and reflection period.")),
    DocumentKind("permit_certificate", translatable("Certificate standing for the permit"),
                 "identity", translatable("Issued by the administrative unit while the "
                                          "permit application is decided.")),
    DocumentKind("residence_permit", translatable("Temporary residence permit"), "identity"),
    DocumentKind("identity_document", translatable("Copy of an identity document"),
                 "identity"),
    DocumentKind("school_certificate", translatable("School certificate"), "identity",
                 translatable("Certificates of earlier education, for her enrolment.")),
    DocumentKind("power_of_attorney", translatable("Power of attorney"), "identity"),
    DocumentKind("proceedings_statement", translatable("Statement for the proceedings"),
                 "disclosed", translatable("What she chose to disclose for the criminal "
                                           "proceedings.")),
    DocumentKind("medical_report", translatable("Medical report"), "narrative"),
    DocumentKind("other", translatable("Other document"), "narrative",
                 translatable("Read only by those who read her account.")),
)
