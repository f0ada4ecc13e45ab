"""DBISEngineXVirtualBatchVault: configuration, pause and roles."""

from .support import (
    ADMIN_DELAY,
    DEFAULT_ADMIN_ROLE,
    OPERATOR_ROLE,
    PAUSER_ROLE,
    RESERVE,
    UINT104_MAX,
    UNIT,
    VIRTUAL_FEE_BPS,
    ZERO_ADDRESS,
    events,
    ladder,
)

# ---------------------------------------------------------------------------- setFlashBorrower


def test_set_flash_borrower_allows_and_disallows(scene):
    s, v, who = scene, scene.vault, scene.stranger
    receipt = v.setFlashBorrower(who, True, sender=s.admin)
    assert events(receipt, v.FlashBorrowerSet) == [{"borrower": who.address, "allowed": True}]
    assert v.flashBorrowerAllowed(who)
    receipt = v.setFlashBorrower(who, False, sender=s.admin)
    assert events(receipt, v.FlashBorrowerSet) == [{"borrower": who.address, "allowed": False}]
    assert not v.flashBorrowerAllowed(who)


def test_set_flash_borrower_refusals(scene):
    s, v = scene, scene.vault
    s.watch(probes=[("allowed[stranger]", lambda: v.flashBorrowerAllowed(s.stranger)),
                    ("allowed[honest]", lambda: v.flashBorrowerAllowed(s.honest))])
    for who in (s.operator, s.pauser, s.stranger):
        with s.refused("AccessControlUnauthorizedAccount", account=who, neededRole=DEFAULT_ADMIN_ROLE):
            v.setFlashBorrower(s.stranger, True, sender=who)
        with s.refused("AccessControlUnauthorizedAccount", account=who, neededRole=DEFAULT_ADMIN_ROLE):
            v.setFlashBorrower(s.honest, False, sender=who)
    with s.refused("ZeroAddress"):
        v.setFlashBorrower(ZERO_ADDRESS, True, sender=s.admin)


# ---------------------------------------------------------------------------- setFlashTerms


def test_set_flash_terms(scene):
    s, v = scene, scene.vault
    receipt = v.setFlashTerms(3 * UNIT, 42, sender=s.admin)
    assert events(receipt, v.FlashTermsSet) == [{"maxFlashLoanCap": 3 * UNIT, "flashFeeBps": 42}]
    assert (v.maxFlashLoanCap(), v.flashFeeBps()) == (3 * UNIT, 42)


def test_set_flash_terms_accepts_the_upper_bounds(scene):
    s, v = scene, scene.vault
    v.setFlashTerms(UINT104_MAX, 100, sender=s.admin)
    assert (v.maxFlashLoanCap(), v.flashFeeBps()) == (UINT104_MAX, 100)


def test_set_flash_terms_refusals(scene):
    s, v = scene, scene.vault
    for who in (s.operator, s.stranger):
        with s.refused("AccessControlUnauthorizedAccount", account=who, neededRole=DEFAULT_ADMIN_ROLE):
            v.setFlashTerms(UNIT, 1, sender=who)
    with s.refused("InvalidBps", bps=101, max=100):
        v.setFlashTerms(UNIT, 101, sender=s.admin)
    with s.refused("AmountTooLarge", amount=UINT104_MAX + 1):
        v.setFlashTerms(UINT104_MAX + 1, 1, sender=s.admin)


# ---------------------------------------------------------------------------- setReceivers


def test_set_receivers_redirects_proof_payouts(scene):
    s, v = scene, scene.vault
    new_surplus, new_rounding = s.stranger, s.pauser
    receipt = v.setReceivers(new_surplus, new_rounding, sender=s.admin)
    assert events(receipt, v.ReceiversSet) == [
        {"surplusReceiver": new_surplus.address, "roundingReceiver": new_rounding.address}
    ]
    assert (v.surplusReceiver(), v.roundingReceiver()) == (new_surplus.address, new_rounding.address)

    amount_in = ladder.amount_in_for_exact_out(UNIT, RESERVE, VIRTUAL_FEE_BPS).amount_in + 500
    preview = ladder.preview(amount_in, RESERVE, VIRTUAL_FEE_BPS)
    old = (s.cw.balanceOf(s.surplus), s.cw.balanceOf(s.rounding))
    s.proof(s.recipient, amount_in, UNIT, "after-receivers")
    assert s.cw.balanceOf(new_surplus) == preview.amount_out - UNIT > 0
    assert s.cw.balanceOf(new_rounding) == amount_in - preview.amount_out > 0
    assert (s.cw.balanceOf(s.surplus), s.cw.balanceOf(s.rounding)) == old


