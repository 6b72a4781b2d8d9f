-- tally schema, version 4: what `tally dash` needs to stay fast on a million
-- orders: indexes for its sort columns and filters (keyset paging reads only
-- the visible rows through them), an index on the webhook log by order, and
-- a trigram search index over each order's number, customer, email and
-- payment reference.

CREATE INDEX orders_status ON orders (status);
CREATE INDEX orders_payment_status ON orders (payment_status);
CREATE INDEX orders_customer ON orders (customer_name);
CREATE INDEX orders_total ON orders (total_minor);
CREATE INDEX webhook_log_order ON webhook_log (order_number) WHERE order_number IS NOT NULL;

-- The searchable text of each order, in one place.
CREATE VIEW order_search_doc AS
SELECT o.id AS id,
       o.number || ' ' || o.customer_name || ' ' || o.customer_email || ' '
           || coalesce(p.reference, '') AS doc
FROM orders o LEFT JOIN payments p ON p.order_id = o.id;

-- rowid = orders.id. Contentless and detail=none keep it small (the text
-- lives in orders and payments): a query is an AND of the trigrams of the
-- searched text, which finds a superset of the matches; the dashboard checks
-- each candidate against the real columns.
CREATE VIRTUAL TABLE order_search USING fts5 (
    doc,
    tokenize = 'trigram',
    detail = none,
    content = '',
    contentless_delete = 1
);

INSERT INTO order_search (rowid, doc) SELECT id, doc FROM order_search_doc;

-- Kept in step by triggers, so every writer (import, the operations, the
-- webhook listener) keeps it right without knowing it exists. `tally demo`
-- turns triggers off on its own connection and fills it per batch instead.
CREATE TRIGGER order_search_order_insert AFTER INSERT ON orders BEGIN
    INSERT INTO order_search (rowid, doc) SELECT id, doc FROM order_search_doc WHERE id = new.id;
END;

CREATE TRIGGER order_search_order_update AFTER UPDATE OF number, customer_name, customer_email
ON orders
WHEN old.number IS NOT new.number OR old.customer_name IS NOT new.customer_name
  OR old.customer_email IS NOT new.customer_email
BEGIN
    DELETE FROM order_search WHERE rowid = old.id;
    INSERT INTO order_search (rowid, doc) SELECT id, doc FROM order_search_doc WHERE id = new.id;
END;

CREATE TRIGGER order_search_order_delete AFTER DELETE ON orders BEGIN
    DELETE FROM order_search WHERE rowid = old.id;
END;

CREATE TRIGGER order_search_payment_insert AFTER INSERT ON payments BEGIN
    DELETE FROM order_search WHERE rowid = new.order_id;
    INSERT INTO order_search (rowid, doc)
        SELECT id, doc FROM order_search_doc WHERE id = new.order_id;
END;

CREATE TRIGGER order_search_payment_update AFTER UPDATE OF reference, order_id ON payments
WHEN old.reference IS NOT new.reference OR old.order_id IS NOT new.order_id
BEGIN
    DELETE FROM order_search WHERE rowid IN (old.order_id, new.order_id);
    INSERT INTO order_search (rowid, doc)
        SELECT id, doc FROM order_search_doc WHERE id IN (old.order_id, new.order_id);
END;

CREATE TRIGGER order_search_payment_delete AFTER DELETE ON payments BEGIN
    DELETE FROM order_search WHERE rowid = old.order_id;
    INSERT INTO order_search (rowid, doc)
        SELECT id, doc FROM order_search_doc WHERE id = old.order_id;
END;
