"""Public-LP operator commands against a real Uniswap V3 pool (plan builders for dbis.operator).

* `univ3-local-stack`: the real Uniswap V3 stack (npm bytecode) and test tokens on the local chain;
* `indexed-lp-migration`: create the cWUSDC/USDC pool at exactly 1:1 if missing, raise its
  observation cardinality for the TWAP, withdraw the Engine X rail and mint the position;
* `indexed-vault-deploy`: the DBISEngineXIndexedLiquidityVault against that pool;
* `univ3-swap-proof`: a tiny real swap through the SwapRouter (its hash is the public evidence);
* `indexed-proof-record`: record the indexed proof from the real swap and liquidity hashes.

The Uniswap V3 addresses come from the network's `uniswap_v3` section (mainnet) or, on the local
network, from the journal of `univ3-local-stack`; the gate limits from its `indexed_lp` section.
"""

from __future__ import annotations

from typing import Any

from eth_utils import function_signature_to_4byte_selector, keccak
from web3 import Web3

from dbis import abi, uniswap
from dbis.commands.engine_x import _address, default_tag, token_steps
from dbis.errors import OperatorError
from dbis.hashing import keccak_json
from dbis.operator import BuildContext
from dbis.plan import Plan, Step, call, deploy, ref

VAULT = "DBISEngineXIndexedLiquidityVault"
RAIL_VAULT = "DBISEngineXVirtualBatchVault"
ERC20 = "TestERC20"
OPERATOR_ROLE = "0x" + keccak(text="OPERATOR_ROLE").hex()
PAUSER_ROLE = "0x" + keccak(text="PAUSER_ROLE").hex()
STACK = "univ3-local-stack"
MIGRATION = "indexed-lp-migration"
VAULT_DEPLOY = "indexed-vault-deploy"
SWAP_PROOF = "univ3-swap-proof"
RECORD = "indexed-proof-record"
EVIDENCE_FORMAT = "dbis-engine-x-indexed-proof-evidence/v1"
BPS = 10_000


def config(ctx: BuildContext) -> dict[str, Any]:
    return ctx.net.section("indexed_lp")


def stack(ctx: BuildContext) -> uniswap.UniswapStack:
    """The official stack of the network config, else (local) the one univ3-local-stack journaled."""
    cfg = ctx.net.raw.get("uniswap_v3") or {}
    if cfg.get("factory"):
        found = uniswap.UniswapStack(cfg["factory"], cfg["position_manager"], cfg["swap_router"], cfg.get("weth") or "")
    elif ctx.net.is_local and f"{STACK}/deploy-factory" in ctx.addresses:
        a = ctx.addresses
        found = uniswap.UniswapStack(a[f"{STACK}/deploy-factory"], a[f"{STACK}/deploy-position-manager"],
                                     a[f"{STACK}/deploy-swap-router"], a[f"{STACK}/deploy-weth"])
    elif ctx.net.is_local:
        raise OperatorError("no Uniswap V3 stack on local: run univ3-local-stack with EXECUTE=1 (and --rpc-url) first")
    else:
        raise OperatorError(f"network {ctx.net.name} has no uniswap_v3 section in config/networks/{ctx.net.name}.json")
    for name in ("factory", "position_manager", "swap_router"):
        if not ctx.w3.eth.get_code(Web3.to_checksum_address(getattr(found, name))):
            raise OperatorError(f"no contract at the Uniswap V3 {name.replace('_', ' ')} {getattr(found, name)} "
                                f"on {ctx.net.name}")
    return found


def tokens(ctx: BuildContext) -> tuple[str, str]:
    """(cwusdc, usdc): flags, the network config, the local stack's test tokens, or the rail vault's."""
    found = {}
    rail = rail_vault(ctx)
    for name in ("cwusdc", "usdc"):
        value = _address(ctx, name) or ctx.addresses.get(f"{STACK}/deploy-{name}")
        if not value and rail:
            value = Web3.to_checksum_address(ctx.view(rail, RAIL_VAULT, name)[0])
        if not value:
            raise OperatorError(f"no {name} address for {ctx.net.name}: set tokens.{name} in "
                                f"config/networks/{ctx.net.name}.json or pass --{name}")
        found[name] = value
    return found["cwusdc"], found["usdc"]


