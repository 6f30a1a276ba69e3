"""The fixed facts of the demo company: where its customers live, their names, what it sells.

Kept apart from the generator so the tables can be read (and extended) without reading the code
that draws from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Country:
    code: str
    region: str
    time_zones: tuple[str, ...]
    locale: str
    phone_prefix: str
    currency: str
    names: str  # key into NAME_POOLS
    weight: int  # relative share of customers


REGIONS = ("North America", "EMEA", "APAC", "LATAM")

COUNTRIES: tuple[Country, ...] = (
    Country(
        "US",
        "North America",
        ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
        "en-US",
        "1",
        "USD",
        "english",
        30,
    ),
    Country(
        "CA",
        "North America",
        ("America/Toronto", "America/Vancouver"),
        "en-CA",
        "1",
        "USD",
        "english",
        5,
    ),
    Country("CA-QC", "North America", ("America/Toronto",), "fr-CA", "1", "USD", "french", 2),
    Country("GB", "EMEA", ("Europe/London",), "en-GB", "44", "GBP", "english", 9),
    Country("DE", "EMEA", ("Europe/Berlin",), "de-DE", "49", "EUR", "german", 8),
    Country("FR", "EMEA", ("Europe/Paris",), "fr-FR", "33", "EUR", "french", 5),
    Country("NL", "EMEA", ("Europe/Amsterdam",), "nl-NL", "31", "EUR", "dutch", 3),
    Country("ES", "EMEA", ("Europe/Madrid",), "es-ES", "34", "EUR", "spanish", 3),
    Country("IT", "EMEA", ("Europe/Rome",), "it-IT", "39", "EUR", "italian", 2),
    Country("NG", "EMEA", ("Africa/Lagos",), "en-NG", "234", "USD", "west_african", 2),
    Country("AE", "EMEA", ("Asia/Dubai",), "en-AE", "971", "USD", "arabic", 1),
    Country("JP", "APAC", ("Asia/Tokyo",), "ja-JP", "81", "USD", "japanese", 5),
    Country(
        "AU",
        "APAC",
        ("Australia/Sydney", "Australia/Melbourne", "Australia/Perth"),
        "en-AU",
        "61",
        "USD",
        "english",
        5,
    ),
    Country("IN", "APAC", ("Asia/Kolkata",), "en-IN", "91", "USD", "indian", 6),
    Country("SG", "APAC", ("Asia/Singapore",), "en-SG", "65", "USD", "chinese", 2),
    Country("KR", "APAC", ("Asia/Seoul",), "ko-KR", "82", "USD", "korean", 2),
    Country("BR", "LATAM", ("America/Sao_Paulo",), "pt-BR", "55", "USD", "portuguese", 5),
    Country("MX", "LATAM", ("America/Mexico_City",), "es-MX", "52", "USD", "spanish", 3),
    Country("AR", "LATAM", ("America/Argentina/Buenos_Aires",), "es-AR", "54", "USD", "spanish", 1),
    Country("CO", "LATAM", ("America/Bogota",), "es-CO", "57", "USD", "spanish", 1),
)

# First and last names by naming tradition. One customer in five is drawn from another tradition,
# because customers everywhere have names from everywhere.
NAME_POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "english": (
        (
            "James",
            "Olivia",
            "Liam",
            "Emma",
            "Noah",
            "Ava",
            "Ethan",
            "Mia",
            "Lucas",
            "Grace",
            "Daniel",
            "Chloe",
            "Marcus",
            "Hannah",
            "Tyrone",
            "Keisha",
        ),
        (
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Taylor",
            "Miller",
            "Wilson",
            "Clark",
            "Walker",
            "Young",
            "Hughes",
            "Campbell",
            "Robinson",
            "Bennett",
            "Carter",
            "Murphy",
        ),
    ),
    "german": (
        ("Lukas", "Anna", "Felix", "Lea", "Jonas", "Marie", "Paul", "Sophie", "Maximilian", "Lena"),
        (
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Hoffmann",
            "Schulz",
        ),
    ),
    "french": (
        ("Louis", "Camille", "Hugo", "Chloé", "Gabriel", "Léa", "Arthur", "Manon", "Jules", "Inès"),
        (
            "Martin",
            "Bernard",
            "Dubois",
            "Thomas",
            "Robert",
            "Petit",
            "Durand",
            "Leroy",
            "Moreau",
            "Lefèvre",
        ),
    ),
    "dutch": (
        ("Daan", "Emma", "Sem", "Julia", "Lars", "Sanne", "Bram", "Fleur"),
        ("de Jong", "Jansen", "de Vries", "van Dijk", "Bakker", "Visser", "Smit", "Meijer"),
    ),
    "spanish": (
        (
            "Santiago",
            "Lucía",
            "Mateo",
            "Sofía",
            "Diego",
            "Valentina",
            "Alejandro",
            "Camila",
            "Javier",
            "Isabella",
        ),
        (
            "García",
            "Rodríguez",
            "Martínez",
            "López",
            "Hernández",
            "González",
            "Pérez",
            "Sánchez",
            "Ramírez",
            "Torres",
        ),
    ),
    "italian": (
        ("Francesco", "Giulia", "Alessandro", "Chiara", "Lorenzo", "Sara", "Matteo", "Martina"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"),
    ),
    "portuguese": (
        (
            "João",
            "Ana",
            "Pedro",
            "Beatriz",
            "Gustavo",
            "Larissa",
            "Rafael",
            "Juliana",
            "Thiago",
            "Fernanda",
        ),
        (
            "Silva",
            "Santos",
            "Oliveira",
            "Souza",
            "Pereira",
            "Costa",
            "Almeida",
            "Ferreira",
            "Carvalho",
            "Ribeiro",
        ),
    ),
    "west_african": (
        ("Chinedu", "Ngozi", "Oluwaseun", "Aisha", "Emeka", "Funmilayo", "Kwame", "Amara"),
        ("Okafor", "Adeyemi", "Okonkwo", "Balogun", "Mensah", "Eze", "Nwosu", "Abubakar"),
    ),
    "arabic": (
        ("Omar", "Layla", "Yusuf", "Fatima", "Khalid", "Mariam", "Hassan", "Noor"),
        ("Al-Mansouri", "Haddad", "Khoury", "Nasser", "Saleh", "Farouk", "Rahman", "Aziz"),
    ),
    "japanese": (
        ("Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi", "Takumi", "Sakura"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"),
    ),
    "indian": (
        (
            "Aarav",
            "Priya",
            "Vivaan",
            "Ananya",
            "Arjun",
            "Diya",
            "Rohan",
            "Kavya",
            "Ishaan",
            "Meera",
        ),
        ("Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Singh", "Nair", "Kumar", "Das", "Mehta"),
    ),
    "chinese": (
        ("Wei", "Mei Ling", "Jun", "Xin Yi", "Hao", "Li Na", "Kai", "Hui Min"),
        ("Tan", "Lim", "Lee", "Ng", "Wong", "Chen", "Goh", "Ong"),
    ),
    "korean": (
        ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun", "Su-ah", "Joon", "Ji-woo"),
        ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon"),
    ),
}

INDUSTRIES: tuple[tuple[str, int], ...] = (
    ("Software", 22),
    ("Retail", 16),
    ("Healthcare", 12),
    ("Manufacturing", 12),
    ("Finance", 12),
    ("Education", 10),
    ("Logistics", 9),
    ("Hospitality", 7),
)

# Account sizes: share of accounts, contacts per account, seats per contact.
SIZES: dict[str, tuple[int, tuple[int, int], tuple[int, int]]] = {
    "small": (46, (1, 2), (1, 5)),
    "mid": (24, (2, 4), (5, 25)),
    "enterprise": (8, (4, 10), (20, 80)),
    "consumer": (22, (1, 2), (1, 1)),
}

COMPANY_WORDS = (
    "Blue Harbor",
    "Northgate",
    "Silverline",
    "Red Maple",
    "Summit",
    "Brightwater",
    "Ironwood",
    "Cedar Point",
    "Lumen",
    "Granite Peak",
    "Oakridge",
    "Riverbend",
    "Sunfield",
    "Keystone",
    "Evergreen",
    "Tidewater",
    "Copperleaf",
    "Starling",
    "Highland",
    "Westbrook",
    "Falcon",
    "Meridian",
    "Pioneer",
    "Harborview",
    "Amberly",
    "Clearwater",
    "Nimbus",
    "Orchard",
    "Sapphire",
    "Vantage",
    "Willow Creek",
    "Zenith",
)
INDUSTRY_SUFFIXES: dict[str, tuple[str, ...]] = {
    "Software": ("Labs", "Systems", "Software", "Cloud", "Digital"),
    "Retail": ("Outfitters", "Market", "Stores", "Goods", "Supply"),
    "Healthcare": ("Health", "Clinics", "Medical Group", "Care", "Diagnostics"),
    "Manufacturing": ("Industries", "Manufacturing", "Works", "Fabrication", "Components"),
    "Finance": ("Capital", "Financial", "Partners", "Credit Union", "Advisors"),
    "Education": ("Academy", "Learning", "College", "Schools", "Institute"),
    "Logistics": ("Freight", "Logistics", "Transport", "Shipping", "Distribution"),
    "Hospitality": ("Hotels", "Resorts", "Hospitality", "Kitchens", "Inns"),
}
PERSONAL_MAIL_DOMAINS = ("mail.example", "inbox.example", "post.example", "home.example")

# Fixed exchange rates (per US dollar): demo money only needs to be plausible and repeatable.
FX_PER_USD: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "EUR": Decimal("0.92"),
    "GBP": Decimal("0.79"),
}


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    competitor: str
    category: str
    price: Decimal  # per seat per year, USD
    margin_pct: Decimal | None
    capability_tags: tuple[str, ...]


OWN_COMPANY = "Beacon"
PLANS = ("BCN-STARTER", "BCN-TEAM", "BCN-ENTERPRISE")
ADDON_FOR_FEATURE = {
    "analytics": "BCN-ANALYTICS",
    "sso": "BCN-SSO",
    "api": "BCN-API",
    "mobile": "BCN-MOBILE",
    "support_24x7": "BCN-PREMIER",
}

PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec(
        "BCN-STARTER",
        "Beacon Starter",
        "",
        "Plans",
        Decimal("348.00"),
        Decimal("72.00"),
        ("reporting", "mobile"),
    ),
    ProductSpec(
        "BCN-TEAM",
        "Beacon Team",
        "",
        "Plans",
        Decimal("948.00"),
        Decimal("78.00"),
        ("reporting", "mobile", "integrations", "api"),
    ),
    ProductSpec(
        "BCN-ENTERPRISE",
        "Beacon Enterprise",
        "",
        "Plans",
        Decimal("2388.00"),
        Decimal("81.00"),
        ("reporting", "mobile", "integrations", "api", "sso", "analytics"),
    ),
    ProductSpec(
        "BCN-ANALYTICS",
        "Beacon Analytics",
        "",
        "Add-ons",
        Decimal("240.00"),
        Decimal("85.00"),
        ("analytics", "reporting"),
    ),
    ProductSpec("BCN-SSO", "Beacon SSO Pack", "", "Add-ons", Decimal("96.00"), Decimal("90.00"), ("sso",)),
    ProductSpec(
        "BCN-API",
        "Beacon API Access",
        "",
        "Add-ons",
        Decimal("180.00"),
        Decimal("88.00"),
        ("api", "integrations"),
    ),
    ProductSpec(
        "BCN-MOBILE",
        "Beacon Mobile Plus",
        "",
        "Add-ons",
        Decimal("60.00"),
        Decimal("83.00"),
        ("mobile",),
    ),
    ProductSpec(
        "BCN-PREMIER",
        "Beacon Premier Support",
        "",
        "Services",
        Decimal("420.00"),
        Decimal("55.00"),
        ("support_24x7",),
    ),
    ProductSpec(
        "NW-SIGNAL",
        "Northwind Signal",
        "Northwind",
        "Plans",
        Decimal("720.00"),
        None,
        ("reporting", "mobile", "integrations"),
    ),
    ProductSpec(
        "NW-SIGNAL-PRO",
        "Northwind Signal Pro",
        "Northwind",
        "Plans",
        Decimal("1680.00"),
        None,
        ("reporting", "mobile", "integrations", "analytics", "support_24x7"),
    ),
    ProductSpec(
        "CT-REACH",
        "Contoso Reach",
        "Contoso",
        "Plans",
        Decimal("540.00"),
        None,
        ("reporting", "api"),
    ),
    ProductSpec(
        "CT-REACH-PLUS",
        "Contoso Reach Plus",
        "Contoso",
        "Plans",
        Decimal("1320.00"),
        None,
        ("reporting", "api", "sso", "analytics"),
    ),
)
COMPETITOR_SKUS = tuple(p.sku for p in PRODUCTS if p.competitor)

# The demo's staff: one per role, four more customer advocates, two more department heads and two
# more sales reps, so cases, huddle tasks and accounts can be spread across a team.
# (username, role, first name, last name, time zone)
STAFF: tuple[tuple[str, str, str, str, str], ...] = (
    ("admin", "admin", "Adaeze", "Nwankwo", "Europe/London"),
    ("pm", "program_manager", "Priya", "Raman", "America/New_York"),
    ("advocate", "customer_advocate", "Carlos", "Mendoza", "America/Chicago"),
    ("advocate2", "customer_advocate", "Hannah", "Becker", "Europe/Berlin"),
    ("advocate3", "customer_advocate", "Kenji", "Watanabe", "Asia/Tokyo"),
    ("advocate4", "customer_advocate", "Fatima", "Haddad", "Europe/Paris"),
    ("advocate5", "customer_advocate", "Lucas", "Oliveira", "America/Sao_Paulo"),
    ("head", "department_head", "Margaret", "O'Connell", "America/New_York"),
    ("head2", "department_head", "Tomás", "Ruiz", "Europe/Madrid"),
    ("head3", "department_head", "Grace", "Kim", "America/Los_Angeles"),
    ("sales", "sales", "Samuel", "Osei", "America/Los_Angeles"),
    ("sales2", "sales", "Ingrid", "Larsen", "Europe/Amsterdam"),
    ("sales3", "sales", "Arjun", "Mehta", "Asia/Singapore"),
    ("analyst", "analyst", "Mei", "Chen", "America/Los_Angeles"),
)
DEMO_PASSWORD = "advocacy-demo"  # noqa: S105 - a published demo password, printed on start
