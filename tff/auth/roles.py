"""The roles of the product, in the order the administrator's page lists them."""

COORDINATOR = "coordinator"
LEAD_WORKER = "lead_worker"
FINANCE = "finance"
MANAGER = "manager"
AUDITOR = "auditor"
ADMIN = "admin"

ROLES = {
    COORDINATOR: "Families for Change coordinator",
    LEAD_WORKER: "Lead worker",
    FINANCE: "Finance officer",
    MANAGER: "Manager",
    AUDITOR: "Internal auditor",
    ADMIN: "Administrator",
}

ALL = frozenset(ROLES)
