"""The DBIS Rail part of `make demo`, on the in-process chain with chain id 138: register signers, post
an LPA, sign a Mint Authorization with three separate signer keys (elevated amount: COMPLIANCE
included), submit it and show the mint; then one refused authorization per rule, each with the rule
the off-chain check names and the custom error the router reverts with (the same name)."""

from __future__ import annotations

from typing import Any, Callable

from eth_utils import keccak

from dbis.engine import Reverted
from dbis.rail import rules
from dbis.rail import typed_data as td
from dbis.rail.local import ELEVATED, STATES, UNIT, RailScene, build_scene, h, scene_view

ZERO_ADDRESS = "0x" + "00" * 20

CATEGORY_NAMES = {v: k for k, v in rules.CATEGORIES.items()}


def _categories(mask: int) -> str:
    return "+".join(name for bit, name in CATEGORY_NAMES.items() if mask & bit)


def _attempt(rail: RailScene, label: str, auth: td.MintAuthorization, packed: bytes) -> dict[str, Any]:
    failures = rules.check(auth, packed, scene_view(rail, auth, rules.signers_in(auth, packed)))
    try:
        rail.submit(auth, packed)
        onchain = "executed"
    except Reverted as exc:
        onchain = str(exc.error)
    return {"case": label, "off_chain": str(failures[0]) if failures else "passes", "on_chain": onchain,
            "same_rule": bool(failures) and onchain.startswith(failures[0].rule + "(")}


def refusals(rail: RailScene) -> list[dict[str, Any]]:
    """One refused authorization per rule, on the live scene (each leaves the state unchanged)."""
    out = []

    def case(label: str, make: Callable[[], tuple[td.MintAuthorization, bytes]]) -> None:
        auth, packed = make()
        out.append(_attempt(rail, label, auth, packed))

    done = rail.auth("demo-done")
    rail.submit(done, rail.sign(done, "ops-a", "ops-b"))
    case("replayed messageId", lambda: (done, rail.sign(done, "ops-a", "ops-b")))

    def reused():
        a = rail.auth("demo-reuse", post=False, lpaId=done.lpaId, accountingRef=done.accountingRef)
        return a, rail.sign(a, "ops-a", "ops-b")
    case("reused accountingRef", reused)

    def wrong_chain():
        a = rail.auth("demo-chain", chainId=1)
        return a, rail.sign(a, "ops-a", "ops-b")
    case("signed for chain 1", wrong_chain)

    def wrong_router():
        a = rail.auth("demo-router", verifyingContract="0x" + "ab" * 20)
        return a, rail.sign(a, "ops-a", "ops-b")
    case("signed for another router", wrong_router)

    def expired():
        a = rail.auth("demo-expired", deadline=rail.chain.timestamp - 1)
        return a, rail.sign(a, "ops-a", "ops-b")
    case("expired deadline", expired)

    def short():
        a = rail.auth("demo-short")
        return a, rail.sign(a, "ops-a")
    case("one signature (quorum 2)", short)

    def no_compliance():
        a = rail.auth("demo-nocomp", amount=ELEVATED + 1)
        return a, rail.sign(a, "ops-a", "ops-b", "treasury")
    case("elevated amount without COMPLIANCE", no_compliance)

    def unsorted():
        a = rail.auth("demo-unsorted")
        pairs = sorted(rail.raw_sigs(a, "ops-a", "ops-b"), key=lambda p: int(p[0], 16))
        return a, pairs[1][1] + pairs[0][1]
    case("signers not ascending", unsorted)

    def duplicate():
        a = rail.auth("demo-dup")
        _, sig = td.sign(a, rail.signers["ops-a"].key)
        return a, sig + sig
    case("duplicate signer", duplicate)

    def malleable():
        a = rail.auth("demo-high-s")
        pairs = sorted(rail.raw_sigs(a, "ops-a", "ops-b"), key=lambda p: int(p[0], 16))
        return a, pairs[0][1] + td.high_s_twin(pairs[1][1])
    case("high-s twin of a valid signature", malleable)

    def not_final():
        a = rail.auth("demo-adjusted")
        rail.attestation.transition(a.lpaId, STATES["POSTED_ADJUSTMENT"], h("adj"), sender=rail.ops)
        return a, rail.sign(a, "ops-a", "ops-b")
    case("LPA in POSTED_ADJUSTMENT", not_final)

    def revoked():
        rail.registry.revokeSigner(rail.signers["technical"].address, rail.chain.block_number, sender=rail.admin)
        a = rail.auth("demo-revoked")
        return a, rail.sign(a, "ops-a", "technical")
    case("signer revoked at the submission block", revoked)

    def not_effective():
        from eth_account import Account

        key = h("demo-new-signer")
        rail.registry.addSigner(Account.from_key(key).address, rules.CATEGORIES["OPERATIONS"],
                                rail.chain.block_number + 1, sender=rail.admin)
        a = rail.auth("demo-not-yet")
        return a, td.assemble([td.sign(a, key), td.sign(a, rail.signers["ops-a"].key)])
    case("signer effective one block later", not_effective)

    def over_window():
        a = rail.auth("demo-window", amount=rail.controller.remainingAllowance(rail.token.address) + 1)
        return a, rail.sign(a, "ops-a", "ops-b", "compliance")
    case("amount above the window allowance", over_window)

    def suspended():
        from dbis.rail.local import CANONICAL_ID

        rail.coins.setStatus(CANONICAL_ID, 2, sender=rail.admin)
        a = rail.auth("demo-suspended")
        return a, rail.sign(a, "ops-a", "ops-b")
    case("token SUSPENDED in the registry", suspended)

    def gate():
        att = reserve_attestation(rail)
        att.updateAttestation(False, sender=rail.admin)  # the reserve workflow found a deficit
        rail.router.setReserveGate(att.address, sender=rail.admin)
        a = rail.auth("demo-gate")
        return a, rail.sign(a, "ops-a", "ops-b")
    case("proof of reserve attests insolvent", gate)
    return out


