"""The Rail test scene lives in the harness (dbis.rail.local), shared with the benchmark and the demo."""

from dbis.rail.local import *  # noqa: F401,F403
from dbis.rail.local import (  # noqa: F401 - explicit names the tests use
    ALLOWANCE, CANONICAL_ID, CHAIN_ID, COMPLIANCE, ELEVATED, NEVER, OPERATIONS, ROLE, STATES, TECHNICAL, TREASURY,
    UNIT, WINDOW, RailScene, build_scene, h, hx, scene_view,
)
