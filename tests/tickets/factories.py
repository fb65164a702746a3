import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tickets.choices import Channel, MessageKind, Role, Tier
from tickets.models import Contact, Message, Organization, Team, Ticket


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@helpdesk.example")
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class AgentFactory(UserFactory):
    role = Role.AGENT.value


class TeamLeadFactory(UserFactory):
    role = Role.TEAM_LEAD.value


class ManagerFactory(UserFactory):
    role = Role.MANAGER.value


class AdminFactory(UserFactory):
    is_staff = True
    role = Role.ADMIN.value


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