def reserve_attestation(rail: RailScene) -> Any:
    """The real DBISReserveAttestation beside the Rail (the demo's admin is also its updater)."""
    att = rail.chain.deploy("DBISReserveAttestation", rail.admin, 0, rail.admin, 5009297550715157269, 86_400,
                            ZERO_ADDRESS, bytes(32), sender=rail.admin)
    att.grantRole(keccak(text="UPDATER_ROLE"), rail.admin, sender=rail.admin)
    return att


def reserve_recovered(rail: RailScene) -> dict[str, Any]:
    """After the refusals: the reserve is attested solvent again and the same kind of mint executes."""
    from dbis.rail.local import CANONICAL_ID

    rail.coins.setStatus(CANONICAL_ID, 1, sender=rail.admin)  # the refusals left GRU suspended
    att = rail.chain.at("DBISReserveAttestation", rail.router.reserveGate())
    att.updateAttestation(True, sender=rail.admin)
    auth = rail.auth("demo-after-recovery")
    before = rail.token.totalSupply()
    rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))
    return {"gate": att.address, "healthy": att.isReserveHealthy(), "amount": auth.amount,
            "minted": rail.token.totalSupply() - before}


def run(progress: Callable[[str], None] = print) -> dict[str, Any]:
    """The Rail scenario; returns what `render` prints and the report stores."""
    rail = build_scene()
    signers = [{"name": s.name, "address": s.address, "categories": _categories(s.categories),
                "effective_from_block": rail.registry.signerOf(s.address)[1]} for s in rail.signers.values()]
    auth = rail.auth("demo-settlement", amount=ELEVATED + 250 * UNIT)
    lpa = rail.attestation.lpaOf(auth.lpaId)
    names = ("ops-a", "ops-b", "compliance")
    pairs = [td.sign(auth, rail.signers[n].key) for n in names]  # three separate keys, three files in practice
    packed = td.assemble(pairs)
    supply_before = rail.token.totalSupply()
    receipt = rail.submit(auth, packed)
    event = receipt.events("MintAuthorizationExecuted")[0].args
    minted = {
        "messageId": auth.messageId, "lpaId": auth.lpaId, "accountingRef": auth.accountingRef,
        "lpa_state_at_issuance": rules.LPA_STATES[lpa[1]], "digest": "0x" + td.digest(auth).hex(),
        "recipient": auth.recipient, "amount": auth.amount, "supply_before": supply_before,
        "supply_after": rail.token.totalSupply(), "recipient_balance": rail.token.balanceOf(auth.recipient),
        "threshold": event["threshold"], "signer_count": event["signerCount"],
        "categories": _categories(event["signerCategories"]),
        "signers": td.signers_of(bytes(event["digest"]), packed),
        "signers_hash_matches": bytes(event["signersHash"]) == td.signers_hash(td.signers_of(bytes(event["digest"]),
                                                                                            packed)),
        "gas_used": receipt.gas_used,
    }
    refused = refusals(rail)
    recovered = reserve_recovered(rail)
    return {"chain_id": rail.chain.chain_id, "router": rail.router.address, "token": rail.token.address,
            "signers": signers, "mint": minted, "refusals": refused, "reserve_recovered": recovered,
            "ok": minted["supply_after"] - supply_before == auth.amount and minted["signers_hash_matches"]
            and all(r["same_rule"] for r in refused)
            and recovered["healthy"] and recovered["minted"] == recovered["amount"]}


def render(result: dict[str, Any]) -> str:
    m = result["mint"]
    lines = [f"Rail on chain {result['chain_id']}: router {result['router']}, GRU token {result['token']}",
             "signers (registry):"]
    lines += [f"  {s['name']:11} {s['address']}  {s['categories']:11} effective from block {s['effective_from_block']}"
              for s in result["signers"]]
    lines += [f"LPA {m['lpaId'][:18]}… for accountingRef {m['accountingRef'][:18]}… is {m['lpa_state_at_issuance']}",
              f"MintAuthorization {m['messageId'][:18]}… digest {m['digest'][:18]}…, amount {m['amount'] / 1e6:,.6f} GRU "
              f"(above the elevated threshold: quorum {m['threshold']} with COMPLIANCE)",
              f"signed by {m['signer_count']} separate keys ({m['categories']}): {', '.join(m['signers'])}",
              f"minted {m['amount'] / 1e6:,.6f} GRU to {m['recipient']}: supply {m['supply_before'] / 1e6:,.6f} -> "
              f"{m['supply_after'] / 1e6:,.6f}, gas {m['gas_used']:,}; signersHash matches the recovered signers: "
              f"{'yes' if m['signers_hash_matches'] else 'NO'}",
              "refused authorizations (off-chain check, then the router's own refusal):"]
    for r in result["refusals"]:
        lines.append(f"  {r['case']:40} off-chain: {r['off_chain']}")
        lines.append(f"  {'':40} on-chain:  {r['on_chain']}")
    rec = result["reserve_recovered"]
    lines.append(f"reserve attested solvent again ({rec['gate']}): the next mint executed, "
                 f"{rec['minted'] / 1e6:,.6f} GRU")
    return "\n".join(lines)


if __name__ == "__main__":
    out = run()
    print(render(out))
    print("rail demo checks: " + ("passed" if out["ok"] else "FAILED"))
