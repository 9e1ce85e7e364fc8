"""A real OpenLDAP slapd on 127.0.0.1 under a temp dir, for directory tests.

Follows ../shared/notes/infrastructure.md §3: a slapd.conf with the mdb backend and the
memberof overlay, started in its own session (so a test runner's process-group kill
does not take it down), stopped by its pid file. Entries are loaded online with
`ldapadd` so the overlay maintains `memberOf`. Optionally also serves StartTLS and
ldaps:// with a certificate made in the test.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.tls_certs import ServerCertificate, make_server_certificate

SLAPD = "/usr/sbin/slapd"
INSTALL_HINT = "install it with scripts/install-system-packages.sh (slapd, ldap-utils)"
ROOT_PASSWORD = "secret"  # a throw-away test server on loopback

_CONF = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile  {d}/slapd.pid
argsfile {d}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
{tls}
database mdb
maxsize 104857600
suffix "{suffix}"
rootdn "cn=admin,{suffix}"
rootpw {password}
directory {d}/db
index objectClass,mail,member,memberOf eq
overlay memberof
"""


@dataclass(frozen=True)
class Slapd:
    folder: Path
    suffix: str
    port: int
    tls_port: int | None
    certificate: ServerCertificate | None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.tls_port}"

    @property
    def admin_dn(self) -> str:
        return f"cn=admin,{self.suffix}"

    def add(self, ldif: str) -> None:
        """Load entries online (so the memberof overlay sees them)."""
        self._client("ldapadd", ldif)

    def modify(self, ldif: str) -> None:
        self._client("ldapmodify", ldif)

    def _client(self, tool: str, ldif: str) -> None:
        command = [tool, "-x", "-H", self.url, "-D", self.admin_dn, "-w", ROOT_PASSWORD]
        done = subprocess.run(command, input=ldif, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_slapd(
    folder: Path, suffix: str = "dc=corp,dc=test", tls: bool = False
) -> Iterator[Slapd]:
    """Start slapd, create the suffix entry, yield, and stop it again."""
    for binary in (SLAPD, shutil.which("ldapadd") or "/usr/bin/ldapadd"):
        if not Path(binary).exists():
            raise RuntimeError(f"{binary} is missing; {INSTALL_HINT}")
    (folder / "db").mkdir(parents=True)
    certificate = make_server_certificate(folder / "tls") if tls else None
    server = Slapd(folder, suffix, free_port(), free_port() if tls else None, certificate)
    conf = folder / "slapd.conf"
    conf.write_text(
        _CONF.format(d=folder, suffix=suffix, password=ROOT_PASSWORD, tls=_tls(certificate))
    )
    subprocess.run(["/usr/sbin/slaptest", "-f", str(conf), "-u", "-Q"], check=True)
    urls = server.url + "/" + (f" {server.ldaps_url}/" if tls else "")
    subprocess.run([SLAPD, "-f", str(conf), "-h", urls], check=True, start_new_session=True)
    try:
        _wait_for_port(server.port)
        domain = suffix.split(",", maxsplit=1)[0].partition("=")[2]
        server.add(
            f"dn: {suffix}\nobjectClass: dcObject\nobjectClass: organization\n"
            f"o: {domain}\ndc: {domain}\n"
        )
        yield server
    finally:
        _stop(folder / "slapd.pid")


def _tls(certificate: ServerCertificate | None) -> str:
    if certificate is None:
        return ""
    return (
        f"TLSCACertificateFile {certificate.ca_file}\n"
        f"TLSCertificateFile {certificate.cert_file}\n"
        f"TLSCertificateKeyFile {certificate.key_file}"
    )


def _wait_for_port(port: int, attempts: int = 200) -> None:
    # Bounded: a slapd that never listens must fail the test, not hang it.
    for _ in range(attempts):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"slapd did not listen on 127.0.0.1:{port}")


def _stop(pidfile: Path, attempts: int = 200) -> None:
    if not pidfile.exists():
        return
    os.kill(int(pidfile.read_text().split()[0]), signal.SIGTERM)
    for _ in range(attempts):  # slapd takes a second or two to remove its pid file
        if not pidfile.exists():
            return
        time.sleep(0.05)
