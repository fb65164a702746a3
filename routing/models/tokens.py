from django.db import models

# A fresh token: random, so that one written by an edit that rolled back never comes back.
# Never 0, which a decision reads when the row is missing (nothing may then be kept).
NEW_TOKEN_SQL = "1 + floor(random() * 9.2e18)::bigint"


class SnapshotToken(models.Model):
    """
    The one row naming the current version of routing's rules and rosters, as processes
    keep them in memory (routing.snapshot). An edit of any row they are built from replaces
    it in the edit's own transaction: others see the new token exactly when they can see the
    edit. Every decision reads it with the team's presence and loads, in the same query.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.BigIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="one_snapshot_token")]

    def __str__(self) -> str:
        return f"routing snapshot token {self.token}"
