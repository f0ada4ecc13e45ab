"""DBISEngineXVirtualBatchVault: constructor, constants and its bounds."""

import pytest

from .support import (
    ADMIN_DELAY,
    CALLBACK_SUCCESS,
    DEFAULT_ADMIN_ROLE,
    MAX_LOSS_BPS,
    OPERATOR_ROLE,
    PAUSER_ROLE,
    VIRTUAL_FEE_BPS,
    ZERO_ADDRESS,
    events,
)


def test_constructor_stores_configuration(fresh, actors):
    s, v = fresh, fresh.vault
    assert v.cwusdc() == s.cw.address
    assert v.usdc() == s.usdc.address
    assert v.virtualFeeBps() == VIRTUAL_FEE_BPS
    assert v.maxRoundTripLossBps() == MAX_LOSS_BPS
    assert v.surplusReceiver() == actors["surplus"].address
    assert v.roundingReceiver() == actors["rounding"].address
    assert v.defaultAdmin() == actors["admin"].address
    assert v.defaultAdminDelay() == ADMIN_DELAY
    assert v.hasRole(DEFAULT_ADMIN_ROLE, actors["admin"])
    # nothing is accounted, configured or paused at birth
    assert (v.poolCwusdcReserve(), v.poolUsdcReserve(), v.lenderUsdcAvailable()) == (0, 0, 0)
    assert (v.maxFlashLoanCap(), v.flashFeeBps(), v.paused()) == (0, 0, False)


def test_constants(fresh):
    v = fresh.vault
    assert v.OPERATOR_ROLE() == OPERATOR_ROLE
    assert v.PAUSER_ROLE() == PAUSER_ROLE
    assert v.CALLBACK_SUCCESS() == CALLBACK_SUCCESS
    assert (v.BPS(), v.MAX_VIRTUAL_FEE_BPS(), v.MAX_FLASH_FEE_BPS()) == (10_000, 1_000, 100)


def test_constructor_emits_receivers_set(project, fresh, actors):
    a = actors
    vault = project.DBISEngineXVirtualBatchVault.deploy(
        fresh.cw, fresh.usdc, a["admin"], 0, a["recipient"], a["recipient2"], 0, 0, sender=a["admin"]
    )
    assert events(vault.creation_metadata.receipt, vault.ReceiversSet) == [
        {"surplusReceiver": a["recipient"].address, "roundingReceiver": a["recipient2"].address}
    ]


def test_constructor_accepts_the_upper_bounds(project, fresh, actors):
    a = actors
    vault = project.DBISEngineXVirtualBatchVault.deploy(
        fresh.cw, fresh.usdc, a["admin"], 0, a["surplus"], a["rounding"], 1_000, 10_000, sender=a["admin"]
    )
    assert (vault.virtualFeeBps(), vault.maxRoundTripLossBps()) == (1_000, 10_000)


# (label, argument overrides, error, error inputs); "SELF" is the address the vault would get
REFUSALS = [
    ("zero cwusdc", {"cw": ZERO_ADDRESS}, "ZeroAddress", {}),
    ("zero usdc", {"usdc": ZERO_ADDRESS}, "ZeroAddress", {}),
    ("same token twice", {"usdc": "CW"}, "UnsupportedToken", {"token": "CW"}),
    ("virtual fee above 10%", {"fee": 1_001}, "InvalidBps", {"bps": 1_001, "max": 1_000}),
    ("loss cap above 100%", {"loss": 10_001}, "InvalidBps", {"bps": 10_001, "max": 10_000}),
    ("zero surplus receiver", {"surplus": ZERO_ADDRESS}, "ZeroAddress", {}),
    ("zero rounding receiver", {"rounding": ZERO_ADDRESS}, "ZeroAddress", {}),
    ("vault as surplus receiver", {"surplus": "SELF"}, "InvalidRecipient", {"recipient": "SELF"}),
    ("vault as rounding receiver", {"rounding": "SELF"}, "InvalidRecipient", {"recipient": "SELF"}),
    ("zero admin", {"admin": ZERO_ADDRESS}, "AccessControlInvalidDefaultAdmin",
     {"defaultAdmin": ZERO_ADDRESS}),
]


@pytest.mark.parametrize("label,overrides,error,inputs", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_constructor_refusals(project, chain, fresh, actors, label, overrides, error, inputs):
    a = actors
    deployer = a["admin"]
    self_address = deployer.get_deployment_address()
    sub = {"SELF": self_address, "CW": fresh.cw.address}
    args = {
        "cw": fresh.cw.address, "usdc": fresh.usdc.address, "admin": deployer.address,
        "surplus": a["surplus"].address, "rounding": a["rounding"].address,
        "fee": VIRTUAL_FEE_BPS, "loss": MAX_LOSS_BPS,
    }
    args.update({k: sub.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()})
    inputs = {k: sub.get(v, v) if isinstance(v, str) else v for k, v in inputs.items()}
    with fresh.reverts(error, **inputs):
        project.DBISEngineXVirtualBatchVault.deploy(
            args["cw"], args["usdc"], args["admin"], 0, args["surplus"], args["rounding"],
            args["fee"], args["loss"], sender=deployer,
        )
    # nothing was created where the vault would have been
    assert len(chain.provider.get_code(self_address)) == 0
