-- index audit_before_effective
CREATE INDEX audit_before_effective ON audit(case_id, seq) WHERE policy = 'jilin-1961' AND policy_version = '3' AND at < '1961-11-25' AND case_id IS NOT NULL;

-- index audit_case
CREATE INDEX audit_case ON audit(case_id, seq);

-- index audit_group
CREATE INDEX audit_group ON audit(group_id, seq) WHERE group_id IS NOT NULL;

-- index audit_name_list
CREATE INDEX audit_name_list ON audit(json_extract(changes, '$.referral[1].list'), seq, case_id, at, json_extract(changes, '$.referral[1].consulate')) WHERE trigger = 'refer' AND outcome = 'applied';

-- index audit_request
CREATE INDEX audit_request ON audit(request_id, seq) WHERE request_id IS NOT NULL;

-- index audit_voids
CREATE INDEX audit_voids ON audit(case_id) WHERE trigger = 'void' AND outcome = 'applied';

-- index case_names_case
CREATE INDEX case_names_case ON case_names(case_id);

-- index case_names_folded
CREATE INDEX case_names_folded ON case_names(folded, case_id);

-- index case_names_key
CREATE INDEX case_names_key ON case_names(key, case_id);

-- index cases_complaints
CREATE INDEX cases_complaints ON cases(id) WHERE json_array_length(facts, '$.complaints') > 0;

-- index cases_guidance
CREATE INDEX cases_guidance ON cases(id) WHERE json_array_length(facts, '$.guidance') > 0;

-- index cases_place
CREATE INDEX cases_place ON cases(json_extract(facts, '$.place'), state);

-- index cases_refusers
CREATE INDEX cases_refusers ON cases(id, state, name, native_name, json_extract(facts, '$.attempts[#-1].at'), coalesce(json_array_length(facts, '$.attempts'), 0), (json_extract(facts, '$.attempts[0].outcome') IS 'refused') + (json_extract(facts, '$.attempts[1].outcome') IS 'refused') + (json_extract(facts, '$.attempts[2].outcome') IS 'refused') + (json_extract(facts, '$.attempts[3].outcome') IS 'refused') + (json_extract(facts, '$.attempts[4].outcome') IS 'refused') + (json_extract(facts, '$.attempts[5].outcome') IS 'refused')) WHERE json_extract(facts, '$.attempts[#-1].outcome') = 'refused' AND coalesce(json_array_length(facts, '$.provisions'), 0) = 0;

-- index cases_state
CREATE INDEX cases_state ON cases(state, id);

-- index cases_unanswered
CREATE INDEX cases_unanswered ON cases(json_extract(facts, '$.referral.at'), id, name, native_name, state) WHERE json_extract(facts, '$.consulate_reply') IS NULL AND state = 'referred';

-- index cases_visitors
CREATE INDEX cases_visitors ON cases(json_extract(facts, '$.investigated_on'), id, name, native_name, state) WHERE json_extract(facts, '$.purpose') = 'visiting-relatives';

-- table _sqlite_migrations
CREATE TABLE "_sqlite_migrations" (
   "id" INTEGER PRIMARY KEY,
   "migration_set" TEXT,
   "name" TEXT,
   "applied_at" TEXT
);

-- table actors
CREATE TABLE actors (
    name TEXT PRIMARY KEY,
    folded TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    public_key TEXT NOT NULL,
    added_at TEXT NOT NULL,
    retired_at TEXT
) STRICT;

-- table audit
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    case_id INTEGER REFERENCES cases(id),
    case_version INTEGER,
    trigger TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'refused')),
    actor TEXT,
    role TEXT,
    at TEXT,
    recorded_at TEXT NOT NULL,
    given TEXT NOT NULL,
    changes TEXT NOT NULL,
    clauses TEXT NOT NULL,
    guards TEXT NOT NULL,
    reason TEXT,
    refused_by TEXT,
    group_id INTEGER,
    request_id TEXT,
    policy TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    signature TEXT NOT NULL
) STRICT;

