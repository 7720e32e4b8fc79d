"""Actions with leads, dates, status and RAG; progress, risks, milestones, targets, dependencies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maternity_equity.plan.base import Base, Versioned

STATUSES = ("not_started", "in_progress", "complete", "on_hold", "cancelled")
RAG = ("red", "amber", "green", "blue")  # blue = complete and sustained, as many LMNS use
COMPARISONS = (">=", "<=")


class Action(Versioned, Base):
    """A numbered action of an intervention, with leads as roles and as named people."""

    __tablename__ = "actions"
    __table_args__ = (
        UniqueConstraint("intervention_id", "number"),
        CheckConstraint(
            "status IN ('not_started','in_progress','complete','on_hold','cancelled')",
            name="status",
        ),
        CheckConstraint("rag IS NULL OR rag IN ('red','amber','green','blue')", name="rag"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intervention_id: Mapped[int] = mapped_column(
        ForeignKey("interventions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    number: Mapped[str] = mapped_column(String(20), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    lead_roles: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    lead_people: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="not_started")
    rag: Mapped[str | None] = mapped_column(String(10))

    intervention: Mapped[Intervention] = relationship(back_populates="actions")  # noqa: F821
    progress_updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="action",
        cascade="all, delete-orphan",
        order_by="(ProgressUpdate.update_date, ProgressUpdate.id)",
    )
    risks: Mapped[list[Risk]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="Risk.position"
    )
    targets: Mapped[list[Target]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="Target.position"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="action", order_by="Milestone.position"
    )
    dependencies: Mapped[list[ActionDependency]] = relationship(
        back_populates="action",
        cascade="all, delete-orphan",
        foreign_keys="ActionDependency.action_id",
        order_by="ActionDependency.id",
    )


class ProgressUpdate(Base):
    """A dated note of progress with its evidence; never edited, only added."""

    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    update_date: Mapped[date] = mapped_column(Date, nullable=False)
    author: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    text: Mapped[str] = mapped_column(Text, nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False, default="")
    rag: Mapped[str | None] = mapped_column(String(10))

    action: Mapped[Action] = relationship(back_populates="progress_updates")


class Risk(Versioned, Base):
    """A risk to delivering an action, scored likelihood x impact (1 to 5 each)."""

    __tablename__ = "action_risks"
    __table_args__ = (
        CheckConstraint("likelihood BETWEEN 1 AND 5", name="likelihood"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    likelihood: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    impact: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    mitigation: Mapped[str] = mapped_column(Text, nullable=False, default="")
    owner: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    action: Mapped[Action] = relationship(back_populates="risks")

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class Milestone(Versioned, Base):
    """A dated milestone of an intervention, optionally tied to one of its actions."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intervention_id: Mapped[int] = mapped_column(
        ForeignKey("interventions.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    due_date: Mapped[date | None] = mapped_column(Date)
    achieved_on: Mapped[date | None] = mapped_column(Date)

    intervention: Mapped[Intervention] = relationship(back_populates="milestones")  # noqa: F821
    action: Mapped[Action | None] = relationship(back_populates="milestones")


class Target(Versioned, Base):
    """A target on a catalogue indicator id (e.g. ``p4c_coc_black_asian_mixed`` >= 75 by a date).

    ``group`` narrows it to one group of a breakdown (``All`` when none), so the web app can read
    progress straight from the indicator results table.
    """

    __tablename__ = "targets"
    __table_args__ = (CheckConstraint("comparison IN ('>=','<=')", name="comparison"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    indicator_id: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    group: Mapped[str] = mapped_column(String(100), nullable=False, default="All")
    comparison: Mapped[str] = mapped_column(String(2), nullable=False, default=">=")
    target_value: Mapped[Decimal] = mapped_column(Numeric(14, 4), nullable=False)
    target_date: Mapped[date | None] = mapped_column(Date)
    baseline_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    baseline_date: Mapped[date | None] = mapped_column(Date)

    action: Mapped[Action] = relationship(back_populates="targets")


class ActionDependency(Base):
    """``action`` cannot finish before ``depends_on`` (cycles are refused by the service)."""

    __tablename__ = "action_dependencies"
    __table_args__ = (
        UniqueConstraint("action_id", "depends_on_id"),
        CheckConstraint("action_id <> depends_on_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    depends_on_id: Mapped[int] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    action: Mapped[Action] = relationship(back_populates="dependencies", foreign_keys=[action_id])
    depends_on: Mapped[Action] = relationship(foreign_keys=[depends_on_id])
