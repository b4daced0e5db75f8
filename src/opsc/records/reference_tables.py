"""Reference data copied into the store so SQL and DuckDB queries can join on it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from opsc.records.base import Base, utcnow


class RefLoad(Base):
    """Which version (content hash) of a country profile is loaded."""

    __tablename__ = "ref_load"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class RefGeoUnit(Base):
    __tablename__ = "ref_geo_unit"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    level: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(12))
    iso_3166_2: Mapped[str | None] = mapped_column(String(6))


class RefCode(Base):
    __tablename__ = "ref_code"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    codelist: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(300))
    label_es: Mapped[str] = mapped_column(String(300))


class RefPopulation(Base):
    __tablename__ = "ref_population"
    __table_args__ = (Index("ix_ref_population_lookup", "country", "year", "level", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    source_table: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    level: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(12))
    sex: Mapped[str] = mapped_column(String(8))
    age_group: Mapped[str] = mapped_column(String(8))
    population: Mapped[int]
