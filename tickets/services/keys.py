from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tickets.choices import ApiScope
from tickets.models import ApiKey
from tickets.models.keys import KEY_PREFIX_LENGTH, generate_raw_key, hash_key


@transaction.atomic
def create_api_key(
    *, name: str, scopes: list[str], user: AbstractBaseUser | None = None
) -> tuple[ApiKey, str]:
    """
    Create a key and return it with its secret, which is shown once and never stored.
    Without a user, the key is an integration's and acts through a service user with no role.
    """
    unknown = set(scopes) - set(ApiScope.values)
    if unknown or not scopes:
        raise ValueError(f"Unknown or missing scopes: {sorted(unknown) or 'none given'}")
    is_integration = user is None
    if user is None:
        user, _ = get_user_model().objects.get_or_create(
            username=f"integration:{name}"[:150], defaults={"is_active": True}
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    raw = generate_raw_key()
    key = ApiKey.objects.create(
        name=name,
        prefix=raw[:KEY_PREFIX_LENGTH],
        key_hash=hash_key(raw),
        scopes=sorted(set(scopes)),
        user=user,
        is_integration=is_integration,
    )
    return key, raw
