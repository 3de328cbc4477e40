"""Team-written, cable-style documents for batch tests and the memory benchmark.

Every text is generated here from templates with varied names, posts, places and numbers (seeded,
so the same ``n`` gives the same documents); nothing comes from ../shared. ``words`` sets the rough
length: tests use short cables, the benchmark whole ones.
"""
from __future__ import annotations

import random
from pathlib import Path

POSTS = [("ASTANA", "KAZAKHSTAN", "KZ"), ("BANGKOK", "THAILAND", "TH"), ("COLOMBO", "SRI LANKA", "CE"),
         ("TASHKENT", "UZBEKISTAN", "UZ"), ("CHISINAU", "MOLDOVA", "MD"), ("MANILA", "PHILIPPINES", "RP"),
         ("KATHMANDU", "NEPAL", "NP"), ("LAGOS", "NIGERIA", "NI"), ("BISHKEK", "KYRGYZSTAN", "KG"),
         ("DHAKA", "BANGLADESH", "BG"), ("ACCRA", "GHANA", "GH"), ("LIMA", "PERU", "PE")]
ORIGINS = ["Uzbekistan", "Kyrgyzstan", "Moldova", "Ukraine", "Nepal", "Bangladesh", "Ghana", "Togo", "Cambodia",
           "Burma", "Laos", "Bolivia", "Tajikistan", "Ethiopia", "Benin", "Vietnam"]
DESTINATIONS = ["Dubai", "Almaty", "Moscow", "Istanbul", "Kuala Lumpur", "Riyadh", "Beirut", "Bangkok", "Tel Aviv",
                "Seoul", "Doha", "Kuwait City", "Lagos", "Buenos Aires"]
FIRST = ["Aliya", "Bakyt", "Marat", "Nodira", "Ion", "Elena", "Ram", "Sita", "Kwame", "Ama", "Somchai", "Dara",
         "Rustam", "Gulnara", "Pedro", "Rosa", "Tomas", "Farida", "Joseph", "Mercy"]
LAST = ["Seitkali", "Omarov", "Rusu", "Ceban", "Thapa", "Gurung", "Mensah", "Boateng", "Sok", "Phan", "Karimov",
        "Yusupova", "Quispe", "Mamani", "Haidari", "Okafor", "Petrenko", "Sultanova", "Adeyemi", "Chanda"]
VICTIMS = ["women", "girls", "men", "boys", "domestic workers", "construction workers", "fishermen", "housemaids",
           "teenagers", "migrant laborers"]
WORK = ["brothels", "construction sites", "garment workshops", "fishing boats", "private homes", "farms", "brick kilns"]
CURRENCIES = [("USD", "{n:,} US dollars"), ("EUR", "{n:,} euros"), ("KZT", "{n:,} tenge"), ("THB", "{n:,} baht"),
              ("NPR", "{n:,} Nepalese rupees")]
STATUTES = ["Article 128 of the Criminal Code", "Article 165 of the Criminal Code", "the 2008 Anti-Trafficking Act",
            "Section 3 of the Trafficking in Persons Law", "Article 270 of the Penal Code"]
FILLER = [
    "Post will continue to raise the case with the ministry and with NGO partners.",
    "Officials said the investigation was hampered by a lack of interpreters and by frequent staff turnover.",
    "The shelter director asked for help with legal aid and return travel for the victims.",
    "Police officials told poloff that inspections would increase before the harvest season.",
    "Embassy staff met prosecutors, labor inspectors and an international organization working on migration.",
    "NGO contacts said many victims decline to testify because they fear reprisals against their families.",
]


