"""The demo institutions: codes, names, kinds, addresses and the shape of each school.

Other code and the test suite may rely on these registration codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from kopiena.organisations.models import Organisation, OrganisationKind
from kopiena.pupils.models import Programme

NATIONAL_AGENCY_CODE = "90000000100"
DEMO_MUNICIPALITY_CODE = "90000000001"
SOCIAL_SERVICE_CODE = "90000000002"
ORPHANS_COURT_CODE = "90000000003"
NEIGHBOUR_MUNICIPALITY_CODE = "90000000011"

SCHOOL_A_CODE = "4311900001"  # Demo vidusskola, grades 1-12
BASIC_SCHOOL_CODE = "4311900002"  # Demo pamatskola, grades 1-9
SCHOOL_B_CODE = "4311900003"  # Demo tehnikums, vocational courses K1-K4
MUSIC_SCHOOL_CODE = "4311900004"  # Demo mūzikas skola
NEIGHBOUR_SCHOOL_CODE = "4311900011"  # Kaimiņu pamatskola, in another municipality


@dataclass(frozen=True)
class OrganisationSpec:
    code: str
    name: str
    kind: OrganisationKind
    address: str
    parent_code: str | None = None


@dataclass(frozen=True)
class SchoolSpec:
    """How a demo school is organised: which grades, parallel class letters, its pupil share."""

    code: str
    grades: tuple[int, ...]
    letters: tuple[str, ...]
    programme: Programme = Programme.GENERAL
    share: float = 0.0  # share of --pupils (Demo novads schools)
    fixed_pupils: int = 0  # pupils regardless of --pupils (other municipality)
    subjects: tuple[str, ...] = ()
    pupils_per_class: int = 30

    @property
    def is_vet(self) -> bool:
        return self.programme == Programme.VET


ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(NATIONAL_AGENCY_CODE, "Izglītības kvalitātes valsts dienests",
                     OrganisationKind.NATIONAL_AGENCY, "Vaļņu iela 2, Rīga, LV-1050"),
    OrganisationSpec(DEMO_MUNICIPALITY_CODE, "Demo novads", OrganisationKind.MUNICIPALITY,
                     "Brīvības iela 12, Demopils, Demo nov., LV-4301"),
    OrganisationSpec(SCHOOL_A_CODE, "Demo vidusskola", OrganisationKind.SECONDARY_SCHOOL,
                     "Skolas iela 5, Demopils, Demo nov., LV-4301", DEMO_MUNICIPALITY_CODE),
    OrganisationSpec(BASIC_SCHOOL_CODE, "Demo pamatskola", OrganisationKind.BASIC_SCHOOL,
                     "Parka iela 3, Lejasciems, Demo pag., Demo nov., LV-4305",
                     DEMO_MUNICIPALITY_CODE),
    OrganisationSpec(SCHOOL_B_CODE, "Demo tehnikums", OrganisationKind.VOCATIONAL_SCHOOL,
                     "Rūpniecības iela 21, Demopils, Demo nov., LV-4301",
                     DEMO_MUNICIPALITY_CODE),
    OrganisationSpec(MUSIC_SCHOOL_CODE, "Demo mūzikas skola", OrganisationKind.MUSIC_ART_SCHOOL,
                     "Raiņa iela 8, Demopils, Demo nov., LV-4301", DEMO_MUNICIPALITY_CODE),
    OrganisationSpec(SOCIAL_SERVICE_CODE, "Demo novada sociālais dienests",
                     OrganisationKind.SOCIAL_SERVICE,
                     "Brīvības iela 14, Demopils, Demo nov., LV-4301", DEMO_MUNICIPALITY_CODE),
    OrganisationSpec(ORPHANS_COURT_CODE, "Demo novada bāriņtiesa", OrganisationKind.ORPHANS_COURT,
                     "Brīvības iela 12, Demopils, Demo nov., LV-4301", DEMO_MUNICIPALITY_CODE),
    OrganisationSpec(NEIGHBOUR_MUNICIPALITY_CODE, "Kaimiņu novads", OrganisationKind.MUNICIPALITY,
                     "Centra iela 1, Kaimiņciems, Kaimiņu nov., LV-4501"),
    OrganisationSpec(NEIGHBOUR_SCHOOL_CODE, "Kaimiņu pamatskola", OrganisationKind.BASIC_SCHOOL,
                     "Skolas iela 2, Kaimiņciems, Kaimiņu pag., Kaimiņu nov., LV-4501",
                     NEIGHBOUR_MUNICIPALITY_CODE),
)

_GENERAL_SUBJECTS = ("Latviešu valoda", "Matemātika", "Angļu valoda", "Dabaszinības",
                     "Vēsture", "Sports un veselība")

SCHOOLS: tuple[SchoolSpec, ...] = (
    SchoolSpec(SCHOOL_A_CODE, tuple(range(1, 13)), ("a", "b", "c"), share=0.50,
               subjects=_GENERAL_SUBJECTS),
    SchoolSpec(BASIC_SCHOOL_CODE, tuple(range(1, 10)), ("a", "b", "c"), share=0.28,
               subjects=_GENERAL_SUBJECTS),
    # Vocational groups are labelled by course and programme letter: k (kokapstrāde),
    # m (mehatronika), p (pavāru darbs); grade 1-4 is the course, shown as K1-K4.
    SchoolSpec(SCHOOL_B_CODE, (1, 2, 3, 4), ("k", "m", "p"), programme=Programme.VET,
               share=0.18, subjects=("Latviešu valoda", "Matemātika", "Angļu valoda",
                                     "Profesionālie mācību priekšmeti")),
    SchoolSpec(MUSIC_SCHOOL_CODE, tuple(range(1, 9)), ("a",), share=0.04,
               subjects=("Solfedžo", "Mūzikas literatūra"), pupils_per_class=15),
    SchoolSpec(NEIGHBOUR_SCHOOL_CODE, tuple(range(1, 10)), ("a",), fixed_pupils=40,
               subjects=("Latviešu valoda", "Matemātika")),
)

# Schools between which a general-education pupil may move during the school year.
GENERAL_SCHOOL_CODES = (SCHOOL_A_CODE, BASIC_SCHOOL_CODE, NEIGHBOUR_SCHOOL_CODE)

CARE_INSTITUTION_NAME = "Bērnu sociālās aprūpes centrs „Saulīte”"
LEAVING_REASONS = (
    "Mainīja dzīvesvietu",
    "Ģimene pārcēlās uz citu novadu",
    "Pārgāja uz citu izglītības iestādi pēc vecāku iesnieguma",
)
COMPLETED_BASIC_EDUCATION = "Ieguva pamatizglītību"


def create_organisations() -> dict[str, Organisation]:
    """Create (or reuse, by registration code) every demo organisation; parents first."""
    created: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        parent = created[spec.parent_code] if spec.parent_code else None
        org, _ = Organisation.objects.update_or_create(
            registration_code=spec.code,
            defaults={"name": spec.name, "kind": spec.kind, "address": spec.address,
                      "parent": parent, "is_active": True},
        )
        org.full_clean()
        created[spec.code] = org
    return created


ALL_SCHOOL_CODES = (SCHOOL_A_CODE, BASIC_SCHOOL_CODE, SCHOOL_B_CODE, MUSIC_SCHOOL_CODE,
                    NEIGHBOUR_SCHOOL_CODE)


def demo_schools() -> list[Organisation]:
    """The demo's schools (both municipalities), as stored."""
    return list(Organisation.objects.filter(registration_code__in=ALL_SCHOOL_CODES)
                .order_by("registration_code"))
