"""The clauses of the views of 17 December 1957, as the summary gives them.

Source: Cable from the Ministry of Foreign Affairs, the Ministry of Public Security and the
Central Overseas Chinese Affairs Commission, 17 December 1957 (NKIDP e-Dossier No. 11,
document 1). ``words`` is the summary's paraphrase (docs/sources/1957-12-17-views.md): the
full text is not at hand, so no clause here quotes it.
"""

from __future__ import annotations

from workflow.policy import Clause

SOURCE = (
    "Cable from the Ministry of Foreign Affairs, the Ministry of Public Security and the "
    "Central Overseas Chinese Affairs Commission, 'Views on Handling the Issue of Ethnic "
    "Koreans in the Northeast Illegally Crossing the Border to Korea', 17 December 1957, "
    "Wilson Center Digital Archive, NKIDP e-Dossier No. 11, document 1, translated by "
    "Jeffrey Wang (read from a summary of its second point)."
)

CLAUSES: dict[str, Clause] = {
    c.id: c
    for c in (
        Clause("V1", "DPRK citizens who crossed illegally are, in principle, sent back.",
               "DPRK citizens who crossed into China illegally are, in principle, sent "
               "back (repatriated). (Summary.)"),
        Clause("V2", "Where return is 'indeed inconvenient', they may stay once the DPRK "
               "side approves.",
               "Where return is 'indeed inconvenient' for a person, they may go on residing "
               "in China, but only after the DPRK side has approved it. (Summary.)"),
        Clause("V3", "Those allowed to stay may later be mobilised to return.",
               "Those allowed to stay may later be mobilised to return, if needed. "
               "(Summary.)"),
        Clause("V4", "Legal crossings approved leniently; illegal ones handled severely.",
               "Legal crossings are approved leniently; illegal crossings are handled "
               "severely. (Summary.)"),
    )
}
