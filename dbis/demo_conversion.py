"""The conversion part of `make demo` (issue 6), on the in-process chain with chain id 138: the real
Uniswap V3 pool behind an allowlisted venue approved by 3 signers including COMPLIANCE; a small
conversion with 2 signers and a large one with 3 (COMPLIANCE included), each with its
ConversionExecuted event and stored quoteHash; then one refused conversion per rule, each with the
rule the off-chain check names and the custom error the router reverts with (the same name)."""

from __future__ import annotations

from typing import Any, Callable

from eth_account import Account

from dbis.engine import FastChain, Reverted
from dbis.rail import conversion as cv
from dbis.rail import conversion_local as local

SMALL = 1_000 * local.UNIT


def _attempt(scene: local.ConversionScene, label: str, auth: cv.SwapAuthorization, names: tuple[str, ...]) -> dict:
    sigs = scene.sign(auth, *names)
    failures = cv.check_swap(auth, sigs, local.scene_view(scene, auth, [scene.signer(n) for n in names]))
    try:
        scene.convert(auth, signatures=sigs)
        on_chain = "accepted"
    except Reverted as exc:
        on_chain = str(exc.error.name)
    return {"case": label, "off_chain": failures[0].rule if failures else "passes", "on_chain": on_chain}


def _refusals(scene: local.ConversionScene) -> list[dict[str, Any]]:
    two = ("ops-a", "ops-b")
    cases: list[tuple[str, Callable[[], tuple[cv.SwapAuthorization, tuple[str, ...]]]]] = [
        ("deadline beyond the 120 s window", lambda: (scene.auth(SMALL, deadline=scene.chain.timestamp + 121), two)),
        ("venue not on the allowlist", lambda: (scene.auth(SMALL, venue=cv.venue_id("any-pool")), two)),
        ("quote issuer not allowed", lambda: (scene.auth(SMALL, quote=scene.quote(SMALL, issuer=scene.trader)), two)),
        ("one signer", lambda: (scene.auth(SMALL), ("ops-a",))),
        ("large swap without COMPLIANCE", lambda: (scene.auth(local.ELEVATED + 1), ("ops-a", "ops-b", "treasury"))),
    ]
    out = []
    for label, make in cases:
        with scene.chain.anchor():
            out.append(_attempt(scene, label, *make()))
    with scene.chain.anchor():
        scene.router.setDenylisted(scene.trader, True, sender=scene.admin)
        out.append(_attempt(scene, "caller on the router's denylist", scene.auth(SMALL), two))
    with scene.chain.anchor():
        scene.sanctions.setSanctioned(scene.pool.address, True, sender=scene.admin)
        out.append(_attempt(scene, "pool on the sanctions list", scene.auth(SMALL), two))
    with scene.chain.anchor():
        scene.coins.setStatus(local.GRU_ID, 2, sender=scene.admin)
        out.append(_attempt(scene, "GRU suspended in the stablecoin registry", scene.auth(SMALL), two))
    return out


def run(progress: Callable[[str], None] = print) -> dict[str, Any]:
    scene = local.build(FastChain(chain_id=local.CHAIN_ID))
    conversions = []
    for label, amount, names in (("small", SMALL, ("ops-a", "ops-b")),
                                 ("large", 20_000 * local.UNIT, ("ops-a", "compliance", "treasury"))):
        auth = scene.auth(amount)
        receipt = scene.convert(auth, *names)
        (log,) = receipt.events("ConversionExecuted")
        stored = "0x" + scene.router.quoteHashOf(auth.messageId).hex()
        conversions.append({"case": label, "signers": [f"{n} ({Account.from_key(scene.keys[n]).address})"
                                                       for n in names],
                            "amountIn": amount, "amountOut": log.args["amountOut"], "quoteHash": auth.quoteHash,
                            "stored_quoteHash": stored, "gas": receipt.gas_used})
    refusals = _refusals(scene)
    ok = all(c["stored_quoteHash"] == c["quoteHash"] and c["amountOut"] > 0 for c in conversions) and all(
        r["off_chain"] == r["on_chain"] != "accepted" for r in refusals)
    return {"router": str(scene.router.address), "pool": str(scene.pool.address), "conversions": conversions,
            "refusals": refusals, "ok": ok}


def render(result: dict[str, Any]) -> str:
    lines = [f"== DBIS conversion router (chain id 138): router {result['router']}, real Uniswap V3 pool {result['pool']}"]
    for c in result["conversions"]:
        lines.append(f"  {c['case']}: {c['amountIn'] / 1e6:,.0f} cWUSDC -> {c['amountOut'] / 1e6:,.6f} GRU, "
                     f"{len(c['signers'])} signers, gas {c['gas']:,}, quoteHash stored {c['stored_quoteHash'][:18]}...")
    for r in result["refusals"]:
        lines.append(f"  refused: {r['case']}: off-chain {r['off_chain']}, on-chain {r['on_chain']}")
    lines.append(f"  conversion checks passed: {result['ok']}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(run()))
