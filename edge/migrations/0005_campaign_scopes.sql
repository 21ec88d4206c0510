-- A campaign is a world of its own: e-mail, alias, reconciliation phone and external reference
-- are unique within one scope (a campaign, or the campaign-less scope of the accounts created
-- with no campaign), no longer across all of them. `scope` names it (the campaign's id, or ''
-- for the campaign-less scope, which no campaign id can be), so the UNIQUE indexes hold the
-- rule and concurrent signups still yield exactly one account per scope.
--
-- Campaigns also say which D1 database holds their accounts. Every campaign that exists now
-- keeps its accounts here, in the directory's database (`DB`), where they already are; new
-- campaigns are placed on the account databases (`ACCOUNT_DATABASES`).
ALTER TABLE campaigns ADD COLUMN accounts_db TEXT NOT NULL DEFAULT 'DB';

ALTER TABLE accounts ADD COLUMN scope TEXT GENERATED ALWAYS AS (COALESCE(campaign_id, '')) VIRTUAL;

DROP INDEX accounts_email_normalized;
DROP INDEX accounts_alias_normalized;
DROP INDEX accounts_phone_key;
DROP INDEX accounts_ext_ref;

CREATE UNIQUE INDEX accounts_email_normalized ON accounts (scope, email_normalized);
CREATE UNIQUE INDEX accounts_alias_normalized ON accounts (scope, alias_normalized);
CREATE UNIQUE INDEX accounts_phone_key ON accounts (scope, phone_key);
CREATE UNIQUE INDEX accounts_ext_ref ON accounts (scope, ext_ref_id);
-- Admin look-ups by e-mail across every campaign.
CREATE INDEX accounts_by_email ON accounts (email_normalized);
