"""Returns: figures for indicators that no extract holds, loaded from CSV templates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maternity_equity.plan.base import Base, utcnow


class ReturnLoad(Base):
    """One CSV file loaded by one person at one time (kept even when rows were rejected)."""

    __tablename__ = "return_loads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_type: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    file_name: Mapped[str] = mapped_column(String(300), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    loaded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    rows_read: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    messages: Mapped[str] = mapped_column(Text, nullable=False, default="")

    rows: Mapped[list[ReturnRow]] = relationship(
        back_populates="load", cascade="all, delete-orphan", order_by="ReturnRow.row_number"
    )


class ReturnRow(Base):
    """One accepted row, already in the indicator engine's shape."""

    __tablename__ = "return_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    load_id: Mapped[int] = mapped_column(
        ForeignKey("return_loads.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int] = mapped_column(Integer, nullable=False)
    indicator_id: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    geography_type: Mapped[str] = mapped_column(String(30), nullable=False)
    geography_code: Mapped[str] = mapped_column(String(30), nullable=False)
    breakdown: Mapped[str] = mapped_column(String(60), nullable=False, default="all")
    group: Mapped[str] = mapped_column(String(200), nullable=False, default="All")
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")

    load: Mapped[ReturnLoad] = relationship(back_populates="rows")
