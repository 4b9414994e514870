from __future__ import annotations

from kopiena.core.aggregates import is_small_group


def test_only_counts_one_to_four_are_hidden() -> None:
    assert [n for n in range(8) if is_small_group(n)] == [1, 2, 3, 4]


def test_overview_lists_the_schools_each_role_may_see_in_figures(db: None) -> None:
    from kopiena.core.overview import overview_for
    from tests import people as P

    def codes(email: str) -> set[str]:
        return {row.school.registration_code for row in overview_for(P.user(email)).schools}

    demo = {P.SCHOOL_A, P.SCHOOL_BASIC, P.SCHOOL_B, P.SCHOOL_MUSIC}
    assert codes(P.MUNICIPALITY) == demo
    assert codes(P.PROJECT) == demo
    assert codes(P.NATIONAL) == demo | {P.SCHOOL_OTHER_MUNICIPALITY}
    assert codes(P.DIRECTOR_A) == {P.SCHOOL_A}
    assert codes(P.PSYCHOLOGIST_A) == set()
    assert codes(P.ADMIN) == set()
