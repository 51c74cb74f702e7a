-- The full lookup index, replaced by the probe index of 0016 (which the release of 0016 already
-- uses). A fleet upgrading from before 0016 takes that release everywhere first (README, "Rolling a
-- migration across the fleet").
DROP INDEX `contact_identifiers_lookup_idx`;
