import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tickets.choices import Channel, MessageKind, Role, Tier
from tickets.models import Contact, Message, Organization, Team, Ticket


class UserFactory(factory.django.DjangoModelFactory):
    """A user with no role; pass role="Agent" (a group name) to give one."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@helpdesk.example")
    password = factory.django.Password("correct horse battery")

    role = factory.PostGeneration(
        lambda user, create, extracted, **kwargs: _join(user, create, extracted)
    )


def _join(user: object, create: bool, name: str | None) -> None:
    if create and name:
        user.groups.add(Group.objects.get(name=name))


def _join_group(default: str | None) -> factory.PostGeneration:
    def join(user: object, create: bool, extracted: str | None, **kwargs: object) -> None:
        _join(user, create, extracted or default)

    return factory.PostGeneration(join)



class AgentFactory(UserFactory):
    role = _join_group(Role.AGENT.value)


class TeamLeadFactory(UserFactory):
    role = _join_group(Role.TEAM_LEAD.value)


class ManagerFactory(UserFactory):
    role = _join_group(Role.MANAGER.value)


class AdminFactory(UserFactory):
    is_staff = True
    role = _join_group(Role.ADMIN.value)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Faker("company")
    tier = Tier.SMB
    email_domains = factory.LazyAttribute(
        lambda org: [org.name.split()[0].lower().strip(",.") + ".example"]
    )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    email = factory.Sequence(lambda n: f"customer{n}@customer.example")
    name = factory.Faker("name")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def members(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.members.add(*extracted)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    subject = factory.Faker("sentence", nb_words=6)
    description = factory.Faker("paragraph", nb_sentences=4)
    channel = Channel.API
    requester = factory.SubFactory(ContactFactory)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    kind = MessageKind.PUBLIC
    body = factory.Faker("paragraph")
