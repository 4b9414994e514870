"""What the demo's support teams wrote, in Latvian as they would: reasons for support, risk
notes, goals, justifications, reviews, evaluations, referrals. Read by ``demo.case_stories``."""

from __future__ import annotations

from kopiena.cases.models import CaseOrigin
from kopiena.plans.models import Outcome

REASONS: dict[str, tuple[str, ...]] = {
    CaseOrigin.FLAG: (
        "Atbalsta līmenis paaugstināts: kavējumi un nepietiekami vērtējumi vairākos mācību "
        "priekšmetos.",
        "Sistēmas brīdinājums: semestra apmeklējums zem 90 %, daudz neattaisnotu kavējumu.",
        "Atbalsta līmenis: mērķtiecīgs atbalsts. Kritušies vērtējumi matemātikā un latviešu "
        "valodā.",
        "Bieži uzvedības incidenti stundās; atbalsta komanda vienojās izvērtēt vajadzības.",
    ),
    CaseOrigin.TEACHER_REFERRAL: (
        "Klases audzinātāja ziņo: skolēns pēdējā mēnesī bieži kavē pirmās stundas un nav "
        "sagatavojies stundām.",
        "Klases audzinātāja novērojumi: skolēns noslēdzies, nepilda mājas darbus, konflikti ar "
        "klasesbiedriem.",
        "Priekšmetu skolotāji ziņo par nepietiekamiem vērtējumiem; audzinātāja lūdz atbalsta "
        "komandas palīdzību.",
    ),
    CaseOrigin.PARENT_REQUEST: (
        "Māte lūdz atbalstu: bērnam grūtības ar matemātiku, mājās nevar palīdzēt.",
        "Vecāku iesniegums: pēc pārcelšanās bērnam grūti iekļauties klasē, lūdz psihologa "
        "konsultācijas.",
        "Aizbildne lūdz palīdzību: skolēns negrib iet uz skolu, bieži sūdzas par slikto "
        "pašsajūtu.",
    ),
}

RISK_NOTES: dict[str, tuple[str, ...]] = {
    "content_difficulties": ("Grūtības ar teksta izpratni un uzdevumu nosacījumiem.",
                             "Nav apguvis daļskaitļu darbības; iztrūkumi no iepriekšējās klases."),
    "low_achievement": ("Nepietiekami vērtējumi matemātikā un angļu valodā.",
                        "Semestrī 3 nepietiekami vērtējumi; risks nepāriet nākamajā klasē."),
    "absences": ("Kavē pirmdienās un piektdienās, vecāki kavējumus neattaisno.",
                 "Neattaisnoti kavējumi, īpaši pirmajās stundās."),
    "behaviour": ("Konflikti stundās, neievēro skolotāju norādes.",
                  "Vairāki ieraksti e-klasē par traucētu stundu darbu."),
    "language_barrier": ("Ģimenē runā krievu valodā; grūtības ar mācību valodu.",),
    "low_motivation": ("Saka, ka mācības neesot vajadzīgas; nepilda mājas darbus.",
                       "Zema motivācija, neredz mērķi pēc pamatskolas."),
    "special_needs": ("Pedagoģiski medicīniskās komisijas atzinums: mācīšanās traucējumi.",),
    "low_income": ("Ģimenei trūcīgas personas statuss.",
                   "Māte viena audzina trīs bērnus, ienākumi zem minimālās algas."),
    "transport_costs": ("Dzīvo 18 km no skolas; starppilsētu autobusa biļetes ģimenei par "
                        "dārgu.",),
    "learning_items": ("Nav kalkulatora, darba burtnīcu un sporta apģērba.",),
    "works_for_money": ("Strādā vakaros un brīvdienās veikalā.",),
    "family_conflict": ("Vecāki šķiras; konflikti mājās.",
                        "Sociālais dienests informēts par konfliktiem ģimenē."),
    "parents_abroad": ("Māte strādā Īrijā; skolēns dzīvo pie vecmāmiņas.",),
    "out_of_family_care": ("Audžuģimenē kopš 2024. gada.",),
    "low_parental_involvement": ("Vecāki neatbild uz e-klases ziņām, neierodas uz sapulcēm.",),
    "caring_duties": ("Pieskata jaunākos brāļus pēc skolas.",),
    "peer_influence": ("Draudzējas ar vecākiem jauniešiem, kuri nemācās.",),
    "bullying": ("Klasesbiedri izsmej; skolēns izvairās no starpbrīžiem.",),
    "addiction": ("Skolotāji pamanījuši smēķēšanu; iespējama azartspēļu atkarība tiešsaistē.",),
    "health_problems": ("Biežas galvassāpes, ārsta apmeklējumi.",),
    "emotional_wellbeing": ("Trauksme, miega traucējumi, psihologs ieteicis konsultācijas.",
                            "Nomākts garastāvoklis kopš vecāku šķiršanās."),
    "offending": ("Pašvaldības policija sastādījusi protokolu par sīkām zādzībām.",),
}

