"""Case-level records: cases, child victims, perpetrators, proceedings, services, contacts.

Every row belongs to the submission it arrived in, and keeps the agency's own identifier
so that a resubmission replaces, never duplicates. People are never stored in clear:
a victim or perpetrator row holds keyed tokens and Bloom-filter encodings made at the agency.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opsc.records.base import Base

_CODE = String(40)
_GEO = String(12)


class Case(Base):
    __tablename__ = "case_record"
    __table_args__ = (UniqueConstraint("institution_id", "agency_case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    agency_case_id: Mapped[str] = mapped_column(String(80))
    date_reported: Mapped[date | None]
    date_offence: Mapped[date | None]
    geo_code: Mapped[str | None] = mapped_column(_GEO)  # place of the offence
    online: Mapped[bool | None]
    tourism_context: Mapped[bool | None]
    transnational: Mapped[bool | None]
    stage: Mapped[str | None] = mapped_column(_CODE)  # reference: justice_stages


class CaseOffence(Base):
    """Offences recorded in a case (OPSC taxonomy codes)."""

    __tablename__ = "case_offence"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), primary_key=True)
    offence: Mapped[str] = mapped_column(_CODE, primary_key=True)
    attempt: Mapped[bool] = mapped_column(default=False)


class PersonTokens:
    """A person's names and birth date as keyed tokens (base64url HMAC) and Bloom filters
    made at the agency: the same columns for victims and perpetrators."""

    tk_birth_date: Mapped[str | None] = mapped_column(String(64))
    tk_given_names: Mapped[str | None] = mapped_column(String(64))
    tk_surnames: Mapped[str | None] = mapped_column(String(64))
    tk_given_phonetic: Mapped[str | None] = mapped_column(String(64))
    tk_surname_phonetic: Mapped[str | None] = mapped_column(String(64))
    # The first given name and the paternal surname alone (and their phonetic keys).
    tk_first_given: Mapped[str | None] = mapped_column(String(64))
    tk_paternal_surname: Mapped[str | None] = mapped_column(String(64))
    tk_first_given_phonetic: Mapped[str | None] = mapped_column(String(64))
    tk_paternal_phonetic: Mapped[str | None] = mapped_column(String(64))
    bf_given_names: Mapped[str | None] = mapped_column(Text)
    bf_surnames: Mapped[str | None] = mapped_column(Text)
    birth_year: Mapped[int | None]


class Victim(PersonTokens, Base):
    __tablename__ = "victim"
    __table_args__ = (UniqueConstraint("institution_id", "agency_victim_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    agency_victim_id: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    # Pseudonymous identifiers (keyed HMAC tokens, base64 Bloom filters); key_version names
    # the linkage key they were made with so tokens from different keys are never compared.
    key_version: Mapped[str | None] = mapped_column(String(20))
    tk_national_id: Mapped[str | None] = mapped_column(String(64))
    age_at_offence: Mapped[int | None]
    sex: Mapped[str | None] = mapped_column(String(2))
    nationality: Mapped[str | None] = mapped_column(String(3))  # ISO 3166-1 alpha-3
    ethnic_origin: Mapped[str | None] = mapped_column(_CODE)
    language: Mapped[str | None] = mapped_column(_CODE)
    disability: Mapped[bool | None]
    migrant_status: Mapped[str | None] = mapped_column(_CODE)
    street_situation: Mapped[bool | None]
    in_school: Mapped[bool | None]
    socio_economic: Mapped[str | None] = mapped_column(_CODE)
    residence_geo: Mapped[str | None] = mapped_column(_GEO)
    relation_to_perpetrator: Mapped[str | None] = mapped_column(_CODE)
    treated_as_offender: Mapped[bool | None]


class VictimRiskFactor(Base):
    __tablename__ = "victim_risk_factor"

    victim_id: Mapped[int] = mapped_column(ForeignKey("victim.id"), primary_key=True)
    risk_factor: Mapped[str] = mapped_column(_CODE, primary_key=True)


class Perpetrator(PersonTokens, Base):
    """A perpetrator; a natural person's names and birth date are pseudonymised as victims'
    are (legal persons leave them empty and keep only their tax ID token)."""

    __tablename__ = "perpetrator"
    __table_args__ = (UniqueConstraint("institution_id", "agency_perpetrator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    agency_perpetrator_id: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    person_type: Mapped[str] = mapped_column(String(10))  # natural / legal
    key_version: Mapped[str | None] = mapped_column(String(20))
    tk_identity: Mapped[str | None] = mapped_column(String(64))  # national ID or tax ID token
    sex: Mapped[str | None] = mapped_column(String(2))
    age: Mapped[int | None]
    nationality: Mapped[str | None] = mapped_column(String(3))
    role: Mapped[str | None] = mapped_column(_CODE)
    public_official: Mapped[bool | None]


class Proceeding(Base):
    """One step of justice for a case x perpetrator x offence."""

    __tablename__ = "proceeding"
    __table_args__ = (UniqueConstraint("institution_id", "agency_proceeding_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    agency_proceeding_id: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    perpetrator_id: Mapped[int | None] = mapped_column(ForeignKey("perpetrator.id"))
    offence: Mapped[str | None] = mapped_column(_CODE)
    stage: Mapped[str] = mapped_column(_CODE)  # report/investigation/charge/trial/judgement
    outcome: Mapped[str | None] = mapped_column(_CODE)  # conviction/acquittal/dismissal/...
    stage_date: Mapped[date | None]
    sentence_months: Mapped[int | None]
    extradition_requested: Mapped[bool | None]
    extradition_refusal_ground: Mapped[str | None] = mapped_column(_CODE)


class Service(Base):
    __tablename__ = "service"
    __table_args__ = (UniqueConstraint("institution_id", "agency_service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    agency_service_id: Mapped[str] = mapped_column(String(80))
    victim_id: Mapped[int | None] = mapped_column(ForeignKey("victim.id"), index=True)
    service_type: Mapped[str] = mapped_column(_CODE)  # reference: service_types
    date_start: Mapped[date | None]
    date_end: Mapped[date | None]
    interviews: Mapped[int | None]
    amount_claimed: Mapped[float | None]
    amount_awarded: Mapped[float | None]
    amount_paid: Mapped[float | None]


class HelplineContact(Base):
    __tablename__ = "helpline_contact"
    __table_args__ = (UniqueConstraint("institution_id", "agency_contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    agency_contact_id: Mapped[str] = mapped_column(String(80))
    contact_date: Mapped[date]
    channel: Mapped[str | None] = mapped_column(_CODE)  # phone/chat/...
    caller: Mapped[str | None] = mapped_column(_CODE)  # child/adult/...
    offence: Mapped[str | None] = mapped_column(_CODE)
    geo_code: Mapped[str | None] = mapped_column(_GEO)
    referred_to: Mapped[str | None] = mapped_column(_CODE)


class Complaint(Base):
    """A complaint to a human rights commission."""

    __tablename__ = "complaint"
    __table_args__ = (UniqueConstraint("institution_id", "agency_complaint_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    agency_complaint_id: Mapped[str] = mapped_column(String(80))
    date_filed: Mapped[date]
    filed_by_child: Mapped[bool | None]
    parental_consent_required: Mapped[bool | None]
    offence: Mapped[str | None] = mapped_column(_CODE)
    geo_code: Mapped[str | None] = mapped_column(_GEO)
    outcome: Mapped[str | None] = mapped_column(_CODE)


class AggregateCell(Base):
    """A count sent instead of case-level rows, in the same dimensions as the cube."""

    __tablename__ = "aggregate_cell"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    measure: Mapped[str] = mapped_column(_CODE)  # e.g. victims_identified
    unit: Mapped[str] = mapped_column(String(20))  # records/cases/children/perpetrators/...
    period_start: Mapped[date]
    period_end: Mapped[date]
    geo_code: Mapped[str | None] = mapped_column(_GEO)
    offence: Mapped[str | None] = mapped_column(_CODE)
    sex: Mapped[str | None] = mapped_column(String(2))
    age_band: Mapped[str | None] = mapped_column(String(10))
    nationality: Mapped[str | None] = mapped_column(String(3))
    ethnic_origin: Mapped[str | None] = mapped_column(_CODE)
    stage: Mapped[str | None] = mapped_column(_CODE)
    value: Mapped[int]
