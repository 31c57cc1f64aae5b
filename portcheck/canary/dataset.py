"""Build the canary dataset in memory: realistic customers, contacts and opportunities full of export traps.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so the same seed and sizes give the
same rows. Traps are placed by *schedules*: for each trap-carrying field, a list of slot names is shuffled
block by block, so every trap occurs a fixed number of times per block of records (and so "many times" in
a full-size set) while its position stays random.

Which records carry which trap is not remembered while generating: :mod:`portcheck.canary.traps_catalog`
detects it from the finished values, so ``canary.json`` can never disagree with the data.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from portcheck.canary import pools
from portcheck.canary.codes import make_uscc

CONTACTS_PER_CUSTOMER = 3
OPPORTUNITIES_PER_CUSTOMER = 2
LANGS = ("mixed", "zh", "en")

COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": (
        "customer_id",
        "x_canary_id",
        "name",
        "industry",
        "level",
        "status",
        "owner",
        "phone",
        "email",
        "website",
        "tax_id",
        "country",
        "region",
        "city",
        "address",
        "postal_code",
        "source",
        "created_at",
        "updated_at",
        "notes",
        "x_erp_code",
        "x_founded_on",
    ),
    "contact": (
        "contact_id",
        "x_canary_id",
        "customer_id",
        "full_name",
        "first_name",
        "last_name",
        "title",
        "email",
        "phone",
        "mobile",
        "owner",
        "is_primary",
        "created_at",
        "updated_at",
        "notes",
        "x_birthday",
    ),
    "opportunity": (
        "opportunity_id",
        "x_canary_id",
        "customer_id",
        "contact_id",
        "name",
        "stage",
        "amount",
        "currency",
        "probability",
        "expected_close_date",
        "owner",
        "source",
        "created_at",
        "updated_at",
        "notes",
        "x_contract_no",
    ),
}
PRIMARY_KEYS = {"customer": "customer_id", "contact": "contact_id", "opportunity": "opportunity_id"}
NATURAL_KEYS = {"customer": "name", "contact": "email", "opportunity": "name"}
CANARY_ID_FIELD = "x_canary_id"
SYSTEM_MANAGED = ("created_at", "updated_at", "owner")

# Long-text lengths (Unicode code points). 32,767 is Excel's cell limit: that note holds only BMP
# characters, so it also fits in 32,767 UTF-16 units. 33,000 exceeds it: CSV output only.
LONG_LENGTHS = (256, 1001, 4000, 32767, 33000)
XLSX_MAX_CELL = 32767

# Instants at daylight-saving edges: spring-forward gaps (02:30 does not exist locally) and fall-back
# overlaps (01:30 / 02:30 happen twice), New York and Berlin.
DST_EDGES: tuple[tuple[str, str], ...] = (
    ("2024-03-10T01:59:59-05:00", "America/New_York"),
    ("2024-03-10T02:30:00-05:00", "America/New_York"),
    ("2024-03-10T03:00:00-04:00", "America/New_York"),
    ("2024-11-03T01:30:00-04:00", "America/New_York"),
    ("2024-11-03T01:30:00-05:00", "America/New_York"),
    ("2024-03-31T02:30:00+01:00", "Europe/Berlin"),
    ("2024-10-27T02:30:00+02:00", "Europe/Berlin"),
    ("2024-10-27T02:30:00+01:00", "Europe/Berlin"),
)
# Instants before 1970 (negative Unix time), down to the smallest 32-bit time_t.
PRE_1970_INSTANTS: tuple[tuple[str, str], ...] = (
    ("1969-12-31T23:59:59Z", "UTC"),
    ("1965-06-15T09:30:00+08:00", "Asia/Shanghai"),
    ("1955-11-07T06:00:00-05:00", "America/New_York"),
    ("1901-12-13T20:45:52Z", "UTC"),
)
PRE_1970_DATES = ("1969-12-31", "1960-02-29", "1949-10-01", "1900-03-01")

_NOTE_WEIGHTS = {
    "len256": 2,
    "len1001": 2,
    "len4000": 2,
    "len32767": 1,
    "len33000": 1,
    "lf": 4,
    "crlf": 4,
    "quotes": 4,
    "tab": 3,
    "emoji": 4,
    "nonbmp": 4,
    "=": 2,
    "+": 2,
    "-": 2,
    "@": 2,
    "empty": 6,
}
NOTE_BLOCK = 80
_INSTANT_WEIGHTS = {"dst": 4, "pre1970": 1}
INSTANT_BLOCK = 40


@dataclass
class CanaryData:
    """The canary rows of one set, values as strings, columns in file order."""

    seed: int
    lang: str
    rows: dict[str, list[dict[str, str]]]
    columns: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(COLUMNS))

    @property
    def sizes(self) -> dict[str, int]:
        return {obj: len(rows) for obj, rows in self.rows.items()}


def _schedule(rng: random.Random, n: int, weights: dict[str, int], block: int, filler: str) -> list[str]:
    """``n`` slot names: blocks of ``block`` slots holding each weighted name that many times, shuffled."""
    base = [name for name, w in weights.items() for _ in range(w)]
    base += [filler] * (block - len(base))
    out: list[str] = []
    while len(out) < n:
        chunk = list(base)
        rng.shuffle(chunk)
        out.extend(chunk)
    return out[:n]


def _fmt_instant(dt: datetime) -> str:
    if dt.utcoffset() == timedelta(0):
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return dt.isoformat(timespec="seconds")


class _Builder:
    def __init__(self, seed: int, lang: str, traps: bool) -> None:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}")
        self.rng = random.Random(f"portcheck-canary:{seed}")
        self.seed = seed
        self.lang = lang
        self.traps = traps
        self._names: set[str] = set()
        self._emails: set[str] = set()
        self._zones: dict[str, ZoneInfo] = {}

    # ---- small helpers -------------------------------------------------------------------------------
    def zh(self, p_mixed: float = 0.5) -> bool:
        """Whether a bilingual value is drawn in Chinese."""
        p = {"mixed": p_mixed, "zh": 0.85, "en": 0.15}[self.lang]
        return self.rng.random() < p

    def pick(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.zh() else pair[1]

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def zone(self, name: str) -> ZoneInfo:
        if name not in self._zones:
            self._zones[name] = ZoneInfo(name)
        return self._zones[name]

    def instant_pair(self, slot: str, home_zone: str) -> tuple[str, str]:
        """(created_at, updated_at) for a slot: 'dst', 'pre1970' or 'plain' (a random moment 2019-2025)."""
        rng = self.rng
        if slot == "dst":
            text, zone = rng.choice(DST_EDGES)
            created = datetime.fromisoformat(text)
        elif slot == "pre1970":
            text, zone = rng.choice(PRE_1970_INSTANTS)
            created = datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            zone = (
                home_zone
                if rng.random() < 0.7
                else rng.choice(
                    (
                        "UTC",
                        "Asia/Shanghai",
                        "America/New_York",
                        "Europe/Berlin",
                        "Asia/Kolkata",
                        "Asia/Kathmandu",
                    )
                )
            )
            start = datetime(2019, 1, 1, tzinfo=UTC)
            created = (start + timedelta(seconds=rng.randrange(6 * 365 * 86400))).astimezone(self.zone(zone))
            text = _fmt_instant(created)
        updated = created + timedelta(days=rng.randrange(0, 400), seconds=rng.randrange(86400))
        return text, _fmt_instant(updated.astimezone(self.zone(zone)))

    def note(self, slot: str) -> str:
        rng = self.rng
        if slot.startswith("len"):
            return self.long_note(int(slot[3:]))
        if slot == "plain":
            return rng.choice(pools.PLAIN_NOTES_ZH if self.zh() else pools.PLAIN_NOTES_EN)
        if slot == "empty":
            return ""
        table = {
            "lf": pools.LF_NOTES,
            "crlf": pools.CRLF_NOTES,
            "quotes": pools.QUOTE_NOTES,
            "tab": pools.TAB_NOTES,
            "emoji": pools.EMOJI_NOTES,
            "nonbmp": pools.NON_BMP_NOTES,
        }
        if slot in table:
            return rng.choice(table[slot])
        return rng.choice(pools.FORMULA_NOTES[slot])

    def long_note(self, length: int) -> str:
        """Exactly ``length`` code points of prose with commas, quotes, line breaks, tabs and symbols.

        Notes at or below Excel's limit of 32,767 hold only BMP characters when they are that long;
        the others carry emoji and CJK Extension B characters too. The last character is never blank.
        """
        rng = self.rng
        astral = length != XLSX_MAX_CELL
        # Every long note opens with each feature once (within 256 characters), then goes on at random.
        quoted = [s for s in pools.LONG_SENTENCES if '"' in s and "," in s]
        parts = [rng.choice(quoted), "\n", rng.choice(pools.LONG_SENTENCES), "\t"]
        if astral:
            parts.append(f"{rng.choice(pools.EMOJI)} {rng.choice(pools.NON_BMP_CJK)} ")
        total = sum(map(len, parts))
        while total < length:
            sep = rng.choice((" ", " ", " ", "\n", "\t", ", "))
            piece = rng.choice(pools.LONG_SENTENCES)
            r = rng.random()
            if r < 0.08:
                piece += " " + rng.choice(pools.BMP_SYMBOLS)
            elif astral and r < 0.16:
                piece += " " + rng.choice(pools.EMOJI + pools.NON_BMP_CJK)
            parts.append(sep + piece)
            total += len(sep) + len(piece)
        text = "".join(parts)[: length - 1]
        return text + "."

    def unique(self, candidate: str, taken: set[str], sep: str) -> str:
        name, n = candidate, 2
        while name in taken:
            name = f"{candidate}{sep}{n}"
            n += 1
        taken.add(name)
        return name

    def unique_email(self, local: str, domain: str) -> str:
        email, n = f"{local}@{domain}", 1
        while email in self._emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self._emails.add(email)
        return email

    # ---- records -------------------------------------------------------------------------------------
    def place(self) -> dict[str, str]:
        rng = self.rng
        p_cn = {"mixed": 0.55, "zh": 0.85, "en": 0.2}[self.lang]
        n = rng.randrange(1, 999)
        if rng.random() < p_cn:
            region, city, district, postal, area, division, road = rng.choice(pools.CN_PLACES)
            r = rng.random()
            if r < 0.55:
                sep = rng.choice(("-", "-", " ", ""))
                local = str(rng.randrange(2, 9)) + self.digits(7)
                if sep == " " or rng.random() < 0.3:
                    phone = f"{area}-{local[:4]} {local[4:]}" if sep == " " else f"({area}) {local}"
                else:
                    phone = f"{area}{sep}{local}"
            elif r < 0.85:
                phone = "1" + rng.choice("3589") + self.digits(9)
            else:
                phone = f"+86 1{rng.choice('3589')}{self.digits(1)} {self.digits(4)} {self.digits(4)}"
            street = f"{district}{road}{n}号"
            if rng.random() < 0.3:
                street += f"{rng.randrange(1, 40)}楼"
            return {
                "country": "CN",
                "region": region,
                "city": city,
                "address": f"{city}{street}",
                "postal_code": postal,
                "phone": phone,
                "zone": "Asia/Shanghai",
                "division": division,
            }
        country, region, city, street, postal, pattern, zone = rng.choice(pools.WORLD_PLACES)
        national = "".join(rng.choice("0123456789") if c == "#" else c for c in pattern)
        if rng.random() < 0.3:  # international form: drop the trunk 0
            national = national[1:] if national.startswith("0") else national
            phone = f"+{pools.COUNTRY_CODES[country]} {national.replace('(', '').replace(')', '')}"
        else:
            phone = national
        if city in pools.NFD_CITIES:
            city = unicodedata.normalize("NFD", city)
        return {
            "country": country,
            "region": region,
            "city": city,
            "address": street.format(n=n),
            "postal_code": postal,
            "phone": phone,
            "zone": zone,
            "division": "",
        }

    def company(self, place: dict[str, str]) -> tuple[str, str]:
        """(unique company name, web domain)."""
        rng = self.rng
        brand, slug = rng.choice(pools.CN_BRANDS)
        trade, trade_slug = rng.choice(pools.CN_TRADES)
        if place["country"] == "CN":
            if rng.random() < 0.12:  # mixed script: a Western brand's Chinese subsidiary
                en = rng.choice(pools.EN_BRANDS)
                name = f"{en}（{place['city'].rstrip('市')}）{trade}有限公司"
                slug = en.lower().replace(" ", "")
            else:
                name = f"{place['city'].rstrip('市')}{brand}{trade}{rng.choice(pools.CN_SUFFIXES)}"
            domain = f"{slug}-{trade_slug}.com.cn"
        else:
            en = rng.choice(pools.EN_BRANDS)
            name = f"{en} {rng.choice(pools.EN_TRADES)} {rng.choice(pools.EN_SUFFIXES)}"
            domain = f"{en.lower().replace(' ', '')}-{trade_slug}.example.com"
        return self.unique(name, self._names, " #"), domain

    def person(self) -> dict[str, str]:
        rng = self.rng
        r = rng.random()
        p_cn = {"mixed": 0.55, "zh": 0.85, "en": 0.2}[self.lang]
        if r < p_cn:
            last, last_py = rng.choice(pools.CN_SURNAMES)
            first, first_py = (
                rng.choice(pools.CN_GIVEN_NON_BMP)
                if self.traps and rng.random() < 0.05
                else rng.choice(pools.CN_GIVEN)
            )
            return {
                "full_name": last + first,
                "first_name": first,
                "last_name": last,
                "local": f"{first_py}.{last_py}",
            }
        if self.traps and r < p_cn + 0.1:  # mixed script: Western given name, Chinese surname
            last, last_py = rng.choice(pools.CN_SURNAMES)
            first = rng.choice(pools.EN_FIRST)
            return {
                "full_name": f"{first} {last}",
                "first_name": first,
                "last_name": last,
                "local": f"{_ascii(first)}.{last_py}",
            }
        first, last = rng.choice(pools.EN_FIRST), rng.choice(pools.EN_LAST)
        return {
            "full_name": f"{first} {last}",
            "first_name": first,
            "last_name": last,
            "local": f"{_ascii(first)}.{_ascii(last)}",
        }

    def code(self) -> str:
        """A 16-19 digit numeric-looking code (ERP numbers, contract numbers, bank accounts)."""
        return str(self.rng.randrange(1, 10)) + self.digits(self.rng.randrange(15, 19))

    def amount(self, currency: str, huge: bool) -> str:
        rng = self.rng
        if huge:
            return f"{rng.randrange(10**12, 10**14)}.{rng.randrange(1, 100):02d}"
        whole = rng.choice((rng.randrange(1000, 100_000), rng.randrange(100_000, 5_000_000)))
        if currency == "JPY" or rng.random() < 0.35:
            return str(whole * (100 if currency == "JPY" else 1))
        return str(Decimal(whole) + Decimal(rng.randrange(1, 100)) / 100)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalpha()).lower()


def build_canary(
    seed: int = 0, customers: int = 500, lang: str = "mixed", *, traps: bool = True
) -> CanaryData:
    """The canary rows for ``customers`` customers (3 contacts and 2 opportunities each).

    ``traps=False`` gives the same kind of realistic data without the deliberate traps (short notes,
    ordinary instants and amounts): a plain dataset for tests and benchmarks.
    """
    if customers < 1:
        raise ValueError("customers must be at least 1")
    b = _Builder(seed, lang, traps)
    rng = b.rng
    n_contacts = customers * CONTACTS_PER_CUSTOMER
    n_opps = customers * OPPORTUNITIES_PER_CUSTOMER
    if traps:
        notes = {
            obj: _schedule(rng, n, _NOTE_WEIGHTS, NOTE_BLOCK, "plain")
            for obj, n in (("customer", customers), ("contact", n_contacts), ("opportunity", n_opps))
        }
        instants = {
            obj: _schedule(rng, n, _INSTANT_WEIGHTS, INSTANT_BLOCK, "plain")
            for obj, n in (("customer", customers), ("contact", n_contacts), ("opportunity", n_opps))
        }
        huge = _schedule(rng, n_opps, {"huge": 2}, 40, "plain")
    else:
        plain = {
            obj: ["plain" if rng.random() < 0.8 else "empty" for _ in range(n)]
            for obj, n in (("customer", customers), ("contact", n_contacts), ("opportunity", n_opps))
        }
        notes = plain
        instants = {obj: ["plain"] * len(v) for obj, v in plain.items()}
        huge = ["plain"] * n_opps
    tag = f"CNRY-{seed}"
    customers_rows: list[dict[str, str]] = []
    contacts_rows: list[dict[str, str]] = []
    opp_rows: list[dict[str, str]] = []
    for i in range(customers):
        place = b.place()
        name, domain = b.company(place)
        created, updated = b.instant_pair(instants["customer"][i], place["zone"])
        if place["country"] == "CN":
            tax_id = make_uscc(rng, place["division"], numeric=b.traps and rng.random() < 0.15)
        elif place["country"] == "US":
            tax_id = f"{b.digits(2)}-{b.digits(7)}"
        elif place["country"] == "DE":
            tax_id = f"DE{b.digits(9)}"
        else:
            tax_id = ""
        r = rng.random()
        email = (
            f"sales+{rng.choice(('crm', 'trial', 'import'))}@{domain}"
            if b.traps and r < 0.25
            else f"{rng.choice(('info', 'service', 'contact', 'hello'))}@{domain}"
        )
        address = place["address"]
        if b.traps and rng.random() < 0.1:
            address += rng.choice((" ", "  ", "\u3000"))
        founded = (
            rng.choice(PRE_1970_DATES)
            if b.traps and rng.random() < 0.15
            else f"{rng.randrange(1978, 2022)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        )
        customers_rows.append(
            {
                "customer_id": f"C{i + 1:06d}",
                "x_canary_id": f"{tag}-C{i + 1:05d}",
                "name": name,
                "industry": b.pick(rng.choice(pools.INDUSTRIES)),
                "level": b.pick(rng.choice(pools.LEVELS)),
                "status": b.pick(rng.choice(pools.STATUSES)),
                "owner": rng.choice(pools.OWNERS),
                "phone": place["phone"],
                "email": email,
                "website": "" if rng.random() < 0.15 else f"https://www.{domain}",
                "tax_id": tax_id,
                "country": place["country"],
                "region": place["region"],
                "city": place["city"],
                "address": address,
                "postal_code": place["postal_code"],
                "source": b.pick(rng.choice(pools.SOURCES)),
                "created_at": created,
                "updated_at": updated,
                "notes": b.note(notes["customer"][i]),
                "x_erp_code": "" if rng.random() < 0.4 else b.code(),
                "x_founded_on": "" if rng.random() < 0.2 else founded,
            }
        )
        contact_ids = []
        for k in range(CONTACTS_PER_CUSTOMER):
            j = i * CONTACTS_PER_CUSTOMER + k
            person = b.person()
            local = person.pop("local")
            email = b.unique_email(local, domain)
            title = b.pick(rng.choice(pools.TITLES)) if rng.random() < 0.9 else ""
            if b.traps and title and rng.random() < 0.1:
                title += " "
            created, updated = b.instant_pair(instants["contact"][j], place["zone"])
            if place["country"] == "CN":
                mobile = "1" + rng.choice("3589") + b.digits(9)
                phone = place["phone"] if rng.random() < 0.5 else _cn_landline(b)
            else:
                mobile = "07700 900" + b.digits(3) if rng.random() < 0.5 else "+44 7700 900" + b.digits(3)
                phone = place["phone"]
            if rng.random() < 0.15:
                mobile = ""
            birthday = (
                f"{rng.randrange(1940, 2000)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
                if rng.random() < 0.5
                else ""
            )
            cid = f"P{j + 1:06d}"
            contact_ids.append(cid)
            contacts_rows.append(
                {
                    "contact_id": cid,
                    "x_canary_id": f"{tag}-P{j + 1:05d}",
                    "customer_id": f"C{i + 1:06d}",
                    **person,
                    "title": title,
                    "email": email,
                    "phone": phone,
                    "mobile": mobile,
                    "owner": rng.choice(pools.OWNERS),
                    "is_primary": "true" if k == 0 else "false",
                    "created_at": created,
                    "updated_at": updated,
                    "notes": b.note(notes["contact"][j]),
                    "x_birthday": birthday,
                }
            )
        for k in range(OPPORTUNITIES_PER_CUSTOMER):
            j = i * OPPORTUNITIES_PER_CUSTOMER + k
            stage = rng.choice(tuple(pools.STAGE_PROBABILITY))
            currency = "CNY" if place["country"] == "CN" else rng.choice(("USD", "EUR", "JPY", "CNY"))
            product = rng.choice(pools.PRODUCTS)
            zh = b.zh()
            short = name if len(name) < 40 else name[:40]
            opp_name = (
                f"{short} - {product[0]} #{j + 1:05d}" if zh else f"{short} - {product[1]} #{j + 1:05d}"
            )
            created, updated = b.instant_pair(instants["opportunity"][j], place["zone"])
            close = (
                rng.choice(PRE_1970_DATES)
                if b.traps and rng.random() < 0.0125
                else f"{rng.randrange(2024, 2027)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            )
            opp_rows.append(
                {
                    "opportunity_id": f"O{j + 1:06d}",
                    "x_canary_id": f"{tag}-O{j + 1:05d}",
                    "customer_id": f"C{i + 1:06d}",
                    "contact_id": rng.choice(contact_ids),
                    "name": opp_name,
                    "stage": stage,
                    "amount": b.amount(currency, huge[j] == "huge"),
                    "currency": currency,
                    "probability": pools.STAGE_PROBABILITY[stage],
                    "expected_close_date": close,
                    "owner": rng.choice(pools.OWNERS),
                    "source": b.pick(rng.choice(pools.SOURCES)),
                    "created_at": created,
                    "updated_at": updated,
                    "notes": b.note(notes["opportunity"][j]),
                    "x_contract_no": "" if rng.random() < 0.3 else b.code(),
                }
            )
    return CanaryData(
        seed=seed,
        lang=lang,
        rows={"customer": customers_rows, "contact": contacts_rows, "opportunity": opp_rows},
    )


def _cn_landline(b: _Builder) -> str:
    region, city, district, postal, area, division, road = b.rng.choice(pools.CN_PLACES)
    return f"{area}-{b.rng.randrange(2, 9)}{b.digits(7)}"