-- table case_names
CREATE TABLE case_names (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL,
    field TEXT NOT NULL,
    name TEXT NOT NULL,
    folded TEXT NOT NULL,
    key TEXT NOT NULL,
    squashed TEXT NOT NULL
) STRICT;

-- table case_names_fts
CREATE VIRTUAL TABLE case_names_fts USING fts5(folded, squashed, content='case_names',
    content_rowid='id', tokenize='trigram', columnsize=0);

-- table case_names_fts_config
CREATE TABLE 'case_names_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;

-- table case_names_fts_data
CREATE TABLE 'case_names_fts_data'(id INTEGER PRIMARY KEY, block BLOB);

-- table case_names_fts_idx
CREATE TABLE 'case_names_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;

-- table cases
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    native_name TEXT,
    facts TEXT NOT NULL,
    flagged INTEGER NOT NULL DEFAULT 0,
    opened_on TEXT,
    updated_at TEXT NOT NULL
, policy TEXT NOT NULL DEFAULT '') STRICT;

-- table report_clause_cases
CREATE TABLE report_clause_cases (
    case_id INTEGER NOT NULL,
    clause NOT NULL,
    PRIMARY KEY (case_id, clause)
) WITHOUT ROWID;

-- table report_clauses
CREATE TABLE report_clauses (
    clause PRIMARY KEY,
    applied INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    cases INTEGER NOT NULL
) WITHOUT ROWID;

-- table report_months
CREATE TABLE report_months (
    month TEXT NOT NULL,
    state TEXT NOT NULL,
    entered INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    PRIMARY KEY (month, state)
) WITHOUT ROWID;

-- table settings
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- trigger audit_count_clause
CREATE TRIGGER audit_count_clause AFTER INSERT ON audit BEGIN
  INSERT INTO report_clauses (clause, applied, refused, cases)
  SELECT value, NEW.outcome = 'applied', NEW.outcome = 'refused', 0
  FROM json_each(NEW.clauses) WHERE true ON CONFLICT (clause) DO UPDATE
  SET applied = applied + excluded.applied, refused = refused + excluded.refused; INSERT
  INTO report_clause_cases (case_id, clause)
  SELECT NEW.case_id, value FROM json_each(NEW.clauses)
  WHERE NEW.case_id IS NOT NULL ON CONFLICT DO NOTHING; END;

-- trigger audit_count_month
CREATE TRIGGER audit_count_month AFTER INSERT ON audit WHEN NEW.at IS NOT NULL BEGIN
  INSERT INTO report_months (month, state, entered, refused)
  VALUES (substr(NEW.at, 1, 7), CASE WHEN NEW.outcome = 'applied' AND NEW.from_state IS NOT NEW.to_state AND NEW.to_state IS NOT NULL THEN NEW.to_state ELSE '' END,
          NEW.outcome = 'applied' AND NEW.from_state IS NOT NEW.to_state AND NEW.to_state IS NOT NULL, NEW.outcome = 'refused')
  ON CONFLICT (month, state) DO UPDATE
  SET entered = entered + excluded.entered, refused = refused + excluded.refused; END;

-- trigger audit_no_delete
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- trigger audit_no_update
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- trigger case_names_dropped
CREATE TRIGGER case_names_dropped AFTER DELETE ON case_names BEGIN
  INSERT INTO case_names_fts (case_names_fts, rowid, folded, squashed)
  VALUES ('delete', OLD.id, OLD.folded, OLD.squashed); END;

-- trigger case_names_indexed
CREATE TRIGGER case_names_indexed AFTER INSERT ON case_names BEGIN
  INSERT INTO case_names_fts (rowid, folded, squashed)
  VALUES (NEW.id, NEW.folded, NEW.squashed); END;

-- trigger clause_case_counted
CREATE TRIGGER clause_case_counted AFTER INSERT ON report_clause_cases BEGIN
  UPDATE report_clauses SET cases = cases + 1 WHERE clause = NEW.clause; END;