def rail_vault(ctx: BuildContext) -> str | None:
    """The Engine X rail vault: --rail-vault, else the one v2-deploy journaled (None if neither)."""
    value = _address(ctx, "rail_vault") or ctx.addresses.get("v2-deploy/deploy-vault")
    return Web3.to_checksum_address(value) if value else None


def _plan(ctx: BuildContext, command: str, key: str, steps: list[Step], params: dict[str, Any]) -> Plan:
    return Plan(command=command, network=ctx.net.name, chain_id=ctx.net.chain_id, sender=ctx.sender, key=key,
                steps=tuple(steps), params=params)


# ---------------------------------------------------------------------------- univ3-local-stack


def build_univ3_local_stack(ctx: BuildContext) -> Plan:
    """Deploy the real Uniswap V3 factory, position manager and router, a test WETH9 and (unless
    given) cWUSDC/USDC test tokens minted to the sender. Local network only."""
    if not ctx.net.is_local:
        raise OperatorError(f"univ3-local-stack deploys test contracts: local network only (not {ctx.net.name}); "
                            f"{ctx.net.name} uses the official addresses of its uniswap_v3 section")
    mint = int(ctx.param("mint", config(ctx)["local_mint"]))
    if mint < 0:
        raise OperatorError("--mint must not be negative")
    steps: list[Step] = [
        deploy("deploy-weth", uniswap.WETH, note="test WETH9"),
        deploy("deploy-factory", uniswap.FACTORY, events=("OwnerChanged",), note="npm @uniswap/v3-core"),
        *(call(f"enable-fee-{fee}", ref("deploy-factory"), uniswap.FACTORY, "enableFeeAmount", fee, spacing,
               events=("FeeAmountEnabled",), note="as Uniswap governance did on mainnet")
          for fee, spacing in uniswap.GOVERNANCE_FEE_TIERS),
        deploy("deploy-position-manager", uniswap.POSITION_MANAGER, ref("deploy-factory"), ref("deploy-weth"),
               uniswap.ZERO_ADDRESS, note="npm @uniswap/v3-periphery; no token descriptor"),
        deploy("deploy-swap-router", uniswap.SWAP_ROUTER, ref("deploy-factory"), ref("deploy-weth"),
               note="npm @uniswap/v3-periphery"),
    ]
    token_plan, found = token_steps(ctx, (("cwusdc", "cWUSDC", mint), ("usdc", "USDC", mint)))
    label = str(ctx.param("label", "v1"))
    return _plan(ctx, STACK, f"{STACK}:{label}", steps + token_plan,
                 {"label": label, "mint": mint, "pool_init_code_hash": uniswap.pool_init_code_hash(), **found})


# ---------------------------------------------------------------------------- indexed-lp-migration


def _has_function(code: bytes, signature: str) -> bool:
    """Whether deployed code dispatches `signature` (its selector pushed by a PUSH4)."""
    return b"\x63" + function_signature_to_4byte_selector(signature) in code


def _position(ctx: BuildContext, st: uniswap.UniswapStack, token0: str, token1: str, fee: int, lower: int,
              upper: int) -> int | None:
    """ID of a position of the sender with liquidity in exactly this pool and range, if any."""
    manager = st.position_manager
    count = ctx.view(manager, uniswap.POSITION_MANAGER, "balanceOf", ctx.sender)[0]
    for index in range(count):
        token_id = ctx.view(manager, uniswap.POSITION_MANAGER, "tokenOfOwnerByIndex", ctx.sender, index)[0]
        p = ctx.view(manager, uniswap.POSITION_MANAGER, "positions", token_id)
        if (p[2].lower(), p[3].lower(), p[4], p[5], p[6]) == (token0.lower(), token1.lower(), fee, lower, upper) \
                and p[7] > 0:
            return int(token_id)
    return None


