from .base import BusinessModel, BusinessQuerySet
from .jobs import Job, JobStatus, Schedule
from .organisation import Domain, JobProfile, OrgUnit, Person, Team
from .scopes import RoleAssignment, Scope, ScopedMixin
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "BusinessModel",
    "BusinessQuerySet",
    "Domain",
    "Job",
    "JobProfile",
    "JobStatus",
    "OrgUnit",
    "Person",
    "RoleAssignment",
    "Schedule",
    "Scope",
    "ScopedMixin",
    "Team",
]
