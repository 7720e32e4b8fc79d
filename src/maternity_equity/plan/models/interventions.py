"""Priorities (reference data), interventions, health equity assessments, funding lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maternity_equity.plan.base import Base, Versioned

SCOPES = ("national", "local")
IMPLEMENTATION = ("all_lmns", "selected_lmns")


class Priority(Base):
    """The guidance's priorities 1 to 5 and sub-priorities 4a to 4e, seeded by migration."""

    __tablename__ = "priorities"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("priorities.code"))
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False)


class Intervention(Versioned, Base):
    """A national intervention of the guidance (``ref`` like ``4c.1``) or a local one.

    ``groups_benefit`` is the list of groups who benefit most, as the guidance's tables state.
    """

    __tablename__ = "interventions"
    __table_args__ = (UniqueConstraint("plan_id", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    priority_code: Mapped[str] = mapped_column(ForeignKey("priorities.code"), nullable=False)
    ref: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    scope: Mapped[str] = mapped_column(String(20), nullable=False, default="national")
    implementation: Mapped[str] = mapped_column(String(20), nullable=False, default="all_lmns")
    groups_benefit: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    plan: Mapped[Plan] = relationship(back_populates="interventions")  # noqa: F821
    priority: Mapped[Priority] = relationship()
    assessment: Mapped[HealthEquityAssessment | None] = relationship(
        back_populates="intervention", cascade="all, delete-orphan", uselist=False
    )
    actions: Mapped[list[Action]] = relationship(  # noqa: F821
        back_populates="intervention", cascade="all, delete-orphan", order_by="Action.position"
    )
    milestones: Mapped[list[Milestone]] = relationship(  # noqa: F821
        back_populates="intervention", cascade="all, delete-orphan", order_by="Milestone.position"
    )


class HealthEquityAssessment(Versioned, Base):
    """HEAT-style assessment of one intervention: prepare, assess, refine, review.

    The review date is what makes it a living document: ``services.actions`` lists the ones due.
    """

    __tablename__ = "health_equity_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intervention_id: Mapped[int] = mapped_column(
        ForeignKey("interventions.id", ondelete="CASCADE"), unique=True
    )
    prepare: Mapped[str] = mapped_column(Text, nullable=False, default="")
    assess: Mapped[str] = mapped_column(Text, nullable=False, default="")
    refine: Mapped[str] = mapped_column(Text, nullable=False, default="")
    review: Mapped[str] = mapped_column(Text, nullable=False, default="")
    completed_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    completed_on: Mapped[date | None] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date)

    intervention: Mapped[Intervention] = relationship(back_populates="assessment")


class FundingLine(Versioned, Base):
    """Resourcing: how much money, from where, for what (optionally tied to an intervention)."""

    __tablename__ = "funding_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    intervention_id: Mapped[int | None] = mapped_column(
        ForeignKey("interventions.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(200), nullable=False)
    purpose: Mapped[str] = mapped_column(Text, nullable=False, default="")
    financial_year: Mapped[str] = mapped_column(String(9), nullable=False, default="")
    amount_gbp: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    recurrent: Mapped[bool] = mapped_column(nullable=False, default=False)

    plan: Mapped[Plan] = relationship(back_populates="funding_lines")  # noqa: F821
    intervention: Mapped[Intervention | None] = relationship()