def test_set_receivers_refusals(scene):
    s, v = scene, scene.vault
    for who in (s.operator, s.stranger):
        with s.refused("AccessControlUnauthorizedAccount", account=who, neededRole=DEFAULT_ADMIN_ROLE):
            v.setReceivers(s.stranger, s.stranger, sender=who)
    with s.refused("ZeroAddress"):
        v.setReceivers(ZERO_ADDRESS, s.stranger, sender=s.admin)
    with s.refused("ZeroAddress"):
        v.setReceivers(s.stranger, ZERO_ADDRESS, sender=s.admin)
    with s.refused("InvalidRecipient", recipient=v):
        v.setReceivers(v, s.stranger, sender=s.admin)
    with s.refused("InvalidRecipient", recipient=v):
        v.setReceivers(s.stranger, v, sender=s.admin)


# ---------------------------------------------------------------------------- pause / unpause


def test_pause_and_unpause(scene):
    s, v = scene, scene.vault
    receipt = v.pause(sender=s.pauser)
    assert events(receipt, v.Paused) == [{"account": s.pauser.address}]
    assert v.paused()
    receipt = v.unpause(sender=s.admin)
    assert events(receipt, v.Unpaused) == [{"account": s.admin.address}]
    assert not v.paused()
    # everything pause stops works again
    v.seedPool(1, 1, sender=s.operator)
    v.flashLoan(s.honest, s.usdc, UNIT, b"", sender=s.operator)
    s.proof(s.recipient, 2 * UNIT, UNIT, "after-unpause")
    assert v.poolCwusdcReserve() == RESERVE + 1


def test_pause_refusals(scene):
    s, v = scene, scene.vault
    # only PAUSER_ROLE pauses: not the admin, not the operator
    for who in (s.admin, s.operator, s.stranger):
        with s.refused("AccessControlUnauthorizedAccount", account=who, neededRole=PAUSER_ROLE):
            v.pause(sender=who)
    v.pause(sender=s.pauser)
    with s.refused("EnforcedPause"):
        v.pause(sender=s.pauser)


def test_unpause_refusals(scene):
    s, v = scene, scene.vault
    with s.refused("ExpectedPause"):
        v.unpause(sender=s.admin)
    v.pause(sender=s.pauser)
    for who in (s.pauser, s.operator, s.stranger):
        with s.refused("AccessControlUnauthorizedAccount", account=who, neededRole=DEFAULT_ADMIN_ROLE):
            v.unpause(sender=who)


# ---------------------------------------------------------------------------- roles (AccessControlDefaultAdminRules)


def test_roles_are_granted_and_revoked_by_the_admin_only(scene):
    s, v = scene, scene.vault
    s.watch(probes=[("operator?", lambda: v.hasRole(OPERATOR_ROLE, s.stranger))])
    with s.refused("AccessControlUnauthorizedAccount", account=s.operator, neededRole=DEFAULT_ADMIN_ROLE):
        v.grantRole(OPERATOR_ROLE, s.stranger, sender=s.operator)
    v.revokeRole(OPERATOR_ROLE, s.operator, sender=s.admin)
    assert not v.hasRole(OPERATOR_ROLE, s.operator)
    with s.refused("AccessControlUnauthorizedAccount", account=s.operator, neededRole=OPERATOR_ROLE):
        v.seedPool(1, 1, sender=s.operator)


def test_default_admin_cannot_be_granted_directly(scene):
    s, v = scene, scene.vault
    s.watch(probes=[("admin?", lambda: v.hasRole(DEFAULT_ADMIN_ROLE, s.stranger))])
    with s.refused("AccessControlEnforcedDefaultAdminRules"):
        v.grantRole(DEFAULT_ADMIN_ROLE, s.stranger, sender=s.admin)


def test_default_admin_transfer_waits_for_the_delay(scene, chain):
    s, v, new = scene, scene.vault, scene.stranger
    v.beginDefaultAdminTransfer(new, sender=s.admin)
    pending, schedule = v.pendingDefaultAdmin()
    assert pending == new.address and schedule > chain.blocks.head.timestamp
    s.watch(probes=[("defaultAdmin", v.defaultAdmin)])
    with s.refused("AccessControlEnforcedDefaultAdminDelay", schedule=schedule):
        v.acceptDefaultAdminTransfer(sender=new)

    chain.pending_timestamp = schedule + 1
    v.acceptDefaultAdminTransfer(sender=new)
    assert v.defaultAdmin() == new.address
    v.withdrawLenderUsdc(new, 1, sender=new)
    with s.refused("AccessControlUnauthorizedAccount", account=s.admin, neededRole=DEFAULT_ADMIN_ROLE):
        v.withdrawLenderUsdc(s.admin, 1, sender=s.admin)
    assert v.defaultAdminDelay() == ADMIN_DELAY