-- view case_facts
CREATE VIEW case_facts AS
SELECT id AS case_id, name, native_name, state, policy, flagged, opened_on, json_extract(facts, '$.crossed_on') AS crossed_on, json_extract(facts, '$.place') AS place, json_extract(facts, '$.accompanies') AS accompanies, json_extract(facts, '$.citizenship') AS citizenship, json_extract(facts, '$.purpose') AS purpose, json_extract(facts, '$.purpose_note') AS purpose_note, json_extract(facts, '$.spouse') AS spouse, json_extract(facts, '$.crime') AS crime, json_extract(facts, '$.crime_on') AS crime_on, json_extract(facts, '$.investigated_on') AS investigated_on, json_extract(facts, '$.returned_on') AS returned_on, coalesce(json_array_length(facts, '$.attempts'), 0) AS attempts, (SELECT count(*) FROM json_each(facts, '$.attempts') WHERE json_extract(value, '$.outcome') = 'refused') AS refusals, json_extract(facts, '$.attempts[#-1].outcome') AS latest_outcome, coalesce(json_array_length(facts, '$.provisions'), 0) AS provisions, (SELECT count(*) FROM json_each(facts, '$.guidance') WHERE json_extract(value, '$.answer') IS NULL) AS open_guidance
FROM cases
ORDER BY id;

-- view case_timeline
CREATE VIEW case_timeline AS
SELECT a.seq, a.case_id, a.at, a.actor, a.role, a.trigger, a.outcome,
       a.from_state, a.to_state,
       (SELECT group_concat(value, ', ') FROM json_each(a.clauses)) AS clauses,
       a.reason, json_extract(a.given, '$.note') AS note,
       json_extract(a.given, '$.source') AS source,
       json_extract(a.changes, '$.name[1]') AS name,
       json_extract(a.changes, '$.native_name[1]') AS native_name, a.group_id, a.recorded_at,
       (SELECT v.seq FROM audit AS v WHERE v.case_id = a.case_id AND v.seq > a.seq AND v.trigger = 'void' AND v.outcome = 'applied' AND json_extract(v.given, '$.seq') = a.seq) AS voided_by
FROM audit AS a
WHERE a.case_id IS NOT NULL
ORDER BY a.case_id, a.seq;

