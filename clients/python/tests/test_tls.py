"""TLS: a CA, a server and a client certificate made here with the openssl CLI; the
client over TLS (verifying the server, presenting its own certificate), the shell too.

The server's TLS is built on another branch: with a binary that has no TLS
(``CONFIG GET tls-port`` answers nothing) this test FAILS saying so, never skips."""
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Server, binary, free_port
from diskdb import ConnectionError, DiskDB

PKG = Path(__file__).resolve().parents[1]
EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=cwd)


def make_pki(d: Path):
    openssl("req", "-x509", *EC, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
            "-subj", "/CN=DiskDB pyclient test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    for name, usage, san in (("server", "serverAuth", "DNS:localhost,IP:127.0.0.1"),
                             ("client", "clientAuth", None)):
        openssl("req", *EC, "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + name, cwd=d)
        ext = ["basicConstraints=CA:FALSE", "extendedKeyUsage=" + usage]
        if san:
            ext.append("subjectAltName=" + san)
        (d / (name + ".ext")).write_text("\n".join(ext) + "\n")
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-set_serial", "7" if name == "server" else "8", "-days", "2",
                "-out", name + ".crt", "-extfile", name + ".ext", cwd=d)
    # a second CA that signed nothing: the client must refuse the server with it
    openssl("req", "-x509", *EC, "-keyout", "other.key", "-out", "other.crt", "-days", "2",
            "-subj", "/CN=Other CA", cwd=d)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        return True
    except OSError:
        return False


def test_tls(tmp_path):
    if shutil.which("openssl") is None:
        pytest.fail("the openssl CLI is needed to make the test certificates "
                    "(apt-get install openssl)")
    make_pki(tmp_path)
    tls_port = free_port()
    s = Server("--tls-port", str(tls_port), "--tls-cert-file", str(tmp_path / "server.crt"),
               "--tls-key-file", str(tmp_path / "server.key"),
               "--tls-ca-cert-file", str(tmp_path / "ca.crt"), "--tls-auth-clients", "optional")
    try:
        if not listening(tls_port):
            pytest.fail("the diskdb binary %s has no TLS support (started with --tls-port %d "
                        "it does not listen there): the server's TLS is on the tls branch; "
                        "re-run this test with DISKDB_BIN set to a build that includes it"
                        % (binary(), tls_port))
        with DiskDB(host="localhost", port=tls_port, ssl=True,
                    ssl_ca_certs=str(tmp_path / "ca.crt")) as db:
            assert db.set("secure", "yes") is True and db.get("secure") == "yes"
            with db.pipeline() as p:
                for i in range(100):
                    p.set("k%d" % i, "v" * 1000)
            assert len(p.results) == 100
            assert db.get("k99") == "v" * 1000
            assert "tls" in repr(db)
        with DiskDB(host="127.0.0.1", port=tls_port, ssl=True, protocol=3,
                    ssl_ca_certs=str(tmp_path / "ca.crt"),
                    ssl_certfile=str(tmp_path / "client.crt"),
                    ssl_keyfile=str(tmp_path / "client.key")) as db:
            assert db.get("secure") == "yes"
        with pytest.raises(ConnectionError):
            DiskDB(host="localhost", port=tls_port, ssl=True,
                   ssl_ca_certs=str(tmp_path / "other.crt")).ping()
        env = dict(os.environ, PYTHONPATH=str(PKG))
        out = subprocess.run([sys.executable, "-m", "diskdb", "-h", "localhost", "-p",
                              str(tls_port), "--tls", "--cacert", str(tmp_path / "ca.crt"),
                              "GET", "secure"], capture_output=True, text=True, env=env,
                             timeout=60)
        assert out.stdout == "yes\n", out.stderr
    finally:
        s.cleanup()
