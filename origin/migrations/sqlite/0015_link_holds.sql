-- Uses of a limited link held by buyers at the provider: charges still 'pending' with a
-- reservation. A checkout claims a use with one conditional update of this count instead of
-- locking the link and counting its charges, so a popular link's buyers do not queue on it
-- for the length of each other's transactions.
ALTER TABLE links ADD COLUMN held_count INTEGER NOT NULL DEFAULT 0;
UPDATE links SET held_count = (
    SELECT COUNT(*) FROM charges
     WHERE charges.link_id = links.id AND charges.status = 'pending' AND charges.reserved_until IS NOT NULL
) WHERE usage_limit IS NOT NULL;
