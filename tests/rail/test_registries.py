"""Signer registry (add-on v1.5 §4.1 block semantics), stablecoin registry and mint-controller limits."""

from __future__ import annotations

from eth_account import Account

from dbis.engine import reverts
from tests.rail.scene import CANONICAL_ID, NEVER, ROLE, h


def _new(label: str) -> str:
    return Account.from_key(h(label)).address


def test_signer_lifecycle_and_block_window(rail) -> None:
    reg, admin, now = rail.registry, rail.admin, rail.chain.block_number
    s = _new("lifecycle")
    receipt = reg.addSigner(s, 1 | 2, now + 2, sender=admin)
    assert receipt.events("SignerAdded")[0].args["effectiveFromBlock"] == now + 2
    assert reg.signerOf(s) == (3, now + 2, NEVER)
    assert [reg.isActive(s, b) for b in (now + 1, now + 2)] == [False, True]
    reg.setCategories(s, 8, sender=admin)
    assert reg.signerOf(s)[0] == 8
    reg.revokeSigner(s, now + 10, sender=admin)
    reg.revokeSigner(s, now + 5, sender=admin)  # brought forward
    with reverts("RevocationNotEarlier", s, now + 5, now + 7):  # never postponed
        reg.revokeSigner(s, now + 7, sender=admin)
    assert [reg.isActive(s, b) for b in (now + 4, now + 5)] == [True, False]
    rail.chain.mine(5)
    with reverts("SignerRevoked", s, now + 5, now + 5):
        reg.setCategories(s, 1, sender=admin)
    with reverts("SignerAlreadyRegistered", s):  # a revoked address is never reinstated
        reg.addSigner(s, 1, rail.chain.block_number, sender=admin)


def test_signer_admin_rules(rail) -> None:
    reg, admin, now = rail.registry, rail.admin, rail.chain.block_number
    s = _new("rules")
    with reverts("AccessControlUnauthorizedAccount", rail.ops, ROLE["SIGNER_ADMIN"]):
        reg.addSigner(s, 1, now, sender=rail.ops)
    with reverts("BlockInThePast", now - 1, now):
        reg.addSigner(s, 1, now - 1, sender=admin)
    for bad in (0, 16, 1 | 32):
        with reverts("InvalidCategories", bad):
            reg.addSigner(s, bad, now, sender=admin)
    with reverts("ZeroAddress"):
        reg.addSigner("0x" + "00" * 20, 1, now, sender=admin)
    with reverts("UnknownSigner", s):
        reg.revokeSigner(s, now, sender=admin)
    with reverts("UnknownSigner", s):
        reg.setCategories(s, 1, sender=admin)
    reg.addSigner(s, 1, now, sender=admin)
    with reverts("BlockInThePast", now - 1, now):
        reg.revokeSigner(s, now - 1, sender=admin)
    assert reg.signerOf(_new("nobody")) == (0, 0, 0) and not reg.isActive(_new("nobody"), now)


def test_stablecoin_registry_statuses(rail) -> None:
    coins, admin = rail.coins, rail.admin
    assert coins.stablecoin(CANONICAL_ID) == (rail.token.address, 6, 1)
    with reverts("IdTaken", CANONICAL_ID):
        coins.register(CANONICAL_ID, rail.router.address, 6, sender=admin)
    with reverts("TokenTaken", rail.token.address, CANONICAL_ID):
        coins.register(h("other"), rail.token.address, 6, sender=admin)
    other = rail.chain.deploy("DBISGRUToken", "GRU EUR", "GRUEUR", 18, rail.controller.address, sender=admin)
    with reverts("DecimalsMismatch", other.address, 6, 18):
        coins.register(h("eur"), other.address, 6, sender=admin)
    token = rail.token.address
    assert coins.statusOf(token) == 1 and coins.statusOf(other.address) == 0  # by token, one SLOAD: NONE unregistered
    coins.setStatus(CANONICAL_ID, 2, sender=admin)
    assert coins.statusOf(token) == 2 == coins.stablecoin(CANONICAL_ID)[2]
    coins.setStatus(CANONICAL_ID, 1, sender=admin)
    assert coins.statusOf(token) == 1
    with reverts("StatusChangeNotAllowed", CANONICAL_ID, 1, 1):
        coins.setStatus(CANONICAL_ID, 1, sender=admin)
    coins.setStatus(CANONICAL_ID, 3, sender=admin)
    assert coins.statusOf(token) == 3 == coins.stablecoin(CANONICAL_ID)[2]
    with reverts("StatusChangeNotAllowed", CANONICAL_ID, 3, 1):  # RETIRED is final
        coins.setStatus(CANONICAL_ID, 1, sender=admin)
    with reverts("UnknownStablecoin", h("none")):
        coins.setStatus(h("none"), 1, sender=admin)
    with reverts("AccessControlUnauthorizedAccount", rail.ops, ROLE_REGISTRY):
        coins.setStatus(CANONICAL_ID, 2, sender=rail.ops)


ROLE_REGISTRY = h("REGISTRY_ADMIN")


def test_mint_limit_configuration(rail) -> None:
    ctl, admin, token = rail.controller, rail.admin, rail.token.address
    with reverts("ZeroValue"):
        ctl.setMintLimit(token, 1, 0, sender=admin)
    with reverts("AccessControlUnauthorizedAccount", rail.ops, h("CONTROLLER_ADMIN")):
        ctl.setMintLimit(token, 1, 1, sender=rail.ops)
    ctl.setMintLimit(token, 0, 60, sender=admin)  # disabled
    auth = rail.auth("disabled")
    with rail.refused("TokenNotEnabled", token, auth=auth):
        rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))
