import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from regie.core.models import Person, RoleAssignment, Scope


class Command(BaseCommand):
    help = (
        "Create an administrator: a login with a person record holding the administrator role on the whole "
        "organisation. The password comes from --password-env, else it is asked for."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--given-name", default="Regie")
        parser.add_argument("--family-name", default="Administrator")
        parser.add_argument("--password-env", default="", help="Name of an environment variable holding the password.")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if not username:
            raise CommandError("Give a user name.")
        user_model = get_user_model()
        if user_model._default_manager.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        if options["password_env"]:
            password = os.environ.get(options["password_env"], "")
            if not password:
                raise CommandError(f"The environment variable {options['password_env']} is empty or not set.")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        user = user_model(username=username, email=options["email"], is_staff=True, is_superuser=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            user.set_password(password)
            user.save()
            person = Person.objects.create(
                given_name=options["given_name"],
                family_name=options["family_name"],
                email=options["email"] or None,
                user=user,
            )
            RoleAssignment.objects.create(person=person, role="administrator", scope=Scope.root())
        self.stdout.write(self.style.SUCCESS(f"Administrator {username!r} created."))
