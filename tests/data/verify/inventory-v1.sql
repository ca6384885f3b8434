-- An empty clouddp inventory, schema version 1 (src/inventory.c), for
-- tests that fill it with sqlite3: clouddp-provision makes one only by
-- creating a DP, and its other subcommands refuse a missing inventory.
CREATE TABLE dp (
 name TEXT PRIMARY KEY NOT NULL,
 backend TEXT NOT NULL,
 subscription TEXT NOT NULL,
 region TEXT NOT NULL,
 service_name TEXT NOT NULL,
 storage_account TEXT NOT NULL,
 service_fqdn TEXT NOT NULL,
 azure_fqdn TEXT NOT NULL,
 vip TEXT NOT NULL,
 service_thumbprint TEXT NOT NULL,
 instances INTEGER NOT NULL,
 storage_quota_gb INTEGER NOT NULL,
 storage_warning INTEGER NOT NULL,
 storage_critical INTEGER NOT NULL,
 transfer_quota_gb INTEGER NOT NULL,
 transfer_warning INTEGER NOT NULL,
 transfer_critical INTEGER NOT NULL,
 state TEXT NOT NULL,
 created INTEGER NOT NULL,
 updated INTEGER NOT NULL,
 lease_owner TEXT,
 lease_until INTEGER NOT NULL DEFAULT 0);
CREATE TABLE step (
 id INTEGER PRIMARY KEY AUTOINCREMENT,
 dp TEXT NOT NULL REFERENCES dp(name),
 step TEXT NOT NULL,
 state_before TEXT NOT NULL,
 state_after TEXT NOT NULL DEFAULT '',
 request_id TEXT NOT NULL DEFAULT '',
 outcome TEXT NOT NULL DEFAULT '',
 started INTEGER NOT NULL,
 ended INTEGER NOT NULL DEFAULT 0);
CREATE INDEX step_dp ON step(dp, id);
PRAGMA user_version = 1;