def make_cable(i: int, words: int = 150, seed: int = 0) -> str:
    """A cable-style report: routing header, TAGS, SUBJECT, numbered paragraphs, signature."""
    rnd = random.Random(seed * 1_000_003 + i)
    post, country, cc = rnd.choice(POSTS)
    year = rnd.randint(4, 10)
    serial = rnd.randint(100, 9999)
    day, month = rnd.randint(1, 28), rnd.choice(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])
    lines = [
        f"VZCZCXRO{rnd.randint(1000, 9999)}",
        "RR RUEHWEB",
        f"DE RUEH{post[:2]} #{serial:04d}/01 {rnd.randint(100, 365)}{rnd.randint(1000, 2359):04d}",
        f"R {day:02d}{rnd.randint(0, 23):02d}{rnd.randint(0, 59):02d}Z {month} {year:02d}",
        f"FM AMEMBASSY {post}",
        f"TO SECSTATE WASHDC {rnd.randint(1000, 9999)}",
        "",
        f"UNCLAS {post} {serial:06d}",
        "",
        "SIPDIS",
        "",
        "E.O. 12958: N/A",
        f"TAGS: KTIP KCRM PHUM ELAB {cc}",
        f"SUBJECT: {country}: TRAFFICKING CASE REPORT NUMBER {i}",
        "",
    ]
    paras = []
    n = 1
    total = 0
    while total < words:
        rec = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
        perp = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
        origin, dest = rnd.choice(ORIGINS), rnd.choice(DESTINATIONS)
        code, fmt = rnd.choice(CURRENCIES)
        amount = fmt.format(n=rnd.randint(2, 90) * 100)
        years = rnd.randint(2, 15)
        kind = rnd.randrange(4)
        if kind == 0:
            text = (f"A recruiter, {rec}, promised {rnd.randint(3, 40)} {rnd.choice(VICTIMS)} from {origin} jobs in "
                    f"{dest} and charged each of them {amount} for travel and documents.")
        elif kind == 1:
            text = (f"Police arrested {perp}, who is accused of holding victims from {origin} in {rnd.choice(WORK)} "
                    f"in {dest}. Prosecutors charged {perp} under {rnd.choice(STATUTES)}.")
        elif kind == 2:
            text = (f"In {month.title()} a court in {post.title()} sentenced {perp} to {years} years in prison for "
                    f"trafficking {rnd.choice(VICTIMS)} from {origin} to {dest}.")
        else:
            text = " ".join(rnd.sample(FILLER, 2))
        paras.append(f"{n}. (SBU) {text}")
        total += len(text.split())
        n += 1
    sig = rnd.choice(LAST).upper()
    return "\n".join(lines) + "\n" + "\n\n".join(paras) + f"\n\n{sig}\n"


def write_corpus(folder: Path, n: int, *, words: int = 150, seed: int = 0, start: int = 0) -> list[Path]:
    """Write ``n`` cables ``cable-00000.txt``... into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        p = folder / f"cable-{i:05d}.txt"
        p.write_text(make_cable(i, words=words, seed=seed), encoding="utf-8")
        paths.append(p)
    return paths


def write_corrupt(folder: Path) -> dict[str, Path]:
    """The awkward files of a real corpus: binary, empty, whitespace, 5 MB of one line, cp1252."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "binary": folder / "scan.txt",
        "empty": folder / "empty.txt",
        "blank": folder / "blank.txt",
        "huge": folder / "huge.txt",
        "cp1252": folder / "windows.txt",
    }
    files["binary"].write_bytes(bytes(range(256)) * 64)
    files["empty"].write_bytes(b"")
    files["blank"].write_bytes(b"  \n\n \t\n")
    sentence = b"The ministry said brokers were arrested and charged in the capital last year. "
    files["huge"].write_bytes((sentence * (5 * 1024 * 1024 // len(sentence) + 1))[: 5 * 1024 * 1024])
    text = make_cable(9999, words=80).replace("A recruiter", "A recruiter \u2013 the \u201cagent\u201d \u2013")
    text = text.replace("SUBJECT:", "SUBJECT: CAF\u00c9 WORKERS \u2013")
    files["cp1252"].write_bytes(text.encode("cp1252"))
    return files
