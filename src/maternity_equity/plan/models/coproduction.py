"""Co-production plan (guidance 4a intervention 4): who was heard, when, and what it changed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maternity_equity.plan.base import Base, Versioned


class CoproductionEvent(Versioned, Base):
    """A meeting, event or outreach session with the time given to the discussion."""

    __tablename__ = "coproduction_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    format: Mapped[str] = mapped_column(String(50), nullable=False, default="meeting")
    location: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    minutes_allocated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reimbursement_offered: Mapped[str] = mapped_column(Text, nullable=False, default="")
    what_was_heard: Mapped[str] = mapped_column(Text, nullable=False, default="")

    plan: Mapped[Plan] = relationship(back_populates="coproduction_events")  # noqa: F821
    groups: Mapped[list[CoproductionGroup]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="CoproductionGroup.position"
    )
    action_changes: Mapped[list[CoproductionActionChange]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="CoproductionActionChange.position",
    )


class CoproductionGroup(Base):
    """A group consulted at an event and the population it represents."""

    __tablename__ = "coproduction_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("coproduction_events.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    population_represented: Mapped[str] = mapped_column(Text, nullable=False, default="")
    participants: Mapped[int | None] = mapped_column(Integer)

    event: Mapped[CoproductionEvent] = relationship(back_populates="groups")


class CoproductionActionChange(Base):
    """What an event changed in an action: the trace from what was heard to what was done."""

    __tablename__ = "coproduction_action_changes"
    __table_args__ = (UniqueConstraint("event_id", "action_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("coproduction_events.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    change: Mapped[str] = mapped_column(Text, nullable=False, default="")

    event: Mapped[CoproductionEvent] = relationship(back_populates="action_changes")
    action: Mapped[Action] = relationship()  # noqa: F821
