"""WRES return tables (stored in the plan database; migrations live in ``plan/migrations``).

A return is one organisation's figures for one period and one staff group (by default the
maternity and neonatal midwives and nurses). Ethnic group is the WRES split: ``White``, ``BME``
or ``Unknown`` (unknown is stored, so it can be reported, but left out of every ratio).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maternity_equity.plan.base import Base, Versioned, utcnow

WRES_GROUPS = ("White", "BME", "Unknown")
_GROUP_CHECK = "ethnic_group IN ('White','BME','Unknown')"


class WresReturn(Versioned, Base):
    """Header of one WRES return."""

    __tablename__ = "wres_returns"
    __table_args__ = (UniqueConstraint("organisation_code", "period_start", "staff_group"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_code: Mapped[str] = mapped_column(String(20), nullable=False)
    organisation_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    staff_group: Mapped[str] = mapped_column(
        String(100), nullable=False, default="maternity_neonatal_midwives_nurses"
    )
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    loaded_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    loaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )

    staff: Mapped[list[WresStaffInPost]] = relationship(
        back_populates="wres_return", cascade="all, delete-orphan", order_by="WresStaffInPost.id"
    )
    recruitment: Mapped[list[WresRecruitment]] = relationship(
        back_populates="wres_return", cascade="all, delete-orphan", order_by="WresRecruitment.id"
    )
    disciplinary: Mapped[list[WresDisciplinary]] = relationship(
        back_populates="wres_return", cascade="all, delete-orphan", order_by="WresDisciplinary.id"
    )
    training: Mapped[list[WresTraining]] = relationship(
        back_populates="wres_return", cascade="all, delete-orphan", order_by="WresTraining.id"
    )
    survey: Mapped[list[WresSurvey]] = relationship(
        back_populates="wres_return", cascade="all, delete-orphan", order_by="WresSurvey.id"
    )
    board: Mapped[list[WresBoard]] = relationship(
        back_populates="wres_return", cascade="all, delete-orphan", order_by="WresBoard.id"
    )


class _ReturnPart:
    """Columns every part of a return shares."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ethnic_group: Mapped[str] = mapped_column(String(10), nullable=False)


class WresStaffInPost(_ReturnPart, Base):
    """Indicator 1: headcount by band (Agenda for Change, medical grade or VSM), clinical or not."""

    __tablename__ = "wres_staff_in_post"
    __table_args__ = (
        CheckConstraint(_GROUP_CHECK, name="group"),
        CheckConstraint("headcount >= 0", name="headcount"),
        UniqueConstraint("return_id", "band", "clinical", "ethnic_group"),
    )
    return_id: Mapped[int] = mapped_column(ForeignKey("wres_returns.id", ondelete="CASCADE"))
    band: Mapped[str] = mapped_column(String(40), nullable=False)
    clinical: Mapped[bool] = mapped_column(nullable=False, default=True)
    headcount: Mapped[int] = mapped_column(Integer, nullable=False)
    wres_return: Mapped[WresReturn] = relationship(back_populates="staff")


class WresRecruitment(_ReturnPart, Base):
    """Indicator 2: applicants shortlisted and appointed from shortlisting (12 months)."""

    __tablename__ = "wres_recruitment"
    __table_args__ = (
        CheckConstraint(_GROUP_CHECK, name="group"),
        CheckConstraint("appointed >= 0 AND appointed <= shortlisted", name="counts"),
        UniqueConstraint("return_id", "ethnic_group"),
    )
    return_id: Mapped[int] = mapped_column(ForeignKey("wres_returns.id", ondelete="CASCADE"))
    shortlisted: Mapped[int] = mapped_column(Integer, nullable=False)
    appointed: Mapped[int] = mapped_column(Integer, nullable=False)
    wres_return: Mapped[WresReturn] = relationship(back_populates="recruitment")


class WresDisciplinary(_ReturnPart, Base):
    """Indicator 3: entries into a formal disciplinary investigation, per year of the window.

    ``year_offset`` 0 is the return's year, 1 the year before (for the two-year rolling view).
    """

    __tablename__ = "wres_disciplinary"
    __table_args__ = (
        CheckConstraint(_GROUP_CHECK, name="group"),
        CheckConstraint("entered >= 0 AND entered <= headcount", name="counts"),
        UniqueConstraint("return_id", "year_offset", "ethnic_group"),
    )
    return_id: Mapped[int] = mapped_column(ForeignKey("wres_returns.id", ondelete="CASCADE"))
    year_offset: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    headcount: Mapped[int] = mapped_column(Integer, nullable=False)
    entered: Mapped[int] = mapped_column(Integer, nullable=False)
    wres_return: Mapped[WresReturn] = relationship(back_populates="disciplinary")


class WresTraining(_ReturnPart, Base):
    """Indicator 4: staff accessing non-mandatory training and CPD."""

    __tablename__ = "wres_training"
    __table_args__ = (
        CheckConstraint(_GROUP_CHECK, name="group"),
        CheckConstraint("accessed >= 0 AND accessed <= headcount", name="counts"),
        UniqueConstraint("return_id", "ethnic_group"),
    )
    return_id: Mapped[int] = mapped_column(ForeignKey("wres_returns.id", ondelete="CASCADE"))
    headcount: Mapped[int] = mapped_column(Integer, nullable=False)
    accessed: Mapped[int] = mapped_column(Integer, nullable=False)
    wres_return: Mapped[WresReturn] = relationship(back_populates="training")


class WresSurvey(_ReturnPart, Base):
    """Indicators 5 to 8: NHS Staff Survey percentage per group (and respondents when known)."""

    __tablename__ = "wres_survey"
    __table_args__ = (
        CheckConstraint(_GROUP_CHECK, name="group"),
        CheckConstraint("indicator BETWEEN 5 AND 8", name="indicator"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
        UniqueConstraint("return_id", "indicator", "ethnic_group"),
    )
    return_id: Mapped[int] = mapped_column(ForeignKey("wres_returns.id", ondelete="CASCADE"))
    indicator: Mapped[int] = mapped_column(Integer, nullable=False)
    question: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    percent: Mapped[float] = mapped_column(Float, nullable=False)
    respondents: Mapped[int | None] = mapped_column(Integer)
    wres_return: Mapped[WresReturn] = relationship(back_populates="survey")


class WresBoard(_ReturnPart, Base):
    """Indicator 9: board members by type (voting flag, executive or non-executive)."""

    __tablename__ = "wres_board"
    __table_args__ = (
        CheckConstraint(_GROUP_CHECK, name="group"),
        CheckConstraint("member_type IN ('executive','non_executive')", name="member_type"),
        UniqueConstraint("return_id", "member_type", "voting", "ethnic_group"),
    )
    return_id: Mapped[int] = mapped_column(ForeignKey("wres_returns.id", ondelete="CASCADE"))
    member_type: Mapped[str] = mapped_column(String(20), nullable=False)
    voting: Mapped[bool] = mapped_column(nullable=False, default=True)
    headcount: Mapped[int] = mapped_column(Integer, nullable=False)
    wres_return: Mapped[WresReturn] = relationship(back_populates="board")
