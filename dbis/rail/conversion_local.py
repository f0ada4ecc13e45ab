"""A conversion scene on the in-process chain (chain id 138): the shared signer and stablecoin
registries, a sanctions-list test double, the conversion router, the REAL Uniswap V3 factory /
position manager / SwapRouter (npm bytecode) with a cWUSDC/GRU pool at 1:1, and a venue adapter over
that pool approved by a 3-signer (with COMPLIANCE) Venue Authorization. Used by the conversion tests,
the benchmark and the demo so all three measure the same deployment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_utils import keccak

from dbis import uniswap
from dbis.engine import Contract, FastChain
from dbis.rail import conversion as cv

CHAIN_ID = 138
UNIT = 10**6
FEE = 100  # 0.01 % tier, tick spacing 1 (as on mainnet)
TICK_RANGE = 500  # the position: +-5 % around 1:1
POSITION = 1_000_000 * UNIT
ELEVATED = 10_000 * UNIT  # amountIn above needs 3 signers with COMPLIANCE
DEADLINE_WINDOW = 120  # spec §4.1: <= 2 minutes
VENUE_APPROVAL = 365 * 86_400  # annual re-approval (§6.1)
MIN_LIQUIDITY = 10**9
MAX_IMPACT_BPS = 100
VENUE = cv.venue_id("uniswap-v3:cWUSDC/GRUUSD:100")
GRU_ID = keccak(text="DBIS:GRU:USD")
OPERATIONS, COMPLIANCE, TREASURY, TECHNICAL = 1, 2, 4, 8
SIGNER_SPECS = (("ops-a", OPERATIONS), ("ops-b", OPERATIONS), ("compliance", COMPLIANCE),
                ("treasury", TREASURY), ("technical", TECHNICAL))


def signer_key(name: str) -> bytes:
    return keccak(text=f"dbis.rail.conversion-signer:{name}")


@dataclass
class ConversionScene:
    chain: FastChain
    registry: Contract
    coins: Contract
    sanctions: Contract
    router: Contract
    adapter: Contract
    pool: Contract
    swap_router: Contract
    cw: Contract  # cWUSDC: not a registered stablecoin
    gru: Contract  # GRU USD: registered ACTIVE
    admin: Any
    trader: Any
    issuer: Any
    keys: dict[str, bytes]
    counter: list[int] = field(default_factory=lambda: [0])

    def signer(self, name: str) -> str:
        return Account.from_key(self.keys[name]).address

    def quote(self, amount_in: int, token_in: Any = None, token_out: Any = None, **over: Any) -> cv.Quote:
        self.counter[0] += 1
        token_in, token_out = token_in or self.cw, token_out or self.gru
        fields = dict(quoteId=f"rfq-{self.counter[0]}", issuer=self.issuer, source="RFQ", venue=VENUE,
                      chainId=CHAIN_ID, tokenIn=token_in.address, tokenOut=token_out.address, amountIn=amount_in,
                      amountOut=amount_in * 9_990 // 10_000, issuedAt=self.chain.timestamp,
                      expiresAt=self.chain.timestamp + DEADLINE_WINDOW)
        fields.update(over)
        return cv.Quote.of(**fields)

    def auth(self, amount_in: int = 1_000 * UNIT, label: str | None = None, quote: cv.Quote | None = None,
             **over: Any) -> cv.SwapAuthorization:
        quote = quote or self.quote(amount_in, **{k: over.pop(k) for k in ("token_in", "token_out") if k in over})
        self.counter[0] += 1
        fields = dict(messageId="0x" + keccak(text=f"msg:{label or self.counter[0]}").hex(), lpaId=cv.ZERO32,
                      venue=VENUE, tokenIn=quote.tokenIn, tokenOut=quote.tokenOut, amountIn=amount_in,
                      minAmountOut=cv.min_amount_out(quote, 50), deadline=self.chain.timestamp + 60,
                      quoteHash=quote.quote_hash, quoteIssuer=quote.issuer, chainId=CHAIN_ID,
                      verifyingContract=self.router.address)
        fields.update(over)
        return cv.SwapAuthorization.of(**fields)

    def sign(self, msg: Any, *names: str) -> bytes:
        return cv.assemble(msg.sign(self.keys[n]) for n in names)

    def convert(self, auth: cv.SwapAuthorization, *names: str, sender: Any = None, signatures: bytes | None = None):
        sigs = self.sign(auth, *names) if signatures is None else signatures
        return self.router.convert(auth.as_abi(), sigs, sender=sender or self.trader)

    def venue_auth(self, adapter: Any = None, pool: Any = None, approved_for: int = VENUE_APPROVAL,
                   venue: str = VENUE, **over: Any) -> cv.VenueAuthorization:
        adapter = adapter or self.adapter
        nonce = self.router.venueOf(venue)[2]
        fields = dict(venue=venue, adapter=adapter.address, pool=pool or self.pool.address,
                      approvedUntil=self.chain.timestamp + approved_for, nonce=nonce,
                      deadline=self.chain.timestamp + 3_600, chainId=CHAIN_ID, verifyingContract=self.router.address)
        fields.update(over)
        return cv.VenueAuthorization.of(**fields)

    def approve_venue(self, auth: cv.VenueAuthorization, *names: str, sender: Any = None):
        return self.router.approveVenue(auth.as_abi(), self.sign(auth, *names), sender=sender or self.admin)

    def state(self, auth: cv.SwapAuthorization | None = None) -> dict[str, Any]:
        """Every balance a conversion could move, the pool price and the messageId record."""
        holders = {"trader": self.trader, "pool": self.pool.address, "router": self.router.address,
                   "adapter": self.adapter.address}
        out: dict[str, Any] = {f"{t.symbol()}:{n}": t.balanceOf(a) for t in (self.cw, self.gru)
                               for n, a in holders.items()}
        out["slot0"] = tuple(self.pool.slot0())
        if auth is not None:
            out["quoteHashOf"] = self.router.quoteHashOf(auth.messageId)
        return out


def deploy_uniswap(chain: FastChain, admin: Any, token_a: Contract, token_b: Contract) -> tuple[Contract, Contract]:
    """The npm Uniswap V3 factory, position manager and SwapRouter; a pool of the pair at 1:1 with a
    +-TICK_RANGE position of POSITION each (minted to `admin`). Returns (pool, swap router)."""
    weth = chain.deploy(uniswap.WETH, sender=admin)
    factory = chain.deploy(uniswap.FACTORY, sender=admin)
    for fee, spacing in uniswap.GOVERNANCE_FEE_TIERS:
        factory.enableFeeAmount(fee, spacing, sender=admin)
    manager = chain.deploy(uniswap.POSITION_MANAGER, factory.address, weth.address, uniswap.ZERO_ADDRESS, sender=admin)
    t0, t1 = uniswap.sort_tokens(str(token_a.address), str(token_b.address))
    manager.createAndInitializePoolIfNecessary(t0, t1, FEE, uniswap.PARITY_SQRT_PRICE_X96, sender=admin)
    pool = chain.at(uniswap.POOL, factory.getPool(t0, t1, FEE))
    for token in (token_a, token_b):
        token.mint(admin, POSITION, sender=admin)
        token.approve(manager.address, POSITION, sender=admin)
    manager.mint((t0, t1, FEE, -TICK_RANGE, TICK_RANGE, POSITION, POSITION, 0, 0, admin, uniswap.DEADLINE),
                 sender=admin)
    swap_router = chain.deploy(uniswap.SWAP_ROUTER, factory.address, weth.address, sender=admin)
    return pool, swap_router


def build(chain: FastChain | None = None, *, sanctions: bool = True, check_token_in: bool = True) -> ConversionScene:
    chain = chain or FastChain(chain_id=CHAIN_ID)
    admin, trader, issuer = (chain.account(n) for n in ("conv-admin", "conv-trader", "conv-quote-issuer"))
    registry = chain.deploy("DBISSignerRegistry", admin, admin, sender=admin)
    coins = chain.deploy("DBISStablecoinRegistry", admin, sender=admin)
    sanctions_list = chain.deploy("TestSanctionsList", sender=admin)
    router = chain.deploy("DBISConversionRouter", admin, registry.address, coins.address,
                          sanctions_list.address if sanctions else uniswap.ZERO_ADDRESS, DEADLINE_WINDOW,
                          VENUE_APPROVAL, check_token_in, sender=admin)
    cw = chain.deploy("TestERC20", "Wrapped cUSDC", "cWUSDC", 6, sender=admin)
    gru = chain.deploy("TestERC20", "GRU USD", "GRUUSD", 6, sender=admin)
    coins.register(GRU_ID, gru.address, 6, sender=admin)
    pool, swap_router = deploy_uniswap(chain, admin, cw, gru)
    adapter = chain.deploy("DBISUniswapV3VenueAdapter", router.address, pool.address, MIN_LIQUIDITY, MAX_IMPACT_BPS,
                           sender=admin)
    keys = {}
    for name, cats in SIGNER_SPECS:
        keys[name] = signer_key(name)
        registry.addSigner(Account.from_key(keys[name]).address, cats, chain.block_number, sender=admin)
    chain.mine(1)
    router.setQuoteIssuer(issuer, True, sender=admin)
    router.setElevatedThreshold(cw.address, ELEVATED, sender=admin)
    router.setElevatedThreshold(gru.address, ELEVATED, sender=admin)
    for token in (cw, gru):
        token.mint(trader, 10 * POSITION, sender=admin)
        token.approve(adapter.address, 2**256 - 1, sender=trader)
        token.approve(swap_router.address, 2**256 - 1, sender=trader)
    scene = ConversionScene(chain, registry, coins, sanctions_list, router, adapter, pool, swap_router, cw, gru,
                            admin, trader, issuer, keys)
    scene.approve_venue(scene.venue_auth(), "ops-a", "compliance", "treasury")
    return scene


def scene_view(scene: ConversionScene, auth: cv.SwapAuthorization, signers: list[str]) -> cv.ConversionView:
    """What `cv.check_swap` needs, read from the scene's chain (the off-chain check of the commands)."""
    r = scene.router
    adapter, until, nonce = r.venueOf(auth.venue)
    known = int(str(adapter), 16) != 0
    pool = scene.chain.at("DBISUniswapV3VenueAdapter", adapter).pool() if known else None
    screened = [a for a in (str(scene.trader), str(adapter) if known else None, str(pool) if pool else None) if a]
    records = {}
    for s in signers:
        cats, eff, rev = scene.registry.signerOf(s)
        records[s] = cv.SignerRecord(cats, eff, rev)
    return cv.ConversionView(
        chain_id=138, router=str(r.address), block_number=scene.chain.block_number, timestamp=scene.chain.timestamp,
        caller=str(scene.trader), max_deadline_window=r.maxDeadlineWindow(), max_venue_approval=r.maxVenueApproval(),
        check_token_in=r.checkTokenIn(), message_used=int.from_bytes(r.quoteHashOf(auth.messageId), "big") != 0,
        venue_adapter=str(adapter) if known else None, venue_pool=str(pool) if pool else None,
        venue_approved_until=until, venue_nonce=nonce, issuer_allowed=r.quoteIssuerAllowed(auth.quoteIssuer),
        token_status={t.lower(): cv.TOKEN_STATUSES[scene.coins.statusOf(t)] for t in (auth.tokenIn, auth.tokenOut)},
        denylisted=frozenset(a.lower() for a in screened if r.denylisted(a)),
        sanctioned=frozenset(a.lower() for a in screened if scene.sanctions.isSanctioned(a)),
        elevated_threshold=r.elevatedThreshold(auth.tokenIn), signers=records,
        pool_liquidity=scene.pool.liquidity() if known else None,
        min_liquidity=scene.chain.at("DBISUniswapV3VenueAdapter", adapter).minLiquidity() if known else 0)
