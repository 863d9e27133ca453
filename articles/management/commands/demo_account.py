"""`manage.py demo_account`: a local superuser for trying the admin, in development mode only."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "editor"
# A well-known password is acceptable only because the command refuses to run outside DEBUG.
PASSWORD = "footnote-demo"


class Command(BaseCommand):
    help = "Create or reset the local demo superuser 'editor' (development mode only)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="Port the site runs on (default 8000).")

    def handle(self, *args, port, **options):
        if not settings.DEBUG:
            raise CommandError("demo_account only runs in development mode (DEBUG=true)")
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: USERNAME}).first() or User(
            **{User.USERNAME_FIELD: USERNAME}
        )
        user.email = user.email or "editor@example.org"
        user.is_active = user.is_staff = user.is_superuser = True
        user.set_password(PASSWORD)
        user.save()
        base = f"http://127.0.0.1:{port}"
        self.stdout.write(f"Admin: {base}/admin/  user: {USERNAME}  password: {PASSWORD} (development only)")
        self.stdout.write(f"Site:  {base}/")
