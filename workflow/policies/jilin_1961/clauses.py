"""The clauses of the Jilin Provincial Committee cable of 25 November 1961.

Ids are those of ``docs/policy.md``. ``words`` is the cable's own text in David
Cowhig's translation (Wilson Center Digital Archive, PRC FMA 118-00948-02);
``summary`` is docs/policy.md's paraphrase.
"""

from __future__ import annotations

from workflow.policy import Clause

SOURCE = (
    "Cable from the Jilin Provincial Party Committee, 'Korean Citizen Border Crossers "
    "Arriving in China's Changbai County Request Residency', 25 November 1961, Wilson "
    "Center Digital Archive, PRC FMA 118-00948-02, 7-9, translated by David Cowhig."
)


CLAUSES: dict[str, Clause] = {
    c.id: c
    for c in (
        Clause(
            "P1",
            "DPRK citizens who crossed illegally: persuade them to return, contact "
            "border-defence representatives, record names, investigate, turn them over "
            "to Korea as a group.",
            "After reviewing all information relating to [North] Korean citizens who "
            "illegally crossed the border, we should persuade them to return and then "
            "after contacting border defense representatives, and after recording their "
            "names and investigating their situations, turn them over as a group to Korea.",
        ),
        Clause(
            "P2",
            "DPRK citizens who came to visit relatives without the proper procedures: tell "
            "them it was not right, send them back within a short period.",
            "Those who through investigation are determined to be Korean citizens who came "
            "to China to visit relatives, but not having gone through the appropriate "
            "procedures, crossed the border illegally, should be told that what they did "
            "was not right and have them sent back within a short period.",
        ),
        Clause(
            "P3",
            "DPRK citizens married to Chinese citizens of Korean nationality who refuse "
            "after three attempts at persuasion: an exception; a name list goes to the "
            "provincial Foreign Affairs Office for the Korean Consulate General; if Korea "
            "agrees they stay as foreign residents.",
            "Those who through investigation are determined to be Korean citizens but have "
            "already married Chinese citizens of the Korean nationality, who after three "
            "attempts at persuasion still refuse to return to Korea, should be handled as "
            "an exception. A list of the names of these people should be sent to the "
            "provincial Foreign Affairs Office for reporting to the Korean Consulate "
            "General [in Shenyang]. If Korea agrees that they may remain in China, then "
            "they can be handled as foreign residents.",
        ),
        Clause(
            "P4",
            "Members of China's Korean national minority: educate them and restore their "
            "Chinese citizenship.",
            "Those who through investigation are found to be members of China's Korean "
            "national minority, should be educated and have their original Chinese "
            "citizenship restored to them.",
        ),
        Clause(
            "P5",
            "Anyone who committed a crime in China after crossing: handled under China's "
            "laws on foreign citizens who commit crimes in China.",
            "Anyone who committed a crime in China after crossing the border should be "
            "handled according to our country's laws concerning foreign citizens who "
            "commit crimes in China.",
        ),
        Clause(
            "W1",
            "Cadres receive patriotic and internationalist education (not case work).",
            "We must carry out patriotic and internationalist education among our cadres, "
            "explaining to them that returning border crossers benefits the unity of the "
            "Chinese and Korean people and is our internationalist responsibility.",
        ),
        Clause(
            "W2",
            "All border crossers are confined and persuaded through education; rude "
            "treatment is not permitted.",
            "Strengthen border management work. Border crossers should be all be confined "
            "and persuaded through education to return. Rude treatment of border crossers "
            "is not permitted.",
        ),
        Clause(
            "W3",
            "Where persuasion has failed, local authorities provide suitable food and "
            "clothing.",
            "For those individuals for whom attempts to persuade them to return have "
            "failed, the local authorities should handle the issues of providing them "
            "suitable food and clothing.",
        ),
        Clause(
            "T",
            "Those who crossed in 1960 or earlier and are determined not to return are, "
            "with the Provincial Party Committee's permission, transferred to the Public "
            "Security Department and the Foreign Affairs Department.",
            "Those Korean citizens who crossed the border in 1960 or earlier, and are "
            "determined not to return should, with the permission of the Provincial "
            "Communist Party Committee, be transferred to the Public Security Department "
            "and the Foreign Affairs Department for handling according to the principles "
            "of the \"Report on the Handling of Korean Illegal International Border "
            "Crossers or Those Holding Expired Credentials But are Unwilling to Return.\"",
        ),
        Clause(
            "G",
            "Any problem with these principles: ask the Ministry of Foreign Affairs for "
            "guidance.",
            "If there is anything problems with the opinions above, please ask the "
            "Ministry of Foreign Affairs for guidance.",
        ),
    )
}
