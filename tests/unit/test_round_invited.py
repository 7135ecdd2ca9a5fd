"""What the new round's page says about its new people: invited now, or already invited and
added with the invitation they have (app.rounds.invitees.Invited)."""

from app.rounds.invitees import Invited


def test_new_and_already_invited_people_are_counted_apart():
    said = Invited(sent=3, told=1).message()
    assert said == (
        "Runden er opprettet, og invitasjonen er sendt til 3 nye personer. 1 person hadde "
        "allerede en invitasjon og er lagt til runden; lenken i invitasjonen virker fortsatt."
    )
    assert Invited(sent=3, told=1).kind == "success"


def test_only_already_invited_people_is_no_invitation_sent():
    said = Invited(sent=0, told=2).message()
    assert said.startswith("Runden er opprettet. 2 personer hadde allerede en invitasjon")
    assert "sendt til" not in said


def test_a_mail_about_the_round_that_failed_is_named_and_still_counted_as_added():
    invited = Invited(sent=1, told=0, untold=("ola@a.no",))
    said = invited.message()
    assert "1 person hadde allerede en invitasjon" in said
    assert "E-posten om runden kunne ikke sendes til ola@a.no" in said
    assert invited.kind == "warning"


def test_nobody_new_says_only_that_the_round_started():
    assert Invited(sent=0, told=0).message() == "Runden er opprettet."
