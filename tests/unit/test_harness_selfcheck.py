"""The refusal helpers themselves must be able to fail, or every refusal test is hollow."""

import pytest

from .support import UNIT, h


def test_reverts_rejects_the_wrong_error(scene):
    with pytest.raises(AssertionError, match="expected revert UnequalAmounts"):
        with scene.reverts("UnequalAmounts"):
            scene.vault.seedPool(0, 0, sender=scene.operator)  # ZeroAmount


def test_reverts_rejects_wrong_error_arguments(scene):
    with pytest.raises(AssertionError, match="UnequalAmounts.usdcAmount"):
        with scene.reverts("UnequalAmounts", cwusdcAmount=2, usdcAmount=3):
            scene.vault.seedPool(2, 1, sender=scene.operator)


def test_reverts_rejects_a_nested_error_from_another_contract(scene):
    scene.usdc.approve(scene.vault, 0, sender=scene.operator)
    with pytest.raises(AssertionError, match="got ERC20InsufficientAllowance"):
        with scene.reverts("InsufficientLenderUsdc"):
            scene.vault.fundLender(1, sender=scene.operator)


def test_reverts_rejects_a_call_that_does_not_revert(scene):
    with pytest.raises(AssertionError, match="nothing reverted"):
        with scene.reverts("ZeroAmount"):
            scene.vault.seedPool(1, 1, sender=scene.operator)


def test_refused_rejects_a_state_change(scene):
    with pytest.raises(AssertionError, match="lenderUsdcAvailable"):
        with scene.refused("ZeroAmount"):
            scene.vault.fundLender(UNIT, sender=scene.operator)  # succeeds and changes the bucket
            scene.vault.fundLender(0, sender=scene.operator)


def test_refused_watches_proof_ids(scene):
    scene.watch(proof_ids=[h("watched")])
    with pytest.raises(AssertionError, match="proofIdUsed"):
        with scene.refused("ZeroAmount"):
            scene.proof(scene.recipient, 2 * UNIT, UNIT, "watched")
            scene.vault.seedPool(0, 0, sender=scene.operator)


def test_static_call_reports_view_errors_undamaged(fresh):
    with pytest.raises(AssertionError, match="got EmptyPool"):
        with fresh.reverts("ZeroAmount"):
            fresh.static(fresh.vault, "previewVirtualProof", 1)
