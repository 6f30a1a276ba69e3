"""What a reward needs from the advocate who redeems it: the option they choose and, for a physical
reward, a postal address the program team can ship to. One check, used by the portal and the API."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from advocacy.advocates.models import Reward, RewardKind
from advocacy.core.errors import InvalidInput

# ISO 3166-1 alpha-2: the codes a carrier's label takes.
ISO_3166_ALPHA_2 = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY
    BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK
    FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR
    IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK
    ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(ISO_3166_ALPHA_2.split())

# Countries whose addresses carry no postcode; everywhere else a parcel without one goes astray.
NO_POSTCODE = frozenset({"AE", "AG", "AO", "BS", "BZ", "FJ", "GD", "GY", "HK", "KI", "MO", "QA", "SR", "TV", "ZW"})
POSTCODE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,9}$")
PHONE = re.compile(r"^\+?[0-9 ()./-]{6,30}$")

SHIPPING_FIELDS = ("ship_name", "ship_street", "ship_city", "ship_postcode", "ship_country", "ship_phone")


@dataclass(frozen=True)
class Shipping:
    """A postal address, cleaned: trimmed, the country code and postcode upper-cased."""

    ship_name: str
    ship_street: str
    ship_city: str
    ship_postcode: str
    ship_country: str
    ship_phone: str = ""

    @classmethod
    def of(cls, fields: dict[str, Any]) -> Shipping:
        text = {name: " ".join(str(fields.get(name) or "").split()) for name in SHIPPING_FIELDS}
        text["ship_street"] = "\n".join(
            line.strip() for line in str(fields.get("ship_street") or "").splitlines() if line.strip()
        )
        text["ship_country"] = text["ship_country"].upper()
        text["ship_postcode"] = text["ship_postcode"].upper()
        return cls(**text)

    def values(self) -> dict[str, str]:
        return asdict(self)


def shipping_errors(address: Shipping) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 2 <= len(address.ship_name) <= 200:
        errors["ship_name"] = "the name the parcel is addressed to"
    if not 3 <= len(address.ship_street) <= 300:
        errors["ship_street"] = "the street and house number (and flat or floor, on a second line)"
    if not 2 <= len(address.ship_city) <= 100:
        errors["ship_city"] = "the town or city"
    if address.ship_country not in COUNTRY_CODES:
        errors["ship_country"] = "the country's two-letter code, e.g. US, GB, DE or FR"
    elif address.ship_country in NO_POSTCODE:
        pass  # any postcode given is kept, none is needed
    elif not POSTCODE.match(address.ship_postcode):
        errors["ship_postcode"] = "the postcode, letters and digits, e.g. 10115 or SW1A 1AA"
    if address.ship_phone and not PHONE.match(address.ship_phone):
        errors["ship_phone"] = "digits, spaces and an optional leading +, e.g. +49 30 1234567; or leave it empty"
    return errors


def check_redemption_details(*, reward: Reward, choice: str, shipping: Shipping | None) -> None:
    """Refuse, field by field, a choice the reward does not offer or a physical reward without an address."""
    errors: dict[str, str] = {}
    options = [str(option) for option in reward.options or []]
    if options and choice not in options:
        errors["choice"] = f"choose one of {', '.join(options)}"
    elif not options and choice:
        errors["choice"] = f"“{reward.name}” comes in one version only"
    if reward.kind == RewardKind.PHYSICAL:
        errors.update(shipping_errors(shipping) if shipping else {"ship_street": "a physical reward needs an address"})
    elif shipping is not None and any(shipping.values().values()):
        errors["ship_street"] = f"“{reward.name}” is sent by email; it needs no postal address"
    if errors:
        raise InvalidInput(errors)