-- view clauses
CREATE VIEW clauses (id, policy, summary, words) AS VALUES
  ('P1', 'jilin-1961@3', 'DPRK citizens who crossed illegally: persuade them to return, contact border-defence representatives, record names, investigate, turn them over to Korea as a group.', 'After reviewing all information relating to [North] Korean citizens who illegally crossed the border, we should persuade them to return and then after contacting border defense representatives, and after recording their names and investigating their situations, turn them over as a group to Korea.'),
  ('P2', 'jilin-1961@3', 'DPRK citizens who came to visit relatives without the proper procedures: tell them it was not right, send them back within a short period.', 'Those who through investigation are determined to be Korean citizens who came to China to visit relatives, but not having gone through the appropriate procedures, crossed the border illegally, should be told that what they did was not right and have them sent back within a short period.'),
  ('P3', 'jilin-1961@3', 'DPRK citizens married to Chinese citizens of Korean nationality who refuse after three attempts at persuasion: an exception; a name list goes to the provincial Foreign Affairs Office for the Korean Consulate General; if Korea agrees they stay as foreign residents.', 'Those who through investigation are determined to be Korean citizens but have already married Chinese citizens of the Korean nationality, who after three attempts at persuasion still refuse to return to Korea, should be handled as an exception. A list of the names of these people should be sent to the provincial Foreign Affairs Office for reporting to the Korean Consulate General [in Shenyang]. If Korea agrees that they may remain in China, then they can be handled as foreign residents.'),
  ('P4', 'jilin-1961@3', 'Members of China''s Korean national minority: educate them and restore their Chinese citizenship.', 'Those who through investigation are found to be members of China''s Korean national minority, should be educated and have their original Chinese citizenship restored to them.'),
  ('P5', 'jilin-1961@3', 'Anyone who committed a crime in China after crossing: handled under China''s laws on foreign citizens who commit crimes in China.', 'Anyone who committed a crime in China after crossing the border should be handled according to our country''s laws concerning foreign citizens who commit crimes in China.'),
  ('W1', 'jilin-1961@3', 'Cadres receive patriotic and internationalist education (not case work).', 'We must carry out patriotic and internationalist education among our cadres, explaining to them that returning border crossers benefits the unity of the Chinese and Korean people and is our internationalist responsibility.'),
  ('W2', 'jilin-1961@3', 'All border crossers are confined and persuaded through education; rude treatment is not permitted.', 'Strengthen border management work. Border crossers should be all be confined and persuaded through education to return. Rude treatment of border crossers is not permitted.'),
  ('W3', 'jilin-1961@3', 'Where persuasion has failed, local authorities provide suitable food and clothing.', 'For those individuals for whom attempts to persuade them to return have failed, the local authorities should handle the issues of providing them suitable food and clothing.'),
  ('T', 'jilin-1961@3', 'Those who crossed in 1960 or earlier and are determined not to return are, with the Provincial Party Committee''s permission, transferred to the Public Security Department and the Foreign Affairs Department.', 'Those Korean citizens who crossed the border in 1960 or earlier, and are determined not to return should, with the permission of the Provincial Communist Party Committee, be transferred to the Public Security Department and the Foreign Affairs Department for handling according to the principles of the "Report on the Handling of Korean Illegal International Border Crossers or Those Holding Expired Credentials But are Unwilling to Return."'),
  ('G', 'jilin-1961@3', 'Any problem with these principles: ask the Ministry of Foreign Affairs for guidance.', 'If there is anything problems with the opinions above, please ask the Ministry of Foreign Affairs for guidance.'),
  ('P1', 'jilin-1961@2', 'DPRK citizens who crossed illegally: persuade them to return, contact border-defence representatives, record names, investigate, turn them over to Korea as a group.', 'After reviewing all information relating to [North] Korean citizens who illegally crossed the border, we should persuade them to return and then after contacting border defense representatives, and after recording their names and investigating their situations, turn them over as a group to Korea.'),
  ('P2', 'jilin-1961@2', 'DPRK citizens who came to visit relatives without the proper procedures: tell them it was not right, send them back within a short period.', 'Those who through investigation are determined to be Korean citizens who came to China to visit relatives, but not having gone through the appropriate procedures, crossed the border illegally, should be told that what they did was not right and have them sent back within a short period.'),
  ('P3', 'jilin-1961@2', 'DPRK citizens married to Chinese citizens of Korean nationality who refuse after three attempts at persuasion: an exception; a name list goes to the provincial Foreign Affairs Office for the Korean Consulate General; if Korea agrees they stay as foreign residents.', 'Those who through investigation are determined to be Korean citizens but have already married Chinese citizens of the Korean nationality, who after three attempts at persuasion still refuse to return to Korea, should be handled as an exception. A list of the names of these people should be sent to the provincial Foreign Affairs Office for reporting to the Korean Consulate General [in Shenyang]. If Korea agrees that they may remain in China, then they can be handled as foreign residents.'),
  ('P4', 'jilin-1961@2', 'Members of China''s Korean national minority: educate them and restore their Chinese citizenship.', 'Those who through investigation are found to be members of China''s Korean national minority, should be educated and have their original Chinese citizenship restored to them.'),
  ('P5', 'jilin-1961@2', 'Anyone who committed a crime in China after crossing: handled under China''s laws on foreign citizens who commit crimes in China.', 'Anyone who committed a crime in China after crossing the border should be handled according to our country''s laws concerning foreign citizens who commit crimes in China.'),
  ('W1', 'jilin-1961@2', 'Cadres receive patriotic and internationalist education (not case work).', 'We must carry out patriotic and internationalist education among our cadres, explaining to them that returning border crossers benefits the unity of the Chinese and Korean people and is our internationalist responsibility.'),
  ('W2', 'jilin-1961@2', 'All border crossers are confined and persuaded through education; rude treatment is not permitted.', 'Strengthen border management work. Border crossers should be all be confined and persuaded through education to return. Rude treatment of border crossers is not permitted.'),
  ('W3', 'jilin-1961@2', 'Where persuasion has failed, local authorities provide suitable food and clothing.', 'For those individuals for whom attempts to persuade them to return have failed, the local authorities should handle the issues of providing them suitable food and clothing.'),
  ('T', 'jilin-1961@2', 'Those who crossed in 1960 or earlier and are determined not to return are, with the Provincial Party Committee''s permission, transferred to the Public Security Department and the Foreign Affairs Department.', 'Those Korean citizens who crossed the border in 1960 or earlier, and are determined not to return should, with the permission of the Provincial Communist Party Committee, be transferred to the Public Security Department and the Foreign Affairs Department for handling according to the principles of the "Report on the Handling of Korean Illegal International Border Crossers or Those Holding Expired Credentials But are Unwilling to Return."'),
  ('G', 'jilin-1961@2', 'Any problem with these principles: ask the Ministry of Foreign Affairs for guidance.', 'If there is anything problems with the opinions above, please ask the Ministry of Foreign Affairs for guidance.'),
  ('V1', 'mfa-mps-1957-12-17@1', 'DPRK citizens who crossed illegally are, in principle, sent back.', 'DPRK citizens who crossed into China illegally are, in principle, sent back (repatriated). (Summary.)'),
  ('V2', 'mfa-mps-1957-12-17@1', 'Where return is ''indeed inconvenient'', they may stay once the DPRK side approves.', 'Where return is ''indeed inconvenient'' for a person, they may go on residing in China, but only after the DPRK side has approved it. (Summary.)'),
  ('V3', 'mfa-mps-1957-12-17@1', 'Those allowed to stay may later be mobilised to return.', 'Those allowed to stay may later be mobilised to return, if needed. (Summary.)'),
  ('V4', 'mfa-mps-1957-12-17@1', 'Legal crossings approved leniently; illegal ones handled severely.', 'Legal crossings are approved leniently; illegal crossings are handled severely. (Summary.)');

