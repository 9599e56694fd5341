from core.parties import ORGANISATIONS, PartyKind, is_state, lookup, registry


def test_states_come_from_iso_3166():
    assert lookup("NLD").kind is PartyKind.STATE
    assert lookup("AUT").name == "Austria"
    assert sum(1 for p in registry().values() if p.kind is PartyKind.STATE) >= 249


def test_court_un_and_the_fifteen_organisations_of_annex_ii():
    assert lookup("ICC").kind is PartyKind.COURT
    assert lookup("UN").kind is PartyKind.UNITED_NATIONS
    assert len(ORGANISATIONS) == 15
    assert all(lookup(code).kind is PartyKind.ORGANISATION for code in ORGANISATIONS)


def test_unknown_codes_are_unknown():
    assert lookup("XXX") is None
    assert lookup("nld") is None
    assert not is_state("AU")
