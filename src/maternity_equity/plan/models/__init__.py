"""All tables of the plan database, importable from one place.

Importing this module also imports the workforce tables so that ``Base.metadata`` is complete
(Alembic and the tests rely on that).
"""

from maternity_equity.plan.base import Base
from maternity_equity.plan.models.actions import (
    RAG,
    STATUSES,
    Action,
    ActionDependency,
    Milestone,
    ProgressUpdate,
    Risk,
    Target,
)
from maternity_equity.plan.models.assets import ASSET_CATEGORIES, CommunityAsset
from maternity_equity.plan.models.audit import AuditEntry
from maternity_equity.plan.models.coproduction import (
    CoproductionActionChange,
    CoproductionEvent,
    CoproductionGroup,
)
from maternity_equity.plan.models.interventions import (
    FundingLine,
    HealthEquityAssessment,
    Intervention,
    Priority,
)
from maternity_equity.plan.models.plan import (
    Approval,
    CommunicationItem,
    Interdependency,
    Plan,
    PlanRole,
    PlanVersion,
)
from maternity_equity.plan.models.returns import ReturnLoad, ReturnRow
from maternity_equity.workforce.models import (
    WresBoard,
    WresDisciplinary,
    WresRecruitment,
    WresReturn,
    WresStaffInPost,
    WresSurvey,
    WresTraining,
)

__all__ = [
    "ASSET_CATEGORIES",
    "RAG",
    "STATUSES",
    "Action",
    "ActionDependency",
    "Approval",
    "AuditEntry",
    "Base",
    "CommunicationItem",
    "CommunityAsset",
    "CoproductionActionChange",
    "CoproductionEvent",
    "CoproductionGroup",
    "FundingLine",
    "HealthEquityAssessment",
    "Interdependency",
    "Intervention",
    "Milestone",
    "Plan",
    "PlanRole",
    "PlanVersion",
    "Priority",
    "ProgressUpdate",
    "ReturnLoad",
    "ReturnRow",
    "Risk",
    "Target",
    "WresBoard",
    "WresDisciplinary",
    "WresRecruitment",
    "WresReturn",
    "WresStaffInPost",
    "WresSurvey",
    "WresTraining",
]