-- view handover_groups
CREATE VIEW handover_groups AS
SELECT a.group_id AS id, a.at, json_extract(a.given, '$.representative') AS representative, json_extract(a.given, '$.crossing_point') AS crossing_point, a.actor AS officer,
       json_group_array(a.case_id) AS case_ids, json_extract(a.given, '$.note') AS note
FROM (SELECT * FROM audit WHERE group_id IS NOT NULL ORDER BY group_id, seq) AS a
WHERE a.trigger = 'hand_over' AND a.outcome = 'applied' AND a.group_id IS NOT NULL AND (SELECT v.seq FROM audit AS v WHERE v.case_id = a.case_id AND v.seq > a.seq AND v.trigger = 'void' AND v.outcome = 'applied' AND json_extract(v.given, '$.seq') = a.seq) IS NULL
GROUP BY a.group_id
ORDER BY a.group_id;

-- view handovers
CREATE VIEW handovers AS
SELECT a.group_id, a.at, json_extract(a.given, '$.representative') AS representative, json_extract(a.given, '$.crossing_point') AS crossing_point, a.actor AS officer, json_extract(a.given, '$.note') AS note,
       row_number() OVER (PARTITION BY a.group_id ORDER BY a.seq) AS position,
       c.id AS case_id, c.name, c.native_name, json_extract(c.facts, '$.crossed_on') AS crossed_on, json_extract(c.facts, '$.place') AS place, json_extract(c.facts, '$.purpose') AS purpose, json_extract(c.facts, '$.accompanies') AS accompanies
