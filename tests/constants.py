"""Units and limits every test suite uses (one definition)."""

UNIT = 10**6  # XAUt, USDC and cWUSDC all have 6 decimals
PRICE_UNIT = 10**8  # prices: USD with 8 decimals
WAD = 10**18  # health factors
RAY = 10**27  # the borrow index
BPS = 10_000
YEAR = 365 * 24 * 3600
ADMIN_DELAY = 3 * 24 * 3600  # default-admin transfer delay of every deployment in the tests
UINT128_MAX = 2**128 - 1
UINT104_MAX = 2**104 - 1
UINT256_MAX = 2**256 - 1
