"""Community assets register (guidance 4a intervention 2 and 4e intervention 2)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from maternity_equity.plan.base import Base, Versioned

#: Categories aligned to the social determinants of health named in 4e (code -> label).
ASSET_CATEGORIES: dict[str, str] = {
    "food": "Food and nutrition (food banks, Healthy Start, community meals)",
    "money_and_debt": "Money, debt and benefits advice",
    "housing": "Housing and homelessness",
    "language_and_interpreting": "Language, interpreting and translation",
    "infant_feeding": "Infant feeding and breastfeeding support",
    "mental_health": "Perinatal and maternal mental health",
    "domestic_abuse": "Domestic abuse and safeguarding",
    "faith_and_community": "Faith and community groups",
    "employment_and_skills": "Employment, training and skills",
    "childcare_and_early_years": "Childcare, early education and family hubs",
    "smoking_cessation": "Stop smoking support",
    "substance_use": "Alcohol and drug support",
    "physical_activity": "Physical activity and healthy weight",
    "peer_support": "Peer support and parent groups",
    "immigration_and_asylum": "Immigration, asylum and refugee support",
    "transport": "Transport and getting to appointments",
    "social_prescribing": "Social prescribing link workers",
    "disability": "Disability, sensory loss and learning disability support",
    "legal_advice": "Legal advice",
    "bereavement": "Baby loss and bereavement support",
}


class CommunityAsset(Versioned, Base):
    """An organisation or group that helps with a social determinant of health.

    ``categories`` holds codes of ``ASSET_CATEGORIES``; ``languages`` holds language names as
    people say them ("Urdu", "Polish"). Search indexes are kept in sync by database triggers
    (FTS5 on SQLite, a tsvector column on PostgreSQL), created by the migrations.
    """

    __tablename__ = "community_assets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    organisation: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    categories: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    languages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    serves: Mapped[str] = mapped_column(Text, nullable=False, default="")
    place: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    neighbourhood: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    postcode: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    contact_email: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    website: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    opening_times: Mapped[str] = mapped_column(Text, nullable=False, default="")
    last_verified: Mapped[date | None] = mapped_column(Date)
