from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tickets.services.keys import create_api_key


class Command(BaseCommand):
    help = "Create an API key and print it once. Example: create_api_key webform --scopes intake"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument(
            "--scopes", required=True, help="comma-separated: intake,inbound,read,agent"
        )
        parser.add_argument("--user", help="username of the agent the key acts as")

    def handle(self, *args: object, **options: str) -> None:
        user = None
        if options.get("user"):
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']}.")
        scopes = [scope.strip() for scope in options["scopes"].split(",") if scope.strip()]
        try:
            key, raw = create_api_key(name=options["name"], scopes=scopes, user=user)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(raw)
        scopes = ", ".join(key.scopes)
        self.stderr.write(f"Key {key.name} ({scopes}); store it now, it is shown once.")
