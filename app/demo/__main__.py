"""python -m app.demo: load the demo data and print the logins."""

import sys

from sqlmodel import Session

from app.db import get_engine
from app.demo import DEMO_MUNICIPALITIES, DEMO_OTHERS, load_demo
from app.demo.peers import PEER_NUMBERS
from app.demo.shared import SHARED
from app.settings import get_settings


def main() -> int:
    settings = get_settings()
    if not settings.demo or settings.environment == "production":
        print("Refusing to load demo data: set GODEGREP_DEMO=1 (never in production).")
        return 1
    with Session(get_engine()) as session:
        load_demo(session)
    print(f"Demo data is ready at {settings.base_url} — every password is 'demo':")
    for number, name, _size, users in DEMO_MUNICIPALITIES:
        print(f"  {name} ({number}):")
        for email, role in users:
            print(f"    {email:28} {role.value}")
    for email, role in DEMO_OTHERS:
        print(f"  {email:30} {role.value}")
    first, last = SHARED[0][0], SHARED[-1][0]
    print(f"  Municipalities {first}–{last} share rounds with KS (leder@<name>.demo.no,")
    print("    e.g. leder@fjordkommune.demo.no; Demo bykommune shares its action plan too)")
    print(
        f"  Made-up peer municipalities {PEER_NUMBERS[0]}–{PEER_NUMBERS[-1]} (closed rounds only)"
    )
    print(f"  Sent e-mail (invitations, password resets): {settings.base_url}/utvikler/epost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
