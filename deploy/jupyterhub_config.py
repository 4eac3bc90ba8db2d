# Team mode for The Littlest JupyterHub (TLJH) or any JupyterHub: put this file in
# /opt/tljh/config/jupyterhub_config.d/telesales.py (TLJH) or load it from your jupyterhub_config.py.
# It must be readable by root only: it names the store owner's password (chmod 600).
#
# What it does (telesales_training/web/hub.py): each user's server opens the start page as a Voilà app
# (trainers: the cockpit); before a server starts, the user gets a PostgreSQL login role of their own and
# their server gets only that role's store URL; PostgreSQL's row-level security then lets trainees reach
# only their own records and trainers the cohort (telesales_training/storage/access.py).
# Lock the database server down once, as its superuser (README, "Locking the database server down"): the
# provisioning already revokes everything on the store's database from PUBLIC and grants CONNECT to each user's
# role only; on a server other applications share also run
#   REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1 FROM PUBLIC;
#   GRANT SET ON PARAMETER temp_file_limit TO telesales_owner;   -- PostgreSQL 15+
# and in pg_hba.conf, first: "host telesales +telesales_team 127.0.0.1/32 scram-sha-256" and
# "host all +telesales_team all reject".
#
# The certification exam (README, "Certification") runs as a hub-managed service with an OS account and a folder
# of its own: create them once, as root —
#   useradd --system --create-home --shell /usr/sbin/nologin telesales-exam
#   install -d -o telesales-exam -m 700 /srv/telesales-exam && cp -r YOUR_EXAM_BANK /srv/telesales-exam/bank
#   chown -R telesales-exam /srv/telesales-exam
# (the bank: the course's exam/ folder, or your own in the same format — not where trainees can read it). The
# organisation's signing key is made there on the service's first start (signing-key.pem, owner-only).
import os
from pathlib import Path

from telesales_training.web import hub

# The store owner's URL (the role that owns the tables and may create roles), e.g.
# postgresql://telesales_owner:PASSWORD@127.0.0.1/telesales  — from the environment or a root-only file.
STORE_URL = os.environ["TELESALES_OWNER_DB"]

hub.configure(
    c,  # noqa: F821 - JupyterHub's config object
    store_url=STORE_URL,
    trainers=["tina"],  # optional: members of the "trainers" group at start; or manage the group in /hub/admin
    exam=hub.ExamService(
        folder=Path("/srv/telesales-exam"),
        port=10101,  # on 127.0.0.1; the hub's proxy also serves it under /services/telesales-exam/
        python=["/opt/tljh/user/bin/python"],  # the environment the users' servers run (TLJH's user env)
        user="telesales-exam",
        environment={"TELESALES_ORG_NAME": "Example Call Centre", "TELESALES_ORG_ID": "https://training.example.com"},
    ),
)
