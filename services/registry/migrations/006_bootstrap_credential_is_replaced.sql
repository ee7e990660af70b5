-- The bootstrap admin's credential is replaced at every start of the platform, so the token an
-- earlier start printed stops working. Before this migration every start added one more: all
-- bearer tokens of the default account's admin are taken to be those and are replaced too.
ALTER TABLE credentials ADD COLUMN is_bootstrap boolean NOT NULL DEFAULT false;
UPDATE credentials c SET is_bootstrap = true
    FROM users u JOIN accounts a USING (account_id)
    WHERE c.user_id = u.user_id AND u.name = 'admin' AND a.name = 'default' AND c.purpose IS NULL;
