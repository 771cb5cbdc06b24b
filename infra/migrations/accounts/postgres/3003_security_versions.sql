-- Each account's security version: bumped when its sessions must end (password change
-- or reset, sign-out everywhere, a role revoked); access tokens issued under an older
-- version are refused. No row: version 0.
CREATE TABLE IF NOT EXISTS acct_security_versions (
    customer_id UUID   PRIMARY KEY,
    version     BIGINT NOT NULL
);
