"""The plan as a whole: vision, aims, roles, interdependencies, communication, approvals."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maternity_equity.plan.base import Base, Versioned, utcnow


class Plan(Versioned, Base):
    """One LMNS equity and equality action plan (guidance section 3, priority 5).

    Narrative sections are free text because every LMNS writes them differently; lists
    (values, aims) are JSON arrays of strings so they keep their order.
    """

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    lmns_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    vision: Mapped[str] = mapped_column(Text, nullable=False, default="")
    values: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    aims: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    population_summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    resourcing: Mapped[str] = mapped_column(Text, nullable=False, default="")
    continuous_improvement: Mapped[str] = mapped_column(Text, nullable=False, default="")
    publication_date: Mapped[date | None] = mapped_column(Date)

    roles: Mapped[list[PlanRole]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanRole.position"
    )
    interdependencies: Mapped[list[Interdependency]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Interdependency.position"
    )
    communications: Mapped[list[CommunicationItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="CommunicationItem.position"
    )
    approvals: Mapped[list[Approval]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Approval.position"
    )
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanVersion.position"
    )
    interventions: Mapped[list[Intervention]] = relationship(  # noqa: F821
        back_populates="plan", cascade="all, delete-orphan", order_by="Intervention.position"
    )
    funding_lines: Mapped[list[FundingLine]] = relationship(  # noqa: F821
        back_populates="plan", cascade="all, delete-orphan", order_by="FundingLine.position"
    )
    coproduction_events: Mapped[list[CoproductionEvent]] = relationship(  # noqa: F821
        back_populates="plan", cascade="all, delete-orphan", order_by="CoproductionEvent.position"
    )


class PlanRole(Base):
    """Who is accountable: SRO, board-level leads, safety champions, MVP chair and so on."""

    __tablename__ = "plan_roles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    role: Mapped[str] = mapped_column(String(200), nullable=False)
    person: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    responsibilities: Mapped[str] = mapped_column(Text, nullable=False, default="")

    plan: Mapped[Plan] = relationship(back_populates="roles")


class Interdependency(Base):
    """A link to another ICS workstream (estates, workforce, digital, public health...)."""

    __tablename__ = "plan_interdependencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    workstream: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")

    plan: Mapped[Plan] = relationship(back_populates="interdependencies")


class CommunicationItem(Base):
    """One line of the high-level stakeholder communication plan."""

    __tablename__ = "plan_communications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    audience: Mapped[str] = mapped_column(String(200), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    channel: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    frequency: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    owner: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    plan: Mapped[Plan] = relationship(back_populates="communications")


class Approval(Base):
    """A decision by a board (LMNS board, ICS partnership board) on a version of the plan."""

    __tablename__ = "plan_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    body: Mapped[str] = mapped_column(String(200), nullable=False)
    decision: Mapped[str] = mapped_column(String(50), nullable=False, default="approved")
    decided_on: Mapped[date | None] = mapped_column(Date)
    plan_version_label: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")

    plan: Mapped[Plan] = relationship(back_populates="approvals")


class PlanVersion(Base):
    """A named version of the plan over time; ``snapshot_yaml`` is the export at that moment."""

    __tablename__ = "plan_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    label: Mapped[str] = mapped_column(String(50), nullable=False)
    issued_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    snapshot_yaml: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )

    plan: Mapped[Plan] = relationship(back_populates="versions")