ASSESSMENT_SUMMARIES = (
    "Atbalsta komanda kopā ar klases audzinātāju izvērtēja riskus.",
    "Riski izvērtēti sarunā ar skolēnu un vecākiem.",
    "Atkārtots izvērtējums pēc semestra.",
)

GOALS = (
    "Apmeklēt visas stundas bez neattaisnotiem kavējumiem; uzlabot vērtējumus matemātikā "
    "līdz vismaz 4 ballēm.",
    "Semestra beigās nav nepietiekamu vērtējumu; skolēns regulāri pilda mājas darbus.",
    "Samazināt kavējumus līdz 5 neattaisnotām stundām mēnesī; stiprināt mācīšanās motivāciju.",
    "Uzlabot latviešu valodas prasmes, lai skolēns saprot uzdevumus visos priekšmetos.",
    "Mazināt konfliktus stundās; skolēns apgūst paņēmienus emociju vadīšanai.",
)

COMMITMENTS = (
    "Apņemos apmeklēt visas konsultācijas un laikus brīdināt, ja nevaru ierasties.",
    "Katru nedēļu pildīšu mājas darbus un pārrunāšu ar audzinātāju, kā man veicas.",
    "Nākšu uz skolu katru dienu un izmantošu konsultācijas matemātikā.",
)

JUSTIFICATIONS: dict[str, str] = {
    "subject_teacher": "Individuālas konsultācijas palīdz aizpildīt iztrūkumus un uzlabot "
                       "vērtējumus.",
    "psychologist": "Sarunas par motivāciju, emociju vadību un attiecībām klasē.",
    "social_pedagogue": "Sadarbība ar ģimeni un kavējumu iemeslu novēršana.",
    "special_pedagogue": "Mācīšanās stratēģijas atbilstoši traucējumiem.",
    "speech_therapist": "Lasīšanas un rakstīšanas prasmju attīstīšana.",
    "teacher_assistant": "Atbalsts stundās darba organizēšanā un uzdevumu izpildē.",
    "occupational_therapist": "Darba vietas un ikdienas prasmju pielāgošana.",
    "sign_language": "Surdotulka atbalsts stundās.",
    "mentor": "Mentors palīdz saskatīt mērķus, plānot laiku un saglabāt motivāciju.",
    "transport": "Kompensācija ļauj katru dienu ierasties skolā ar starppilsētu autobusu.",
    "dormitory": "Dienesta viesnīca ļauj mācīties, neceļojot katru dienu.",
    "meals": "Pusdienas skolā, lai skolēns var koncentrēties mācībām.",
    "learning_items": "Nepieciešamie mācību piederumi, lai skolēns var strādāt stundās.",
    "special_transport": "Specializētais transports nokļūšanai skolā.",
}

SCHEDULES: dict[str, str] = {
    "hours": "Reizi nedēļā pēc stundām",
    "sessions": "Divas reizes mēnesī",
    "eur": "Katru mēnesi pēc iesniegtajiem čekiem",
}

FAMILY_CONTACTS: dict[str, tuple[str, ...]] = {
    "call": ("Zvans mātei: informēja par kavējumiem, vienojās par tikšanos.",
             "Zvans tēvam: pārrunāja konsultāciju grafiku; tēvs atbalsta plānu."),
    "meeting": ("Tikšanās skolā ar vecākiem un audzinātāju: pārrunāts atbalsta plāns.",
                "Tikšanās ar aizbildni: vienojās par mājas darbu kontroli."),
    "letter": ("Vēstule vecākiem par neattaisnotajiem kavējumiem (MK not. Nr. 89).",),
    "email": ("E-klases ziņa vecākiem par konsultāciju laikiem.",),
    "home_visit": ("Sociālais pedagogs apmeklēja ģimeni mājās; ģimenei vajadzīgs sociālā "
                   "dienesta atbalsts.",),
}

