"""signfuse.web: the Host-header rules shared by the local web apps."""

from __future__ import annotations

from signfuse.web import DEFAULT_ALLOWED_HOSTS, allowed_hosts_for, display_url, host_allowed, is_loopback


def test_allowed_hosts_for_each_bind_address():
    assert allowed_hosts_for("127.0.0.1") == DEFAULT_ALLOWED_HOSTS
    assert allowed_hosts_for("0.0.0.0") is None and allowed_hosts_for("::") is None
    assert allowed_hosts_for("192.168.1.5") == (*DEFAULT_ALLOWED_HOSTS, "192.168.1.5")
    assert is_loopback("localhost") and not is_loopback("0.0.0.0")


def test_host_header_matching():
    hosts = allowed_hosts_for("127.0.0.1")
    assert host_allowed("127.0.0.1:8766", hosts) and host_allowed("LOCALHOST:1", hosts)
    assert host_allowed("[::1]:8766", hosts) and host_allowed("localhost", hosts)
    assert not host_allowed("evil.example:8766", hosts) and not host_allowed(None, hosts)
    assert not host_allowed("127.0.0.1.evil.example", hosts) and not host_allowed("[::2]:80", hosts)
    assert host_allowed("anything:1", None)
    assert display_url("::1", 8766) == "http://[::1]:8766/" and display_url("localhost", 1) == "http://localhost:1/"
