"""`manage.py demo_account`: an account per desk role to try the admin with, in development mode only."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from articles.models import Author

# A well-known password is acceptable only because the command refuses to run outside DEBUG.
PASSWORD = "footnote-demo"
# user name, role, full name, and the demo author they write as
ACCOUNTS = [
    ("analyst", "Analyst", ("Dana", "Analyst"), "mirela-aster"),
    ("editor", "Editor", ("Eli", "Editor"), None),
    ("admin", "Administrator", ("Ada", "Admin"), None),
]


class Command(BaseCommand):
    help = "Create or reset the local demo accounts analyst, editor and admin (development mode only)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="Port the site runs on (default 8000).")

    def handle(self, *args, port, **options):
        if not settings.DEBUG:
            raise CommandError("demo_account only runs in development mode (DEBUG=true)")
        for username, role, (first, last), author in ACCOUNTS:
            self._account(username, role, first, last, author)
        base = f"http://127.0.0.1:{port}"
        names = ", ".join(username for username, *_ in ACCOUNTS)
        self.stdout.write(f"Admin: {base}/admin/  users: {names}  password: {PASSWORD} (development only)")
        self.stdout.write(f"Site:  {base}/")

    def _account(self, username, role, first, last, author_slug):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() or User(
            **{User.USERNAME_FIELD: username}
        )
        user.email = user.email or f"{username}@example.org"
        user.first_name, user.last_name = first, last
        user.is_active = user.is_staff = True
        user.is_superuser = role == "Administrator"
        user.set_password(PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        if author_slug:
            Author.objects.filter(slug=author_slug, user=None).update(user=user)