REVIEWS = (
    ("Konsultācijas notiek regulāri; vērtējumi matemātikā uzlabojušies.",
     "Turpināt līdzšinējo plānu."),
    ("Kavējumi samazinājušies, bet mājas darbi joprojām netiek pildīti.",
     "Iesaistīt vecākus; pārskatīt konsultāciju laiku."),
    ("Skolēns apmeklē psihologa konsultācijas, konfliktu klasē mazāk.",
     "Turpināt; nākamā pārskatīšana pēc mēneša."),
)

EVALUATIONS: dict[str, str] = {
    Outcome.RISK_REDUCED: "Kavējumi būtiski samazinājušies, nav nepietiekamu vērtējumu. "
                          "Atbalsts šajā apjomā vairs nav vajadzīgs.",
    Outcome.SUPPORT_CONTINUES: "Progress ir, taču vērtējumi vēl nestabili; atbalsts turpinās "
                               "nākamajā semestrī.",
    Outcome.MOVED_SCHOOL: "Ģimene pārcēlās uz Rīgu, skolēns no marta mācās citā skolā; jaunajai "
                          "skolai nodota informācija par atbalstu. Rudenī ģimene atgriezās.",
    Outcome.LEFT_EDUCATION: "Skolēns pārtrauca mācības un sāka strādāt; sociālais pedagogs "
                            "uzturēja kontaktu. Mācības atsāktas nākamajā mācību gadā.",
    Outcome.COMPLETED_EDUCATION: "Skolēns ieguva pamatizglītību un turpina mācības vidusskolā.",
}

PAUSE_REASONS = (
    "Skolēns ārstējas slimnīcā; konsultācijas atsāks pēc atgriešanās.",
    "Psihologa prombūtne līdz mēneša beigām; konsultācijas atliktas.",
)
REVISION_REASONS = (
    "Pārskatīšanā konstatēts: vajadzīgas arī konsultācijas angļu valodā; jāmaina apjoms.",
    "Pēc ģimenes situācijas maiņas jāpievieno sociālā pedagoga atbalsts.",
)
RETURN_COMMENTS = (
    "Lūdzu precizēt mērķus un pamatot, kāpēc vajadzīgas 20 stundas.",
    "Pasākumu apjoms neatbilst riskiem; lūdzu pārskatīt.",
)
DEACTIVATION_REASONS = (
    "Vecāki atsauca piekrišanu; plāns netiek īstenots.",
    "Skolēna situācija uzlabojās pirms plāna sākuma; atbalsts nav vajadzīgs.",
)
WITHDRAWAL_NOTES = (
    "Māte rakstiski atsauca piekrišanu; nevēlas, lai informācija tiek nodota.",
    "Vecāki atsauca piekrišanu pēc sarunas ar direktori.",
)
CLOSING_REASONS: dict[str, str] = {
    Outcome.RISK_REDUCED: "Mērķi sasniegti, riski mazinājušies.",
    Outcome.MOVED_SCHOOL: "Skolēns pārgāja uz citu skolu.",
    Outcome.LEFT_EDUCATION: "Skolēns pārtrauca mācības.",
    Outcome.COMPLETED_EDUCATION: "Skolēns ieguva pamatizglītību.",
    "inactive": "Atbalsts nav vajadzīgs.",
}

REFERRAL_REQUESTS = (
    "Lūdzam izvērtēt ģimenes situāciju un piedāvāt sociālo atbalstu.",
    "Lūdzam sociālā darbinieka atbalstu ģimenei: kavējumi, zemi ienākumi.",
)
REFERRAL_ACCEPTED = "Pieņemts; sociālais darbinieks sazināsies ar ģimeni nedēļas laikā."
REFERRAL_DECLINED = "Ģimene jau saņem sociālā dienesta atbalstu cita gadījuma ietvaros; " \
                    "lūdzam sazināties ar atbildīgo darbinieku."
REFERRAL_REVOKED = "Jautājums atrisināts skolā; ģimene atbalstu vairs nevēlas."
REG_89_BASIS = "Vairāk nekā 20 neattaisnoti kavējumi semestrī, iemesli nav noskaidroti; " \
               "skola informē pašvaldību (MK noteikumi Nr. 89)."

MENTOR_TRAINING = "\"Skola – kopienā\" mentoru apmācības programma (40 stundas)"
MENTOR_INTERESTS = "Sports, programmēšana, karjeras izvēle"
LEFT_PAUSE = "Skolēns vairs neapmeklē skolu; sociālais pedagogs meklē kontaktu ar ģimeni."