def build_indexed_lp_migration(ctx: BuildContext) -> Plan:
    """Move the Engine X rail into the official Uniswap V3 cWUSDC/USDC pool at exactly 1:1.

    Convergent: each step is planned only while its effect is missing (pool, cardinality,
    position), so a re-run after success plans, simulates and sends nothing.
    """
    cfg = config(ctx)
    st = stack(ctx)
    cwusdc, usdc = tokens(ctx)
    fee = int(cfg["fee"])
    sqrt_price = int(cfg["sqrt_price_x96"])
    lower, upper = int(cfg["tick_lower"]), int(cfg["tick_upper"])
    cardinality = int(cfg["observation_cardinality"])
    token0, token1 = uniswap.sort_tokens(cwusdc, usdc)
    pool = uniswap.pool_address(st.factory, token0, token1, fee)
    listed = ctx.view(st.factory, uniswap.FACTORY, "getPool", token0, token1, fee)[0]
    if int(listed, 16) not in (0, int(pool, 16)):
        raise OperatorError(f"factory lists pool {listed}, not the computed {pool}: wrong init code hash or factory")
    spacing = ctx.view(st.factory, uniswap.FACTORY, "feeAmountTickSpacing", fee)[0]
    if spacing == 0:
        raise OperatorError(f"fee tier {fee} is not enabled on factory {st.factory}")
    if lower % spacing or upper % spacing or not lower < upper:
        raise OperatorError(f"position range [{lower}, {upper}] does not fit tick spacing {spacing}")
    params: dict[str, Any] = {"factory": st.factory, "position_manager": st.position_manager, "pool": pool,
                              "token0": token0, "token1": token1, "fee": fee, "sqrt_price_x96": sqrt_price,
                              "tick_lower": lower, "tick_upper": upper, "observation_cardinality": cardinality}
    key = f"{MIGRATION}:{pool}"
    steps: list[Step] = []
    exists = bool(ctx.w3.eth.get_code(pool))
    current = uniswap.slot0(ctx.w3, pool) if exists else None
    minted = _position(ctx, st, token0, token1, fee, lower, upper) if exists else None
    params["pool_exists"] = exists
    if minted is not None:
        params.update(position=minted, status="position already minted")
    if current is None or current[0] == 0:
        steps.append(call("create-pool", st.position_manager, uniswap.POSITION_MANAGER,
                          "createAndInitializePoolIfNecessary", token0, token1, fee, sqrt_price,
                          events=("Initialize",)))
    elif current[0] != sqrt_price and minted is None:
        raise OperatorError(
            f"pool {pool} exists at sqrtPriceX96 {current[0]} (tick {current[1]}), not 1:1 ({sqrt_price}); "
            "minting now would not fund it at the peg: repair the price first"
        )
    if current is None or current[4] < cardinality:
        steps.append(call("raise-cardinality", pool, uniswap.POOL, "increaseObservationCardinalityNext", cardinality,
                          note="oracle history for the vault's TWAP check"))
    if minted is None:
        amount, rail_steps = _migration_funds(ctx, cfg, cwusdc, usdc)
        steps += rail_steps
        amounts = {cwusdc.lower(): amount, usdc.lower(): amount}
        amount0, amount1 = amounts[token0.lower()], amounts[token1.lower()]
        slippage = int(cfg["mint_slippage_bps"])
        for token, value in ((token0, amount0), (token1, amount1)):
            if ctx.view(token, ERC20, "allowance", ctx.sender, st.position_manager)[0] < value:
                steps.append(call(f"approve-{'cwusdc' if token == cwusdc else 'usdc'}", token, ERC20, "approve",
                                  st.position_manager, value, events=("Approval",)))
        steps.append(call(
            "mint", st.position_manager, uniswap.POSITION_MANAGER, "mint",
            [token0, token1, fee, lower, upper, amount0, amount1, amount0 * (BPS - slippage) // BPS,
             amount1 * (BPS - slippage) // BPS, ctx.sender, uniswap.DEADLINE],
            events=("IncreaseLiquidity",),
        ))
        params["amount"] = amount
    return _plan(ctx, MIGRATION, key, steps, params)


def _migration_funds(ctx: BuildContext, cfg: dict[str, Any], cwusdc: str, usdc: str) -> tuple[int, list[Step]]:
    """The amount of each token to mint with, and the rail withdrawal that provides it (if any)."""
    rail = rail_vault(ctx)
    steps: list[Step] = []
    amount = ctx.param("amount")
    if rail:
        if not _has_function(bytes(ctx.w3.eth.get_code(rail)), "withdrawPoolLiquidity(address,uint256,uint256)"):
            raise OperatorError(f"vault {rail} has no withdrawPoolLiquidity (a legacy vault): deploy the "
                                "accounting-aware vault (v2-deploy) before migrating")
        reserve = ctx.view(rail, RAIL_VAULT, "poolCwusdcReserve")[0]
        if reserve != ctx.view(rail, RAIL_VAULT, "poolUsdcReserve")[0]:
            raise OperatorError(f"vault {rail} reserves are not equal; the rail cannot be migrated 1:1")
        amount = int(amount if amount is not None else reserve)
        take = min(amount, reserve)
        if take:
            steps.append(call("withdraw-rail", rail, RAIL_VAULT, "withdrawPoolLiquidity", ctx.sender, take, take,
                              events=("PoolLiquidityWithdrawn",)))
        held = take
    else:
        amount = int(amount if amount is not None else cfg["seed_amount"])
        held = 0
    if amount <= 0:
        raise OperatorError("nothing to migrate: the rail is empty; pass --amount to fund from the sender")
    for name, token in (("cWUSDC", cwusdc), ("USDC", usdc)):
        balance = ctx.view(token, ERC20, "balanceOf", ctx.sender)[0]
        if balance + held < amount:
            raise OperatorError(f"the sender holds {balance} {name} (+{held} from the rail), needs {amount}")
    return amount, steps


# ---------------------------------------------------------------------------- indexed-vault-deploy


def existing_pool(ctx: BuildContext, st: uniswap.UniswapStack, cwusdc: str, usdc: str, fee: int) -> str:
    pool = _address(ctx, "pool") or uniswap.get_pool(ctx.w3, st, cwusdc, usdc, fee)
    if not pool or not ctx.w3.eth.get_code(pool):
        raise OperatorError(f"no cWUSDC/USDC pool (fee {fee}) on {ctx.net.name}: run indexed-lp-migration first")
    return pool


def limits(cfg: dict[str, Any], token0: str, cwusdc: str) -> list[int]:
    """The vault's Limits tuple from the config (floors named by token, ordered as token0/token1)."""
    floors = (int(cfg["min_balance_cwusdc"]), int(cfg["min_balance_usdc"]))
    balance0, balance1 = floors if token0.lower() == cwusdc.lower() else floors[::-1]
    return [int(cfg["parity_tick"]), int(cfg["max_tick_drift"]), int(cfg["twap_window"]), int(cfg["min_liquidity"]),
            int(cfg["max_proof_amount"]), balance0, balance1]


def build_indexed_vault_deploy(ctx: BuildContext) -> Plan:
    """Deploy DBISEngineXIndexedLiquidityVault against the cWUSDC/USDC pool; allowlist the sender."""
    cfg = config(ctx)
    st = stack(ctx)
    cwusdc, usdc = tokens(ctx)
    pool = existing_pool(ctx, st, cwusdc, usdc, int(cfg["fee"]))
    token0 = ctx.view(pool, uniswap.POOL, "token0")[0]
    gate = limits(cfg, token0, cwusdc)
    if gate[2] and uniswap.slot0(ctx.w3, pool)[4] < 2:
        raise OperatorError(f"pool {pool} keeps one observation: run indexed-lp-migration (raises the cardinality) "
                            "before deploying a vault with a TWAP window")
    admin = _address(ctx, "admin") or ctx.sender
    vault = ref("deploy-vault")
    steps = [
        deploy("deploy-vault", VAULT, pool, ctx.sender, int(cfg["admin_transfer_delay"]), gate, events=("LimitsSet",)),
        call("grant-operator", vault, VAULT, "grantRole", OPERATOR_ROLE, ctx.sender, events=("RoleGranted",)),
        call("grant-pauser", vault, VAULT, "grantRole", PAUSER_ROLE, ctx.sender, events=("RoleGranted",)),
    ]
    if admin.lower() != ctx.sender.lower():
        steps.append(call("begin-admin-transfer", vault, VAULT, "beginDefaultAdminTransfer", admin,
                          events=("DefaultAdminTransferScheduled",)))
    label = str(ctx.param("label", "v1"))
    return _plan(ctx, VAULT_DEPLOY, f"{VAULT_DEPLOY}:{label}", steps,
                 {"pool": pool, "limits": gate, "admin": admin, "label": label})


# ---------------------------------------------------------------------------- univ3-swap-proof


def build_univ3_swap_proof(ctx: BuildContext) -> Plan:
    """A tiny real swap through the official SwapRouter; its transaction hash is the public evidence."""
    cfg = config(ctx)
    st = stack(ctx)
    cwusdc, usdc = tokens(ctx)
    fee = int(cfg["fee"])
    pool = existing_pool(ctx, st, cwusdc, usdc, fee)
    direction = str(ctx.param("direction", "usdc-to-cwusdc"))
    if direction not in ("usdc-to-cwusdc", "cwusdc-to-usdc"):
        raise OperatorError("--direction must be usdc-to-cwusdc or cwusdc-to-usdc")
    token_in, token_out = (usdc, cwusdc) if direction == "usdc-to-cwusdc" else (cwusdc, usdc)
    amount = int(ctx.param("amount", cfg["swap_amount"]))
    if amount <= 0:
        raise OperatorError("--amount must be positive")
    if ctx.view(token_in, ERC20, "balanceOf", ctx.sender)[0] < amount:
        raise OperatorError(f"the sender holds less than {amount} of {token_in}")
    # 1:1 less the pool fee (hundredths of a bp) and the configured slippage, rounded down.
    min_out = amount * (BPS * 100 - fee - int(cfg["swap_slippage_bps"]) * 100) // (BPS * 100)
    tag = str(ctx.param("tag") or default_tag())
    steps = [
        call("approve-router", token_in, ERC20, "approve", st.swap_router, amount, events=("Approval",)),
        call("swap", st.swap_router, uniswap.SWAP_ROUTER, "exactInputSingle",
             [token_in, token_out, fee, ctx.sender, uniswap.DEADLINE, amount, min_out, 0], events=("Swap",)),
    ]
    return _plan(ctx, SWAP_PROOF, f"{SWAP_PROOF}:{tag}", steps,
                 {"pool": pool, "token_in": token_in, "token_out": token_out, "amount_in": amount,
                  "min_out": min_out, "tag": tag})


# ---------------------------------------------------------------------------- indexed-proof-record


def journal_tx(ctx: BuildContext, command: str, step: str) -> str | None:
    """Hash of the latest landed `step` of `command` in the journal."""
    if ctx.journal is None:
        return None
    for entry in reversed(ctx.journal.entries):
        if entry["command"] == command and entry["step"] == step and entry["status"] == "landed":
            return str(entry["tx_hash"])
    return None


def _pool_logs(ctx: BuildContext, tx_hash: str, pool: str, event: str, what: str) -> list[dict[str, Any]]:
    try:
        receipt = ctx.w3.eth.get_transaction_receipt(tx_hash)
    except Exception:  # noqa: BLE001 - not found, whatever the provider raises
        raise OperatorError(f"{what} {tx_hash} is not on {ctx.net.name}") from None
    logs = [abi.decode_log(dict(log)) for log in receipt["logs"]]
    found = [e for e in logs if e["event"] == event and e["address"].lower() == pool.lower()]
    if receipt["status"] != 1 or not found:
        raise OperatorError(f"{what} {tx_hash} has no {event} event of pool {pool}")
    return found


def evidence(*, tag: str, chain_id: int, vault: str, pool: str, swap_tx: str, liquidity_tx: str,
             amount: int, swap: dict[str, Any]) -> dict[str, Any]:
    """Proof ID, ISO and audit hashes of one indexed proof (pure: same inputs, same hashes)."""
    identity = {"kind": "engine-x-indexed-proof", "tag": tag, "chain_id": chain_id, "vault": vault.lower(),
                "pool": pool.lower(), "public_swap_tx": swap_tx.lower(), "liquidity_tx": liquidity_tx.lower(),
                "amount": str(amount)}
    iso = {"format": EVIDENCE_FORMAT, "identity": identity,
           "note": "public swap leg on the Uniswap V3 pool; ISO 20022 package from proof-package"}
    audit = {"format": EVIDENCE_FORMAT, "identity": identity,
             "swap_event": {k: str(v) for k, v in swap.items()},
             "boundary": "public indexed LP evidence; not listing-quality depth or a legal opinion"}
    return {"proof_id": keccak_json(identity), "iso_hash": keccak_json(iso), "audit_hash": keccak_json(audit),
            "documents": {"identity": identity, "iso": iso, "audit": audit}}


def build_indexed_proof_record(ctx: BuildContext) -> Plan:
    """Record the indexed proof from a real public swap and the liquidity (mint) transaction."""
    vault = _address(ctx, "vault") or ctx.addresses.get(f"{VAULT_DEPLOY}/deploy-vault")
    if not vault:
        raise OperatorError(f"no indexed vault on {ctx.net.name}: run indexed-vault-deploy with EXECUTE=1 or pass --vault")
    vault = Web3.to_checksum_address(vault)
    pool = ctx.view(vault, VAULT, "pool")[0]
    swap_tx = ctx.param("swap_tx") or journal_tx(ctx, SWAP_PROOF, "swap")
    liquidity_tx = ctx.param("liquidity_tx") or journal_tx(ctx, MIGRATION, "mint")
    if not swap_tx:
        raise OperatorError("no public swap: run univ3-swap-proof with EXECUTE=1 or pass --swap-tx")
    if not liquidity_tx:
        raise OperatorError("no liquidity transaction: run indexed-lp-migration with EXECUTE=1 or pass --liquidity-tx")
    [swap] = _pool_logs(ctx, swap_tx, pool, "Swap", "public swap tx")[:1]
    _pool_logs(ctx, liquidity_tx, pool, "Mint", "liquidity tx")
    amount = int(ctx.param("amount") or max(abs(int(swap["args"]["amount0"])), abs(int(swap["args"]["amount1"]))))
    tag = str(ctx.param("tag") or default_tag())
    ev = evidence(tag=tag, chain_id=ctx.net.chain_id, vault=vault, pool=pool, swap_tx=swap_tx,
                  liquidity_tx=liquidity_tx, amount=amount, swap=swap["args"])
    key = f"{RECORD}:{ev['proof_id']}"
    if ctx.view(vault, VAULT, "proofIdUsed", ev["proof_id"])[0] and not ctx.landed(RECORD, key):
        raise OperatorError(f"proof ID {ev['proof_id']} is already recorded on {ctx.net.name}: use a new --tag")
    step = call("record", vault, VAULT, "recordIndexedProof", ev["proof_id"], swap_tx, liquidity_tx, amount,
                ev["iso_hash"], ev["audit_hash"], events=("IndexedProofRecorded",))
    return _plan(ctx, RECORD, key, [step], {"vault": vault, "pool": pool, "tag": tag, "amount": amount, "evidence": ev})
