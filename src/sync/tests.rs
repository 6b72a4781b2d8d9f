use super::*;

fn fetched(id: &str, secs: i64) -> Fetched {
    Fetched {
        id: id.to_owned(),
        created: chrono::DateTime::from_timestamp(secs, 0).unwrap(),
        body: Vec::new(),
    }
}

#[test]
fn events_are_applied_oldest_first_whatever_the_listing_order() {
    // Real Stripe lists newest first, localstripe oldest first, and a page
    // boundary that moved may list one event twice.
    let newest_first = vec![
        fetched("evt_c", 30),
        fetched("evt_b", 20),
        fetched("evt_a2", 10),
        fetched("evt_b", 20),
        fetched("evt_a1", 10),
    ];
    let ids: Vec<String> = in_order(newest_first).into_iter().map(|e| e.id).collect();
    assert_eq!(ids, ["evt_a1", "evt_a2", "evt_b", "evt_c"]);
}

#[test]
fn one_sync_per_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let first = SyncLock::try_take(&db).unwrap();
    assert!(first.is_some());
    assert!(SyncLock::try_take(&db).unwrap().is_none());
    drop(first);
    assert!(SyncLock::try_take(&db).unwrap().is_some());
    assert_eq!(lock_path(&db), dir.path().join("shop.db.sync-lock"));
}
