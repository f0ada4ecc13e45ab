"""The full LPA transition matrix of add-on v1.5 §2.2: every (from, to, role) is allowed or refused
exactly as the add-on says; DISPUTED_HOLD is entered and left only by the dispute role."""

from __future__ import annotations

import itertools

import pytest

from tests.rail.scene import ROLE, STATES, build_scene, h

FINAL, ADJ, REV, HOLD = "POSTED_FINAL", "POSTED_ADJUSTMENT", "POSTED_REVERSAL", "DISPUTED_HOLD"
# add-on §2.2, verbatim: (from, to) -> the role that may make the move
ALLOWED = {
    (FINAL, ADJ): "ledger-ops", (FINAL, REV): "ledger-ops", (FINAL, HOLD): "dispute",
    (ADJ, FINAL): "ledger-ops", (ADJ, REV): "ledger-ops", (ADJ, HOLD): "dispute",
    (HOLD, FINAL): "dispute", (HOLD, ADJ): "dispute", (HOLD, REV): "dispute",
}
STATE_NAMES = (FINAL, ADJ, REV, HOLD)
ACTORS = ("ledger-ops", "dispute", "outsider")
# how to bring a fresh LPA into each state (each move by its own role)
PATHS = {FINAL: [], ADJ: [(ADJ, "ledger-ops")], REV: [(REV, "ledger-ops")], HOLD: [(HOLD, "dispute")]}
NEEDED = {"ledger-ops": "LEDGER_OPS_ROLE", "dispute": "DISPUTE_ROLE"}


@pytest.fixture(scope="module")
def scene():
    return build_scene()


def _actor(rail, name):
    return {"ledger-ops": rail.ops, "dispute": rail.dispute, "outsider": rail.recipient}[name]


@pytest.mark.parametrize("src,dst,actor", list(itertools.product(STATE_NAMES, ("NONE",) + STATE_NAMES, ACTORS)))
def test_transition(scene, src: str, dst: str, actor: str) -> None:
    rail = scene
    with rail.chain.anchor():
        label = f"{src}-{dst}-{actor}"
        lpa, _ = rail.post(label)
        for state, who in PATHS[src]:
            rail.attestation.transition(lpa, STATES[state], h("setup"), sender=_actor(rail, who))
        assert rail.attestation.stateOf(lpa) == STATES[src]
        sender = _actor(rail, actor)
        required = ALLOWED.get((src, dst))
        if required is None:
            with rail.refused("TransitionNotAllowed", h(f"lpa:{label}"), STATES[src], STATES[dst]):
                rail.attestation.transition(lpa, STATES[dst], h("move"), sender=sender)
            expected_role = b"\x00" * 32
        elif required != actor:
            with rail.refused("AccessControlUnauthorizedAccount", sender, ROLE[NEEDED[required]]):
                rail.attestation.transition(lpa, STATES[dst], h("move"), sender=sender)
            expected_role = ROLE[NEEDED[required]]
        else:
            receipt = rail.attestation.transition(lpa, STATES[dst], h("move"), sender=sender)
            [event] = receipt.events("LpaTransitioned")
            assert (event.args["from"], event.args["to"], event.args["reasonRef"]) == (STATES[src], STATES[dst], h("move"))
            assert rail.attestation.stateOf(lpa) == STATES[dst]
            assert rail.attestation.canMint(lpa) is (dst == FINAL)
            expected_role = ROLE[NEEDED[required]]
        assert rail.attestation.transitionRole(STATES[src], STATES[dst]) == expected_role


def test_unknown_lpa_cannot_move(scene) -> None:
    with scene.refused("UnknownLpa", h("lpa:nobody")):
        scene.attestation.transition(h("lpa:nobody"), STATES[ADJ], h("x"), sender=scene.ops)


def test_posting_rules(scene) -> None:
    rail = scene
    with rail.chain.anchor():
        lpa, ref = rail.post("posting")
        assert rail.attestation.stateOf(lpa) == STATES[FINAL] and rail.attestation.canMint(lpa)
        with rail.refused("LpaExists", h("lpa:posting")):
            rail.attestation.postLpa(lpa, h("ref:new"), sender=rail.ops)
        with rail.refused("ZeroValue"):
            rail.attestation.postLpa(h("lpa:zero"), b"\x00" * 32, sender=rail.ops)
        with rail.refused("AccessControlUnauthorizedAccount", rail.dispute, ROLE["LEDGER_OPS_ROLE"]):
            rail.attestation.postLpa(h("lpa:x"), h("ref:x"), sender=rail.dispute)
