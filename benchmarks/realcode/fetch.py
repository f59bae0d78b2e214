"""Download the pinned real-code packages with pip and unpack only their .py files.

The packages are open-source *applications* (CMSs, shops, forums, auth servers, data
platforms, chat apps ...) that nobody tuned gdpr-lint on: the precision benchmark of
issue 16. Only wheels are taken (`--only-binary=:all:`): a wheel is a zip file, so
unpacking needs no build step and runs no package code.

    python benchmarks/realcode/fetch.py            # -> benchmarks/realcode/packages/<name>/...
    python benchmarks/realcode/fetch.py --force    # download and unpack again

Each package lands in a folder named after the package alone (no version), so the paths
in the verdicts file stay valid across a pin bump. MANIFEST.json records the pin, the
version actually downloaded, the wheel's name and its sha256, and the file and line counts.
An exact pin missing from the index is an error here (unlike the speed corpus): the
verdicts were judged on that version.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from fetch_corpus import pip_download, unpack_py, wheel_for  # noqa: E402

DEFAULT_DEST = HERE / "packages"

# (PyPI name, version, what it is). Applications that handle people's data. Never any
# of the packages reserved for independent evaluation (see benchmarks/realcode/README.md).
PINS = (
    ("wagtail", "8.0.1", "CMS"),
    ("django-oscar", "4.2.1", "e-commerce framework"),
    ("pretix", "2026.8.0", "ticket shop"),
    ("indico", "3.3.14", "conference management"),
    ("apache-superset", "6.1.0", "BI / data platform"),
    ("label-studio", "1.23.2", "annotation platform"),
    ("weblate", "2026.10.1", "localization platform"),
    ("misago", "0.39.6", "forum"),
    ("django-allauth", "65.22.1", "authentication app"),
    ("lemur", "1.9.3", "certificate management service"),
    ("apache-airflow-core", "3.3.2", "workflow platform (core only)"),
    ("prefect", "3.9.1", "workflow orchestration server"),
    ("dagster", "1.13.28", "data orchestration platform (core)"),
    ("kedro", "1.7.0", "data pipeline framework"),
    ("streamlit", "1.67.0", "data app platform"),
    ("gradio", "6.31.0", "ML web app platform"),
    ("chainlit", "2.12.0", "chat / LLM app platform"),
    ("open-webui", "0.12.4", "LLM chat web app"),
    ("langflow-base", "1.13.0", "LLM flow builder web app"),
    ("flask-admin", "2.2.1", "admin interface"),
    ("mezzanine", "6.1.1", "CMS"),
    ("django-crm", "1.35.0", "CRM"),
    ("askbot", "0.13.0", "Q&A forum"),
    ("modoboa", "2.12.0", "mail hosting platform"),
    ("mailman", "3.3.10", "mailing list manager"),
    ("hyperkitty", "1.3.12", "mailing list archive web app"),
    ("postorius", "1.3.13", "mailing list web UI"),
    ("django-sql-explorer", "5.3.1", "SQL reporting app"),
    ("netbox", "4.7.3", "network source of truth"),
    ("privacyidea", "3.14", "MFA authentication server"),
    ("jupyterhub", "6.1.1", "multi-user notebook server"),
    ("ckan", "2.12.0", "open data portal"),
    ("matrix-synapse", "1.163.2", "chat homeserver"),
    ("radicale", "3.9.0", "CalDAV/CardDAV server"),
    ("ihatemoney", "7.2.1", "shared budget web app"),
    ("flaskbb", "2.2.0", "forum"),
    ("kinto", "26.5.0", "storage web service"),
    ("tendenci", "16.30", "association management system"),
    ("pretalx", "2026.1.2", "conference call-for-papers and scheduling"),
    ("calibreweb", "0.6.27", "e-book library web app"),
    ("changedetection-io", "0.60.10", "website change monitoring and alerts"),
    ("alerta-server", "9.1.0", "alert monitoring server"),
    ("lnbits", "1.6.2", "Lightning wallet and accounts system"),
    ("argilla-server", "2.8.0", "data labelling platform server"),
    ("trac", "1.6", "wiki and issue tracker"),
    ("reviewboard", "8.1", "code review platform"),
    ("matrix-sydent", "2.6.1", "Matrix identity server (e-mail and phone bindings)"),
    ("canaille", "0.3.6", "identity and authorization server (OIDC)"),
    ("ephios", "0.27.1", "volunteer and event shift management"),
    ("kiwitcms", "12.4", "test case management system"),
    ("gramps-webapi", "3.24.0", "genealogy web API"),
    ("rdmo", "2.5.2", "research data management planning"),
    ("octoprint", "1.11.8", "3D-printer web server with user accounts"),
    ("openwisp-radius", "1.3.3", "RADIUS accounting and user registration"),
    ("gnuhealth", "5.0.6", "hospital and health information system (Tryton)"),
    ("aleksis-core", "4.0.4", "school information system"),
    ("keystone", "30.0.0", "OpenStack identity service"),
    ("edx-enterprise", "8.18.0", "enterprise learner management for an LMS (Open edX)"),
    ("byro", "2026.4.0", "membership and fees management for associations"),
    ("django-appointment", "3.12.0", "appointment booking with staff and clients"),
    ("coldfront", "1.1.10", "HPC resource allocation portal (users, projects, grants)"),
    ("bodhi-server", "26.4.0", "Fedora update system server (packagers' accounts, comments)"),
    ("mautrix-telegram", "0.15.3", "Matrix-Telegram bridge (users' phone logins, messages)"),
    ("wger", "2.1", "fitness, workout and weight tracker with user accounts"),
    ("django-newsletter", "1.2.1", "newsletter subscriptions and mailings"),
    ("invenio-accounts", "9.1.0", "user accounts of the Invenio repository platform"),
    ("shuup", "3.1.0", "e-commerce platform (customers, orders)"),
    ("pgadmin4", "9.18", "PostgreSQL administration web app with user accounts"),
    ("horizon", "27.0.0", "OpenStack dashboard (users, projects)"),
    ("django-machina", "1.3.1", "forum engine"),
    ("zou", "1.0.97", "animation production tracker (staff, persons, comments)"),
    ("superdesk-core", "2.5.3", "newsroom content platform (journalists' accounts, contacts)"),
    ("oncall", "2.1.7", "on-call scheduling (users' phones, e-mail, notifications)"),
    ("trytond", "8.2.1", "Tryton ERP server (parties, users)"),
    ("galaxy-app", "26.1.2", "Galaxy data analysis platform backend (user accounts)"),
    ("buildbot", "4.3.0", "continuous integration server (users, change authors)"),
    ("nbgrader", "0.9.6", "grading of Jupyter assignments (students, grades)"),
    ("maubot", "0.6.0", "Matrix bot platform with a management web app"),
    ("girder", "5.0.21", "data management platform (users, groups, files)"),
    ("pulpcore", "3.123.1", "content repository platform (users, roles)"),
    ("allianceauth", "5.5.0", "auth and membership platform of gaming groups (users, e-mail, SSO)"),
    ("inginious", "0.9.1", "course and grading platform (students, submissions, LTI)"),
    ("wafer", "0.17.0", "conference management (speakers, talks, registration)"),
    ("isso", "0.13.0", "comment server (commenters' names, e-mail, IP addresses)"),
    ("openrem", "1.0.0b3", "patient radiation dose monitoring (DICOM, patients)"),
    ("django-shop", "1.2.4", "e-commerce framework (customers, orders)"),
    ("sopel", "8.0.4", "IRC bot (users' nicknames and hosts)"),
    ("omero-web", "5.33.2", "web app of a microscopy data platform (users, groups)"),
    ("opencve", "1.5.0", "CVE alerting platform with user accounts and notifications"),
    ("heisenbridge", "1.15.4", "Matrix-IRC bridge (users' nicknames, hosts, messages)"),
    # seventh batch (session 15), judged untuned before any fix
    ("satosa", "8.6.0", "SAML/OIDC identity proxy (users' attributes)"),
    ("errbot", "6.2.1", "chatbot platform (chat users, ACLs, messages)"),
    ("slidge", "0.4.2", "XMPP chat bridge framework (users' contacts, messages)"),
    ("faradaysec", "5.25.2", "vulnerability management platform with user accounts"),
    ("edx-proctoring", "6.1.4", "exam proctoring of an LMS (learners, attempts, reviews)"),
    ("python-adjutant", "13.0.0", "OpenStack sign-up and user admin workflows (e-mails, invites)"),
    ("geonode", "5.1.1", "geospatial CMS with user accounts and groups"),
    ("django-oidc-provider", "0.9.0", "OpenID Connect provider (users, clients, tokens)"),
    ("mautrix-googlechat", "0.5.2", "Matrix-Google Chat bridge (users' logins, messages)"),
    ("wiki", "0.13.0", "wiki app (users, article revisions, notifications)"),
    ("django-postman", "4.6", "user-to-user messaging (senders, recipients, e-mail)"),
    # eighth batch (session 16), judged untuned before any fix
    ("fittrackee", "1.3.6", "outdoor workout tracker with user accounts (Flask)"),
    ("fief-server", "0.30.0", "users and authentication server (FastAPI)"),
    ("timetagger", "26.1.3", "time tracker with user accounts (asgineer)"),
    ("datasette", "0.65.5", "data publishing platform with actors and permissions (ASGI)"),
    ("ora2", "7.1.2", "open response assessment of an LMS (learners, submissions, peer grades)"),
    ("openwisp-users", "1.3.2", "users and organizations of OpenWISP (Django)"),
    ("anitya", "2.3.0", "release monitoring web app with user accounts (Flask)"),
    ("xandikos", "0.4.10", "CalDAV/CardDAV server (contacts, calendars; aiohttp)"),
    ("doccano", "1.8.4", "text annotation platform with users and projects (Django)"),
    ("noggin-aaa", "1.11.0", "self-service FreeIPA account portal (sign-up, e-mail, groups)"),
    ("amundsen-frontend", "4.3.0", "data discovery web UI (user profiles, notifications; Flask)"),
    # ninth batch (session 17), judged untuned before any fix
    ("khoj", "1.42.10", "personal AI assistant with user accounts, subscriptions, telemetry (Django/FastAPI)"),
    ("r2r", "3.6.6", "retrieval platform with users, collections, e-mail and storage providers (FastAPI)"),
    ("supysonic", "0.7.9", "music streaming server with user accounts and Last.fm scrobbling (Flask)"),
    ("pantalaimon", "0.10.5", "Matrix end-to-end encryption proxy for users' sessions (aiohttp)"),
    ("oauthenticator", "17.4.0", "JupyterHub logins through GitHub, Google, Azure AD, GitLab... (Tornado)"),
    ("fasjson", "1.7.0", "JSON API over the Fedora account system (users, groups; Flask)"),
    ("flower", "2.2.0", "Celery monitoring web UI with OAuth logins (Tornado)"),
    ("skyline-apiserver", "9.0.0", "OpenStack dashboard API server (logins, projects, users; FastAPI)"),
    ("dj-stripe", "2.11.0", "Stripe customers, payments and webhooks in Django"),
    ("django-post-office", "3.12.0", "e-mail queue with recipients, templates and logs (Django)"),
    ("fmn", "3.4.0", "Fedora notifications: users' rules, e-mail and Matrix delivery (FastAPI)"),
)


# Wheels are chosen for this Python version whatever the interpreter running the script:
# several packages need a newer Python than the one gdpr-lint supports at minimum. A full version:
# older pips read "3.12" as 3.12.0, which indico's "Requires-Python >=3.12.2" refuses.
PYTHON_VERSION = "3.12.10"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(dest: Path, pins=PINS, force: bool = False, only=None) -> dict:
    manifest_path = dest / "MANIFEST.json"
    old = {}
    if manifest_path.exists() and not force:
        old = {p["name"]: p for p in json.loads(manifest_path.read_text())["packages"]}
    dest.mkdir(parents=True, exist_ok=True)
    packages, failed = [], []
    with tempfile.TemporaryDirectory(prefix="gdpr-lint-realcode-") as tmp:
        for name, version, kind in pins:
            if only and name not in only:
                if name in old:
                    packages.append(old[name])
                continue
            target = dest / name
            have = old.get(name)
            if have and have["version"] == version and target.is_dir():
                packages.append(have)
                continue
            wheels = Path(tmp) / name
            wheels.mkdir()
            if not pip_download(f"{name}=={version}", wheels, PYTHON_VERSION):
                failed.append(f"{name}=={version}")
                continue
            wheel = wheel_for(name, wheels)
            if target.exists():
                shutil.rmtree(target)
            files, lines = unpack_py(wheel, target)
            isolate(target)
            packages.append(
                {
                    "name": name,
                    "version": version,
                    "kind": kind,
                    "wheel": wheel.name,
                    "sha256": sha256(wheel),
                    "files": files,
                    "lines": lines,
                }
            )
            print(f"{name:<22} {version:<11} {files:>6} files {lines:>9,} lines", flush=True)
    manifest = {
        "packages": packages,
        "files": sum(p["files"] for p in packages),
        "lines": sum(p["lines"] for p in packages),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    if failed:
        print("error: not downloaded: " + ", ".join(failed), file=sys.stderr)
    return manifest


def isolate(target: Path) -> None:
    """Make one package a project of its own, scanned with gdpr-lint's defaults.

    Without this, gdpr-lint would climb up to this repository's pyproject.toml; an empty
    git repository and a neutral `.gdpr-lint.toml` stop it there.
    """
    if not (target / ".git").exists():
        subprocess.run(["git", "init", "-q", str(target)], check=True)
    (target / ".gdpr-lint.toml").write_text("# realcode benchmark: gdpr-lint's defaults\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="where to unpack")
    parser.add_argument("--force", action="store_true", help="download and unpack again")
    parser.add_argument("--only", help="comma-separated package names to (re)fetch")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    unknown = sorted((only or set()) - {name for name, _, _ in PINS})
    if unknown:
        parser.error(f"--only: not a pinned package: {', '.join(unknown)}")
    manifest = fetch(args.dest, force=args.force, only=only)
    print(f"{'total':<34} {manifest['files']:>6} files {manifest['lines']:>9,} lines -> {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
