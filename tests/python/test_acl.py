"""ACL users through redis-py, against the real diskdb binary: acl_setuser and
acl_getuser, AUTH with a username (connection arguments and the auth() call), the
NOPERM error class, ACL LOG and DELUSER closing the user's connections."""
import pytest
import redis


def test_setuser_getuser_and_auth_with_username(server, r):
    assert r.acl_setuser("app", enabled=True, passwords=["+apppw"], keys=["app:*"],
                         commands=["+@read", "+set", "+acl|whoami"])
    info = r.acl_getuser("app")
    assert "on" in info["flags"]
    assert info["keys"] == ["~app:*"] or info["keys"] == "~app:*"
    assert "+@read" in info["categories"] and "+set" in info["commands"]
    app = server.client(username="app", password="apppw")
    assert app.acl_whoami() == "app"
    assert app.set("app:1", "v")
    assert app.get("app:1") == "v"
    with pytest.raises(redis.exceptions.NoPermissionError) as e:
        app.set("other", "v")
    assert str(e.value) == "this user has no permissions to access one of the keys used as arguments"
    with pytest.raises(redis.exceptions.NoPermissionError) as e:
        app.lpush("app:l", "x")
    assert str(e.value) == "this user has no permissions to run the 'lpush' command"
    assert r.acl_users() == ["app", "default"]


def test_wrong_password_and_disabled_users(server, r):
    r.acl_setuser("u", enabled=False, passwords=["+pw"], commands=["+@all"], keys=["*"])
    with pytest.raises(redis.exceptions.AuthenticationError):
        server.client(username="u", password="pw").ping()
    r.acl_setuser("u", enabled=True)
    c = server.client()
    assert c.auth("pw", username="u")
    assert c.acl_whoami() == "u"
    with pytest.raises(redis.exceptions.AuthenticationError):
        c.auth("nope", username="u")


def test_acl_log_and_deluser(server, r):
    r.acl_setuser("u", enabled=True, passwords=["+pw"], commands=["+get"], keys=["*"])
    u = server.client(username="u", password="pw")
    with pytest.raises(redis.exceptions.NoPermissionError):
        u.set("k", "v")
    log = r.acl_log()
    assert log[0]["reason"] == "command"
    assert log[0]["object"] == "set"
    assert log[0]["username"] == "u"
    assert r.acl_log_reset()
    assert r.acl_log() == []
    assert r.acl_deluser("u") == 1
    # The connection is closed; a client that reconnects finds the user gone.
    with pytest.raises((redis.exceptions.ConnectionError, redis.exceptions.AuthenticationError)):
        u.get("k")


def test_requirepass_needs_auth_first(server, r):
    assert r.config_set("requirepass", "secret")
    with pytest.raises(redis.exceptions.AuthenticationError):
        server.client().get("k")
    c = server.client(password="secret")
    assert c.ping()
    assert c.acl_whoami() == "default"
    assert c.config_set("requirepass", "")
