"""TLS with redis-py (ssl=True): certificates made by the test with the openssl CLI
(a CA, server and client certificates it signs, a second CA, and expired, wrong-host
and self-signed server certificates)."""
import shutil
import socket
import ssl
import subprocess
import tempfile
from pathlib import Path

import pytest
import redis

from conftest import Server, free_port

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl CLI makes the certificates")

EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def run(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


class Pki:
    """Certificates in a temporary directory; each name maps to (cert, key) paths."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="diskdb-tls-"))
        self.serial = 100
        self.ca("ca")
        self.ca("other-ca")
        self.leaf("server", "ca", "DNS:localhost,IP:127.0.0.1", "serverAuth")
        self.leaf("server2", "ca", "DNS:localhost,IP:127.0.0.1", "serverAuth")
        self.leaf("client", "ca", None, "clientAuth")
        self.leaf("other-client", "other-ca", None, "clientAuth")
        self.leaf("expired", "ca", "DNS:localhost,IP:127.0.0.1", "serverAuth", days=-1)
        self.leaf("wrong-host", "ca", "DNS:db.example.com", "serverAuth")
        run("req", "-x509", *EC, "-keyout", self.key("self-signed"), "-out", self.crt("self-signed"),
            "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")

    def crt(self, name):
        return str(self.dir / (name + ".crt"))

    def key(self, name):
        return str(self.dir / (name + ".key"))

    def ca(self, name):
        run("req", "-x509", *EC, "-keyout", self.key(name), "-out", self.crt(name), "-days", "2",
            "-subj", "/CN=DiskDB test " + name)

    def leaf(self, name, ca, san, usage, days=2):
        csr = str(self.dir / (name + ".csr"))
        run("req", *EC, "-keyout", self.key(name), "-out", csr, "-subj", "/CN=" + name)
        ext = self.dir / (name + ".ext")
        lines = ["basicConstraints=CA:FALSE", "extendedKeyUsage=" + usage]
        if san:
            lines.append("subjectAltName=" + san)
        ext.write_text("\n".join(lines) + "\n")
        self.serial += 1
        run("x509", "-req", "-in", csr, "-CA", self.crt(ca), "-CAkey", self.key(ca), "-set_serial",
            str(self.serial), "-days", str(days), "-out", self.crt(name), "-extfile", str(ext))

    def der(self, name):
        return ssl.PEM_cert_to_DER_cert(Path(self.crt(name)).read_text())


@pytest.fixture(scope="module")
def pki():
    p = Pki()
    yield p
    shutil.rmtree(p.dir, ignore_errors=True)


def tls_server(pki, auth="yes", *extra):
    port = free_port()
    s = Server("--tls-port", str(port), "--tls-cert-file", pki.crt("server"), "--tls-key-file", pki.key("server"),
               "--tls-ca-cert-file", pki.crt("ca"), "--tls-auth-clients", auth, *extra)
    return s, port


def tls_client(pki, port, client="client", host="localhost", **kw):
    kw.setdefault("ssl_check_hostname", True)
    if client:
        kw.update(ssl_certfile=pki.crt(client), ssl_keyfile=pki.key(client))
    return redis.Redis(host=host, port=port, ssl=True, ssl_ca_certs=pki.crt("ca"), socket_timeout=20,
                       decode_responses=True, **kw)


def served_cert(pki, port):
    """The DER certificate a new TLS connection is served."""
    ctx = ssl.create_default_context(cafile=pki.crt("ca"))
    ctx.load_cert_chain(pki.crt("client"), pki.key("client"))
    with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            return s.getpeercert(binary_form=True)


def test_ssl_true_with_a_client_certificate(pki):
    s, port = tls_server(pki)
    try:
        c = tls_client(pki, port)
        assert c.set("k", "v")
        assert c.get("k") == "v"
        # The same data over plain TCP.
        assert s.client().get("k") == "v"
    finally:
        s.close()


def test_mutual_tls_refuses_missing_and_foreign_client_certificates(pki):
    s, port = tls_server(pki)
    try:
        with pytest.raises(redis.ConnectionError):
            tls_client(pki, port, client=None).ping()
        with pytest.raises(redis.ConnectionError):
            tls_client(pki, port, client="other-client").ping()
        assert tls_client(pki, port).ping()
    finally:
        s.close()


def test_optional_client_certificates(pki):
    s, port = tls_server(pki, "optional")
    try:
        assert tls_client(pki, port, client=None).ping()
        assert tls_client(pki, port).ping()
        with pytest.raises(redis.ConnectionError):
            tls_client(pki, port, client="other-client").ping()
    finally:
        s.close()


@pytest.mark.parametrize("bad", ["expired", "wrong-host", "self-signed"])
def test_bad_server_certificates_are_refused_by_the_client(pki, bad):
    port = free_port()
    s = Server("--tls-port", str(port), "--tls-cert-file", pki.crt(bad), "--tls-key-file", pki.key(bad),
               "--tls-auth-clients", "no")
    try:
        with pytest.raises(redis.ConnectionError):
            tls_client(pki, port, client=None).ping()
        # Without verification the same server answers: the refusal was the certificate.
        assert tls_client(pki, port, client=None, ssl_check_hostname=False, ssl_cert_reqs="none").ping()
    finally:
        s.close()


def test_config_set_reloads_the_certificate_without_dropping_connections(pki):
    s, port = tls_server(pki)
    try:
        old = tls_client(pki, port)
        old.set("a", "1")
        assert served_cert(pki, port) == pki.der("server")
        plain = s.client()
        # The certificate and its key in one call (either alone would not match).
        plain.execute_command("CONFIG", "SET", "tls-cert-file", pki.crt("server2"), "tls-key-file", pki.key("server2"))
        assert old.get("a") == "1"
        assert served_cert(pki, port) == pki.der("server2")
        with pytest.raises(redis.ResponseError) as e:
            plain.config_set("tls-cert-file", str(pki.dir / "missing.crt"))
        assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'tls-cert-file') - "
                                "Unable to update TLS configuration. Check server logs.")
        assert served_cert(pki, port) == pki.der("server2")
        assert old.get("a") == "1"
    finally:
        s.close()


def test_a_silent_tcp_client_on_the_tls_port_is_dropped(pki):
    s, port = tls_server(pki, "yes", "--tls-handshake-timeout", "300")
    try:
        silent = socket.create_connection(("127.0.0.1", port))
        assert tls_client(pki, port).ping()
        silent.settimeout(30)
        try:
            assert silent.recv(64) == b""
        except ConnectionResetError:
            pass
        assert int(s.client().info("stats")["tls_handshake_failures"]) >= 1
    finally:
        s.close()
