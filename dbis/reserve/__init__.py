"""Proof of reserve (from the Self-Healing Reserve): the boolean attestation, the reserve workflow
that publishes it, and the monitor that plans and runs a recovery when the reserve is insolvent."""
