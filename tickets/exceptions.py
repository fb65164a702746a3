"""Domain errors; the API maps each to a status code in one place (tickets/api/errors.py)."""


class DomainError(Exception):
    code = "domain_error"
    status_code = 409

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidTransition(DomainError):
    code = "invalid_transition"


class StaleWrite(DomainError):
    code = "stale_write"
    status_code = 412


class IdempotencyConflict(DomainError):
    code = "idempotency_key_reused"
    status_code = 422