FROM audit AS a JOIN cases AS c ON c.id = a.case_id
WHERE a.trigger = 'hand_over' AND a.outcome = 'applied' AND a.group_id IS NOT NULL AND (SELECT v.seq FROM audit AS v WHERE v.case_id = a.case_id AND v.seq > a.seq AND v.trigger = 'void' AND v.outcome = 'applied' AND json_extract(v.given, '$.seq') = a.seq) IS NULL
ORDER BY a.group_id, a.seq;

-- view name_list
CREATE VIEW name_list AS
SELECT json_extract(a.changes, '$.referral[1].list') AS list, a.at AS referred_on, a.seq,
       c.id AS case_id, c.name, c.native_name, json_extract(c.facts, '$.crossed_on') AS crossed_on, json_extract(c.facts, '$.place') AS place, json_extract(c.facts, '$.spouse') AS spouse,
       (SELECT count(*) FROM json_each(c.facts, '$.attempts') WHERE json_extract(value, '$.at') <= a.at) AS attempts,
       (SELECT count(*) FROM json_each(c.facts, '$.attempts') WHERE json_extract(value, '$.at') <= a.at
          AND json_extract(value, '$.outcome') = 'refused') AS refusals,
       json_extract(a.changes, '$.referral[1].consulate') AS consulate, c.state
FROM audit AS a JOIN cases AS c ON c.id = a.case_id
WHERE a.trigger = 'refer' AND a.outcome = 'applied' AND (SELECT v.seq FROM audit AS v WHERE v.case_id = a.case_id AND v.seq > a.seq AND v.trigger = 'void' AND v.outcome = 'applied' AND json_extract(v.given, '$.seq') = a.seq) IS NULL
ORDER BY list, a.seq;

-- view open_cases
CREATE VIEW open_cases AS
SELECT id AS case_id, name, native_name, state, flagged, opened_on, json_extract(facts, '$.crossed_on') AS crossed_on, json_extract(facts, '$.place') AS place, json_extract(facts, '$.accompanies') AS accompanies, json_extract(facts, '$.citizenship') AS citizenship, json_extract(facts, '$.purpose') AS purpose, json_extract(facts, '$.purpose_note') AS purpose_note, json_extract(facts, '$.spouse') AS spouse, json_extract(facts, '$.crime') AS crime, json_extract(facts, '$.crime_on') AS crime_on, json_extract(facts, '$.investigated_on') AS investigated_on, json_extract(facts, '$.returned_on') AS returned_on, coalesce(json_array_length(facts, '$.attempts'), 0) AS attempts, (SELECT count(*) FROM json_each(facts, '$.attempts') WHERE json_extract(value, '$.outcome') = 'refused') AS refusals, json_extract(facts, '$.attempts[#-1].outcome') AS latest_outcome, coalesce(json_array_length(facts, '$.provisions'), 0) AS provisions, (SELECT count(*) FROM json_each(facts, '$.guidance') WHERE json_extract(value, '$.answer') IS NULL) AS open_guidance
FROM cases
WHERE state NOT IN ('prosecuted', 'resident', 'restored', 'returned', 'transferred')
ORDER BY id;

-- view refusals
CREATE VIEW refusals AS
SELECT a.seq, a.case_id, c.name, a.at, a.actor, a.role, a.trigger, a.from_state AS state,
       (SELECT group_concat(value, ', ') FROM json_each(a.clauses)) AS clauses,
       a.reason, a.group_id, a.recorded_at
FROM audit AS a LEFT JOIN cases AS c ON c.id = a.case_id
WHERE a.outcome = 'refused'
ORDER BY a.seq;

-- view sources
CREATE VIEW sources AS
SELECT json_extract(given, '$.source') AS source, count(*) AS events,
       count(DISTINCT case_id) AS cases, min(at) AS first_at, max(at) AS last_at
FROM audit
WHERE json_extract(given, '$.source') IS NOT NULL
GROUP BY 1
ORDER BY 1;

